import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from "jose";
import { RSA_MODULUS_LENGTH } from "../config/defaults";
import type { SigningAlg } from "../config/schemas";

export interface GeneratedKey {
  kid: string;
  privateJwk: JWK;
}

/**
 * A new signing key pair for `alg`. The kid is the RFC 7638 thumbprint, so it is derived from the key
 * itself and cannot collide across servers by accident.
 */
export async function generateSigningKey(alg: SigningAlg): Promise<GeneratedKey> {
  const options =
    alg === "RS256" || alg === "PS256"
      ? { extractable: true, modulusLength: RSA_MODULUS_LENGTH }
      : alg === "EdDSA"
        ? { extractable: true, crv: "Ed25519" }
        : { extractable: true };
  const { privateKey } = await generateKeyPair(alg, options);
  const privateJwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(privateJwk, "sha256");
  return { kid, privateJwk };
}
