/**
 * Builders for policy-engine tests. Every config goes through `ServerConfig.parse`, so the schema's
 * defaults (people = EVERYONE, 60-minute lifetime, ACTIVE status, ...) apply exactly as in production.
 */
import { type GrantType, ServerConfig, type ServerConfigInput } from "../../src/config/schemas";
import type { PolicyDecision, PolicyRequest } from "../../src/policy";

export type ScopeInput = NonNullable<ServerConfigInput["scopes"]>[number];
export type PolicyInput = NonNullable<ServerConfigInput["policies"]>[number];
export type RuleInput = NonNullable<PolicyInput["rules"]>[number];
type PeopleInput = NonNullable<RuleInput["conditions"]["people"]>;

export const SERVER = { id: "aus_test", name: "Test server", audiences: ["api://test"] };

/** A scope definition; ids are derived from the name (scope names may hold characters ids may not). */
export function scope(name: string, isDefault = false): ScopeInput {
  return { id: `scp_${name.replace(/[^A-Za-z0-9_-]/g, "_")}`, name, default: isDefault };
}

/** `read` and `write` are default scopes; `admin` and `openid` are not. */
export const STANDARD_SCOPES: ScopeInput[] = [
  scope("read", true),
  scope("write", true),
  scope("admin"),
  scope("openid"),
];

export interface RuleOptions {
  /** Defaults to `["*"]`. */
  scopes?: string[];
  /** Defaults to `["client_credentials"]`. */
  grantTypes?: GrantType[];
  status?: "ACTIVE" | "INACTIVE";
  /** Omitted: the schema default (groups include EVERYONE). */
  people?: PeopleInput;
  lifetimeMinutes?: number;
  inlineHookId?: string;
  name?: string;
}

export function rule(id: string, priority: number, options: RuleOptions = {}): RuleInput {
  const token: NonNullable<NonNullable<RuleInput["actions"]>["token"]> = {};
  if (options.lifetimeMinutes !== undefined) token.accessTokenLifetimeMinutes = options.lifetimeMinutes;
  if (options.inlineHookId !== undefined) token.inlineHook = { id: options.inlineHookId };
  return {
    id,
    name: options.name ?? `Rule ${id}`,
    priority,
    ...(options.status ? { status: options.status } : {}),
    conditions: {
      ...(options.people ? { people: options.people } : {}),
      grantTypes: { include: options.grantTypes ?? ["client_credentials"] },
      scopes: { include: options.scopes ?? ["*"] },
    },
    actions: { token },
  };
}

export interface PolicyOptions {
  /** Defaults to `["ALL_CLIENTS"]`. */
  clients?: string[];
  status?: "ACTIVE" | "INACTIVE";
  name?: string;
}

export function policy(
  id: string,
  priority: number,
  rules: RuleInput[],
  options: PolicyOptions = {},
): PolicyInput {
  return {
    id,
    name: options.name ?? `Policy ${id}`,
    priority,
    ...(options.status ? { status: options.status } : {}),
    conditions: { clients: { include: options.clients ?? ["ALL_CLIENTS"] } },
    rules,
  };
}

export function config(policies: PolicyInput[], scopes: ScopeInput[] = STANDARD_SCOPES): ServerConfig {
  return ServerConfig.parse({ server: SERVER, scopes, policies });
}

export const CLIENT = "client-a";

/** A client_credentials request from `client-a` naming no scope, unless overridden. */
export function request(overrides: Partial<PolicyRequest> = {}): PolicyRequest {
  return { clientId: CLIENT, grantType: "client_credentials", requestedScopes: [], ...overrides };
}

/** A user-bearing (authorization_code) request for `user`. */
export function userRequest(
  user: { id: string; groupIds?: string[] },
  overrides: Partial<PolicyRequest> = {},
): PolicyRequest {
  return request({
    grantType: "authorization_code",
    requestedScopes: ["read"],
    user: { id: user.id, groupIds: user.groupIds ?? [] },
    ...overrides,
  });
}

export type Granted = Extract<PolicyDecision, { ok: true }>;
export type Refused = Extract<PolicyDecision, { ok: false }>;

export function expectGranted(decision: PolicyDecision): Granted {
  if (!decision.ok) {
    throw new Error(`expected a grant, got ${decision.error}: ${decision.description}`);
  }
  return decision;
}

export function expectRefused(decision: PolicyDecision): Refused {
  if (decision.ok) {
    throw new Error(`expected a refusal, got policy ${decision.policy.id} rule ${decision.rule.id}`);
  }
  return decision;
}
