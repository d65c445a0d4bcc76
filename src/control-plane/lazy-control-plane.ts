/**
 * The `ControlPlane` class the Worker exports: a shell that loads the real one
 * (src/control-plane/control-plane.ts) on its first construction. The control plane imports every
 * configuration schema and store; evaluated at start-up, that was most of a new isolate's start-up
 * CPU, paid at every location although edges never call it on the token path (DESIGN §1, §10).
 *
 * The real object is built inside `blockConcurrencyWhile`, so no call reaches the shell before it
 * exists; the implementation's public methods are forwarded from the shell's prototype, installed
 * from the implementation's prototype when it is first loaded, so a method added there is served
 * without an edit here. Its internals stay out of reach of RPC callers (DESIGN §7 rule 9).
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import type { ControlPlane as Implementation } from "./control-plane";

/** The implementation's RPC surface: its public members beyond those every Durable Object has. */
type RpcMethods<T> = { [K in Exclude<keyof T, keyof DurableObject>]: T[K] };

// The methods are installed on the prototype (see `#forwardAll`).
export interface ControlPlane extends RpcMethods<Implementation> {}

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface above is what `#forwardAll` installs.
export class ControlPlane extends DurableObject<Env> {
  static #forwarded = false;
  #implementation: Implementation | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      const { ControlPlane: Real } = await import("./control-plane");
      ControlPlane.#forwardAll(Real.prototype);
      this.#implementation = new Real(ctx, env);
    });
  }

  /** Once per isolate: every public method of the implementation, called on this object's one. */
  static #forwardAll(prototype: Implementation): void {
    if (ControlPlane.#forwarded) return;
    ControlPlane.#forwarded = true;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      if (
        name === "constructor" ||
        typeof Object.getOwnPropertyDescriptor(prototype, name)?.value !== "function"
      )
        continue;
      Object.defineProperty(ControlPlane.prototype, name, {
        configurable: true,
        writable: true,
        value: function (this: ControlPlane, ...args: unknown[]) {
          const implementation = this.#implementation as unknown as Record<
            string,
            (...a: unknown[]) => unknown
          >;
          return implementation[name]?.(...args);
        },
      });
    }
  }
}
