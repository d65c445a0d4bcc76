/** `GET /oauth2/{as}/v1/keys`: the server's public JWKS (RFC 7517 §5), as its key vault published it. */
import type { Context } from "hono";
import type { AppEnv, Ports } from "../context";
import { OAuthError } from "../errors";
import type { PublishedKeyset } from "../keys/keyset";
import { publicMetadataCacheControl } from "./metadata-cache";
import { metadataResponse, type PreparedDocument, preparedDocument } from "./metadata-response";

/** `serverOf`: whose keys; by default the custom server the path names. */
export function keysEndpoint(serverOf: (c: Context<AppEnv>) => string = snapshotServer) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const keyset = await requireKeyset(c.get("ports"), serverOf(c));
    return keysetMetadataResponse(c, keyset, await jwksDocument(keyset));
  };
}

/** The JWKS document of one published keyset, serialized once per keyset. */
export function jwksDocument(keyset: PublishedKeyset): Promise<PreparedDocument> {
  return preparedDocument(keyset, "jwks", () => keyset.jwks);
}

/** The custom server `/oauth2/{as}` names, resolved by `forServer`. */
function snapshotServer(c: Context<AppEnv>): string {
  return c.get("snapshot").server.id;
}

export async function requireKeyset(ports: Pick<Ports, "keys">, serverId: string): Promise<PublishedKeyset> {
  const keyset = await ports.keys.published(serverId);
  if (!keyset) throw new OAuthError("temporarily_unavailable", "The authorization server has no keys yet.");
  return keyset;
}

/**
 * A public metadata document of the server `keyset` belongs to, cached like its JWKS: a verifier
 * that follows `jwks_uri` sees both age alike, on the schedule-derived lifetime (DESIGN §5).
 */
export function keysetMetadataResponse(
  c: Context<AppEnv>,
  keyset: PublishedKeyset,
  document: PreparedDocument,
): Response {
  const ports = c.get("ports");
  return metadataResponse(
    c.req.raw,
    document,
    publicMetadataCacheControl(keyset, ports.settings.propagation, Math.floor(ports.clock() / 1000)),
  );
}
