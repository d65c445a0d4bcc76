/**
 * Consent (issue 11 item 3): between policy and the code, /v1/authorize asks the user to allow the
 * scopes that need it, and remembers the answer as Okta's consent grants (`oag…`,
 * src/directory/consent-grants.ts).
 *
 * Which scopes ask — Okta's table (Apps API, "consent_method"; FLEXIBLE asks as REQUIRED does):
 *
 *   prompt   app consent_method   scope consent        result
 *   consent  TRUSTED or REQUIRED  REQUIRED/FLEXIBLE    asked, even if granted before
 *   (none)   REQUIRED             REQUIRED/FLEXIBLE    asked unless an ACTIVE grant covers it
 *   none     REQUIRED             REQUIRED/FLEXIBLE    `consent_required` unless granted (OIDC Core §3.1.2.6)
 *   any      TRUSTED              …                    not asked (prompt=consent aside)
 *   any      any                  IMPLICIT             not asked
 *
 * The pending consent travels like a pending sign-in (src/signin/transaction.ts): sealed into the
 * form under the sign-in HMAC key with its own label (a sign-in form cannot be posted as a consent,
 * nor the reverse), bound to this browser's CSRF secret, to the session that was shown the page and
 * to the scopes it showed, and short-lived. Nothing is stored until the user allows.
 */
import type { Context } from "hono";
import { SIGN_IN_TRANSACTION_LIFETIME_SECONDS } from "../config/defaults";
import { oidcSettings } from "../config/oidc-app";
import type { Client, Scope } from "../config/schemas";
import type { AppEnv } from "../context";
import { hashSecret } from "../crypto/secrets";
import { EVENT_TYPES, requestInfo } from "../log/event";
import type { AuthorizeRequest, ReplyTarget } from "./authorize-request";
import { authorizeError, formActionSource } from "./authorize-response";
import { consentPage, optionalField } from "./consent-page";
import { isSecure, readCookie, setCookie } from "./cookies";
import { pageResponse } from "./pages";
import type { SignInServer } from "./servers";
import {
  type FormSeal,
  isCsrfSecret,
  newCsrfSecret,
  openForm,
  type SealedForm,
  sealForm,
  type TransactionRejection,
} from "./transaction";

type Ctx = Context<AppEnv>;

/** The redirect when the user chooses "Don't allow" (RFC 6749 §4.1.2.1 `access_denied`). UNCONFIRMED wording. */
export const CONSENT_DENIED = "User denied consent.";

/** `prompt=none` when a scope still needs the user's consent (OIDC Core §3.1.2.6). UNCONFIRMED wording. */
export const CONSENT_REQUIRED = "The client specified not to prompt, but the client app requires consent.";

/** The scopes of `granted` (policy's answer) that ask for consent in this request, per the table above. */
export function scopesAskingConsent(
  client: Client,
  promptConsent: boolean,
  granted: readonly string[],
  serverScopes: readonly Scope[],
): Scope[] {
  if (!promptConsent && oidcSettings(client).consent_method !== "REQUIRED") return [];
  const byName = new Map(serverScopes.map((s) => [s.name, s]));
  return granted
    .map((name) => byName.get(name))
    .filter((s): s is Scope => s !== undefined && (s.consent === "REQUIRED" || s.consent === "FLEXIBLE"));
}

/** What the user answered on a consent page: the scopes it showed, and the optional ones left ticked. */
export interface ConsentAnswer {
  shown: readonly string[];
  ticked: readonly string[];
}

export interface ConsentInput {
  client: Client;
  request: AuthorizeRequest;
  userId: string;
  sessionId: string;
  /** The scopes policy granted. */
  scopes: readonly string[];
  /** Set when the user has just allowed on the page. */
  answer?: ConsentAnswer | undefined;
}

/**
 * The scopes the code may carry (policy's, less optional scopes the user unticked), or the response
 * to send instead: the consent page, or `consent_required` under `prompt=none`.
 */
export async function consentStep(
  c: Ctx,
  server: SignInServer,
  input: ConsentInput,
): Promise<{ scopes: string[] } | { response: Response }> {
  const { client, request, answer } = input;
  const ports = c.get("ports");
  const asking = scopesAskingConsent(client, request.prompt.consent, input.scopes, server.scopes);
  if (asking.length === 0) return { scopes: [...input.scopes] };

  let declined = new Set<string>();
  let unanswered = asking;
  if (answer) {
    const shown = new Set(answer.shown);
    const ticked = new Set(answer.ticked);
    const seen = asking.filter((s) => shown.has(s.name));
    const allowed = seen.filter((s) => !s.optional || ticked.has(s.name));
    declined = new Set(seen.filter((s) => s.optional && !ticked.has(s.name)).map((s) => s.name));
    await ports.consents.grant(
      {
        userId: input.userId,
        clientId: client.client_id,
        serverId: server.id,
        issuer: server.issuer,
      },
      allowed.map((s) => ({ id: s.id, name: s.name })),
      ports.clock(),
    );
    if (allowed.length > 0) {
      // Okta's event for a consent given on the page: one per answer, naming the scopes.
      ports.log.record({
        eventType: EVENT_TYPES.consentGrant,
        displayMessage: "User granted consent to app",
        actor: { id: input.userId, type: "User" },
        outcome: { result: "SUCCESS" },
        target: [
          {
            id: client.client_id,
            type: "AppInstance",
            alternateId: client.client_id,
            displayName: client.client_name,
          },
          ...allowed.map((s) => ({
            id: s.id,
            type: "OAuth2Scope",
            alternateId: s.name,
            displayName: s.name,
          })),
        ],
        request: requestInfo(c.req.raw.headers),
        debugData: { serverId: server.id, scopes: allowed.map((s) => s.name).join(" ") },
      });
    }
    // A scope the page did not show (policy or the scope changed meanwhile) is still to be asked.
    unanswered = asking.filter((s) => !shown.has(s.name));
  }
  let pending = unanswered;
  if (pending.length > 0 && !(request.prompt.consent && !answer)) {
    const granted = await ports.consents.grantedScopeIds(input.userId, client.client_id, server.id);
    pending = pending.filter((s) => !granted.has(s.id));
  }
  if (pending.length === 0) return { scopes: input.scopes.filter((name) => !declined.has(name)) };

  if (request.prompt.none) {
    return {
      response: await authorizeError(
        replyTarget(request),
        server.issuer,
        "consent_required",
        CONSENT_REQUIRED,
      ),
    };
  }
  return { response: await showConsent(c, server, client, request, input, pending) };
}

async function showConsent(
  c: Ctx,
  server: SignInServer,
  client: Client,
  request: AuthorizeRequest,
  input: ConsentInput,
  pending: readonly Scope[],
): Promise<Response> {
  const ports = c.get("ports");
  const serverId = server.id;
  const existing = readCookie(c, "csrf");
  const csrf = isCsrfSecret(existing) ? existing : newCsrfSecret();
  const transaction = await sealConsent(
    {
      serverId,
      csrf: await hashSecret(csrf),
      expiresAt: ports.clock() + SIGN_IN_TRANSACTION_LIFETIME_SECONDS * 1000,
      userId: input.userId,
      sessionId: input.sessionId,
      shown: pending.map((s) => s.name),
      request: withoutSessionToken(request),
    },
    await ports.signInKey(),
  );
  const response = await pageResponse(
    consentPage({
      appName: client.client_name,
      action: `${server.basePath}/consent`,
      transaction,
      scopes: pending.map((s) => ({
        name: s.name,
        displayName: s.displayName,
        description: s.description,
        optional: s.optional,
      })),
    }),
    // Chromium checks `form-action` against every hop of the form's redirect chain (CSP Level 3
    // §6.3.1.2), and Allow / Deny both end at the client's redirect URI.
    { status: 200, formAction: `'self' ${formActionSource(request.redirectUri)}` },
  );
  if (csrf !== existing) response.headers.append("Set-Cookie", setCookie("csrf", csrf, isSecure(c.req.url)));
  return response;
}

function withoutSessionToken(request: AuthorizeRequest): Omit<AuthorizeRequest, "sessionToken"> {
  const { sessionToken: _spent, ...kept } = request;
  return kept;
}

function replyTarget(request: AuthorizeRequest): ReplyTarget {
  return { redirectUri: request.redirectUri, responseMode: request.responseMode, state: request.state };
}

// ---- the sealed pending consent ----

const CONSENT_SEAL: FormSeal = {
  shape: { format: "warden-consent-1", field: "transaction" },
  label: "consent-transaction",
};

export interface ConsentTransaction extends SealedForm {
  userId: string;
  /** The session the page was shown to: the answer counts only from that same session. */
  sessionId: string;
  /** Names of the scopes the page asked about. */
  shown: string[];
  request: Omit<AuthorizeRequest, "sessionToken">;
}

/** Why a posted consent form is refused (403): for tests and the log, never for the page. */
export type ConsentRejection = TransactionRejection;

function sealConsent(transaction: ConsentTransaction, key: CryptoKey): Promise<string> {
  return sealForm(CONSENT_SEAL, transaction, key);
}

/** The consent `field` holds, if sealed by this deployment for `serverId`, under `csrfSecret`, unexpired. */
export async function openConsent(
  field: string | undefined,
  serverId: string,
  csrfSecret: string | undefined,
  nowMs: number,
  key: CryptoKey,
): Promise<{ ok: true; transaction: ConsentTransaction } | { ok: false; reason: ConsentRejection }> {
  const opened = await openForm<ConsentTransaction>(CONSENT_SEAL, field, serverId, csrfSecret, nowMs, key);
  return opened.ok ? { ok: true, transaction: opened.record } : opened;
}

/** The optional scopes a posted form left ticked, among those the page showed. */
export function tickedScopes(form: ReadonlyMap<string, string>, shown: readonly string[]): string[] {
  return shown.filter((name) => form.get(optionalField(name)) === "on");
}
