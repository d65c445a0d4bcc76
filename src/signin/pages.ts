/**
 * The hosted pages: sign-in, the form_post answer, "signed out" and the error page. Server-rendered
 * with `hono/html` tagged templates rather than Hono JSX: every interpolation is HTML-escaped by the
 * template tag itself, no JSX compiler setting or runtime is added to the Worker, and a page is one
 * readable string. No external assets (no fonts, images or scripts from anywhere): a page works
 * offline from everything but this Worker, and the CSP can be `default-src 'none'`.
 *
 * Every page answers with:
 * - a CSP that allows nothing but the page's own nonce'd `<style>` (and, on the form_post page only,
 *   its one nonce'd script), `form-action` limited to where the form may go, `frame-ancestors 'none'`
 *   and `X-Frame-Options: DENY` against clickjacking (RFC 6749 §10.13);
 * - `Cache-Control: no-store`: they carry sealed requests, codes or personal data (RFC 6749 §5.1's
 *   reasoning, and OWASP's for authenticated pages);
 * - `Referrer-Policy: no-referrer`: the page's URL holds the authorization request (state, login_hint).
 */
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { randomToken } from "../crypto/secrets";

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** One stylesheet for every page: plain, high-contrast, readable at 200 % zoom. */
const STYLE = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1d1d21}
main{max-width:24rem;margin:4rem auto;padding:2rem;background:#fff;border:1px solid #c9ccd1;border-radius:8px}
h1{font-size:1.5rem;margin:0 0 .25rem}
p{margin:.25rem 0 1rem}
label{display:block;font-weight:600;margin-top:1rem}
input{display:block;width:100%;padding:.6rem;margin-top:.25rem;font:inherit;border:1px solid #6b6f76;border-radius:4px}
input:focus,button:focus{outline:3px solid #1662dd;outline-offset:2px}
input[aria-invalid=true]{border-color:#c4122f}
button{margin-top:1.5rem;width:100%;padding:.7rem;font:inherit;font-weight:600;color:#fff;background:#1662dd;border:0;border-radius:4px;cursor:pointer}
.alert{color:#a30d25;font-weight:600}
.alert:empty{display:none}
.field-error{color:#a30d25;font-size:.9rem;margin:.25rem 0 0}
code{word-break:break-all}
fieldset{border:0;margin:1rem 0 0;padding:0}
legend{font-weight:600;padding:0}
.scope{display:flex;gap:.6rem;align-items:flex-start;margin-top:.75rem}
.scope input{width:auto;margin:.3rem 0 0;flex:none}
.scope label{margin:0}
.scope-description{display:block;font-weight:400;color:#4a4d53;font-size:.95rem}
.actions{display:flex;gap:.75rem}
button.secondary{color:#1662dd;background:#fff;border:1px solid #1662dd}
`;

export interface PageOptions {
  status: number;
  /** CSP `form-action`: `'self'` by default; the form_post page names the client's origin. */
  formAction?: string;
  /** Whether the page runs its one nonce'd script (form_post and okta_post_message only). */
  script?: boolean;
  /**
   * CSP `frame-ancestors`: `'none'` by default. Only the okta_post_message page, which must run in the
   * client's hidden iframe, names the client's origin (and then sends no `X-Frame-Options`, which
   * cannot name an origin).
   */
  frameAncestors?: string;
  headers?: Readonly<Record<string, string>>;
}

/** The response for a page body built with `nonce` (for its `<style>` and `<script>`). */
export async function pageResponse(build: (nonce: string) => Html, options: PageOptions): Promise<Response> {
  const nonce = randomToken(16);
  const body = (await build(nonce)).toString();
  const csp = [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    ...(options.script ? [`script-src 'nonce-${nonce}'`] : []),
    `form-action ${options.formAction ?? "'self'"}`,
    `frame-ancestors ${options.frameAncestors ?? "'none'"}`,
    "base-uri 'none'",
  ].join("; ");
  return new Response(body, {
    status: options.status,
    headers: {
      ...options.headers,
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": csp,
      ...(options.frameAncestors === undefined ? { "X-Frame-Options": "DENY" } : {}),
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
      "Cache-Control": "no-store",
      Pragma: "no-cache",
    },
  });
}

/** The page frame every hosted page shares (also the consent page, src/signin/consent-page.ts). */
export function layout(nonce: string, title: string, content: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<style nonce="${nonce}">${raw(STYLE)}</style>
</head>
<body>
<main>
${content}
</main>
</body>
</html>`;
}

export interface SignInView {
  /** The app the user signs in to (its `client_name`). */
  appName: string;
  /** Where the form posts. */
  action: string;
  /** The sealed pending authorization (src/signin/transaction.ts). */
  transaction: string;
  /** Prefilled username: `login_hint`, or what the user typed last time. */
  username?: string | undefined;
  /** The one message for every failed sign-in, or a rate-limit notice. */
  error?: string | undefined;
  /** A field left empty. */
  missing?: "username" | "password" | undefined;
}

/**
 * The sign-in form. It works without JavaScript; focus lands on the first field that needs the
 * user (autofocus); an error is in a `role="alert"` region, announced by screen readers when the page
 * loads with it, and the field it concerns is `aria-invalid` and points at its message.
 */
export function signInPage(view: SignInView) {
  const focusPassword = Boolean(view.username) && view.missing !== "username";
  const usernameInvalid = view.missing === "username" || Boolean(view.error);
  const passwordInvalid = view.missing === "password" || Boolean(view.error);
  return (nonce: string) =>
    layout(
      nonce,
      `Sign in to ${view.appName}`,
      html`<h1>Sign in</h1>
<p>to continue to <strong>${view.appName}</strong></p>
<div id="sign-in-error" class="alert" role="alert" aria-live="assertive">${view.error ?? ""}</div>
<form method="post" action="${view.action}">
<input type="hidden" name="signin_request" value="${view.transaction}">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="100"${raw(focusPassword ? "" : " autofocus")}${raw(usernameInvalid ? ' aria-invalid="true" aria-describedby="username-error sign-in-error"' : "")} value="${view.username ?? ""}">
${view.missing === "username" ? html`<p id="username-error" class="field-error">Enter your username.</p>` : ""}
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${raw(focusPassword ? " autofocus" : "")}${raw(passwordInvalid ? ' aria-invalid="true" aria-describedby="password-error sign-in-error"' : "")}>
${view.missing === "password" ? html`<p id="password-error" class="field-error">Enter your password.</p>` : ""}
<button type="submit">Sign in</button>
</form>`,
    );
}

/**
 * OAuth 2.0 Form Post Response Mode §2: an auto-submitting form to the client's redirect URI. The
 * script is the page's only one (nonce'd); without JavaScript the button submits the same form.
 */
export function formPostPage(action: string, params: Readonly<Record<string, string>>) {
  return (nonce: string) =>
    layout(
      nonce,
      "Signing in…",
      html`<h1>Signing in…</h1>
<form id="response" method="post" action="${action}">
${Object.entries(params).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<noscript><p>JavaScript is off: continue to the application.</p><button type="submit">Continue</button></noscript>
</form>
<script nonce="${nonce}">document.getElementById("response").submit();</script>`,
    );
}

/**
 * Okta's `okta_post_message` answer (okta-auth-js `getWithoutPrompt` / `token.renew` in a hidden
 * iframe): a page whose one script posts `params` to the parent window, addressed to `targetOrigin`
 * (the registered redirect URI's origin, never `*`: another page framing this one gets nothing).
 * The values are JSON inside a script, so they are escaped for JavaScript, not for HTML: `<`, `>`,
 * `&`, U+2028 and U+2029 as `\u` escapes, so no value can close the script or start markup.
 */
export function postMessagePage(targetOrigin: string, params: Readonly<Record<string, string>>) {
  return (nonce: string) =>
    layout(
      nonce,
      "Signing in…",
      html`<script nonce="${nonce}">window.parent.postMessage(${raw(scriptJson(params))}, ${raw(scriptJson(targetOrigin))});</script>`,
    );
}

/** JSON that is safe inside an HTML `<script>` element (HTML §4.12.1.3 restrictions). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** An error the user sees (never redirected): what went wrong, in Okta's words, and what to do. */
export function errorPage(title: string, code: string, description: string) {
  return (nonce: string) =>
    layout(
      nonce,
      title,
      html`<h1>${title}</h1>
<div role="alert">
<p>Error code: <code>${code}</code></p>
<p>${description}</p>
</div>
<p>Return to the application and try again.</p>`,
    );
}

export function signedOutPage() {
  return (nonce: string) =>
    layout(
      nonce,
      "Signed out",
      html`<h1>You are signed out</h1>
<p role="status">Your session has ended. You can close this window.</p>`,
    );
}
