/**
 * `/oauth2/{as}/v1/logout` and the org server's `/oauth2/v1/logout` (GET and POST), OpenID Connect
 * RP-Initiated Logout 1.0 as Okta does it:
 *
 * - `id_token_hint` is required (Okta answers 400 without it): it shows the request comes from an
 *   app the user signed in to, not from any page that links here. Its signature must verify under
 *   this server's published keys and its `iss` must be this server; an expired one still logs out
 *   (RP-Initiated Logout §2: the hint is evidence of a past sign-in, not a credential).
 * - The `sid` session is ended and its cookie cleared.
 * - `post_logout_redirect_uri` is followed only when the hint's client registered it exactly
 *   (`post_logout_redirect_uris`), with `state` echoed; an unregistered one is an HTML 400, never a
 *   redirect (no open redirector). Without one, a "signed out" page.
 */
import type { Context } from "hono";
import { compactVerify, createLocalJWKSet, type JWSHeaderParameters } from "jose";
import { AUTHORIZE_REQUEST_MAX_BYTES } from "../config/defaults";
import { oidcSettings } from "../config/oidc-app";
import type { Client } from "../config/schemas";
import type { AppEnv } from "../context";
import { OAuthError } from "../errors";
import { readFormBody } from "../oauth/form-body";
import { recordSessionEnd } from "./authn";
import { clearCookie, isSecure, readCookie } from "./cookies";
import { errorPage, pageResponse, signedOutPage } from "./pages";
import { readPairs } from "./query-pairs";
import type { ServerOf, SignInServer } from "./servers";

type Ctx = Context<AppEnv>;

/** Algorithms an ID token of this server can be signed with (DESIGN §3: the server's signing algorithms). */
const ID_TOKEN_ALGORITHMS = ["RS256", "ES256", "EdDSA", "PS256"];

export const INVALID_HINT = "The 'id_token_hint' parameter is missing or invalid.";
export const INVALID_POST_LOGOUT_URI =
  "The 'post_logout_redirect_uri' parameter must be a Logout redirect URI in the client app settings.";

/** `GET` and `POST /v1/logout` of the server `serverOf` names. */
export function logoutEndpoint(serverOf: ServerOf) {
  return (c: Ctx) => logout(c, serverOf(c));
}

async function logout(c: Ctx, server: SignInServer): Promise<Response> {
  const params = await logoutParams(c);
  if (!params) return badRequest(INVALID_HINT.replace("missing or invalid", "malformed"));
  const one = (name: string) => {
    const values = params.filter(([n, v]) => n === name && v !== "");
    return values.length === 1 ? values[0]?.[1] : values.length === 0 ? undefined : null;
  };
  const hint = one("id_token_hint");
  const redirect = one("post_logout_redirect_uri");
  const state = one("state");
  if (redirect === null || state === null) return badRequest("A parameter is repeated.");

  const client = hint ? await hintedClient(c, server, hint) : undefined;
  if (!client) return badRequest(INVALID_HINT);

  // The session ends whatever follows: the user asked to sign out.
  const ports = c.get("ports");
  const secure = isSecure(c.req.url);
  const secret = readCookie(c, "session");
  const ended = secret ? await ports.sessions.end(secret) : null;
  if (ended) recordSessionEnd(c, ended);
  const cookie = clearCookie("session", secure);

  if (redirect === undefined) {
    const page = await pageResponse(signedOutPage(), { status: 200 });
    page.headers.append("Set-Cookie", cookie);
    return page;
  }
  if (!oidcSettings(client).post_logout_redirect_uris.includes(redirect)) {
    const page = await badRequest(INVALID_POST_LOGOUT_URI);
    page.headers.append("Set-Cookie", cookie);
    return page;
  }
  const url = new URL(redirect);
  if (state !== undefined) url.searchParams.append("state", state);
  return new Response(null, {
    status: 302,
    headers: {
      Location: url.toString(),
      "Set-Cookie": cookie,
      "Cache-Control": "no-store",
      "Referrer-Policy": "no-referrer",
    },
  });
}

/** The active client an ID token of this server was issued to, if `hint` is one (expired or not). */
async function hintedClient(c: Ctx, server: SignInServer, hint: string): Promise<Client | undefined> {
  const ports = c.get("ports");
  const keyset = await ports.keys.published(server.keysetId);
  if (!keyset) return undefined;
  let payload: Record<string, unknown>;
  try {
    const verified = await compactVerify(hint, createLocalJWKSet(keyset.jwks), {
      algorithms: ID_TOKEN_ALGORITHMS,
    });
    // No key material from the token's header (DESIGN §8): the local set alone decides.
    const header: JWSHeaderParameters = verified.protectedHeader;
    if (header.jwk || header.jku || header.x5u || header.x5c) return undefined;
    payload = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (payload.iss !== server.issuer) return undefined;
  // An ID token's `aud` is its client (OIDC Core §2); Okta's is one string.
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (aud.length !== 1 || typeof aud[0] !== "string") return undefined;
  const client = await ports.config.client(aud[0]);
  if (client?.status !== "ACTIVE") return undefined;
  return client;
}

async function logoutParams(c: Ctx): Promise<[string, string][] | undefined> {
  if (c.req.method === "POST") {
    try {
      return [...(await readFormBody(c.req.raw, AUTHORIZE_REQUEST_MAX_BYTES))];
    } catch (error) {
      if (error instanceof OAuthError) return undefined;
      throw error;
    }
  }
  const read = readPairs(new URL(c.req.url).search.slice(1), AUTHORIZE_REQUEST_MAX_BYTES);
  return read.ok ? read.pairs : undefined;
}

function badRequest(description: string): Promise<Response> {
  return pageResponse(errorPage("Bad request", "invalid_request", description), { status: 400 });
}
