/**
 * One call to a token inline hook: POST the request body, wait at most the timeout, read a bounded
 * reply. Never retried (Okta does not retry token hooks). Failures come back as data, each with a
 * reason from a closed set; they never throw. The URI is checked first (src/http/outbound-url.ts):
 * a loopback, private, link-local or otherwise non-public target is never called, and only the
 * normalised URL that passed the check is fetched. Redirects are not followed, so no other target
 * is ever reached.
 */
import { JSON_MAX_DEPTH } from "../config/defaults";
import { readBoundedText } from "../http/bounded-body";
import { nestsDeeperThan } from "../http/json-depth";
import { checkOutboundUrl } from "../http/outbound-url";

/**
 * Why a call produced nothing to apply. `detail` says more (the status, the connection error): it
 * is for the Worker's log only, never for an admin-facing answer (src/admin/token-preview.ts).
 */
export type HookCallFailure = "refused_target" | "timeout" | "network" | "http_status" | "invalid_reply";

export type HookReply =
  /** Okta's `error` object: the token request fails with `server_error` and this summary. */
  | { kind: "error"; errorSummary: string | undefined }
  /** Commands to apply (the reply's `commands` member as received; undefined when absent). */
  | { kind: "commands"; commands: unknown };

export type HookCallResult =
  | { ok: true; reply: HookReply }
  | { ok: false; reason: HookCallFailure; detail: string };

export interface HookCallOptions {
  /** Local development only: loopback targets may be called (`ports.settings.localDevelopment`). */
  allowLoopback: boolean;
  timeoutMs: number;
  maxReplyBytes: number;
  fetch?: typeof fetch;
}

export async function callHook(
  uri: string,
  headers: Headers,
  body: string,
  options: HookCallOptions,
): Promise<HookCallResult> {
  const target = checkOutboundUrl(uri, { allowLoopback: options.allowLoopback });
  if (!target.ok)
    return { ok: false, reason: "refused_target", detail: `${target.reason}: ${target.detail}` };
  const controller = new AbortController();
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // The deadline covers the whole exchange, reading the reply included.
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
      reject(new Error("timeout"));
    }, options.timeoutMs);
  });
  try {
    return await Promise.race([
      exchange(target.url.href, headers, body, options, controller.signal),
      deadline,
    ]);
  } catch (error) {
    if (timedOut) return { ok: false, reason: "timeout", detail: `no reply within ${options.timeoutMs} ms` };
    return { ok: false, reason: "network", detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

async function exchange(
  uri: string,
  headers: Headers,
  body: string,
  options: HookCallOptions,
  signal: AbortSignal,
): Promise<HookCallResult> {
  const response = await (options.fetch ?? fetch)(uri, {
    method: "POST",
    headers,
    body,
    signal,
    // A redirect is not a reply: answering elsewhere is the hook's job, not Warden's.
    redirect: "manual",
  });
  // Okta: any 2xx is a reply and anything else a failed call (redirects are not followed). A 204 No
  // Content is the reply with nothing to apply, the one way to answer "no change" without a body.
  if (response.status < 200 || response.status > 299) {
    await response.body?.cancel();
    const redirect = response.status >= 300 && response.status < 400 ? " (redirects are not followed)" : "";
    return { ok: false, reason: "http_status", detail: `HTTP ${response.status}${redirect}` };
  }
  if (response.status === 204) {
    await response.body?.cancel();
    return { ok: true, reply: { kind: "commands", commands: undefined } };
  }
  const reply = await readBoundedText(response, options.maxReplyBytes);
  if (!reply.ok) {
    const detail =
      reply.reason === "too_large"
        ? `reply larger than ${options.maxReplyBytes} bytes`
        : "reply is not UTF-8";
    return { ok: false, reason: "invalid_reply", detail };
  }
  return parseHookReply(reply.text);
}

/**
 * Pure: a reply body as Okta reads it. A hostile hook must not crash the isolate: a reply nested
 * deeper than `maxDepth` is refused before parsing (its commands' values end up in a token that is
 * serialized, recursively, when signed).
 */
export function parseHookReply(text: string, maxDepth = JSON_MAX_DEPTH): HookCallResult {
  if (nestsDeeperThan(text, maxDepth)) {
    return { ok: false, reason: "invalid_reply", detail: `the reply nests deeper than ${maxDepth} levels` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, reason: "invalid_reply", detail: "the reply is not JSON" };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { ok: false, reason: "invalid_reply", detail: "the reply is not a JSON object" };
  }
  const reply = parsed as Record<string, unknown>;
  if (reply.error !== undefined && reply.error !== null) {
    const summary =
      typeof reply.error === "object" ? (reply.error as Record<string, unknown>).errorSummary : undefined;
    return {
      ok: true,
      reply: {
        kind: "error",
        errorSummary: typeof summary === "string" && summary.trim() ? summary : undefined,
      },
    };
  }
  return { ok: true, reply: { kind: "commands", commands: reply.commands } };
}
