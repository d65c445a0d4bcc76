/**
 * What a grant type module is (RFC 6749 §4: the ways a client proves it may have a token). The token
 * endpoint (src/oauth/token.ts) runs the same steps for every grant; the module's one step is to
 * resolve the request's grant-specific parameters into a `GrantRequest`: for whom the token is and
 * what it asks for. Registered in `registry.ts`; a new grant type is a new module there, never an edit
 * of the endpoint.
 */
import type { Client } from "../../config/schemas";
import type { Ports } from "../../context";
import type { TokenSubject } from "../../directory/directory";
import type { AuthorizedRequest } from "../../grants/grant-port";
import type { RequestInfo } from "../../log/event";
import type { FormParams } from "../form-body";
import type { SupportedGrantType } from "./registry";

export interface GrantInput {
  /** The authenticated client (RFC 6749 §3.2.1). */
  client: Client;
  /** The token request's form parameters, each at most once. */
  params: FormParams;
  ports: Ports;
  /** Epoch seconds. */
  now: number;
  /**
   * Where the request came from: the user grants count sign-in attempts per address and log
   * failed sign-ins with it. Absent in Token Preview, which runs no grant that reads it.
   */
  origin?: RequestOrigin | undefined;
}

/** What `resolve` is given: the request, and the authorization server it addresses (for the log). */
export interface ResolveInput extends GrantInput {
  serverId: string;
}

export interface RequestOrigin {
  /** The rate limiters' key for the client's address (src/oauth/rate-limit.ts `clientAddress`). */
  address: string | undefined;
  /** The request as the system log records it. */
  info: () => RequestInfo;
}

/** What the grant established; policy evaluation and the claim set start from it. */
export interface GrantRequest {
  grantType: SupportedGrantType;
  client: Client;
  /** The scopes asked for (RFC 6749 §3.3), in request order, without repeats; empty when none. */
  requestedScopes: readonly string[];
  /**
   * The resource owner, for user grants (password): the user, its groups and its assignment to
   * the client. Absent for client_credentials, whose token is the client's own.
   */
  subject?: TokenSubject | undefined;
  /**
   * Set by the authorization_code grant: the grant the code belonged to and what /v1/authorize
   * decided. Policy is not evaluated again (Okta); the decision, the sign-in (`auth_time`, `amr`)
   * and the `nonce` come from here, and the tokens name the grant so that revoking it revokes them.
   */
  authorized?: { grantId: string; request: AuthorizedRequest } | undefined;
  /**
   * The refresh token the response carries (issue 12): set by the refresh_token grant (the rotated or
   * static token) or by the issuance step (src/oauth/refresh-issuance.ts) for a new family.
   */
  refreshToken?: string | undefined;
}

export interface Grant {
  /** The `grant_type` value this module answers. */
  readonly type: SupportedGrantType;
  /** Throws an OAuthError (`invalid_grant`, `invalid_request`, …) when the grant does not hold. */
  resolve(input: ResolveInput): GrantRequest | Promise<GrantRequest>;
}
