/**
 * What the edge knows of a token inline hook: the `hook/{id}` KV record the control plane publishes.
 * Only what a call needs, with the auth secret sealed (AES-256-GCM under the key-encryption key, as
 * signing keys travel): KV holds no usable credential, yet the edge needs no Durable Object call.
 */
import { base64url } from "jose";
import type { InlineHookRecord, Status } from "../config/schemas";
import { importKeyEncryptionKey } from "../keys/seal";

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
    await kekKey(kek),
    encoder.encode(secret),
  );
  return { iv: base64url.encode(iv), ciphertext: base64url.encode(new Uint8Array(ciphertext)) };
}

export async function unsealHookSecret(sealed: SealedSecret, kek: string, hookId: string): Promise<string> {
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: base64url.decode(sealed.iv), additionalData: aad(hookId) },
    await kekKey(kek),
    base64url.decode(sealed.ciphertext),
  );
  return decoder.decode(plain);
}

/** The imported key-encryption key, once per isolate (it changes only with a redeploy). */
let imported: { secret: string; key: Promise<CryptoKey> } | undefined;

function kekKey(secret: string): Promise<CryptoKey> {
  if (imported?.secret !== secret) {
    const key = importKeyEncryptionKey(secret);
    // A failed import must not stick.
    key.catch(() => {
      if (imported?.key === key) imported = undefined;
    });
    imported = { secret, key };
  }
  return imported.key;
}
