import type { ConfigStore } from "./config/config-store";
import type { Snapshot } from "./config/schemas";
import type { Env } from "./env";
import type { KeyStore } from "./keys/key-store";

/** Isolate-scoped state and the clock, injected so tests can start a "cold isolate" at will. */
export interface Deps {
  config: ConfigStore;
  keys: KeyStore;
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
