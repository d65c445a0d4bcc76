/**
 * Sign-in through Warden's own org authorization server: authorization code with PKCE S256
 * (RFC 7636), `state` (RFC 6749 §10.12) and `nonce` (OIDC Core §3.1.2.1), as a public client.
 *
 * Tokens live in this module's memory only: a reload signs in again, which the org session makes a
 * redirect round trip without a password. Only what must survive the redirect to the hosted page
 * (verifier, state, nonce, where to return) is kept, in sessionStorage, and removed at the callback.
 */
import { CONSOLE_CLIENT_ID, callbackUri, MANAGE_SCOPES, READ_SCOPES, signedOutUri } from "./config";
import { safeReturn } from "./parse";

export interface Session {
  accessToken: string;
  idToken: string;
  /** The scopes the org server granted (`scope` of the token response). */
  scopes: ReadonlySet<string>;
  /** The admin's login (`sub` of the ID token). */
  login: string;
}

type Mode = "manage" | "read";

interface Pending {
  verifier: string;
  state: string;
  nonce: string;
  mode: Mode;
  returnTo: string;
}

const PENDING_KEY = "warden.console.signin";

export class SignInError extends Error {}

function base64url(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const randomValue = (): string => base64url(crypto.getRandomValues(new Uint8Array(32)));

async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** Leaves for the hosted sign-in page; `returnTo` is the console's hash route to come back to. */
export async function startSignIn(returnTo: string, mode: Mode = "manage"): Promise<never> {
  const pending: Pending = {
    verifier: randomValue(),
    state: randomValue(),
    nonce: randomValue(),
    mode,
    returnTo,
  };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const query = new URLSearchParams({
    client_id: CONSOLE_CLIENT_ID,
    response_type: "code",
    scope: ["openid", ...(mode === "manage" ? MANAGE_SCOPES : READ_SCOPES)].join(" "),
    redirect_uri: callbackUri(),
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await challengeOf(pending.verifier),
    code_challenge_method: "S256",
  });
  location.assign(`/oauth2/v1/authorize?${query}`);
  // The page is leaving; nothing after this runs.
  return new Promise<never>(() => {});
}

function takePending(): Pending | undefined {
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as Pending;
  } catch {
    return undefined;
  }
}

function claimsOf(jwt: string): Record<string, unknown> {
  const payload = jwt.split(".")[1] ?? "";
  const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
}

/**
 * At /admin/callback: checks `state`, redeems the code with the verifier, checks the ID token's
 * `nonce`, and moves the address bar to the console (the code leaves the history). A read-only
 * admin's first request (manage scopes) comes back `invalid_scope`: it asks again for read scopes.
 */
export async function completeSignIn(): Promise<Session> {
  const params = new URLSearchParams(location.search);
  const pending = takePending();
  history.replaceState(null, "", "/admin/");
  if (!pending || params.get("state") !== pending.state) {
    throw new SignInError("The sign-in response does not match a sign-in this console started.");
  }
  const error = params.get("error");
  if (error === "invalid_scope" && pending.mode === "manage") return startSignIn(pending.returnTo, "read");
  if (error) throw new SignInError(params.get("error_description") ?? error);
  const res = await fetch("/oauth2/v1/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: CONSOLE_CLIENT_ID,
      code: params.get("code") ?? "",
      redirect_uri: callbackUri(),
      code_verifier: pending.verifier,
    }),
  });
  const body = (await res.json()) as Record<string, string | undefined>;
  if (!res.ok || !body.access_token || !body.id_token) {
    throw new SignInError(
      body.error_description ?? body.error ?? `The token request failed (${res.status}).`,
    );
  }
  // The ID token came straight from the token endpoint over TLS (OIDC Core §3.1.3.7): its nonce
  // ties it to this sign-in.
  const claims = claimsOf(body.id_token);
  if (claims.nonce !== pending.nonce) throw new SignInError("The ID token's nonce does not match.");
  history.replaceState(null, "", `/admin/${safeReturn(pending.returnTo)}`);
  return {
    accessToken: body.access_token,
    idToken: body.id_token,
    scopes: new Set((body.scope ?? "").split(" ").filter(Boolean)),
    // The org access token's `sub` is the login (README "The org authorization server signs users in").
    login: String(claimsOf(body.access_token).sub ?? ""),
  };
}

/** RP-initiated logout at the org server: ends the org session, lands at /admin/signed-out. */
export function signOut(session: Session): void {
  const query = new URLSearchParams({
    id_token_hint: session.idToken,
    post_logout_redirect_uri: signedOutUri(),
  });
  location.assign(`/oauth2/v1/logout?${query}`);
}
