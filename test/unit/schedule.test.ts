import { describe, expect, it } from "vitest";
import {
  activeKey,
  keyStatus,
  metadataCacheControl,
  nextKey,
  plan,
  type RotationSchedule,
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
const T = 1_800_000_000;

let sequence = 0;
const key = (kid: string, activatesAt: number | null, revokedAt: number | null = null): ScheduledKey => ({
  kid,
  createdAt: T,
  activatesAt,
  sequence: ++sequence,
  revokedAt,
});

/** Applies a plan's actions the way the vault does, naming generated keys g1, g2, … */
function apply(keys: ScheduledKey[], schedule: RotationSchedule, now: number): ScheduledKey[] {
  let out = [...keys];
  let n = 0;
  for (let pass = 0; pass < 8; pass++) {
    const { actions } = plan(out, schedule, now);
    if (actions.length === 0) return out;
    for (const a of actions) {
      if (a.kind === "generate") out.push({ ...key(`g${++n}@${now}`, a.activatesAt), createdAt: now });
      if (a.kind === "reschedule")
        out = out.map((k) => (k.kid === a.kid ? { ...k, activatesAt: a.activatesAt } : k));
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
    // the next thing due: the first key leaves a retention after the NEXT key takes over
    expect(plan(keys, AUTO, T)).toEqual({ actions: [], nextAlarmAt: T + 90 * DAY + DAY });
    expect(plan(keys, { ...AUTO, retentionSeconds: 100 * DAY }, T).nextAlarmAt).toBe(T + 135 * DAY);
  });

  it("generates the following NEXT key exactly a lead before its rotation, dated one period on", () => {
    const keys = [key("k1", T), key("k2", T + 90 * DAY)];
    const genAt = T + 90 * DAY + 45 * DAY;
    const keep = { ...AUTO, retentionSeconds: 100 * DAY };
    expect(plan(keys, keep, genAt - 1).actions).toEqual([]);
    expect(plan(keys, keep, genAt - 1).nextAlarmAt).toBe(genAt);
    expect(plan(keys, keep, genAt).actions).toEqual([{ kind: "generate", activatesAt: T + 180 * DAY }]);
  });

  it("catches up after a missed alarm without dating a key sooner than a lead ahead", () => {
    const keys = [key("k1", T)];
    const late = T + 89 * DAY; // the alarm at T+45d never ran
    expect(plan(keys, AUTO, late).actions).toEqual([{ kind: "generate", activatesAt: late + 45 * DAY }]);
  });

  it("is idempotent: planning again after applying does nothing", () => {
    const now = T + 135 * DAY;
    const keys = apply([key("k1", T), key("k2", T + 90 * DAY)], AUTO, now);
    expect(plan(keys, AUTO, now).actions).toEqual([]);
  });

  it("removes a superseded key once its retention has passed, and schedules that removal", () => {
    const keys = [key("k1", T), key("k2", T + 10)];
    expect(plan(keys, { ...AUTO, retentionSeconds: 100 }, T + 109).actions).toEqual([]);
    expect(plan(keys, { ...AUTO, retentionSeconds: 100 }, T + 110).actions).toContainEqual({
      kind: "remove",
      kid: "k1",
    });
    expect(plan(keys, { ...AUTO, retentionSeconds: 100 }, T + 20).nextAlarmAt).toBe(T + 110);
  });

  it("dates an undated NEXT key when a server switches from MANUAL to AUTO", () => {
    const keys = [key("k1", T), key("k2", null)];
    expect(plan(keys, AUTO, T + 5).actions).toEqual([
      { kind: "reschedule", kid: "k2", activatesAt: T + 90 * DAY },
    ]);
  });

  it("lets the published NEXT key take over at once when the ACTIVE one is revoked", () => {
    const keys = [key("k1", T, T + 5), key("k2", T + 90 * DAY)];
    expect(plan(keys, AUTO, T + 5).actions).toEqual([{ kind: "reschedule", kid: "k2", activatesAt: T + 5 }]);
  });

  it("generates a signing key and a NEXT key when every key is revoked", () => {
    const keys = apply([key("k1", T, T + 5)], AUTO, T + 5);
    expect(statuses(keys, T + 5)).toEqual({
      k1: "REVOKED",
      "g1@1800000005": "ACTIVE",
      "g2@1800000005": "NEXT",
    });
  });

  it("walks a year of alarms: one key signs at every instant, always published a lead before", () => {
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
      for (let t = now; t < (alarm ?? now); t += 7) expect(activeKey(keys, t)).toBeDefined();
      now = alarm ?? now;
      keys = apply(keys, small, now);
      for (const k of keys) if (!firstPublished.has(k.kid)) firstPublished.set(k.kid, now);
    }
    for (const k of keys) {
      if (k.activatesAt !== null && firstPublished.get(k.kid) !== T) {
        expect(k.activatesAt - (firstPublished.get(k.kid) ?? 0)).toBeGreaterThanOrEqual(small.leadSeconds);
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

  it("undates a dated NEXT key when a server switches from AUTO to MANUAL", () => {
    expect(plan([key("k1", T), key("k2", T + 90 * DAY)], MANUAL, T).actions).toEqual([
      { kind: "reschedule", kid: "k2", activatesAt: null },
    ]);
  });
});

describe("rotationTimes", () => {
  it("reports lastRotated and nextRotation for AUTO", () => {
    expect(rotationTimes([key("k1", T), key("k2", T + 90 * DAY)], AUTO, T + 1)).toEqual({
      lastRotated: T,
      nextRotation: T + 90 * DAY,
    });
  });

  it("has no nextRotation for MANUAL", () => {
    expect(rotationTimes([key("k1", T), key("k2", null)], MANUAL, T + 1).nextRotation).toBeNull();
  });
});

describe("JWKS cache lifetime", () => {
  const policy = {
    maxAgeCapSeconds: 900,
    staleWhileRevalidateCapSeconds: 300,
    staleIfErrorSeconds: 86400,
    propagationSeconds: 5,
  };

  it("uses the caps when the schedule is far off", () => {
    expect(metadataCacheControl([key("k1", T), key("k2", T + 90 * DAY)], AUTO, T, policy)).toBe(
      "public, max-age=900, stale-while-revalidate=300, stale-if-error=86400",
    );
  });

  it("never outlives the moment an unpublished key could sign, minus propagation", () => {
    const fast: RotationSchedule = {
      mode: "AUTO",
      periodSeconds: 60,
      leadSeconds: 30,
      retentionSeconds: 100,
    };
    const keys = [key("k1", T), key("k2", T + 60)];
    // the key after k2 is generated at T+90 and signs at T+120
    expect(unpublishedKeyCanSignAt(keys, fast, T)).toBe(T + 120);
    // before that key exists, the budget runs to its activation
    expect(metadataCacheControl(keys, fast, T + 80, policy)).toBe(
      "public, max-age=35, stale-while-revalidate=0, stale-if-error=86400",
    );
    expect(metadataCacheControl(keys, fast, T + 89, { ...policy, propagationSeconds: 31 })).toBe(
      "public, max-age=0, stale-while-revalidate=0, stale-if-error=86400",
    );
    // once it is published, the budget runs to the rotation after it
    const published = [...keys, key("k3", T + 120)];
    expect(metadataCacheControl(published, fast, T + 95, policy)).toBe(
      "public, max-age=80, stale-while-revalidate=0, stale-if-error=86400",
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
      "public, max-age=900, stale-while-revalidate=290, stale-if-error=86400",
    );
  });

  it("uses the caps for MANUAL, where only an admin can make a new key sign", () => {
    expect(unpublishedKeyCanSignAt([key("k1", T), key("k2", null)], MANUAL, T)).toBeNull();
    expect(metadataCacheControl([key("k1", T), key("k2", null)], MANUAL, T, policy)).toBe(
      "public, max-age=900, stale-while-revalidate=300, stale-if-error=86400",
    );
  });
});
