/**
 * The consent page (issue 11 item 3): which app asks, for what (each scope's displayName and
 * description, as Okta shows them), and Allow / Deny. Same frame, CSP, no-store and no-script rules
 * as the sign-in page (src/signin/pages.ts): every interpolated value goes through `hono/html`'s
 * escaping, so a scope description or an app name cannot inject markup.
 *
 * Okta lets the user untick an `optional` scope; a scope that is not optional is shown checked and
 * disabled (a disabled checkbox is not submitted: the server never reads it, it grants every
 * non-optional scope it showed on Allow). Optional scopes are checked by default, one form field
 * each (`optional.<scope name>`): form parameters may not repeat (DESIGN §8).
 */
import { html } from "hono/html";
import { layout } from "./pages";

export interface ConsentScopeView {
  name: string;
  displayName?: string | undefined;
  description: string;
  optional: boolean;
}

export interface ConsentView {
  appName: string;
  /** Where the form posts. */
  action: string;
  /** The sealed pending consent (src/signin/consent.ts). */
  transaction: string;
  scopes: readonly ConsentScopeView[];
}

/** The form field an optional scope's checkbox posts when ticked. */
export function optionalField(scopeName: string): string {
  return `optional.${scopeName}`;
}

export function consentPage(view: ConsentView) {
  return (nonce: string) =>
    layout(
      nonce,
      `${view.appName} would like to access your account`,
      html`<h1>Allow access?</h1>
<p><strong>${view.appName}</strong> would like to:</p>
<form method="post" action="${view.action}">
<input type="hidden" name="consent_request" value="${view.transaction}">
<fieldset>
<legend>Permissions requested</legend>
${view.scopes.map((scope, i) => {
  const id = `scope-${i}`;
  return html`<div class="scope">
<input type="checkbox" id="${id}"${scope.optional ? html` name="${optionalField(scope.name)}" value="on"` : html` disabled aria-disabled="true"`} checked aria-describedby="${id}-description">
<label for="${id}">${scope.displayName || scope.name}<span id="${id}-description" class="scope-description">${scope.description}${scope.optional ? "" : " (required)"}</span></label>
</div>`;
})}
</fieldset>
<div class="actions">
<button type="submit" name="decision" value="deny" class="secondary">Don't allow</button>
<button type="submit" name="decision" value="allow" autofocus>Allow access</button>
</div>
</form>`,
    );
}
