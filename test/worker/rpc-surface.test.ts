/**
 * DESIGN §7.9: a Durable Object's internals are out of reach of RPC callers. Through the real
 * namespace stubs, the intended methods answer and the former TypeScript-`private` ones (now
 * `#private`) are not there to call.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { controlPlane, seedServer } from "./helpers";

const bindings = env as Env;

/** Calls `name` over RPC as any caller could, whatever the stub's type says exists. */
function call(stub: object, name: string, ...args: unknown[]): Promise<unknown> {
  return Promise.resolve().then(() => {
    const method = Reflect.get(stub, name) as (...a: unknown[]) => Promise<unknown>;
    return Reflect.apply(method, stub, args);
  });
}

describe("Durable Object RPC surface", () => {
  it("ControlPlane answers its RPC methods but not its internals", async () => {
    const plane = controlPlane();
    await expect(call(plane, "listInlineHooks")).resolves.toBeInstanceOf(Array);
    for (const name of [
      "ensureOrgKeys",
      "pruned",
      "known",
      "knownAfter",
      "republishIfStale",
      "currentRecord",
      "records",
    ]) {
      await expect(call(plane, name), name).rejects.toThrow();
    }
  });

  it("KeyVault answers its RPC methods but not its internals", async () => {
    const { serverId } = await seedServer();
    const vault = bindings.KEY_VAULT.get(bindings.KEY_VAULT.idFromName(serverId));
    await expect(call(vault, "status")).resolves.toMatchObject({ keys: expect.any(Array) });
    for (const name of ["reconcile", "publish", "exclusive", "getMeta", "setMeta", "rows", "createTables"]) {
      await expect(call(vault, name, "serverId"), name).rejects.toThrow();
    }
  });
});
