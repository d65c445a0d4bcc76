/**
 * The public keys a `private_key_jwt` client registered (RFC 7523 §2.2, OIDC Core §9): inline `jwks`
 * or a `jwks_uri`. Keys come only from there, never from the assertion (RFC 8725 §3.10). Isolate
 * memory holds the imported keys: inline sets for as long as the client record is cached, fetched
 * sets for a TTL, refetched early at most once per cooldown when an assertion names a kid the set
 * lacks (the client rotated its key). A fetch goes only to a public https target (loopback, over
 * http too, only in local development; src/http/outbound-url.ts), is bounded in time and size, and
 * never follows a redirect. The target is checked on every use, before the isolate's memory is
 * consulted: keys fetched under one policy are never served under a stricter one.
 *
 * Requests share values, never promises (see src/config/isolate-cache.ts): Workers bind a promise's
 * I/O to the request that created it, and a request awaiting another request's in-flight fetch can
 * hang or fail once that request ends. So each request awaits only its own fetch. While one is in
 * flight, other requests use the keys held (an unknown kid is refused, as within the cooldown); only
 * with no keys held at all does each request fetch for itself. The in-flight mark is a value that
 * expires with the fetch timeout, so a cancelled request cannot leave it behind.
 */
import { createLocalJWKSet, errors, type JWTVerifyGetKey } from "jose";
import {
  CLIENT_JWKS_CACHE_TTL_SECONDS,
  CLIENT_JWKS_FETCH_TIMEOUT_MS,
  CLIENT_JWKS_MAX_BYTES,
  CLIENT_JWKS_REFETCH_COOLDOWN_SECONDS,
  CLIENT_JWKS_RETRY_AFTER_FAILURE_MS,
  ISOLATE_CACHE_MAX_ENTRIES,
  JSON_MAX_DEPTH,
} from "../config/defaults";
import type { Client } from "../config/schemas";
import { readBoundedText } from "../http/bounded-body";
import { nestsDeeperThan } from "../http/json-depth";
import { checkOutboundUrl, type OutboundPolicy } from "../http/outbound-url";

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface ClientKeyStoreOptions {
  /** Epoch milliseconds. */
  now?: () => number;
  /** Injectable for tests; the runtime's `fetch` by default. */
  fetch?: FetchLike;
}

interface RemoteEntry {
  set?: JWTVerifyGetKey;
  /** Start order of the fetch that produced `set`: a slower fetch started earlier never replaces it. */
  setSeq: number;
  /** Epoch ms until which `set` is fresh. */
  freshUntil: number;
  /** Epoch ms of the last fetch attempt, successful or not. */
  lastAttempt: number;
  failedAt?: number;
  /** A fetch in flight, as a value: its claim stands until the fetch times out. */
  fetching?: { until: number };
}

/** The keys a client registered, as client authentication reads them. */
export interface ClientKeySource {
  /** A key resolver for jose's verify functions, or undefined when the client registered no keys. */
  resolver(client: Client): JWTVerifyGetKey | undefined;
}

/** The client's keys could not be had: its jwks_uri is refused, failed, or served no key set. */
export class ClientKeysUnavailable extends Error {
  override name = "ClientKeysUnavailable";
}

export class ClientKeyStore {
  private readonly inline = new WeakMap<object, JWTVerifyGetKey>();
  private readonly remote = new Map<string, RemoteEntry>();
  private readonly now: () => number;
  private readonly fetch: FetchLike;
  private seq = 0;

  constructor(options: ClientKeyStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /**
   * The keys as one deployment's requests read them: isolate memory is shared, the outbound policy
   * (`ports.settings.localDevelopment`) is the deployment's.
   */
  source(policy: OutboundPolicy): ClientKeySource {
    return { resolver: (client) => this.resolver(client, policy) };
  }

  /** A key resolver for jose's verify functions, or undefined when the client registered no keys. */
  resolver(client: Client, policy: OutboundPolicy): JWTVerifyGetKey | undefined {
    if (client.jwks) return this.inlineSet(client.jwks);
    if (!client.jwks_uri) return undefined;
    const target = checkOutboundUrl(client.jwks_uri, policy);
    if (!target.ok) {
      const refused = new ClientKeysUnavailable(`jwks_uri refused: ${target.reason}: ${target.detail}`);
      return () => Promise.reject(refused);
    }
    // The URL that passed the check, as the parser normalised it: the one fetched and cached.
    const uri = target.url.href;
    return async (header, token) => {
      const set = await this.load(uri, false);
      try {
        return await set(header, token);
      } catch (error) {
        // An unknown kid may be the client's new key: one early refetch per cooldown.
        if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
        const refreshed = await this.load(uri, true);
        if (refreshed === set) throw error;
        return refreshed(header, token);
      }
    };
  }

  private inlineSet(jwks: NonNullable<Client["jwks"]>): JWTVerifyGetKey {
    let set = this.inline.get(jwks);
    if (!set) {
      set = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
      this.inline.set(jwks, set);
    }
    return set;
  }

  private async load(uri: string, unknownKid: boolean): Promise<JWTVerifyGetKey> {
    const now = this.now();
    let entry = this.remote.get(uri);
    if (!entry) {
      entry = { setSeq: 0, freshUntil: 0, lastAttempt: Number.NEGATIVE_INFINITY };
      this.remember(uri, entry);
    }
    const cooling = now - entry.lastAttempt < CLIENT_JWKS_REFETCH_COOLDOWN_SECONDS * 1000;
    const failedRecently =
      entry.failedAt !== undefined && now - entry.failedAt < CLIENT_JWKS_RETRY_AFTER_FAILURE_MS;
    // Another request's fetch is in flight: answer with the keys held rather than wait on it.
    const fetching = entry.fetching !== undefined && now < entry.fetching.until;
    if (entry.set && (failedRecently || fetching || (unknownKid ? cooling : now < entry.freshUntil)))
      return entry.set;
    if (failedRecently)
      throw new ClientKeysUnavailable(
        `jwks_uri ${uri} failed less than ${CLIENT_JWKS_RETRY_AFTER_FAILURE_MS} ms ago`,
      );

    // Marked before the first await, so of concurrent requests holding keys exactly one fetches.
    const current = entry;
    const claim = { until: now + CLIENT_JWKS_FETCH_TIMEOUT_MS };
    const seq = ++this.seq;
    current.fetching = claim;
    current.lastAttempt = now;
    try {
      const document = await fetchJwks(this.fetch, uri);
      const set = createLocalJWKSet(document as Parameters<typeof createLocalJWKSet>[0]);
      if (seq > current.setSeq) {
        current.set = set;
        current.setSeq = seq;
        current.freshUntil = this.now() + CLIENT_JWKS_CACHE_TTL_SECONDS * 1000;
        current.failedAt = undefined;
      }
      return current.set ?? set;
    } catch (error) {
      // A failure counts only if no fetch started after it has succeeded meanwhile.
      if (seq > current.setSeq) current.failedAt = this.now();
      // Through the client's outage, its last good keys keep working until the next attempt.
      if (current.set) return current.set;
      throw error;
    } finally {
      if (current.fetching === claim) current.fetching = undefined;
    }
  }

  private remember(uri: string, entry: RemoteEntry): void {
    if (this.remote.size >= ISOLATE_CACHE_MAX_ENTRIES) {
      const oldest = this.remote.keys().next();
      if (!oldest.done) this.remote.delete(oldest.value);
    }
    this.remote.set(uri, entry);
  }
}

/** `uri` has passed `checkOutboundUrl`; a redirect is refused, not followed. */
async function fetchJwks(fetchImpl: FetchLike, uri: string): Promise<unknown> {
  try {
    return await fetchJwksDocument(fetchImpl, uri);
  } catch (error) {
    if (error instanceof ClientKeysUnavailable) throw error;
    throw new ClientKeysUnavailable(`jwks_uri: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function fetchJwksDocument(fetchImpl: FetchLike, uri: string): Promise<unknown> {
  const response = await fetchImpl(uri, {
    headers: { Accept: "application/json, application/jwk-set+json" },
    // A redirect could lead anywhere, plain http included: the registered URL is the only source.
    redirect: "manual",
    signal: AbortSignal.timeout(CLIENT_JWKS_FETCH_TIMEOUT_MS),
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    const redirect = response.status >= 300 && response.status < 400 ? " (redirects are not followed)" : "";
    throw new ClientKeysUnavailable(`jwks_uri answered ${response.status}${redirect}`);
  }
  const body = await readBoundedText(response, CLIENT_JWKS_MAX_BYTES);
  if (!body.ok)
    throw new Error(
      body.reason === "too_large" ? "jwks_uri document too large" : "jwks_uri document is not UTF-8",
    );
  // A hostile jwks_uri must not crash the isolate with a document that parses but nests too deep.
  if (nestsDeeperThan(body.text, JSON_MAX_DEPTH)) throw new Error("jwks_uri document nests too deep");
  return JSON.parse(body.text);
}
