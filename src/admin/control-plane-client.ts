import type { AppEnv } from "../context";
import { ApiError } from "../errors";

/** The control plane is one Durable Object: every admin read and write goes through it. */
export function controlPlane(env: AppEnv["Bindings"]) {
  return env.CONTROL_PLANE.get(env.CONTROL_PLANE.idFromName("global"));
}

export function notFound(id: string, kind = "AuthorizationServer"): never {
  throw new ApiError("E0000007", `Not found: Resource not found: ${id} (${kind})`);
}
