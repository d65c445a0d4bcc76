import { describe, expect, it } from "vitest";
import {
  activeKey,
  type CachePolicy,
  cacheHorizon,
  firstPublication,
  keyStatus,
  metadataCacheControl,
  metadataLifetimes,
  nextKey,
  plan,
  type RotationSchedule,
  revocationBoundSeconds,
  rotationTarget,
  rotationTimes,
  type ScheduledKey,
  unpublishedKeyCanSignAt,
} from "../../src/keys/schedule";

const DAY = 86400;
const AUTO: RotationSchedule = {
  mode: "AUTO",
  periodSeconds: 90 * DAY,
  leadSeconds: 45 * DAY,
  retentionSeconds: DAY,
};
const MANUAL: RotationSchedule = { ...AUTO, mode: "MANUAL" };
/** Seconds instead of days, for cache budgets that the schedule, not the caps, decides. */
const FAST: RotationSchedule = { mode: "AUTO", periodSeconds: 60, leadSeconds: 30, retentionSeconds: 100 };
/** The deployed caps (max-age 900, stale-while-revalidate 300) and a given propagation bound. */
const cachePolicy = (propagationSeconds: number): CachePolicy => ({
  maxAgeCapSeconds: 900,
  staleWhileRevalidateCapSeconds: 300,
  staleIfErrorSeconds: 86400,
  propagationSeconds,
});
const T = 1_800_000_000;

let sequence = 0;
/** A published key (safeAt: it was safe to sign from the start) unless the test says otherwise. */
const key = (
  kid: string,
  activatesAt: number | null,
  revokedAt: number | null = null,
  extra: Partial<ScheduledKey> = {},
): ScheduledKey => ({
  kid,
  createdAt: T,
  activatesAt,
  sequence: ++sequence,
  revokedAt,
  safeAt: T - 100 * DAY,
  pinned: false,
  ...extra,
});

/**
 * Applies a plan's actions and publishes the way the vault does, naming generated keys g1, g2, …;
 * `horizon` is how long responses served before this publication live (default: nothing cached).
 */
function apply(keys: ScheduledKey[], schedule: RotationSchedule, now: number, horizon = now): ScheduledKey[] {
  let out = [...keys];
  let n = 0;
  for (let pass = 0; pass < 8; pass++) {
    const { actions } = plan(out, schedule, now);
    if (actions.length === 0) {
      const decided = new Map(firstPublication(out, horizon, now).map((d) => [d.kid, d]));
      return out.map((k) => {
        const d = decided.get(k.kid);
        return d ? { ...k, safeAt: d.safeAt, activatesAt: d.activatesAt } : k;
      });
    }
    for (const a of actions) {
      if (a.kind === "generate")
        out.push({
          ...key(`g${++n}@${now}`, a.activatesAt),
          createdAt: now,
          safeAt: a.urgent ? now : null,
        });
      if (a.kind === "reschedule")
        out = out.map((k) =>
          k.kid === a.kid
            ? {
                ...k,
                activatesAt: a.activatesAt,
                pinned: false,
                safeAt: a.urgent ? (k.safeAt ?? now) : k.safeAt,
              }
            : k,
        );
      if (a.kind === "remove") out = out.filter((k) => k.kid !== a.kid);
    }
  }
  throw new Error("plan did not settle");
}

const statuses = (keys: ScheduledKey[], now: number) =>
  Object.fromEntries(keys.map((k) => [k.kid, keyStatus(k, keys, now)]));

describe("key statuses by time", () => {
  const keys = [
    key("old", T - 90 * DAY),
    key("cur", T),
    key("nxt", T + 90 * DAY),
    key("rev", T - DAY, T - 1),
  ];

  it("names exactly one ACTIVE key, the NEXT, the EXPIRED and the REVOKED", () => {
    expect(statuses(keys, T + 1)).toEqual({ old: "EXPIRED", cur: "ACTIVE", nxt: "NEXT", rev: "REVOKED" });
  });

  it("switches ACTIVE to the NEXT key exactly at its activation second", () => {
    expect(statuses(keys, T + 90 * DAY - 1)).toMatchObject({ cur: "ACTIVE", nxt: "NEXT" });
    expect(statuses(keys, T + 90 * DAY)).toMatchObject({ cur: "EXPIRED", nxt: "ACTIVE" });
  });

  it("never lets a revoked key sign, even when it is the latest activated", () => {
    const k = [key("a", T - 10), key("b", T - 5, T - 1)];
    expect(activeKey(k, T)?.kid).toBe("a");
  });

  it("treats an undated key as NEXT forever and puts it after dated ones", () => {
    const k = [key("a", T), key("manual", null), key("dated", T + 10)];
    expect(keyStatus(k[1] as ScheduledKey, k, T + 1e9)).toBe("NEXT");
    expect(nextKey(k, T)?.kid).toBe("dated");
  });
});

describe("plan — AUTO", () => {
  it("creates an ACTIVE key now and a NEXT key one period later on first start", () => {
    const keys = apply([], AUTO, T);
    expect(keys.map((k) => k.activatesAt)).toEqual([T, T + 90 * DAY]);
    // the next thing due: the NEXT key takes over, and its successor must be generated then
    expect(plan(keys, AUTO, T)).toEqual({ actions: [], nextAlarmAt: T + 90 * DAY });
  });

  it("always keeps a NEXT key published: its successor is generated the instant it activates, dated a period on", () => {
    const keys = [key("k1", T), key("k2", T + 90 * DAY)];
    const keep = { ...AUTO, retentionSeconds: 100 * DAY };
    expect(plan(keys, keep, T + 90 * DAY - 1).actions).toEqual([]);
    expect(plan(keys, keep, T + 90 * DAY).actions).toEqual([
      { kind: "generate", activatesAt: T + 180 * DAY },
    ]);
    for (let t = T; t < T + 400 * DAY; t += DAY) {
      const now = t;
      const walked = apply(keys, keep, now);
      expect(walked.some((k) => keyStatus(k, walked, now) === "NEXT")).toBe(true);
    }
  });

  it("catches up after a missed alarm without dating a key sooner than a lead ahead", () => {
    // no NEXT key: the alarm due when k1 started signing ran late
    const keys = [key("k1", T)];
    expect(plan(keys, AUTO, T + 10 * DAY).actions).toEqual([{ kind: "generate", activatesAt: T + 90 * DAY }]);
    const late = T + 89 * DAY;
    expect(plan(keys, AUTO, late).actions).toEqual([{ kind: "generate", activatesAt: late + 45 * DAY }]);
  });

  it("is idempotent: planning again after applying does nothing", () => {
    const now = T + 135 * DAY;
    const keys = apply([key("k1", T), key("k2", T + 90 * DAY)], AUTO, now);
    expect(plan(keys, AUTO, now).actions).toEqual([]);
  });

  it("removes a superseded key once its retention has passed, and schedules that removal", () => {
    const keys = [key("k1", T), key("k2", T + 10), key("k3", T + 90 * DAY)];
    expect(plan(keys, { ...AUTO, retentionSeconds: 100 }, T + 109).actions).toEqual([]);
    expect(plan(keys, { ...AUTO, retentionSeconds: 100 }, T + 110).actions).toContainEqual({
      kind: "remove",
      kid: "k1",
    });
    expect(plan(keys, { ...AUTO, retentionSeconds: 100 }, T + 20).nextAlarmAt).toBe(T + 110);
  });

  it("dates an undated NEXT key when a server switches from MANUAL to AUTO, never before its safeAt", () => {
    expect(plan([key("k1", T), key("k2", null)], AUTO, T + 5).actions).toEqual([
      { kind: "reschedule", kid: "k2", activatesAt: T + 90 * DAY },
    ]);
    const fast: RotationSchedule = { ...AUTO, periodSeconds: 20, leadSeconds: 10 };
    const young = [key("k1", T), key("k2", null, null, { safeAt: T + 500 })];
    expect(plan(young, fast, T + 5).actions).toEqual([
      { kind: "reschedule", kid: "k2", activatesAt: T + 500 },
    ]);
  });

  it("lets the published NEXT key take over at once when the ACTIVE one is revoked", () => {
    const keys = [key("k1", T, T + 5), key("k2", T + 90 * DAY)];
    expect(plan(keys, AUTO, T + 5).actions).toEqual([
      { kind: "reschedule", kid: "k2", activatesAt: T + 5, urgent: true },
    ]);
  });

  it("generates a signing key and a NEXT key when every key is revoked", () => {
    const keys = apply([key("k1", T, T + 5)], AUTO, T + 5);
    expect(statuses(keys, T + 5)).toEqual({
      k1: "REVOKED",
      "g1@1800000005": "ACTIVE",
      "g2@1800000005": "NEXT",
    });
    // the key that must sign at once is not held; its successor is dated a period on
    expect(keys.find((k) => k.kid === "g1@1800000005")?.safeAt).toBe(T + 5);
    expect(keys.find((k) => k.kid === "g2@1800000005")?.activatesAt).toBe(T + 5 + 90 * DAY);
  });

  it("walks a year of alarms: one key signs at every instant, a NEXT key is always published, each a period before it signs", () => {
    const small: RotationSchedule = {
      mode: "AUTO",
      periodSeconds: 100,
      leadSeconds: 40,
      retentionSeconds: 30,
    };
    let keys = apply([], small, T);
    const firstPublished = new Map(keys.map((k) => [k.kid, T]));
    let now = T;
    for (let i = 0; i < 50; i++) {
      const alarm = plan(keys, small, now).nextAlarmAt;
      expect(alarm).not.toBeNull();
      for (let t = now; t < (alarm ?? now); t += 7) {
        expect(activeKey(keys, t)).toBeDefined();
        expect(nextKey(keys, t)).toBeDefined();
      }
      now = alarm ?? now;
      keys = apply(keys, small, now);
      for (const k of keys) if (!firstPublished.has(k.kid)) firstPublished.set(k.kid, now);
    }
    for (const k of keys) {
      if (k.activatesAt !== null && firstPublished.get(k.kid) !== T) {
        expect(k.activatesAt - (firstPublished.get(k.kid) ?? 0)).toBe(small.periodSeconds);
      }
    }
  });
});

describe("plan — MANUAL", () => {
  it("creates an ACTIVE key and an undated NEXT key, and schedules nothing", () => {
    const keys = apply([], MANUAL, T);
    expect(keys.map((k) => k.activatesAt)).toEqual([T, null]);
    expect(plan(keys, MANUAL, T + 1000 * DAY)).toEqual({ actions: [], nextAlarmAt: null });
  });

  it("undates a NEXT key AUTO dated when a server switches from AUTO to MANUAL", () => {
    expect(plan([key("k1", T), key("k2", T + 90 * DAY)], MANUAL, T).actions).toEqual([
      { kind: "reschedule", kid: "k2", activatesAt: null },
    ]);
  });

  it("keeps a keyRotate waiting for its safe instant, with an undated NEXT behind it", () => {
    const keys = [key("k1", T), key("k2", T + 300, null, { pinned: true })];
    expect(plan(keys, MANUAL, T + 1)).toEqual({
      actions: [{ kind: "generate", activatesAt: null }],
      nextAlarmAt: T + 300,
    });
    const settled = apply(keys, MANUAL, T + 1);
    expect(statuses(settled, T + 300)).toMatchObject({
      k1: "EXPIRED",
      k2: "ACTIVE",
      "g1@1800000001": "NEXT",
    });
    expect(rotationTimes(settled, MANUAL, T + 1).nextRotation).toBe(T + 300);
  });
});

describe("keyRotate and the cache horizon", () => {
  const policy = cachePolicy(180);

  it("promotes a NEXT key at once when it was published longer ago than any response lives", () => {
    const keys = [key("k1", T - 10 * DAY), key("k2", T + 80 * DAY)];
    expect(rotationTarget(keys, T)).toEqual({ kid: "k2", activatesAt: T });
  });

  it("promotes a young NEXT key (a second keyRotate, or one right after a rotation) only at its safeAt", () => {
    const keys = [key("k1", T - 10), key("k2", T + 90 * DAY, null, { safeAt: T + 1200 })];
    expect(rotationTarget(keys, T + 60)).toEqual({ kid: "k2", activatesAt: T + 1200 });
  });

  it("moves on to the key after one already waiting, in order, and to a new key when none can move", () => {
    const waiting = [
      key("k1", T - 10),
      key("k2", T + 600, null, { safeAt: T + 600, pinned: true }),
      key("k3", null, null, { safeAt: T + 400 }),
    ];
    // k3 may sign from T+400, but never before k2, which waits for T+600
    expect(rotationTarget(waiting, T + 1)).toEqual({ kid: "k3", activatesAt: T + 600 });
    const none = [key("k1", T - 10), key("k2", T + 600, null, { safeAt: T + 600, pinned: true })];
    expect(rotationTarget(none, T + 1)).toEqual({ kid: undefined, activatesAt: T + 600 });
  });

  it("holds a key at its first publication until every response served before has expired", () => {
    const horizon = cacheHorizon([key("k1", T), key("k2", T + 90 * DAY)], AUTO, T + 180, policy);
    expect(horizon).toBe(T + 180 + 900 + 300);
    const fresh = key("k3", T, null, { safeAt: null, pinned: true });
    expect(firstPublication([key("k1", T - DAY), fresh], horizon, T)).toEqual([
      { kid: "k3", safeAt: horizon, activatesAt: horizon },
    ]);
    // a NEXT dated beyond the horizon keeps its date; an undated one stays undated
    expect(
      firstPublication(
        [key("a", T + 90 * DAY, null, { safeAt: null }), key("b", null, null, { safeAt: null })],
        horizon,
        T,
      ),
    ).toEqual([
      { kid: "a", safeAt: horizon, activatesAt: T + 90 * DAY },
      { kid: "b", safeAt: horizon, activatesAt: null },
    ]);
  });

  it("a served response never outlives the horizon: lifetimes end no later whatever the serving time", () => {
    const keys = [key("k1", T), key("k2", T + 60)];
    const end = T + 40;
    const horizon = cacheHorizon(keys, FAST, end, cachePolicy(2));
    for (let s = T; s <= end; s++) {
      const l = metadataLifetimes(keys, FAST, s, cachePolicy(2));
      expect(s + l.maxAge + l.staleWhileRevalidate).toBeLessThanOrEqual(horizon);
    }
  });

  it("keeps stale-if-error within stale-while-revalidate's cap, so the revocation bound holds through outages", () => {
    expect(metadataLifetimes([key("k1", T), key("k2", null)], MANUAL, T, policy).staleIfError).toBe(300);
    expect(revocationBoundSeconds(policy)).toBe(180 + 900 + 300);
  });
});

describe("rotationTimes", () => {
  it("reports lastRotated and nextRotation for AUTO", () => {
    expect(rotationTimes([key("k1", T), key("k2", T + 90 * DAY)], AUTO, T + 1)).toEqual({
      lastRotated: T,
      nextRotation: T + 90 * DAY,
    });
  });

  it("has no nextRotation for MANUAL unless a keyRotate is waiting", () => {
    expect(rotationTimes([key("k1", T), key("k2", null)], MANUAL, T + 1).nextRotation).toBeNull();
  });
});

describe("JWKS cache lifetime", () => {
  const policy = cachePolicy(5);

  it("uses the caps when the schedule is far off", () => {
    expect(metadataCacheControl([key("k1", T), key("k2", T + 90 * DAY)], AUTO, T, policy)).toBe(
      "public, max-age=900, stale-while-revalidate=300, stale-if-error=300",
    );
  });

  it("never outlives the moment an unpublished key could sign, minus propagation", () => {
    const keys = [key("k1", T), key("k2", T + 60)];
    // the key after k2 is generated when k2 activates (T+60) and signs a period later
    expect(unpublishedKeyCanSignAt(keys, FAST, T)).toBe(T + 120);
    expect(metadataCacheControl(keys, FAST, T + 80 - 60, policy)).toBe(
      "public, max-age=95, stale-while-revalidate=0, stale-if-error=300",
    );
    expect(metadataCacheControl(keys, FAST, T + 59, cachePolicy(61))).toBe(
      "public, max-age=0, stale-while-revalidate=0, stale-if-error=300",
    );
    // once the following key is published, the budget runs to the rotation after it
    const published = [...keys, key("k3", T + 120)];
    expect(metadataCacheControl(published, FAST, T + 65, policy)).toBe(
      "public, max-age=110, stale-while-revalidate=0, stale-if-error=300",
    );
  });

  it("splits the budget between max-age and stale-while-revalidate", () => {
    const fast: RotationSchedule = {
      mode: "AUTO",
      periodSeconds: 1000,
      leadSeconds: 1000,
      retentionSeconds: 100,
    };
    expect(metadataCacheControl([key("k1", T), key("k2", T + 1000)], fast, T + 805, policy)).toBe(
      "public, max-age=900, stale-while-revalidate=290, stale-if-error=300",
    );
  });

  it("uses the caps for MANUAL, where only an admin can make a new key sign", () => {
    expect(unpublishedKeyCanSignAt([key("k1", T), key("k2", null)], MANUAL, T)).toBeNull();
    expect(metadataCacheControl([key("k1", T), key("k2", null)], MANUAL, T, policy)).toBe(
      "public, max-age=900, stale-while-revalidate=300, stale-if-error=300",
    );
  });
});
