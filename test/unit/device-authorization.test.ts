/**
 * Device authorization's pure rules (src/grants/device-authorization.ts), which the Grant Durable
 * Object runs: pending, slow_down and its growing interval, expiry, denial, exactly once; and user
 * codes (RFC 8628 §6.1 alphabet, display, case- and dash-insensitive entry). Through the in-memory
 * grant port where the port's behaviour is the point.
 */
import { describe, expect, it } from "vitest";
import {
  DEVICE_CODE_LIFETIME_SECONDS,
  DEVICE_CODE_POLL_INTERVAL_SECONDS,
  DEVICE_CODE_SLOW_DOWN_SECONDS,
} from "../../src/config/defaults";
import {
  decideDevice,
  displayUserCode,
  newUserCode,
  normalizeUserCode,
  openDeviceState,
  parseDeviceCode,
  pendingRequest,
  pollDevice,
  USER_CODE_ALPHABET,
} from "../../src/grants/device-authorization";
import type { AuthorizedRequest } from "../../src/grants/grant-port";
import { memoryGrants } from "./memory-grants";

const T0 = 1_700_000_000_000;
const REQUEST = { serverId: "aus1", clientId: "device-app", scopes: ["openid", "read"] };
const PRESENTED = { serverId: "aus1", clientId: "device-app" };
const INTERVAL_MS = DEVICE_CODE_POLL_INTERVAL_SECONDS * 1000;

const APPROVED: AuthorizedRequest = {
  serverId: "aus1",
  clientId: "device-app",
  redirectUri: "",
  codeChallenge: undefined,
  nonce: undefined,
  scopes: ["openid", "read"],
  userId: "00u1",
  authTime: T0 / 1000,
  amr: ["pwd"],
  sessionId: "102s",
  decision: { policyId: "p", ruleId: "r", accessTokenLifetimeSeconds: 3600 },
};

describe("device grant rules", () => {
  const hash = "A".repeat(43);
  const poll = (secretHash = hash, presented = PRESENTED) => ({ secretHash, ...presented });

  it("answers authorization_pending on schedule, slow_down faster, and grows the interval by 5 s each time", () => {
    let state = openDeviceState(REQUEST, hash, T0);
    let t = T0;
    const step = (at: number) => {
      t = at;
      const { outcome, next } = pollDevice(state, poll(), t);
      if (next && next !== "redeemed") state = next;
      return outcome;
    };
    expect(step(T0)).toEqual({ ok: false, reason: "authorization_pending" });
    expect(step(T0 + INTERVAL_MS)).toEqual({ ok: false, reason: "authorization_pending" });
    // 1 s later: too fast, and every later poll must wait 5 s more (RFC 8628 §3.5).
    expect(step(t + 1000)).toEqual({ ok: false, reason: "slow_down" });
    expect(state.intervalSeconds).toBe(DEVICE_CODE_POLL_INTERVAL_SECONDS + DEVICE_CODE_SLOW_DOWN_SECONDS);
    // The old interval is no longer enough.
    expect(step(t + INTERVAL_MS)).toEqual({ ok: false, reason: "slow_down" });
    expect(state.intervalSeconds).toBe(DEVICE_CODE_POLL_INTERVAL_SECONDS + 2 * DEVICE_CODE_SLOW_DOWN_SECONDS);
    expect(step(t + state.intervalSeconds * 1000)).toEqual({ ok: false, reason: "authorization_pending" });
  });

  it("expires after 600 s, whatever the state", () => {
    const pending = openDeviceState(REQUEST, hash, T0);
    const end = T0 + DEVICE_CODE_LIFETIME_SECONDS * 1000;
    expect(pollDevice(pending, poll(), end - 1).outcome).toEqual({
      ok: false,
      reason: "authorization_pending",
    });
    expect(pollDevice(pending, poll(), end).outcome).toEqual({ ok: false, reason: "expired_token" });
    const approved = decideDevice(pending, { approve: APPROVED }, T0 + 1000);
    expect(pollDevice(approved, poll(), end).outcome).toEqual({ ok: false, reason: "expired_token" });
    // Too late to decide, and nothing to show.
    expect(decideDevice(pending, { deny: true }, end)).toBeUndefined();
    expect(pendingRequest(pending, end)).toBeUndefined();
    expect(pendingRequest(pending, end - 1)).toEqual(REQUEST);
  });

  it("answers access_denied after a denial, until expiry", () => {
    const denied = decideDevice(openDeviceState(REQUEST, hash, T0), { deny: true }, T0 + 1000);
    expect(denied?.status).toBe("DENIED");
    expect(pollDevice(denied, poll(), T0 + 2000).outcome).toEqual({ ok: false, reason: "access_denied" });
    expect(pollDevice(denied, poll(), T0 + 60_000).outcome).toEqual({ ok: false, reason: "access_denied" });
    // A decided grant is decided: a second answer (another tab) changes nothing.
    expect(decideDevice(denied, { approve: APPROVED }, T0 + 3000)).toBeUndefined();
  });

  it("gives the tokens to one poll after approval, even one that comes too fast", () => {
    let state = openDeviceState(REQUEST, hash, T0);
    const first = pollDevice(state, poll(), T0);
    if (first.next && first.next !== "redeemed") state = first.next;
    const approved = decideDevice(state, { approve: APPROVED }, T0 + 500);
    const won = pollDevice(approved, poll(), T0 + 1000);
    expect(won.outcome).toEqual({ ok: true, request: APPROVED });
    expect(won.next).toBe("redeemed");
  });

  it("tells nothing to a wrong secret, another client or another server", () => {
    const approved = decideDevice(openDeviceState(REQUEST, hash, T0), { approve: APPROVED }, T0);
    expect(pollDevice(approved, poll("B".repeat(43)), T0).outcome).toEqual({ ok: false, reason: "invalid" });
    expect(pollDevice(approved, poll("not base64url!"), T0).outcome).toEqual({
      ok: false,
      reason: "invalid",
    });
    expect(pollDevice(approved, poll(hash, { ...PRESENTED, clientId: "other" }), T0)).toEqual({
      outcome: { ok: false, reason: "invalid" },
    });
    expect(pollDevice(approved, poll(hash, { ...PRESENTED, serverId: "aus2" }), T0).outcome).toEqual({
      ok: false,
      reason: "invalid",
    });
    expect(pollDevice(undefined, poll(), T0).outcome).toEqual({ ok: false, reason: "invalid" });
  });
});

describe("the device grant through the port", () => {
  it("redeems exactly once, then the grant stands like a redeemed code's", async () => {
    const grants = memoryGrants();
    const { grantId, deviceCode } = await grants.openDevice(REQUEST, T0);
    expect(parseDeviceCode(deviceCode)?.grantId).toBe(grantId);
    expect(await grants.isActive(grantId, T0)).toBe(false);
    expect(await grants.decideDevice(grantId, { approve: APPROVED }, T0)).toBe(true);
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => grants.pollDevice(deviceCode, PRESENTED, T0 + 1000)),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok).map((o) => !o.ok && o.reason)).toEqual(Array(19).fill("invalid"));
    expect(await grants.isActive(grantId, T0 + 2000)).toBe(true);
    // A device code is not an authorization code: presenting it as one redeems nothing, revokes nothing.
    const asCode = await grants.redeemCode(
      deviceCode,
      { ...PRESENTED, redirectUri: "", codeVerifier: undefined },
      T0 + 3000,
    );
    expect(asCode).toEqual({ ok: false, reason: "invalid" });
    expect(await grants.isActive(grantId, T0 + 3000)).toBe(true);
  });

  it("refuses malformed device codes before any lookup", async () => {
    const grants = memoryGrants();
    for (const bad of ["", "x", "a".repeat(87), `${"a".repeat(43)}.${"b".repeat(43)}x`, "💥".repeat(50)]) {
      expect(await grants.pollDevice(bad, PRESENTED, T0)).toEqual({ ok: false, reason: "invalid" });
    }
  });
});

describe("user codes", () => {
  it("draws 8 letters of RFC 8628 §6.1's consonant alphabet, evenly", () => {
    expect(USER_CODE_ALPHABET).toBe("BCDFGHJKLMNPQRSTVWXZ");
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const code = newUserCode();
      expect(code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
      for (const ch of code) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
    // 16,000 letters over 20: 800 each expected; a `% 20` bias on bytes would skew the first 16 by ~7 %.
    expect(counts.size).toBe(20);
    for (const n of counts.values()) expect(Math.abs(n - 800)).toBeLessThan(160);
  });

  it("skips bytes at or above 240 rather than wrapping them (no modulo bias)", () => {
    // 239 → 'Z' (239 % 20 = 19); 240..255 are dropped; then 0 → 'B'.
    const bytes = [240, 255, 239, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
    expect(newUserCode((n) => Uint8Array.from(bytes.slice(0, n)))).toBe("ZBCDFGHJ");
  });

  it("is shown as WDJB-MJHT and read back ignoring case, dashes and spaces", () => {
    expect(displayUserCode("WDJBMJHT")).toBe("WDJB-MJHT");
    for (const typed of [
      "WDJB-MJHT",
      "wdjb-mjht",
      "wdjbmjht",
      " WDJB MJHT ",
      "W-D-J-B-M-J-H-T",
      "wDjB\tmJhT",
    ]) {
      expect(normalizeUserCode(typed)).toBe("WDJBMJHT");
    }
  });

  it("refuses anything that cannot be a code: vowels, digits, wrong length, other scripts, huge input", () => {
    for (const typed of [
      undefined,
      "",
      "WDJB-MJH",
      "WDJB-MJHTX",
      "WDJA-MJHT",
      "WDJB-MJH1",
      "ＷDJB-MJHT",
      "ﬀDJB-MJHT",
      "WDJB_MJHT",
      "WDJB\nMJHT",
      `WDJB-MJHT${" ".repeat(100)}`,
    ]) {
      expect(normalizeUserCode(typed)).toBeUndefined();
    }
  });
});
