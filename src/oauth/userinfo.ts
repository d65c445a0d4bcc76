/**
 * `/oauth2/{as}/v1/userinfo` and the org server's `/oauth2/v1/userinfo` (OIDC Core §5.3), GET and
 * POST: the claims about the user that the access token's scopes release — `sub` (the user id), the standard claims of `profile`, `email`,
 * `address` and `phone` in full (the ID token beside the access token was thin), and every IDENTITY
 * custom claim for those scopes (src/claims/inclusion.ts).
 *
 * The token is verified with this server's own keys (never a fetch of our JWKS), must be a user's,
 * must still stand: its grant not revoked (a replayed code revokes it, src/grants/), its client
 * active, its user ACTIVE. Errors are RFC 6750 §3's, as Okta sends them: 401 `invalid_token` and
 * 403 `insufficient_scope`, each with a `WWW-Authenticate: Bearer …` challenge.
 */
import type { Context } from "hono";
import type { Client, TokenProfile } from "../config/schemas";
import type { AppEnv } from "../context";
import type { TokenSubject } from "../directory/directory";
import { grantIdOfJti } from "../grants/grant-id";
import { scopeClaims } from "../tokens/id-token";
import { extractBearer } from "../verify/bearer";
import { type BearerErrorCode, bearerChallenge } from "../verify/rfc6750";
import { identityClaims } from "./identity-claims";
import { verifyOwnAccessToken } from "./org/access-token";

/** Okta's words when the token lacks the scope userinfo needs. */
export const USERINFO_INSUFFICIENT_SCOPE =
  "The access token must provide access to at least one of these scopes - profile, email, address or phone";
const INVALID_TOKEN = "The access token is invalid.";

/** What userinfo needs of the server whose tokens it reads. */
export interface UserinfoServer {
  /** The keys that sign the server's access tokens. */
  keysetId: string;
  issuer: string;
  audiences: readonly string[];
  profile: TokenProfile;
  /** IDENTITY custom claims for these scopes (none on the org server, which has no custom claims). */
  customClaims(
    subject: TokenSubject,
    client: Client,
    scopes: readonly string[],
    now: number,
  ): object | Promise<object>;
}

/** A custom server's, from the snapshot and issuer `forServer` put on the context. */
export function customUserinfoServer(c: Context<AppEnv>): UserinfoServer {
  const snapshot = c.get("snapshot");
  return {
    keysetId: snapshot.server.id,
    issuer: c.get("issuer"),
    audiences: snapshot.server.audiences,
    profile: snapshot.server.tokenProfile,
    customClaims: async (subject, client, scopes, now) =>
      (await identityClaims(snapshot, subject, client, scopes, "userinfo", now)).values,
  };
}

export function userinfoEndpoint(serverOf: (c: Context<AppEnv>) => UserinfoServer = customUserinfoServer) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    if (c.req.method !== "GET" && c.req.method !== "POST") {
      return new Response(null, { status: 405, headers: { Allow: "GET, POST" } });
    }
    const ports = c.get("ports");
    const server = serverOf(c);
    const issuer = server.issuer;
    const extracted = extractBearer(c.req.raw);
    if (!extracted.ok) {
      return extracted.reason === "missing_token"
        ? refuse(401, undefined, undefined, issuer)
        : refuse(
            400,
            "invalid_request",
            "The request must carry one access token, in the Authorization header.",
            issuer,
          );
    }
    const nowMs = ports.clock();
    const now = Math.floor(nowMs / 1000);
    const keyset = await ports.keys.published(server.keysetId);
    const verdict = keyset
      ? await verifyOwnAccessToken(
          extracted.token,
          keyset,
          { issuer, audiences: server.audiences, profile: server.profile },
          now,
        )
      : undefined;
    if (!verdict?.ok) return refuse(401, "invalid_token", INVALID_TOKEN, issuer);
    const { facts } = verdict;
    // OIDC Core §5.3.1: userinfo answers for OpenID Connect tokens only.
    if (!facts.scopes.includes("openid")) {
      return refuse(403, "insufficient_scope", USERINFO_INSUFFICIENT_SCOPE, issuer);
    }
    // Okta's profile names the user by `uid`; RFC 9068's by `sub` (custom-server.ts).
    const userId = facts.profile === "okta" ? facts.userId : facts.subject;
    const client = await ports.config.client(facts.clientId);
    if (
      userId === undefined ||
      client?.status !== "ACTIVE" ||
      ports.revocations.isRevoked("client", client.client_id)
    ) {
      return refuse(401, "invalid_token", INVALID_TOKEN, issuer);
    }
    // A token from a grant object stands only while its grant does (a replayed code revoked it).
    const grantId = grantIdOfJti(facts.tokenId);
    // …and only while the token itself was not revoked on its own (/v1/revoke, src/oauth/revoke.ts).
    if (grantId !== undefined && !(await ports.grants.isActive(grantId, nowMs, facts.tokenId))) {
      return refuse(401, "invalid_token", INVALID_TOKEN, issuer);
    }
    const subject = await ports.directory.subject(userId, client.client_id);
    if (subject?.user.status !== "ACTIVE") return refuse(401, "invalid_token", INVALID_TOKEN, issuer);

    const custom = await server.customClaims(subject, client, facts.scopes, now);
    // Custom claims first: the standard ones and `sub` always win.
    const body = {
      ...custom,
      sub: subject.user.id,
      ...scopeClaims(subject.user, facts.scopes, "full"),
    };
    return new Response(JSON.stringify(body), {
      status: 200,
      // OIDC Core §5.3.2 answers personal data: no shared cache may keep it.
      headers: { "Content-Type": "application/json", "Cache-Control": "no-store", Pragma: "no-cache" },
    });
  };
}

/** RFC 6750 §3: the challenge in `WWW-Authenticate`, and the same in the body for clients that read it. */
function refuse(
  status: 400 | 401 | 403,
  error: BearerErrorCode | undefined,
  description: string | undefined,
  issuer: string,
): Response {
  const challenge = bearerChallenge({
    realm: issuer,
    error,
    description,
    scope: error === "insufficient_scope" ? ["openid"] : undefined,
  });
  const body = error ? JSON.stringify({ error, error_description: description }) : null;
  return new Response(body, {
    status,
    headers: {
      "WWW-Authenticate": challenge,
      "Cache-Control": "no-store",
      ...(body ? { "Content-Type": "application/json" } : {}),
    },
  });
}
