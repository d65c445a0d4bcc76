import { expect } from "vitest";
import {
  type CompiledExpression,
  type CompileError,
  compile,
  type EvaluationError,
  type EvaluationResult,
  type ExpressionContext,
  type ExpressionValue,
} from "../../src/claims/expression";

/** Okta's documented Time.now() output instant, so examples read like the docs. */
export const FIXED_NOW = Date.UTC(2015, 6, 31, 17, 18, 37, 979);

/** A user token context: Okta's "Winston Churchill" sample user, a client, and four groups. */
export function userContext(overrides: Partial<ExpressionContext> = {}): ExpressionContext {
  return {
    user: {
      login: "winston.churchill@gmail.com",
      email: "winston.churchill@gmail.com",
      firstName: "Winston",
      lastName: "Churchill",
      middleInitial: "",
      department: "Engineering",
      salary: 1_200_000,
      rating: 4.5,
      isContractor: false,
      groupCode: 123,
      favoriteColors: ["blue", "green"],
      intArray: [10, 20, 30],
      nested: [[1, 2], [3]],
      manager: { name: "Clem" },
      nothing: null,
    },
    app: {
      clientId: "0oaclient",
      profile: { groupallowlist: ["00g1", "00g3"], maxLimit: 50, label: "Warden Test" },
    },
    access: { scope: ["openid", "profile", "groups"] },
    appuser: { username: "wchurchill", role: "admin" },
    groups: [
      { id: "00g1", name: "Everyone" },
      { id: "00g2", name: "IT-Admins" },
      { id: "00g3", name: "IT-Support", profile: { name: "IT-Support", description: "helpdesk" } },
      { id: "00g4", name: "ad_sales", source: "active_directory" },
    ],
    now: () => FIXED_NOW,
    ...overrides,
  };
}

/** client_credentials: no user, so user, appuser and groups are null, as in Okta. */
export function clientContext(): ExpressionContext {
  return userContext({ user: null, appuser: null, groups: null });
}

export function compiled(source: string): CompiledExpression {
  const result = compile(source);
  if (!result.ok) throw new Error(`expected ${source} to compile: ${result.error.message}`);
  return result.expression;
}

export function run(source: string, context: ExpressionContext = userContext()): EvaluationResult {
  return compiled(source).evaluate(context);
}

export function evaluated(source: string, context: ExpressionContext = userContext()): ExpressionValue {
  const result = run(source, context);
  if (!result.ok) throw new Error(`expected ${source} to evaluate: ${result.error.message}`);
  return result.value;
}

export function compileError(source: string): CompileError {
  const result = compile(source);
  if (result.ok) throw new Error(`expected ${source} not to compile`);
  return result.error;
}

export function evaluationError(source: string, context: ExpressionContext = userContext()): EvaluationError {
  const result = run(source, context);
  if (result.ok) throw new Error(`expected ${source} to fail, got ${JSON.stringify(result.value)}`);
  return result.error;
}

/** Runs `fn` and asserts it finished within `ms` of wall-clock time (generous: CI machines vary). */
export function withinMs<T>(ms: number, fn: () => T): T {
  const start = performance.now();
  const result = fn();
  expect(performance.now() - start).toBeLessThan(ms);
  return result;
}
