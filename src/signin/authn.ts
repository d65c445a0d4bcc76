/**
 * Okta's Authentication API subset for apps with their own sign-in form, and the session API
 * okta-auth-js calls (public routes: no admin authentication, mounted before it in src/app.ts):
 *
 * - `POST /api/v1/authn` {username, password} → `{status: "SUCCESS", sessionToken, expiresAt,
 *   _embedded.user}`; the sessionToken is single-use and lives 5 minutes, spent at
 *   `/v1/authorize?sessionToken=` to start a session. Every failure is 401 E0000004 "Authentication
 *   failed" (Okta's answer; no hint whether the user exists, is locked or suspended). Okta's other
 *   states (MFA_REQUIRED, PASSWORD_EXPIRED, …) are not offered: a user whose password expired gets
 *   the same 401 (UNCONFIRMED against Okta, which would answer PASSWORD_EXPIRED with a stateToken).
 * - `GET /api/v1/sessions/me` → Okta's Session for the `sid` cookie; `DELETE` ends it (204). No
 *   session: 404 E0000007, as Okta answers.
 */
import type { Context } from "hono";
import {
  DEFAULT_USER_LOCALE,
  DEFAULT_USER_TIME_ZONE,
  JSON_MAX_DEPTH,
  SIGN_IN_BODY_MAX_BYTES,
  SIGN_IN_USERNAME_MAX_LENGTH,
} from "../config/defaults";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import { readJsonBody } from "../http/json-body";
import { isRecord } from "../http/json-value";
import { rateLimitHeaders } from "../http/rate-limit";
import { EVENT_TYPES, requestInfo } from "../log/event";
import { requireOrgUrl } from "../oauth/org-url";
import { clientAddress } from "../oauth/rate-limit";
import { recordSignInFailure, recordSignInSuccess, userActor } from "../oauth/sign-in-log";
import { orgIdpId } from "../tokens/id-token";
import { clearCookie, isSecure, readCookie } from "./cookies";
import type { Session } from "./session-store";

type Ctx = Context<AppEnv>;

/** The system log's server for sign-ins that belong to no authorization server (the org's API). */
const ORG_SIGN_IN = "org";

export async function authnEndpoint(c: Ctx): Promise<Response> {
  const body = await readJsonBody(c.req.raw, { maxBytes: SIGN_IN_BODY_MAX_BYTES, maxDepth: JSON_MAX_DEPTH });
  const { username, password } = credentials(body);
  const ports = c.get("ports");
  const now = ports.clock();

  const verdict = await ports.rateLimits.signIn(clientAddress(c.req.raw), username);
  if (!verdict.allowed) {
    throw new ApiError(
      "E0000047",
      "API call exceeded rate limit due to too many requests.",
      [],
      rateLimitHeaders(verdict, now),
    );
  }
  const check = await ports.directory.checkPassword(username, password, now);
  if (!check.ok) {
    recordSignInFailure(
      {
        log: ports.log,
        serverId: ORG_SIGN_IN,
        clientId: "authn",
        grantType: "authn",
        login: username,
        request: requestInfo(c.req.raw.headers),
      },
      check,
    );
    throw new ApiError("E0000004", "Authentication failed");
  }
  const { user } = check;
  const { token, expiresAt } = await ports.sessions.issueToken(
    { userId: user.id, amr: ["pwd"], authTime: now },
    now,
  );
  recordSignInSuccess({
    log: ports.log,
    serverId: undefined,
    clientId: undefined,
    via: "authn",
    userId: user.id,
    login: user.profile.login,
    sessionId: undefined,
    request: requestInfo(c.req.raw.headers),
  });
  const profile = user.profile;
  return c.json(
    {
      expiresAt: new Date(expiresAt).toISOString(),
      status: "SUCCESS",
      sessionToken: token,
      _embedded: {
        user: {
          id: user.id,
          profile: {
            login: profile.login,
            firstName: profile.firstName ?? null,
            lastName: profile.lastName ?? null,
            locale: profile.locale ?? DEFAULT_USER_LOCALE,
            timeZone: profile.timeZone ?? DEFAULT_USER_TIME_ZONE,
          },
        },
      },
    },
    200,
    { "Cache-Control": "no-store" },
  );
}

/**
 * `username` and `password`, both non-empty strings. Okta answers a missing one with E0000001; a
 * username longer than any login names nobody, and is refused before any work (SIGN_IN_USERNAME_MAX_LENGTH).
 */
function credentials(body: unknown): { username: string; password: string } {
  if (!isRecord(body)) throw new ApiError("E0000003", "The request body was not well-formed.");
  const causes: { errorSummary: string }[] = [];
  const { username, password } = body;
  if (typeof username !== "string" || username === "") {
    causes.push({ errorSummary: "username: The field cannot be left blank" });
  } else if (username.length > SIGN_IN_USERNAME_MAX_LENGTH) {
    causes.push({
      errorSummary: `username: The field cannot exceed ${SIGN_IN_USERNAME_MAX_LENGTH} characters`,
    });
  }
  if (typeof password !== "string" || password === "") {
    causes.push({ errorSummary: "password: The field cannot be left blank" });
  }
  if (causes.length > 0) throw new ApiError("E0000001", "Api validation failed: authn", causes);
  return { username: username as string, password: password as string };
}

/** `GET /api/v1/sessions/me`. */
export async function currentSessionEndpoint(c: Ctx): Promise<Response> {
  const ports = c.get("ports");
  const secret = readCookie(c, "session");
  const session = secret ? await ports.sessions.find(secret, ports.clock()) : null;
  if (!session) throw sessionNotFound();
  const origin = requireOrgUrl(ports.settings, c.req.url);
  return c.json(sessionView(session, session.login, origin, await orgIdpId(origin)), 200, {
    "Cache-Control": "no-store",
  });
}

/** `DELETE /api/v1/sessions/me`: ends the session and clears the cookie (204). */
export async function endCurrentSessionEndpoint(c: Ctx): Promise<Response> {
  const ports = c.get("ports");
  const secret = readCookie(c, "session");
  const session = secret ? await ports.sessions.end(secret) : null;
  if (!session) throw sessionNotFound();
  recordSessionEnd(c, session);
  return new Response(null, {
    status: 204,
    headers: { "Set-Cookie": clearCookie("session", isSecure(c.req.url)), "Cache-Control": "no-store" },
  });
}

/** Okta's `user.session.end`, for logout and `DELETE /sessions/me`. */
export function recordSessionEnd(c: Ctx, session: Session): void {
  c.get("ports").log.record({
    eventType: EVENT_TYPES.userSessionEnd,
    displayMessage: "User logout from Okta",
    actor: userActor(session.userId, session.userId),
    outcome: { result: "SUCCESS" },
    target: [],
    request: requestInfo(c.req.raw.headers),
    debugData: { sessionId: session.id },
  });
}

function sessionNotFound(): ApiError {
  return new ApiError("E0000007", "Not found: Resource not found: me (Session)");
}

/** Okta's Session object. */
function sessionView(session: Session, login: string, origin: string, idpId: string) {
  const self = `${origin}/api/v1/sessions/me`;
  return {
    id: session.id,
    userId: session.userId,
    login,
    createdAt: new Date(session.created).toISOString(),
    expiresAt: new Date(session.expiresAt).toISOString(),
    status: "ACTIVE",
    lastPasswordVerification: new Date(session.authTime).toISOString(),
    lastFactorVerification: null,
    amr: session.amr,
    // The same identity provider the ID tokens name (`idp`).
    idp: { id: idpId, type: "OKTA" },
    mfaActive: false,
    _links: {
      self: { href: self, hints: { allow: ["GET", "DELETE"] } },
      user: {
        name: login,
        href: `${origin}/api/v1/users/${session.userId}`,
        hints: { allow: ["GET"] },
      },
    },
  };
}
