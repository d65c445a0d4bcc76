/**
 * What a request runs with. `Deps` is isolate-scoped state (caches, the clock), created once per
 * isolate; `Ports` are the small interfaces protocol code reads instead of `env` (DESIGN §7 rule 8),
 * bound to the bindings once per `env` object. Only this file and the adapters it calls read `env`,
 * so `oauth/`, `hooks/`, `tokens/` and `policy/` run as well on in-memory ports (test/unit).
 */

import type { AuditedWrite } from "./admin/audit";
import { type ConfigSource, ConfigStore } from "./config/config-store";
import { RateLimitStore, type RateLimits } from "./config/rate-limits";
import { type PulseSource, RevocationPulse, type RevocationView } from "./config/revocation-pulse";
import type { AdminCaller } from "./config/rights";
import type { Snapshot } from "./config/schemas";
import { isLocalDevelopment, type ProtocolSettings } from "./config/vars";
import { type ConsentStore, d1Consents } from "./directory/consent-grants";
import type { Directory } from "./directory/directory";
import { d1GrantIndex, type GrantIndex } from "./directory/grant-index";
import { lazyD1Directory } from "./directory/lazy-directory";
import type { Env } from "./env";
import { durableGrants } from "./grants/durable-grants";
import type { GrantPort } from "./grants/grant-port";
import { d1UserCodes, type UserCodeIndex, userCodeKeyCache } from "./grants/user-code-index";
import { unsealHookSecret } from "./hooks/published-hook";
import type { HookSecretOpener } from "./hooks/token-hook";
import type { RateLimitVerdict } from "./http/rate-limit";
import { KeyStore, type KeysetSource } from "./keys/key-store";
import { type EventLog, IsolateEventLog } from "./log/event-log";
import type { AssertionReplayGuard } from "./oauth/client-auth";
import { type ClientKeySource, ClientKeyStore } from "./oauth/client-keys";
import { d1Sessions, type SessionStore } from "./signin/session-store";
import { signInKeyCache } from "./signin/sign-in-key";

/** Isolate-scoped state and the clock, injected so tests can start a "cold isolate" at will. */
export interface Deps {
  config: ConfigStore;
  keys: KeyStore;
  /** Keys `private_key_jwt` clients registered (inline or fetched from their `jwks_uri`). */
  clientKeys: ClientKeyStore;
  /** The revocation pulse this isolate holds (src/config/revocation-pulse.ts). */
  revocations: RevocationPulse;
  /** Rate-limit counters (src/config/rate-limits.ts). */
  rateLimits: RateLimitStore;
  /** The system log's counters and buffered events (src/log/event-log.ts). */
  log: IsolateEventLog;
  /** Epoch milliseconds. */
  now: () => number;
}

/** Every binding protocol code needs, as the narrow interface it needs it through. */
export interface Ports {
  /** Published configuration: snapshots, clients, inline hooks. */
  config: ConfigSource;
  /** Published keysets and the key that signs now. */
  keys: KeysetSource;
  /** Keys `private_key_jwt` clients registered. */
  clientKeys: ClientKeySource;
  /** Whether a client assertion's `jti` is used for the first time (RFC 7523 §3 item 7). */
  assertionReplay: AssertionReplayGuard;
  /** Opens an inline hook's sealed auth secret. */
  hookSecrets: HookSecretOpener;
  /** Epoch milliseconds. */
  clock: () => number;
  /** The Worker vars protocol code depends on. */
  settings: ProtocolSettings;
  /** Recent disables (clients, secrets, servers), in memory; refreshed in the background. */
  revocations: RevocationView;
  /** Per-client, per-IP and per-user rate limits (README "Rate limits"). */
  rateLimits: RateLimits;
  /** The system log: events and counters, sent to the queue off the request path (src/log/). */
  log: EventLog;
  /**
   * Users, groups and app assignments (D1 `DIRECTORY`): read by user grants and Token Preview,
   * never on the client_credentials path (DESIGN §1).
   */
  directory: Directory;
  // --- Sign-in (src/signin/) ---
  /** Sign-in sessions and `/api/v1/authn` session tokens (D1 `DIRECTORY`); never on the token path. */
  sessions: SessionStore;
  /** The HMAC key that seals pending sign-ins (src/signin/transaction.ts), derived from the KEK. */
  signInKey: () => Promise<CryptoKey>;
  // --- end sign-in ---
  // --- consent (src/signin/consent.ts) ---
  /** Users' consent grants (D1 `DIRECTORY`, Okta's `oag…`): read and written on /v1/authorize only. */
  consents: ConsentStore;
  // --- end consent ---
  /**
   * Grants (one Durable Object each): authorization codes, and whether a grant's tokens still stand.
   * Sign-in, code exchange and userinfo only; never the client_credentials path (DESIGN §1).
   */
  grants: GrantPort;
  // --- device authorization (RFC 8628) ---
  /** User code → device grant (D1 `DIRECTORY`): `/v1/device/authorize` and `/activate` only. */
  userCodes: UserCodeIndex;
  // --- end device authorization ---

  // --- grant index (src/directory/grant-index.ts) ---
  /**
   * The D1 index of grants holding a refresh-token family: the refresh engine calls `indexGrant`
   * when a family is born (and must revoke the grant when it answers null); the management API and
   * the directory writes list and revoke through it. Never on the client_credentials path.
   */
  grantIndex: GrantIndex;
  // --- end grant index ---
}

/** Builds (or returns) the ports of one `env`. */
export type BindPorts = (env: Env) => Ports;

export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** Set by the protocol routers' wrappers before an endpoint runs. */
    ports: Ports;
    /** The authorization server addressed by `/oauth2/{as}`, from its published snapshot. */
    snapshot: Snapshot;
    issuer: string;
    /** The management API's caller and its okta.* rights, set by `requireAdmin` (src/admin/auth.ts). */
    admin: AdminCaller;
    /** Set by the management API's first middleware (src/admin/org-origin.ts). */
    orgUrl: string;
    /**
     * The rate limit that applies to this request, once known: the app's onError (src/app.ts) puts
     * its `X-Rate-Limit-*` headers on an error response, as Okta sends them on every answer.
     */
    rateLimit: RateLimitVerdict;
    /**
     * Set by a write whose log events depend on what it did (a user DELETE deactivates or deletes):
     * src/admin/audit.ts records these instead of its route table's event.
     */
    audited: AuditedWrite;
    /**
     * The CORS headers of a cross-origin request to a CORS-enabled endpoint (src/oauth/cors.ts): the
     * app's onError puts them on an error answer too, so the browser lets the page read it.
     */
    cors: Readonly<Record<string, string>>;
  };
}

export function createDeps(now: () => number = Date.now): Deps {
  return {
    config: new ConfigStore(now),
    keys: new KeyStore(now),
    clientKeys: new ClientKeyStore({ now }),
    revocations: new RevocationPulse(now),
    rateLimits: new RateLimitStore(now),
    log: new IsolateEventLog(now),
    now,
  };
}

/**
 * Ports over real bindings. The runtime hands an isolate's requests the same `env` object, so ports
 * are built once per isolate, not per request: the token path pays for no allocation here.
 */
export function bindPorts(deps: Deps): BindPorts {
  const bound = new WeakMap<Env, Ports>();
  return (env) => {
    let ports = bound.get(env);
    if (!ports) {
      const localDevelopment = isLocalDevelopment(env);
      ports = {
        config: deps.config.source(env),
        keys: deps.keys.source(env),
        clientKeys: deps.clientKeys.source({ allowLoopback: localDevelopment }),
        assertionReplay: assertionReplayGuard(env),
        hookSecrets: hookSecretOpener(env),
        clock: deps.now,
        settings: { orgUrl: env.ORG_URL, propagation: env, localDevelopment },
        revocations: deps.revocations.view(pulseSource(env)),
        rateLimits: deps.rateLimits.source(env),
        log: deps.log.port(env.LOG_QUEUE),
        directory: lazyD1Directory(env.DIRECTORY),
        sessions: d1Sessions(env.DIRECTORY),
        signInKey: signInKeyOf(env),
        consents: d1Consents(env.DIRECTORY),
        grants: durableGrants(env.GRANT),
        userCodes: d1UserCodes(env.DIRECTORY, userCodeKeyOf(env)),

        grantIndex: d1GrantIndex(env.DIRECTORY),
      };
      bound.set(env, ports);
    }
    return ports;
  };
}

/** The control plane answers the revocation pulse; the colo copy is MACed under a key from the KEK. */
function pulseSource(env: Pick<Env, "CONTROL_PLANE" | "KEY_ENCRYPTION_KEY">): PulseSource {
  return {
    read: () => env.CONTROL_PLANE.get(env.CONTROL_PLANE.idFromName("global")).revocationPulse(),
    keyEncryptionKey: env.KEY_ENCRYPTION_KEY,
  };
}

/** One `AssertionReplay` Durable Object per client (src/oauth/assertion-replay.ts). */
function assertionReplayGuard(env: Pick<Env, "ASSERTION_REPLAY">): AssertionReplayGuard {
  return {
    consume: (clientId, jti, expiresAt, now) =>
      env.ASSERTION_REPLAY.get(env.ASSERTION_REPLAY.idFromName(clientId)).consume(jti, expiresAt, now),
  };
}

/** Hook secrets are sealed under the Worker's key-encryption key (src/hooks/published-hook.ts). */
export function hookSecretOpener(env: Pick<Env, "KEY_ENCRYPTION_KEY">): HookSecretOpener {
  return { open: (sealed, hookId) => unsealHookSecret(sealed, env.KEY_ENCRYPTION_KEY, hookId) };
}

/** One derived sign-in key per isolate (src/signin/sign-in-key.ts). */
function signInKeyOf(env: Pick<Env, "KEY_ENCRYPTION_KEY">): () => Promise<CryptoKey> {
  const cache = signInKeyCache();
  return () => cache.get(env.KEY_ENCRYPTION_KEY);
}

/** One derived user-code key per isolate (src/grants/user-code-index.ts). */
function userCodeKeyOf(env: Pick<Env, "KEY_ENCRYPTION_KEY">): () => Promise<CryptoKey> {
  const cache = userCodeKeyCache();
  return () => cache.get(env.KEY_ENCRYPTION_KEY);
}
