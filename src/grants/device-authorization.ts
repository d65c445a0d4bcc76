/**
 * Device authorization (RFC 8628) as its grant sees it, pure: the Grant Durable Object
 * (src/grants/grant-object.ts, its "Device authorization" block) runs these rules inside one storage
 * transaction, and the in-memory port of the unit tier runs the same ones.
 *
 * A device grant is one Grant object from the start: `/v1/device/authorize` opens it PENDING with the
 * device code's hash; the user approves (binding what policy decided, as `/v1/authorize` binds it into
 * a code) or denies on `/activate`; the device polls the token endpoint with the device code, which is
 * `<grant id>.<secret>` like an authorization code (src/grants/grant-id.ts), so polling needs no
 * lookup. Exactly one poll after approval gets the tokens: from then on the grant is an ordinary
 * redeemed grant, and its device state is gone.
 *
 * User codes (RFC 8628 §6.1): 8 characters of the 20 consonants `BCDFGHJKLMNPQRSTVWXZ` (no vowels,
 * so no words; no digits, so no 0/O or 1/I), shown in two fours like RFC 8628 §6.1's `WDJB-MJHT`; entry ignores case, dashes and
 * spaces. They are short, so the page that takes them is rate limited (§5.1).
 */
import { base64url } from "jose";
import {
  DEVICE_CODE_LIFETIME_SECONDS,
  DEVICE_CODE_POLL_INTERVAL_SECONDS,
  DEVICE_CODE_RETENTION_SECONDS,
  DEVICE_CODE_SLOW_DOWN_SECONDS,
  DEVICE_USER_CODE_INPUT_MAX_LENGTH,
  DEVICE_USER_CODE_LENGTH,
} from "../config/defaults";
import { timingSafeEqual } from "../crypto/secrets";
import { formatCode, parseCode } from "./grant-id";
import type { AuthorizedRequest } from "./grant-port";

/** RFC 8628 §7.2: the `grant_type` a device polls with. */
export const DEVICE_CODE_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code";

/** RFC 8628 §6.1: "BCDFGHJKLMNPQRSTVWXZ", base 20. */
export const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";

/** What the device asked for at `/v1/device/authorize` (RFC 8628 §3.1). */
export interface DeviceRequest {
  serverId: string;
  clientId: string;
  /** The requested scopes, in request order (policy decides what is granted, at approval). */
  scopes: string[];
}

/** PENDING: waiting for the user; APPROVED: the next poll gets the tokens; DENIED: the user said no. */
export type DeviceStatus = "PENDING" | "APPROVED" | "DENIED";

export interface DeviceState {
  request: DeviceRequest;
  /** base64url SHA-256 of the device code's secret (DESIGN §8: secrets stored hashed). */
  secretHash: string;
  status: DeviceStatus;
  /** Epoch ms: the device code's expiry (`expires_in`). */
  expiresAt: number;
  /** The poll interval in force: `interval`, grown by every `slow_down` (RFC 8628 §3.5). */
  intervalSeconds: number;
  /** Epoch ms of the last poll, or null before the first. */
  lastPolledAt: number | null;
  /** What the user approved, with policy's decision: set with APPROVED. */
  authorized: AuthorizedRequest | undefined;
}

/** A fresh PENDING grant for `request`. */
export function openDeviceState(request: DeviceRequest, secretHash: string, nowMs: number): DeviceState {
  return {
    request,
    secretHash,
    status: "PENDING",
    expiresAt: nowMs + DEVICE_CODE_LIFETIME_SECONDS * 1000,
    intervalSeconds: DEVICE_CODE_POLL_INTERVAL_SECONDS,
    lastPolledAt: null,
    authorized: undefined,
  };
}

/** When the object may forget a device grant that was never redeemed (its alarm). */
export function deviceForgetAt(state: Pick<DeviceState, "expiresAt">): number {
  return state.expiresAt + DEVICE_CODE_RETENTION_SECONDS * 1000;
}

/** Why a poll gets no tokens: RFC 8628 §3.5's codes, and `invalid` for a code that is not (or no longer) good. */
export type DevicePollRefusal =
  | "invalid"
  | "authorization_pending"
  | "slow_down"
  | "expired_token"
  | "access_denied";

/** A poll's outcome as the object sees it; the port adds the grant id. */
export type ObjectDevicePoll =
  | { ok: true; request: AuthorizedRequest }
  | { ok: false; reason: DevicePollRefusal };

/** A poll's outcome as the token endpoint sees it. */
export type DevicePoll =
  | { ok: true; grantId: string; request: AuthorizedRequest }
  | { ok: false; reason: DevicePollRefusal };

/** The poll as the grant sees it: the device code's secret hashed, and who is polling where. */
export interface HashedDevicePoll {
  secretHash: string;
  serverId: string;
  clientId: string;
}

/**
 * One poll (RFC 8628 §3.4, §3.5). `next`: the state after it, `"redeemed"` when the tokens were
 * handed out (the device state ends; the caller makes the grant an ordinary redeemed one), undefined
 * when nothing changes.
 *
 * Order: only the holder of the device code's secret, polling as the client and at the server it
 * was issued to, learns anything; then expiry, denial, the pace (slow_down only while pending: it is
 * §3.5's "variant of authorization_pending"), and finally the tokens, once.
 */
export function pollDevice(
  state: DeviceState | undefined,
  poll: HashedDevicePoll,
  nowMs: number,
): { outcome: ObjectDevicePoll; next?: DeviceState | "redeemed" } {
  if (!state || !sameHash(state.secretHash, poll.secretHash)) return refused("invalid");
  if (state.request.serverId !== poll.serverId || state.request.clientId !== poll.clientId) {
    return refused("invalid");
  }
  if (nowMs >= state.expiresAt) return refused("expired_token");
  switch (state.status) {
    case "DENIED":
      return refused("access_denied");
    case "APPROVED":
      // Set together with APPROVED; checked for the type's sake.
      if (!state.authorized) return refused("invalid");
      return { outcome: { ok: true, request: state.authorized }, next: "redeemed" };
    case "PENDING":
      break;
  }
  const tooSoon = state.lastPolledAt !== null && nowMs - state.lastPolledAt < state.intervalSeconds * 1000;
  if (tooSoon) {
    return {
      outcome: { ok: false, reason: "slow_down" },
      next: {
        ...state,
        lastPolledAt: nowMs,
        intervalSeconds: state.intervalSeconds + DEVICE_CODE_SLOW_DOWN_SECONDS,
      },
    };
  }
  return { outcome: { ok: false, reason: "authorization_pending" }, next: { ...state, lastPolledAt: nowMs } };
}

/** The user's answer on `/activate`: approve with what policy decided, or deny. */
export type DeviceDecision = { approve: AuthorizedRequest } | { deny: true };

/**
 * The user's decision, taken once and only while the grant is pending and live: of two tabs
 * approving and denying at once, the first decides. Undefined when it came too late.
 */
export function decideDevice(
  state: DeviceState | undefined,
  decision: DeviceDecision,
  nowMs: number,
): DeviceState | undefined {
  if (!pendingAt(state, nowMs)) return undefined;
  return "approve" in decision
    ? { ...state, status: "APPROVED", authorized: decision.approve }
    : { ...state, status: "DENIED" };
}

/** What a pending, live grant asks for (for the approval page), else undefined. */
export function pendingRequest(state: DeviceState | undefined, nowMs: number): DeviceRequest | undefined {
  return pendingAt(state, nowMs) ? state.request : undefined;
}

function pendingAt(state: DeviceState | undefined, nowMs: number): state is DeviceState {
  return state?.status === "PENDING" && nowMs < state.expiresAt;
}

function refused(reason: DevicePollRefusal): { outcome: ObjectDevicePoll } {
  return { outcome: { ok: false, reason } };
}

/** Constant-time comparison of two base64url digests; a malformed one matches nothing. */
function sameHash(a: string, b: string): boolean {
  try {
    return timingSafeEqual(base64url.decode(a), base64url.decode(b));
  } catch {
    return false;
  }
}

// ---- Device codes and user codes ----

/** A device code as the device receives it: `<grant id>.<secret>`, the shape of an authorization code. */
export function formatDeviceCode(grantId: string, secret: string): string {
  return formatCode(grantId, secret);
}

/** A device code's parts, or undefined when it cannot be one Warden issued (checked before any I/O). */
export function parseDeviceCode(deviceCode: string): { grantId: string; secret: string } | undefined {
  return parseCode(deviceCode);
}

/**
 * A fresh user code (the canonical 8 letters, no dash). Rejection sampling: a random byte is used
 * only below 240 (12 × 20), so every letter is equally likely (a plain `% 20` would favour the first
 * 16 letters of the alphabet, RFC 8628 §6.1 asks for the full entropy).
 */
export function newUserCode(random: (n: number) => Uint8Array = randomBytes): string {
  let code = "";
  while (code.length < DEVICE_USER_CODE_LENGTH) {
    for (const byte of random(DEVICE_USER_CODE_LENGTH * 2)) {
      if (byte >= 240) continue;
      code += USER_CODE_ALPHABET[byte % 20];
      if (code.length === DEVICE_USER_CODE_LENGTH) break;
    }
  }
  return code;
}

/** How a user code is shown (and sent as `user_code`): `WDJB-MJHT` (RFC 8628 §6.1's example). */
export function displayUserCode(code: string): string {
  const half = code.length / 2;
  return `${code.slice(0, half)}-${code.slice(half)}`;
}

/**
 * What the user typed, as the canonical code, or undefined when it cannot be one. RFC 8628 §6.1:
 * case-insensitive, and dashes, spaces and tabs are ignored; anything else (a vowel, a
 * digit, the wrong length) makes it no code at all. Long input is refused before it is looked at.
 */
export function normalizeUserCode(input: string | undefined): string | undefined {
  if (input === undefined || input.length > DEVICE_USER_CODE_INPUT_MAX_LENGTH) return undefined;
  // ASCII first: `toUpperCase` turns some other letters into two ASCII ones ("ﬀ" → "FF").
  const stripped = input.replace(/[ \t-]/g, "");
  if (!/^[A-Za-z]*$/.test(stripped)) return undefined;
  const code = stripped.toUpperCase();
  if (code.length !== DEVICE_USER_CODE_LENGTH) return undefined;
  for (const ch of code) if (!USER_CODE_ALPHABET.includes(ch)) return undefined;
  return code;
}

function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}
