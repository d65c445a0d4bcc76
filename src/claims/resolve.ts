/**
 * Custom claims, resolved per token (Okta semantics): active claims of the token's type whose scope
 * condition holds (empty = always; else one of its scopes is granted), valued by an expression, a
 * groups filter, or left to the system. A claim that yields null or fails is omitted and the failure
 * recorded; a token is never refused because of a claim. Pure: data and the clock come in.
 */
import type { Claim, ServerConfig } from "../config/schemas";
import { RESERVED_CLAIMS } from "../tokens/access-token";
import {
  type CompiledExpression,
  compile,
  compileRegex,
  type ExpressionContext,
  regexFullMatch,
  type SafeRegex,
} from "./expression";

/** Okta caps a groups claim at 100 groups. */
export const MAX_GROUPS_IN_CLAIM = 100;

export type ClaimFailureReason =
  | "compile_failed"
  | "evaluation_failed"
  | "not_a_claim_value"
  | "regex_budget";

export interface ClaimFailure {
  claim: string;
  reason: ClaimFailureReason;
  message: string;
}

interface CompiledClaim {
  claim: Claim;
  expression?: CompiledExpression;
  groupRegex?: SafeRegex;
  /** Set when the stored claim no longer compiles (configuration predates a language change). */
  broken?: string;
}

/** Compiled once per configuration object: the isolate caches snapshots, so this is once per version. */
const compiledByConfig = new WeakMap<ServerConfig, CompiledClaim[]>();

export function compiledClaims(config: ServerConfig): CompiledClaim[] {
  let compiled = compiledByConfig.get(config);
  if (!compiled) {
    compiled = config.claims.filter((c) => c.status === "ACTIVE").map(compileClaim);
    compiledByConfig.set(config, compiled);
  }
  return compiled;
}

function compileClaim(claim: Claim): CompiledClaim {
  switch (claim.valueType) {
    case "EXPRESSION": {
      const result = compile(claim.value);
      return result.ok ? { claim, expression: result.expression } : { claim, broken: result.error.message };
    }
    case "GROUPS": {
      if (claim.group_filter_type !== "REGEX") return { claim };
      const result = compileRegex(claim.value);
      return result.ok ? { claim, groupRegex: result.regex } : { claim, broken: result.message };
    }
    case "SYSTEM":
      return { claim };
  }
}

export interface ResolvedClaims {
  values: Record<string, unknown>;
  failures: ClaimFailure[];
}

export function resolveClaims(
  config: ServerConfig,
  claimType: Claim["claimType"],
  grantedScopes: readonly string[],
  context: ExpressionContext,
): ResolvedClaims {
  const values: Record<string, unknown> = {};
  const failures: ClaimFailure[] = [];
  for (const compiled of compiledClaims(config)) {
    const { claim } = compiled;
    if (claim.claimType !== claimType || RESERVED_CLAIMS.has(claim.name)) continue;
    const scopes = claim.conditions.scopes;
    if (scopes.length > 0 && !scopes.some((s) => grantedScopes.includes(s))) continue;
    if (compiled.broken) {
      failures.push({ claim: claim.name, reason: "compile_failed", message: compiled.broken });
      continue;
    }
    const outcome = claimValue(compiled, context);
    if (outcome.ok) {
      if (outcome.value !== null && outcome.value !== undefined) values[claim.name] = outcome.value;
    } else {
      failures.push({ claim: claim.name, ...outcome.failure });
    }
  }
  return { values, failures };
}

type ClaimOutcome = { ok: true; value: unknown } | { ok: false; failure: Omit<ClaimFailure, "claim"> };

function claimValue(compiled: CompiledClaim, context: ExpressionContext): ClaimOutcome {
  const { claim } = compiled;
  switch (claim.valueType) {
    case "EXPRESSION": {
      const result = compiled.expression?.evaluate(context);
      if (!result) return { ok: true, value: null };
      return result.ok
        ? { ok: true, value: result.value }
        : { ok: false, failure: { reason: "evaluation_failed", message: result.error.message } };
    }
    case "GROUPS":
      return groupsValue(compiled, context);
    case "SYSTEM":
      // System claims (sub, …) are part of the base claim set; nothing to add here.
      return { ok: true, value: null };
  }
}

/** The names of the user's groups that pass the filter; no user (client_credentials) → omitted. */
function groupsValue(compiled: CompiledClaim, context: ExpressionContext): ClaimOutcome {
  if (!context.groups) return { ok: true, value: null };
  const { claim } = compiled;
  const pattern = claim.value;
  const names: string[] = [];
  for (const group of context.groups) {
    let keep: boolean;
    switch (claim.group_filter_type) {
      case "STARTS_WITH":
        keep = group.name.startsWith(pattern);
        break;
      case "EQUALS":
        keep = group.name === pattern;
        break;
      case "CONTAINS":
        keep = group.name.includes(pattern);
        break;
      case "REGEX": {
        if (!compiled.groupRegex)
          return { ok: false, failure: { reason: "not_a_claim_value", message: "no regex" } };
        const match = regexFullMatch(compiled.groupRegex, group.name);
        if (!match.ok)
          return {
            ok: false,
            failure: { reason: "regex_budget", message: "group filter exceeded its budget" },
          };
        keep = match.matched;
        break;
      }
      case undefined:
        return {
          ok: false,
          failure: { reason: "not_a_claim_value", message: "GROUPS claim without group_filter_type" },
        };
    }
    if (keep) names.push(group.name);
    if (names.length === MAX_GROUPS_IN_CLAIM) break;
  }
  return { ok: true, value: names };
}
