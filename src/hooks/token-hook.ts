/**
 * The token inline hook step of the token endpoint: after the grant built the claim set and before
 * signing, a rule that names an ACTIVE hook gets its claims transformed by the admin's own service,
 * with Okta's semantics:
 * - the hook gets Okta's `com.okta.oauth2.tokens.transform` body, the configured headers and the
 *   auth header; one call, no retry;
 * - a URI that is not a public https target (src/http/outbound-url.ts; loopback only in local
 *   development) is never called: the token is issued unchanged and `refused_target` recorded;
 * - timeout, a network error, a status outside 2xx, an unreadable reply or refused commands: the
 *   token is issued unchanged and the failure recorded; a 204 is a reply with nothing to apply;
 * - an `error` object in the reply: the request fails with `server_error` and the hook's summary.
 * The only I/O this adds to the token path, and only for rules with a hook: the hook record (cached
 * in the isolate like every config object) and the call.
 *
 * `runTokenInlineHook` does the work and says what happened, recording nothing, so Token Preview
 * can run exactly what a real request runs; `applyTokenInlineHook` is the token endpoint's step.
 */
import { RESERVED_CLAIMS } from "../claims/reserved-names";
import type { ConfigSource } from "../config/config-store";
import {
  INLINE_HOOK_ERROR_SUMMARY_MAX_LENGTH,
  INLINE_HOOK_EVENT_ID_BYTES,
  INLINE_HOOK_LIFETIME_SECONDS_RANGE,
  INLINE_HOOK_RESPONSE_MAX_BYTES,
  INLINE_HOOK_TIMEOUT_MS,
} from "../config/defaults";
import type { Client, ServerConfig } from "../config/schemas";
import { randomToken } from "../crypto/secrets";
import { OAuthError, errorDescription as sanitizedDescription } from "../errors";
import { requestInfo } from "../log/event";
import type { EventLog } from "../log/event-log";
import type { PolicyDecision } from "../policy";
import type { AccessTokenClaims } from "../tokens/access-token";
import { callHook } from "./hook-call";
import { type HookFailureReason, recordHookOutcome } from "./hook-log";
import { applyTokenPatch, type PatchRejection } from "./patch";
import type { PublishedInlineHook, SealedSecret } from "./published-hook";
import { tokenHookRequestBody } from "./request-body";

/** Okta's words when an error object carries no `errorSummary`. */
export const DEFAULT_HOOK_ERROR_SUMMARY = "The callback service returned an error";

/** Opens an inline hook's auth secret, sealed for that hook (src/hooks/published-hook.ts). */
export interface HookSecretOpener {
  open(sealed: SealedSecret, hookId: string): Promise<string>;
}

export interface TokenHookInput {
  token: AccessTokenClaims;
  decision: Extract<PolicyDecision, { ok: true }>;
  client: Client;
  grantType: string;
  requestedScopes: readonly string[];
  snapshot: ServerConfig;
  issuer: string;
  request: Request;
  /** Where the hook's published record is read. */
  config: Pick<ConfigSource, "hook">;
  secrets: HookSecretOpener;
  /** Local development only (`ports.settings.localDevelopment`): the hook may be on loopback. */
  allowLoopback: boolean;
  /** Epoch seconds. */
  now: number;
  /** Test seam; the global fetch otherwise. */
  fetch?: typeof fetch;
  /** The system log (`ports.log`); failures are lines only without it. */
  log?: EventLog;
}

/** What the hook step did: a closed set, recorded by the token endpoint, shown by Token Preview. */
export type TokenHookOutcome =
  /** The rule names no hook. */
  | { kind: "none" }
  /** Okta: an INACTIVE hook blocks execution; the rule issues tokens as if it named none. */
  | { kind: "inactive"; hookId: string }
  /** The hook answered; its commands (perhaps none) were applied. */
  | { kind: "applied"; hookId: string; operations: number; elapsedMs: number }
  /** Nothing applied: the call could not be made, failed, or its commands were refused. */
  | {
      kind: "failed";
      hookId: string;
      /** Whether the hook was called at all (not for `hook_not_found`, `secret_unavailable`, `refused_target`). */
      called: boolean;
      reason: HookFailureReason;
      rejection?: PatchRejection;
      /** For the log only: may carry the upstream status or a connection error's text. */
      detail: string;
      elapsedMs?: number;
    }
  /** The hook answered Okta's `error` object: the request fails with `server_error`. */
  | { kind: "error"; hookId: string; errorSummary: string; elapsedMs: number };

export interface TokenHookResult {
  /** The claim set to sign: transformed when the outcome is `applied`, else as given. */
  token: AccessTokenClaims;
  outcome: TokenHookOutcome;
}

/** Runs the rule's hook, if any, recording nothing: the caller decides what to do with the outcome. */
export async function runTokenInlineHook(input: TokenHookInput): Promise<TokenHookResult> {
  const unchanged = (outcome: TokenHookOutcome): TokenHookResult => ({ token: input.token, outcome });
  const hookId = input.decision.inlineHookId;
  if (!hookId) return unchanged({ kind: "none" });

  const hook = await input.config.hook(hookId);
  if (!hook) {
    return unchanged({
      kind: "failed",
      hookId,
      called: false,
      reason: "hook_not_found",
      detail: "no published inline hook with this id",
    });
  }
  if (hook.status !== "ACTIVE") return unchanged({ kind: "inactive", hookId });

  const headers = await hookHeaders(hook, input.secrets);
  if (!headers) {
    return unchanged({
      kind: "failed",
      hookId,
      called: false,
      reason: "secret_unavailable",
      detail: "the auth secret could not be unsealed",
    });
  }

  const started = Date.now();
  const result = await callHook(hook.uri, headers, JSON.stringify(requestBody(input)), {
    allowLoopback: input.allowLoopback,
    timeoutMs: INLINE_HOOK_TIMEOUT_MS,
    maxReplyBytes: INLINE_HOOK_RESPONSE_MAX_BYTES,
    ...(input.fetch ? { fetch: input.fetch } : {}),
  });
  const elapsedMs = Date.now() - started;
  if (!result.ok) {
    const called = result.reason !== "refused_target";
    return unchanged({
      kind: "failed",
      hookId,
      called,
      reason: result.reason,
      detail: result.detail,
      ...(called ? { elapsedMs } : {}),
    });
  }

  if (result.reply.kind === "error") {
    const errorSummary = errorDescription(result.reply.errorSummary ?? DEFAULT_HOOK_ERROR_SUMMARY);
    return unchanged({ kind: "error", hookId, errorSummary, elapsedMs });
  }

  const patched = applyTokenPatch(input.token, result.reply.commands, {
    reservedClaims: RESERVED_CLAIMS,
    lifetimeRange: INLINE_HOOK_LIFETIME_SECONDS_RANGE,
  });
  if (!patched.ok) {
    return unchanged({
      kind: "failed",
      hookId,
      called: true,
      reason: "patch_rejected",
      rejection: patched.reason,
      detail: patched.detail,
      elapsedMs,
    });
  }
  return {
    token: patched.token,
    outcome: { kind: "applied", hookId, operations: patched.operations, elapsedMs },
  };
}

/** The token endpoint's step: the claim set to sign, the outcome recorded; an error object throws. */
export async function applyTokenInlineHook(input: TokenHookInput): Promise<AccessTokenClaims> {
  const { token, outcome } = await runTokenInlineHook(input);
  recordHookOutcome(
    { serverId: input.snapshot.server.id, clientId: input.client.client_id },
    outcome,
    input.log,
    requestInfo(input.request.headers),
  );
  if (outcome.kind === "error") throw new OAuthError("server_error", outcome.errorSummary);
  return token;
}

function requestBody(input: TokenHookInput) {
  const scopeIds = new Map(input.snapshot.scopes.map((s) => [s.name, s.id]));
  return tokenHookRequestBody({
    eventId: randomToken(INLINE_HOOK_EVENT_ID_BYTES),
    now: input.now,
    issuer: input.issuer,
    request: {
      id: input.request.headers.get("cf-ray") ?? randomToken(INLINE_HOOK_EVENT_ID_BYTES),
      url: input.request.url,
      ipAddress: input.request.headers.get("CF-Connecting-IP") ?? undefined,
    },
    grantType: input.grantType,
    requestedScopes: input.requestedScopes,
    client: {
      id: input.client.client_id,
      name: input.client.client_name,
      type: input.client.token_endpoint_auth_method === "none" ? "PUBLIC" : "CONFIDENTIAL",
    },
    policy: input.decision.policy,
    rule: input.decision.rule,
    token: input.token,
    scopes: input.decision.scopes.map((name) => ({ name, id: scopeIds.get(name) ?? name })),
  });
}

/** Configured headers, then the auth header; undefined when the secret cannot be unsealed. */
async function hookHeaders(
  hook: PublishedInlineHook,
  secrets: HookSecretOpener,
): Promise<Headers | undefined> {
  const headers = new Headers();
  for (const { key, value } of hook.headers) headers.append(key, value);
  headers.set("Content-Type", "application/json");
  headers.set("Accept", "application/json");
  if (hook.authScheme) {
    try {
      headers.set(hook.authScheme.key, await secrets.open(hook.authScheme.sealed, hook.id));
    } catch {
      return undefined;
    }
  }
  return headers;
}

/**
 * A hook's summary as an `error_description`: the one sanitiser every description goes through
 * (RFC 6749 §5.2's character set, src/errors.ts), bounded by the hook contract's own limit.
 */
export function errorDescription(summary: string): string {
  return sanitizedDescription(summary, INLINE_HOOK_ERROR_SUMMARY_MAX_LENGTH);
}
