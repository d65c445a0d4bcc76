/**
 * The authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1, RFC 7636 §4.3), read and checked.
 * Pure: parameters and the client in, a checked request or an error out; the endpoint decides what to
 * do with either (src/signin/authorize.ts).
 *
 * Where an error goes is the security decision here (RFC 6749 §4.1.2.1, §10.15; Okta does the same):
 * until `client_id` names an active client and `redirect_uri` is exactly one it registered, nothing
 * is redirected — the user sees an HTML 400 page, so Warden never becomes an open redirector.
 * Every later error goes back to the client at that URI, with `state` when it was readable.
 *
 * Only `response_type=code`: the implicit and hybrid flows put tokens in the front channel, and the
 * OAuth 2.0 Security BCP (RFC 9700 §2.1.2) says not to use them. Okta supports them; Warden chooses
 * not to, and answers `unsupported_response_type`.
 */
import { AUTHORIZE_PARAM_MAX_LENGTH } from "../config/defaults";
import { oidcSettings } from "../config/oidc-app";
import type { Client } from "../config/schemas";
import { echo, OAuthError } from "../errors";
import { parseScopeParam } from "../oauth/scope-param";

export type ResponseMode = "query" | "fragment" | "form_post" | "okta_post_message";
export const RESPONSE_MODES: readonly ResponseMode[] = [
  "query",
  "fragment",
  "form_post",
  "okta_post_message",
];

/** RFC 6749 §4.1.2.1 and OIDC Core §3.1.2.6 codes an authorization error response may carry. */
export type AuthorizeErrorCode =
  | "invalid_request"
  | "unauthorized_client"
  | "access_denied"
  | "unsupported_response_type"
  | "unsupported_response_mode"
  | "invalid_scope"
  | "server_error"
  | "temporarily_unavailable"
  | "login_required"
  | "consent_required"
  | "request_not_supported"
  | "request_uri_not_supported";

/** OIDC Core §3.1.2.1 `prompt`: which of its values the request named. */
export interface Prompt {
  none: boolean;
  login: boolean;
  consent: boolean;
}

/** A checked authorization request: everything later steps need, nothing they must re-check. */
export interface AuthorizeRequest {
  clientId: string;
  /** Exactly one of the client's registered `redirect_uris` (RFC 6749 §3.1.2.3, simple string comparison). */
  redirectUri: string;
  responseMode: ResponseMode;
  /** Required, as Okta requires it (RFC 6749 §10.12: the client's CSRF protection). */
  state: string;
  /** Requested scopes in request order without repeats; empty means the server's defaults. */
  scopes: string[];
  nonce?: string | undefined;
  /** RFC 7636 S256 challenge: 43 base64url characters. */
  codeChallenge?: string | undefined;
  prompt: Prompt;
  /** OIDC Core §3.1.2.1 `max_age`, in seconds. */
  maxAge?: number | undefined;
  loginHint?: string | undefined;
  /** Okta's `/api/v1/authn` single-use token, traded here for a session. */
  sessionToken?: string | undefined;
}

/** Where an error response goes, once the redirect URI is known to be the client's own. */
export interface ReplyTarget {
  redirectUri: string;
  responseMode: ResponseMode;
  state?: string | undefined;
}

export type AuthorizeParse =
  | { ok: true; request: AuthorizeRequest }
  /** Not redirectable (RFC 6749 §4.1.2.1): shown to the user on an HTML 400 page. */
  | { ok: false; redirect: false; error: "invalid_client" | "invalid_request"; description: string }
  | { ok: false; redirect: true; target: ReplyTarget; error: AuthorizeErrorCode; description: string };

/** Okta's texts for the two errors that are never redirected. */
export const INVALID_CLIENT_ID = "Invalid value for 'client_id' parameter.";
export const INVALID_REDIRECT_URI =
  "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.";

/** RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is always 43 characters without padding. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

const PROMPT_VALUES: ReadonlySet<string> = new Set(["none", "login", "consent"]);

/** Parameters whose value is bounded by AUTHORIZE_PARAM_MAX_LENGTH (the rest are bounded by their syntax). */
const BOUNDED = ["state", "nonce", "login_hint", "sessionToken", "scope", "code_challenge"] as const;

/**
 * Reads `pairs` (query or form, in order, repeats kept so they can be refused: RFC 6749 §3.1) for
 * `client`, which the caller looked up by the request's `client_id` (undefined when there is no such
 * active client).
 */
export function parseAuthorizeRequest(
  pairs: Iterable<readonly [string, string]>,
  client: Client | undefined,
): AuthorizeParse {
  const params = new Map<string, string[]>();
  for (const [name, value] of pairs) {
    // RFC 6749 §3.1: a parameter sent without a value is treated as omitted.
    if (value === "") continue;
    params.set(name, [...(params.get(name) ?? []), value]);
  }
  const one = (name: string) => params.get(name)?.[0];

  const clientIds = params.get("client_id") ?? [];
  if (clientIds.length !== 1 || !client || client.client_id !== clientIds[0]) {
    return { ok: false, redirect: false, error: "invalid_client", description: INVALID_CLIENT_ID };
  }
  const redirectUris = params.get("redirect_uri") ?? [];
  const redirectUri = redirectUris[0];
  // Okta requires redirect_uri even when one is registered (RFC 6749 §3.1.2.3 lets it); exact match.
  if (redirectUris.length !== 1 || redirectUri === undefined || !client.redirect_uris.includes(redirectUri)) {
    return { ok: false, redirect: false, error: "invalid_request", description: INVALID_REDIRECT_URI };
  }

  // From here on every error is redirected; the mode it travels in is the request's own when valid.
  const requestedMode = one("response_mode");
  // okta_post_message addresses the redirect URI's origin: a native app's private-use scheme has none.
  const modeKnown =
    requestedMode === undefined ||
    ((RESPONSE_MODES as string[]).includes(requestedMode) &&
      (requestedMode !== "okta_post_message" || /^https?:/.test(redirectUri)));
  const stateValues = params.get("state") ?? [];
  const state =
    stateValues.length === 1 && (stateValues[0]?.length ?? 0) <= AUTHORIZE_PARAM_MAX_LENGTH
      ? stateValues[0]
      : undefined;
  const target: ReplyTarget = {
    redirectUri,
    responseMode: modeKnown && requestedMode ? (requestedMode as ResponseMode) : "query",
    state,
  };
  const fail = (error: AuthorizeErrorCode, description: string): AuthorizeParse => ({
    ok: false,
    redirect: true,
    target,
    error,
    description,
  });

  for (const [name, values] of params) {
    if (values.length > 1) return fail("invalid_request", `The '${echo(name)}' parameter is repeated.`);
  }
  if (!modeKnown) {
    return fail(
      "unsupported_response_mode",
      `The response mode '${echo(requestedMode ?? "")}' is not supported by the authorization server. Supported response modes: [${RESPONSE_MODES.join(", ")}].`,
    );
  }
  // OIDC Core §6: request objects are not supported (yet: PAR and JAR are on the roadmap).
  if (params.has("request")) {
    return fail("request_not_supported", "The 'request' parameter is not supported.");
  }
  if (params.has("request_uri")) {
    return fail("request_uri_not_supported", "The 'request_uri' parameter is not supported.");
  }

  const responseType = one("response_type");
  if (responseType === undefined) return fail("invalid_request", "The 'response_type' parameter is missing.");
  if (responseType !== "code") {
    return fail(
      "unsupported_response_type",
      "The response type is not supported by the authorization server. Configured response types: [code].",
    );
  }
  if (!client.grant_types.includes("authorization_code")) {
    return fail(
      "unauthorized_client",
      `The client is not authorized to use the provided response type. Configured grant types: [${client.grant_types.join(", ")}].`,
    );
  }

  for (const name of BOUNDED) {
    const value = one(name);
    if (value !== undefined && value.length > AUTHORIZE_PARAM_MAX_LENGTH) {
      return fail(
        "invalid_request",
        `The '${name}' parameter is longer than ${AUTHORIZE_PARAM_MAX_LENGTH} characters.`,
      );
    }
  }
  if (state === undefined) return fail("invalid_request", "The 'state' parameter is missing.");

  let scopes: string[];
  try {
    scopes = parseScopeParam(one("scope"));
  } catch (error) {
    if (error instanceof OAuthError) return fail("invalid_scope", error.description);
    throw error;
  }

  const pkce = codeChallenge(one("code_challenge"), one("code_challenge_method"), client);
  if (!pkce.ok) return fail("invalid_request", pkce.description);

  const prompt = parsePrompt(one("prompt"));
  if (!prompt.ok) return fail("invalid_request", prompt.description);
  // Okta: okta_post_message answers a hidden iframe, where nobody could sign in or consent.
  if (target.responseMode === "okta_post_message" && !prompt.prompt.none) {
    return fail("invalid_request", "The 'okta_post_message' response mode requires prompt=none.");
  }

  const maxAgeText = one("max_age");
  let maxAge: number | undefined;
  if (maxAgeText !== undefined) {
    // OIDC Core §3.1.2.1: a non-negative integer number of seconds.
    if (!/^\d{1,10}$/.test(maxAgeText)) {
      return fail("invalid_request", "The 'max_age' parameter must be a non-negative integer.");
    }
    maxAge = Number(maxAgeText);
  }

  return {
    ok: true,
    request: {
      clientId: client.client_id,
      redirectUri,
      responseMode: target.responseMode,
      state,
      scopes,
      nonce: one("nonce"),
      codeChallenge: pkce.challenge,
      prompt: prompt.prompt,
      maxAge,
      loginHint: one("login_hint"),
      sessionToken: one("sessionToken"),
    },
  };
}

/**
 * RFC 7636 with S256 only (DESIGN §8): `plain` is refused, and so is a challenge without a method
 * (RFC 7636 §4.3 would read it as `plain`). Public clients (`token_endpoint_auth_method: none`)
 * must send one, as Okta requires, and so must apps with `pkce_required`; other confidential clients
 * may (RFC 9700 §2.1.1 recommends it).
 */
function codeChallenge(
  challenge: string | undefined,
  method: string | undefined,
  client: Client,
): { ok: true; challenge: string | undefined } | { ok: false; description: string } {
  if (challenge === undefined) {
    if (method !== undefined) return { ok: false, description: "The 'code_challenge' parameter is missing." };
    if (client.token_endpoint_auth_method === "none") {
      return {
        ok: false,
        description:
          "PKCE code challenge is required when the token endpoint authentication method is 'NONE'.",
      };
    }
    // Okta's `pkce_required` (on by default for browser and native apps): src/config/oidc-app.ts.
    if (oidcSettings(client).pkce_required) {
      return { ok: false, description: "PKCE code challenge is required by the client's settings." };
    }
    return { ok: true, challenge: undefined };
  }
  if (method === undefined) {
    return {
      ok: false,
      description: "The 'code_challenge_method' parameter is missing; only 'S256' is supported.",
    };
  }
  if (method !== "S256") {
    return {
      ok: false,
      description: `The code_challenge_method '${echo(method)}' is not supported; only 'S256' is supported.`,
    };
  }
  if (!S256_CHALLENGE.test(challenge)) {
    return {
      ok: false,
      description:
        "The 'code_challenge' parameter must be 43 base64url characters (an S256 challenge, RFC 7636 §4.2).",
    };
  }
  return { ok: true, challenge };
}

/** OIDC Core §3.1.2.1: space-separated; `none` with any other value is an error. */
function parsePrompt(
  value: string | undefined,
): { ok: true; prompt: Prompt } | { ok: false; description: string } {
  const prompt: Prompt = { none: false, login: false, consent: false };
  if (value === undefined) return { ok: true, prompt };
  for (const item of value.split(" ")) {
    if (!PROMPT_VALUES.has(item)) {
      return { ok: false, description: `The 'prompt' value '${echo(item)}' is not supported.` };
    }
    prompt[item as keyof Prompt] = true;
  }
  if (prompt.none && (prompt.login || prompt.consent)) {
    return { ok: false, description: "The 'prompt' value 'none' cannot be combined with other values." };
  }
  return { ok: true, prompt };
}
