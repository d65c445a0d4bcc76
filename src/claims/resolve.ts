/**
 * Custom claims, resolved per token (Okta semantics): active claims of the token's type whose scope
 * condition holds (empty = always; else one of its scopes is granted), valued by an expression or
 * by a groups filter (group-filter.ts). A claim that yields null or fails is omitted and the failure
 * recorded; a token is never refused because of a claim. Pure: data and the clock come in.
 */
import type { Claim, ServerConfig } from "../config/schemas";
import { type CompiledExpression, compile, compileRegex, type ExpressionContext } from "./expression";
import { filterGroupNames, type GroupFilter } from "./group-filter";
import { isReservedClaimName } from "./reserved-names";

export type ClaimFailureReason =
  /** The stored claim no longer compiles (configuration predating a language or schema change). */
  | "compile_failed"
  | "evaluation_failed"
  /** A GROUPS claim without `group_filter_type` (stored before the schema required one). */
  | "not_a_claim_value"
  /** A groups filter ran out of its step budget (group-filter.ts); only a costly REGEX can, in practice. */
  | "regex_budget";

export interface ClaimFailure {
  claim: string;
  reason: ClaimFailureReason;
  message: string;
}

/** A claim ready to value, or why a stored claim cannot be (configuration predating a rule change). */
type CompiledClaim =
  | { claim: Claim; kind: "expression"; expression: CompiledExpression }
  | { claim: Claim; kind: "groups"; filter: GroupFilter }
  | { claim: Claim; kind: "broken"; reason: ClaimFailureReason; message: string };

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
      return result.ok
        ? { claim, kind: "expression", expression: result.expression }
        : { claim, kind: "broken", reason: "compile_failed", message: result.error.message };
    }
    case "GROUPS":
      return compileGroupFilter(claim);
    case "SYSTEM":
      // Refused by the schema; only a configuration stored before that rule can hold one.
      return {
        claim,
        kind: "broken",
        reason: "compile_failed",
        message: "SYSTEM claims are the authorization server's own",
      };
  }
}

function compileGroupFilter(claim: Claim): CompiledClaim {
  switch (claim.group_filter_type) {
    case "STARTS_WITH":
    case "EQUALS":
    case "CONTAINS":
      return { claim, kind: "groups", filter: { type: claim.group_filter_type, value: claim.value } };
    case "REGEX": {
      const result = compileRegex(claim.value);
      return result.ok
        ? { claim, kind: "groups", filter: { type: "REGEX", regex: result.regex } }
        : { claim, kind: "broken", reason: "compile_failed", message: result.message };
    }
    case undefined:
      return {
        claim,
        kind: "broken",
        reason: "not_a_claim_value",
        message: "GROUPS claim without group_filter_type",
      };
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
    if (claim.claimType !== claimType || isReservedClaimName(claimType, claim.name)) continue;
    const scopes = claim.conditions.scopes;
    if (scopes.length > 0 && !scopes.some((s) => grantedScopes.includes(s))) continue;
    const outcome = claimValue(compiled, context);
    if (outcome.ok) {
      if (outcome.value !== null) values[claim.name] = outcome.value;
    } else {
      failures.push({ claim: claim.name, ...outcome.failure });
    }
  }
  return { values, failures };
}

type ClaimOutcome = { ok: true; value: unknown } | { ok: false; failure: Omit<ClaimFailure, "claim"> };

function claimValue(compiled: CompiledClaim, context: ExpressionContext): ClaimOutcome {
  switch (compiled.kind) {
    case "broken":
      return { ok: false, failure: { reason: compiled.reason, message: compiled.message } };
    case "expression": {
      const result = compiled.expression.evaluate(context);
      return result.ok
        ? { ok: true, value: result.value }
        : { ok: false, failure: { reason: "evaluation_failed", message: result.error.message } };
    }
    case "groups": {
      // No user (client_credentials): no groups, so the claim is omitted, as in Okta.
      if (!context.groups) return { ok: true, value: null };
      const result = filterGroupNames(compiled.filter, context.groups);
      return result.ok
        ? { ok: true, value: result.names }
        : {
            ok: false,
            failure: { reason: "regex_budget", message: "the groups filter exceeded its evaluation budget" },
          };
    }
  }
}
