/**
 * The `subject_token` of a token exchange (RFC 8693 §2.1), Okta's on-behalf-of flow: a user's access
 * token, minted by this authorization server or by one it trusts (`trustedServers`, Okta's
 * associatedServers), that still stands. Checked in this order, cheapest first, so that a token from
 * anywhere else costs no KV read:
 *
 *   1. its `iss` (read before the signature) names this server or a trusted one, by the exact issuer
 *      this deployment gives that server (`{origin}/oauth2/{id}`); never a URL to fetch keys from;
 *   2. that server is published and ACTIVE, and not disabled by the revocation pulse;
 *   3. the signature verifies with that server's own published keyset (warden/verify's steps: the
 *      algorithm allow-list, no key material from the header, the profile's `typ`), then `iss`,
 *      `aud` (that server's audiences), `exp` / `iat` / `nbf` with the verifier's leeway;
 *   4. it is a user's token (Okta's `uid`; RFC 9068's `sub` naming a user, not the client): a
 *      client_credentials token has no user to act for;
 *   5. the client it was issued to is ACTIVE and not revoked (a deactivated app's tokens stop);
 *   6. when its `jti` names a grant (src/grants/grant-id.ts), the grant still stands: a sign-in
 *      revoked (code replay, logout, user deactivation) revokes what could be exchanged from it.
 *
 * The user's own status is the grant module's to check (it reads the directory anyway). Every
 * failure is one `reason`, for the log and tests; the client is told only `invalid_grant`.
 */
import type { Ports } from "../context";
import { grantIdOfJti } from "../grants/grant-id";
import { splitCompact } from "../verify/compact-jws";
import { isObject } from "../verify/key-set";
import { verifyOwnAccessToken } from "./org/access-token";

/** Why a subject token was refused: internal, never on the wire. */
export type SubjectTokenFailure =
  /** Not a compact JWS, or no string `iss`. */
  | "malformed"
  /** `iss` is neither this server's nor a trusted server's issuer. */
  | "untrusted_issuer"
  /** The issuing server is unknown, inactive or disabled, or has no published keys. */
  | "issuer_unavailable"
  /** Signature, header, audience, expiry or another claim check failed. */
  | "verification_failed"
  /** A client's own token (client_credentials): there is no user to act for. */
  | "not_a_user_token"
  /** The client the token was issued to is deactivated, deleted or revoked. */
  | "client_inactive"
  /** The grant (sign-in) the token came from was revoked or has ended. */
  | "grant_revoked";

/** What a verified subject token says, for the exchanged token. */
export interface SubjectToken {
  /** The authorization server that minted it. */
  serverId: string;
  userId: string;
  /** The client it was issued to. */
  clientId: string;
  /** The grant it names (`AT.<grant id>.…`), if any. */
  grantId: string | undefined;
  /** OIDC Core §2 `auth_time`, when the token carried one. */
  authTime: number | undefined;
  /** RFC 8693 §4.1: the subject token's own `act`, when it was itself exchanged. */
  act: Record<string, unknown> | undefined;
}

export type SubjectTokenVerdict =
  | { ok: true; token: SubjectToken }
  | { ok: false; reason: SubjectTokenFailure; detail?: string };

export interface SubjectTokenContext {
  /** The server whose token endpoint was called, and its issuer. */
  serverId: string;
  issuer: string;
  /** Its trusted servers (the snapshot's `trustedServers`). */
  trustedServers: readonly string[];
  ports: Pick<Ports, "config" | "keys" | "revocations" | "grants">;
  /** Epoch milliseconds. */
  nowMs: number;
}

/**
 * The id of the server `iss` names, when it is this server or a trusted one: issuers are compared
 * exactly, as this deployment builds them (`{origin}/oauth2/{id}`, src/oauth/server-context.ts).
 */
export function trustedIssuer(
  iss: string,
  own: { serverId: string; issuer: string; trustedServers: readonly string[] },
): string | undefined {
  const suffix = `/oauth2/${own.serverId}`;
  if (!own.issuer.endsWith(suffix)) return undefined;
  const base = own.issuer.slice(0, -suffix.length);
  for (const id of [own.serverId, ...own.trustedServers]) {
    if (iss === `${base}/oauth2/${id}`) return id;
  }
  return undefined;
}

export async function verifySubjectToken(
  token: string,
  context: SubjectTokenContext,
): Promise<SubjectTokenVerdict> {
  const { ports, nowMs } = context;
  const iss = unverifiedIssuer(token);
  if (iss === undefined) return { ok: false, reason: "malformed" };
  const serverId = trustedIssuer(iss, context);
  if (serverId === undefined) return { ok: false, reason: "untrusted_issuer" };

  const snapshot = await ports.config.snapshot(serverId);
  if (snapshot?.server.status !== "ACTIVE" || ports.revocations.isRevoked("server", serverId)) {
    return { ok: false, reason: "issuer_unavailable" };
  }
  const keyset = await ports.keys.published(serverId);
  if (!keyset) return { ok: false, reason: "issuer_unavailable" };
  const verdict = await verifyOwnAccessToken(
    token,
    keyset,
    { issuer: iss, audiences: snapshot.server.audiences, profile: snapshot.server.tokenProfile },
    Math.floor(nowMs / 1000),
  );
  if (!verdict.ok) return { ok: false, reason: "verification_failed", detail: verdict.reason };
  const { facts } = verdict;

  // Okta's profile names the user in `uid`; RFC 9068's in `sub`, which names the client itself on a
  // client_credentials token (src/oauth/custom-server.ts).
  const userId =
    facts.profile === "okta" ? facts.userId : facts.subject !== facts.clientId ? facts.subject : undefined;
  if (userId === undefined || userId === "") return { ok: false, reason: "not_a_user_token" };

  const client = await ports.config.client(facts.clientId);
  if (client?.status !== "ACTIVE" || ports.revocations.isRevoked("client", facts.clientId)) {
    return { ok: false, reason: "client_inactive" };
  }
  const grantId = grantIdOfJti(facts.tokenId);
  if (grantId !== undefined && !(await ports.grants.isActive(grantId, nowMs))) {
    return { ok: false, reason: "grant_revoked" };
  }
  // The signature covered these claims: they are the token's own.
  const claims = payloadOf(token);
  const authTime = claims?.auth_time;
  const act = claims?.act;
  return {
    ok: true,
    token: {
      serverId,
      userId,
      clientId: facts.clientId,
      grantId,
      authTime: typeof authTime === "number" && Number.isInteger(authTime) ? authTime : undefined,
      act: isObject(act) ? act : undefined,
    },
  };
}

/**
 * How many actors an `act` claim names (RFC 8693 §4.1: each nested `act` is the actor before it);
 * 0 for none. Counted iteratively and only over objects: a level that is not an object ends the chain.
 */
export function actDepth(act: Record<string, unknown> | undefined): number {
  let depth = 0;
  for (let level: unknown = act; isObject(level); level = level.act) depth++;
  return depth;
}

/** `iss` before verification: only to choose which keys to verify with, never trusted as such. */
function unverifiedIssuer(token: string): string | undefined {
  const iss = payloadOf(token)?.iss;
  return typeof iss === "string" ? iss : undefined;
}

/** The claims, unverified; undefined when the text is not a compact JWS (bounded in length). */
function payloadOf(token: string): Record<string, unknown> | undefined {
  return splitCompact(token)?.unverifiedClaims;
}
