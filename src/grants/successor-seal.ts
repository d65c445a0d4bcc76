/**
 * A rotated-out refresh token's successor, sealed so that only the holder of the rotated-out token
 * can read it back (src/grants/refresh-rotation.ts: a replay within the leeway answers with the same
 * successor). The object stores hashes of refresh tokens, never a live token (DESIGN §8): the
 * successor's secret is kept AES-256-GCM encrypted under a key derived (HKDF-SHA-256, RFC 5869) from
 * the rotated-out token's secret, which the object does not hold either. Whoever reads the object's
 * storage learns no usable token; whoever presents the previous token gets exactly the successor it
 * would have got the first time.
 */
import { base64url } from "jose";

const encoder = new TextEncoder();
const INFO = encoder.encode("warden refresh-token successor v1");
const IV_BYTES = 12;

async function keyOf(secret: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: INFO },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/** `successor` sealed under `presented` (the secret of the token it replaces). */
export async function sealSuccessor(presented: string, successor: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await keyOf(presented), encoder.encode(successor)),
  );
  const out = new Uint8Array(IV_BYTES + sealed.length);
  out.set(iv);
  out.set(sealed, IV_BYTES);
  return base64url.encode(out);
}

/** The successor's secret, or undefined when `sealed` was not sealed under `presented`. */
export async function openSuccessor(presented: string, sealed: string): Promise<string | undefined> {
  try {
    const bytes = base64url.decode(sealed);
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes.slice(0, IV_BYTES) },
      await keyOf(presented),
      bytes.slice(IV_BYTES),
    );
    return new TextDecoder().decode(plain);
  } catch {
    return undefined;
  }
}
