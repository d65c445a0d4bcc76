/**
 * The device activation page, `{org}/activate` (RFC 8628 §3.3, Okta's `/activate`), as named steps:
 *
 *   GET /activate[?user_code=] → the code form (pre-filled from `verification_uri_complete`)
 *   POST /activate → the form is this browser's (CSRF) → rate limit per address (RFC 8628 §5.1)
 *     → the code names a pending device grant (else one answer for every reason) → who is the user:
 *     the `sid` session, else the hosted sign-in form (POST /activate/signin, which starts a session)
 *   → assignment and policy (the token endpoint's own `decide`, grant type device_code: evaluated
 *     here, when the user approves, as /v1/authorize evaluates it at sign-in) → the approval page
 *   POST /activate/decision → the same browser and session → Allow: assignment and policy again,
 *     the decision bound into the grant; Deny: the grant is denied → the code is spent either way.
 *
 * Org-wide, not per server: the address a person types from a TV screen should be short and one
 * (RFC 8628 §3.3.1), as Okta's is; the code names its grant, and the grant its server.
 *
 * Every form is sealed (src/signin/transaction.ts `sealForm`): MACed for its purpose, bound to the
 * browser's CSRF cookie, and short-lived; the decision form also to the session it was shown to.
 */
import type { Context } from "hono";
import { DEVICE_ACTIVATION_FORM_LIFETIME_SECONDS } from "../config/defaults";
import type { Client, Snapshot } from "../config/schemas";
import type { AppEnv } from "../context";
import { hashSecret } from "../crypto/secrets";
import { OAuthError } from "../errors";
import {
  DEVICE_CODE_GRANT_TYPE,
  type DeviceRequest,
  displayUserCode,
  normalizeUserCode,
} from "../grants/device-authorization";
import type { AuthorizedRequest } from "../grants/grant-port";
import { rateLimitHeaders, retryAfterSeconds } from "../http/rate-limit";
import { requestInfo } from "../log/event";
import { customServer, type PolicyGrant } from "../oauth/custom-server";
import { NOT_ASSIGNED } from "../oauth/grants/password";
import { requireOrgUrl } from "../oauth/org-url";
import { clientAddress } from "../oauth/rate-limit";
import { recordSignInFailure, recordSignInSuccess } from "../oauth/sign-in-log";
import {
  ACTIVATE_FORM_FIELD,
  approvalPage,
  codeEntryPage,
  DECISION_FORM_FIELD,
  outcomePage,
  USER_CODE_FIELD,
} from "./activate-pages";
import { ACTIVATE_DECISION_PATH, ACTIVATE_PATH, ACTIVATE_SIGN_IN_PATH } from "./activate-paths";
import {
  activeClient,
  fromSession,
  postedForm,
  type SignedIn,
  startSession,
  UNABLE_TO_SIGN_IN,
} from "./authorize";
import { isSecure, readCookie, setCookie } from "./cookies";
import { errorPage, type Html, pageResponse, signInPage } from "./pages";
import {
  type FormSeal,
  isCsrfSecret,
  newCsrfSecret,
  openForm,
  type SealedForm,
  sealForm,
} from "./transaction";

export { ACTIVATE_DECISION_PATH, ACTIVATE_PATH, ACTIVATE_SIGN_IN_PATH };

/**
 * The one answer to a code that is not good: malformed, unknown, expired, already used, or of a
 * server or app no longer active. Which it was is never said (RFC 8628 §5.1: nothing to guess with).
 */
export const INVALID_USER_CODE = "That code is not valid. Check the code on your device and try again.";

/** The one answer to a form that is not this browser's (or session's), or is too old. */
export const ACTIVATE_FORM_NOT_VALID = "This activation form is no longer valid. Enter the code again.";

/** Sealed forms of this page are not a server's: the MAC binds them to this scope instead. */
const SEAL_SCOPE = "activate";

const CODE_SEAL: FormSeal = {
  shape: { format: "warden-activate-1", field: "form" },
  label: "device-activate-code",
};
const SIGN_IN_SEAL: FormSeal = {
  shape: { format: "warden-activate-1", field: "form" },
  label: "device-activate-signin",
};
const DECISION_SEAL: FormSeal = {
  shape: { format: "warden-activate-1", field: "form" },
  label: "device-activate-decision",
};

/** The grant a good code named, kept in the sign-in and decision forms. */
interface CodeForm extends SealedForm {
  grantId: string;
  /** Canonical; forgotten from the index once the user decided. */
  userCode: string;
}

interface DecisionForm extends CodeForm {
  sessionId: string;
  userId: string;
}

type Ctx = Context<AppEnv>;

/** A pending grant and what it needs: its request, server (published, active), app (active). */
interface PendingDevice {
  grantId: string;
  userCode: string;
  request: DeviceRequest;
  snapshot: Snapshot;
  issuer: string;
  client: Client;
}

/** `GET /activate`. */
export async function activatePage(c: Ctx): Promise<Response> {
  const prefill = c.req.query(USER_CODE_FIELD);
  const code = normalizeUserCode(prefill);
  return showCodeEntry(c, { userCode: code ? displayUserCode(code) : undefined, status: 200 });
}

/** `POST /activate`: the code form. */
export async function activateCodeEndpoint(c: Ctx): Promise<Response> {
  const form = await postedForm(c);
  if (form instanceof Response) return form;
  const ports = c.get("ports");
  const opened = await open<SealedForm>(c, CODE_SEAL, form.get(ACTIVATE_FORM_FIELD));
  if (!opened) return formNotValid();

  // RFC 8628 §5.1: every entry counts, good or bad, before the code is looked at.
  const verdict = await ports.rateLimits.deviceUserCode(clientAddress(c.req.raw));
  const typed = form.get(USER_CODE_FIELD);
  if (!verdict.allowed) {
    const now = ports.clock();
    return showCodeEntry(c, {
      userCode: typed,
      error: `Too many attempts. Try again in ${retryAfterSeconds(verdict, now)} seconds.`,
      status: 429,
      headers: rateLimitHeaders(verdict, now),
    });
  }
  const userCode = normalizeUserCode(typed);
  const grantId = userCode && (await ports.userCodes.find(userCode, ports.clock()));
  const pending = userCode && grantId ? await pendingDevice(c, grantId, userCode) : undefined;
  if (!pending) return showCodeEntry(c, { userCode: typed, error: INVALID_USER_CODE, status: 200 });

  const secret = readCookie(c, "session");
  const session = secret ? await ports.sessions.touch(secret, ports.clock()) : null;
  if (session) return approvalStep(c, pending, fromSession(session), []);
  return showSignIn(c, pending, {});
}

/** `POST /activate/signin`: the hosted sign-in form, for a browser without a session. */
export async function activateSignInEndpoint(c: Ctx): Promise<Response> {
  const form = await postedForm(c);
  if (form instanceof Response) return form;
  const ports = c.get("ports");
  const opened = await open<CodeForm>(c, SIGN_IN_SEAL, form.get("signin_request"));
  if (!opened) return formNotValid();
  const pending = await pendingDevice(c, opened.grantId, opened.userCode);
  if (!pending) return showCodeEntry(c, { error: INVALID_USER_CODE, status: 200 });

  const username = form.get("username");
  const password = form.get("password");
  if (username === undefined) return showSignIn(c, pending, { missing: "username", status: 400 });
  if (password === undefined) return showSignIn(c, pending, { username, missing: "password", status: 400 });

  const now = ports.clock();
  const verdict = await ports.rateLimits.signIn(clientAddress(c.req.raw), username);
  if (!verdict.allowed) {
    return showSignIn(c, pending, {
      username,
      error: `Too many sign-in attempts. Try again in ${retryAfterSeconds(verdict, now)} seconds.`,
      status: 429,
      headers: rateLimitHeaders(verdict, now),
    });
  }
  const serverId = pending.snapshot.server.id;
  const check = await ports.directory.checkPassword(username, password, now);
  if (!check.ok) {
    recordSignInFailure(
      {
        log: ports.log,
        serverId,
        clientId: pending.client.client_id,
        grantType: DEVICE_CODE_GRANT_TYPE,
        login: username,
        request: requestInfo(c.req.raw.headers),
      },
      check,
    );
    return showSignIn(c, pending, { username, error: UNABLE_TO_SIGN_IN, status: 200 });
  }
  const cookies: string[] = [];
  const signedIn = await startSession(c, { userId: check.user.id, amr: ["pwd"], authTime: now }, cookies);
  recordSignInSuccess({
    log: ports.log,
    serverId,
    clientId: pending.client.client_id,
    via: DEVICE_CODE_GRANT_TYPE,
    userId: check.user.id,
    login: check.user.profile.login,
    sessionId: signedIn.sessionId,
    request: requestInfo(c.req.raw.headers),
  });
  return approvalStep(c, pending, signedIn, cookies);
}

/** `POST /activate/decision`: Allow or Deny, from the session the approval page was shown to. */
export async function activateDecisionEndpoint(c: Ctx): Promise<Response> {
  const form = await postedForm(c);
  if (form instanceof Response) return form;
  const ports = c.get("ports");
  const opened = await open<DecisionForm>(c, DECISION_SEAL, form.get(DECISION_FORM_FIELD));
  if (!opened) return formNotValid();
  const secret = readCookie(c, "session");
  const session = secret ? await ports.sessions.touch(secret, ports.clock()) : null;
  if (!session || session.id !== opened.sessionId || session.userId !== opened.userId) return formNotValid();

  const decision = form.get("decision");
  if (decision !== "allow" && decision !== "deny") {
    return pageResponse(errorPage("Bad request", "invalid_request", "Choose Allow or Deny."), {
      status: 400,
    });
  }
  const pending = await pendingDevice(c, opened.grantId, opened.userCode);
  if (!pending) return showCodeEntry(c, { error: INVALID_USER_CODE, status: 200 });

  if (decision === "deny") {
    const denied = await ports.grants.decideDevice(pending.grantId, { deny: true }, ports.clock());
    await ports.userCodes.forget(pending.userCode);
    if (!denied) return showCodeEntry(c, { error: INVALID_USER_CODE, status: 200 });
    return pageResponse(outcomePage(false), { status: 200 });
  }
  // Assignment and policy again: either may have changed while the page was open.
  const allowed = await allowedFor(c, pending, fromSession(session));
  if ("response" in allowed) return allowed.response;
  const approved = await ports.grants.decideDevice(
    pending.grantId,
    { approve: authorizedRequest(pending, fromSession(session), allowed.decision) },
    ports.clock(),
  );
  await ports.userCodes.forget(pending.userCode);
  if (!approved) return showCodeEntry(c, { error: INVALID_USER_CODE, status: 200 });
  return pageResponse(outcomePage(true), { status: 200 });
}

/**
 * The grant `grantId` if it is pending and live, and its server and app are active now; undefined
 * otherwise (one answer for all, INVALID_USER_CODE).
 */
async function pendingDevice(c: Ctx, grantId: string, userCode: string): Promise<PendingDevice | undefined> {
  const ports = c.get("ports");
  const request = await ports.grants.deviceRequest(grantId, ports.clock());
  if (!request) return undefined;
  const snapshot = await ports.config.snapshot(request.serverId);
  if (snapshot?.server.status !== "ACTIVE" || ports.revocations.isRevoked("server", request.serverId)) {
    return undefined;
  }
  const client = await activeClient(ports, request.clientId);
  if (!client) return undefined;
  const issuer = `${requireOrgUrl(ports.settings, c.req.url)}/oauth2/${snapshot.server.id}`;
  return { grantId, userCode, request, snapshot, issuer, client };
}

/**
 * The user is known: may they approve (active, assigned, policy allows the device grant for them)?
 * The policy decision, or the page that says why not. The grant stays pending on a refusal: another
 * user (the right account) may still approve it before it expires.
 */
async function allowedFor(
  c: Ctx,
  pending: PendingDevice,
  signedIn: SignedIn,
): Promise<{ decision: PolicyGrant } | { response: Response }> {
  const ports = c.get("ports");
  const subject = await ports.directory.subject(signedIn.userId, pending.client.client_id);
  if (subject?.user.status !== "ACTIVE") {
    return { response: await showSignIn(c, pending, { error: UNABLE_TO_SIGN_IN, status: 200 }) };
  }
  const denied = (code: string, description: string) =>
    pageResponse(errorPage("Device not activated", code, description), { status: 403 });
  if (!subject.assigned) return { response: await denied("access_denied", NOT_ASSIGNED) };
  try {
    const decision = customServer(pending.snapshot, pending.issuer).decide({
      grantType: DEVICE_CODE_GRANT_TYPE,
      client: pending.client,
      requestedScopes: pending.request.scopes,
      subject,
    });
    return { decision };
  } catch (error) {
    if (error instanceof OAuthError && (error.code === "access_denied" || error.code === "invalid_scope")) {
      return { response: await denied(error.code, error.description) };
    }
    throw error;
  }
}

/** The approval page, once the user may approve. */
async function approvalStep(
  c: Ctx,
  pending: PendingDevice,
  signedIn: SignedIn,
  cookies: readonly string[],
): Promise<Response> {
  const ports = c.get("ports");
  const allowed = await allowedFor(c, pending, signedIn);
  if ("response" in allowed) return withCookies(allowed.response, cookies);
  const user = await ports.directory.subject(signedIn.userId, pending.client.client_id);
  const { csrf, setCsrf } = csrfOf(c);
  const form = await seal<DecisionForm>(c, DECISION_SEAL, csrf, {
    grantId: pending.grantId,
    userCode: pending.userCode,
    sessionId: signedIn.sessionId,
    userId: signedIn.userId,
  });
  const response = await pageResponse(
    approvalPage({
      appName: pending.client.client_name,
      login: user?.user.profile.login ?? "",
      userCode: displayUserCode(pending.userCode),
      scopes: allowed.decision.scopes.map((name) => {
        const scope = pending.snapshot.scopes.find((s) => s.name === name);
        return { name, displayName: scope?.displayName, description: scope?.description ?? "" };
      }),
      action: ACTIVATE_DECISION_PATH,
      form,
    }),
    { status: 200 },
  );
  if (setCsrf) response.headers.append("Set-Cookie", setCsrf);
  return withCookies(response, cookies);
}

/** What the approval binds into the grant: as /v1/authorize binds its decision into a code. */
function authorizedRequest(
  pending: PendingDevice,
  signedIn: SignedIn,
  decision: PolicyGrant,
): AuthorizedRequest {
  return {
    serverId: pending.request.serverId,
    clientId: pending.request.clientId,
    // No redirect and no PKCE in the device flow (RFC 8628 §3.4): the device code is the proof.
    redirectUri: "",
    codeChallenge: undefined,
    nonce: undefined,
    scopes: [...decision.scopes],
    userId: signedIn.userId,
    authTime: Math.floor(signedIn.authTime / 1000),
    amr: signedIn.amr,
    sessionId: signedIn.sessionId,
    decision: {
      policyId: decision.policy.id,
      ruleId: decision.rule.id,
      accessTokenLifetimeSeconds: decision.accessTokenLifetimeSeconds,
      inlineHookId: decision.inlineHookId,
    },
  };
}

interface ShowOptions {
  userCode?: string | undefined;
  username?: string | undefined;
  error?: string | undefined;
  missing?: "username" | "password" | undefined;
  status: number;
  headers?: Readonly<Record<string, string>>;
}

async function showCodeEntry(c: Ctx, options: ShowOptions): Promise<Response> {
  const { csrf, setCsrf } = csrfOf(c);
  const form = await seal<SealedForm>(c, CODE_SEAL, csrf, {});
  // What the user typed is shown back only within the field's bound.
  const typed = options.userCode?.slice(0, 64);
  return respond(
    codeEntryPage({ action: ACTIVATE_PATH, form, userCode: typed, error: options.error }),
    options,
    setCsrf,
  );
}

async function showSignIn(c: Ctx, pending: PendingDevice, options: Partial<ShowOptions>): Promise<Response> {
  const { csrf, setCsrf } = csrfOf(c);
  const form = await seal<CodeForm>(c, SIGN_IN_SEAL, csrf, {
    grantId: pending.grantId,
    userCode: pending.userCode,
  });
  return respond(
    signInPage({
      appName: pending.client.client_name,
      action: ACTIVATE_SIGN_IN_PATH,
      transaction: form,
      username: options.username,
      error: options.error,
      missing: options.missing,
    }),
    { status: options.status ?? 200, headers: options.headers },
    setCsrf,
  );
}

async function respond(
  build: (nonce: string) => Html,
  options: Pick<ShowOptions, "status" | "headers">,
  setCsrf: string | undefined,
): Promise<Response> {
  const response = await pageResponse(build, { status: options.status, headers: options.headers });
  if (setCsrf) response.headers.append("Set-Cookie", setCsrf);
  return response;
}

/** The browser's CSRF secret, and the cookie to set when it has none yet. */
function csrfOf(c: Ctx): { csrf: string; setCsrf: string | undefined } {
  const existing = readCookie(c, "csrf");
  if (isCsrfSecret(existing)) return { csrf: existing, setCsrf: undefined };
  const csrf = newCsrfSecret();
  return { csrf, setCsrf: setCookie("csrf", csrf, isSecure(c.req.url)) };
}

async function seal<T extends SealedForm>(
  c: Ctx,
  kind: FormSeal,
  csrf: string,
  fields: Omit<T, keyof SealedForm>,
): Promise<string> {
  const ports = c.get("ports");
  const record = {
    ...fields,
    serverId: SEAL_SCOPE,
    csrf: await hashSecret(csrf),
    expiresAt: ports.clock() + DEVICE_ACTIVATION_FORM_LIFETIME_SECONDS * 1000,
  };
  return sealForm(kind, record, await ports.signInKey());
}

async function open<T extends SealedForm>(
  c: Ctx,
  kind: FormSeal,
  field: string | undefined,
): Promise<T | undefined> {
  const ports = c.get("ports");
  const opened = await openForm<T>(
    kind,
    field,
    SEAL_SCOPE,
    readCookie(c, "csrf"),
    ports.clock(),
    await ports.signInKey(),
  );
  return opened.ok ? opened.record : undefined;
}

function formNotValid(): Promise<Response> {
  return pageResponse(errorPage("Activation failed", "invalid_request", ACTIVATE_FORM_NOT_VALID), {
    status: 403,
  });
}

function withCookies(response: Response, cookies: readonly string[]): Response {
  for (const cookie of cookies) response.headers.append("Set-Cookie", cookie);
  return response;
}
