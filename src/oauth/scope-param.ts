import { OAuthError } from "../errors";

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), tokens delimited by single spaces. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** The requested scopes, in request order, without repeats; empty when none were requested. */
export function parseScopeParam(scope: string | undefined): string[] {
  if (scope === undefined) return [];
  const tokens = scope.split(" ");
  if (tokens.some((t) => !SCOPE_TOKEN.test(t))) {
    throw new OAuthError("invalid_scope", "The 'scope' parameter is malformed.");
  }
  return [...new Set(tokens)];
}
