#!/usr/bin/env node
/**
 * The sample web app (`npm run example:web`): a server-side app on 127.0.0.1 that signs people in
 * with openid-client, unchanged, against Warden — the authorization code flow with PKCE (S256) and
 * the client secret (client_secret_basic, Okta's default for web apps), state and nonce checked,
 * the ID token validated by openid-client, userinfo fetched with the access token, sign-out through
 * the issuer's end_session_endpoint (/v1/logout) with id_token_hint.
 *
 * Sessions are in memory, keyed by a random HttpOnly SameSite=Lax cookie: this is a sample, one
 * process. Tokens never reach the browser. Configuration: ../local-config.mjs.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import * as oidc from "openid-client";
import { sampleConfig } from "../local-config.mjs";

const config = sampleConfig("web");
if (!config.clientSecret) throw new Error("the web sample needs a client secret (CLIENT_SECRET)");

// Discovery once, at start. Plain http is allowed only because the issuer is on loopback (npm start).
const issuerUrl = new URL(config.issuer);
const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(issuerUrl.hostname);
const server = await oidc.discovery(
  issuerUrl,
  config.clientId,
  undefined,
  oidc.ClientSecretBasic(config.clientSecret),
  loopback ? { execute: [oidc.allowInsecureRequests] } : undefined,
);

/** @type {Map<string, {pending?: {verifier: string, state: string, nonce: string}, claims?: object, userinfo?: object, idToken?: string}>} */
const sessions = new Map();
const COOKIE = "sample_web_session";

function session(req, res) {
  const id = /(?:^|;\s*)sample_web_session=([\w-]{43})(?:;|$)/.exec(req.headers.cookie ?? "")?.[1];
  if (id && sessions.has(id)) return sessions.get(id);
  const fresh = randomBytes(32).toString("base64url");
  const created = {};
  sessions.set(fresh, created);
  res.setHeader("Set-Cookie", `${COOKIE}=${fresh}; Path=/; HttpOnly; SameSite=Lax`);
  return created;
}

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res, status, body) {
  res.writeHead(status, {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy":
      "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
  });
  res.end(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Warden sample web app</title></head>
<body><main>
<h1>Warden sample web app</h1>
<p>openid-client, authorization code with PKCE and a client secret, against <code>${escapeHtml(config.issuer)}</code></p>
${body}
</main></body>
</html>`);
}

function redirect(res, location) {
  res.writeHead(302, { Location: location, "Cache-Control": "no-store" }).end();
}

async function handle(req, res) {
  const url = new URL(req.url ?? "/", config.origin);
  const current = session(req, res);
  if (req.method !== "GET") {
    res.writeHead(405, { Allow: "GET" }).end();
    return;
  }
  switch (url.pathname) {
    case "/":
      if (!current.claims) {
        page(res, 200, `<p>You are not signed in.</p><p><a id="sign-in" href="/login">Sign in</a></p>`);
        return;
      }
      page(
        res,
        200,
        `<p>Signed in as <strong id="name">${escapeHtml(current.claims.name ?? current.claims.sub)}</strong>.</p>
<h2>ID token claims</h2><pre id="claims">${escapeHtml(JSON.stringify(current.claims, null, 2))}</pre>
<h2>Userinfo</h2><pre id="userinfo">${escapeHtml(JSON.stringify(current.userinfo, null, 2))}</pre>
<p><a id="sign-out" href="/logout">Sign out</a></p>`,
      );
      return;
    case "/login": {
      const pending = {
        verifier: oidc.randomPKCECodeVerifier(),
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
      };
      current.pending = pending;
      const authorize = oidc.buildAuthorizationUrl(server, {
        redirect_uri: config.redirectUri,
        scope: "openid profile email",
        code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
        code_challenge_method: "S256",
        state: pending.state,
        nonce: pending.nonce,
      });
      redirect(res, authorize.href);
      return;
    }
    case "/authorization-code/callback": {
      const pending = current.pending;
      // One use: a replayed callback finds nothing pending.
      current.pending = undefined;
      if (!pending) {
        page(res, 400, `<p role="alert">No sign-in is in progress. <a href="/">Start again</a>.</p>`);
        return;
      }
      try {
        // Checks state, iss (RFC 9207), the ID token (signature, iss, aud, nonce, exp) and sends the verifier.
        const tokens = await oidc.authorizationCodeGrant(server, url, {
          pkceCodeVerifier: pending.verifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        const claims = tokens.claims();
        current.claims = claims;
        current.idToken = tokens.id_token;
        current.userinfo = await oidc.fetchUserInfo(server, tokens.access_token, claims.sub);
        redirect(res, "/");
      } catch (error) {
        // openid-client's own words, then why: the server's error_description, or the check that
        // failed (its cause, e.g. `unexpected "state" response parameter value`).
        const why =
          error?.error_description ?? (error?.cause instanceof Error ? error.cause.message : undefined);
        const detail = error instanceof Error ? `${error.message}${why ? `: ${why}` : ""}` : String(error);
        page(
          res,
          400,
          `<p role="alert" id="error">Sign-in failed: ${escapeHtml(detail)}</p><p><a href="/">Start again</a></p>`,
        );
      }
      return;
    }
    case "/logout": {
      const idToken = current.idToken;
      current.claims = current.userinfo = current.idToken = undefined;
      if (!idToken) {
        redirect(res, "/");
        return;
      }
      redirect(
        res,
        oidc.buildEndSessionUrl(server, {
          id_token_hint: idToken,
          post_logout_redirect_uri: config.postLogoutRedirectUri,
        }).href,
      );
      return;
    }
    case "/favicon.ico":
      res.writeHead(204).end();
      return;
    default:
      page(res, 404, `<p>Not found. <a href="/">Home</a></p>`);
  }
}

const http = createServer((req, res) => {
  handle(req, res).catch((error) => {
    console.error(error);
    if (!res.headersSent) page(res, 500, `<p role="alert">The sample failed; see its console.</p>`);
  });
});
http.listen(config.port, "127.0.0.1", () => {
  console.log(`sample web app on ${config.origin}/ (client ${config.clientId}, issuer ${config.issuer})`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => http.close(() => process.exit(0)));
