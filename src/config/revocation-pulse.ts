/**
 * The edge's revocation pulse (DESIGN §1, §10; pure part in revocations.ts): each isolate holds the
 * control plane's list of recent disables in memory, and the token path asks it with a map lookup,
 * no I/O. Keeping it fresh costs one read per location every few seconds, in the background:
 *
 *   isolate memory ── older than PULSE_REFRESH_AFTER_MS ──▶ the colo's Cache API copy
 *                     ── older than PULSE_COLO_FRESH_MS ──▶ the control plane (RPC), then put back
 *
 * A request that finds the pulse younger than PULSE_REFRESH_AFTER_MS does nothing; older, it hands a
 * refresh to `waitUntil` and goes on with the pulse held; older than PULSE_MAX_AGE_MS (or none: a
 * cold isolate) it awaits a refresh of its own first: usually one Cache API read, a control-plane
 * read only where no isolate of the location refreshed in the last PULSE_COLO_FRESH_MS.
 *
 * The bound. The control plane records a disable at T, before the admin call returns; a pulse read
 * that begins after T carries it, and `fetchedAt` is stamped before the read begins. No decision uses
 * a pulse with `now - fetchedAt >= PULSE_MAX_AGE_MS` (8 s): a colo copy is adopted only younger than
 * 3 s, a held one is used only younger than 8 s, else the request awaits a refresh. So a request
 * decided at t ≥ T + 8 s + ε (ε: edge–control-plane clock skew, well under 1 s) uses a pulse read
 * after T and is refused: under REVOCATION_BOUND_SECONDS (10 s), however the request arrives — warm
 * (background refreshes every 4 s keep the pulse under 8 s), idle (it awaits) or cold (it awaits).
 *
 * An unreachable control plane (an error, or no answer within PULSE_FETCH_TIMEOUT_MS): the isolate
 * keeps serving with the last pulse it held — fail-open to the KV bound, logged — and retries in the
 * background at most every PULSE_RETRY_AFTER_FAILURE_MS; no request waits on it meanwhile. Failing
 * closed would make the one control plane a dependency of every token, which DESIGN §1 rules out;
 * and while the control plane is down nothing new can be disabled, since disables are written there.
 *
 * Requests share values, never promises (src/config/isolate-cache.ts): a request awaits only the
 * refresh it started. The in-flight mark is a value that expires, so a cancelled refresh cannot leave
 * it behind. The colo copy is authenticated as a whole (DESIGN §8): HMAC-SHA-256 under a key derived
 * from KEY_ENCRYPTION_KEY for this use alone; a copy that fails is deleted and not used.
 */
import { base64url } from "jose";
import { DerivedKeyCache, deriveHmacKey } from "../crypto/derived-keys";
import {
  PULSE_COLO_FRESH_MS,
  PULSE_FETCH_TIMEOUT_MS,
  PULSE_MAX_AGE_MS,
  PULSE_REFRESH_AFTER_MS,
  PULSE_RETRY_AFTER_FAILURE_MS,
} from "./defaults";
import {
  type HeldPulse,
  indexPulse,
  isRevokedIn,
  newerPulse,
  type Pulse,
  type PulseIndex,
  parseHeldPulse,
  type RevocableKind,
  youngerThan,
} from "./revocations";

/** The pulse as protocol code reads it: a port (src/context.ts). */
export interface RevocationView {
  /** Whether `id` was disabled within the window, per the pulse held: in memory only. */
  isRevoked(kind: RevocableKind, id: string): boolean;
  /**
   * Called before a request decides anything. Undefined when the pulse held may decide (a refresh
   * handed to `waitUntil` when it is getting old); a promise to await first when it may not.
   */
  keepFresh(waitUntil: (task: Promise<unknown>) => void): Promise<void> | undefined;
  /**
   * After an admin write at this location: the control plane's pulse now, held here and put in the
   * colo's copy, so this location sees a disable (or a re-enable) at once; others within the bound.
   */
  publish(): Promise<void>;
}

/** Where a refresh reads from: the control plane's pulse, and the secret the colo copy is MACed under. */
export interface PulseSource {
  read(): Promise<Pulse>;
  keyEncryptionKey: string;
}

/** The Cache API is per colo and not a binding; this URL is its key, never fetched. */
export const PULSE_CACHE_URL = "https://pulse.warden.internal/v1";

export class RevocationPulse {
  #held?: HeldPulse;
  #index?: PulseIndex;
  /** A refresh in flight, as a value: its claim stands until it would have timed out. */
  #refreshing?: { until: number };
  /** After a failed refresh: until when requests go on without awaiting one (epoch ms). */
  #retryAt?: number;

  constructor(private readonly now: () => number = Date.now) {}

  view(source: PulseSource): RevocationView {
    return {
      isRevoked: (kind, id) => isRevokedIn(this.#index, kind, id, this.now),
      keepFresh: (waitUntil) => this.keepFresh(source, waitUntil),
      publish: () => this.publish(source),
    };
  }

  /** The pulse this isolate holds (tests, logs). */
  get held(): HeldPulse | undefined {
    return this.#held;
  }

  keepFresh(source: PulseSource, waitUntil: (task: Promise<unknown>) => void): Promise<void> | undefined {
    const now = this.now();
    const age = this.#held ? heldAge(now, this.#held.fetchedAt) : Number.POSITIVE_INFINITY;
    // The warm path: one clock read and a comparison.
    if (youngerThan(age, PULSE_REFRESH_AFTER_MS)) return undefined;
    const inFlight = this.#refreshing !== undefined && now < this.#refreshing.until;
    const failing = this.#retryAt !== undefined;
    if (failing && now < (this.#retryAt ?? 0)) return undefined;
    if (youngerThan(age, PULSE_MAX_AGE_MS) || failing) {
      // Still within the bound, or the control plane is failing and requests must not wait on it.
      if (!inFlight) waitUntil(this.refresh(source));
      return undefined;
    }
    return this.refresh(source);
  }

  /**
   * One refresh: the colo copy, and the control plane when that is not fresh. Never rejects: a
   * failure is logged and leaves the pulse held as it was.
   */
  async refresh(source: PulseSource): Promise<void> {
    const started = this.now();
    const claim = { until: started + 2 * PULSE_FETCH_TIMEOUT_MS };
    this.#refreshing = claim;
    try {
      const copy = await this.#readColoCopy(source.keyEncryptionKey);
      this.#adopt(fromAnotherClock(copy, this.now()));
      const held = this.#held;
      if (held && youngerThan(heldAge(this.now(), held.fetchedAt), PULSE_COLO_FRESH_MS)) {
        this.#retryAt = undefined;
        return;
      }
      const fetchedAt = this.now();
      const pulse = await withTimeout(source.read(), PULSE_FETCH_TIMEOUT_MS);
      const read: HeldPulse = { ...pulse, fetchedAt };
      this.#adopt(read);
      this.#retryAt = undefined;
      if (this.#held === read) await this.#writeColoCopy(read, source.keyEncryptionKey);
    } catch (error) {
      this.#retryAt = this.now() + PULSE_RETRY_AFTER_FAILURE_MS;
      console.warn(
        JSON.stringify({
          event: "pulse.refresh_failed",
          heldVersion: this.#held?.version ?? null,
          heldAgeMs: this.#held ? this.now() - this.#held.fetchedAt : null,
          error: error instanceof Error ? error.message : "unknown",
        }),
      );
    } finally {
      if (this.#refreshing === claim) this.#refreshing = undefined;
    }
  }

  /** The control plane's pulse, whatever the colo copy's age (RevocationView.publish). Never rejects. */
  async publish(source: PulseSource): Promise<void> {
    try {
      const fetchedAt = this.now();
      const read: HeldPulse = { ...(await withTimeout(source.read(), PULSE_FETCH_TIMEOUT_MS)), fetchedAt };
      this.#adopt(read);
      if (this.#held === read) await this.#writeColoCopy(read, source.keyEncryptionKey);
    } catch (error) {
      console.warn(
        JSON.stringify({
          event: "pulse.publish_failed",
          error: error instanceof Error ? error.message : "unknown",
        }),
      );
    }
  }

  #adopt(candidate: HeldPulse | undefined): void {
    const newer = newerPulse(this.#held, candidate);
    if (!newer || newer === this.#held) return;
    this.#held = newer;
    this.#index = indexPulse(newer);
  }

  async #readColoCopy(secret: string): Promise<HeldPulse | undefined> {
    const cache = coloCache();
    if (!cache) return undefined;
    const raw = await cache
      .match(PULSE_CACHE_URL)
      .then((hit) => hit?.text())
      .catch(() => undefined);
    if (raw === undefined) return undefined;
    const opened = await this.#open(raw, secret);
    if (opened) return opened;
    console.warn(JSON.stringify({ event: "pulse.rejected", origin: "cache" }));
    // Not read again by every isolate of this colo; the next control-plane read puts a good copy back.
    await cache.delete(PULSE_CACHE_URL).catch(() => undefined);
    return undefined;
  }

  /** Best effort: a failed put costs the next isolate of this colo one control-plane read. */
  async #writeColoCopy(held: HeldPulse, secret: string): Promise<void> {
    const cache = coloCache();
    if (!cache) return;
    const pulse = JSON.stringify(held);
    const mac = base64url.encode(
      new Uint8Array(await crypto.subtle.sign("HMAC", await this.#macKey(secret), encoder.encode(pulse))),
    );
    await cache
      .put(
        PULSE_CACHE_URL,
        new Response(JSON.stringify({ format: PULSE_RECORD_FORMAT, pulse, mac }), {
          headers: {
            "Content-Type": "application/json",
            "Cache-Control": `max-age=${Math.ceil(PULSE_COLO_FRESH_MS / 1000)}`,
          },
        }),
      )
      .catch(() => undefined);
  }

  async #open(raw: string, secret: string): Promise<HeldPulse | undefined> {
    try {
      const record = JSON.parse(raw) as { format?: unknown; pulse?: unknown; mac?: unknown };
      if (
        record.format !== PULSE_RECORD_FORMAT ||
        typeof record.pulse !== "string" ||
        typeof record.mac !== "string"
      )
        return undefined;
      const ok = await crypto.subtle.verify(
        "HMAC",
        await this.#macKey(secret),
        base64url.decode(record.mac),
        encoder.encode(record.pulse),
      );
      return ok ? parseHeldPulse(JSON.parse(record.pulse)) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Derived once per isolate (and secret): HKDF-SHA-256 under this record format's own label. */
  #macKey(secret: string): Promise<CryptoKey> {
    return pulseMacKeys.get(secret);
  }
}

const encoder = new TextEncoder();
const PULSE_RECORD_FORMAT = 1;
/** The clock skew the bound allows for (src/config/defaults.ts, PULSE_MAX_AGE_MS). */
const PULSE_CLOCK_SKEW_MS = 1000;
/** A new record format derives a new key (as src/keys/keyset-keys.ts does for keysets). */
const PULSE_MAC_INFO = "warden pulse/1 mac";

/** A value per secret, never a shared promise (src/crypto/derived-keys.ts); a failed derivation is not kept. */
const pulseMacKeys = new DerivedKeyCache((material) => deriveHmacKey(material, PULSE_MAC_INFO));

/**
 * Another isolate's read, stamped by its clock: one a little ahead (machines of a colo differ by
 * milliseconds) counts as read now, within the skew the bound allows for; one further ahead is not
 * believed at all, as it would pass for fresh for as long as it is ahead.
 */
/**
 * The age of the pulse this isolate holds, as a request sees it. Workers freeze `Date.now()` within a
 * request until its next I/O, so a request that began before another request's refresh stamped the
 * pulse reads it as up to that long "in the future": that is age 0, not a pulse to refresh again
 * (which every such request would await: measured, about a tenth of an ES256 token's CPU under load).
 * Further in the future than the skew allowance is a clock that jumped, and counts as stale.
 */
function heldAge(now: number, fetchedAt: number): number {
  const age = now - fetchedAt;
  return age < 0 && age >= -PULSE_CLOCK_SKEW_MS ? 0 : age;
}

function fromAnotherClock(copy: HeldPulse | undefined, now: number): HeldPulse | undefined {
  if (!copy || copy.fetchedAt <= now) return copy;
  return copy.fetchedAt - now <= PULSE_CLOCK_SKEW_MS ? { ...copy, fetchedAt: now } : undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function coloCache(): Cache | undefined {
  return typeof caches === "undefined" ? undefined : (caches as unknown as { default?: Cache }).default;
}
