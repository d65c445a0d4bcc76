/**
 * Client authentication at the token endpoint, exactly one method per request and the one the client
 * registered: a shared secret, `client_secret_basic` (RFC 6749 §2.3.1, HTTP Basic) or
 * `client_secret_post` (credentials in the body), `private_key_jwt` (RFC 7523 §2.2, OIDC Core §9),
 * a JWT signed with a key the client registered, or `none` (RFC 7591 §2): a public client (SPA,
 * native app) that sends only its `client_id` and proves itself with PKCE instead. `none` holds only
 * for a client registered as public, so a confidential client can never be taken for one by leaving
 * its secret out; and a public client may use only PUBLIC_CLIENT_GRANT_TYPES (src/oauth/token.ts). Every failure reads the same, so an unknown client
 * cannot be told from a wrong secret or a bad assertion (nor by timing: an unknown client still costs
 * one hash). Secrets cost no I/O on a warm isolate; an assertion costs one Durable Object call, its
 * replay check.
 */
import type { ConfigSource } from "../config/config-store";
import { CLIENT_ASSERTION_CLOCK_TOLERANCE_SECONDS } from "../config/defaults";
import type { RevocationView } from "../config/revocation-pulse";
import type { Client, TokenEndpointAuthMethod } from "../config/schemas";
import { secretMatchesAny } from "../crypto/secrets";
import { OAuthError } from "../errors";
import { strictUtf8 } from "../http/utf8";
import {
  type AssertionFailureReason,
  assertedClientId,
  CLIENT_ASSERTION_TYPE,
  verifyClientAssertion,
} from "./client-assertion";
import type { ClientKeySource } from "./client-keys";
import type { FormParams } from "./form-body";
import { canBeClientId } from "./id-syntax";

/** Methods this endpoint implements; discovery advertises exactly these. */
export const SUPPORTED_CLIENT_AUTH_METHODS = [
  "client_secret_basic",
  "client_secret_post",
  "private_key_jwt",
  "none",
] as const;

/**
 * The grants a public client may use: the authorization code with PKCE (RFC 7636, OAuth 2.1 §2.1),
 * and refresh_token, bound to the grant the code started (RFC 9700 §4.14.2: a public client's refresh
 * tokens are sender-constrained or rotated; Okta's SPA default is ROTATE). Every other grant relies on
 * the client's own credential.
 */
export const PUBLIC_CLIENT_GRANT_TYPES: readonly string[] = [
  "authorization_code",
  "refresh_token",
  // RFC 8628 §3.4: a device is usually a public client (Okta: native apps only); its proof is the
  // device code, bound to the client and redeemed once after the user approved.
  "urn:ietf:params:oauth:grant-type:device_code",
];

type SupportedMethod = Extract<TokenEndpointAuthMethod, (typeof SUPPORTED_CLIENT_AUTH_METHODS)[number]>;

export type PresentedCredentials =
  | {
      method: Extract<SupportedMethod, "client_secret_basic" | "client_secret_post">;
      clientId: string;
      secret: string;
    }
  | {
      method: "private_key_jwt";
      /** The optional `client_id` parameter (RFC 7521 §4.2); it must name the assertion's subject. */
      clientId: string | undefined;
      assertion: string;
    }
  | {
      /** A public client: `client_id` in the body, nothing else (RFC 6749 §2.3.1 last paragraph, §3.2.1). */
      method: "none";
      clientId: string;
    };

export const AUTHENTICATION_FAILED =
  "Client authentication failed. Either the client or the client credentials are invalid.";

/** The hash of nothing anyone knows: compared against when the client does not exist. */
const UNKNOWN_CLIENT_HASHES = ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"];

const MORE_THAN_ONE_METHOD = "The client used more than one authentication method.";

export function presentedCredentials(
  authorization: string | undefined,
  params: FormParams,
): PresentedCredentials {
  const bodyId = params.get("client_id");
  const bodySecret = params.get("client_secret");
  const assertionType = params.get("client_assertion_type");
  const assertion = params.get("client_assertion");
  if (assertionType !== undefined || assertion !== undefined) {
    // RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request."
    if (authorization !== undefined || bodySecret !== undefined) {
      throw new OAuthError("invalid_request", MORE_THAN_ONE_METHOD);
    }
    if (assertionType !== CLIENT_ASSERTION_TYPE) {
      throw new OAuthError(
        "invalid_request",
        `The 'client_assertion_type' parameter must be '${CLIENT_ASSERTION_TYPE}'.`,
      );
    }
    if (assertion === undefined) {
      throw new OAuthError("invalid_request", "The 'client_assertion' parameter is missing.");
    }
    return { method: "private_key_jwt", clientId: bodyId, assertion };
  }
  if (authorization !== undefined) {
    if (bodySecret !== undefined) throw new OAuthError("invalid_request", MORE_THAN_ONE_METHOD);
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
  if (bodyId !== undefined) return { method: "none", clientId: bodyId };
  throw new OAuthError("invalid_client", AUTHENTICATION_FAILED);
}

/** Whether an assertion's `jti` is new: true the first time, false for a replay before `expiresAt`. */
export interface AssertionReplayGuard {
  consume(clientId: string, jti: string, expiresAt: number, now: number): Promise<boolean>;
}

/** What authentication reads: published clients, their keys, and for assertions the replay guard. */
export interface ClientAuthContext {
  config: Pick<ConfigSource, "client">;
  clientKeys: ClientKeySource;
  replay: AssertionReplayGuard;
  /** Clients and secrets disabled within the last minutes, which the cached records may not show yet. */
  revocations: Pick<RevocationView, "isRevoked">;
  /** The `aud` values an assertion may carry: this token endpoint's URL and its issuer. */
  audiences: readonly string[];
  /** Epoch seconds. */
  now: number;
}

export async function authenticateClient(
  presented: PresentedCredentials,
  context: ClientAuthContext,
): Promise<Client> {
  switch (presented.method) {
    case "client_secret_basic":
    case "client_secret_post":
      return authenticateWithSecret(presented, context);
    case "private_key_jwt":
      return authenticateWithAssertion(presented, context);
    case "none":
      return authenticatePublicClient(presented, context);
  }
}

/**
 * The registered client a presented id names, read through the isolate cache. An id that breaks the
 * schema's client_id rule (printable ASCII, at most 100 characters) names no client: it is answered
 * like an unknown one without a KV read, since KV refuses keys over 512 bytes with an error that must
 * not become a 5xx (DESIGN §8), and a flood of such ids should not fill the negative cache either.
 */
function registeredClient(
  { config }: Pick<ClientAuthContext, "config">,
  clientId: string,
): Promise<Client | undefined> {
  if (!canBeClientId(clientId)) return Promise.resolve(undefined);
  return config.client(clientId);
}

async function authenticateWithSecret(
  presented: Extract<PresentedCredentials, { secret: string }>,
  context: ClientAuthContext,
): Promise<Client> {
  // An unknown client still costs one hash below, so timing does not tell it from a wrong secret.
  const client = await registeredClient(context, presented.clientId);
  const { revocations } = context;
  // A secret the revocation pulse names is out, as if the record held here already said INACTIVE.
  const hashes = client?.secrets
    .filter((s) => s.status === "ACTIVE" && !revocations.isRevoked("secret", s.id))
    .map((s) => s.secretHash);
  const secretOk = await secretMatchesAny(presented.secret, hashes?.length ? hashes : UNKNOWN_CLIENT_HASHES);
  if (
    !client ||
    !secretOk ||
    client.status !== "ACTIVE" ||
    revocations.isRevoked("client", client.client_id) ||
    client.token_endpoint_auth_method !== presented.method
  ) {
    throw new OAuthError("invalid_client", AUTHENTICATION_FAILED);
  }
  return client;
}

/**
 * A public client is identified, not authenticated (RFC 6749 §2.1): it holds no secret. It must be
 * registered as `none`; a confidential client that leaves its secret out fails like a wrong secret.
 */
async function authenticatePublicClient(
  presented: Extract<PresentedCredentials, { method: "none" }>,
  context: ClientAuthContext,
): Promise<Client> {
  const client = await registeredClient(context, presented.clientId);
  if (
    client?.status !== "ACTIVE" ||
    context.revocations.isRevoked("client", client.client_id) ||
    client.token_endpoint_auth_method !== "none"
  ) {
    throw new OAuthError("invalid_client", AUTHENTICATION_FAILED);
  }
  return client;
}

/** RFC 7523 §3, in order: who it claims to be, that client's keys, the signature and claims, then replay. */
async function authenticateWithAssertion(
  presented: Extract<PresentedCredentials, { method: "private_key_jwt" }>,
  context: ClientAuthContext,
): Promise<Client> {
  const { clientKeys, replay, audiences, now } = context;
  const refuse = (
    reason: AssertionFailureReason | "unknown_client" | "client_id_mismatch",
    clientId?: string,
    detail?: string,
  ): never => {
    // Why goes to the log, never to the wire (DESIGN §8): the client reads one answer for all. The
    // id is unverified input, so the log keeps no more of it than a client id can be long.
    console.warn(
      JSON.stringify({
        event: "client_auth.failed",
        method: "private_key_jwt",
        clientId: clientId?.slice(0, 100),
        reason,
        detail,
      }),
    );
    throw new OAuthError("invalid_client", AUTHENTICATION_FAILED);
  };

  const clientId = assertedClientId(presented.assertion) ?? refuse("malformed");
  if (presented.clientId !== undefined && presented.clientId !== clientId) {
    refuse("client_id_mismatch", clientId);
  }
  const client = await registeredClient(context, clientId);
  if (
    client?.status !== "ACTIVE" ||
    context.revocations.isRevoked("client", client.client_id) ||
    client.token_endpoint_auth_method !== "private_key_jwt"
  ) {
    return refuse("unknown_client", clientId);
  }
  const keys = clientKeys.resolver(client) ?? refuse("no_keys", clientId);

  const verdict = await verifyClientAssertion(presented.assertion, keys, { clientId, audiences, now });
  if (!verdict.ok) return refuse(verdict.reason, clientId, verdict.detail);

  // Only a verified assertion reaches the replay store, so nobody else can fill it or burn a client's jti.
  let firstUse: boolean;
  try {
    firstUse = await replay.consume(
      client.client_id,
      verdict.jti,
      verdict.exp + CLIENT_ASSERTION_CLOCK_TOLERANCE_SECONDS,
      now,
    );
  } catch (error) {
    // Without the replay check the assertion cannot be accepted; the client may retry it, it was not used.
    console.error("assertion replay store unavailable", error);
    throw new OAuthError("temporarily_unavailable", "Client authentication is unavailable; retry later.");
  }
  if (!firstUse) return refuse("replayed", clientId);
  return client;
}

/** RFC 7617 Basic credentials whose halves are form-urlencoded (RFC 6749 §2.3.1). */
function parseBasic(authorization: string): { clientId: string; secret: string } {
  const match = BASIC.exec(authorization);
  if (!match?.[1]) throw new OAuthError("invalid_client", AUTHENTICATION_FAILED);
  const decoded = utf8FromBase64(match[1]);
  const colon = decoded?.indexOf(":") ?? -1;
  if (decoded === undefined || colon < 0) throw new OAuthError("invalid_client", AUTHENTICATION_FAILED);
  const clientId = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  if (!clientId || !secret) throw new OAuthError("invalid_client", AUTHENTICATION_FAILED);
  return { clientId, secret };
}

const BASIC = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i;
/** `atob` yields characters U+0000–U+00FF, one per byte; these are the bytes that are not ASCII. */
const NON_ASCII_BYTE = /[\x80-\xff]/;

/**
 * The UTF-8 text a base64 string encodes (RFC 7617 §2.1: the user-pass is UTF-8), or undefined when
 * it is not valid UTF-8. `atob` yields one character per byte; ASCII bytes are their own UTF-8, which
 * is every credential Warden issues, so only other bytes go through the strict decoder.
 */
function utf8FromBase64(encoded: string): string | undefined {
  let binary: string;
  try {
    binary = atob(encoded);
  } catch {
    return undefined;
  }
  if (!NON_ASCII_BYTE.test(binary)) return binary;
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return strictUtf8(bytes);
}

/** `application/x-www-form-urlencoded` decoding of one half; undefined when its escapes are malformed. */
function formDecode(value: string): string | undefined {
  if (!FORM_ESCAPES.test(value)) return value;
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

const FORM_ESCAPES = /[%+]/;
