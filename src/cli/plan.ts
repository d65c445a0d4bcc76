/**
 * The plan: what applying a file would change, object by object, field by field. Pure: it compares
 * two canonical states (canonical.ts), keyed by identity — servers, claims, policies and rules by
 * id, scopes by name, clients by client_id, hooks by id — so reordering a list never reads as a
 * delete and a create. Inside a server the file is the whole truth (the import replaces a server
 * with everything it owns); servers, clients and hooks the file does not name are only deleted with
 * `--prune`, else they are kept and listed as such.
 */
import type { ServerConfig } from "../config/schemas";
import type { ConfigState } from "./canonical";
import type { OBJECT_FIELDS } from "./file-schema";
import { isPlainObject, sameValue } from "./values";
import { leanObject } from "./without-defaults";

/** authorizationServer, scope, claim, policy, rule, client, inlineHook, trustedOrigin. */
export type ObjectKind = keyof typeof OBJECT_FIELDS;

export interface ObjectRef {
  kind: ObjectKind;
  /** Server, claim, policy, rule and hook id; scope name; client_id; a trusted origin's origin. */
  key: string;
  /** The owning server, for scopes, claims, policies and rules. */
  server?: string;
  /** The owning policy, for rules. */
  policy?: string;
}

/** `undefined` is an absent member. */
export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
}

export type Change =
  | { action: "create"; object: ObjectRef; fields: FieldChange[] }
  | { action: "update"; object: ObjectRef; fields: FieldChange[] }
  | { action: "delete"; object: ObjectRef };

export interface Plan {
  changes: Change[];
  /** Servers, clients and hooks only Warden has, left alone because the plan does not prune. */
  kept: ObjectRef[];
  prune: boolean;
}

export function hasChanges(plan: Plan): boolean {
  return plan.changes.length > 0;
}

export function planChanges(desired: ConfigState, live: ConfigState, options: { prune: boolean }): Plan {
  const changes: Change[] = [];
  const kept: ObjectRef[] = [];
  const missing = (object: ObjectRef) =>
    options.prune ? changes.push({ action: "delete", object }) : kept.push(object);

  matchBy(desired.authorizationServers, live.authorizationServers, (c) => c.server.id, {
    create: (config) => {
      changes.push(create({ kind: "authorizationServer", key: config.server.id }, withTrust(config)));
      changes.push(...serverChildren(config, emptyServer(config)));
    },
    both: (config, current) => {
      // Trusted servers (token exchange) are a setting of the server: a change to them updates it.
      update(
        changes,
        { kind: "authorizationServer", key: config.server.id },
        withTrust(current),
        withTrust(config),
      );
      changes.push(...serverChildren(config, current));
    },
    missing: (current) => missing({ kind: "authorizationServer", key: current.server.id }),
  });
  matchBy(desired.clients, live.clients, (c) => c.client_id, {
    create: (client) => changes.push(create({ kind: "client", key: client.client_id }, client)),
    both: (client, current) => update(changes, { kind: "client", key: client.client_id }, current, client),
    missing: (current) => missing({ kind: "client", key: current.client_id }),
  });
  matchBy(desired.trustedOrigins, live.trustedOrigins, (o) => o.origin, {
    create: (origin) => changes.push(create({ kind: "trustedOrigin", key: origin.origin }, origin)),
    both: (origin, current) =>
      update(changes, { kind: "trustedOrigin", key: origin.origin }, current, origin),
    missing: (current) => missing({ kind: "trustedOrigin", key: current.origin }),
  });
  matchBy(desired.inlineHooks, live.inlineHooks, (h) => h.id, {
    create: (hook) => changes.push(create({ kind: "inlineHook", key: hook.id }, hook)),
    both: (hook, current) => update(changes, { kind: "inlineHook", key: hook.id }, current, hook),
    missing: (current) => missing({ kind: "inlineHook", key: current.id }),
  });
  return { changes, kept, prune: options.prune };
}

/** The server's own fields and, when it has any, its trusted servers (sorted: a set). */
function withTrust(config: ServerConfig): Record<string, unknown> {
  const trusted = [...(config.trustedServers ?? [])].sort();
  return trusted.length > 0 ? { ...config.server, trustedServers: trusted } : config.server;
}

function emptyServer(config: ServerConfig): ServerConfig {
  return { ...config, scopes: [], claims: [], policies: [] };
}

/** A server's scopes, claims, policies and rules; what the file leaves out of a server is deleted. */
function serverChildren(config: ServerConfig, current: ServerConfig): Change[] {
  const changes: Change[] = [];
  const server = config.server.id;
  const owned = (kind: ObjectKind, key: string): ObjectRef => ({ kind, key, server });
  const ruleOf = (policy: string, id: string): ObjectRef => ({ kind: "rule", key: id, server, policy });
  const children = <T extends object>(
    kind: ObjectKind,
    want: readonly T[],
    have: readonly T[],
    key: (item: T) => string,
  ) =>
    matchBy(want, have, key, {
      create: (item) => changes.push(create(owned(kind, key(item)), item)),
      both: (item, existing) => update(changes, owned(kind, key(item)), existing, item),
      missing: (existing) => changes.push({ action: "delete", object: owned(kind, key(existing)) }),
    });
  children("scope", config.scopes, current.scopes, (s) => s.name);
  children("claim", config.claims, current.claims, (c) => c.id);
  matchBy(config.policies, current.policies, (p) => p.id, {
    create: ({ rules, ...policy }) => {
      changes.push(create(owned("policy", policy.id), policy));
      for (const rule of rules) changes.push(create(ruleOf(policy.id, rule.id), rule));
    },
    both: ({ rules, ...policy }, { rules: currentRules, ...currentPolicy }) => {
      update(changes, owned("policy", policy.id), currentPolicy, policy);
      matchBy(rules, currentRules, (r) => r.id, {
        create: (rule) => changes.push(create(ruleOf(policy.id, rule.id), rule)),
        both: (rule, existing) => update(changes, ruleOf(policy.id, rule.id), existing, rule),
        missing: (existing) => changes.push({ action: "delete", object: ruleOf(policy.id, existing.id) }),
      });
    },
    // A policy's rules go with it.
    missing: (existing) => changes.push({ action: "delete", object: owned("policy", existing.id) }),
  });
  return changes;
}

/** Wanted items in their order, then those only present now, in theirs. */
function matchBy<T>(
  want: readonly T[],
  have: readonly T[],
  key: (item: T) => string,
  on: { create: (item: T) => void; both: (item: T, existing: T) => void; missing: (existing: T) => void },
): void {
  const existing = new Map(have.map((item) => [key(item), item]));
  const wanted = new Set<string>();
  for (const item of want) {
    wanted.add(key(item));
    const current = existing.get(key(item));
    if (current === undefined) on.create(item);
    else on.both(item, current);
  }
  for (const item of have) if (!wanted.has(key(item))) on.missing(item);
}

/** A new object shows the fields that are not defaults. */
function create(object: ObjectRef, value: object): Change {
  const lean = leanObject(object.kind, value as Record<string, unknown>);
  return { action: "create", object, fields: fieldChanges(undefined, lean) };
}

function update(changes: Change[], object: ObjectRef, before: unknown, after: unknown): void {
  const fields = fieldChanges(before, after);
  if (fields.length > 0) changes.push({ action: "update", object, fields });
}

/** Leaf by leaf through nested objects; a list is one value (set-like ones are sorted already). */
function fieldChanges(before: unknown, after: unknown, path: readonly string[] = []): FieldChange[] {
  const objects =
    (isPlainObject(before) || before === undefined) &&
    (isPlainObject(after) || after === undefined) &&
    (before !== undefined || after !== undefined);
  if (objects) {
    const keys = new Set([...Object.keys(after ?? {}), ...Object.keys(before ?? {})]);
    return [...keys].flatMap((key) =>
      fieldChanges(
        (before as Record<string, unknown> | undefined)?.[key],
        (after as Record<string, unknown> | undefined)?.[key],
        [...path, key],
      ),
    );
  }
  return sameValue(before, after) ? [] : [{ path: path.join("."), before, after }];
}
