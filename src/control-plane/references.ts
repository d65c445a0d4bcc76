/**
 * Referential integrity across objects the control plane stores separately, pure: a policy may
 * only name clients, and a rule only inline hooks, groups and users, that exist; and what still
 * names an object, so that deleting it can be refused with a clear reason.
 */
import type { ValidationIssue } from "../config/issues";
import type { ServerConfig } from "../config/schemas";

/** Okta's built-in group every user belongs to; it always exists. */
export const EVERYONE_GROUP = "EVERYONE";

/** Ids that exist outside the server's own config: clients and hooks in the control plane, users and groups in the directory (D1). */
export interface KnownObjects {
  clients: ReadonlySet<string>;
  inlineHooks: ReadonlySet<string>;
  groups: ReadonlySet<string>;
  users: ReadonlySet<string>;
  /** Authorization servers, for token exchange's trusted servers (`trustedServers`). */
  servers: ReadonlySet<string>;
}

/** Everything in `config` that names a missing object; paths start with `prefix` (e.g. `authorizationServers.0.`). */
export function referenceIssues(config: ServerConfig, known: KnownObjects, prefix = ""): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const missing = (path: string, message: string) => issues.push({ path: `${prefix}${path}`, message });
  // Okta's associatedServers: a trusted server must exist (RFC 8693 exchange reads its keys).
  (config.trustedServers ?? []).forEach((id, i) => {
    if (!known.servers.has(id)) missing(`trustedServers.${i}`, `authorization server '${id}' does not exist`);
  });
  config.policies.forEach((policy, p) => {
    policy.conditions.clients.include.forEach((id, i) => {
      if (id !== "ALL_CLIENTS" && !known.clients.has(id)) {
        missing(`policies.${p}.conditions.clients.include.${i}`, `client '${id}' does not exist`);
      }
    });
    policy.rules.forEach((rule, r) => {
      const at = `policies.${p}.rules.${r}`;
      const hookId = rule.actions.token.inlineHook?.id;
      if (hookId !== undefined && !known.inlineHooks.has(hookId)) {
        missing(`${at}.actions.token.inlineHook.id`, `inline hook '${hookId}' does not exist`);
      }
      const { users, groups } = rule.conditions.people;
      for (const list of ["include", "exclude"] as const) {
        groups[list].forEach((id, g) => {
          if (id !== EVERYONE_GROUP && !known.groups.has(id)) {
            missing(`${at}.conditions.people.groups.${list}.${g}`, `group '${id}' does not exist`);
          }
        });
        users[list].forEach((id, u) => {
          if (!known.users.has(id)) {
            missing(`${at}.conditions.people.users.${list}.${u}`, `user '${id}' does not exist`);
          }
        });
      }
    });
  });
  return issues;
}

/** Every policy, on any server, that names the client, described for an admin. */
export function policiesNamingClient(configs: readonly ServerConfig[], clientId: string): string[] {
  return configs.flatMap(({ server, policies }) =>
    policies
      .filter((policy) => policy.conditions.clients.include.includes(clientId))
      .map((policy) => `policy '${policy.id}' on authorization server '${server.id}'`),
  );
}

/** Every rule, on any server, that names the inline hook, described for an admin. */
export function rulesNamingHook(configs: readonly ServerConfig[], hookId: string): string[] {
  return configs.flatMap(({ server, policies }) =>
    policies.flatMap((policy) =>
      policy.rules
        .filter((rule) => rule.actions.token.inlineHook?.id === hookId)
        .map((rule) => `rule '${rule.id}' of policy '${policy.id}' on authorization server '${server.id}'`),
    ),
  );
}

/**
 * The user and group ids the servers' rules name (include and exclude), without Okta's `EVERYONE`
 * keyword: what the control plane looks up in the directory before a write (only these, never a
 * scan of the directory).
 */
export function namedPeople(configs: readonly ServerConfig[]): { users: string[]; groups: string[] } {
  const users = new Set<string>();
  const groups = new Set<string>();
  for (const { policies } of configs) {
    for (const policy of policies) {
      for (const rule of policy.rules) {
        const people = rule.conditions.people;
        for (const id of [...people.users.include, ...people.users.exclude]) users.add(id);
        for (const id of [...people.groups.include, ...people.groups.exclude]) {
          if (id !== EVERYONE_GROUP) groups.add(id);
        }
      }
    }
  }
  return { users: [...users], groups: [...groups] };
}

/**
 * Every rule, on any server, whose people condition names one of `users` or `groups` (to include
 * or exclude), described for an admin: why deleting that user or group is refused.
 */
export function rulesNamingPeople(
  configs: readonly ServerConfig[],
  named: { users?: readonly string[]; groups?: readonly string[] },
): string[] {
  const users = new Set(named.users ?? []);
  const groups = new Set(named.groups ?? []);
  return configs.flatMap(({ server, policies }) =>
    policies.flatMap((policy) =>
      policy.rules
        .filter((rule) => {
          const people = rule.conditions.people;
          return (
            [...people.users.include, ...people.users.exclude].some((id) => users.has(id)) ||
            [...people.groups.include, ...people.groups.exclude].some((id) => groups.has(id))
          );
        })
        .map((rule) => `rule '${rule.id}' of policy '${policy.id}' on authorization server '${server.id}'`),
    ),
  );
}

/** Every authorization server that trusts `serverId` for token exchange, described for an admin. */
export function serversTrusting(configs: readonly ServerConfig[], serverId: string): string[] {
  return configs
    .filter((config) => (config.trustedServers ?? []).includes(serverId))
    .map(({ server }) => `authorization server '${server.id}'`);
}
