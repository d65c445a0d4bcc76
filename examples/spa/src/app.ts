/**
 * The sample SPA: okta-auth-js as an Okta customer would use it, unchanged, against Warden. Sign in
 * with a redirect to the hosted page and PKCE (okta-auth-js makes the verifier and checks that
 * discovery offers S256), exchange the code and verify the ID token in the browser (both
 * cross-origin: the token endpoint and JWKS), call userinfo (cross-origin, a bearer token), sign out
 * through `/v1/logout`. The server (../server.mjs) hands the page its settings at /config.json.
 */
import { type CustomUserClaims, OktaAuth, type UserClaims } from "@okta/okta-auth-js";

interface SampleConfig {
  issuer: string;
  clientId: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  scopes: string[];
}

const $ = (id: string): HTMLElement => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from index.html`);
  return element;
};

/** Shows what failed; the browser's console has the detail (a CORS refusal says so there only). */
function showError(what: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  $("error").textContent = `${what}: ${message}`;
}

function showSignedIn(claims: UserClaims<CustomUserClaims>): void {
  $("name").textContent = String(claims.name ?? claims.preferred_username ?? claims.sub);
  $("claims").textContent = JSON.stringify(claims, null, 2);
  $("signed-in").hidden = false;
  $("signed-out").hidden = true;
}

async function main(): Promise<void> {
  const config = (await (await fetch("/config.json")).json()) as SampleConfig;
  $("issuer").textContent = config.issuer;
  const auth = new OktaAuth({
    issuer: config.issuer,
    clientId: config.clientId,
    redirectUri: config.redirectUri,
    postLogoutRedirectUri: config.postLogoutRedirectUri,
    scopes: config.scopes,
    pkce: true,
    // localStorage: tokens survive a reload. No auto-renew: nothing to renew with until refresh
    // tokens (issue 12), and it would need `auth.start()`'s background services.
    tokenManager: { storage: "localStorage", autoRenew: false },
  });

  $("sign-in").addEventListener("click", () => {
    auth.token.getWithRedirect().catch((error: unknown) => showError("Sign-in failed", error));
  });
  $("sign-out").addEventListener("click", () => {
    // Warden has no /v1/revoke yet (issue 12): sign-out ends the session through /v1/logout with
    // the ID token as id_token_hint, and the page comes back to postLogoutRedirectUri.
    auth
      .signOut({ revokeAccessToken: false, revokeRefreshToken: false })
      .catch((error: unknown) => showError("Sign-out failed", error));
  });

  if (auth.isLoginRedirect()) {
    try {
      // Exchanges the code (PKCE verifier from the transaction storage) and verifies the ID token.
      const { tokens } = await auth.token.parseFromUrl();
      auth.tokenManager.setTokens(tokens);
    } catch (error) {
      showError("Sign-in failed", error);
    } finally {
      window.history.replaceState(null, "", "/");
    }
  } else {
    // Back from /v1/logout: drop the tokens signOut marked for removal before it left.
    auth.tokenManager.clearPendingRemoveTokens();
  }

  const { idToken, accessToken } = await auth.tokenManager.getTokens();
  if (!idToken || !accessToken) {
    $("signed-out").hidden = false;
    return;
  }
  showSignedIn(idToken.claims);
  try {
    const userinfo = await auth.token.getUserInfo(accessToken, idToken);
    $("userinfo").textContent = JSON.stringify(userinfo, null, 2);
  } catch (error) {
    showError("Userinfo failed", error);
  }
}

main().catch((error: unknown) => showError("The app failed to start", error));
