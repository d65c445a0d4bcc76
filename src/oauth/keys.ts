/** `GET /oauth2/{as}/v1/keys`: the server's public JWKS (RFC 7517 §5), as its key vault published it. */
import type { Context } from "hono";
import type { AppEnv, Deps } from "../context";
import { OAuthError } from "../errors";
import { PUBLIC_METADATA_CACHE_CONTROL } from "./metadata-cache";

export function keysEndpoint(deps: Deps) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const keyset = await deps.keys.published(c.env.CONFIG, c.get("snapshot").server.id);
    if (!keyset) throw new OAuthError("temporarily_unavailable", "The authorization server has no keys yet.");
    c.header("Cache-Control", PUBLIC_METADATA_CACHE_CONTROL);
    return c.json(keyset.jwks);
  };
}
