/** `GET /oauth2/{as}/v1/keys`: the server's public JWKS (RFC 7517 §5), as its key vault published it. */
import type { Context } from "hono";
import type { AppEnv, Deps } from "../context";
import { OAuthError } from "../errors";
import type { PublishedKeyset } from "../keys/keyset";
import { publicMetadataCacheControl } from "./metadata-cache";
import { metadataResponse, type PreparedDocument, preparedDocument } from "./metadata-response";

export function keysEndpoint(deps: Deps) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const keyset = await requireKeyset(deps, c);
    return metadataResponse(
      c.req.raw,
      await jwksDocument(keyset),
      publicMetadataCacheControl(keyset, c.env, Math.floor(deps.now() / 1000)),
    );
  };
}

/** The JWKS document of one published keyset, serialized once per keyset. */
export function jwksDocument(keyset: PublishedKeyset): Promise<PreparedDocument> {
  return preparedDocument(keyset, "jwks", () => keyset.jwks);
}

export async function requireKeyset(deps: Deps, c: Context<AppEnv>): Promise<PublishedKeyset> {
  const keyset = await deps.keys.published(c.env, c.get("snapshot").server.id);
  if (!keyset) throw new OAuthError("temporarily_unavailable", "The authorization server has no keys yet.");
  return keyset;
}
