/** The revocation pulse as the worker tier drives it (src/config/revocation-pulse.ts). */
import { env } from "cloudflare:workers";
import { PULSE_CACHE_URL, type PulseSource, RevocationPulse } from "../../src/config/revocation-pulse";
import type { Env } from "../../src/env";
import { controlPlane } from "./helpers";

/** What `bindPorts` hands an isolate's pulse: the control plane's RPC and the key-encryption key. */
export function pulseSource(bindings: Env = env as Env): PulseSource {
  return {
    read: () => bindings.CONTROL_PLANE.get(bindings.CONTROL_PLANE.idFromName("global")).revocationPulse(),
    keyEncryptionKey: bindings.KEY_ENCRYPTION_KEY,
  };
}

/**
 * A colo copy of the pulse read from the control plane just now, as a busy location always has one
 * (its isolates refresh it every few seconds): the cold isolate that follows reads it from the Cache
 * API and makes no Durable Object call.
 */
export async function freshColoPulse(): Promise<void> {
  await caches.default.delete(PULSE_CACHE_URL);
  await new RevocationPulse().refresh(pulseSource());
}

/** The control plane's pulse as it is now. */
export function controlPlanePulse() {
  return controlPlane().revocationPulse();
}
