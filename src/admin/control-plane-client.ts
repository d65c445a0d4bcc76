import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";

/** The control plane is one Durable Object: every admin read and write goes through it. */
export function controlPlane(env: AppEnv["Bindings"]) {
  return env.CONTROL_PLANE.get(env.CONTROL_PLANE.idFromName("global"));
}

export function notFound(id: string, kind = "AuthorizationServer"): never {
  throw new ApiError("E0000007", `Not found: Resource not found: ${id} (${kind})`);
}

/** Middleware refusing a body over `maxBytes` with Okta's E0000003, before the route reads it. */
export function jsonBodyLimit(maxBytes: number) {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError("E0000003", `The request body exceeds ${maxBytes} bytes.`);
    },
  });
}

/** A JSON request body, or undefined when `optional` and the body is empty. */
export async function readJsonBody(request: Request, options: { optional?: boolean } = {}): Promise<unknown> {
  const text = await request.text();
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
