/**
 * The device activation pages (`/activate`, RFC 8628 §3.3): enter the code, approve or deny, and the
 * outcome. Same frame, CSP, no-store and no-script rules as the sign-in page (src/signin/pages.ts);
 * every value goes through `hono/html`'s escaping. They work without JavaScript: plain forms.
 *
 * RFC 8628 §5.4 (remote phishing): the approval page says which app asks, for what, on whose
 * account, and repeats the code, so the user can check it against the device in their hands; a
 * `verification_uri_complete` only pre-fills the code, the user still submits it.
 */
import { html, raw } from "hono/html";
import { DEVICE_USER_CODE_INPUT_MAX_LENGTH } from "../config/defaults";
import { layout } from "./pages";

/** The code-entry form's field names: a sealed CSRF-bound form, and the code. */
export const ACTIVATE_FORM_FIELD = "activate_request";
export const USER_CODE_FIELD = "user_code";

export interface CodeEntryView {
  action: string;
  /** The sealed form (src/signin/activate.ts). */
  form: string;
  /** Pre-filled from `verification_uri_complete`, or what the user typed. */
  userCode?: string | undefined;
  /** The one message for every code that is not good, or a rate-limit notice. */
  error?: string | undefined;
}

export function codeEntryPage(view: CodeEntryView) {
  const invalid = Boolean(view.error);
  return (nonce: string) =>
    layout(
      nonce,
      "Activate your device",
      html`<h1>Activate your device</h1>
<p>Enter the code shown on your device.</p>
<div id="activate-error" class="alert" role="alert" aria-live="assertive">${view.error ?? ""}</div>
<form method="post" action="${view.action}">
<input type="hidden" name="${ACTIVATE_FORM_FIELD}" value="${view.form}">
<label for="user-code">Activation code</label>
<input id="user-code" name="${USER_CODE_FIELD}" type="text" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" required maxlength="${DEVICE_USER_CODE_INPUT_MAX_LENGTH}" placeholder="WDJB-MJHT" autofocus${raw(invalid ? ' aria-invalid="true" aria-describedby="activate-error"' : "")} value="${view.userCode ?? ""}">
<button type="submit">Next</button>
</form>`,
    );
}

export interface DeviceScopeView {
  name: string;
  displayName?: string | undefined;
  description: string;
}

export interface ApprovalView {
  appName: string;
  /** The signed-in user's login. */
  login: string;
  /** The code, as shown on the device (four, a dash, four: `WDJB-MJHT`). */
  userCode: string;
  scopes: readonly DeviceScopeView[];
  action: string;
  /** The sealed decision form. */
  form: string;
}

export const DECISION_FORM_FIELD = "device_request";

export function approvalPage(view: ApprovalView) {
  return (nonce: string) =>
    layout(
      nonce,
      `Activate ${view.appName}?`,
      html`<h1>Activate ${view.appName}?</h1>
<p>A device showing the code <strong><code>${view.userCode}</code></strong> asks to sign in to <strong>${view.appName}</strong> as <strong>${view.login}</strong>.</p>
<p>Only allow it if you started this on a device you have in front of you.</p>
<form method="post" action="${view.action}">
<input type="hidden" name="${DECISION_FORM_FIELD}" value="${view.form}">
${
  view.scopes.length > 0
    ? html`<fieldset>
<legend>It will be able to:</legend>
<ul>
${view.scopes.map((s) => html`<li>${s.displayName || s.name}${s.description ? html`<span class="scope-description">${s.description}</span>` : ""}</li>`)}
</ul>
</fieldset>`
    : ""
}
<div class="actions">
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
<button type="submit" name="decision" value="allow" autofocus>Allow</button>
</div>
</form>`,
    );
}

/** After a decision: what happened, and that the device continues on its own. */
export function outcomePage(approved: boolean) {
  return (nonce: string) =>
    layout(
      nonce,
      approved ? "Device activated" : "Device not activated",
      approved
        ? html`<h1>Device activated</h1>
<p role="status">Your device is now signed in. You can close this window and return to it.</p>`
        : html`<h1>Device not activated</h1>
<p role="status">You denied the request. The device will not be signed in.</p>`,
    );
}
