/**
 * Reads a token-endpoint request body the strict way: only `application/x-www-form-urlencoded`
 * (RFC 6749 §3.2), bounded in size, and no parameter more than once (RFC 6749 §3.2: "Request and
 * response parameters MUST NOT be included more than once"). Hono's parseBody would silently keep
 * the last duplicate and accept multipart, so Warden parses with URLSearchParams itself.
 */
import { echo, OAuthError } from "../errors";
import { readBoundedText } from "../http/bounded-body";
import { mediaType } from "../http/media-type";

export type FormParams = ReadonlyMap<string, string>;

/**
 * Token-request parameters that carry a secret. RFC 6749 §2.3.1: client credentials "MUST NOT be
 * included in the request URI"; the same holds for every other secret a grant sends (§3.2 puts the
 * parameters in the body, and a URL lands in access logs, proxies and browser history).
 */
const SECRET_PARAMETERS: readonly string[] = [
  "client_secret",
  "client_assertion",
  "client_assertion_type",
  "password",
  "refresh_token",
  "code",
  "code_verifier",
  "assertion",
  "subject_token",
  "actor_token",
  "device_code",
];

export async function readFormBody(request: Request, maxBytes: number): Promise<FormParams> {
  refuseSecretsInQuery(request.url);
  if (mediaType(request.headers.get("Content-Type")) !== "application/x-www-form-urlencoded") {
    throw new OAuthError("invalid_request", "The request body must be application/x-www-form-urlencoded.");
  }
  const body = await readBoundedText(request, maxBytes);
  if (!body.ok) {
    throw new OAuthError(
      "invalid_request",
      body.reason === "too_large"
        ? `The request body exceeds ${maxBytes} bytes.`
        : "The request body is not valid UTF-8.",
    );
  }
  const text = body.text;
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (params.has(name))
      throw new OAuthError("invalid_request", `The '${echo(name)}' parameter is repeated.`);
    params.set(name, value);
  }
  if (replacedInvalidBytes(text, params)) {
    throw new OAuthError("invalid_request", "The request body is not valid UTF-8.");
  }
  // RFC 6749 §3.1: "Parameters sent without a value MUST be treated as if they were omitted".
  for (const [name, value] of params) if (value === "") params.delete(name);
  return params;
}

/**
 * RFC 6749 Appendix B: names and values are UTF-8 before percent-encoding. WHATWG form decoding turns
 * percent-encoded bytes that are not UTF-8 into U+FFFD without a word, so `%FF` and `%FE` would be one
 * username or password; they are refused instead. Only a body that decoded to U+FFFD is re-checked,
 * each run of percent-escapes on its own (a lone `%` is literal text in a form, not an error).
 */
function replacedInvalidBytes(text: string, params: FormParams): boolean {
  if (!text.includes("%")) return false;
  const replaced = [...params].some(([name, value]) => name.includes("\uFFFD") || value.includes("\uFFFD"));
  if (!replaced) return false;
  try {
    for (const [run] of text.matchAll(/(?:%[0-9A-Fa-f]{2})+/g)) decodeURIComponent(run);
    return false;
  } catch {
    return true;
  }
}

/**
 * A secret in the query string is refused, not ignored: it has leaked already and the client should
 * learn that, before any client lookup uses it. Other query parameters are not read at all (the body
 * alone is the request, RFC 6749 §3.2), so they cannot change what is decided: they stay ignored.
 */
export function refuseSecretsInQuery(url: string, names: readonly string[] = SECRET_PARAMETERS): void {
  // Most requests have no query: no URL parsing for them.
  if (!url.includes("?")) return;
  const query = new URL(url).searchParams;
  const found = names.find((name) => query.has(name));
  if (found !== undefined) {
    throw new OAuthError(
      "invalid_request",
      `The '${found}' parameter is not accepted in the query string; send it in the request body.`,
    );
  }
}
