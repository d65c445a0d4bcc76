/**
 * A user or group that an access-policy rule names cannot be deleted, as an app a policy names
 * cannot (src/control-plane/client-store.ts): the rule would silently stop matching anyone, or an
 * exclusion would stop excluding. The answer names every rule, as the app's does.
 *
 * The rules live in the control plane and the people in D1, so a rule written between this check and
 * the delete can still name a deleted id; such a rule never matches that id (the engine compares ids)
 * and the next write of its server refuses it (src/control-plane/references.ts).
 */
import type { Context } from "hono";
import type { AppEnv } from "../context";
import { controlPlane } from "./control-plane-client";
import { validationFailed } from "./responses";

export async function refuseIfRulesName(
  c: Context<AppEnv>,
  named: { users: string[] } | { groups: string[] },
  what: "user" | "group",
): Promise<void> {
  const rules = await controlPlane(c.env).rulesNamingPeople(named);
  if (rules.length > 0) {
    throw validationFailed(
      rules.map((where) => ({ path: "id", message: `the ${what} is still named by ${where}` })),
    );
  }
}
