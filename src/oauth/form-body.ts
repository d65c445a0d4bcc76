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

export async function readFormBody(request: Request, maxBytes: number): Promise<FormParams> {
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
  // RFC 6749 §3.1: "Parameters sent without a value MUST be treated as if they were omitted".
  for (const [name, value] of params) if (value === "") params.delete(name);
  return params;
}

