import { SignJWT } from "jose";
import type { SigningKey } from "../keys/key-store";
import type { AccessTokenClaims } from "./access-token";

/** Signs a claim set with the edge's current key; the header names only `alg`, `kid` and `typ`. */
export function signToken(claims: AccessTokenClaims, key: SigningKey): Promise<string> {
  return new SignJWT(claims.payload)
    .setProtectedHeader({ ...claims.header, alg: key.alg, kid: key.kid })
    .sign(key.key);
}
