import type { ConfigStore } from "./config/config-store";
import type { Snapshot } from "./config/schemas";
import type { Env } from "./env";
import type { KeyStore } from "./keys/key-store";
import type { ClientKeyStore } from "./oauth/client-keys";

/** Isolate-scoped state and the clock, injected so tests can start a "cold isolate" at will. */
export interface Deps {
  config: ConfigStore;
  keys: KeyStore;
  /** Keys `private_key_jwt` clients registered (inline or fetched from their `jwks_uri`). */
  clientKeys: ClientKeyStore;
  /** Epoch milliseconds. */
  now: () => number;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** The authorization server addressed by `/oauth2/{as}`, from its published snapshot. */
    snapshot: Snapshot;
    issuer: string;
  };
}
