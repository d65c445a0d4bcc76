/**
 * Client authentication at the token endpoint with a shared secret: `client_secret_basic`
 * (RFC 6749 §2.3.1, HTTP Basic) or `client_secret_post` (credentials in the body), exactly one per
 * request, and the one the client registered. Every failure reads the same, so an unknown client
 * cannot be told from a wrong secret (nor by timing: an unknown client still costs one hash).
 */
import type { ConfigStore } from "../config/config-store";
import type { Client, TokenEndpointAuthMethod } from "../config/schemas";
import { secretMatchesAny } from "../crypto/secrets";
import { OAuthError } from "../errors";
import type { FormParams } from "./form-body";

/** Methods this endpoint implements; discovery advertises exactly these. */
export const SUPPORTED_CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"] as const;

export interface PresentedCredentials {
  method: Extract<TokenEndpointAuthMethod, (typeof SUPPORTED_CLIENT_AUTH_METHODS)[number]>;
  clientId: string;
  secret: string;
}

export const AUTHENTICATION_FAILED =
  "Client authentication failed. Either the client or the client credentials are invalid.";

/** The hash of nothing anyone knows: compared against when the client does not exist. */
const UNKNOWN_CLIENT_HASHES = ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"];

export function presentedCredentials(
  authorization: string | undefined,
  params: FormParams,
): PresentedCredentials {
  const bodyId = params.get("client_id");
  const bodySecret = params.get("client_secret");
  if (authorization !== undefined) {
    if (bodySecret !== undefined) {
      throw new OAuthError("invalid_request", "The client used more than one authentication method.");
    }
    const basic = parseBasic(authorization);
    // RFC 6749 §2.3.1 allows a client_id in the body beside Basic only when it names the same client.
    if (bodyId !== undefined && bodyId !== basic.clientId) {
      throw new OAuthError(
        "invalid_request",
        "The client_id parameter does not match the authenticated client.",
      );
    }
    return { method: "client_secret_basic", ...basic };
  }
  if (bodyId !== undefined && bodySecret !== undefined) {
    return { method: "client_secret_post", clientId: bodyId, secret: bodySecret };
  }
  throw new OAuthError("invalid_client", AUTHENTICATION_FAILED);
}

export async function authenticateClient(
  presented: PresentedCredentials,
  config: ConfigStore,
  kv: KVNamespace,
): Promise<Client> {
  const client = await config.client(kv, presented.clientId);
  const hashes = client?.secrets.filter((s) => s.status === "ACTIVE").map((s) => s.secretHash);
  const secretOk = await secretMatchesAny(presented.secret, hashes?.length ? hashes : UNKNOWN_CLIENT_HASHES);
  if (
    !client ||
    !secretOk ||
    client.status !== "ACTIVE" ||
    client.token_endpoint_auth_method !== presented.method
  ) {
    throw new OAuthError("invalid_client", AUTHENTICATION_FAILED);
  }
  return client;
}

/** RFC 7617 Basic credentials whose halves are form-urlencoded (RFC 6749 §2.3.1). */
function parseBasic(authorization: string): { clientId: string; secret: string } {
  const match = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(authorization);
  if (!match?.[1]) throw new OAuthError("invalid_client", AUTHENTICATION_FAILED);
  let decoded: string;
  try {
    decoded = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(
      Uint8Array.from(atob(match[1]), (ch) => ch.charCodeAt(0)),
    );
  } catch {
    throw new OAuthError("invalid_client", AUTHENTICATION_FAILED);
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) throw new OAuthError("invalid_client", AUTHENTICATION_FAILED);
  try {
    const clientId = formDecode(decoded.slice(0, colon));
    const secret = formDecode(decoded.slice(colon + 1));
    if (!clientId || !secret) throw new OAuthError("invalid_client", AUTHENTICATION_FAILED);
    return { clientId, secret };
  } catch {
    throw new OAuthError("invalid_client", AUTHENTICATION_FAILED);
  }
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, " "));
}
