/**
 * Issue 12 attacked where the rules are pure (the worker tier's test/worker/issue12-attacks.test.ts
 * attacks the same through real objects): the credentials /v1/introspect and /v1/revoke read,
 * okta-auth-js's Basic-without-colon form included (src/oauth/endpoint-client.ts); a refresh step
 * fed what a thief or a confused client would present (src/grants/refresh-rotation.ts); and the
 * `jti` that points userinfo and introspection at a grant (src/grants/grant-id.ts).
 */
import { describe, expect, it } from "vitest";
import { REDEEMED_GRANT_RETENTION_SECONDS } from "../../src/config/defaults";
import { OAuthError } from "../../src/errors";
import type { GrantState } from "../../src/grants/code-redemption";
import { grantAccessTokenJti, grantIdFromObjectId, grantIdOfJti } from "../../src/grants/grant-id";
import type { AuthorizedRequest } from "../../src/grants/grant-port";
import { bornFamily, familyEnd, type RefreshFamily, refreshStep } from "../../src/grants/refresh-rotation";
import { endpointCredentials } from "../../src/oauth/endpoint-client";

const form = (entries: Record<string, string> = {}) => new Map(Object.entries(entries));
const basicOf = (text: string) => `Basic ${btoa(text)}`;

/** The OAuth error `f` throws: its code and description. */
function refusal(f: () => unknown): { code: string; description: string | undefined } {
  try {
    f();
  } catch (e) {
    if (e instanceof OAuthError) return { code: e.code, description: e.description };
    throw e;
  }
  throw new Error("no refusal");
}

describe("endpointCredentials: okta-auth-js's public form and what may not pass for it", () => {
  it("Basic base64(client_id) with no colon names a public client; the same client_id in the body is fine", () => {
    expect(endpointCredentials(basicOf("0oaSpa"), form())).toEqual({ method: "none", clientId: "0oaSpa" });
    expect(endpointCredentials(basicOf("0oaSpa"), form({ client_id: "0oaSpa" }))).toEqual({
      method: "none",
      clientId: "0oaSpa",
    });
  });

  it("another client_id in the body is a mismatch, not a second identity", () => {
    expect(refusal(() => endpointCredentials(basicOf("0oaSpa"), form({ client_id: "0oaWeb" })))).toEqual({
      code: "invalid_request",
      description: "The client_id parameter does not match the authenticated client.",
    });
  });

  it("a secret or an assertion beside the colonless form fails authentication (no mixing methods)", () => {
    for (const extra of [{ client_secret: "s" }, { client_assertion: "a.b.c" }] as Record<string, string>[]) {
      expect(refusal(() => endpointCredentials(basicOf("0oaSpa"), form(extra))).code).toBe("invalid_client");
    }
  });

  it("control characters, spaces, 101 characters or bytes beyond ASCII are no client id", () => {
    for (const id of ["0oa\u0000x", "0oa x", "a".repeat(101), "0oa\u00e9", "\t"]) {
      const header = `Basic ${btoa(id)}`;
      expect(refusal(() => endpointCredentials(header, form())).code, JSON.stringify(id)).toBe(
        "invalid_client",
      );
    }
  });

  it("Basic with a colon is client_secret_basic as at the token endpoint; junk falls to it and is refused there", () => {
    expect(endpointCredentials(basicOf("0oaWeb:secret"), form())).toMatchObject({
      method: "client_secret_basic",
      clientId: "0oaWeb",
      secret: "secret",
    });
    for (const header of ["Basic !!!", "Basic", "Bearer abc", `Basic ${"A".repeat(5)}`]) {
      expect(() => endpointCredentials(header, form())).toThrow(OAuthError);
    }
  });
});

const T0 = Date.UTC(2026, 0, 1);
const RETENTION = REDEEMED_GRANT_RETENTION_SECONDS * 1000;
const request: AuthorizedRequest = {
  serverId: "as",
  clientId: "app",
  redirectUri: "",
  codeChallenge: undefined,
  nonce: undefined,
  scopes: ["offline_access", "read"],
  userId: "00u1",
  authTime: T0 / 1000,
  amr: ["pwd"],
  sessionId: undefined,
  decision: { policyId: "p", ruleId: "r", accessTokenLifetimeSeconds: 3600 },
};

function rotatedWorld(): { state: GrantState; family: RefreshFamily } {
  // h0 rotated to h1 at T0 + 1 s, leeway 30 s, idle window 10 min.
  const born = bornFamily(
    "h0",
    {
      rotation: "ROTATE",
      leewaySeconds: 30,
      lifetimeMinutes: 0,
      windowMinutes: 10,
      scopes: ["offline_access", "read"],
    },
    T0,
  );
  const family: RefreshFamily = {
    ...born,
    currentHash: "h1",
    previous: { hash: "h0", rotatedAt: T0 + 1000, sealedSuccessor: "sealed-h1" },
    lastUsedAt: T0 + 1000,
  };
  const state: GrantState = {
    request,
    codeHash: "",
    codeExpiresAt: T0,
    refusals: 0,
    status: "ACTIVE",
    expiresAt: familyEnd(family) + RETENTION,
  };
  return { state, family };
}

const present = (hash: string, extra: { clientId?: string; scopes?: string[]; retired?: boolean } = {}) => ({
  hash,
  retired: extra.retired ?? false,
  serverId: "as",
  clientId: extra.clientId ?? "app",
  scopes: extra.scopes,
  candidate: { hash: "h2", sealedSuccessor: "sealed-h2" },
});

describe("refreshStep fed what a thief or a confused client presents", () => {
  it("a replay within the leeway that widens the scope is invalid_scope and changes nothing", () => {
    const { state, family } = rotatedWorld();
    const step = refreshStep(
      state,
      family,
      present("h0", { scopes: ["offline_access", "read", "write"] }),
      T0 + 2000,
      RETENTION,
    );
    expect(step).toEqual({ outcome: { ok: false, reason: "invalid_scope" } });
  });

  it("a replay within the leeway by another client is invalid, not reuse: the family stands", () => {
    const { state, family } = rotatedWorld();
    const step = refreshStep(state, family, present("h0", { clientId: "thief" }), T0 + 2000, RETENTION);
    expect(step).toEqual({ outcome: { ok: false, reason: "invalid" } });
  });

  it("the rotated-out token after the family's idle end is invalid, and revokes nothing (there is nothing left to protect)", () => {
    const { state, family } = rotatedWorld();
    const end = familyEnd(family);
    expect(refreshStep(state, family, present("h0"), end, RETENTION)).toEqual({
      outcome: { ok: false, reason: "invalid" },
    });
    expect(refreshStep(state, family, present("h1"), end, RETENTION)).toEqual({
      outcome: { ok: false, reason: "invalid" },
    });
  });

  it("an empty scope list is never a narrowing to nothing", () => {
    const { state, family } = rotatedWorld();
    expect(refreshStep(state, family, present("h1", { scopes: [] }), T0 + 2000, RETENTION).outcome).toEqual({
      ok: false,
      reason: "invalid_scope",
    });
  });

  it("a hash is reuse only when the object found it among the retired; unknown, it is invalid", () => {
    const { state, family } = rotatedWorld();
    expect(refreshStep(state, family, present("hX"), T0 + 2000, RETENTION).outcome).toEqual({
      ok: false,
      reason: "invalid",
    });
    const reuse = refreshStep(state, family, present("hX", { retired: true }), T0 + 2000, RETENTION);
    expect(reuse.outcome).toEqual({ ok: false, reason: "reuse" });
    expect(reuse.next?.state.status).toBe("REVOKED");
  });
});

describe("grantIdOfJti: only Warden's own shape points at a grant", () => {
  const grantId = grantIdFromObjectId("ab".repeat(32));

  it("reads AT.<grant id>.<random>", () => {
    expect(grantIdOfJti(grantAccessTokenJti(grantId, "r4nd0m"))).toBe(grantId);
  });

  it("refuses extra segments, another prefix, a non-canonical id, a non-string and an oversized jti", () => {
    for (const jti of [
      `AT.${grantId}.r.extra`,
      `ID.${grantId}.r`,
      `at.${grantId}.r`,
      `AT.${grantId.slice(0, 42)}B.r`,
      `AT.${grantId}`,
      `AT.${grantId}.${"r".repeat(200)}`,
      42,
      undefined,
      { toString: () => `AT.${grantId}.r` },
    ]) {
      expect(grantIdOfJti(jti), String(jti)).toBeUndefined();
    }
  });
});
