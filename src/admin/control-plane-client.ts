import { ADMIN_BODY_MAX_BYTES } from "../config/defaults";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import { readBoundedText } from "../http/bounded-body";

/** The control plane is one Durable Object: every admin read and write goes through it. */
export function controlPlane(env: AppEnv["Bindings"]) {
  return env.CONTROL_PLANE.get(env.CONTROL_PLANE.idFromName("global"));
}

export function notFound(id: string, kind = "AuthorizationServer"): never {
  throw new ApiError("E0000007", `Not found: Resource not found: ${id} (${kind})`);
}

/**
 * A JSON request body, or undefined when `optional` and the body is empty. Every management-API
 * body is read here, never more than `maxBytes` of it (DESIGN §8): the declared length is checked
 * first, then what arrives.
 */
export async function readJsonBody(
  request: Request,
  options: { optional?: boolean; maxBytes?: number } = {},
): Promise<unknown> {
  const maxBytes = options.maxBytes ?? ADMIN_BODY_MAX_BYTES;
  const body = await readBoundedText(request, maxBytes);
  if (!body.ok) {
    throw new ApiError(
      "E0000003",
      body.reason === "too_large"
        ? `The request body exceeds ${maxBytes} bytes.`
        : "The request body was not well-formed.",
    );
  }
  const text = body.text;
  if (text.trim() === "" && options.optional) return undefined;
  if (request.headers.get("Content-Type")?.split(";")[0]?.trim().toLowerCase() !== "application/json") {
    throw new ApiError(
      "E0000003",
      "The request body was not well-formed: Content-Type must be application/json.",
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError("E0000003", "The request body was not well-formed.");
  }
}
