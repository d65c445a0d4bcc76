/**
 * The Durable Object classes the Worker exports are shells (src/http/lazy-durable-object.ts): their
 * implementation modules load on the first construction in the isolate, not at start-up (issue 13
 * item 5; test/unit/start-up.test.ts checks the modules). Here, inside workerd, through the real
 * namespaces: the shells build the real objects, forward RPC and alarms to them, keep their
 * internals out of reach of RPC (DESIGN §7 rule 9), and a failed load is tried again by the next
 * construction instead of being kept.
 */
import { runInDurableObject } from "cloudflare:test";
import { DurableObject, env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { Grant as GrantImplementation } from "../../src/grants/grant-object";
import type { AuthorizedRequest } from "../../src/grants/grant-port";
import { implementationOf, lazyDurableObject } from "../../src/http/lazy-durable-object";
import { KeyVault as KeyVaultImplementation } from "../../src/keys/key-vault";
import { seedServer } from "./helpers";

const bindings = env as Env;

/** Calls `name` over RPC as any caller could, whatever the stub's type says exists. */
function call(stub: object, name: string, ...args: unknown[]): Promise<unknown> {
  return Promise.resolve().then(() => {
    const method = Reflect.get(stub, name) as (...a: unknown[]) => Promise<unknown>;
    return Reflect.apply(method, stub, args);
  });
}

/** A fresh grant object: nothing stored, never opened. */
const freshGrant = () => bindings.GRANT.get(bindings.GRANT.newUniqueId());

describe("the exported Grant and KeyVault", () => {
  it("are shells over the real objects, built before the first call reaches them", async () => {
    const { serverId } = await seedServer();
    const vault = bindings.KEY_VAULT.get(bindings.KEY_VAULT.idFromName(serverId));
    await runInDurableObject(vault, (instance) => {
      expect(instance).not.toBeInstanceOf(KeyVaultImplementation);
      expect(implementationOf(instance)).toBeInstanceOf(KeyVaultImplementation);
    });
    await runInDurableObject(freshGrant(), (instance) => {
      expect(instance).not.toBeInstanceOf(GrantImplementation);
      expect(implementationOf(instance)).toBeInstanceOf(GrantImplementation);
    });
  });

  it("answer their RPC methods from the implementation, the first call of a new object included", async () => {
    const grant = freshGrant();
    // The very first event this object receives is an RPC call: it waits for the implementation.
    expect(await grant.describe(Date.now())).toBeUndefined();
    expect(await grant.isActive(Date.now())).toBe(false);
    const { serverId } = await seedServer();
    const status = await bindings.KEY_VAULT.get(bindings.KEY_VAULT.idFromName(serverId)).status();
    expect(status.keys.map((k) => k.status).sort()).toEqual(["ACTIVE", "NEXT"]);
  });

  it("keep the implementation's internals and the vault's clock out of reach of RPC", async () => {
    const { serverId } = await seedServer();
    const vault = bindings.KEY_VAULT.get(bindings.KEY_VAULT.idFromName(serverId));
    // `clock` is an instance field of the implementation: a caller that could set it would date keys.
    for (const name of ["clock", "constructor", "reconcile", "publish", "getMeta"])
      await expect(call(vault, name), name).rejects.toThrow();
    const grant = freshGrant();
    for (const name of [
      "state",
      "write",
      "family",
      "writeFamily",
      "scheduleDeletion",
      "flushIndexTouch",
      "answer",
    ])
      await expect(call(grant, name), name).rejects.toThrow();
    // What is forwarded still answers after the refusals.
    expect(await grant.describe(Date.now())).toBeUndefined();
  });

  it("receive workerd's own alarm: a grant whose code expired unredeemed is deleted by it", async () => {
    const grant = freshGrant();
    const request: AuthorizedRequest = {
      serverId: "aus_shell",
      clientId: "client-shell",
      redirectUri: "https://app.example/cb",
      codeChallenge: undefined,
      nonce: undefined,
      scopes: ["openid"],
      userId: "00u_shell",
      authTime: Math.floor(Date.now() / 1000),
      amr: ["pwd"],
      sessionId: undefined,
      decision: { policyId: "p", ruleId: "r", accessTokenLifetimeSeconds: 3600 },
    };
    // Opened ten minutes ago: its code, and so the grant, is past its lifetime, and the deletion
    // alarm it arms is due at once. No test helper runs it: the runtime calls the shell's alarm().
    await grant.open(request, "code-secret-of-the-shell-test-0123456789", Date.now() - 10 * 60_000);
    let described = await grant.describe(Date.now());
    for (let i = 0; i < 50 && described !== undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      described = await grant.describe(Date.now());
    }
    expect(described).toBeUndefined();
    expect(await runInDurableObject(grant, (_, state) => state.storage.getAlarm())).toBeNull();
  });
});

/** An implementation that records what reached it; built by shells made here with the helper. */
class Recorder extends DurableObject<Env> {
  readonly alarms: (AlarmInvocationInfo | undefined)[] = [];
  override async alarm(alarmInfo?: AlarmInvocationInfo): Promise<void> {
    this.alarms.push(alarmInfo);
  }
  async echo(value: string): Promise<string> {
    return `${value}:${this.ctx.id.toString().length}`;
  }
}

describe("lazyDurableObject (src/http/lazy-durable-object.ts)", () => {
  it("forwards alarm() with its alarmInfo", async () => {
    const Shell = lazyDurableObject(async () => Recorder, { alarm: true });
    await runInDurableObject(freshGrant(), async (_, state) => {
      const shell = new Shell(state, bindings);
      // Queued behind the shell's own: it ends once the implementation is built.
      await state.blockConcurrencyWhile(async () => {});
      const info: AlarmInvocationInfo = { isRetry: true, retryCount: 3, scheduledTime: 1_700_000_000_000 };
      await shell.alarm?.(info);
      expect(implementationOf(shell as unknown as Recorder).alarms).toEqual([info]);
      expect(await shell.echo("x")).toBe("x:64");
    });
  });

  it("does not keep a failed load: the object is reset and the next construction loads again", async () => {
    let loads = 0;
    const Shell = lazyDurableObject(
      async () => {
        loads++;
        if (loads === 1) throw new Error("the implementation's module failed to load");
        return Recorder;
      },
      { alarm: true },
    );
    let failed: object | undefined;
    // The failure resets that object (blockConcurrencyWhile); what the call itself answers then is the runtime's.
    await runInDurableObject(freshGrant(), async (_, state) => {
      failed = new Shell(state, bindings);
      await state.blockConcurrencyWhile(async () => {});
    }).catch(() => {});
    expect(loads).toBe(1);
    expect(() => implementationOf(failed as object)).toThrow(TypeError);

    await runInDurableObject(freshGrant(), async (_, state) => {
      const shell = new Shell(state, bindings);
      await state.blockConcurrencyWhile(async () => {});
      expect(await shell.echo("again")).toBe("again:64");
    });
    expect(loads).toBe(2);
  });

  it("refuses to build when its alarm() and the implementation's do not match", async () => {
    // Without the shell's alarm() workerd would never deliver the implementation's (it looks when it
    // constructs the shell); with one the implementation lacks, an armed alarm would do nothing.
    class Plain extends DurableObject<Env> {
      async echo(value: string): Promise<string> {
        return value;
      }
    }
    for (const Shell of [
      lazyDurableObject(async () => Recorder, { alarm: false }),
      lazyDurableObject(async () => Plain, { alarm: true }),
    ]) {
      let shell: object | undefined;
      await runInDurableObject(freshGrant(), async (_, state) => {
        shell = new Shell(state, bindings);
        await state.blockConcurrencyWhile(async () => {});
      }).catch(() => {});
      expect(() => implementationOf(shell as object)).toThrow(TypeError);
      // Nothing was forwarded either.
      expect("echo" in (shell as object)).toBe(false);
    }
  });
});
