/**
 * The signing-key rotation schedule, pure: key records, the schedule and the time in; statuses, due
 * work, the next alarm and cache lifetimes out. The key vault applies what this decides; edges and
 * verifiers rely on the same arithmetic, so every transition is a function of stored state and time
 * (an alarm that fires twice, late, or after a reset decides the same thing) (DESIGN §5).
 *
 * The rule everything here serves: a key never signs before every JWKS response served without it has
 * expired, so a verifier that only honours `Cache-Control` always holds the key of any token it is
 * shown. Scheduled switches keep it by publishing each key long before it signs; admin actions keep
 * it through `safeAt` (see `firstPublication` and `rotationTarget`). The one exception is a server
 * left with no key that may sign (first start, or its signing key revoked): then a key signs at once.
 */

export type KeyStatus = "NEXT" | "ACTIVE" | "EXPIRED" | "REVOKED";

export interface RotationSchedule {
  mode: "AUTO" | "MANUAL";
  /** AUTO: how long each key signs. */
  periodSeconds: number;
  /**
   * AUTO: the least time a scheduled key is published before it activates. Normally a NEXT key is
   * published a whole period ahead (it is generated when its predecessor starts signing); the lead
   * bounds catch-up after a missed alarm and the dating of a key when a server switches to AUTO.
   */
  leadSeconds: number;
  /** How long a superseded key stays published: its last tokens must still verify. */
  retentionSeconds: number;
}

/** What decides which key signs: its activation, and its creation order to break a tie. */
export interface Activation {
  /** Epoch seconds from which the key signs; null for a NEXT key that waits for keyRotate (MANUAL). */
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
  /**
   * The earliest instant the key may start signing: when every JWKS response served before it was
   * published has expired (max-age + stale-while-revalidate, after propagation). Null until the key
   * is first published; `now` for a key that had to sign at once.
   */
  safeAt: number | null;
  /**
   * Its activation was set by an admin action (keyRotate, a change of algorithm), not by the
   * schedule: MANUAL mode leaves it dated, where it undates what AUTO dated.
   */
  pinned: boolean;
}

/** Work the vault must do now, in order. */
export type ScheduleAction =
  /** `urgent`: the server has no key that may sign, so this one signs at once (its safeAt is now). */
  | { kind: "generate"; activatesAt: number | null; urgent?: true }
  | { kind: "reschedule"; kid: string; activatesAt: number | null; urgent?: true }
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

/** Live keys that have not signed yet, in the order they will: dated ones by date, undated last. */
export function pendingKeys<K extends ScheduledKey>(keys: readonly K[], now: number): K[] {
  const pending = keys.filter((k) => live(k) && (k.activatesAt === null || k.activatesAt > now));
  return pending.sort((a, b) => (activatedAfter(a, b) ? 1 : -1));
}

/** The key that will sign next: the live key due soonest, an undated (MANUAL) one last. */
export function nextKey<K extends ScheduledKey>(keys: readonly K[], now: number): K | undefined {
  return pendingKeys(keys, now)[0];
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
  // MANUAL: only a keyRotate waiting for its safe instant is scheduled.
  if (schedule.mode === "MANUAL") return { lastRotated, nextRotation: next?.activatesAt ?? null };
  const nextRotation =
    next?.activatesAt ?? (active?.activatesAt != null ? active.activatesAt + schedule.periodSeconds : null);
  return { lastRotated, nextRotation };
}

/**
 * What is due at `now`.
 * - No key may sign (first start, or the signing key revoked): the published NEXT key signs now;
 *   failing that, a new key does. Both are urgent: nothing else could sign.
 * - AUTO: a NEXT key is always published. When the last pending key activates, its successor is
 *   generated, dated one period on (never sooner than a lead ahead, if the alarm ran late); an
 *   undated pending key (a switch from MANUAL) is dated one period after the key before it.
 * - MANUAL: an undated NEXT key always waits for keyRotate; a key AUTO dated is undated, one that
 *   keyRotate dated (pinned) keeps its date.
 * - Both: superseded keys leave once their retention has passed.
 * No key is ever dated before its `safeAt`.
 */
export function plan(keys: readonly ScheduledKey[], schedule: RotationSchedule, now: number): SchedulePlan {
  const actions: ScheduleAction[] = [];
  const alarms: number[] = [];
  const active = activeKey(keys, now);
  const pending = pendingKeys(keys, now);

  if (!active) {
    const next = pending[0];
    if (next) actions.push({ kind: "reschedule", kid: next.kid, activatesAt: now, urgent: true });
    else actions.push({ kind: "generate", activatesAt: now, urgent: true });
    // The following pass sees a signing key and completes the rest.
    return { actions, nextAlarmAt: null };
  }

  if (schedule.mode === "MANUAL") {
    let undated = false;
    for (const k of pending) {
      if (k.activatesAt === null) undated = true;
      else if (!k.pinned) {
        actions.push({ kind: "reschedule", kid: k.kid, activatesAt: null });
        undated = true;
      } else alarms.push(k.activatesAt);
    }
    if (!undated) actions.push({ kind: "generate", activatesAt: null });
  } else {
    let previous = active.activatesAt ?? now;
    for (const k of pending) {
      if (k.activatesAt === null) {
        const dated = Math.max(
          previous + schedule.periodSeconds,
          now + schedule.leadSeconds,
          k.safeAt ?? now,
        );
        actions.push({ kind: "reschedule", kid: k.kid, activatesAt: dated });
        previous = dated;
      } else previous = k.activatesAt;
      alarms.push(previous);
    }
    if (pending.length === 0) {
      const due = (active.activatesAt ?? now) + schedule.periodSeconds;
      actions.push({ kind: "generate", activatesAt: Math.max(due, now + schedule.leadSeconds) });
    }
  }

  for (const key of keys) {
    if (!live(key)) continue;
    const superseded = supersededAt(key, keys, now);
    if (superseded === null) continue;
    const removeAt = superseded + schedule.retentionSeconds;
    if (now >= removeAt) actions.push({ kind: "remove", kid: key.kid });
    else alarms.push(removeAt);
  }
  return { actions, nextAlarmAt: alarms.length > 0 ? Math.min(...alarms) : null };
}

/**
 * keyRotate (Okta: NEXT becomes ACTIVE now, a new NEXT is generated), kept from breaking caches: the
 * first pending key that could sign sooner than it is due is brought forward to the earliest instant
 * it may, `max(now, safeAt)`. For a NEXT key published longer than the cache horizon that is now, as
 * in Okta; right after a rotation or a key's creation it is a few minutes later, and the server's
 * `nextRotation` says when. Undefined when no pending key can move: the caller adds a new key, which
 * then signs once its first publication allows.
 */
export function rotationTarget(
  keys: readonly ScheduledKey[],
  now: number,
): { kid: string | undefined; activatesAt: number } {
  let previous = activeKey(keys, now)?.activatesAt ?? now;
  for (const k of pendingKeys(keys, now)) {
    // Never before a key due earlier: the order in which keys sign is the order they were meant to.
    const earliest = Math.max(now, k.safeAt ?? now, previous);
    if (k.activatesAt === null || k.activatesAt > earliest) return { kid: k.kid, activatesAt: earliest };
    previous = k.activatesAt;
  }
  return { kid: undefined, activatesAt: Math.max(now, previous) };
}

/**
 * Dates for the keys a publication at `now` makes public for the first time (those with no `safeAt`).
 * Each may sign from `max(now, horizon)`, where `horizon` is the latest instant a JWKS response
 * served before this publication can still be used; one dated sooner is held until then. Edges keep
 * signing with the key they hold meanwhile.
 */
export function firstPublication(
  keys: readonly ScheduledKey[],
  horizon: number,
  now: number,
): { kid: string; safeAt: number; activatesAt: number | null }[] {
  const safeAt = Math.max(now, horizon);
  return keys
    .filter((k) => live(k) && k.safeAt === null)
    .map((k) => ({
      kid: k.kid,
      safeAt,
      activatesAt: k.activatesAt === null ? null : Math.max(k.activatesAt, safeAt),
    }));
}

/**
 * The earliest instant a key that is not yet published could sign under the schedule, or null when
 * only an admin action could make one sign (and then only after every cache has expired, see
 * `firstPublication`). In AUTO the key after the last pending one is generated when that one
 * activates and dated a period later.
 */
export function unpublishedKeyCanSignAt(
  keys: readonly ScheduledKey[],
  schedule: RotationSchedule,
  now: number,
): number | null {
  if (schedule.mode === "MANUAL") return null;
  const active = activeKey(keys, now);
  if (!active || active.activatesAt === null) return now;
  const last = pendingKeys(keys, now).at(-1);
  if (!last) return Math.max(active.activatesAt + schedule.periodSeconds, now + schedule.leadSeconds);
  // An undated key is dated at once, at least a lead ahead; its successor comes later still.
  if (last.activatesAt === null) return now + schedule.leadSeconds;
  return last.activatesAt + schedule.periodSeconds;
}

export interface CachePolicy {
  /** Upper bound on max-age whatever the schedule says. */
  maxAgeCapSeconds: number;
  staleWhileRevalidateCapSeconds: number;
  staleIfErrorSeconds: number;
  /** How long a newly published keyset can take to reach every edge. */
  propagationSeconds: number;
}

export interface MetadataLifetimes {
  maxAge: number;
  staleWhileRevalidate: number;
  staleIfError: number;
}

/**
 * Lifetimes for the JWKS and discovery at `now`: a verifier that holds the response for max-age plus
 * stale-while-revalidate must still hold every key that can sign before it looks again. The content
 * can lag the vault by the propagation bound, so that comes off the budget too.
 *
 * stale-if-error (RFC 5861 §4) is kept within stale-while-revalidate's cap: through a JWKS outage a
 * verifier then trusts a revoked key no longer than it would while revalidating, so the documented
 * revocation bound (`revocationBoundSeconds`) holds whether or not the JWKS can be fetched.
 */
export function metadataLifetimes(
  keys: readonly ScheduledKey[],
  schedule: RotationSchedule,
  now: number,
  policy: CachePolicy,
): MetadataLifetimes {
  const signsAt = unpublishedKeyCanSignAt(keys, schedule, now);
  const budget =
    signsAt === null
      ? policy.maxAgeCapSeconds + policy.staleWhileRevalidateCapSeconds
      : Math.max(0, signsAt - now - policy.propagationSeconds);
  const maxAge = Math.min(policy.maxAgeCapSeconds, budget);
  return {
    maxAge,
    staleWhileRevalidate: Math.min(policy.staleWhileRevalidateCapSeconds, budget - maxAge),
    staleIfError: Math.min(policy.staleIfErrorSeconds, policy.staleWhileRevalidateCapSeconds),
  };
}

/** `Cache-Control` for the JWKS and discovery, from `metadataLifetimes`. */
export function metadataCacheControl(
  keys: readonly ScheduledKey[],
  schedule: RotationSchedule,
  now: number,
  policy: CachePolicy,
): string {
  const l = metadataLifetimes(keys, schedule, now, policy);
  return `public, max-age=${l.maxAge}, stale-while-revalidate=${l.staleWhileRevalidate}, stale-if-error=${l.staleIfError}`;
}

/**
 * The latest instant a JWKS response built from this keyset, served by edges until `servedUntil`,
 * can still be used without asking again (max-age + stale-while-revalidate). For a fixed keyset
 * `s + lifetime(s)` never decreases with `s` (the budget runs to a fixed or later instant, or is the
 * constant cap), so the last response served is the one kept longest.
 */
export function cacheHorizon(
  keys: readonly ScheduledKey[],
  schedule: RotationSchedule,
  servedUntil: number,
  policy: CachePolicy,
): number {
  const l = metadataLifetimes(keys, schedule, servedUntil, policy);
  return servedUntil + l.maxAge + l.staleWhileRevalidate;
}

/**
 * How long after an emergency revocation a verifier that honours `Cache-Control` may still accept
 * the revoked key: the keyset's propagation to every edge, then a response fetched just before it
 * arrived, fresh for max-age and then stale (while revalidating, or through an outage: stale-if-error
 * is kept within the same cap) — at most the caps.
 */
export function revocationBoundSeconds(policy: CachePolicy): number {
  return policy.propagationSeconds + policy.maxAgeCapSeconds + policy.staleWhileRevalidateCapSeconds;
}
