/**
 * What a grant type module is (RFC 6749 §4: the ways a client proves it may have a token). The token
 * endpoint (src/oauth/token.ts) runs the same steps for every grant; the module's one step is to
 * resolve the request's grant-specific parameters into a `GrantRequest`: for whom the token is and
 * what it asks for. Registered in `registry.ts`; a new grant type is a new module there, never an edit
 * of the endpoint.
 */
import type { Client } from "../../config/schemas";
import type { Ports } from "../../context";
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
}

/** What the grant established; policy evaluation and the claim set start from it. */
export interface GrantRequest {
  grantType: SupportedGrantType;
  client: Client;
  /** The scopes asked for (RFC 6749 §3.3), in request order, without repeats; empty when none. */
  requestedScopes: readonly string[];
}

export interface Grant {
  /** The `grant_type` value this module answers. */
  readonly type: SupportedGrantType;
  /** Throws an OAuthError (`invalid_grant`, `invalid_request`, …) when the grant does not hold. */
  resolve(input: GrantInput): GrantRequest | Promise<GrantRequest>;
}
