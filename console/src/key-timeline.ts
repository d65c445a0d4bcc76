/**
 * The Keys tab's pure rules (test/unit/console-keys.test.ts runs them in Node): a server's keys as
 * a timeline — when each was generated, signs or began signing, stops signing and leaves the JWKS —
 * and what a rotation would do, in words. The dates come from the management API (`created`,
 * `activatesAt` on each key; README "Keys and rotation"); nothing here guesses the schedule.
 */

/** A key as `GET …/credentials/keys` lists it (the JWK members the console does not read are left out). */
export interface SigningKey {
  kid: string;
  alg: string;
  use?: string;
  kty?: string;
  status: "NEXT" | "ACTIVE" | "EXPIRED";
  created?: string;
  activatesAt?: string | null;
}

/**
 * How long a superseded key stays published after it stopped signing: Okta's longest access-token
 * lifetime (24 h) plus the longest a verifier may cache the JWKS (15 min max-age + 5 min
 * stale-while-revalidate): src/config/defaults.ts EXPIRED_KEY_RETENTION_SECONDS.
 */
export const EXPIRED_KEY_RETENTION_SECONDS = 1440 * 60 + 15 * 60 + 5 * 60;

/** The longest a verifier honouring Cache-Control keeps a JWKS response (README "Revocation bound"). */
export const REVOCATION_BOUND_MINUTES = 23;

export interface TimelineRow {
  key: SigningKey;
  /** When it signs (NEXT) or began signing; undefined when the API did not date it. */
  signsFrom: Date | undefined;
  /** When it stops signing: the activation of the key after it; undefined while nothing follows it. */
  signsUntil: Date | undefined;
  /** When an EXPIRED key leaves the JWKS (tokens it signed stop verifying). */
  leavesJwks: Date | undefined;
}

const ORDER: Record<SigningKey["status"], number> = { NEXT: 0, ACTIVE: 1, EXPIRED: 2 };

function dateOf(iso: string | null | undefined): Date | undefined {
  if (!iso) return undefined;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Newest first: NEXT keys (soonest last, so the list reads as a timeline from the future down),
 * the ACTIVE key, then EXPIRED keys, latest-superseded first. A key's signing ends when the first
 * key that activates after it begins.
 */
export function keyTimeline(keys: readonly SigningKey[]): TimelineRow[] {
  const starts = keys.map((k) => dateOf(k.activatesAt));
  const rows = keys.map((key, i): TimelineRow => {
    const from = starts[i];
    let until: Date | undefined;
    if (from) {
      for (const other of starts) {
        if (other && other > from && (!until || other < until)) until = other;
      }
    }
    const leavesJwks =
      key.status === "EXPIRED" && until
        ? new Date(until.getTime() + EXPIRED_KEY_RETENTION_SECONDS * 1000)
        : undefined;
    return { key, signsFrom: from, signsUntil: until, leavesJwks };
  });
  return rows.sort((a, b) => {
    const byStatus = ORDER[a.key.status] - ORDER[b.key.status];
    if (byStatus !== 0) return byStatus;
    return (
      (b.signsFrom?.getTime() ?? Number.POSITIVE_INFINITY) -
      (a.signsFrom?.getTime() ?? Number.POSITIVE_INFINITY)
    );
  });
}

/** A date as the console shows it: UTC to the minute, the same for every admin whatever their zone. */
export function formatInstant(date: Date | undefined): string {
  if (!date) return "—";
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * What a rotation did, from the keys before and after (`keyRotate` answers with the keys): the NEXT
 * key signs at once, or — when it was published too recently for every cached JWKS to hold it —
 * later, and stays NEXT until then (README "Keys and rotation").
 */
export type RotationOutcome =
  | { kind: "now"; kid: string }
  | { kind: "deferred"; kid: string; at: Date | undefined }
  | { kind: "unknown" };

export function rotationOutcome(
  before: readonly SigningKey[],
  after: readonly SigningKey[],
  now: Date,
): RotationOutcome {
  const wasActive = before.find((k) => k.status === "ACTIVE")?.kid;
  const active = after.find((k) => k.status === "ACTIVE");
  if (active && active.kid !== wasActive) return { kind: "now", kid: active.kid };
  // Still the same key signing: the one taking over is the NEXT key dated soonest after now.
  const pending = after
    .filter((k) => k.status === "NEXT")
    .map((k) => ({ kid: k.kid, at: dateOf(k.activatesAt) }))
    .sort(
      (a, b) => (a.at?.getTime() ?? Number.POSITIVE_INFINITY) - (b.at?.getTime() ?? Number.POSITIVE_INFINITY),
    );
  const first = pending[0];
  if (!first) return { kind: "unknown" };
  return { kind: "deferred", kid: first.kid, at: first.at && first.at > now ? first.at : undefined };
}

/** The status line after a rotation, in plain words. */
export function rotationMessage(outcome: RotationOutcome): string {
  switch (outcome.kind) {
    case "now":
      return `Keys rotated: ${outcome.kid} signs from now; the previous key is EXPIRED and still verifies its tokens.`;
    case "deferred":
      return `Rotation scheduled: ${outcome.kid} signs from ${formatInstant(outcome.at)}. It was published too recently for every cached key set to hold it, so the current key signs until then.`;
    case "unknown":
      return "Keys rotated.";
  }
}

/** A schedule's period in words: `90 days`, `1 day 6 hours`, `45 minutes` (accelerated schedules are short). */
export function formatPeriod(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return "—";
  const units: [number, string][] = [
    [86_400, "day"],
    [3600, "hour"],
    [60, "minute"],
    [1, "second"],
  ];
  const parts: string[] = [];
  let rest = Math.floor(seconds);
  for (const [size, name] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n} ${name}${n === 1 ? "" : "s"}`);
    if (parts.length === 2) break;
  }
  return parts.join(" ");
}
