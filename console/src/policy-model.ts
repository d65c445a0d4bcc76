/**
 * Access policies and rules as the console edits them, pure (test/unit/console-policy-model.test.ts):
 * Okta's objects (`/api/v1/authorizationServers/{id}/policies`, `…/rules`), the form drafts made
 * from them, the bodies sent back, and which form field a server error's cause belongs to.
 */
import type { FieldError } from "./parse";

/** Okta's AuthorizationServerPolicy, as far as the console reads it. */
export interface Policy {
  id: string;
  type: "OAUTH_AUTHORIZATION_POLICY";
  name: string;
  description: string;
  priority: number;
  status: "ACTIVE" | "INACTIVE";
  system: boolean;
  conditions: { clients: { include: string[] } };
}

export interface IncludeExclude {
  include: string[];
  exclude: string[];
}

/** Okta's AuthorizationServerPolicyRule. */
export interface PolicyRule {
  id: string;
  type: "RESOURCE_ACCESS";
  name: string;
  priority: number;
  status: "ACTIVE" | "INACTIVE";
  system: boolean;
  conditions: {
    people: { users: IncludeExclude; groups: IncludeExclude };
    grantTypes: { include: string[] };
    scopes: { include: string[] };
  };
  actions: {
    token: {
      accessTokenLifetimeMinutes: number;
      refreshTokenLifetimeMinutes: number;
      refreshTokenWindowMinutes: number;
      inlineHook?: { id: string };
    };
  };
}

/** Okta's value for "every client" in `conditions.clients.include`. */
export const ALL_CLIENTS = "ALL_CLIENTS";
/** Okta's built-in group of every user: its name in rules, and its id in the Groups API. */
export const EVERYONE = "EVERYONE";
export const EVERYONE_GROUP_ID = "00gEveryone000000000";
/** `*` in `conditions.scopes.include`: any scope the server defines (Okta's "Any scopes"). */
export const ANY_SCOPE = "*";

/** The grant types a rule may name (src/config/schemas.ts GrantType), with Okta's admin-console words. */
export const GRANT_TYPES: readonly { value: string; label: string }[] = [
  { value: "client_credentials", label: "Client Credentials" },
  { value: "authorization_code", label: "Authorization Code" },
  { value: "refresh_token", label: "Refresh Token" },
  { value: "password", label: "Resource Owner Password" },
  { value: "implicit", label: "Implicit" },
  { value: "urn:ietf:params:oauth:grant-type:device_code", label: "Device Authorization" },
  { value: "urn:ietf:params:oauth:grant-type:token-exchange", label: "Token Exchange" },
  { value: "urn:ietf:params:oauth:grant-type:jwt-bearer", label: "JWT Bearer" },
];

export const grantTypeLabel = (value: string): string =>
  GRANT_TYPES.find((g) => g.value === value)?.label ?? value;

// ---- policies ----

export interface PolicyDraft {
  name: string;
  description: string;
  allClients: boolean;
  /** Client ids, when not all clients. */
  clients: string[];
}

export const NEW_POLICY: PolicyDraft = { name: "", description: "", allClients: true, clients: [] };

export function policyDraftOf(policy: Policy): PolicyDraft {
  const include = policy.conditions.clients.include;
  const allClients = include.includes(ALL_CLIENTS);
  return {
    name: policy.name,
    description: policy.description,
    allClients,
    clients: allClients ? [] : [...include],
  };
}

/**
 * Okta's policy body. "These clients" with none chosen is sent as it is (an empty list): the server
 * refuses it on `conditions.clients.include`, in its own words, beside the field.
 */
export function policyBody(draft: PolicyDraft, priority?: number): Record<string, unknown> {
  return {
    type: "OAUTH_AUTHORIZATION_POLICY",
    name: draft.name,
    description: draft.description,
    ...(priority === undefined ? {} : { priority }),
    conditions: { clients: { include: draft.allClients ? [ALL_CLIENTS] : draft.clients } },
  };
}

// ---- rules ----

export interface RuleDraft {
  name: string;
  grantTypes: string[];
  /** Okta's "Any user assigned the app": the Everyone group; otherwise the users and groups chosen. */
  everyone: boolean;
  users: IncludeExclude;
  groups: IncludeExclude;
  anyScope: boolean;
  scopes: string[];
  /** Numbers as typed: the server says what is wrong with one, beside its field. */
  accessTokenLifetimeMinutes: string;
  refreshTokenLifetimeMinutes: string;
  refreshTokenWindowMinutes: string;
  /** An inline hook's id, or "" for none. */
  inlineHookId: string;
}

/** Okta's defaults for a new rule (src/config/defaults.ts): 60 min, unlimited refresh, 7-day window. */
export const NEW_RULE: RuleDraft = {
  name: "",
  grantTypes: ["client_credentials", "authorization_code"],
  everyone: true,
  users: { include: [], exclude: [] },
  groups: { include: [], exclude: [] },
  anyScope: true,
  scopes: [],
  accessTokenLifetimeMinutes: "60",
  refreshTokenLifetimeMinutes: "0",
  refreshTokenWindowMinutes: "10080",
  inlineHookId: "",
};

const isEveryone = (id: string) => id === EVERYONE || id === EVERYONE_GROUP_ID;

export function ruleDraftOf(rule: PolicyRule): RuleDraft {
  const { people, grantTypes, scopes } = rule.conditions;
  const token = rule.actions.token;
  return {
    name: rule.name,
    grantTypes: [...grantTypes.include],
    everyone: people.groups.include.some(isEveryone),
    users: { include: [...people.users.include], exclude: [...people.users.exclude] },
    groups: {
      include: people.groups.include.filter((g) => !isEveryone(g)),
      exclude: [...people.groups.exclude],
    },
    anyScope: scopes.include.includes(ANY_SCOPE),
    scopes: scopes.include.filter((s) => s !== ANY_SCOPE),
    accessTokenLifetimeMinutes: String(token.accessTokenLifetimeMinutes),
    refreshTokenLifetimeMinutes: String(token.refreshTokenLifetimeMinutes),
    refreshTokenWindowMinutes: String(token.refreshTokenWindowMinutes),
    inlineHookId: token.inlineHook?.id ?? "",
  };
}

/** A number as typed: digits become the number; anything else goes as typed, for the server to refuse. */
export function numberOrText(text: string): number | string {
  const trimmed = text.trim();
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** Okta's rule body. Everyone is the Everyone group alone; exclusions apply either way. */
export function ruleBody(draft: RuleDraft, priority?: number): Record<string, unknown> {
  return {
    type: "RESOURCE_ACCESS",
    name: draft.name,
    ...(priority === undefined ? {} : { priority }),
    conditions: {
      people: {
        users: { include: draft.everyone ? [] : draft.users.include, exclude: draft.users.exclude },
        groups: {
          include: draft.everyone ? [EVERYONE] : draft.groups.include,
          exclude: draft.groups.exclude,
        },
      },
      grantTypes: { include: draft.grantTypes },
      scopes: { include: draft.anyScope ? [ANY_SCOPE] : draft.scopes },
    },
    actions: {
      token: {
        accessTokenLifetimeMinutes: numberOrText(draft.accessTokenLifetimeMinutes),
        refreshTokenLifetimeMinutes: numberOrText(draft.refreshTokenLifetimeMinutes),
        refreshTokenWindowMinutes: numberOrText(draft.refreshTokenWindowMinutes),
        ...(draft.inlineHookId ? { inlineHook: { id: draft.inlineHookId } } : {}),
      },
    },
  };
}

/**
 * The body that moves a stored rule to `priority` and changes nothing else: Okta's PUT replaces
 * the whole rule, so the rest is sent back as the server gave it.
 */
export function ruleMoveBody(rule: PolicyRule, priority: number): Record<string, unknown> {
  return { type: rule.type, name: rule.name, priority, conditions: rule.conditions, actions: rule.actions };
}

export function policyMoveBody(policy: Policy, priority: number): Record<string, unknown> {
  return {
    type: policy.type,
    name: policy.name,
    description: policy.description,
    priority,
    conditions: policy.conditions,
  };
}

// ---- errors ----

/**
 * The form field a cause's path names. Rule and policy paths are nested
 * (`actions.token.accessTokenLifetimeMinutes`), and a check across the whole server names the
 * object by its place in the config (`policies.0.rules.2.conditions.people.users.include.0`,
 * src/control-plane/references.ts): the place and list indexes are dropped, the rest is the field.
 */
export function fieldOfPath(path: string): string {
  return path
    .replace(/^policies\.\d+\.(rules\.\d+\.)?/, "")
    .split(".")
    .filter((segment) => !/^\d+$/.test(segment))
    .join(".");
}

/** `"<path>: <message>"` (src/admin/responses.ts) with the whole path as the field; else the form's. */
export function causeOf(summary: string): FieldError {
  const match = /^([A-Za-z_][\w.]*): (.+)$/s.exec(summary);
  return match
    ? { field: fieldOfPath(match[1] as string), message: match[2] as string }
    : { field: undefined, message: summary };
}

/** The people a rule names, for its one-line summary. */
export function peopleSummary(rule: PolicyRule, nameOf: (id: string) => string): string {
  const { users, groups } = rule.conditions.people;
  const included = groups.include.some(isEveryone)
    ? ["everyone"]
    : [...users.include.map(nameOf), ...groups.include.map(nameOf)];
  const excluded = [...users.exclude.map(nameOf), ...groups.exclude.map(nameOf)];
  const who = included.length ? included.join(", ") : "no one";
  return excluded.length ? `${who}, except ${excluded.join(", ")}` : who;
}
