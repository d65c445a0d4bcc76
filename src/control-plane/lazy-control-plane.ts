/**
 * The `ControlPlane` class the Worker exports: a shell that loads the real one
 * (src/control-plane/control-plane.ts) on its first construction (src/http/lazy-durable-object.ts).
 * The control plane imports every configuration schema and store; evaluated at start-up, that was
 * most of a new isolate's start-up CPU, paid at every location although edges never call it on the
 * token path (DESIGN §1, §10). It sets no alarm.
 */
import type { Env } from "../env";
import { lazyDurableObject } from "../http/lazy-durable-object";
import type { ControlPlane as Implementation } from "./control-plane";

export class ControlPlane extends lazyDurableObject<Env, Implementation>(
  async () => (await import("./control-plane")).ControlPlane,
  { alarm: false },
) {}
