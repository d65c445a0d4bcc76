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
import { formatCode, grantIdFromObjectId, objectIdOfGrantId, parseCode } from "./grant-id";
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
    async isActive(grantId, nowMs) {
      const grant = stub(grantId);
      return grant ? grant.isActive(nowMs) : false;
    },
    async revoke(grantId, nowMs) {
      await stub(grantId)?.revoke(nowMs);
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
