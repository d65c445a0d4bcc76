/**
 * What the edge knows of a token inline hook: the `hook/{id}` KV record the control plane publishes
 * (authenticated as a whole, src/config/config-record.ts). Only what a call needs, with the auth
 * secret sealed (AES-256-GCM under a key derived from the key-encryption key for this use alone, as
 * signing keys travel under theirs): KV holds no usable credential, yet the edge needs no Durable
 * Object call. Records sealed under the secret itself (before keys were derived per use) are never
 * opened: the control plane publishes every hook again on upgrade (record-publisher.ts).
 */
import { base64url } from "jose";
import type { InlineHookRecord, Status } from "../config/schemas";
import { DerivedKeyCache, deriveAesGcmKey } from "../crypto/derived-keys";

export interface SealedSecret {
  iv: string;
  ciphertext: string;
}

export interface PublishedInlineHook {
  id: string;
  name: string;
  status: Status;
  uri: string;
  headers: { key: string; value: string }[];
  authScheme?: { key: string; sealed: SealedSecret };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Binds a sealed secret to its hook, so a blob copied into another hook's record does not open. */
function aad(hookId: string): Uint8Array {
  return encoder.encode(`warden-inline-hook:${hookId}`);
}

export async function publishedHook(record: InlineHookRecord, kek: string): Promise<PublishedInlineHook> {
  const { config } = record.channel;
  const auth = config.authScheme;
  return {
    id: record.id,
    name: record.name,
    status: record.status,
    uri: config.uri,
    headers: config.headers,
    ...(auth?.value ? { authScheme: { key: auth.key, sealed: await seal(auth.value, kek, record.id) } } : {}),
  };
}

async function seal(secret: string, kek: string, hookId: string): Promise<SealedSecret> {
  // A fresh 96-bit random IV per seal (NIST SP 800-38D §8.2.2).
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: aad(hookId) },
    await hookSecretKey(kek),
    encoder.encode(secret),
  );
  return { iv: base64url.encode(iv), ciphertext: base64url.encode(new Uint8Array(ciphertext)) };
}

export async function unsealHookSecret(sealed: SealedSecret, kek: string, hookId: string): Promise<string> {
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: base64url.decode(sealed.iv), additionalData: aad(hookId) },
    await hookSecretKey(kek),
    base64url.decode(sealed.ciphertext),
  );
  return decoder.decode(plain);
}

/** The label names the sealing scheme: a new one derives a new key. */
const SEAL_INFO = "warden hook-secret/1 seal";

const sealingKeys = new DerivedKeyCache((material) => deriveAesGcmKey(material, SEAL_INFO));

/** The hook secrets' sealing key, derived once per isolate (a value, per secret). */
export function hookSecretKey(secret: string): Promise<CryptoKey> {
  return sealingKeys.get(secret);
}
