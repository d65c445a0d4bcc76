/**
 * The grant port in memory for the unit tier: the same redemption rules as the Grant Durable Object
 * (src/grants/code-redemption.ts), over a Map. Ids are random 32-byte values, as a Durable Object's.
 */
import { base64url } from "jose";
import {
  AUTHORIZATION_CODE_LIFETIME_SECONDS,
  REDEEMED_GRANT_RETENTION_SECONDS,
} from "../../src/config/defaults";
import { hashSecret, randomToken } from "../../src/crypto/secrets";
import { type GrantState, grantStands, redeemCode } from "../../src/grants/code-redemption";
import {
  type DeviceState,
  decideDevice,
  formatDeviceCode,
  openDeviceState,
  parseDeviceCode,
  pendingRequest,
  pollDevice,
} from "../../src/grants/device-authorization";
import { formatCode, parseCode } from "../../src/grants/grant-id";
import type { GrantPort } from "../../src/grants/grant-port";

export function memoryGrants(): GrantPort & {
  states: Map<string, GrantState>;
  devices: Map<string, DeviceState>;
} {
  const states = new Map<string, GrantState>();
  const devices = new Map<string, DeviceState>();
  return {
    states,
    devices,
    async issueCode(request, nowMs) {
      const grantId = base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
      const secret = randomToken(32);
      const codeExpiresAt = nowMs + AUTHORIZATION_CODE_LIFETIME_SECONDS * 1000;
      states.set(grantId, {
        request: structuredClone(request),
        codeHash: await hashSecret(secret),
        codeExpiresAt,
        refusals: 0,
        status: "CODE",
        expiresAt: codeExpiresAt,
      });
      return formatCode(grantId, secret);
    },
    async redeemCode(code, { codeVerifier, ...presented }, nowMs) {
      const parts = parseCode(code);
      if (!parts) return { ok: false, reason: "invalid" };
      const hashed = {
        ...presented,
        codeHash: await hashSecret(parts.secret),
        verifierChallenge: codeVerifier === undefined ? undefined : await hashSecret(codeVerifier),
      };
      const { outcome, next } = redeemCode(states.get(parts.grantId), hashed, nowMs);
      if (next) states.set(parts.grantId, next);
      return outcome.ok ? { ok: true, grantId: parts.grantId, request: outcome.request } : outcome;
    },
    async isActive(grantId, nowMs) {
      return grantStands(states.get(grantId), nowMs);
    },
    async revoke(grantId) {
      const state = states.get(grantId);
      if (state) states.set(grantId, { ...state, status: "REVOKED" });
    },

    // ---- Device authorization (RFC 8628): the Grant object's rules over a Map ----
    async openDevice(request, nowMs) {
      const grantId = base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
      const secret = randomToken(32);
      devices.set(grantId, openDeviceState(structuredClone(request), await hashSecret(secret), nowMs));
      return { grantId, deviceCode: formatDeviceCode(grantId, secret) };
    },
    async deviceRequest(grantId, nowMs) {
      return pendingRequest(devices.get(grantId), nowMs);
    },
    async decideDevice(grantId, decision, nowMs) {
      const next = decideDevice(devices.get(grantId), decision, nowMs);
      if (next) devices.set(grantId, next);
      return next !== undefined;
    },
    async pollDevice(deviceCode, presented, nowMs) {
      const parts = parseDeviceCode(deviceCode);
      if (!parts) return { ok: false, reason: "invalid" };
      const poll = { ...presented, secretHash: await hashSecret(parts.secret) };
      const { outcome, next } = pollDevice(devices.get(parts.grantId), poll, nowMs);
      if (next === "redeemed" && outcome.ok) {
        devices.delete(parts.grantId);
        states.set(parts.grantId, {
          request: outcome.request,
          codeHash: randomToken(32),
          codeExpiresAt: nowMs,
          refusals: 0,
          status: "ACTIVE",
          expiresAt: nowMs + REDEEMED_GRANT_RETENTION_SECONDS * 1000,
        });
      } else if (next && next !== "redeemed") devices.set(parts.grantId, next);
      return outcome.ok ? { ok: true, grantId: parts.grantId, request: outcome.request } : outcome;
    },
    // ---- end device authorization ----
  };
}
