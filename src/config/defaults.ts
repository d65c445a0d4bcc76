/**
 * Every default Warden applies, in one place, each with the reason it has this value.
 * Durations are in seconds unless the name says otherwise.
 */

/** Okta's default signing algorithm for custom authorization servers; verifiers such as `@okta/jwt-verifier` require it. */
export const DEFAULT_SIGNING_ALG = "RS256" as const;

/** Okta's key size for RS256 signing keys; NIST SP 800-57 deems 2048-bit RSA adequate through 2030. */
export const RSA_MODULUS_LENGTH = 2048;

/** Okta's default access-token lifetime for a new rule (`accessTokenLifetimeMinutes`). */
export const ACCESS_TOKEN_LIFETIME_MINUTES = 60;

/** Okta's allowed range for `accessTokenLifetimeMinutes`. */
export const ACCESS_TOKEN_LIFETIME_MINUTES_RANGE = { min: 5, max: 1440 } as const;

/** Okta's default refresh-token window (7 days) and its allowed range (10 minutes to 5 years). */
export const REFRESH_TOKEN_WINDOW_MINUTES = 10080;
export const REFRESH_TOKEN_WINDOW_MINUTES_RANGE = { min: 10, max: 2628000 } as const;

/** Okta: 0 means a refresh token lives as long as its window keeps being used. */
export const REFRESH_TOKEN_LIFETIME_MINUTES = 0;

/** Okta's AUTO rotation period: a key signs for 90 days. */
export const ROTATION_PERIOD_SECONDS = 90 * 24 * 3600;

/**
 * The least time a scheduled NEXT key is published before it activates (Okta: 45 days). In AUTO the
 * vault publishes each successor as soon as its predecessor starts signing, so normally a whole period.
 */
export const NEXT_KEY_LEAD_SECONDS = 45 * 24 * 3600;

/**
 * How long an isolate trusts its in-memory copy of a config snapshot or client record before it
 * reads KV again. Together with KV's 60 s propagation this bounds how stale an edge can be.
 */
export const CONFIG_CACHE_TTL_SECONDS = 30;

/**
 * How long an isolate (and the colo's Cache API) trusts a keyset; it holds ACTIVE and NEXT, so a
 * scheduled switch needs no refresh. Overridable with the `KEYSET_CACHE_TTL_SECONDS` var.
 */
export const KEYSET_CACHE_TTL_SECONDS = 60;

/**
 * An edge that finds a server's keyset record unauthenticated (published before records were, or
 * not written by the vault) asks the vault for the authenticated one at most this often per isolate
 * and server: recovery without a Durable Object call per request. See key-store.ts.
 */
export const KEYSET_RECOVERY_COOLDOWN_SECONDS = 30;

/**
 * The key vault puts its current record back in KV for such an edge at most this often: KV takes
 * one write per second per key, and someone who keeps overwriting KV must not keep the vault writing.
 */
export const KEYSET_REPUT_MIN_INTERVAL_SECONDS = 60;

/**
 * An edge that finds a snapshot, client or hook record in KV unauthenticated (published before
 * records were, or not written by the control plane) asks the control plane for the authenticated
 * one at most this often per isolate and record: recovery after an upgrade without a Durable Object
 * call per request. See config-store.ts.
 */
export const CONFIG_RECORD_RECOVERY_COOLDOWN_SECONDS = 30;

/**
 * The control plane puts a record back in KV for such an edge at most this often per record, for the
 * reason the key vault does (KEYSET_REPUT_MIN_INTERVAL_SECONDS).
 */
export const CONFIG_RECORD_REPUT_MIN_INTERVAL_SECONDS = 60;

/** Bound on isolate cache entries, so a flood of unknown client ids cannot grow memory without limit. */
export const ISOLATE_CACHE_MAX_ENTRIES = 1000;

/** Upper bound on a negative-cache entry (unknown client or server), shorter than positive entries. */
export const NEGATIVE_CACHE_TTL_SECONDS = 5;

/** Shortest rotation period and lead an admin may set; accelerated schedules exist for testing. */
export const MIN_ROTATION_PERIOD_SECONDS = 10;
export const MIN_NEXT_KEY_LEAD_SECONDS = 1;

/** Workers KV's documented bound on how long a write takes to be visible at every edge. */
export const KV_PROPAGATION_SECONDS = 60;

/**
 * Upper bound on the JWKS / discovery `max-age` whatever the schedule allows. A verifier that honours
 * the headers drops an emergency-revoked key within propagation + max-age + stale-while-revalidate.
 */
export const METADATA_MAX_AGE_CAP_SECONDS = 900;

/** `stale-while-revalidate` cap (RFC 5861 §3): a refresh in the background, within the schedule's budget. */
export const METADATA_STALE_WHILE_REVALIDATE_CAP_SECONDS = 300;

/**
 * `stale-if-error` (RFC 5861 §4): within the stale-while-revalidate cap, so a JWKS outage does not
 * stretch the revocation bound.
 */
export const METADATA_STALE_IF_ERROR_SECONDS = METADATA_STALE_WHILE_REVALIDATE_CAP_SECONDS;

/**
 * Serialized metadata documents an isolate keeps per keyset or snapshot: one per issuer origin, a
 * handful in practice (`ORG_URL` pins the origin outside local development); bounded all the same.
 */
export const METADATA_DOCUMENTS_PER_SOURCE = 8;

/**
 * How long a superseded key stays published: Okta's longest access-token lifetime (1440 minutes),
 * so its last tokens still verify, plus the longest a verifier may cache the JWKS.
 */
export const EXPIRED_KEY_RETENTION_SECONDS =
  1440 * 60 + METADATA_MAX_AGE_CAP_SECONDS + METADATA_STALE_WHILE_REVALIDATE_CAP_SECONDS;

/**
 * How deep a JSON document from outside may nest (admin bodies, hook replies, `jwks_uri` documents):
 * Warden's own deepest shape (an import: servers → policies → rules → conditions → people → include)
 * is under ten levels; deeper is an attack on the recursion that follows parsing.
 */
export const JSON_MAX_DEPTH = 32;

/** Token requests are a handful of short parameters; 16 KiB leaves room for a client assertion. */
export const TOKEN_REQUEST_MAX_BYTES = 16 * 1024;

/** Random bytes in a token id (`jti`): 144 bits, above the 128-bit floor of DESIGN §8. */
export const TOKEN_ID_BYTES = 18;

/** Random bytes in a generated client secret: 256 bits, which makes a fast hash (SHA-256) sound. */
export const CLIENT_SECRET_BYTES = 32;

/** Okta's reserved OIDC scopes, present on every authorization server. */
export const RESERVED_SCOPES = [
  "openid",
  "profile",
  "email",
  "address",
  "phone",
  "offline_access",
  "device_sso",
] as const;

/** The id Okta gives the authorization server created with every org. */
export const DEFAULT_SERVER_ID = "default";

/**
 * The longest a client assertion may live: Okta refuses an `exp` more than an hour ahead, and the
 * replay store keeps each `jti` until its assertion expires, so this also bounds that store.
 */
export const CLIENT_ASSERTION_MAX_LIFETIME_SECONDS = 3600;

/** Leeway for a client assertion's `exp`, `nbf` and `iat`: clients' clocks are less reliable than ours. */
export const CLIENT_ASSERTION_CLOCK_TOLERANCE_SECONDS = 30;

/** Client assertions are short JWTs; a longer one is refused before any parsing. */
export const CLIENT_ASSERTION_MAX_LENGTH = 8 * 1024;

/** How long an isolate trusts a client's fetched `jwks_uri` document before fetching it again. */
export const CLIENT_JWKS_CACHE_TTL_SECONDS = 300;

/**
 * At most one refetch of a client's `jwks_uri` per window for an unknown `kid`: a client's new key is
 * picked up at once, while made-up kids cost its host one request per window per isolate.
 */
export const CLIENT_JWKS_REFETCH_COOLDOWN_SECONDS = 30;

/** A client's JWKS host that answers slower than this fails the request instead of stalling it. */
export const CLIENT_JWKS_FETCH_TIMEOUT_MS = 5000;

/** Larger client JWKS documents are refused: Okta allows 50 keys, well under this. */
export const CLIENT_JWKS_MAX_BYTES = 64 * 1024;

/** Okta's org authorization server issues access tokens for its APIs valid for one hour, not configurable. */
export const ORG_ACCESS_TOKEN_LIFETIME_SECONDS = 3600;

/**
 * The key vault (and `keyset/…` KV record) of the org authorization server. `$` is outside the
 * authorization-server id alphabet, so no custom server can ever share its keys.
 */
export const ORG_KEYS_ID = "$org";

/** Okta's token inline hook timeout: a slower hook is a failed call and the token is issued unchanged. */
export const INLINE_HOOK_TIMEOUT_MS = 3000;

/** Okta's bounds for a lifetime a token inline hook sets (5 minutes to 24 hours); outside them it is refused. */
export const INLINE_HOOK_LIFETIME_SECONDS_RANGE = { min: 300, max: 86400 } as const;

/** A hook reply is a few commands; a larger one is a failed call rather than memory spent on it. */
export const INLINE_HOOK_RESPONSE_MAX_BYTES = 256 * 1024;

/** Random bytes in an admin API token value: 256 bits, so SHA-256 is the right hash to store. */
export const API_TOKEN_BYTES = 32;

/**
 * How long an isolate trusts a managed SSWS token it has checked with the control plane: admin
 * requests are not the hot path, so this only spares repeated RPCs; it bounds revocation at other isolates.
 */
export const API_TOKEN_CACHE_TTL_SECONDS = 30;

/**
 * How many API tokens deep a token may be minted from tokens (bootstrap → token → token …): each
 * check walks the chain to its owner, so a bound keeps it short; a real deployment needs two or three.
 */
export const MAX_API_TOKEN_CHAIN = 8;

/** Okta's page size for `GET /api/v1/apps` when no `limit` is given, and its largest. */
export const APPS_PAGE_LIMIT = { default: 20, max: 200 } as const;

/** Okta allows two client secrets per app: one in use and its successor during a rotation. */
export const MAX_CLIENT_SECRETS = 2;

/** Okta's page size for `GET /api/v1/authorizationServers` when no `limit` is given, and its largest. */
export const AUTHORIZATION_SERVERS_PAGE_LIMIT = { default: 200, max: 200 } as const;

/** Okta's page size for an authorization server's scopes when no `limit` is given, and its largest. */
export const SCOPES_PAGE_LIMIT = { default: 200, max: 200 } as const;

/** A management-API object is a few KiB at most; a larger body is refused before it is parsed. */
export const ADMIN_BODY_MAX_BYTES = 64 * 1024;

/** An app is a few hundred bytes; an inline JWKS of Okta's 50 keys fits well within 128 KiB. */
export const APP_BODY_MAX_BYTES = 128 * 1024;

/** Config documents are small; 1 MiB holds thousands of rules. */
export const IMPORT_MAX_BYTES = 1024 * 1024;

/** An inline hook is a few hundred bytes; 64 KiB leaves room for every header Okta allows. */
export const HOOK_BODY_MAX_BYTES = 64 * 1024;

/** An API token request is a name, a user id and an expiry: 16 KiB is far more than any needs. */
export const API_TOKEN_BODY_MAX_BYTES = 16 * 1024;

/** Bounds the key vault's catch-up loop; each pass either acts or stops, so a few passes always suffice. */
export const KEY_VAULT_MAX_PLAN_PASSES = 8;

/**
 * Retries of a failed keyset publication or key-vault alarm run: 2 s after the first failure (as the
 * runtime's own alarm retries), doubling, never more than 5 minutes apart, and never given up: a
 * stalled vault would let a scheduled rotation pass unpublished.
 */
export const KEY_VAULT_RETRY_FIRST_SECONDS = 2;
export const KEY_VAULT_RETRY_MAX_SECONDS = 300;

/**
 * After a failed client `jwks_uri` fetch, requests fail fast (or use the last good set) for this
 * long: a dead host is not hammered.
 */
export const CLIENT_JWKS_RETRY_AFTER_FAILURE_MS = 5000;

/** Bound on the `error_description` a token inline hook can put in front of a client. */
export const INLINE_HOOK_ERROR_SUMMARY_MAX_LENGTH = 512;

/** The OpenAPI document and reference page change only with a deploy; 5 minutes bounds how long a cache shows the old one. */
export const OPENAPI_CACHE_MAX_AGE_SECONDS = 300;

/** Random bytes in an inline hook id (`cal…`): 120 bits keep generated ids unguessable and unique. */
export const INLINE_HOOK_ID_BYTES = 15;

/** Random bytes in a client secret's id (`ocs…`): an id, not a credential; 96 bits keep it unique. */
export const CLIENT_SECRET_ID_BYTES = 12;

/** Random bytes in an API token's id (`00T…`): an id, not the credential; 96 bits keep it unique. */
export const API_TOKEN_ID_BYTES = 12;

/** Random bytes in a token inline hook call's `eventId` (and request id without a `cf-ray`): 128 bits, unique per call. */
export const INLINE_HOOK_EVENT_ID_BYTES = 16;

// ---- the revocation pulse (src/config/revocation-pulse.ts, src/control-plane/revocation-log.ts) ----
//
// The bound on a disable (client, client secret, authorization server, later user) at every edge:
// the control plane records it before the admin call returns; every token decision uses a pulse read
// from the control plane less than PULSE_MAX_AGE_MS before it (else the request awaits a fresh one),
// so a request arriving PULSE_MAX_AGE_MS + clock skew (≤ 1 s) after the admin response is refused:
// < REVOCATION_BOUND_SECONDS. Other changes keep the KV bound (KV propagation + CONFIG_CACHE_TTL).

/** The published bound on a disable reaching every edge (README "Revocation"). */
export const REVOCATION_BOUND_SECONDS = 10;

/** A held pulse older than this (since its control-plane read) is refreshed in the background. */
export const PULSE_REFRESH_AFTER_MS = 4000;

/**
 * The colo's Cache API copy is adopted only when younger than this; otherwise the refresh reads the
 * control plane and puts a new copy. Below PULSE_REFRESH_AFTER_MS, so an adopted copy is not at once
 * due again; one location reads the control plane about once per this interval (DESIGN §10).
 */
export const PULSE_COLO_FRESH_MS = 3000;

/**
 * No token decision uses a pulse older than this: a request that finds one (a cold isolate, one idle
 * for longer) awaits its own refresh. REVOCATION_BOUND_SECONDS less one second of clock skew and one
 * of margin for the refresh itself.
 */
export const PULSE_MAX_AGE_MS = 8000;

/** A control plane slower than this to answer the pulse counts as unreachable (see the next). */
export const PULSE_FETCH_TIMEOUT_MS = 2000;

/**
 * After a failed refresh an isolate keeps its last pulse (fail-open to the KV bound, logged) and
 * tries again in the background at most this often: an unreachable control plane is not hammered,
 * and requests never wait on it.
 */
export const PULSE_RETRY_AFTER_FAILURE_MS = 4000;

/**
 * How long beyond the KV bound (KV propagation + CONFIG_CACHE_TTL_SECONDS) the control plane keeps a
 * disable in the pulse: after that every isolate reads the disabled record from KV itself. Covers
 * clock skew and a pulse's own age at the edge.
 */
export const REVOCATION_WINDOW_MARGIN_SECONDS = 30;

/**
 * Entries a pulse carries at most (newest first). A pulse is parsed by every isolate every few
 * seconds; beyond this many disables within one window (a pruning import) the oldest fall back to
 * the KV bound, and the control plane logs it.
 */
export const PULSE_MAX_ENTRIES = 1000;

// ---- Rate limits (README "Rate limits"). A limit counted by a `[[ratelimits]]` binding matches its
// `simple` in wrangler.toml: the same period, and the limit in the binding's units (test/unit/rate-limit.test.ts).

/**
 * Token requests per authenticated client per minute, per Cloudflare location (`TOKEN_RATE_LIMIT`):
 * Okta lets one app use at most 50 % of a bucket, and its largest custom-authorization-server
 * `/v1/token` bucket is 2,000/min. A client_credentials client that caches its tokens needs a few.
 */
export const TOKEN_RATE_LIMIT = { limit: 1000, windowSeconds: 60 } as const;

/**
 * Failed authentications (token endpoint `invalid_client`, management API 401) per client IP per
 * minute, per location (`AUTH_FAILURE_RATE_LIMIT`): a person or a misconfigured client fails a few
 * times; guessing 256-bit credentials never succeeds, so past this it only costs us.
 */
export const AUTH_FAILURE_RATE_LIMIT = { limit: 60, windowSeconds: 60 } as const;

/**
 * Sign-in and `/api/v1/authn` attempts per client IP per minute, per location
 * (`SIGN_IN_IP_RATE_LIMIT`): Okta's `/api/v1/authn` bucket is 600/min for a whole org; one address
 * at a sixth of that is a script, not a person.
 */
export const SIGN_IN_IP_RATE_LIMIT = { limit: 100, windowSeconds: 60 } as const;

/**
 * Sign-in attempts per username per 10 s, per location (`SIGN_IN_USER_RATE_LIMIT`): Okta's per-user
 * limit on `/api/v1/authn` and the password grant is 4 per second.
 */
export const SIGN_IN_USER_RATE_LIMIT = { limit: 40, windowSeconds: 10 } as const;

/**
 * Management API requests per caller (bootstrap token, API token, org-server client) per minute,
 * counted globally by a `RateLimiter` Durable Object: Okta lets one API token use at most 50 % of each
 * management bucket (600–1,200/min for the larger ones); Warden has one bucket for the whole API.
 */
export const MANAGEMENT_API_RATE_LIMIT = { limit: 1200, windowSeconds: 60 } as const;

/**
 * The token binding counts in units of this many requests (its wrangler.toml limit is
 * TOKEN_RATE_LIMIT.limit / 10): a client's first request in a window and every 10th after it make one
 * binding call, so the warm token path pays for one call per 10 tokens of a client.
 */
export const RATE_LIMIT_REPORT_EVERY = 10;

/** Keys an isolate counts per limit; past that the oldest goes (bounded memory under a key flood). */
export const RATE_LIMIT_MAX_KEYS = 10_000;

/**
 * How long an isolate remembers that an SSWS value is no live API token: repeated wrong tokens skip
 * the control plane. Short, because a token refused for its owner's state (a deactivated client) can
 * become good again; a never-issued value never can.
 */
export const API_TOKEN_NEGATIVE_CACHE_TTL_SECONDS = 5;

// --- System log (src/log/, README "System log") ---------------------------------------------------

/** Okta keeps System Log events for 90 days; the daily cron deletes older ones. */
export const LOG_RETENTION_DAYS = 90;
/** Rows the retention cron deletes per statement: bounded so one run never holds D1's writer long. */
export const LOG_RETENTION_DELETE_BATCH = 5000;
/** Statements per retention run: 250 k rows a day is far above the aggregated write rate. */
export const LOG_RETENTION_MAX_BATCHES = 50;
/** Aggregate contributions are remembered (for exactly-once counting) as long as a queue keeps a message: 14 days. */
export const LOG_CONTRIBUTION_RETENTION_DAYS = 14;
/** Token grants and sampled-out denials are counted per server × client × this window: Okta-like one row per minute. */
export const LOG_AGGREGATE_WINDOW_SECONDS = 60;
/** An isolate sends its counters and buffered events at most this often: the token path never waits on the queue. */
export const LOG_FLUSH_INTERVAL_SECONDS = 10;
/** Distinct counters an isolate holds between flushes; beyond it, counts go to one overflow counter. */
export const LOG_MAX_AGGREGATES = 1000;
/** Individual events an isolate buffers between flushes; beyond it, they are counted instead (memory bound). */
export const LOG_MAX_PENDING_EVENTS = 500;
/** Denials stored in full (with their trace) per server × client × reason per window per isolate; the rest are counted. */
export const LOG_DENIAL_SAMPLES_PER_WINDOW = 10;
/** One stored event's JSON: a long policy trace is cut to fit (D1 rows and queue messages stay small). */
export const LOG_EVENT_MAX_BYTES = 16_384;
/** Queue `sendBatch` limits: 100 messages and 256 KB per call; stay under both. */
export const LOG_QUEUE_BATCH_MESSAGES = 100;
export const LOG_QUEUE_BATCH_BYTES = 200_000;
/** `/api/v1/logs`: Okta's default page of 100 and maximum of 1000. */
export const LOG_QUERY_DEFAULT_LIMIT = 100;
export const LOG_QUERY_MAX_LIMIT = 1000;
/** Okta: without `since`, a query starts 7 days before `until` (or now). */
export const LOG_QUERY_DEFAULT_SINCE_DAYS = 7;
/** Bound on `q`: keywords. */
export const LOG_QUERY_MAX_KEYWORDS = 10;
/** Bounds on a `filter` expression: characters, nesting depth and comparisons. */
export const LOG_FILTER_MAX_LENGTH = 2048;
export const LOG_FILTER_MAX_DEPTH = 8;
export const LOG_FILTER_MAX_TERMS = 32;
/**
 * Values a compiled `filter` may bind: D1 takes at most 100 bound parameters per statement, and the
 * query binds up to 4 of its own (since, until, after, limit) and one per `q` keyword (≤ 10).
 */
export const LOG_FILTER_MAX_PARAMS = 100 - 4 - LOG_QUERY_MAX_KEYWORDS;
/** Bound on `q`: characters (its keywords are bounded above). */
export const LOG_QUERY_MAX_Q_LENGTH = 256;

// ---- Users in tokens: the password grant, people in policies (issue 10) ----
/**
 * Okta's `profile.login` is at most 100 characters: a longer username names no user, and the
 * system log keeps at most this much of a username nobody has (anyone can type one).
 */
export const SIGN_IN_USERNAME_MAX_LENGTH = 100;
/**
 * Ids one people-condition lookup binds per D1 statement: D1 takes at most 100 bound parameters,
 * so the control plane's existence check of the users and groups rules name is chunked by this.
 */
export const DIRECTORY_LOOKUP_CHUNK = 90;

// --- Passwords (src/directory/password-*.ts, sign-in.ts) ---

/**
 * PBKDF2-HMAC-SHA-256 iterations for new password hashes: OWASP Password Storage Cheat Sheet's
 * figure (600,000). Measured ~70 ms of CPU per hash in workerd (README "Passwords"); raising it
 * rehashes each user at their next sign-in.
 */
export const PASSWORD_PBKDF2_ITERATIONS = 600_000;

/**
 * The longest password hashed as given (UTF-16 code units; Okta's own limit is 72 bytes for
 * bcrypt-imported hashes and 256 characters in the policy): PBKDF2 hashes its key with HMAC once,
 * so a longer one costs little more, but reading, encoding and comparing a 1 MB one should not
 * happen at all. Anything longer is refused after the same hashing work as a wrong password.
 */
export const PASSWORD_MAX_LENGTH = 256;

/** Okta's default password policy: at least 8 characters. */
export const PASSWORD_MIN_LENGTH = 8;

/** Okta's default password policy: lowercase, uppercase and a number; symbols not required. */
export const PASSWORD_COMPLEXITY = { lowercase: 1, uppercase: 1, number: 1, symbol: 0 } as const;

/** Okta's default password policy: "Does not contain part of username" is on. */
export const PASSWORD_EXCLUDE_USERNAME = true;

/** Okta's default password policy: "Does not contain first name / last name" are off. */
export const PASSWORD_EXCLUDE_ATTRIBUTES: readonly ("firstName" | "lastName")[] = [];

/**
 * Consecutive failed password checks that lock a user out (LOCKED_OUT): Okta's default password
 * policy ("Lock out user after 10 unsuccessful attempts"). Unlock through the API clears the count.
 */
export const PASSWORD_LOCKOUT_ATTEMPTS = 10;

// ---- Sign-in timing (perf: src/directory/sign-in.ts, migrations/0008_sign_in_failures.sql) ----

/**
 * Buckets that failed sign-ins no user's counter takes (unknown logins, refused statuses) are
 * counted under: each such failure writes one row as a wrong password does (no enumeration by
 * timing), and the table never holds more rows than this, whatever logins an attacker tries.
 */
export const SIGN_IN_FAILURE_BUCKETS = 1024;

/**
 * Route matches the app's router remembers (src/http/memo-router.ts): a few per server and endpoint
 * in use covers every hot path; past it the memory starts again empty, so random paths stay bounded.
 */
export const ROUTE_MATCH_CACHE_ENTRIES = 512;
/** Longer paths are matched every time: no legitimate Warden path is near it, and keys stay small. */
export const ROUTE_MATCH_CACHE_MAX_PATH = 256;

// ---- `warden users import` (src/cli/commands/users-import.ts; Node, not the Worker) ----

/** Requests at a time: a few in flight hide the round trip without racing the management API's 1,200/min. */
export const USERS_IMPORT_CONCURRENCY = 8;
/** `--concurrency` at most: more only trades rows for 429s against one caller's global budget. */
export const USERS_IMPORT_MAX_CONCURRENCY = 64;
/** Times one request is retried after a 429: enough to ride out a window or two, not to hang on a hard limit. */
export const USERS_IMPORT_MAX_RETRIES = 5;
/** The longest `Retry-After` honoured (seconds): the management API's windows are a minute long. */
export const USERS_IMPORT_MAX_RETRY_WAIT_SECONDS = 60;

// --- Users API (src/directory/users.ts, src/admin/users.ts) -----------------------------------------

/** Okta's page size for `GET /api/v1/users` without `q`, and its largest (`limit` above it is taken as 200). */
export const USERS_PAGE_LIMIT = { default: 200, max: 200 } as const;
/** Okta: with `q`, the list defaults to 10 users (q is a people-picker lookup, not a listing). */
export const USERS_Q_PAGE_LIMIT = { default: 10, max: 200 } as const;
/** Bound on `q`: a prefix of a name or an email address, never longer than Okta's 100-character email. */
export const USERS_Q_MAX_LENGTH = 100;
/**
 * Values a compiled `filter` / `search` may bind: D1 takes at most 100 bound parameters per statement,
 * and the list binds up to 9 of its own (a custom sort key's JSON path in the select, the order and
 * three times in the cursor; the cursor's key twice and its id; the limit).
 */
export const USERS_FILTER_MAX_PARAMS = 100 - 9;
/**
 * A user's profile as stored (JSON), standard and custom attributes together: Okta's profile is a few
 * dozen short attributes; 16 KiB keeps every row (and the GROUPS / `user.*` reads of it) small.
 */
export const USER_PROFILE_MAX_BYTES = 16 * 1024;
/** A user request body: a profile at its bound, a password and group ids, with room to spare. */
export const USER_BODY_MAX_BYTES = 64 * 1024;
/** `groupIds` in one create: Okta takes a short list; each is one insert in the same batch. */
export const USER_CREATE_MAX_GROUPS = 50;
/** Okta's base user schema: `login` and `email` at most 100 characters, the names at most 50. */
export const USER_LOGIN_MAX_LENGTH = 100;
export const USER_NAME_MAX_LENGTH = 50;
/** Retries of a profile update that lost a race with another write to the same user (compare-and-set). */
export const USER_UPDATE_MAX_ATTEMPTS = 3;

// --- Groups, memberships and app assignments (src/directory/groups.ts, memberships.ts, assignments.ts) ---
/** Okta's group `profile.name`: at most 255 characters. */
export const GROUP_NAME_MAX_LENGTH = 255;
/** Okta's group `profile.description`: at most 1024 characters. */
export const GROUP_DESCRIPTION_MAX_LENGTH = 1024;
/** Custom attributes one group or assignment profile may hold: profiles are read with every sign-in, keep them small. */
export const PROFILE_MAX_ATTRIBUTES = 64;
/** A custom attribute's string value (and each string of an array value), in characters. */
export const PROFILE_VALUE_MAX_LENGTH = 1024;
/** Items in one array-valued custom attribute. */
export const PROFILE_ARRAY_MAX_ITEMS = 100;
/** A group or assignment request body: a D1 row read on sign-in, so far below D1's 2 MB row limit. */
export const DIRECTORY_BODY_MAX_BYTES = 32 * 1024;
/** `GET /groups`: Okta pages 10,000; Warden pages smaller so one D1 read stays bounded (SDKs follow `Link`). */
export const GROUPS_PAGE_LIMIT = { default: 200, max: 1000 } as const;
/** `GET /groups/{id}/users`: Okta's default and largest page, 1000. */
export const GROUP_MEMBERS_PAGE_LIMIT = { default: 1000, max: 1000 } as const;
/** `GET /apps/{id}/users`: Okta's default page of 50 and maximum of 500. */
export const APP_USERS_PAGE_LIMIT = { default: 50, max: 500 } as const;
/** `GET /apps/{id}/groups`: Okta's default page of 20 and maximum of 200. */
export const APP_GROUPS_PAGE_LIMIT = { default: 20, max: 200 } as const;
/** `q` on groups and app assignments: a name prefix typed into a picker, never a document. */
export const DIRECTORY_Q_MAX_LENGTH = 256;
/**
 * Values a group `filter` and `search` may bind together: D1 takes at most 100 bound parameters per
 * statement, and the group list binds up to 4 of its own (`q` twice, `after`, `limit`).
 */
export const GROUP_SEARCH_MAX_PARAMS = 100 - 4;

// --- Sign-in, sessions and /v1/authorize (src/signin/, issue 11) ---
/** Okta's default global session policy ends a session idle for 2 hours. */
export const SESSION_IDLE_SECONDS = 2 * 3600;
/**
 * A session's absolute end, however busy: Okta's default leaves it unbounded; Warden caps it at a day
 * (OWASP Session Management Cheat Sheet: absolute timeouts), after which the user signs in again.
 */
export const SESSION_MAX_LIFETIME_SECONDS = 24 * 3600;
/** Random bytes in a `sid` cookie value: 256 bits, so its stored SHA-256 digest is the right hash. */
export const SESSION_SECRET_BYTES = 32;
/** Okta's `/api/v1/authn` sessionToken is single-use and lives 5 minutes. */
export const SESSION_TOKEN_LIFETIME_SECONDS = 300;
/** Random bytes in a sessionToken: 256 bits (a bearer credential, stored as its SHA-256 digest). */
export const SESSION_TOKEN_BYTES = 32;
/**
 * How long a sign-in page stays usable once shown: long enough to find a password, short enough that
 * a form left open on a shared machine does not keep an authorization request alive for a day.
 */
export const SIGN_IN_TRANSACTION_LIFETIME_SECONDS = 600;
/** Random bytes in the browser's CSRF secret (the cookie a sign-in form is bound to): 128 bits. */
export const SIGN_IN_CSRF_BYTES = 16;
/** An authorization request (query or form) is a dozen short parameters: 16 KiB is plenty. */
export const AUTHORIZE_REQUEST_MAX_BYTES = 16 * 1024;
/**
 * The longest `state`, `nonce` or `login_hint` accepted: they travel in a URL and in the sealed sign-in
 * form; 2 KiB holds any client library's values (okta-auth-js sends 64 characters).
 */
export const AUTHORIZE_PARAM_MAX_LENGTH = 2048;
/** A sign-in form or `/api/v1/authn` body: a username, a password and a sealed request. */
export const SIGN_IN_BODY_MAX_BYTES = 32 * 1024;
/** Okta's defaults for a profile without `locale` / `timeZone`, as `/api/v1/authn` reports them. */
export const DEFAULT_USER_LOCALE = "en_US";
export const DEFAULT_USER_TIME_ZONE = "America/Los_Angeles";
// --- Grants: authorization codes and ID tokens (issue 11, src/grants/, src/tokens/id-token.ts) ---

/** Okta's authorization-code lifetime (RFC 6749 §4.1.2 recommends at most 10 minutes). */
export const AUTHORIZATION_CODE_LIFETIME_SECONDS = 300;

/** Random bytes in a code's secret: 256 bits, so a fast hash (SHA-256) is sound, as for client secrets. */
export const AUTHORIZATION_CODE_SECRET_BYTES = 32;

/**
 * Presentations of a code with the right secret but the wrong client, `redirect_uri` or PKCE verifier
 * it survives: a refused one leaves the code for its rightful client, a repeated one ends it.
 */
export const AUTHORIZATION_CODE_MAX_REFUSALS = 5;

/**
 * How long a redeemed grant is kept: Okta's longest access-token lifetime (1440 minutes, which an
 * inline hook cannot exceed), so every token it issued can be asked about until it expires.
 */
export const REDEEMED_GRANT_RETENTION_SECONDS = 1440 * 60;

/** Random bytes in a refresh token's secret: 256 bits (DESIGN §8 asks ≥ 128), so SHA-256 is a sound hash. */
export const REFRESH_TOKEN_SECRET_BYTES = 32;

/** Okta's ID-token lifetime: 60 minutes, fixed. */
export const ID_TOKEN_LIFETIME_SECONDS = 3600;

// --- Trusted origins, CORS and the app's OpenID Connect fields (src/config/origins.ts, oidc-app.ts, src/oauth/cors.ts) ---
/** Okta's page size for `GET /api/v1/trustedOrigins` when no `limit` is given, and its largest. */
export const TRUSTED_ORIGINS_PAGE_LIMIT = { default: 20, max: 200 } as const;
/** Every edge holds every ACTIVE origin in one KV record read once per isolate: keep that record small. */
export const MAX_TRUSTED_ORIGINS = 1000;
/** A trusted origin request is a name, an origin and two scopes: 16 KiB is far more than any needs. */
export const TRUSTED_ORIGIN_BODY_MAX_BYTES = 16 * 1024;
/** `q` and `filter` on trusted origins: a name or origin typed into a search box, never a document. */
export const TRUSTED_ORIGINS_QUERY_MAX_LENGTH = 512;
/**
 * How long a browser may reuse a CORS preflight answer (Fetch §3.2.5, `Access-Control-Max-Age`):
 * Chromium's own cap (2 h). A deactivated origin loses nothing by it: every actual response checks
 * the origin again, and without `Access-Control-Allow-Origin` the browser hands the page nothing.
 */
export const CORS_MAX_AGE_SECONDS = 7200;
/** Okta's `settings.oauthClient.refresh_token.leeway`: 0–60 seconds, 30 when not given. */
export const REFRESH_TOKEN_LEEWAY_SECONDS = 30;
export const REFRESH_TOKEN_LEEWAY_RANGE = { min: 0, max: 60 } as const;
/** Redirect URIs per app: Okta takes long lists, but every authorize request scans them; 100 is plenty. */
export const MAX_REDIRECT_URIS = 100;

// ---- consent (src/signin/consent.ts, src/admin/user-grants.ts) ----
/** Okta's page size for a user's grants (`listUserGrants`: 20 by default, 200 at most). */
export const CONSENT_GRANTS_PAGE_LIMIT = { default: 20, max: 200 } as const;
/** Longest `clientId` / `scopeId` the grants API reads: ids are 20–100 characters; more is a 400, not a scan. */
export const CONSENT_GRANTS_QUERY_MAX_LENGTH = 100;

// --- Org server sign-in and session sweep (orgauth) -----------------------------------------------

/** Expired session rows the daily cron deletes per statement: bounded so one run never holds D1's writer long. */
export const SESSION_SWEEP_BATCH = 1000;
/** Statements per table per sweep: 50 k sessions a day ends far more sign-ins than one D1 primary takes. */
export const SESSION_SWEEP_MAX_BATCHES = 50;

// ---- Device authorization, RFC 8628 (src/grants/device-authorization.ts, src/oauth/device-authorize.ts, src/signin/activate.ts) ----
/** Okta's `expires_in` for a device code: 10 minutes (RFC 8628 §3.2 leaves it to the server). */
export const DEVICE_CODE_LIFETIME_SECONDS = 600;
/** Okta's `interval`: 5 s between polls, also RFC 8628 §3.2's default when none is sent. */
export const DEVICE_CODE_POLL_INTERVAL_SECONDS = 5;
/** RFC 8628 §3.5 `slow_down`: "the interval MUST be increased by 5 seconds" for every later poll. */
export const DEVICE_CODE_SLOW_DOWN_SECONDS = 5;
/** Random bytes in a device code's secret: 256 bits, so a fast hash (SHA-256) is sound, as for codes. */
export const DEVICE_CODE_SECRET_BYTES = 32;
/**
 * How long an expired or denied device grant keeps answering `expired_token` / `access_denied` before it
 * is forgotten (then `invalid_grant`): a device that polled on schedule has long since heard the answer.
 */
export const DEVICE_CODE_RETENTION_SECONDS = 600;
/**
 * User-code characters: RFC 8628 §6.1's example, 8 of the 20 consonants (20^8 ≈ 2^34.6), shown as
 * four, a dash, four (`WDJB-MJHT`). Enough against guessing only with rate-limited entry (§5.1): DEVICE_USER_CODE_RATE_LIMIT.
 */
export const DEVICE_USER_CODE_LENGTH = 8;
/** Fresh user codes drawn before /v1/device/authorize gives up: a live collision is ~1 in 10^7 per draw. */
export const DEVICE_USER_CODE_DRAWS = 5;
/**
 * User-code entries on `/activate` per client address per minute, per location (RFC 8628 §5.1 brute
 * force): a person types a code once or twice; at 10 a minute one address needs ~10^5 years for an
 * even chance at one of a thousand live codes.
 */
export const DEVICE_USER_CODE_RATE_LIMIT = { limit: 10, windowSeconds: 60 } as const;
/** Longest `user_code` entry read: a code is 9 characters with its dash; anything past 64 is not one. */
export const DEVICE_USER_CODE_INPUT_MAX_LENGTH = 64;
/** How long the `/activate` forms (code entry, sign-in, approval) stay good: as the sign-in form. */
export const DEVICE_ACTIVATION_FORM_LIFETIME_SECONDS = 600;
/** Expired user-code rows deleted beside each new one, so the D1 table stays bounded without a cron. */
export const DEVICE_USER_CODE_SWEEP = 20;

// ---- admin roles (src/admin/user-roles.ts) ----
/** A role assignment request is `{"type": "SUPER_ADMIN"}`: 4 KiB is far more than any needs. */
export const ADMIN_ROLE_BODY_MAX_BYTES = 4 * 1024;

// ---- grant and token management (src/directory/grant-index.ts, src/admin/refresh-tokens.ts) ----
/** Okta's page size for refresh tokens (`listRefreshTokensForUserAndClient`: 20 by default, 200 at most). */
export const REFRESH_TOKENS_PAGE_LIMIT = { default: 20, max: 200 } as const;
/** Apps listed by `/users/{id}/clients` and `/authorizationServers/{id}/clients` (Okta pages neither): one page's worth. */
export const GRANT_CLIENTS_MAX = 200;
/** Grant objects revoked at once by one directory write: enough to overlap round trips, few enough not to flood one colo. */
export const GRANT_REVOCATION_PARALLELISM = 8;
/** Index rows read per step of a revocation sweep. */
export const GRANT_REVOCATION_BATCH = 100;
/** Grant objects one request revokes at most: under the Workers limit of 1,000 subrequests, with room for the rest of the request. */
export const GRANT_REVOCATION_MAX_PER_REQUEST = 800;

// ---- token exchange (RFC 8693; src/oauth/grants/token-exchange.ts, src/oauth/subject-token.ts) ----
/**
 * Trusted servers per authorization server (Okta's `associatedServers`): each is a snapshot and a
 * keyset an exchange may read; a deployment's servers are few, and 50 bounds that work.
 */
export const MAX_TRUSTED_SERVERS = 50;

// ---- delegation depth (RFC 8693 §4.1; src/oauth/grants/token-exchange.ts) ----
/**
 * Most `act` levels an exchanged token may carry: each exchange of an exchanged token nests the
 * previous actor one level deeper (RFC 8693 §4.1 allows it, sets no bound). Five hops cover a real
 * chain of services (gateway → service → service …); anything deeper is a loop between services
 * exchanging each other's tokens, and every level grows a token that travels in request headers.
 */
export const TOKEN_EXCHANGE_MAX_ACT_DEPTH = 5;

// ---- the grant index's idle ends (src/grants/grant-object.ts, src/directory/grant-index.ts) ----
/**
 * How far ahead of a family's idle end its index row is written, so that its Grant object reports
 * uses to D1 at most once per this much use rather than at every refresh (capped at half the
 * family's window): lists may show a family this long after it idled out, never less long, and its
 * `lastUpdated` this stale. One hour turns a client refreshing every 5 minutes into one D1 write an
 * hour, and is well under the default 7-day window.
 */
export const GRANT_INDEX_IDLE_SLACK_MS = 60 * 60_000;
