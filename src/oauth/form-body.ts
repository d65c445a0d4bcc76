/**
 * Reads a token-endpoint request body the strict way: only `application/x-www-form-urlencoded`
 * (RFC 6749 §3.2), bounded in size, and no parameter more than once (RFC 6749 §3.2: "Request and
 * response parameters MUST NOT be included more than once"). Hono's parseBody would silently keep
 * the last duplicate and accept multipart, so Warden parses with URLSearchParams itself.
 */
import { OAuthError } from "../errors";

export type FormParams = ReadonlyMap<string, string>;

export async function readFormBody(request: Request, maxBytes: number): Promise<FormParams> {
  const mediaType = request.headers.get("Content-Type")?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/x-www-form-urlencoded") {
    throw new OAuthError("invalid_request", "The request body must be application/x-www-form-urlencoded.");
  }
  const text = await readText(request, maxBytes);
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (params.has(name)) throw new OAuthError("invalid_request", `The '${name}' parameter is repeated.`);
    params.set(name, value);
  }
  // RFC 6749 §3.1: "Parameters sent without a value MUST be treated as if they were omitted".
  for (const [name, value] of params) if (value === "") params.delete(name);
  return params;
}

async function readText(request: Request, maxBytes: number): Promise<string> {
  const tooLarge = () => new OAuthError("invalid_request", `The request body exceeds ${maxBytes} bytes.`);
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > maxBytes) throw tooLarge();
  if (!request.body) return "";
  // Content-Length can be absent (chunked) or wrong: count what actually arrives.
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new OAuthError("invalid_request", "The request body is not valid UTF-8.");
  }
}
