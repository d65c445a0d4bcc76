/**
 * Sealing of signing keys for transport through KV: AES-256-GCM under the sealing key derived from
 * the key-encryption key (a Worker secret; keyset-keys.ts), with the server id and keyset version as
 * additional authenticated data so a blob cannot be moved to another server or replayed as another
 * version. The rest of the record is authenticated as a whole by keyset-record.ts; the edge unseals
 * only a record whose MAC held, with the server id it asked for.
 */
import { base64url } from "jose";
import type { SealedSigningKey } from "./keyset";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function aad(serverId: string, version: number): Uint8Array {
  return encoder.encode(`warden-keyset:${serverId}:${version}`);
}

export async function seal(
  keys: readonly SealedSigningKey[],
  /** KeysetKeys.seal */
  kek: CryptoKey,
  serverId: string,
  version: number,
): Promise<{ iv: string; ciphertext: string }> {
  // A fresh 96-bit random IV per seal (NIST SP 800-38D §8.2.2); keysets are sealed rarely.
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: aad(serverId, version) },
    kek,
    encoder.encode(JSON.stringify(keys)),
  );
  return { iv: base64url.encode(iv), ciphertext: base64url.encode(new Uint8Array(ciphertext)) };
}

export async function unseal(
  sealed: { iv: string; ciphertext: string },
  kek: CryptoKey,
  serverId: string,
  version: number,
): Promise<SealedSigningKey[]> {
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: base64url.decode(sealed.iv), additionalData: aad(serverId, version) },
    kek,
    base64url.decode(sealed.ciphertext),
  );
  return JSON.parse(decoder.decode(plain)) as SealedSigningKey[];
}
