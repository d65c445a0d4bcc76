/**
 * The pending authorization while the user is on the sign-in page: the checked request, sealed into
 * the form's hidden `signin_request` field under an HMAC key derived from the key-encryption key
 * (src/crypto/derived-keys.ts). Nothing is stored server-side, and the browser is never trusted with
 * it unauthenticated: the MAC covers the exact bytes that are parsed back (src/crypto/mac-envelope.ts)
 * and the server it was issued for, so a request cannot be edited (another redirect URI, scope or
 * PKCE challenge) or replayed at another authorization server.
 *
 * CSRF (OWASP's signed double-submit cookie): the transaction carries the SHA-256 of the browser's
 * CSRF secret, a random value in an HttpOnly, SameSite=Lax, `__Host-` cookie. A form is accepted only
 * with the cookie it was issued under, so another site cannot post a sign-in (not even with a
 * transaction it obtained for itself: its cookie is not the victim's). SameSite alone would not do:
 * it does not stop same-site attackers nor browsers that ignore it. The secret is per browser, not
 * per transaction, so two tabs signing in at once do not invalidate each other.
 */
import { base64url } from "jose";
import { SIGN_IN_CSRF_BYTES, SIGN_IN_TRANSACTION_LIFETIME_SECONDS } from "../config/defaults";
import { type EnvelopeShape, openEnvelope, sealEnvelope } from "../crypto/mac-envelope";
import { hashSecret, randomToken } from "../crypto/secrets";
import { strictUtf8 } from "../http/utf8";
import type { AuthorizeRequest } from "./authorize-request";

const SHAPE: EnvelopeShape = { format: "warden-signin-1", field: "transaction" };
const encoder = new TextEncoder();

export interface SignInTransaction extends SealedForm {
  /** The checked request; `sessionToken` is never carried (it was single-use and is spent). */
  request: Omit<AuthorizeRequest, "sessionToken">;
}

/** Why a posted sign-in form is refused (403): for tests and the log, never for the page. */
export type TransactionRejection = "missing" | "malformed" | "bad_mac" | "other_server" | "csrf" | "expired";

/** A fresh CSRF secret for a browser that has none. */
export function newCsrfSecret(): string {
  return randomToken(SIGN_IN_CSRF_BYTES);
}

/** A CSRF cookie value as issued: base64url of SIGN_IN_CSRF_BYTES; anything else is ignored. */
export function isCsrfSecret(value: string | undefined): value is string {
  return value !== undefined && /^[A-Za-z0-9_-]{22}$/.test(value);
}

/**
 * A record sealed into a hidden form field (the sign-in transaction, the pending consent): bound by
 * the MAC to its purpose (`label`) and server, and carrying the browser's CSRF secret hash and an expiry.
 */
export interface SealedForm {
  serverId: string;
  /** base64url SHA-256 of the CSRF cookie's value it was issued under. */
  csrf: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** What tells one kind of sealed form from another: its envelope and the MAC's purpose label. */
export interface FormSeal {
  shape: EnvelopeShape;
  label: string;
}

const SIGN_IN_SEAL: FormSeal = { shape: SHAPE, label: "signin-transaction" };

function macInput(seal: FormSeal, serverId: string, text: string): Uint8Array {
  return encoder.encode(`${seal.label}\u001f${serverId}\u001f${text}`);
}

export async function sealForm(seal: FormSeal, record: SealedForm, key: CryptoKey): Promise<string> {
  const text = JSON.stringify(record);
  const sealed = await sealEnvelope(seal.shape, text, macInput(seal, record.serverId, text), key);
  return base64url.encode(encoder.encode(sealed));
}

/**
 * The record `field` holds, if it was sealed by this deployment as `seal` for `serverId`, under the
 * CSRF secret `csrfSecret` (the cookie), and has not expired.
 */
export async function openForm<T extends SealedForm>(
  seal: FormSeal,
  field: string | undefined,
  serverId: string,
  csrfSecret: string | undefined,
  nowMs: number,
  key: CryptoKey,
): Promise<{ ok: true; record: T } | { ok: false; reason: TransactionRejection }> {
  if (!field) return { ok: false, reason: "missing" };
  let raw: string | undefined;
  try {
    raw = strictUtf8(base64url.decode(field));
  } catch {
    raw = undefined;
  }
  if (raw === undefined) return { ok: false, reason: "malformed" };
  const opened = await openEnvelope(raw, seal.shape, (text) => macInput(seal, serverId, text), key);
  if (!opened.ok) return { ok: false, reason: opened.reason === "bad_mac" ? "bad_mac" : "malformed" };
  const record = JSON.parse(opened.text) as T;
  // Authenticated for this server by the MAC input already; checked again as plain data for clarity.
  if (record.serverId !== serverId) return { ok: false, reason: "other_server" };
  if (!isCsrfSecret(csrfSecret) || (await hashSecret(csrfSecret)) !== record.csrf) {
    return { ok: false, reason: "csrf" };
  }
  if (record.expiresAt <= nowMs) return { ok: false, reason: "expired" };
  return { ok: true, record };
}

export async function sealTransaction(
  request: AuthorizeRequest,
  serverId: string,
  csrfSecret: string,
  nowMs: number,
  key: CryptoKey,
): Promise<string> {
  const { sessionToken: _spent, ...kept } = request;
  const transaction: SignInTransaction = {
    serverId,
    csrf: await hashSecret(csrfSecret),
    expiresAt: nowMs + SIGN_IN_TRANSACTION_LIFETIME_SECONDS * 1000,
    request: kept,
  };
  return sealForm(SIGN_IN_SEAL, transaction, key);
}

/** The sign-in transaction `field` holds (see `openForm`). */
export async function openTransaction(
  field: string | undefined,
  serverId: string,
  csrfSecret: string | undefined,
  nowMs: number,
  key: CryptoKey,
): Promise<{ ok: true; transaction: SignInTransaction } | { ok: false; reason: TransactionRejection }> {
  const opened = await openForm<SignInTransaction>(SIGN_IN_SEAL, field, serverId, csrfSecret, nowMs, key);
  return opened.ok ? { ok: true, transaction: opened.record } : opened;
}
