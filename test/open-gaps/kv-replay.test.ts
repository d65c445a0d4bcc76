/**
 * OPEN GAP (issue 13 audit), outside the worker tier's include on purpose: it fails today, and its
 * fix belongs to files other engineers own (src/config/config-store.ts, src/config/revocation-pulse.ts,
 * src/keys/key-store.ts). Move it to test/worker/ with the fix.
 *
 * A MAC says a KV record is genuine, not that it is the newest (README "Records in KV are
 * authenticated" says so). Whoever can write KV — the threat the MACs answer — keeps a client's
 * genuine record from before its deactivation and puts it back once the revocation pulse's window
 * has passed: the pulse no longer names the client, the record authenticates, and a cold isolate
 * issues tokens to the deactivated client again, for as long as the attacker keeps putting it back
 * (nothing republishes a record until the next write). The same with a record from before a secret
 * was rotated out (the leaked old secret works again) and a keyset from before an emergency key
 * revocation (the revoked key is served and accepted again by a cold isolate).
 *
 * The pulse after its window is simulated as the control plane answers it then: the same version,
 * no entries (src/control-plane/revocation-log.ts drops changes older than the window).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { kvKeys } from "../../src/config/kv-keys";
import { PULSE_CACHE_URL } from "../../src/config/revocation-pulse";
import type { Env } from "../../src/env";
import { adminCall, basic, decodeJwt, freshApp, SECRET, seedServer, tokenRequest } from "../worker/helpers";

const bindings = env as Env;

/** The bindings as they are once the pulse window has passed: the control plane's pulse names nothing. */
function pulseWindowPassed(): Env {
  const CONTROL_PLANE = new Proxy(bindings.CONTROL_PLANE, {
    get(target, prop) {
      if (prop === "get") {
        return (...args: unknown[]) => {
          const stub = Reflect.apply(target.get, target, args) as DurableObjectStub & {
            revocationPulse(): Promise<{ version: number; windowMs: number; entries: unknown[] }>;
          };
          return new Proxy(stub, {
            get(s, name) {
              if (name === "revocationPulse") {
                return async () => ({ ...(await s.revocationPulse()), entries: [] });
              }
              const value = Reflect.get(s, name);
              return typeof value === "function" ? value.bind(s) : value;
            },
          });
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { ...bindings, CONTROL_PLANE } as Env;
}

describe("a stranger who kept a genuine KV record from before a deactivation", () => {
  it("cannot bring the client back by putting the old record back after the pulse window", async () => {
    const f = await seedServer();
    const token = () =>
      tokenRequest(
        f.issuer,
        { grant_type: "client_credentials" },
        { authorization: basic(f.clientId, SECRET) },
      );
    expect((await freshApp()(token())).status).toBe(200);
    const kept = await bindings.CONFIG.get(kvKeys.client(f.clientId));
    expect(kept).not.toBeNull();

    expect((await adminCall("POST", `/apps/${f.clientId}/lifecycle/deactivate`)).status).toBe(200);
    expect((await freshApp()(token())).status, "right after the deactivation").toBe(401);

    await bindings.CONFIG.put(kvKeys.client(f.clientId), kept as string);
    await caches.default.delete(PULSE_CACHE_URL);
    expect((await freshApp()(token(), pulseWindowPassed())).status, "after the replay").toBe(401);
  });
});

describe("a stranger who kept a genuine keyset record from before an emergency key revocation", () => {
  it("cannot get the revoked key served again by a cold isolate", async () => {
    const f = await seedServer();
    const token = () =>
      tokenRequest(
        f.issuer,
        { grant_type: "client_credentials" },
        { authorization: basic(f.clientId, SECRET) },
      );
    const first = (await (await freshApp()(token())).json()) as { access_token: string };
    const revoked = decodeJwt(first.access_token).header.kid as string;
    const kept = await bindings.CONFIG.get(`keyset/${f.serverId}`);
    expect(kept).not.toBeNull();

    const res = await adminCall(
      "POST",
      `/authorizationServers/${f.serverId}/credentials/keys/${revoked}/lifecycle/revoke`,
    );
    expect(res.status).toBe(200);
    const kids = async () => {
      const jwks = await freshApp()(new Request(`${f.issuer}/v1/keys`));
      return ((await jwks.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    };
    // The colo's copy would keep the old keyset for its TTL (the documented propagation bound).
    await caches.default.delete(`https://keysets.warden.internal/${encodeURIComponent(f.serverId)}`);
    expect(await kids(), "right after the revocation").not.toContain(revoked);

    await bindings.CONFIG.put(`keyset/${f.serverId}`, kept as string);
    await caches.default.delete(`https://keysets.warden.internal/${encodeURIComponent(f.serverId)}`);
    expect(await kids(), "after the replay").not.toContain(revoked);
  });
});
