/**
 * The state of one evaluation: the context, the step budget, and per-evaluation caches. A fresh
 * Runtime per evaluation is what makes compiled expressions reusable and evaluations independent.
 */
import type { RootName } from "./ast";
import type { ExpressionContext } from "./context";
import { EvaluationFailure } from "./errors";
import { EXPRESSION_LIMITS } from "./limits";
import type { SafeRegex } from "./regex";
import type { Zone } from "./time-zones";
import { classify, type Meter, type Value } from "./values";

/** A compiled sub-expression. */
export type Evaluator = (rt: Runtime) => Value;

export class Runtime implements Meter {
  private steps = 0;
  private clock: number | undefined;
  /** The group bound while a getFilteredGroups group expression runs. */
  group: Value = null;
  /** Patterns and group expressions that arrive as data are compiled once per evaluation. */
  readonly regexCache = new Map<string, SafeRegex>();
  readonly groupExpressionCache = new Map<string, Evaluator>();
  /** Zone rules are costly to build (~0.1 ms), so each zone is resolved once per evaluation. */
  readonly zoneCache = new Map<string, Zone | undefined>();

  constructor(readonly context: ExpressionContext) {}

  charge(steps: number): void {
    this.steps += steps;
    if (this.steps > EXPRESSION_LIMITS.maxSteps) {
      throw new EvaluationFailure(
        "budget_exhausted",
        `Evaluation exceeded its budget of ${EXPRESSION_LIMITS.maxSteps} steps`,
      );
    }
  }

  /** One clock reading per evaluation, so two Time.now() calls in one expression agree. */
  now(): number {
    if (this.clock === undefined) {
      const now = this.context.now();
      if (!Number.isFinite(now))
        throw new EvaluationFailure("invalid_argument", "The clock returned a non-finite time");
      this.clock = now;
    }
    return this.clock;
  }

  root(name: RootName): Value {
    switch (name) {
      case "user":
        return classify(this.context.user);
      case "app":
        return classify(this.context.app);
      case "access":
        return classify(this.context.access);
      case "appuser":
        return classify(this.context.appuser);
      case "group":
        return this.group;
    }
  }
}
