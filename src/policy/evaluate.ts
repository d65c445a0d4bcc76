/**
 * The access-policy engine, with Okta's semantics: active policies in priority order, the first whose
 * client condition matches; its active rules in priority order; the first rule whose grant-type,
 * people and scope conditions all hold wins. Pure: data in, decision and trace out.
 */

import { RESERVED_SCOPES } from "../config/defaults";
import type { GrantType, Policy, Rule, ServerConfig } from "../config/schemas";
import { echoList } from "../errors";
import type {
  PolicyNotEvaluatedReason,
  PolicySkipReason,
  RuleNotEvaluatedReason,
  RuleSkipReason,
  TraceEntry,
} from "./trace";

export interface PolicyRequest {
  clientId: string;
  grantType: GrantType;
  /** Scopes the client asked for; empty when the request named none (then the defaults apply). */
  requestedScopes: readonly string[];
  /** The resource owner, absent for client_credentials. */
  user?: { id: string; groupIds: readonly string[] } | undefined;
}

export type PolicyDecision =
  | {
      ok: true;
      policy: { id: string; name: string };
      rule: { id: string; name: string };
      scopes: string[];
      accessTokenLifetimeSeconds: number;
      inlineHookId: string | undefined;
      /** The rule's refresh-token lifetimes (Okta): 0 = unlimited; the idle window. */
      refreshTokenLifetimeMinutes: number;
      refreshTokenWindowMinutes: number;
      trace: TraceEntry[];
    }
  | {
      ok: false;
      error: "invalid_scope" | "access_denied";
      description: string;
      trace: TraceEntry[];
    };

/** Okta's exact wording, so clients written against Okta see the same text. */
export const POLICY_DENIED_DESCRIPTION =
  "Policy evaluation failed for this request, please check the policy configurations.";

export function evaluate(request: PolicyRequest, config: ServerConfig): PolicyDecision {
  const trace: TraceEntry[] = [];
  const policies = evaluationOrder(config);
  // The reserved OIDC scopes exist on every server (DESIGN §3; Okta lists them as `system` scopes).
  const known = new Set([...RESERVED_SCOPES, ...config.scopes.map((s) => s.name)]);

  const unknown = request.requestedScopes.filter((s) => !known.has(s));
  if (unknown.length > 0) {
    // RFC 6749 §5.2 invalid_scope. Okta names the offending scopes.
    return {
      ok: false,
      error: "invalid_scope",
      description: `One or more scopes are not configured for the authorization server resource: ${echoList(unknown)}`,
      trace: notEvaluated(policies, "request_refused"),
    };
  }

  const usingDefaults = request.requestedScopes.length === 0;
  const defaults = config.scopes.filter((s) => s.default).map((s) => s.name);
  if (usingDefaults && defaults.length === 0) {
    return {
      ok: false,
      error: "invalid_scope",
      description:
        "The authorization server resource does not have any configured default scopes, 'scope' must be provided.",
      trace: notEvaluated(policies, "request_refused"),
    };
  }

  for (const [p, { policy, rules }] of policies.entries()) {
    const policySkip = policySkipReason(policy, request);
    if (policySkip) {
      trace.push({
        kind: "policy",
        id: policy.id,
        name: policy.name,
        outcome: "skipped",
        reason: policySkip,
      });
      trace.push(...rulesNotEvaluated(policy, rules, "policy_skipped"));
      continue;
    }
    for (const [r, rule] of rules.entries()) {
      const granted = usingDefaults
        ? defaults.filter((s) => ruleAllowsScope(rule, s))
        : request.requestedScopes.filter((s) => ruleAllowsScope(rule, s));
      const ruleSkip = ruleSkipReason(rule, request, granted, usingDefaults);
      if (ruleSkip) {
        trace.push({
          kind: "rule",
          policyId: policy.id,
          id: rule.id,
          name: rule.name,
          outcome: "skipped",
          reason: ruleSkip,
        });
        continue;
      }
      trace.push({ kind: "policy", id: policy.id, name: policy.name, outcome: "matched" });
      trace.push({ kind: "rule", policyId: policy.id, id: rule.id, name: rule.name, outcome: "matched" });
      // First match wins (Okta): what follows is listed, never looked at.
      trace.push(...rulesNotEvaluated(policy, rules.slice(r + 1), "earlier_match"));
      trace.push(...notEvaluated(policies.slice(p + 1), "earlier_match"));
      return {
        ok: true,
        policy: { id: policy.id, name: policy.name },
        rule: { id: rule.id, name: rule.name },
        scopes: dedupe(granted),
        accessTokenLifetimeSeconds: rule.actions.token.accessTokenLifetimeMinutes * 60,
        inlineHookId: rule.actions.token.inlineHook?.id,
        refreshTokenLifetimeMinutes: rule.actions.token.refreshTokenLifetimeMinutes,
        refreshTokenWindowMinutes: rule.actions.token.refreshTokenWindowMinutes,
        trace,
      };
    }
    // Okta stops only "after the first policy and rule match": a policy whose rules all miss falls
    // through to the next policy.
    trace.push({
      kind: "policy",
      id: policy.id,
      name: policy.name,
      outcome: "skipped",
      reason: "no_rule_matched",
    });
  }
  return { ok: false, error: "access_denied", description: POLICY_DENIED_DESCRIPTION, trace };
}

/** A policy and its rules, each in priority order. */
interface OrderedPolicy {
  policy: Policy;
  rules: readonly Rule[];
}

/**
 * Sorted once per configuration object: the isolate caches snapshots (as claims/resolve.ts relies
 * on too), so the token path sorts once per version, not per request.
 */
const orderByConfig = new WeakMap<ServerConfig, readonly OrderedPolicy[]>();

function evaluationOrder(config: ServerConfig): readonly OrderedPolicy[] {
  let order = orderByConfig.get(config);
  if (!order) {
    order = byPriority(config.policies).map((policy) => ({ policy, rules: byPriority(policy.rules) }));
    orderByConfig.set(config, order);
  }
  return order;
}

/** Policies never looked at, each followed by its rules, in evaluation order. */
function notEvaluated(policies: readonly OrderedPolicy[], reason: PolicyNotEvaluatedReason): TraceEntry[] {
  return policies.flatMap(({ policy, rules }): TraceEntry[] => [
    { kind: "policy", id: policy.id, name: policy.name, outcome: "not_evaluated", reason },
    ...rulesNotEvaluated(policy, rules, reason),
  ]);
}

function rulesNotEvaluated(
  policy: Policy,
  rules: readonly Rule[],
  reason: RuleNotEvaluatedReason,
): TraceEntry[] {
  return rules.map((rule) => ({
    kind: "rule",
    policyId: policy.id,
    id: rule.id,
    name: rule.name,
    outcome: "not_evaluated",
    reason,
  }));
}

function policySkipReason(policy: Policy, request: PolicyRequest): PolicySkipReason | undefined {
  if (policy.status !== "ACTIVE") return "inactive";
  const include = policy.conditions.clients.include;
  if (!include.includes("ALL_CLIENTS") && !include.includes(request.clientId)) return "client_not_included";
  return undefined;
}

function ruleSkipReason(
  rule: Rule,
  request: PolicyRequest,
  granted: readonly string[],
  usingDefaults: boolean,
): RuleSkipReason | undefined {
  if (rule.status !== "ACTIVE") return "inactive";
  if (!rule.conditions.grantTypes.include.includes(request.grantType)) return "grant_type_not_included";
  const people = peopleSkipReason(rule, request.user);
  if (people) return people;
  // A rule must cover *all* requested scopes; with defaults it must grant at least one of them.
  if (usingDefaults ? granted.length === 0 : granted.length < request.requestedScopes.length) {
    return "scopes_not_covered";
  }
  return undefined;
}

/**
 * Okta evaluates people conditions only for grants that carry a user; client_credentials has none,
 * so the condition does not apply to it. Exclusions win over inclusions (a user excluded by name or
 * through one of its groups is out whatever includes it); then the user must be named, or be in a
 * named group (`EVERYONE`, or Everyone's id, names every user). The reason says which part failed.
 */
function peopleSkipReason(rule: Rule, user: PolicyRequest["user"]): RuleSkipReason | undefined {
  if (!user) return undefined;
  const { users, groups } = rule.conditions.people;
  if (users.exclude.includes(user.id)) return "user_excluded";
  const inGroup = (g: string) => g === "EVERYONE" || user.groupIds.includes(g);
  if (groups.exclude.some(inGroup)) return "group_excluded";
  if (users.include.includes(user.id) || groups.include.some(inGroup)) return undefined;
  return "user_not_included";
}

function ruleAllowsScope(rule: Rule, scope: string): boolean {
  const include = rule.conditions.scopes.include;
  return include.includes("*") || include.includes(scope);
}

/** Priority ascending; ties keep configuration order (Array.prototype.sort is stable). */
function byPriority<T extends { priority: number }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.priority - b.priority);
}

function dedupe(scopes: readonly string[]): string[] {
  return [...new Set(scopes)];
}
