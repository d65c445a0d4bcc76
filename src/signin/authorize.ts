/**
 * `/oauth2/{as}/v1/authorize` (GET and POST, RFC 6749 §4.1.1, OIDC Core §3.1.2.1) and the hosted
 * sign-in form it shows (`POST /oauth2/{as}/signin`), as a list of named steps:
 *
 *   read the request → check it (src/signin/authorize-request.ts; a bad client or redirect URI is an
 *   HTML 400, everything else is redirected) → who is the user (a sessionToken, else the `sid`
 *   session unless `prompt=login`; `max_age` may void it) → nobody: `login_required` under
 *   `prompt=none`, else the sign-in page → the user: assignment, then policy (the token endpoint's own
 *   `decide`, grant type `authorization_code`: Okta evaluates policy here, not at code exchange)
 *   → consent (src/signin/consent.ts: the consent page, whose form posts to `POST /oauth2/{as}/consent`)
 *   → a code from a new grant → the reply.
 *
 * The same steps serve every custom server (`/oauth2/{as}`) and the org server (`/oauth2/v1`): what
 * differs — issuer, where the forms post, how scopes are decided — is the `SignInServer`
 * (src/signin/servers.ts) each route is given.
 */
import type { Context } from "hono";
import { AUTHORIZE_REQUEST_MAX_BYTES, SIGN_IN_BODY_MAX_BYTES } from "../config/defaults";
import type { Client } from "../config/schemas";
import type { AppEnv, Ports } from "../context";
import { OAuthError } from "../errors";
import type { AuthorizedRequest } from "../grants/grant-port";
import { rateLimitHeaders, retryAfterSeconds } from "../http/rate-limit";
import { requestInfo } from "../log/event";
import { readFormBody } from "../oauth/form-body";
import { NOT_ASSIGNED } from "../oauth/grants/password";
import { clientAddress } from "../oauth/rate-limit";
import { recordSignInFailure, recordSignInSuccess } from "../oauth/sign-in-log";
import { type AuthorizeRequest, parseAuthorizeRequest, type ReplyTarget } from "./authorize-request";
import { authorizeError, authorizeReply, formActionSource } from "./authorize-response";
import { CONSENT_DENIED, type ConsentAnswer, consentStep, openConsent, tickedScopes } from "./consent";
import { isSecure, readCookie, setCookie } from "./cookies";
import { errorPage, pageResponse, signInPage } from "./pages";
import { readPairs } from "./query-pairs";
import type { ServerOf, SignInDecision, SignInServer } from "./servers";
import type { Authentication, Session } from "./session-store";
import { isCsrfSecret, newCsrfSecret, openTransaction, sealTransaction } from "./transaction";

/** Okta's words for `login_required` (OIDC Core §3.1.2.6). */
export const LOGIN_REQUIRED = "The client specified not to prompt, but the user is not logged in.";

/** Okta's one message for every failed sign-in: which part was wrong is never said. */
export const UNABLE_TO_SIGN_IN = "Unable to sign in";

/** The one answer to a sign-in form that is not this browser's or is too old (no attempt is counted). */
export const FORM_NOT_VALID =
  "This sign-in form is no longer valid. Return to the application and sign in again.";

/** The one answer to a consent form that is not this browser's or session's, or is too old. */
export const CONSENT_FORM_NOT_VALID =
  "This consent form is no longer valid. Return to the application and sign in again.";

/** Who signed in, for how the code is bound. */
export interface SignedIn extends Authentication {
  sessionId: string;
}

type Ctx = Context<AppEnv>;

/** `GET` and `POST /v1/authorize` of the server `serverOf` names. */
export function authorizeEndpoint(serverOf: ServerOf) {
  return (c: Ctx) => authorize(c, serverOf(c));
}

async function authorize(c: Ctx, server: SignInServer): Promise<Response> {
  const pairs = await requestPairs(c);
  if (!pairs.ok) return badRequestPage("invalid_request", pairs.description);

  const ports = c.get("ports");
  const client = await activeClient(ports, pairs.pairs.find(([name]) => name === "client_id")?.[1]);
  const parsed = parseAuthorizeRequest(pairs.pairs, client);
  if (!parsed.ok) {
    if (!parsed.redirect) return badRequestPage(parsed.error, parsed.description);
    return authorizeError(parsed.target, server.issuer, parsed.error, parsed.description);
  }
  const request = parsed.request;
  // `parseAuthorizeRequest` returns ok only for this very client.
  const app = client as Client;
  // Scopes this server does not have are refused before anyone is asked to sign in (Okta does too).
  const scopeProblem = await server.unknownScopes(app, request.scopes);
  if (scopeProblem) return authorizeError(target(request), server.issuer, "invalid_scope", scopeProblem);
  const now = ports.clock();
  const cookies: string[] = [];

  let signedIn: SignedIn | undefined;
  if (request.sessionToken !== undefined) {
    // Okta's `/api/v1/authn` → `/authorize?sessionToken=`: spent here whatever happens next.
    const authn = await ports.sessions.redeemToken(request.sessionToken, now);
    if (authn) signedIn = await startSession(c, authn, cookies);
  }
  if (!signedIn && !request.prompt.login) {
    const secret = readCookie(c, "session");
    const session = secret ? await ports.sessions.touch(secret, now) : null;
    if (session) signedIn = fromSession(session);
  }
  // OIDC Core §3.1.2.1 max_age: an authentication older than this must be done again.
  if (signedIn && request.maxAge !== undefined && now - signedIn.authTime > request.maxAge * 1000) {
    signedIn = undefined;
  }

  if (signedIn) {
    const done = await complete(c, server, app, request, signedIn, cookies);
    if (done) return done;
  }
  if (request.prompt.none) {
    return withCookies(
      await authorizeError(target(request), server.issuer, "login_required", LOGIN_REQUIRED),
      cookies,
    );
  }
  return withCookies(await showSignIn(c, server, app, request, { username: request.loginHint }), cookies);
}

/**
 * A hosted page's posted form, read as strictly as a token request (size, media type, UTF-8, no
 * repeats), or the 400 page for a body that is not one.
 */
export async function postedForm(c: Ctx): Promise<ReadonlyMap<string, string> | Response> {
  try {
    return await readFormBody(c.req.raw, SIGN_IN_BODY_MAX_BYTES);
  } catch (error) {
    if (error instanceof OAuthError) return badRequestPage("invalid_request", error.description);
    throw error;
  }
}

/** `POST /oauth2/{as}/signin` (`/oauth2/v1/signin` for the org server): the sign-in form. */
export function signInEndpoint(serverOf: ServerOf) {
  return (c: Ctx) => signIn(c, serverOf(c));
}

async function signIn(c: Ctx, server: SignInServer): Promise<Response> {
  const form = await postedForm(c);
  if (form instanceof Response) return form;
  const ports = c.get("ports");
  const serverId = server.id;
  const now = ports.clock();

  // The form must be this browser's, for this server, and fresh: checked before anything is counted.
  const opened = await openTransaction(
    form.get("signin_request"),
    serverId,
    readCookie(c, "csrf"),
    now,
    await ports.signInKey(),
  );
  if (!opened.ok)
    return pageResponse(errorPage("Sign-in failed", "invalid_request", FORM_NOT_VALID), { status: 403 });
  const request: AuthorizeRequest = opened.transaction.request;

  // The client may have been deactivated, or its redirect URI removed, while the page was open.
  const client = await activeClient(ports, request.clientId);
  if (!client) return badRequestPage("invalid_client", "Invalid value for 'client_id' parameter.");
  if (!client.redirect_uris.includes(request.redirectUri)) {
    return badRequestPage(
      "invalid_request",
      "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.",
    );
  }

  const username = form.get("username");
  const password = form.get("password");
  if (username === undefined)
    return showSignIn(c, server, client, request, { missing: "username", status: 400 });
  if (password === undefined)
    return showSignIn(c, server, client, request, { username, missing: "password", status: 400 });

  // Rate limits per address and per username, before the password is looked at (README "Rate limits").
  const verdict = await ports.rateLimits.signIn(clientAddress(c.req.raw), username);
  if (!verdict.allowed) {
    return showSignIn(c, server, client, request, {
      username,
      error: `Too many sign-in attempts. Try again in ${retryAfterSeconds(verdict, now)} seconds.`,
      status: 429,
      headers: rateLimitHeaders(verdict, now),
    });
  }

  const check = await ports.directory.checkPassword(username, password, now);
  if (!check.ok) {
    recordSignInFailure(
      {
        log: ports.log,
        serverId,
        clientId: client.client_id,
        grantType: "authorization_code",
        login: username,
        request: requestInfo(c.req.raw.headers),
      },
      check,
    );
    // 200, not 401: a 401 must carry a WWW-Authenticate challenge (RFC 9110 §15.5.2), and this is a
    // form shown again with its error, not an HTTP authentication scheme.
    return showSignIn(c, server, client, request, { username, error: UNABLE_TO_SIGN_IN, status: 200 });
  }

  const cookies: string[] = [];
  const signedIn = await startSession(c, { userId: check.user.id, amr: ["pwd"], authTime: now }, cookies);
  recordSignInSuccess({
    log: ports.log,
    serverId,
    clientId: client.client_id,
    via: "authorization_code",
    userId: check.user.id,
    login: check.user.profile.login,
    sessionId: signedIn.sessionId,
    request: requestInfo(c.req.raw.headers),
  });
  const done = await complete(c, server, client, request, signedIn, cookies);
  // The user was ACTIVE a moment ago: only a concurrent suspension lands here.
  return (
    done ??
    withCookies(
      await showSignIn(c, server, client, request, { username, error: UNABLE_TO_SIGN_IN, status: 200 }),
      cookies,
    )
  );
}

/**
 * `POST /oauth2/{as}/consent`: the consent page's form. Checked as the sign-in form is (sealed,
 * this browser's, this server's, fresh), and answered only to the session the page was shown to:
 * a stolen form is worthless without that browser's cookies. Deny → `access_denied`; Allow → the
 * grants are stored and the authorization finishes as it would have (assignment and policy again:
 * either may have changed while the page was open).
 */
export function consentEndpoint(serverOf: ServerOf) {
  return (c: Ctx) => consent(c, serverOf(c));
}

async function consent(c: Ctx, server: SignInServer): Promise<Response> {
  const form = await postedForm(c);
  if (form instanceof Response) return form;
  const ports = c.get("ports");
  const serverId = server.id;
  const now = ports.clock();
  const opened = await openConsent(
    form.get("consent_request"),
    serverId,
    readCookie(c, "csrf"),
    now,
    await ports.signInKey(),
  );
  const notValid = () =>
    pageResponse(errorPage("Consent failed", "invalid_request", CONSENT_FORM_NOT_VALID), { status: 403 });
  if (!opened.ok) return notValid();
  const { transaction } = opened;
  const request: AuthorizeRequest = transaction.request;

  const secret = readCookie(c, "session");
  const session = secret ? await ports.sessions.touch(secret, now) : null;
  if (!session || session.id !== transaction.sessionId || session.userId !== transaction.userId) {
    return notValid();
  }
  const client = await activeClient(ports, request.clientId);
  if (!client) return badRequestPage("invalid_client", "Invalid value for 'client_id' parameter.");
  if (!client.redirect_uris.includes(request.redirectUri)) {
    return badRequestPage(
      "invalid_request",
      "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.",
    );
  }
  const decision = form.get("decision");
  if (decision === "deny") {
    return authorizeError(target(request), server.issuer, "access_denied", CONSENT_DENIED);
  }
  if (decision !== "allow") return badRequestPage("invalid_request", "Choose Allow or Don't allow.");

  const answer: ConsentAnswer = { shown: transaction.shown, ticked: tickedScopes(form, transaction.shown) };
  const done = await complete(c, server, client, request, fromSession(session), [], answer);
  // The user was ACTIVE when the page was shown: only a concurrent suspension lands here.
  return done ?? showSignIn(c, server, client, request, { error: UNABLE_TO_SIGN_IN, status: 200 });
}

/**
 * The user is known: assignment, policy, consent, code. `answer` is the consent page's "Allow".
 * Undefined when the session's user may no longer sign in (suspended, deactivated, deleted since):
 * the caller asks for a sign-in again.
 */
async function complete(
  c: Ctx,
  server: SignInServer,
  client: Client,
  request: AuthorizeRequest,
  signedIn: SignedIn,
  cookies: string[],
  answer?: ConsentAnswer,
): Promise<Response | undefined> {
  const ports = c.get("ports");
  const issuer = server.issuer;
  const subject = await ports.directory.subject(signedIn.userId, client.client_id);
  if (subject?.user.status !== "ACTIVE") return undefined;

  const reply = (members: Record<string, string>) => authorizeReply(target(request), issuer, members);
  const deny = async (error: "access_denied" | "invalid_scope", description: string) =>
    withCookies(await authorizeError(target(request), issuer, error, description), cookies);

  // Okta: only users assigned to the app (directly or through a group) get its codes.
  if (!subject.assigned) return deny("access_denied", NOT_ASSIGNED);

  let decided: SignInDecision;
  try {
    decided = await server.decide(client, subject, request.scopes);
  } catch (error) {
    if (error instanceof OAuthError && (error.code === "access_denied" || error.code === "invalid_scope")) {
      return deny(error.code, error.description);
    }
    throw error;
  }

  // Consent (src/signin/consent.ts): the page, `consent_required`, or the scopes the user allowed.
  const consent = await consentStep(c, server, {
    client,
    request,
    userId: subject.user.id,
    sessionId: signedIn.sessionId,
    scopes: decided.scopes,
    answer,
  });
  if ("response" in consent) return withCookies(consent.response, cookies);

  const authorized: AuthorizedRequest = {
    serverId: server.id,
    clientId: client.client_id,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
    nonce: request.nonce,
    scopes: consent.scopes,
    userId: subject.user.id,
    authTime: Math.floor(signedIn.authTime / 1000),
    amr: signedIn.amr,
    sessionId: signedIn.sessionId,
    decision: decided.decision,
  };
  const code = await ports.grants.issueCode(authorized, ports.clock());
  return withCookies(await reply({ code }), cookies);
}

/** A new session for `authn`, replacing the browser's current one (a sign-in is never shared). */
export async function startSession(c: Ctx, authn: Authentication, cookies: string[]): Promise<SignedIn> {
  const ports = c.get("ports");
  const previous = readCookie(c, "session");
  if (previous) await ports.sessions.end(previous);
  const { secret, session } = await ports.sessions.create(authn, ports.clock());
  cookies.push(setCookie("session", secret, isSecure(c.req.url)));
  return fromSession(session);
}

export function fromSession(session: Session): SignedIn {
  return { userId: session.userId, amr: session.amr, authTime: session.authTime, sessionId: session.id };
}

function target(request: AuthorizeRequest): ReplyTarget {
  return { redirectUri: request.redirectUri, responseMode: request.responseMode, state: request.state };
}

interface SignInOptions {
  username?: string | undefined;
  error?: string | undefined;
  missing?: "username" | "password" | undefined;
  status?: number;
  headers?: Readonly<Record<string, string>>;
}

/** The sign-in page for `request`, bound to this browser's CSRF secret (set when it has none). */
async function showSignIn(
  c: Ctx,
  server: SignInServer,
  client: Client,
  request: AuthorizeRequest,
  options: SignInOptions,
) {
  const ports = c.get("ports");
  const serverId = server.id;
  const secure = isSecure(c.req.url);
  const existing = readCookie(c, "csrf");
  const csrf = isCsrfSecret(existing) ? existing : newCsrfSecret();
  const transaction = await sealTransaction(request, serverId, csrf, ports.clock(), await ports.signInKey());
  const response = await pageResponse(
    signInPage({
      appName: client.client_name,
      action: `${server.basePath}/signin`,
      transaction,
      username: options.username,
      error: options.error,
      missing: options.missing,
    }),
    {
      status: options.status ?? 200,
      headers: options.headers,
      // The form posts here, and a successful sign-in answers with a redirect to the client: browsers
      // check `form-action` against every hop of a form's redirect chain (CSP Level 3 §6.3.1.2;
      // Chromium blocks the 302 to the app otherwise), so the redirect URI's origin is allowed too.
      formAction: `'self' ${formActionSource(request.redirectUri)}`,
    },
  );
  if (csrf !== existing) response.headers.append("Set-Cookie", setCookie("csrf", csrf, secure));
  return response;
}

function badRequestPage(code: string, description: string): Promise<Response> {
  return pageResponse(errorPage("Bad request", code, description), { status: 400 });
}

function withCookies(response: Response, cookies: readonly string[]): Response {
  for (const cookie of cookies) response.headers.append("Set-Cookie", cookie);
  return response;
}

/** The client `clientId` names if it may use authorization endpoints now (active, not revoked). */
export async function activeClient(ports: Ports, clientId: string | undefined): Promise<Client | undefined> {
  if (clientId === undefined || clientId.length > 100) return undefined;
  const client = await ports.config.client(clientId);
  if (client?.status !== "ACTIVE" || ports.revocations.isRevoked("client", client.client_id)) {
    return undefined;
  }
  return client;
}

/** The request's parameters: the query for GET, the form body for POST (OIDC Core §3.1.2.1). */
async function requestPairs(
  c: Ctx,
): Promise<{ ok: true; pairs: [string, string][] } | { ok: false; description: string }> {
  if (c.req.method === "POST") {
    try {
      const form = await readFormBody(c.req.raw, AUTHORIZE_REQUEST_MAX_BYTES);
      return { ok: true, pairs: [...form] };
    } catch (error) {
      if (error instanceof OAuthError) return { ok: false, description: error.description };
      throw error;
    }
  }
  const query = new URL(c.req.url).search.slice(1);
  return readPairs(query, AUTHORIZE_REQUEST_MAX_BYTES);
}
