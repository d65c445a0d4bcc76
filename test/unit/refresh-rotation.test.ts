/**
 * The refresh-token rules (src/grants/refresh-rotation.ts), pure, on a fixed clock: ROTATE and
 * STATIC, the leeway's edges (a replay strictly inside answers with the same sealed successor, at
 * the edge it is reuse), reuse of any older generation revoking the grant, the idle window and the
 * absolute lifetime, narrowing, another client's token, and that an unknown secret changes nothing.
 */
import { describe, expect, it } from "vitest";
import { GRANT_INDEX_IDLE_SLACK_MS, REDEEMED_GRANT_RETENTION_SECONDS } from "../../src/config/defaults";
import type { GrantState } from "../../src/grants/code-redemption";
import type { AuthorizedRequest } from "../../src/grants/grant-port";
import {
  bornFamily,
  type FamilySettings,
  familyEnd,
  indexedIdleEnd,
  indexTouchDue,
  type RefreshFamily,
  type RefreshPresentation,
  refreshStep,
} from "../../src/grants/refresh-rotation";
import { openSuccessor, sealSuccessor } from "../../src/grants/successor-seal";
import { memoryGrants } from "./memory-grants";

const T0 = Date.UTC(2026, 0, 1);
const RETENTION = REDEEMED_GRANT_RETENTION_SECONDS * 1000;
const MIN = 60_000;

const request: AuthorizedRequest = {
  serverId: "as",
  clientId: "app",
  redirectUri: "https://app.example/cb",
  codeChallenge: undefined,
  nonce: undefined,
  scopes: ["openid", "offline_access", "read", "write"],
  userId: "00u1",
  authTime: T0 / 1000,
  amr: ["pwd"],
  sessionId: undefined,
  decision: { policyId: "p", ruleId: "r", accessTokenLifetimeSeconds: 3600 },
};

function settings(overrides: Partial<FamilySettings> = {}): FamilySettings {
  return {
    rotation: "ROTATE",
    leewaySeconds: 30,
    lifetimeMinutes: 0,
    windowMinutes: 60,
    scopes: ["openid", "offline_access", "read", "write"],
    ...overrides,
  };
}

interface World {
  state: GrantState;
  family: RefreshFamily;
  retired: Set<string>;
}

function world(overrides: Partial<FamilySettings> = {}): World {
  const family = bornFamily("h0", settings(overrides), T0);
  return {
    state: {
      request,
      codeHash: "",
      codeExpiresAt: T0,
      refusals: 0,
      status: "ACTIVE",
      expiresAt: familyEnd(family) + RETENTION,
    },
    family,
    retired: new Set(),
  };
}

let candidates = 0;
/** Presents `hash` at `at`; applies the step's next state to `w` as the object would. */
function present(w: World, hash: string, at: number, extra: Partial<RefreshPresentation> = {}) {
  candidates += 1;
  const step = refreshStep(
    w.state,
    w.family,
    {
      hash,
      retired: w.retired.has(hash),
      serverId: "as",
      clientId: "app",
      scopes: undefined,
      candidate: { hash: `c${candidates}`, sealedSuccessor: `sealed-c${candidates}` },
      ...extra,
    },
    at,
    RETENTION,
  );
  if (step.next) {
    w.state = step.next.state;
    w.family = step.next.family;
    if (step.next.retire) w.retired.add(step.next.retire);
  }
  return { ...step, candidate: `c${candidates}` };
}

describe("refresh rotation: ROTATE", () => {
  it("rotates: the candidate becomes current, the presented one previous with its sealed successor", () => {
    const w = world();
    const r = present(w, "h0", T0 + MIN);
    expect(r.outcome).toEqual({ ok: true, token: "candidate", scopes: settings().scopes });
    expect(w.family.currentHash).toBe(r.candidate);
    expect(w.family.previous).toEqual({
      hash: "h0",
      rotatedAt: T0 + MIN,
      sealedSuccessor: `sealed-${r.candidate}`,
    });
    expect(w.family.lastUsedAt).toBe(T0 + MIN);
  });

  it("a replay strictly within the leeway answers with the same successor and rotates nothing", () => {
    const w = world();
    const first = present(w, "h0", T0);
    const replay = present(w, "h0", T0 + 29_999);
    expect(replay.outcome).toEqual({
      ok: true,
      token: { sealed: `sealed-${first.candidate}` },
      scopes: settings().scopes,
    });
    expect(w.family.currentHash).toBe(first.candidate);
    expect(w.state.status).toBe("ACTIVE");
  });

  it("a replay at the leeway's end is reuse: the grant is revoked, the successor with it", () => {
    const w = world();
    const first = present(w, "h0", T0);
    expect(present(w, "h0", T0 + 30_000).outcome).toEqual({ ok: false, reason: "reuse" });
    expect(w.state.status).toBe("REVOKED");
    expect(present(w, first.candidate, T0 + 30_001).outcome).toEqual({ ok: false, reason: "invalid" });
  });

  it("leeway 0: any replay is reuse", () => {
    const w = world({ leewaySeconds: 0 });
    present(w, "h0", T0);
    expect(present(w, "h0", T0).outcome).toEqual({ ok: false, reason: "reuse" });
  });

  it("a generation older than the previous one is reuse even within the leeway", () => {
    const w = world();
    const first = present(w, "h0", T0);
    present(w, first.candidate, T0 + 1000);
    expect(w.retired.has("h0")).toBe(true);
    expect(present(w, "h0", T0 + 2000).outcome).toEqual({ ok: false, reason: "reuse" });
    expect(w.state.status).toBe("REVOKED");
  });

  it("an unknown secret (a stranger who has only the grant id) is invalid and changes nothing", () => {
    const w = world();
    const before = structuredClone(w);
    expect(present(w, "forged", T0).outcome).toEqual({ ok: false, reason: "invalid" });
    expect(w.state).toEqual(before.state);
    expect(w.family).toEqual(before.family);
  });

  it("another client's or another server's presentation is invalid and revokes nothing", () => {
    const w = world();
    expect(present(w, "h0", T0, { clientId: "thief" }).outcome).toEqual({ ok: false, reason: "invalid" });
    expect(present(w, "h0", T0, { serverId: "other" }).outcome).toEqual({ ok: false, reason: "invalid" });
    expect(w.state.status).toBe("ACTIVE");
    expect(w.family.currentHash).toBe("h0");
  });

  it("a revoked grant answers invalid, even to reuse", () => {
    const w = world();
    w.state = { ...w.state, status: "REVOKED" };
    expect(present(w, "h0", T0).outcome).toEqual({ ok: false, reason: "invalid" });
  });
});

describe("refresh rotation: STATIC", () => {
  it("keeps the token: the presented one answers, every time", () => {
    const w = world({ rotation: "STATIC" });
    for (const at of [T0, T0 + MIN, T0 + 2 * MIN]) {
      expect(present(w, "h0", at).outcome).toMatchObject({ ok: true, token: "presented" });
    }
    expect(w.family.currentHash).toBe("h0");
    expect(w.family.previous).toBeUndefined();
  });

  it("needs no successor (the object makes none for a STATIC family); a ROTATE family without one rotates nothing", () => {
    const fixed = world({ rotation: "STATIC" });
    expect(present(fixed, "h0", T0, { candidate: undefined }).outcome).toMatchObject({
      ok: true,
      token: "presented",
    });
    const rotating = world();
    expect(present(rotating, "h0", T0, { candidate: undefined }).outcome).toEqual({
      ok: false,
      reason: "invalid",
    });
    expect(rotating.family.currentHash).toBe("h0");
  });
});

describe("refresh lifetimes", () => {
  it("idle window: used before its end it slides; unused until its end the token is invalid", () => {
    const w = world({ windowMinutes: 10 });
    expect(present(w, "h0", T0 + 9 * MIN).outcome.ok).toBe(true);
    const current = w.family.currentHash;
    expect(present(w, current, T0 + 18 * MIN).outcome.ok).toBe(true);
    const next = w.family.currentHash;
    expect(present(w, next, T0 + 28 * MIN).outcome).toEqual({ ok: false, reason: "invalid" });
  });

  it("absolute lifetime: a rotated token inherits the family's end", () => {
    const w = world({ lifetimeMinutes: 30, windowMinutes: 20 });
    present(w, "h0", T0 + 15 * MIN);
    const successor = w.family.currentHash;
    expect(familyEnd(w.family)).toBe(T0 + 30 * MIN);
    expect(present(w, successor, T0 + 30 * MIN).outcome).toEqual({ ok: false, reason: "invalid" });
    expect(present(w, successor, T0 + 30 * MIN - 1).outcome.ok).toBe(true);
  });

  it("the grant is kept until the family ends plus the longest access-token lifetime", () => {
    const w = world({ windowMinutes: 60 });
    present(w, "h0", T0 + 50 * MIN);
    expect(w.state.expiresAt).toBe(T0 + 110 * MIN + RETENTION);
  });
});

describe("refresh scopes", () => {
  it("may narrow; the family keeps what was granted", () => {
    const w = world();
    expect(present(w, "h0", T0, { scopes: ["read"] }).outcome).toMatchObject({ ok: true, scopes: ["read"] });
    expect(w.family.scopes).toEqual(settings().scopes);
  });

  it("may not widen, nor be empty: invalid_scope, and nothing rotates", () => {
    const w = world();
    expect(present(w, "h0", T0, { scopes: ["read", "admin"] }).outcome).toEqual({
      ok: false,
      reason: "invalid_scope",
    });
    expect(present(w, "h0", T0, { scopes: [] }).outcome).toEqual({ ok: false, reason: "invalid_scope" });
    expect(w.family.currentHash).toBe("h0");
  });
});

describe("the sealed successor", () => {
  it("opens with the rotated-out secret only", async () => {
    const sealed = await sealSuccessor("previous-secret", "successor-secret");
    expect(sealed).not.toContain("successor");
    expect(await openSuccessor("previous-secret", sealed)).toBe("successor-secret");
    expect(await openSuccessor("another-secret", sealed)).toBeUndefined();
    expect(await openSuccessor("previous-secret", "garbage")).toBeUndefined();
  });
});

describe("the in-memory grant port (the unit tier's stand-in for the object)", () => {
  it("opens a grant born ACTIVE, rotates, answers twenty concurrent refreshes with one successor, detects reuse", async () => {
    const port = memoryGrants();
    const { grantId, refreshToken } = await port.openRefresh(request, settings(), T0);
    expect(refreshToken.startsWith(`${grantId}.`)).toBe(true);
    const presented = { serverId: "as", clientId: "app", scopes: undefined };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => port.refresh(refreshToken, presented, T0 + 1)),
    );
    const successors = new Set(results.map((r) => (r.ok ? r.refreshToken : r.reason)));
    expect(successors.size).toBe(1);
    const [successor] = [...successors] as [string];
    expect(successor).not.toBe(refreshToken);
    expect((await port.introspectRefresh(successor, T0 + 2))?.grantId).toBe(grantId);
    expect(await port.introspectRefresh(refreshToken, T0 + 2)).toBeUndefined();
    expect(await port.refresh(refreshToken, presented, T0 + 30_001)).toMatchObject({
      ok: false,
      reason: "reuse",
    });
    expect(await port.isActive(grantId, T0 + 30_002)).toBe(false);
    expect((await port.describe(grantId, T0))?.status).toBe("REVOKED");
  });

  it("revokes one access token by jti, and a whole grant by any token of its family, for its own client only", async () => {
    const port = memoryGrants();
    const { grantId, refreshToken } = await port.openRefresh(request, settings(), T0);
    await port.revokeAccessToken(grantId, "AT.x", T0 + MIN, T0);
    expect(await port.isActive(grantId, T0, "AT.x")).toBe(false);
    expect(await port.isActive(grantId, T0, "AT.y")).toBe(true);
    expect(await port.revokeRefresh(refreshToken, { serverId: "as", clientId: "thief" }, T0)).toBeUndefined();
    expect(await port.isActive(grantId, T0)).toBe(true);
    // The grant's own client, at another server: a token is good only where it was issued.
    expect(
      await port.revokeRefresh(refreshToken, { serverId: "other", clientId: "app" }, T0),
    ).toBeUndefined();
    expect(await port.isActive(grantId, T0)).toBe(true);
    expect(await port.revokeRefresh(refreshToken, { serverId: "as", clientId: "app" }, T0)).toBe(grantId);
    expect(await port.isActive(grantId, T0)).toBe(false);
  });
});

describe("the grant index's idle end (indexedIdleEnd, indexTouchDue)", () => {
  const HOUR = 60 * MIN;
  it("is written ahead by the slack: an hour, at most half the window, never past the absolute end", () => {
    expect(GRANT_INDEX_IDLE_SLACK_MS).toBe(HOUR);
    expect(indexedIdleEnd(T0, 7 * 24 * HOUR, undefined)).toBe(T0 + 7 * 24 * HOUR + HOUR);
    expect(indexedIdleEnd(T0, 10 * MIN, undefined)).toBe(T0 + 15 * MIN);
    expect(indexedIdleEnd(T0, 7 * 24 * HOUR, T0 + 2 * HOUR)).toBe(T0 + 2 * HOUR);
  });

  it("a use is reported only once it outruns what the index holds; an unknown index is always due", () => {
    const family = bornFamily("h", settings({ windowMinutes: 7 * 24 * 60, lifetimeMinutes: 0 }), T0);
    const indexed = indexedIdleEnd(T0, family.windowMs, family.expiresAt);
    // Every few minutes for an hour: the index already covers each new end.
    for (let t = T0; t <= T0 + HOUR; t += 5 * MIN) {
      expect(indexTouchDue({ ...family, lastUsedAt: t }, indexed), `${(t - T0) / MIN} min`).toBeUndefined();
    }
    const later = { ...family, lastUsedAt: T0 + HOUR + 1 };
    expect(indexTouchDue(later, indexed)).toBe(T0 + HOUR + 1 + family.windowMs + HOUR);
    expect(indexTouchDue(family, undefined)).toBe(indexed);
    // Never earlier than the object's own end, whatever the use.
    for (const t of [T0, T0 + HOUR + 1, T0 + 5 * HOUR]) {
      const used = { ...family, lastUsedAt: t };
      const due = indexTouchDue(used, indexed) ?? indexed;
      expect(due).toBeGreaterThanOrEqual(familyEnd(used));
    }
  });

  it("a family at its absolute end needs no touch", () => {
    const family = bornFamily("h", settings({ windowMinutes: 60, lifetimeMinutes: 90 }), T0);
    const indexed = indexedIdleEnd(T0, family.windowMs, family.expiresAt);
    expect(indexed).toBe(T0 + 90 * MIN);
    expect(indexTouchDue({ ...family, lastUsedAt: T0 + 80 * MIN }, indexed)).toBeUndefined();
  });
});
