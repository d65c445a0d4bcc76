/**
 * A Durable Object class the Worker exports as a shell whose implementation module is imported by
 * the first construction in the isolate, not at start-up (DESIGN §10, issue 13 item 5). Start-up is
 * paid at every location, and an edge isolate serving tokens never constructs a control plane, key
 * vault or grant: the build (scripts/build.mjs) makes each dynamic `import()` a module of its own,
 * which workerd parses and evaluates only then.
 *
 * - The implementation is built inside `blockConcurrencyWhile` from the shell's constructor, so no
 *   event (RPC call, alarm) is delivered to the shell before it exists. A failed import or
 *   construction throws there, which resets the object; the import is not kept (`importOnce`), so
 *   the next construction tries again.
 * - RPC: the implementation's public methods (its prototype's own functions) are forwarded from the
 *   shell's prototype, installed when the implementation is first loaded, so a method added there is
 *   served without an edit here. Its `#private` members and instance fields (KeyVault's `clock`) are
 *   not properties of the shell's prototype: out of reach of RPC callers (DESIGN §7 rule 9).
 * - `alarm`: workerd reads an object's handlers (`alarm`, `fetch`, …) when it constructs it, before
 *   the import ends, so a shell whose implementation has alarms defines `alarm()` itself and forwards
 *   it with its `alarmInfo` (retry count, scheduled time).
 */
import { DurableObject } from "cloudflare:workers";
import { importOnce } from "./lazy-handler";

/** The implementation's RPC surface: its public methods beyond those every Durable Object has. */
export type RpcMethods<T> = {
  [K in Exclude<keyof T, keyof DurableObject> as T[K] extends (...args: never[]) => unknown
    ? K
    : never]: T[K];
};

/** A shell class: constructed as workerd constructs the implementation, answering its RPC methods. */
export type LazyDurableObjectClass<E, I> = new (
  ctx: DurableObjectState,
  env: E,
) => DurableObject<E> & RpcMethods<I>;

/** Each shell's implementation, once built; reached by the forwarders and `implementationOf`. */
const implementations = new WeakMap<object, object>();

/**
 * The object a shell forwards to, typed as the implementation: for tests inside the object
 * (`runInDurableObject` hands them the shell) that set what RPC cannot reach, such as the key
 * vault's `clock`. Not an RPC method: a module function, callable only by code in the isolate.
 */
export function implementationOf<I extends object>(shell: I): I {
  const implementation = implementations.get(shell);
  if (implementation === undefined)
    throw new TypeError("not a lazy Durable Object shell, or its implementation is not built yet");
  return implementation as I;
}

/** A Durable Object's event handlers, which workerd calls by name; never RPC methods to forward. */
const HANDLERS = ["alarm", "fetch", "connect", "webSocketMessage", "webSocketClose", "webSocketError"];

/**
 * The shell class for the implementation `load` answers. `alarm`: whether the implementation has an
 * `alarm()` handler to forward (the shell defines one only then: a stray alarm on an object without
 * one fails as it would have); checked against the implementation when it loads. No other handler
 * (`fetch`, WebSocket hibernation) is forwarded: none of Warden's objects has one.
 */
export function lazyDurableObject<E, I extends DurableObject<E>>(
  load: () => Promise<new (ctx: DurableObjectState, env: E) => I>,
  options: { alarm: boolean },
): LazyDurableObjectClass<E, I> {
  const loadOnce = importOnce(load);
  let forwarded = false;

  class Shell extends DurableObject<E> {
    constructor(ctx: DurableObjectState, env: E) {
      super(ctx, env);
      // A rejection has reset the object already (the next construction tries again); its cause is
      // logged here, the one place that still holds it.
      ctx
        .blockConcurrencyWhile(async () => {
          const Implementation = await loadOnce();
          forwardAll(Implementation.prototype);
          implementations.set(this, new Implementation(ctx, env));
        })
        .catch((error: unknown) => {
          console.error(
            JSON.stringify({
              event: "durable_object.load_failed",
              error: error instanceof Error ? error.message : String(error),
            }),
          );
        });
    }
  }

  class ShellWithAlarm extends Shell {
    override async alarm(alarmInfo?: AlarmInvocationInfo): Promise<void> {
      await implementationOf<DurableObject<E>>(this).alarm?.(alarmInfo);
    }
  }

  const Class = options.alarm ? ShellWithAlarm : Shell;

  /** Once per isolate: every public method of the implementation, called on this shell's one. */
  function forwardAll(prototype: object): void {
    if (forwarded) return;
    // A handler the shell does not define would never run (workerd looked before the import), and
    // one it defines without the implementation's would hide the mistake: both refuse to build.
    const handlers = HANDLERS.filter((name) => Object.hasOwn(prototype, name));
    if (handlers.join() !== (options.alarm ? "alarm" : ""))
      throw new Error(
        `the lazy shell's handlers do not match its implementation's (${handlers.join() || "none"})`,
      );
    for (const name of Object.getOwnPropertyNames(prototype)) {
      if (name === "constructor" || HANDLERS.includes(name)) continue;
      // Methods only: getters and setters would run on the shell, which has none of the state.
      const method = Object.getOwnPropertyDescriptor(prototype, name)?.value as unknown;
      if (typeof method !== "function") continue;
      Object.defineProperty(Shell.prototype, name, {
        configurable: true,
        writable: true,
        value: function (this: object, ...args: unknown[]) {
          return Reflect.apply(method, implementationOf(this), args);
        },
      });
    }
    forwarded = true;
  }

  return Class as unknown as LazyDurableObjectClass<E, I>;
}
