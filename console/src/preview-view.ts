/**
 * Token Preview's pure rules (console/src/screens/token-preview.tsx; test/unit/console-preview.test.ts):
 * the request body, the policy trace grouped policy by policy with each outcome in plain words, and
 * what became of each of the server's access-token claims. The reasons are the server's closed
 * unions (src/policy/trace.ts, src/claims/resolve.ts, imported as types only): a reason added
 * there fails the console's type check here until it has words.
 */
import type { ClaimFailureReason } from "../../src/claims/resolve";
import type {
  PolicyNotEvaluatedReason,
  PolicySkipReason,
  RuleNotEvaluatedReason,
  RuleSkipReason,
  TraceEntry,
} from "../../src/policy/trace";
import type { Claim } from "./types";

export type { TraceEntry };

/** The grant types src/admin/token-preview.ts previews, with the words Okta's console uses. */
export const PREVIEW_GRANT_TYPES = [
  { value: "client_credentials", label: "Client credentials", user: false },
  { value: "authorization_code", label: "Authorization code", user: true },
  { value: "password", label: "Resource owner password", user: true },
  { value: "refresh_token", label: "Refresh token", user: true },
  { value: "urn:ietf:params:oauth:grant-type:device_code", label: "Device authorization", user: true },
  { value: "urn:ietf:params:oauth:grant-type:token-exchange", label: "Token exchange", user: true },
] as const;
export type PreviewGrantType = (typeof PREVIEW_GRANT_TYPES)[number]["value"];

export const grantNeedsUser = (grantType: PreviewGrantType): boolean =>
  PREVIEW_GRANT_TYPES.some((g) => g.value === grantType && g.user);

export interface PreviewDraft {
  clientId: string;
  grantType: PreviewGrantType;
  userId: string;
  scopes: readonly string[];
}

/** The body of `POST …/tokenPreview`: a user only for a grant that has one (the API refuses it otherwise). */
export function previewBody(draft: PreviewDraft): Record<string, unknown> {
  return {
    clientId: draft.clientId,
    grantType: draft.grantType,
    scopes: [...draft.scopes],
    ...(grantNeedsUser(draft.grantType) ? { userId: draft.userId } : {}),
  };
}

export interface ClaimFailure {
  claim: string;
  reason: ClaimFailureReason;
  message: string;
}

export interface DecodedToken {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

interface Named {
  id: string;
  name: string;
}

/** src/admin/openapi/views.ts `TokenPreviewView`. */
export type PreviewResult =
  | {
      result: "ALLOW";
      accessToken: DecodedToken;
      /** A user grant with `openid` granted; null otherwise (no `at_hash`: nothing is signed). */
      idToken: DecodedToken | null;
      policy: Named;
      rule: Named;
      inlineHook: Record<string, unknown> | null;
      trace: TraceEntry[];
      claimFailures: ClaimFailure[];
    }
  | {
      result: "DENY";
      status: number;
      error:
        | { error: string; error_description: string }
        | { errorCode: string; errorSummary: string; errorCauses?: unknown[] };
      trace: TraceEntry[];
      inlineHook?: Record<string, unknown>;
    };

/** A denial as the token endpoint would answer it: its code and its words. */
export function denialText(error: Extract<PreviewResult, { result: "DENY" }>["error"]): {
  code: string;
  text: string;
} {
  return "error" in error
    ? { code: error.error, text: error.error_description }
    : { code: error.errorCode, text: error.errorSummary };
}

export type Verdict = "matched" | "skipped" | "not_evaluated";

export interface TraceRule {
  id: string;
  name: string;
  verdict: Verdict;
  because: string | undefined;
}

export interface TracePolicy {
  id: string;
  name: string;
  verdict: Verdict;
  because: string | undefined;
  rules: TraceRule[];
}

/**
 * The trace, policy by policy in evaluation order, each with its rules in priority order. The
 * engine (src/policy/evaluate.ts) writes an evaluated policy's skipped rules before the policy's
 * own entry (it knows the policy's outcome only after its rules), so rules are gathered by the
 * policy they name and each policy placed where it or one of its rules first appears.
 */
export function tracePolicies(trace: readonly TraceEntry[]): TracePolicy[] {
  const order: string[] = [];
  const heads = new Map<string, Omit<TracePolicy, "rules">>();
  const rules = new Map<string, TraceRule[]>();
  const seen = (policyId: string) => {
    if (!rules.has(policyId)) {
      order.push(policyId);
      rules.set(policyId, []);
    }
    return rules.get(policyId) as TraceRule[];
  };
  for (const entry of trace) {
    if (entry.kind === "policy") {
      seen(entry.id);
      heads.set(entry.id, {
        id: entry.id,
        name: entry.name,
        verdict: entry.outcome,
        because: entry.outcome === "matched" ? undefined : policyWords(entry.reason),
      });
    } else {
      seen(entry.policyId).push({
        id: entry.id,
        name: entry.name,
        verdict: entry.outcome,
        because: entry.outcome === "matched" ? undefined : ruleWords(entry.reason),
      });
    }
  }
  // A rule naming no policy of the trace is not drawn under an invented one.
  return order.flatMap((id) => {
    const head = heads.get(id);
    return head ? [{ ...head, rules: rules.get(id) ?? [] }] : [];
  });
}

/** Why a policy did not decide, in an admin's words. Exhaustive: a new reason fails the type check. */
export function policyWords(reason: PolicySkipReason | PolicyNotEvaluatedReason): string {
  switch (reason) {
    case "inactive":
      return "The policy is inactive.";
    case "client_not_included":
      return "The client is not assigned to this policy.";
    case "no_rule_matched":
      return "None of its rules matched.";
    case "request_refused":
      return "Not evaluated: the request was refused before any policy (an unknown scope, or no default scope).";
    case "earlier_match":
      return "Not evaluated: an earlier policy already granted the token.";
  }
}

/** Why a rule did not match, in an admin's words. Exhaustive: a new reason fails the type check. */
export function ruleWords(reason: RuleSkipReason | RuleNotEvaluatedReason): string {
  switch (reason) {
    case "inactive":
      return "The rule is inactive.";
    case "grant_type_not_included":
      return "Grant type not allowed by this rule.";
    case "user_not_included":
      return "User not included: neither the user nor one of their groups is assigned to this rule.";
    case "user_excluded":
      return "User excluded by this rule.";
    case "group_excluded":
      return "Excluded: the user is in a group this rule excludes.";
    case "scopes_not_covered":
      return "Scope not allowed: the rule does not grant every requested scope.";
    case "request_refused":
      return "Not evaluated: the request was refused before any policy.";
    case "earlier_match":
      return "Not evaluated: an earlier rule already granted the token.";
    case "policy_skipped":
      return "Not evaluated: its policy did not apply.";
  }
}

export function claimFailureWords(reason: ClaimFailureReason): string {
  switch (reason) {
    case "compile_failed":
      return "Left out: its value no longer compiles.";
    case "evaluation_failed":
      return "Left out: its expression failed for this request.";
    case "not_a_claim_value":
      return "Left out: its value cannot be a claim.";
    case "regex_budget":
      return "Left out: its group filter ran out of its evaluation budget.";
  }
}

export interface ClaimOutcome {
  name: string;
  included: boolean;
  because: string;
}

/**
 * What became of each of the server's access-token (RESOURCE) claims in a previewed token, by the
 * server's rules (src/claims/resolve.ts): inactive claims are skipped, a claim with scopes needs one
 * of them granted, a failed claim is left out (the server says why), a null value is left out.
 */
export function claimOutcomes(
  claims: readonly Claim[],
  payload: Record<string, unknown>,
  failures: readonly ClaimFailure[],
): ClaimOutcome[] {
  const granted = grantedScopes(payload);
  return claims
    .filter((c) => c.claimType === "RESOURCE" && !c.system)
    .map((claim) => {
      const failure = failures.find((f) => f.claim === claim.name);
      if (failure) {
        return {
          name: claim.name,
          included: false,
          because: `${claimFailureWords(failure.reason)} ${failure.message}`,
        };
      }
      if (Object.hasOwn(payload, claim.name)) {
        const scopes = claim.conditions.scopes;
        const why = scopes.length
          ? `a granted scope (${scopes.filter((s) => granted.includes(s)).join(", ")})`
          : "any scope";
        return { name: claim.name, included: true, because: `Included: it is in access tokens for ${why}.` };
      }
      if (claim.status !== "ACTIVE")
        return { name: claim.name, included: false, because: "Left out: the claim is inactive." };
      const scopes = claim.conditions.scopes;
      if (scopes.length && !scopes.some((s) => granted.includes(s))) {
        return {
          name: claim.name,
          included: false,
          because: `Left out: none of its scopes (${scopes.join(", ")}) was granted.`,
        };
      }
      return {
        name: claim.name,
        included: false,
        because: "Left out: its value was empty (null) for this request.",
      };
    });
}

/** The scopes a previewed access token carries: Okta's `scp` array, or RFC 9068's `scope` string. */
export function grantedScopes(payload: Record<string, unknown>): string[] {
  const { scp, scope } = payload;
  if (Array.isArray(scp)) return scp.filter((s): s is string => typeof s === "string");
  return typeof scope === "string" ? scope.split(" ").filter(Boolean) : [];
}

/** Seconds since the epoch as an ISO instant, for `iat`, `exp`, `auth_time`. */
export const TIME_CLAIMS = ["iat", "exp", "nbf", "auth_time"] as const;
export function instantOf(value: unknown): string | undefined {
  return typeof value === "number" && Number.isFinite(value) && Math.abs(value) < 1e11
    ? new Date(value * 1000).toISOString()
    : undefined;
}
