/**
 * Pure mutations of one authorization server's configuration for the management API. The control
 * plane loads the stored config, applies a change here and stores the result; nothing here does I/O.
 * Every result is re-validated with the `ServerConfig` schema, so referential integrity (a rule may
 * not name an undefined scope) holds after every change.
 */
import type * as z from "zod";
import { RESERVED_SCOPES } from "./defaults";
import { Claim, Scope, ServerConfig, type ServerConfigInput } from "./schemas";

const SYSTEM_SCOPES: ReadonlySet<string> = new Set(RESERVED_SCOPES);

export interface ChangeIssue {
  path: string;
  message: string;
}

/** A closed set of changes, as data (they cross the RPC boundary to the control plane). */
export type ServerChange =
  | { type: "createScope"; id: string; scope: unknown }
  | { type: "replaceScope"; scopeId: string; scope: unknown }
  | { type: "deleteScope"; scopeId: string }
  | { type: "createClaim"; id: string; claim: unknown }
  | { type: "replaceClaim"; claimId: string; claim: unknown }
  | { type: "deleteClaim"; claimId: string };

export type ChangeResult =
  | { ok: true; config: ServerConfig; result: Scope | Claim | null }
  | { ok: false; notFound?: string; issues: ChangeIssue[] };

function toIssues(error: z.ZodError): ChangeIssue[] {
  return error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A scope body: the id comes from the path or is generated, never from the body. */
function parseScope(
  id: string,
  body: unknown,
): { ok: true; scope: Scope } | { ok: false; issues: ChangeIssue[] } {
  if (!isRecord(body)) return { ok: false, issues: [{ path: "", message: "must be a JSON object" }] };
  if (body.system === true) {
    return {
      ok: false,
      issues: [{ path: "system", message: "system scopes cannot be created or modified" }],
    };
  }
  const parsed = Scope.safeParse({ ...body, id, system: false });
  if (parsed.success && SYSTEM_SCOPES.has(parsed.data.name)) {
    return {
      ok: false,
      issues: [{ path: "name", message: `'${parsed.data.name}' is a reserved system scope` }],
    };
  }
  return parsed.success ? { ok: true, scope: parsed.data } : { ok: false, issues: toIssues(parsed.error) };
}

/** A claim body: the id comes from the path or is generated; system claims are Okta's own. */
function parseClaim(
  id: string,
  body: unknown,
): { ok: true; claim: Claim } | { ok: false; issues: ChangeIssue[] } {
  if (!isRecord(body)) return { ok: false, issues: [{ path: "", message: "must be a JSON object" }] };
  if (body.system === true) {
    return {
      ok: false,
      issues: [{ path: "system", message: "system claims cannot be created or modified" }],
    };
  }
  const parsed = Claim.safeParse({ ...body, id, system: false });
  return parsed.success ? { ok: true, claim: parsed.data } : { ok: false, issues: toIssues(parsed.error) };
}

function revalidate(config: ServerConfigInput, result: Scope | Claim | null): ChangeResult {
  const parsed = ServerConfig.safeParse(config);
  if (!parsed.success) return { ok: false, issues: toIssues(parsed.error) };
  return { ok: true, config: parsed.data, result };
}

export function applyChange(config: ServerConfig, change: ServerChange): ChangeResult {
  switch (change.type) {
    case "createScope": {
      const scope = parseScope(change.id, change.scope);
      if (!scope.ok) return scope;
      if (config.scopes.some((s) => s.name === scope.scope.name)) {
        return {
          ok: false,
          issues: [{ path: "name", message: `a scope named '${scope.scope.name}' already exists` }],
        };
      }
      return revalidate({ ...config, scopes: [...config.scopes, scope.scope] }, scope.scope);
    }
    case "replaceScope": {
      const index = config.scopes.findIndex((s) => s.id === change.scopeId);
      const existing = config.scopes[index];
      if (!existing) return { ok: false, notFound: change.scopeId, issues: [] };
      const scope = parseScope(change.scopeId, change.scope);
      if (!scope.ok) return scope;
      if (config.scopes.some((s) => s.id !== existing.id && s.name === scope.scope.name)) {
        return {
          ok: false,
          issues: [{ path: "name", message: `a scope named '${scope.scope.name}' already exists` }],
        };
      }
      if (scope.scope.name !== existing.name && referencingRules(config, existing.name).length > 0) {
        return {
          ok: false,
          issues: [
            {
              path: "name",
              message: `scope '${existing.name}' is used by ${referencingRules(config, existing.name).join(", ")}; it cannot be renamed`,
            },
          ],
        };
      }
      const scopes = config.scopes.map((s, i) => (i === index ? scope.scope : s));
      return revalidate({ ...config, scopes }, scope.scope);
    }
    case "deleteScope": {
      const existing = config.scopes.find((s) => s.id === change.scopeId);
      if (!existing) return { ok: false, notFound: change.scopeId, issues: [] };
      const users = referencingRules(config, existing.name);
      if (users.length > 0) {
        return {
          ok: false,
          issues: [{ path: "scope", message: `scope '${existing.name}' is used by ${users.join(", ")}` }],
        };
      }
      return revalidate({ ...config, scopes: config.scopes.filter((s) => s !== existing) }, null);
    }
    case "createClaim": {
      const claim = parseClaim(change.id, change.claim);
      if (!claim.ok) return claim;
      return revalidate({ ...config, claims: [...config.claims, claim.claim] }, claim.claim);
    }
    case "replaceClaim": {
      if (!config.claims.some((c) => c.id === change.claimId)) {
        return { ok: false, notFound: change.claimId, issues: [] };
      }
      const claim = parseClaim(change.claimId, change.claim);
      if (!claim.ok) return claim;
      const claims = config.claims.map((c) => (c.id === change.claimId ? claim.claim : c));
      return revalidate({ ...config, claims }, claim.claim);
    }
    case "deleteClaim": {
      if (!config.claims.some((c) => c.id === change.claimId)) {
        return { ok: false, notFound: change.claimId, issues: [] };
      }
      return revalidate({ ...config, claims: config.claims.filter((c) => c.id !== change.claimId) }, null);
    }
  }
}

/** The rules that name a scope, as `rule '<id>' of policy '<id>'`. */
function referencingRules(config: ServerConfig, scopeName: string): string[] {
  return config.policies.flatMap((policy) =>
    policy.rules
      .filter((rule) => rule.conditions.scopes.include.includes(scopeName))
      .map((rule) => `rule '${rule.id}' of policy '${policy.id}'`),
  );
}

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Okta-style object ids: a 3-letter prefix (`scp` for scopes) and 17 letters or digits. */
export function newObjectId(prefix: string): string {
  let id = prefix;
  while (id.length < 20) {
    for (const byte of crypto.getRandomValues(new Uint8Array(32))) {
      if (byte < 248 && id.length < 20) id += ID_ALPHABET[byte % 62];
    }
  }
  return id;
}
