/**
 * The token inline hook step of the token endpoint: after the grant built the claim set and before
 * signing, a rule that names an ACTIVE hook gets its claims transformed by the admin's own service,
 * with Okta's semantics:
 * - the hook gets Okta's `com.okta.oauth2.tokens.transform` body, the configured headers and the
 *   auth header; one call, no retry;
 * - timeout, a network error, any status but 200, an unreadable reply or refused commands: the token
 *   is issued unchanged and the failure recorded;
 * - an `error` object in the reply: the request fails with `server_error` and the hook's summary.
 * The only I/O this adds to the token path, and only for rules with a hook: the hook record (cached
 * in the isolate like every config object) and the call.
 */
import type { ConfigStore } from "../config/config-store";
import {
  INLINE_HOOK_LIFETIME_SECONDS_RANGE,
  INLINE_HOOK_RESPONSE_MAX_BYTES,
  INLINE_HOOK_TIMEOUT_MS,
} from "../config/defaults";
import type { Client, ServerConfig } from "../config/schemas";
import { randomToken } from "../crypto/secrets";
import type { Env } from "../env";
import { OAuthError } from "../errors";
import type { PolicyDecision } from "../policy";
import { type AccessTokenClaims, RESERVED_CLAIMS } from "../tokens/access-token";
import { callHook } from "./hook-call";
import { recordHookError, recordHookFailure } from "./hook-log";
import { applyTokenPatch } from "./patch";
import { type PublishedInlineHook, unsealHookSecret } from "./published-hook";
import { tokenHookRequestBody } from "./request-body";

/** Okta's words when an error object carries no `errorSummary`. */
export const DEFAULT_HOOK_ERROR_SUMMARY = "The callback service returned an error";

/** Bound on the `error_description` a hook can put in front of a client. */
const ERROR_SUMMARY_MAX_LENGTH = 512;

export interface TokenHookInput {
  token: AccessTokenClaims;
  decision: Extract<PolicyDecision, { ok: true }>;
  client: Client;
  grantType: string;
  requestedScopes: readonly string[];
  snapshot: ServerConfig;
  issuer: string;
  request: Request;
  env: Pick<Env, "CONFIG" | "KEY_ENCRYPTION_KEY">;
  config: ConfigStore;
  /** Epoch seconds. */
  now: number;
  /** Test seam; the global fetch otherwise. */
  fetch?: typeof fetch;
}

/** The claim set to sign: transformed by the rule's hook when it has an active one, else as given. */
export async function applyTokenInlineHook(input: TokenHookInput): Promise<AccessTokenClaims> {
  const hookId = input.decision.inlineHookId;
  if (!hookId) return input.token;
  const base = { serverId: input.snapshot.server.id, clientId: input.client.client_id, hookId };

  const hook = await input.config.hook(input.env.CONFIG, hookId);
  if (!hook) {
    recordHookFailure({ ...base, reason: "hook_not_found", detail: "no published inline hook with this id" });
    return input.token;
  }
  // Okta: INACTIVE blocks execution; the rule issues tokens as if it named no hook.
  if (hook.status !== "ACTIVE") return input.token;

  const headers = await hookHeaders(hook, input.env.KEY_ENCRYPTION_KEY);
  if (!headers) {
    recordHookFailure({
      ...base,
      reason: "secret_unavailable",
      detail: "the auth secret could not be unsealed",
    });
    return input.token;
  }

  const started = Date.now();
  const result = await callHook(hook.uri, headers, JSON.stringify(requestBody(input)), {
    timeoutMs: INLINE_HOOK_TIMEOUT_MS,
    maxReplyBytes: INLINE_HOOK_RESPONSE_MAX_BYTES,
    ...(input.fetch ? { fetch: input.fetch } : {}),
  });
  const elapsedMs = Date.now() - started;
  if (!result.ok) {
    recordHookFailure({ ...base, reason: result.reason, detail: result.detail, elapsedMs });
    return input.token;
  }

  if (result.reply.kind === "error") {
    const summary = errorDescription(result.reply.errorSummary ?? DEFAULT_HOOK_ERROR_SUMMARY);
    recordHookError({ ...base, errorSummary: summary });
    throw new OAuthError("server_error", summary);
  }

  const patched = applyTokenPatch(input.token, result.reply.commands, {
    reservedClaims: RESERVED_CLAIMS,
    lifetimeRange: INLINE_HOOK_LIFETIME_SECONDS_RANGE,
  });
  if (!patched.ok) {
    recordHookFailure({
      ...base,
      reason: "patch_rejected",
      rejection: patched.reason,
      detail: patched.detail,
      elapsedMs,
    });
    return input.token;
  }
  return patched.token;
}

function requestBody(input: TokenHookInput) {
  const scopeIds = new Map(input.snapshot.scopes.map((s) => [s.name, s.id]));
  return tokenHookRequestBody({
    eventId: randomToken(16),
    now: input.now,
    issuer: input.issuer,
    request: {
      id: input.request.headers.get("cf-ray") ?? randomToken(16),
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
async function hookHeaders(hook: PublishedInlineHook, kek: string): Promise<Headers | undefined> {
  const headers = new Headers();
  for (const { key, value } of hook.headers) headers.append(key, value);
  headers.set("Content-Type", "application/json");
  headers.set("Accept", "application/json");
  if (hook.authScheme) {
    try {
      headers.set(hook.authScheme.key, await unsealHookSecret(hook.authScheme.sealed, kek, hook.id));
    } catch {
      return undefined;
    }
  }
  return headers;
}

/**
 * RFC 6749 §5.2 allows only %x20-21 / %x23-5B / %x5D-7E in `error_description`: a hook's summary is
 * mapped into that set (quotes become apostrophes, anything else outside it a `?`) and bounded.
 */
export function errorDescription(summary: string): string {
  const mapped = summary
    .replaceAll('"', "'")
    .replaceAll("\\", "/")
    .replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, "?");
  return mapped.slice(0, ERROR_SUMMARY_MAX_LENGTH);
}
