/**
 * The grant port in memory for the unit tier: the same redemption and refresh rules as the Grant
 * Durable Object (src/grants/code-redemption.ts, src/grants/refresh-rotation.ts), over Maps. Ids are
 * random 32-byte values, as a Durable Object's. JavaScript runs each step between awaits alone, so
 * the synchronous step stands in for the object's storage transaction.
 */
import { base64url } from "jose";
import {
  AUTHORIZATION_CODE_LIFETIME_SECONDS,
  REDEEMED_GRANT_RETENTION_SECONDS,
  REFRESH_TOKEN_SECRET_BYTES,
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
import { formatCode, formatRefreshToken, parseCode, parseRefreshToken } from "../../src/grants/grant-id";
import { type GrantPort, ownedBy } from "../../src/grants/grant-port";
import {
  bornFamily,
  familyEnd,
  familyStands,
  type RefreshFamily,
  refreshStep,
  retainedUntil,
  tokenOfFamily,
} from "../../src/grants/refresh-rotation";
import { openSuccessor, sealSuccessor } from "../../src/grants/successor-seal";

const RETENTION_MS = REDEEMED_GRANT_RETENTION_SECONDS * 1000;

export function memoryGrants(): GrantPort & {
  states: Map<string, GrantState>;
  families: Map<string, RefreshFamily>;
  devices: Map<string, DeviceState>;
} {
  const states = new Map<string, GrantState>();
  const families = new Map<string, RefreshFamily>();
  const devices = new Map<string, DeviceState>();
  const retired = new Map<string, Set<string>>();
  const revokedJtis = new Set<string>();
  const newId = () => base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
  const isRetired = (grantId: string, hash: string) => retired.get(grantId)?.has(hash) ?? false;
  return {
    states,
    families,
    devices,
    async issueCode(request, nowMs) {
      const grantId = newId();
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
    async isActive(grantId, nowMs, jti) {
      return grantStands(states.get(grantId), nowMs) && (jti === undefined || !revokedJtis.has(jti));
    },
    async revoke(grantId) {
      const state = states.get(grantId);
      if (state) states.set(grantId, { ...state, status: "REVOKED" });
    },
    async startRefresh(grantId, settings, nowMs) {
      const secret = randomToken(REFRESH_TOKEN_SECRET_BYTES);
      const hash = await hashSecret(secret);
      const state = states.get(grantId);
      if (!state || !grantStands(state, nowMs) || families.has(grantId)) return undefined;
      const family = bornFamily(hash, settings, nowMs);
      families.set(grantId, family);
      states.set(grantId, { ...state, expiresAt: retainedUntil(state, family, RETENTION_MS) });
      return formatRefreshToken(grantId, secret);
    },
    async openRefresh(request, settings, nowMs) {
      const grantId = newId();
      const secret = randomToken(REFRESH_TOKEN_SECRET_BYTES);
      const family = bornFamily(await hashSecret(secret), settings, nowMs);
      states.set(grantId, {
        request: structuredClone(request),
        codeHash: "",
        codeExpiresAt: nowMs,
        refusals: 0,
        status: "ACTIVE",
        expiresAt: familyEnd(family) + RETENTION_MS,
      });
      families.set(grantId, family);
      return { grantId, refreshToken: formatRefreshToken(grantId, secret) };
    },
    async refresh(token, presented, nowMs) {
      const parts = parseRefreshToken(token);
      if (!parts) return { ok: false, reason: "invalid" };
      const { grantId, secret } = parts;
      const hash = await hashSecret(secret);
      const candidate =
        families.get(grantId)?.rotation === "STATIC" ? undefined : randomToken(REFRESH_TOKEN_SECRET_BYTES);
      const prepared = {
        ...presented,
        hash,
        retired: false,
        candidate:
          candidate === undefined
            ? undefined
            : {
                hash: await hashSecret(candidate),
                sealedSuccessor: await sealSuccessor(secret, candidate),
              },
      };
      // From here to the writes nothing awaits, as in the object's transaction.
      const state = states.get(grantId);
      const step = refreshStep(
        state,
        families.get(grantId),
        { ...prepared, retired: isRetired(grantId, hash) },
        nowMs,
        RETENTION_MS,
      );
      if (step.next) {
        states.set(grantId, step.next.state);
        families.set(grantId, step.next.family);
        if (step.next.retire) {
          const set = retired.get(grantId) ?? new Set<string>();
          set.add(step.next.retire);
          retired.set(grantId, set);
        }
      }
      const { outcome } = step;
      if (!state) return { ok: false, reason: "invalid" };
      if (!outcome.ok) {
        return outcome.reason === "reuse"
          ? { ok: false, reason: "reuse", grantId, request: state.request }
          : { ok: false, reason: outcome.reason };
      }
      const next =
        outcome.token === "candidate"
          ? candidate
          : outcome.token === "presented"
            ? secret
            : await openSuccessor(secret, outcome.token.sealed);
      if (next === undefined) return { ok: false, reason: "invalid" };
      return {
        ok: true,
        grantId,
        request: state.request,
        scopes: outcome.scopes,
        refreshToken: formatRefreshToken(grantId, next),
      };
    },
    async introspectRefresh(token, nowMs) {
      const parts = parseRefreshToken(token);
      if (!parts) return undefined;
      const state = states.get(parts.grantId);
      const family = families.get(parts.grantId);
      if (!state || !family || !familyStands(state, family, nowMs)) return undefined;
      if (tokenOfFamily(family, await hashSecret(parts.secret), false) !== "current") return undefined;
      return {
        grantId: parts.grantId,
        request: state.request,
        scopes: family.scopes,
        issuedAt: family.previous?.rotatedAt ?? family.issuedAt,
        expiresAt: Math.min(familyEnd(family), state.expiresAt),
      };
    },
    async revokeRefresh(token, owner) {
      const parts = parseRefreshToken(token);
      if (!parts) return undefined;
      const state = states.get(parts.grantId);
      const hash = await hashSecret(parts.secret);
      if (!state || !ownedBy(state.request, owner)) return undefined;
      if (tokenOfFamily(families.get(parts.grantId), hash, isRetired(parts.grantId, hash)) === undefined)
        return undefined;
      states.set(parts.grantId, { ...state, status: "REVOKED" });
      return parts.grantId;
    },
    async revokeAccessToken(grantId, jti) {
      if (states.has(grantId)) revokedJtis.add(jti);
    },
    async describe(grantId) {
      const state = states.get(grantId);
      if (!state) return undefined;
      const family = families.get(grantId);
      return {
        grantId,
        status: state.status,
        serverId: state.request.serverId,
        clientId: state.request.clientId,
        userId: state.request.userId,
        scopes: family?.scopes ?? [...state.request.scopes],
        expiresAt: state.expiresAt,
        refresh: family
          ? {
              issuedAt: family.issuedAt,
              expiresAt: familyEnd(family),
              lastUsedAt: family.lastUsedAt,
              rotation: family.rotation,
            }
          : undefined,
      };
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
