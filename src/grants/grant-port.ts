import type { DeviceDecision, DevicePoll, DeviceRequest } from "./device-authorization";

/**
 * The port through which protocol code reaches grants (DESIGN §1 "Grant"): one sign-in of one user to
 * one client is one Durable Object, created near the user at `/v1/authorize`, which holds the
 * authorization code and (issue 12) the refresh-token family. Its address travels inside the code
 * and inside every token it issues, so no lookup table sits on the path.
 *
 * `/v1/authorize` calls `issueCode` once the user signed in and policy allowed; the
 * authorization_code grant calls `redeemCode`; `/v1/userinfo` (and introspection) call `isActive`
 * for a token whose `jti` names its grant (`grantIdOfJti`, src/grants/grant-id.ts).
 *
 * Refresh tokens (issue 12, src/grants/refresh-rotation.ts): `startRefresh` gives a grant that a code
 * (or, later, a device code) made ACTIVE its family; `openRefresh` opens a grant born ACTIVE for a
 * grant that had no object (password); `refresh` rotates; `introspectRefresh`, `revokeRefresh` and
 * `revokeAccessToken` serve /v1/introspect and /v1/revoke; `describe` lists a grant's public facts.
 * A refresh token is `<grant id>.<secret>` like a code, so it names its object.
 */
import type { FamilySettings } from "./refresh-rotation";

export type { FamilySettings } from "./refresh-rotation";

/** What /v1/authorize decided, bound into the code (RFC 6749 §4.1.2, §10.5; OIDC Core §3.1.2). */
export interface AuthorizedRequest {
  serverId: string;
  clientId: string;
  /** The exact `redirect_uri` of the authorization request; the token request must repeat it (RFC 6749 §4.1.3). */
  redirectUri: string;
  /** S256 only (RFC 7636 §4.2); undefined only for confidential clients. */
  codeChallenge: string | undefined;
  /** OIDC Core §3.1.2.1: echoed into the ID token. */
  nonce: string | undefined;
  /** Granted by policy at authorize (Okta: not re-evaluated at exchange). */
  scopes: string[];
  userId: string;
  /** Epoch seconds: when the user authenticated (OIDC Core §2 `auth_time`). */
  authTime: number;
  /** RFC 8176 authentication method references, e.g. `["pwd"]`. */
  amr: string[];
  /** The sign-in session the code came from, when there was one (for logout). */
  sessionId: string | undefined;
  /** The policy decision taken at authorize: it drives lifetimes and the inline hook at exchange. */
  decision: AuthorizedDecision;
}

export interface AuthorizedDecision {
  policyId: string;
  ruleId: string;
  accessTokenLifetimeSeconds: number;
  inlineHookId?: string | undefined;
  /** Issue 12: the rule's refresh-token lifetimes, carried for the refresh family. */
  refreshTokenLifetimeMinutes?: number | undefined;
  refreshTokenWindowMinutes?: number | undefined;
}

/** What the token request presents beside the code (RFC 6749 §4.1.3, RFC 7636 §4.5). */
export interface CodePresentation {
  /** The authorization server whose token endpoint was called: a code is good at its own server only. */
  serverId: string;
  /** The authenticated client (or the public client's `client_id`). */
  clientId: string;
  redirectUri: string;
  /** RFC 7636 §4.1 syntax already checked by the caller; undefined when not sent. */
  codeVerifier: string | undefined;
}

/**
 * The outcome of one redemption. `invalid` covers every reason a code is not (or no longer) good:
 * unknown, malformed, expired, another client's, already redeemed (which also revoked the grant).
 * A refused presentation (`redirect_uri_mismatch`, `pkce_failed`) leaves the code unredeemed, so a
 * thief who lacks the verifier cannot burn the rightful client's code, up to a few attempts.
 */
export type CodeRedemption =
  | { ok: true; grantId: string; request: AuthorizedRequest }
  | { ok: false; reason: "invalid" | "redirect_uri_mismatch" | "pkce_failed" };

/** Who may end a grant with one of its tokens: its own client, at its own server (RFC 7009 §2.1). */
export interface GrantOwner {
  serverId: string;
  clientId: string;
}

/** Whether `request`'s grant belongs to `owner`. */
export function ownedBy(
  request: Pick<AuthorizedRequest, "serverId" | "clientId">,
  owner: GrantOwner,
): boolean {
  return request.serverId === owner.serverId && request.clientId === owner.clientId;
}

/** What a refresh request presents beside the token (RFC 6749 §6). */
export interface RefreshRequest {
  serverId: string;
  /** The authenticated client: only the family's own client may refresh it. */
  clientId: string;
  /** The `scope` parameter, parsed; undefined when absent (then the family's scopes). */
  scopes: readonly string[] | undefined;
}

/**
 * One refresh. `invalid` covers every token that is not (or no longer) good: unknown, malformed,
 * expired, another client's, revoked. `reuse`: a rotated token presented after the leeway, which has
 * just revoked the grant (the caller logs `app.oauth2.as.token.detect_reuse`).
 */
export type RefreshOutcome =
  | { ok: true; grantId: string; request: AuthorizedRequest; refreshToken: string; scopes: string[] }
  | { ok: false; reason: "invalid" | "invalid_scope" }
  | { ok: false; reason: "reuse"; grantId: string; request: AuthorizedRequest };

/** A live refresh token, as introspection reports it. */
export interface RefreshTokenFacts {
  grantId: string;
  request: AuthorizedRequest;
  /** The family's scopes. */
  scopes: string[];
  /** Epoch ms: when this token was issued (the family's birth, or the rotation that made it). */
  issuedAt: number;
  /** Epoch ms: when it stops being accepted unless used (idle window, capped by the absolute lifetime). */
  expiresAt: number;
}

/** A grant's public facts, for listings (Okta's `/api/v1/users/{uid}/clients/{cid}/tokens`). */
export interface GrantFacts {
  grantId: string;
  status: "CODE" | "ACTIVE" | "REVOKED";
  serverId: string;
  clientId: string;
  userId: string;
  scopes: string[];
  /** Epoch ms: when the grant may be forgotten. */
  expiresAt: number;
  /** The refresh family, when the grant has one. */
  refresh?:
    | { issuedAt: number; expiresAt: number; lastUsedAt: number; rotation: "ROTATE" | "STATIC" }
    | undefined;
}

export interface GrantPort {
  /** A new grant holding a code for `request`, valid for AUTHORIZATION_CODE_LIFETIME_SECONDS. */
  issueCode(request: AuthorizedRequest, nowMs: number): Promise<string>;
  /** Redeems `code` exactly once; a second redemption revokes the grant and all it issued. */
  redeemCode(code: string, presented: CodePresentation, nowMs: number): Promise<CodeRedemption>;
  /**
   * Whether the grant `grantId` (from a token's `jti`) still stands: redeemed, not revoked, not
   * expired; with `jti`, also that this access token was not revoked on its own (/v1/revoke).
   */
  isActive(grantId: string, nowMs: number, jti?: string): Promise<boolean>;
  /** Revokes the grant: every token it issued stops being accepted where the grant is asked. Idempotent. */
  revoke(grantId: string, nowMs: number): Promise<void>;
  /** The refresh token of an ACTIVE grant's new family; undefined when the grant is not ACTIVE or has one. */
  startRefresh(grantId: string, settings: FamilySettings, nowMs: number): Promise<string | undefined>;
  /** A new grant born ACTIVE with its refresh family (for a grant that had no object: password). */
  openRefresh(
    request: AuthorizedRequest,
    settings: FamilySettings,
    nowMs: number,
  ): Promise<{ grantId: string; refreshToken: string }>;
  /** Refreshes: rotation, the leeway and reuse detection (src/grants/refresh-rotation.ts). */
  refresh(token: string, presented: RefreshRequest, nowMs: number): Promise<RefreshOutcome>;
  /** The facts of a live refresh token (its family's current one), or undefined. */
  introspectRefresh(token: string, nowMs: number): Promise<RefreshTokenFacts | undefined>;
  /**
   * Ends the grant of a refresh token of `clientId`'s (any token of the family): the grant's id; for
   * anything else nothing changes and the answer is undefined.
   */
  revokeRefresh(token: string, owner: GrantOwner, nowMs: number): Promise<string | undefined>;
  /** Revokes one access token of the grant (`jti`), until `expiresAtMs`; the grant stands. */
  revokeAccessToken(grantId: string, jti: string, expiresAtMs: number, nowMs: number): Promise<void>;
  /** The grant's public facts, or undefined when there is no such grant (or it was forgotten). */
  describe(grantId: string, nowMs: number): Promise<GrantFacts | undefined>;

  // ---- Device authorization (RFC 8628): src/grants/device-authorization.ts ----
  /** A new grant, PENDING for DEVICE_CODE_LIFETIME_SECONDS; its id and the device code (`<grant id>.<secret>`). */
  openDevice(request: DeviceRequest, nowMs: number): Promise<{ grantId: string; deviceCode: string }>;
  /** What a pending, live device grant asks for (the approval page); undefined otherwise. */
  deviceRequest(grantId: string, nowMs: number): Promise<DeviceRequest | undefined>;
  /** The user's approval or denial, taken once while pending; false when it came too late. */
  decideDevice(grantId: string, decision: DeviceDecision, nowMs: number): Promise<boolean>;
  /** One poll with `deviceCode` by `clientId` at `serverId`; after approval exactly one poll gets `ok`. */
  pollDevice(
    deviceCode: string,
    presented: { serverId: string; clientId: string },
    nowMs: number,
  ): Promise<DevicePoll>;
  // ---- end device authorization ----
}
