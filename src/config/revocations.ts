/**
 * The revocation pulse, pure: what the control plane hands the edges every few seconds, and how an
 * isolate looks an id up in it. A pulse is the whole recent state, never a delta: a monotonically
 * increasing version and, for a window at least as long as the KV bound (KV propagation + isolate
 * TTL + margin), the latest state change of each thing disabled or re-enabled in it, with the version
 * of that change. So a client deactivated and re-activated within the window reads as ACTIVE (its
 * newest change), and an id whose newest change is older than the window is not in the pulse at all:
 * by then every isolate reads its record from KV as it is (src/config/defaults.ts).
 *
 * The pulse only ever refuses. It never lets through what the KV record an isolate holds refuses: a
 * re-activation reaches an isolate with its record, within the KV bound, as every change but a
 * disable does.
 */
import { isRecord } from "../http/json-value";

/**
 * What the pulse can disable. `user`: for what outlives a sign-in (sessions, refresh tokens); the
 * password grant reads the user's status from D1 at every request and needs no pulse. `apiToken`: a
 * revoked managed API token, whose acceptance (and that of tokens minted from it) edges cache a while.
 */
export const REVOCABLE_KINDS = ["client", "secret", "server", "user", "apiToken"] as const;
export type RevocableKind = (typeof REVOCABLE_KINDS)[number];

/** One thing's newest state change within the window. */
export interface RevocationEntry {
  kind: RevocableKind;
  /** A client_id, a client secret's id (`ocs…`), an authorization server id, a user id. */
  id: string;
  /** true: disabled (deactivated or deleted); false: enabled again since. */
  revoked: boolean;
  /** The pulse version this change was recorded at. */
  version: number;
  /** How long before the pulse was read this change was recorded (ms, the control plane's clock). */
  ageMs: number;
}

/** What the control plane answers (`ControlPlane.revocationPulse`). */
export interface Pulse {
  /** Increases with every recorded change; an isolate never goes back to a lower one. */
  version: number;
  /** How long a change stays in the pulse (ms). */
  windowMs: number;
  /** Newest first. */
  entries: RevocationEntry[];
}

/** A pulse as an edge holds it: `fetchedAt` is when (edge clock, ms) its control-plane read began. */
export interface HeldPulse extends Pulse {
  fetchedAt: number;
}

/** A held pulse indexed for the token path: per kind, disabled id → until when (edge clock, ms). */
export interface PulseIndex {
  version: number;
  fetchedAt: number;
  revoked: Record<RevocableKind, Map<string, number>>;
  /** How many ids are disabled, all kinds together: 0 lets lookups return at once. */
  size: number;
}

export function indexPulse(held: HeldPulse): PulseIndex {
  const revoked = {
    client: new Map<string, number>(),
    secret: new Map<string, number>(),
    server: new Map<string, number>(),
    user: new Map<string, number>(),
    apiToken: new Map<string, number>(),
  } satisfies PulseIndex["revoked"];
  let size = 0;
  // Newest first: an id's first entry is its state; an older one for the same id says nothing more.
  const seen = new Set<string>();
  for (const entry of held.entries) {
    const key = `${entry.kind}\u0000${entry.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (!entry.revoked) continue;
    // A kind a newer deployment added (a rolling deploy): nothing here can act on it; the rest holds.
    if (!Object.hasOwn(revoked, entry.kind)) continue;
    const map = revoked[entry.kind];
    // Past the window the KV record says the same: an isolate cut off from the control plane stops
    // refusing by the pulse then, rather than keep refusing something enabled again meanwhile.
    map.set(entry.id, held.fetchedAt + held.windowMs - entry.ageMs);
    size += 1;
  }
  return { version: held.version, fetchedAt: held.fetchedAt, revoked, size };
}

/** Whether `id` was disabled within the window, as of the pulse held. A map lookup, no I/O. */
export function isRevokedIn(
  index: PulseIndex | undefined,
  kind: RevocableKind,
  id: string,
  now: () => number,
): boolean {
  if (!index || index.size === 0) return false;
  const until = index.revoked[kind].get(id);
  return until !== undefined && now() < until;
}

/**
 * The pulse an isolate should hold of two: the higher version (versions only grow at the control
 * plane, so a lower one is an older read: a lagging colo copy), then the later read.
 */
export function newerPulse(a: HeldPulse | undefined, b: HeldPulse | undefined): HeldPulse | undefined {
  if (!a) return b;
  if (!b) return a;
  if (a.version !== b.version) return a.version > b.version ? a : b;
  return a.fetchedAt >= b.fetchedAt ? a : b;
}

/** Whether a read `ageMs` old is younger than `limitMs`; a read from the future (skewed clocks) is not. */
export function youngerThan(ageMs: number, limitMs: number): boolean {
  return ageMs >= 0 && ageMs < limitMs;
}

/** A pulse from outside this isolate (the colo cache), or undefined when it is not one. */
export function parseHeldPulse(value: unknown): HeldPulse | undefined {
  if (!isRecord(value)) return undefined;
  const { version, windowMs, fetchedAt, entries } = value;
  if (!isCount(version) || !isCount(windowMs) || typeof fetchedAt !== "number" || !Array.isArray(entries))
    return undefined;
  const parsed: RevocationEntry[] = [];
  for (const e of entries) {
    if (
      !isRecord(e) ||
      typeof e.kind !== "string" ||
      typeof e.id !== "string" ||
      typeof e.revoked !== "boolean" ||
      !isCount(e.version) ||
      !isCount(e.ageMs)
    )
      return undefined;
    // Written by a newer deployment during a rolling deploy: skipped, not a reason to drop the pulse.
    if (!(REVOCABLE_KINDS as readonly string[]).includes(e.kind)) continue;
    parsed.push({
      kind: e.kind as RevocableKind,
      id: e.id,
      revoked: e.revoked,
      version: e.version,
      ageMs: e.ageMs,
    });
  }
  return { version, windowMs, fetchedAt, entries: parsed };
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}
