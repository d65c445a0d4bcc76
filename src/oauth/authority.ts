/**
 * What differs between the two kinds of authorization server at the token endpoint: a custom server
 * (`/oauth2/{as}`: its access policies, custom claims and inline hooks) and the org server
 * (`/oauth2/v1`: okta.* scopes an admin granted, for the management API). The endpoint's steps are the
 * same for both (src/oauth/token.ts); each server supplies these.
 */
import type { ClaimFailure } from "../claims/resolve";
import type { SigningAlg } from "../config/schemas";
import type { Ports } from "../context";
import type { TraceEntry } from "../policy";
import type { AccessTokenClaims } from "../tokens/access-token";
import type { IdTokenClaims } from "../tokens/id-token";
import type { PresentedCredentials } from "./client-auth";
import type { GrantRequest } from "./grants/grant";
import type { SupportedGrantType } from "./grants/registry";

/** What policy decided; a server's own decision type adds what its later steps need. */
export interface TokenDecision {
  /** The scopes granted, in the token and in the response's `scope`. */
  scopes: readonly string[];
  /** Every policy and rule looked at, and why each did not match: for logs and Token Preview. */
  trace: readonly TraceEntry[];
}

export interface BuiltClaims {
  token: AccessTokenClaims;
  /** Custom claims left out because they failed; recorded, never fatal. */
  claimFailures: readonly ClaimFailure[];
}

/** What the inline-hook step is told beside the claim set. */
export interface HookContext {
  request: Request;
  ports: Ports;
  /** Epoch seconds. */
  now: number;
}

export interface TokenAuthority<D extends TokenDecision = TokenDecision> {
  /** The server's id in logs; its keys are `keysetId`'s. */
  readonly serverId: string;
  /** What the system log keeps of this server's grants (default AGGREGATED: counted per minute). */
  readonly grantLogging?: "AGGREGATED" | "FULL";
  readonly keysetId: string;
  readonly issuer: string;
  /** The grant types this server's token endpoint accepts. */
  readonly grantTypes: readonly SupportedGrantType[];
  /** RFC 7523 §3 item 3: what a client assertion's `aud` may be (the token endpoint, the issuer). */
  readonly assertionAudiences: readonly string[];
  /** Refuses a client authentication method this server never accepts for `grantType`, before any lookup. */
  checkAuthMethod(method: PresentedCredentials["method"], grantType: SupportedGrantType): void;
  /** Evaluates policy; throws an OAuthError (with the trace, when policies were evaluated). */
  decide(request: GrantRequest): D;
  /**
   * The access token's claim set, unsigned. A promise where custom claims load the expression
   * language on first use (src/claims/lazy-resolve.ts).
   */
  buildClaims(request: GrantRequest, decision: D, now: number): BuiltClaims | Promise<BuiltClaims>;
  /**
   * OpenID Connect (OIDC Core §3.1.3.3): the ID token to sign beside `accessToken`, with the same
   * key, or undefined when none is due (no user, or `openid` not granted). Absent on the org server.
   */
  buildIdToken?(
    request: GrantRequest,
    decision: D,
    issued: { accessToken: string; alg: SigningAlg; now: number },
  ): Promise<IdTokenClaims | undefined>;
  /** The claim set to sign, after the rule's token inline hook (if any) had its say. */
  applyHook(
    request: GrantRequest,
    decision: D,
    token: AccessTokenClaims,
    context: HookContext,
  ): Promise<AccessTokenClaims>;
}
