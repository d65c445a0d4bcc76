/**
 * The signing-key rotation schedule, pure: key records, the schedule and the time in; statuses, due
 * work, the next alarm and cache lifetimes out. The key vault applies what this decides; edges and
 * verifiers rely on the same arithmetic, so every transition is a function of stored state and time
 * (an alarm that fires twice, late, or after a reset decides the same thing) (DESIGN §5).
 */

export type KeyStatus = "NEXT" | "ACTIVE" | "EXPIRED" | "REVOKED";

export interface RotationSchedule {
  mode: "AUTO" | "MANUAL";
  /** AUTO: how long each key signs. */
  periodSeconds: number;
  /** AUTO: the NEXT key is generated and published this long before it activates. */
  leadSeconds: number;
  /** How long a superseded key stays published: its last tokens must still verify. */
  retentionSeconds: number;
}

/** What decides which key signs: its activation, and its creation order to break a tie. */
export interface Activation {
  /** Epoch seconds from which the key signs; null for a MANUAL NEXT key that waits for keyRotate. */
  activatesAt: number | null;
  /**
   * Creation order. Two keys activated in the same second (keyRotate right after creation, or
   * twice in a second) are told apart by it: the later key signs.
   */
  sequence: number;
  revokedAt?: number | null;
}

export interface ScheduledKey extends Activation {
  kid: string;
  createdAt: number;
  revokedAt: number | null;
}

/** Work the vault must do now, in order. */
export type ScheduleAction =
  | { kind: "generate"; activatesAt: number | null }
  | { kind: "reschedule"; kid: string; activatesAt: number | null }
  | { kind: "remove"; kid: string };

export interface SchedulePlan {
  actions: ScheduleAction[];
  /** When the vault must look again (epoch seconds), or null when nothing is scheduled. */
  nextAlarmAt: number | null;
}

const live = (k: Activation) => k.revokedAt == null;

/** True when `a` took over from `b` (or would): later activation, or same second and created later. */
function activatedAfter(a: Activation, b: Activation): boolean {
  const at = a.activatesAt ?? Number.POSITIVE_INFINITY;
  const bt = b.activatesAt ?? Number.POSITIVE_INFINITY;
  return at > bt || (at === bt && a.sequence > b.sequence);
}

/**
 * The key that signs at `now`: the live key activated last, not after `now`. Edges and the vault
 * both decide with this, so every edge switches at the same second from the keyset it holds.
 */
export function activeKey<K extends Activation>(keys: readonly K[], now: number): K | undefined {
  let chosen: K | undefined;
  for (const k of keys) {
    if (!live(k) || k.activatesAt === null || k.activatesAt > now) continue;
    if (!chosen || activatedAfter(k, chosen)) chosen = k;
  }
  return chosen;
}

/** The key that will sign next: the live key due soonest, an undated (MANUAL) one last. */
export function nextKey<K extends ScheduledKey>(keys: readonly K[], now: number): K | undefined {
  const pending = keys.filter((k) => live(k) && (k.activatesAt === null || k.activatesAt > now));
  pending.sort((a, b) => (activatedAfter(a, b) ? 1 : -1));
  return pending[0];
}

/** When a key stopped signing: the activation of the first live key activated after it. */
export function supersededAt(key: ScheduledKey, keys: readonly ScheduledKey[], now: number): number | null {
  if (key.activatesAt === null) return null;
  let at: number | null = null;
  for (const k of keys) {
    if (!live(k) || k.activatesAt === null || k.activatesAt > now || !activatedAfter(k, key)) continue;
    if (at === null || k.activatesAt < at) at = k.activatesAt;
  }
  return at;
}

export function keyStatus(key: ScheduledKey, keys: readonly ScheduledKey[], now: number): KeyStatus {
  if (!live(key)) return "REVOKED";
  if (key.activatesAt === null || key.activatesAt > now) return "NEXT";
  return activeKey(keys, now)?.kid === key.kid ? "ACTIVE" : "EXPIRED";
}

/** Okta's `credentials.signing.lastRotated` / `nextRotation`, as epoch seconds. */
export function rotationTimes(
  keys: readonly ScheduledKey[],
  schedule: RotationSchedule,
  now: number,
): { lastRotated: number | null; nextRotation: number | null } {
  const active = activeKey(keys, now);
  const next = nextKey(keys, now);
  const lastRotated =
    active && supersededAt(active, keys, now) === null ? (active.activatesAt ?? null) : null;
  if (schedule.mode === "MANUAL") return { lastRotated, nextRotation: null };
  const nextRotation =
    next?.activatesAt ?? (active?.activatesAt != null ? active.activatesAt + schedule.periodSeconds : null);
  return { lastRotated, nextRotation };
}

/**
 * What is due at `now`. AUTO: a NEXT key exists from `leadSeconds` before each rotation, dated one
 * period after the key it replaces; a late alarm never dates a new key sooner than `leadSeconds`
 * ahead, so every key is published for at least the lead before it signs. MANUAL: an undated NEXT
 * key always waits for keyRotate. Both: superseded keys leave once their retention has passed.
 */
export function plan(keys: readonly ScheduledKey[], schedule: RotationSchedule, now: number): SchedulePlan {
  const actions: ScheduleAction[] = [];
  const alarms: number[] = [];
  const active = activeKey(keys, now);
  const next = nextKey(keys, now);

  if (!active) {
    // No key can sign (first start, or the signing key was revoked): a published NEXT key takes
    // over now; failing that, a new key signs now and a NEXT key is published beside it.
    if (next) actions.push({ kind: "reschedule", kid: next.kid, activatesAt: now });
    else {
      actions.push({ kind: "generate", activatesAt: now });
      actions.push({
        kind: "generate",
        activatesAt: schedule.mode === "AUTO" ? now + schedule.periodSeconds : null,
      });
    }
  } else if (schedule.mode === "MANUAL") {
    if (!next) actions.push({ kind: "generate", activatesAt: null });
    else if (next.activatesAt !== null)
      actions.push({ kind: "reschedule", kid: next.kid, activatesAt: null });
  } else {
    const due = (active.activatesAt ?? now) + schedule.periodSeconds;
    const dated = Math.max(due, now + schedule.leadSeconds);
    if (!next) {
      const generateAt = due - schedule.leadSeconds;
      if (now >= generateAt) actions.push({ kind: "generate", activatesAt: dated });
      else alarms.push(generateAt);
    } else if (next.activatesAt === null) {
      actions.push({ kind: "reschedule", kid: next.kid, activatesAt: dated });
    } else {
      // Once NEXT activates, the following key is due a lead before the rotation after it.
      alarms.push(
        Math.max(next.activatesAt, next.activatesAt + schedule.periodSeconds - schedule.leadSeconds),
      );
    }
  }

  for (const key of keys) {
    if (!live(key)) continue;
    const superseded = supersededAt(key, keys, now);
    if (superseded !== null) {
      const removeAt = superseded + schedule.retentionSeconds;
      if (now >= removeAt) actions.push({ kind: "remove", kid: key.kid });
      else alarms.push(removeAt);
    } else if (key === active && next?.activatesAt != null) {
      alarms.push(next.activatesAt + schedule.retentionSeconds);
    }
  }
  return { actions, nextAlarmAt: alarms.length > 0 ? Math.min(...alarms) : null };
}

/**
 * The earliest instant a key that is not yet published could sign under the schedule, or null when
 * only an admin action (keyRotate, revoke) could make one sign.
 */
export function unpublishedKeyCanSignAt(
  keys: readonly ScheduledKey[],
  schedule: RotationSchedule,
  now: number,
): number | null {
  if (schedule.mode === "MANUAL") return null;
  const active = activeKey(keys, now);
  if (!active || active.activatesAt === null) return now;
  const next = nextKey(keys, now);
  // With a dated NEXT published, the first unpublished key is the one after it.
  if (next?.activatesAt != null) return next.activatesAt + schedule.periodSeconds;
  return Math.max(active.activatesAt + schedule.periodSeconds, now + schedule.leadSeconds);
}

export interface CachePolicy {
  /** Upper bound on max-age whatever the schedule says. */
  maxAgeCapSeconds: number;
  staleWhileRevalidateCapSeconds: number;
  staleIfErrorSeconds: number;
  /** How long a newly published keyset can take to reach every edge. */
  propagationSeconds: number;
}

/**
 * `Cache-Control` for the JWKS and discovery: a verifier that holds the response for max-age plus
 * stale-while-revalidate must still hold every key that can sign before it looks again. The content
 * can lag the vault by the propagation bound, so that comes off the budget too.
 */
export function metadataCacheControl(
  keys: readonly ScheduledKey[],
  schedule: RotationSchedule,
  now: number,
  policy: CachePolicy,
): string {
  const signsAt = unpublishedKeyCanSignAt(keys, schedule, now);
  const budget =
    signsAt === null
      ? policy.maxAgeCapSeconds + policy.staleWhileRevalidateCapSeconds
      : Math.max(0, signsAt - now - policy.propagationSeconds);
  const maxAge = Math.min(policy.maxAgeCapSeconds, budget);
  const swr = Math.min(policy.staleWhileRevalidateCapSeconds, budget - maxAge);
  return `public, max-age=${maxAge}, stale-while-revalidate=${swr}, stale-if-error=${policy.staleIfErrorSeconds}`;
}
