/**
 * Applies a token inline hook's `commands` to an access token's claim set, pure: Okta's
 * `com.okta.access.patch` operations `add`, `replace` and `remove` on `/claims/<name>[/<member or
 * index>…]` (JSON Pointer, RFC 6901) and `replace` of `/token/lifetime/expiration`.
 *
 * All or nothing, as in Okta: one operation that cannot be applied — a reserved claim, a target
 * that does not exist, a lifetime out of bounds, an unknown command or op — rejects the whole reply
 * and the token is issued as it was ("the inline hook operation is skipped").
 */
import type { AccessTokenClaims } from "../tokens/access-token";

/** Why a reply's commands were refused; a closed set, recorded with the failure. */
export type PatchRejection =
  | "malformed_commands"
  | "unsupported_command"
  | "unsupported_operation"
  | "invalid_path"
  | "reserved_claim"
  | "missing_target"
  | "invalid_value"
  | "lifetime_out_of_range";

export interface PatchOptions {
  /** Claims no hook may add, change or remove (RESERVED_CLAIMS). */
  reservedClaims: ReadonlySet<string>;
  /** Okta's bounds for `/token/lifetime/expiration`, in seconds. */
  lifetimeRange: { readonly min: number; readonly max: number };
}

export type PatchResult =
  | { ok: true; token: AccessTokenClaims; operations: number }
  | { ok: false; reason: PatchRejection; detail: string };

export const ACCESS_PATCH = "com.okta.access.patch";
export const IDENTITY_PATCH = "com.okta.identity.patch";
const LIFETIME_PATH = "/token/lifetime/expiration";
const CLAIMS_PREFIX = "/claims/";

class Rejected extends Error {
  constructor(
    readonly reason: PatchRejection,
    readonly detail: string,
  ) {
    super(detail);
  }
}

/**
 * The token with `commands` applied, or why they were all refused. `commands` is the reply's
 * `commands` member as received (undefined when the reply had none: nothing to apply).
 */
export function applyTokenPatch(
  token: AccessTokenClaims,
  commands: unknown,
  options: PatchOptions,
): PatchResult {
  try {
    const payload = structuredClone(token.payload);
    const iat = payload.iat;
    const exp = payload.exp;
    if (typeof iat !== "number" || typeof exp !== "number") {
      throw new Error("the claim set has no numeric iat and exp");
    }
    let lifetime = exp - iat;
    let operations = 0;

    for (const [c, command] of commandList(commands).entries()) {
      if (!isObject(command) || typeof command.type !== "string" || !Array.isArray(command.value)) {
        throw new Rejected("malformed_commands", `commands[${c}] must be {type, value: [...]}`);
      }
      // Okta fails a reply that patches a token the request does not issue: no ID token here yet.
      if (command.type !== ACCESS_PATCH) {
        const why = command.type === IDENTITY_PATCH ? "this request issues no ID token" : "unknown command";
        throw new Rejected("unsupported_command", `commands[${c}].type '${command.type}': ${why}`);
      }
      for (const [o, op] of command.value.entries()) {
        const where = `commands[${c}].value[${o}]`;
        if (!isObject(op)) throw new Rejected("malformed_commands", `${where} must be an object`);
        if (op.op !== "add" && op.op !== "replace" && op.op !== "remove") {
          throw new Rejected("unsupported_operation", `${where}.op must be add, replace or remove`);
        }
        if (typeof op.path !== "string") throw new Rejected("invalid_path", `${where}.path must be a string`);
        const hasValue = Object.hasOwn(op, "value");
        if (op.op === "remove" ? hasValue && op.value !== null : !hasValue) {
          throw new Rejected(
            "invalid_value",
            `${where}: ${op.op === "remove" ? "remove takes no value (or null)" : `${op.op} needs a value`}`,
          );
        }
        if (op.path === LIFETIME_PATH) {
          lifetime = newLifetime(op.op, op.value, where, options);
        } else {
          applyClaimOperation(payload, op.op, op.path, op.value, where, options);
        }
        operations += 1;
      }
    }
    payload.exp = iat + lifetime;
    return { ok: true, token: { header: token.header, payload }, operations };
  } catch (error) {
    if (error instanceof Rejected) return { ok: false, reason: error.reason, detail: error.detail };
    throw error;
  }
}

function commandList(commands: unknown): unknown[] {
  if (commands === undefined || commands === null) return [];
  if (!Array.isArray(commands)) throw new Rejected("malformed_commands", "commands must be an array");
  return commands;
}

function newLifetime(op: string, value: unknown, where: string, options: PatchOptions): number {
  if (op !== "replace") {
    throw new Rejected("unsupported_operation", `${where}: ${LIFETIME_PATH} can only be replaced`);
  }
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new Rejected("invalid_value", `${where}: the lifetime must be a whole number of seconds`);
  }
  const { min, max } = options.lifetimeRange;
  if (value < min || value > max) {
    throw new Rejected("lifetime_out_of_range", `${where}: ${value} s is outside ${min}..${max} s`);
  }
  return value;
}

function applyClaimOperation(
  payload: Record<string, unknown>,
  op: "add" | "replace" | "remove",
  path: string,
  value: unknown,
  where: string,
  options: PatchOptions,
): void {
  const segments = claimSegments(path, where);
  const [claim] = segments;
  if (claim === undefined) throw new Rejected("invalid_path", `${where}: '${path}' names no claim`);
  if (options.reservedClaims.has(claim)) {
    throw new Rejected("reserved_claim", `${where}: '${claim}' is a reserved claim`);
  }

  let parent: unknown = payload;
  for (const segment of segments.slice(0, -1)) {
    parent = child(parent, segment);
    if (parent === undefined) throw new Rejected("missing_target", `${where}: '${path}' does not exist`);
  }
  const last = segments[segments.length - 1] as string;

  if (Array.isArray(parent)) {
    const index = last === "-" && op === "add" ? parent.length : arrayIndex(last);
    const bound = op === "add" ? parent.length : parent.length - 1;
    if (index === undefined || index > bound) {
      throw new Rejected("missing_target", `${where}: '${path}' is not a valid index`);
    }
    if (op === "add") parent.splice(index, 0, structuredClone(value));
    else if (op === "replace") parent[index] = structuredClone(value);
    else parent.splice(index, 1);
    return;
  }
  if (!isObject(parent)) throw new Rejected("missing_target", `${where}: '${path}' does not exist`);
  // Okta: `add` of an existing claim replaces it; `replace` and `remove` need an existing one.
  if (op !== "add" && !Object.hasOwn(parent, last)) {
    throw new Rejected("missing_target", `${where}: '${path}' does not exist`);
  }
  if (op === "remove") {
    delete parent[last];
  } else {
    // A defined own property, never a prototype setter, whatever the member is called.
    Object.defineProperty(parent, last, {
      value: structuredClone(value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
}

/** `/claims/a/b~1c` → `["a", "b/c"]` (RFC 6901 §4). */
function claimSegments(path: string, where: string): string[] {
  if (!path.startsWith(CLAIMS_PREFIX)) {
    throw new Rejected(
      "invalid_path",
      `${where}: '${path}' must start with ${CLAIMS_PREFIX} or be ${LIFETIME_PATH}`,
    );
  }
  const segments = path.slice(CLAIMS_PREFIX.length).split("/");
  return segments.map((raw) => {
    if (/~[^01]|~$/.test(raw)) throw new Rejected("invalid_path", `${where}: '${path}' has a bad ~ escape`);
    const segment = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (segment === "" || segment === "__proto__") {
      throw new Rejected("invalid_path", `${where}: '${path}' has an empty or forbidden segment`);
    }
    return segment;
  });
}

function child(parent: unknown, segment: string): unknown {
  if (Array.isArray(parent)) {
    const index = arrayIndex(segment);
    return index === undefined ? undefined : parent[index];
  }
  if (isObject(parent) && Object.hasOwn(parent, segment)) {
    const value = parent[segment];
    return typeof value === "object" && value !== null ? value : undefined;
  }
  return undefined;
}

/** RFC 6901 §4 array index: `0` or digits without a leading zero. */
function arrayIndex(segment: string): number | undefined {
  return /^(0|[1-9][0-9]{0,8})$/.test(segment) ? Number(segment) : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
