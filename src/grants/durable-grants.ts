/**
 * The grant port over the `GRANT` Durable Object namespace. A new grant is a new object
 * (`newUniqueId`), which Cloudflare places near the caller — the edge where the user signed in; every
 * later call derives the object from the code or the token itself (src/grants/grant-id.ts), so no
 * lookup stands between a request and its grant. Malformed ids are refused here, before
 * `idFromString`, which throws on text that is not an id of this namespace.
 */
import { AUTHORIZATION_CODE_SECRET_BYTES, DEVICE_CODE_SECRET_BYTES } from "../config/defaults";
import { randomToken } from "../crypto/secrets";
import { formatDeviceCode, parseDeviceCode } from "./device-authorization";
import {
  formatCode,
  formatRefreshToken,
  grantIdFromObjectId,
  objectIdOfGrantId,
  parseCode,
  parseRefreshToken,
} from "./grant-id";
import type { Grant } from "./grant-object";
import type { GrantPort } from "./grant-port";

export function durableGrants(namespace: DurableObjectNamespace<Grant>): GrantPort {
  const stub = (grantId: string) => {
    const hex = objectIdOfGrantId(grantId);
    if (hex === undefined) return undefined;
    try {
      return namespace.get(namespace.idFromString(hex));
    } catch {
      // Well-formed hex that this namespace never issued (ids carry the namespace's own check).
      return undefined;
    }
  };
  return {
    async issueCode(request, nowMs) {
      const id = namespace.newUniqueId();
      const secret = randomToken(AUTHORIZATION_CODE_SECRET_BYTES);
      await namespace.get(id).open(request, secret, nowMs);
      return formatCode(grantIdFromObjectId(id.toString()), secret);
    },
    async redeemCode(code, presented, nowMs) {
      const parts = parseCode(code);
      const grant = parts && stub(parts.grantId);
      if (!parts || !grant) return { ok: false, reason: "invalid" };
      const { codeVerifier, ...rest } = presented;
      const outcome = await grant.redeem(parts.secret, rest, codeVerifier, nowMs);
      return outcome.ok ? { ok: true, grantId: parts.grantId, request: outcome.request } : outcome;
    },
    async isActive(grantId, nowMs, jti) {
      const grant = stub(grantId);
      return grant ? grant.isActive(nowMs, jti) : false;
    },
    async revoke(grantId, nowMs) {
      await stub(grantId)?.revoke(nowMs);
    },
    async startRefresh(grantId, settings, nowMs) {
      const secret = await stub(grantId)?.startRefresh(settings, nowMs);
      return secret === undefined ? undefined : formatRefreshToken(grantId, secret);
    },
    async openRefresh(request, settings, nowMs) {
      const id = namespace.newUniqueId();
      const secret = await namespace.get(id).openActive(request, settings, nowMs);
      const grantId = grantIdFromObjectId(id.toString());
      return { grantId, refreshToken: formatRefreshToken(grantId, secret) };
    },
    async refresh(token, presented, nowMs) {
      const parts = parseRefreshToken(token);
      const grant = parts && stub(parts.grantId);
      if (!parts || !grant) return { ok: false, reason: "invalid" };
      const outcome = await grant.refresh(parts.secret, presented, nowMs);
      if (outcome.ok) {
        const { request, secret, scopes } = outcome;
        return {
          ok: true,
          grantId: parts.grantId,
          request,
          scopes,
          refreshToken: formatRefreshToken(parts.grantId, secret),
        };
      }
      return outcome.reason === "reuse"
        ? { ...outcome, grantId: parts.grantId }
        : { ok: false, reason: outcome.reason };
    },
    async introspectRefresh(token, nowMs) {
      const parts = parseRefreshToken(token);
      const grant = parts && stub(parts.grantId);
      if (!parts || !grant) return undefined;
      const facts = await grant.introspectRefresh(parts.secret, nowMs);
      return facts && { ...facts, grantId: parts.grantId };
    },
    async revokeRefresh(token, owner, nowMs) {
      const parts = parseRefreshToken(token);
      const grant = parts && stub(parts.grantId);
      if (!parts || !grant) return undefined;
      return (await grant.revokeRefresh(parts.secret, owner, nowMs)) ? parts.grantId : undefined;
    },
    async revokeAccessToken(grantId, jti, expiresAtMs, nowMs) {
      await stub(grantId)?.revokeAccessToken(jti, expiresAtMs, nowMs);
    },
    async describe(grantId, nowMs) {
      const facts = await stub(grantId)?.describe(nowMs);
      return facts && { ...facts, grantId };
    },

    // ---- Device authorization (RFC 8628) ----
    async openDevice(request, nowMs) {
      const id = namespace.newUniqueId();
      const secret = randomToken(DEVICE_CODE_SECRET_BYTES);
      await namespace.get(id).openDevice(request, secret, nowMs);
      const grantId = grantIdFromObjectId(id.toString());
      return { grantId, deviceCode: formatDeviceCode(grantId, secret) };
    },
    async deviceRequest(grantId, nowMs) {
      return stub(grantId)?.deviceRequest(nowMs);
    },
    async decideDevice(grantId, decision, nowMs) {
      return (await stub(grantId)?.decideDevice(decision, nowMs)) ?? false;
    },
    async pollDevice(deviceCode, presented, nowMs) {
      const parts = parseDeviceCode(deviceCode);
      const grant = parts && stub(parts.grantId);
      if (!parts || !grant) return { ok: false, reason: "invalid" };
      const outcome = await grant.pollDevice(parts.secret, presented, nowMs);
      return outcome.ok ? { ok: true, grantId: parts.grantId, request: outcome.request } : outcome;
    },
    // ---- end device authorization ----
  };
}
