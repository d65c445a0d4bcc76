/**
 * An ID token this server signed (OIDC Core §2), verified where it was minted: the server's own
 * keyset (never a fetch of our JWKS), the algorithm allow-list and no key material in the header
 * (DESIGN §8), the signature, the exact `iss`, `aud` naming the client that asks, and time with the
 * verifier's leeway. For /v1/introspect and /v1/revoke, which must tell an ID token from an access
 * token: an ID token's `jti` is `ID.…` (src/oauth/custom-server.ts).
 */
import { compactVerify } from "jose";
import type { PublishedKeyset } from "../keys/keyset";
import { parseJsonBytes, splitCompact } from "../verify/compact-jws";
import { CLOCK_TOLERANCE_SECONDS, SUPPORTED_ALGORITHMS } from "../verify/defaults";
import { importKeySet, isObject, type KeySet } from "../verify/key-set";
import { checkHeader } from "../verify/token-header";

export interface IdTokenFacts {
  sub: string;
  aud: string;
  iss: string;
  jti: string;
  iat: number;
  exp: number;
  preferredUsername: string | undefined;
}

const imported = new WeakMap<PublishedKeyset, KeySet>();

export async function verifyOwnIdToken(
  token: string,
  keyset: PublishedKeyset,
  expected: { issuer: string; clientId: string },
  nowSeconds: number,
): Promise<IdTokenFacts | undefined> {
  const parts = splitCompact(token);
  if (!parts?.wellFormedBody) return undefined;
  const header = checkHeader(parts.header, { algorithms: SUPPORTED_ALGORITHMS, profile: "okta" });
  if (!header.ok) return undefined;
  let set = imported.get(keyset);
  if (!set) {
    set = await importKeySet(keyset.jwks, SUPPORTED_ALGORITHMS);
    imported.set(keyset, set);
  }
  const key = set.find(header.kid, header.alg);
  if (!key) return undefined;
  let claims: unknown;
  try {
    claims = parseJsonBytes((await compactVerify(token, key.key, { algorithms: [key.alg] })).payload);
  } catch {
    return undefined;
  }
  if (!isObject(claims)) return undefined;
  const { sub, aud, iss, jti, iat, exp, preferred_username } = claims;
  if (
    typeof sub !== "string" ||
    aud !== expected.clientId ||
    iss !== expected.issuer ||
    typeof jti !== "string" ||
    !jti.startsWith("ID.") ||
    typeof iat !== "number" ||
    typeof exp !== "number" ||
    exp + CLOCK_TOLERANCE_SECONDS <= nowSeconds
  ) {
    return undefined;
  }
  return {
    sub,
    aud,
    iss,
    jti,
    iat,
    exp,
    preferredUsername: typeof preferred_username === "string" ? preferred_username : undefined,
  };
}
