/**
 * The code and `jti` formats (src/grants/grant-id.ts) and the redemption rules
 * (src/grants/code-redemption.ts) the Grant Durable Object runs, through the in-memory grant port.
 */
import { base64url } from "jose";
import { describe, expect, it } from "vitest";
import {
  formatCode,
  grantAccessTokenJti,
  grantIdFromObjectId,
  grantIdOfJti,
  objectIdOfGrantId,
  parseCode,
} from "../../src/grants/grant-id";
import type { AuthorizedRequest } from "../../src/grants/grant-port";
import { memoryGrants } from "./memory-grants";

const HEX = "0123456789abcdef".repeat(4);
const random43 = () => base64url.encode(crypto.getRandomValues(new Uint8Array(32)));

describe("grant ids, codes and jtis", () => {
  it("round-trips a Durable Object id through its 43-character form", () => {
    const id = grantIdFromObjectId(HEX);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(objectIdOfGrantId(id)).toBe(HEX);
    expect(() => grantIdFromObjectId("zz")).toThrow();
  });

  it("refuses non-canonical, short, long and non-base64url ids before any lookup", () => {
    const id = grantIdFromObjectId(HEX);
    // The last character carries 2 unused bits: another spelling of the same bytes is not an id.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(id.at(-1) as string);
    const sibling = id.slice(0, -1) + alphabet[last ^ 1];
    expect(objectIdOfGrantId(sibling)).toBeUndefined();
    for (const bad of [
      "",
      id.slice(1),
      `${id}A`,
      `${id.slice(0, -1)}=`,
      `${id.slice(0, -1)}/`,
      "é".repeat(43),
    ]) {
      expect(objectIdOfGrantId(bad), bad).toBeUndefined();
    }
  });

  it("parses only codes of exactly `<id>.<secret>`", () => {
    const id = grantIdFromObjectId(HEX);
    const secret = random43();
    expect(parseCode(formatCode(id, secret))).toEqual({ grantId: id, secret });
    for (const bad of [
      `${id}.${secret}x`,
      `${id}-${secret}`,
      `${id}.${secret.slice(0, 42)}+`,
      "a".repeat(1_000_000),
      "",
      `${secret}.${id}.`,
    ]) {
      expect(parseCode(bad)).toBeUndefined();
    }
  });

  it("finds the grant in an access token's jti, and none in a jti without one", () => {
    const id = grantIdFromObjectId(HEX);
    expect(grantIdOfJti(grantAccessTokenJti(id, "r4nd"))).toBe(id);
    for (const jti of [
      "AT.r4nd",
      `ID.${id}.r4nd`,
      `AT.${id}`,
      `AT.${id}.a.b`,
      42,
      undefined,
      `AT.${"a".repeat(300)}`,
    ]) {
      expect(grantIdOfJti(jti)).toBeUndefined();
    }
  });
});

const request: AuthorizedRequest = {
  serverId: "default",
  clientId: "0oaweb",
  redirectUri: "https://app.example/cb",
  codeChallenge: undefined,
  nonce: undefined,
  scopes: ["openid"],
  userId: "00u1",
  authTime: 1,
  amr: ["pwd"],
  sessionId: undefined,
  decision: { policyId: "p", ruleId: "r", accessTokenLifetimeSeconds: 3600 },
};
const presented = {
  serverId: "default",
  clientId: "0oaweb",
  redirectUri: "https://app.example/cb",
  codeVerifier: undefined,
};
const T = 1_800_000_000_000;

describe("redemption rules", () => {
  it("redeems once; a replay revokes the grant; expiry at 300 s", async () => {
    const grants = memoryGrants();
    const code = await grants.issueCode(request, T);
    const first = await grants.redeemCode(code, presented, T + 1000);
    expect(first).toMatchObject({ ok: true, request });
    const grantId = code.slice(0, 43);
    expect(await grants.isActive(grantId, T + 2000)).toBe(true);
    expect(await grants.redeemCode(code, presented, T + 3000)).toEqual({ ok: false, reason: "invalid" });
    expect(await grants.isActive(grantId, T + 4000)).toBe(false);

    const late = await grants.issueCode(request, T);
    expect(await grants.redeemCode(late, presented, T + 300_000)).toEqual({ ok: false, reason: "invalid" });
  });

  it("a wrong secret for a real grant id neither redeems nor revokes", async () => {
    const grants = memoryGrants();
    const code = await grants.issueCode(request, T);
    const forged = `${code.slice(0, 43)}.${random43()}`;
    expect(await grants.redeemCode(forged, presented, T)).toEqual({ ok: false, reason: "invalid" });
    expect((await grants.redeemCode(code, presented, T)).ok).toBe(true);
    expect(await grants.redeemCode(forged, presented, T)).toEqual({ ok: false, reason: "invalid" });
    expect(await grants.isActive(code.slice(0, 43), T)).toBe(true);
  });

  it("refusals keep the code until the fifth", async () => {
    const grants = memoryGrants();
    const code = await grants.issueCode(request, T);
    const wrong = { ...presented, redirectUri: "https://app.example/other" };
    for (let i = 0; i < 4; i++) {
      expect(await grants.redeemCode(code, wrong, T)).toEqual({ ok: false, reason: "redirect_uri_mismatch" });
    }
    expect((await grants.redeemCode(code, presented, T)).ok).toBe(true);
    const other = await grants.issueCode(request, T);
    for (let i = 0; i < 5; i++) await grants.redeemCode(other, wrong, T);
    expect(await grants.redeemCode(other, presented, T)).toEqual({ ok: false, reason: "invalid" });
  });
});
