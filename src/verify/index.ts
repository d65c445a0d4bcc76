/** `warden/verify`: verify Warden (and Okta) access tokens in an API, as a function or Hono middleware. */
export type { AccessTokenFacts } from "./claims";
export { REQUIRED_CLAIMS } from "./claims";
export { SUPPORTED_ALGORITHMS } from "./defaults";
export type { AuthFailure, AuthFailureReason, RequestFailureReason, VerifyFailureReason } from "./errors";
export { TokenVerificationError } from "./errors";
export type { Algorithm } from "./key-set";
export type { WardenAuthOptions, WardenEnv, WardenVariables } from "./middleware";
export { bearerErrorResponse, requireScopes, wardenAuth } from "./middleware";
export type { BearerError, BearerErrorCode } from "./rfc6750";
export { bearerError } from "./rfc6750";
export type { ProfileOption, TokenProfile } from "./token-header";
export type { VerifiedToken, Verifier, VerifierOptions, VerifyContext } from "./verifier";
export { createVerifier } from "./verifier";
