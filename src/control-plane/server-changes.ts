/**
 * Pure mutations of one authorization server's configuration for the management API. The control
 * plane loads the stored config, applies a change here and stores the result; nothing here does I/O.
 * Every result is re-validated with the `ServerConfig` schema, so what the schema enforces (a rule
 * may not name an undefined scope, names are unique) holds after every change. References that
 * leave the server (clients, inline hooks, groups) are checked by the control plane
 * (`references.ts`), which knows what exists.
 */

import type * as z from "zod";
import { RESERVED_SCOPES } from "../config/defaults";
import { toIssues } from "../config/issues";
import {
  AuthorizationServer,
  Claim,
  Policy,
  Rule,
  Scope,
  ServerConfig,
  type ServerConfigInput,
  type Status,
} from "../config/schemas";
import { isRecord } from "../http/json-value";
import { normalisePriorities, placeAt, withoutItem } from "./priorities";
import { invalid, missing, type WriteFailure, type WriteResult } from "./write-result";

const SYSTEM_SCOPES: ReadonlySet<string> = new Set(RESERVED_SCOPES);

/** A closed set of changes, as data (they cross the RPC boundary to the control plane). */
export type ServerChange =
  | { type: "replaceServer"; server: unknown }
  | { type: "setServerStatus"; status: Status }
  | { type: "createScope"; id: string; scope: unknown }
  | { type: "replaceScope"; scopeId: string; scope: unknown }
  | { type: "deleteScope"; scopeId: string }
  | { type: "createClaim"; id: string; claim: unknown }
  | { type: "replaceClaim"; claimId: string; claim: unknown }
  | { type: "deleteClaim"; claimId: string }
  | { type: "createPolicy"; id: string; policy: unknown }
  | { type: "replacePolicy"; policyId: string; policy: unknown }
  | { type: "setPolicyStatus"; policyId: string; status: Status }
  | { type: "deletePolicy"; policyId: string }
  | { type: "createRule"; policyId: string; id: string; rule: unknown }
  | { type: "replaceRule"; policyId: string; ruleId: string; rule: unknown }
  | { type: "setRuleStatus"; policyId: string; ruleId: string; status: Status }
  | { type: "deleteRule"; policyId: string; ruleId: string }
  // Token exchange's trusted servers (Okta's associatedServers): add several, remove one.
  | { type: "trustServers"; trusted: unknown }
  | { type: "untrustServer"; serverId: string };

/** The object a change created or replaced, as stored (a policy with its rules), or null. */
export type ChangedObject = AuthorizationServer | Scope | Claim | Policy | Rule | string[] | null;

/** The changed config and object, or why not: `notFound` is the id of the missing object. */
export type ChangeResult = { ok: true; config: ServerConfig; result: ChangedObject } | WriteFailure<string>;

type Parsed<T> = WriteResult<T>;

/**
 * A body for `schema`, with the fields the path and the server own put in place of the client's:
 * an object's id comes from the path (or is generated), never from the body.
 */
function parseBody<T>(
  schema: z.ZodType<T>,
  body: unknown,
  owned: Record<string, unknown>,
  what: string,
): Parsed<T> {
  if (!isRecord(body)) return invalid("", "must be a JSON object");
  if (body.system === true) return invalid("system", `system ${what} cannot be created or modified`);
  const parsed = schema.safeParse({ ...body, ...owned });
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, issues: toIssues(parsed.error) };
}

function parseScope(id: string, body: unknown): Parsed<Scope> {
  const scope = parseBody(Scope, body, { id, system: false }, "scopes");
  if (scope.ok && SYSTEM_SCOPES.has(scope.value.name)) {
    return invalid("name", `'${scope.value.name}' is a reserved system scope`);
  }
  return scope;
}

/**
 * A priority the client asked for, validated like the schema would; undefined means "last".
 * Okta treats a priority beyond the end as "last", and so does `placeAt`.
 */
function requestedPriority(body: unknown): Parsed<number | undefined> {
  const priority = isRecord(body) ? body.priority : undefined;
  if (priority === undefined || priority === null) return { ok: true, value: undefined };
  if (typeof priority !== "number" || !Number.isInteger(priority) || priority < 1) {
    return invalid("priority", "must be an integer of at least 1");
  }
  return { ok: true, value: priority };
}

function revalidate(
  config: ServerConfigInput,
  result: (config: ServerConfig) => ChangedObject,
): ChangeResult {
  const parsed = ServerConfig.safeParse(config);
  if (!parsed.success) return { ok: false, issues: toIssues(parsed.error) };
  return { ok: true, config: parsed.data, result: result(parsed.data) };
}

export function applyChange(config: ServerConfig, change: ServerChange): ChangeResult {
  switch (change.type) {
    case "replaceServer": {
      // Okta's PUT replaces the server's settings; its id and status have their own endpoints.
      const server = parseBody(
        AuthorizationServer,
        change.server,
        { id: config.server.id, status: config.server.status },
        "authorization servers",
      );
      if (!server.ok) return server;
      return revalidate({ ...config, server: server.value }, (c) => c.server);
    }
    case "setServerStatus":
      return revalidate({ ...config, server: { ...config.server, status: change.status } }, (c) => c.server);

    case "createScope": {
      const scope = parseScope(change.id, change.scope);
      if (!scope.ok) return scope;
      if (config.scopes.some((s) => s.name === scope.value.name)) {
        return invalid("name", `a scope named '${scope.value.name}' already exists`);
      }
      return revalidate({ ...config, scopes: [...config.scopes, scope.value] }, () => scope.value);
    }
    case "replaceScope": {
      const existing = config.scopes.find((s) => s.id === change.scopeId);
      if (!existing) return missing(change.scopeId);
      const scope = parseScope(change.scopeId, change.scope);
      if (!scope.ok) return scope;
      if (config.scopes.some((s) => s.id !== existing.id && s.name === scope.value.name)) {
        return invalid("name", `a scope named '${scope.value.name}' already exists`);
      }
      const users = scopeUsers(config, existing.name);
      if (scope.value.name !== existing.name && users.length > 0) {
        return invalid(
          "name",
          `scope '${existing.name}' is used by ${users.join(", ")}; it cannot be renamed`,
        );
      }
      const scopes = config.scopes.map((s) => (s === existing ? scope.value : s));
      return revalidate({ ...config, scopes }, () => scope.value);
    }
    case "deleteScope": {
      const existing = config.scopes.find((s) => s.id === change.scopeId);
      if (!existing) return missing(change.scopeId);
      const users = scopeUsers(config, existing.name);
      if (users.length > 0)
        return invalid("scope", `scope '${existing.name}' is used by ${users.join(", ")}`);
      return revalidate({ ...config, scopes: config.scopes.filter((s) => s !== existing) }, () => null);
    }

    case "createClaim": {
      const claim = parseBody(Claim, change.claim, { id: change.id, system: false }, "claims");
      if (!claim.ok) return claim;
      return revalidate({ ...config, claims: [...config.claims, claim.value] }, () => claim.value);
    }
    case "replaceClaim": {
      if (!config.claims.some((c) => c.id === change.claimId)) return missing(change.claimId);
      const claim = parseBody(Claim, change.claim, { id: change.claimId, system: false }, "claims");
      if (!claim.ok) return claim;
      const claims = config.claims.map((c) => (c.id === change.claimId ? claim.value : c));
      return revalidate({ ...config, claims }, () => claim.value);
    }
    case "deleteClaim": {
      if (!config.claims.some((c) => c.id === change.claimId)) return missing(change.claimId);
      return revalidate(
        { ...config, claims: config.claims.filter((c) => c.id !== change.claimId) },
        () => null,
      );
    }

    case "createPolicy":
    case "replacePolicy": {
      const id = change.type === "createPolicy" ? change.id : change.policyId;
      const existing = config.policies.find((p) => p.id === id);
      if (change.type === "replacePolicy" && !existing) return missing(id);
      const priority = requestedPriority(change.policy);
      if (!priority.ok) return priority;
      // A policy's rules are their own resource: the body never replaces them.
      const policy = parseBody(
        Policy,
        change.policy,
        {
          id,
          system: false,
          rules: existing?.rules ?? [],
          priority: 1,
          ...(existing && !isRecord(change.policy) ? {} : { status: statusOf(change.policy, existing) }),
        },
        "policies",
      );
      if (!policy.ok) return policy;
      const policies = placeAt(config.policies, policy.value, priority.value ?? existing?.priority);
      return revalidate({ ...config, policies }, (c) => findPolicy(c, id));
    }
    case "setPolicyStatus": {
      const existing = config.policies.find((p) => p.id === change.policyId);
      if (!existing) return missing(change.policyId);
      const policies = config.policies.map((p) => (p === existing ? { ...p, status: change.status } : p));
      return revalidate({ ...config, policies }, (c) => findPolicy(c, change.policyId));
    }
    case "deletePolicy": {
      if (!config.policies.some((p) => p.id === change.policyId)) return missing(change.policyId);
      return revalidate({ ...config, policies: withoutItem(config.policies, change.policyId) }, () => null);
    }

    case "createRule":
    case "replaceRule": {
      const policy = config.policies.find((p) => p.id === change.policyId);
      if (!policy) return missing(change.policyId);
      const id = change.type === "createRule" ? change.id : change.ruleId;
      const existing = policy.rules.find((r) => r.id === id);
      if (change.type === "replaceRule" && !existing) return missing(id);
      const priority = requestedPriority(change.rule);
      if (!priority.ok) return priority;
      const rule = parseBody(
        Rule,
        change.rule,
        { id, system: false, priority: 1, status: statusOf(change.rule, existing) },
        "rules",
      );
      if (!rule.ok) return rule;
      const rules = placeAt(policy.rules, rule.value, priority.value ?? existing?.priority);
      return revalidate(withRules(config, policy.id, rules), (c) => findRule(c, policy.id, id));
    }
    case "setRuleStatus": {
      const policy = config.policies.find((p) => p.id === change.policyId);
      if (!policy) return missing(change.policyId);
      if (!policy.rules.some((r) => r.id === change.ruleId)) return missing(change.ruleId);
      const rules = policy.rules.map((r) => (r.id === change.ruleId ? { ...r, status: change.status } : r));
      return revalidate(withRules(config, policy.id, rules), (c) => findRule(c, policy.id, change.ruleId));
    }
    case "trustServers": {
      // Okta's body: `{"trusted": ["aus…", …]}`; adding a server already trusted changes nothing.
      const body = change.trusted;
      const trusted = isRecord(body) ? body.trusted : undefined;
      if (!Array.isArray(trusted) || trusted.length === 0) {
        return invalid("trusted", "must be a non-empty array of authorization server ids");
      }
      const added = trusted.filter(
        (id, i) => trusted.indexOf(id) === i && !trustedServersOf(config).includes(id),
      );
      return revalidate({ ...config, trustedServers: [...trustedServersOf(config), ...added] }, (c) => [
        ...c.trustedServers,
      ]);
    }
    case "untrustServer": {
      if (!trustedServersOf(config).includes(change.serverId)) return missing(change.serverId);
      return revalidate(
        { ...config, trustedServers: trustedServersOf(config).filter((id) => id !== change.serverId) },
        () => null,
      );
    }

    case "deleteRule": {
      const policy = config.policies.find((p) => p.id === change.policyId);
      if (!policy) return missing(change.policyId);
      if (!policy.rules.some((r) => r.id === change.ruleId)) return missing(change.ruleId);
      return revalidate(withRules(config, policy.id, withoutItem(policy.rules, change.ruleId)), () => null);
    }
  }
}

/**
 * Okta creates policies and rules ACTIVE unless the body says otherwise; a replace keeps the
 * current status unless the body names one (status has its own lifecycle endpoints).
 */
function statusOf(body: unknown, existing: { status: Status } | undefined): unknown {
  const requested = isRecord(body) ? body.status : undefined;
  return requested ?? existing?.status ?? "ACTIVE";
}

function withRules(config: ServerConfig, policyId: string, rules: Rule[]): ServerConfigInput {
  return { ...config, policies: config.policies.map((p) => (p.id === policyId ? { ...p, rules } : p)) };
}

function findPolicy(config: ServerConfig, id: string): Policy | null {
  return config.policies.find((p) => p.id === id) ?? null;
}

function findRule(config: ServerConfig, policyId: string, id: string): Rule | null {
  return findPolicy(config, policyId)?.rules.find((r) => r.id === id) ?? null;
}

/** Stored configs keep policies and rules in evaluation order with priorities 1..n. */
export function normaliseConfig(config: ServerConfig): ServerConfig {
  return {
    ...config,
    policies: normalisePriorities(config.policies).map((policy) => ({
      ...policy,
      rules: normalisePriorities(policy.rules),
    })),
  };
}

/** The rules and claims that name a scope, described for an admin. */
function scopeUsers(config: ServerConfig, scopeName: string): string[] {
  return [
    ...config.policies.flatMap((policy) =>
      policy.rules
        .filter((rule) => rule.conditions.scopes.include.includes(scopeName))
        .map((rule) => `rule '${rule.id}' of policy '${policy.id}'`),
    ),
    ...config.claims
      .filter((claim) => claim.conditions.scopes.includes(scopeName))
      .map((claim) => `claim '${claim.id}'`),
  ];
}

/** A config stored before token exchange has no `trustedServers` (stored records are not re-parsed). */
function trustedServersOf(config: ServerConfig): readonly string[] {
  return config.trustedServers ?? [];
}
