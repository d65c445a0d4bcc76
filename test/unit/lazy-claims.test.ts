/**
 * src/claims/lazy-resolve.ts decides, before loading the expression language, whether any claim can
 * go into a token. It must never skip a claim resolve.ts would have resolved (or a failure it would
 * have recorded): every combination of status, claim type and scope condition answers the same
 * through both. Which modules load is test/unit/start-up.test.ts's.
 */
import { describe, expect, it } from "vitest";
import type { ExpressionContext } from "../../src/claims/expression";
import { hasApplicableClaims, resolveClaimsOnDemand } from "../../src/claims/lazy-resolve";
import { resolveClaims } from "../../src/claims/resolve";
import { ServerConfig, type ServerConfigInput } from "../../src/config/schemas";

type ClaimInput = NonNullable<ServerConfigInput["claims"]>[number];

const context: ExpressionContext = {
  user: null,
  appuser: null,
  groups: null,
  app: { clientId: "0oaclient", profile: {} },
  access: { scope: ["read"] },
  now: () => 0,
};

function server(claims: ClaimInput[]): ServerConfig {
  return ServerConfig.parse({
    server: { id: "aus_lazy", name: "lazy", audiences: ["api://lazy"] },
    scopes: [
      { id: "s-read", name: "read", default: true },
      { id: "s-write", name: "write" },
    ],
    claims,
  });
}

const STATUSES = ["ACTIVE", "INACTIVE"] as const;
const TYPES = ["RESOURCE", "IDENTITY"] as const;
const CONDITIONS = [[], ["read"], ["write"], ["read", "write"]];
const GRANTED = [[], ["read"], ["write"], ["read", "write"]];

describe("custom claims resolved on demand", () => {
  it("answers as resolveClaims for every status, type and scope condition", async () => {
    for (const status of STATUSES)
      for (const claimType of TYPES)
        for (const scopes of CONDITIONS) {
          const config = server([
            {
              id: "c1",
              name: "tier",
              claimType,
              valueType: "EXPRESSION",
              value: '"gold"',
              status,
              conditions: { scopes },
            },
          ]);
          for (const granted of GRANTED)
            for (const asked of TYPES) {
              const eager = resolveClaims(config, asked, granted, context);
              expect(await resolveClaimsOnDemand(config, asked, granted, context)).toEqual(eager);
              // The pre-check is exactly "resolve.ts would look at this claim".
              expect(hasApplicableClaims(config, asked, granted)).toBe(
                status === "ACTIVE" &&
                  claimType === asked &&
                  (scopes.length === 0 || scopes.some((s) => granted.includes(s))),
              );
            }
        }
  });

  it("still records the failure of a claim that applies and fails", async () => {
    // A failure is recorded, never fatal (resolve.ts): skipping the load must not hide it.
    const config = server([
      {
        id: "c1",
        name: "broken",
        claimType: "RESOURCE",
        valueType: "EXPRESSION",
        value: "user.profile.login",
      },
    ]);
    const lazy = await resolveClaimsOnDemand(config, "RESOURCE", ["read"], context);
    expect(lazy).toEqual(resolveClaims(config, "RESOURCE", ["read"], context));
    expect(lazy.values).toEqual({});
  });

  it("returns a fresh result each time when nothing applies (callers may add to it)", async () => {
    const config = server([]);
    const a = await resolveClaimsOnDemand(config, "RESOURCE", ["read"], context);
    const b = await resolveClaimsOnDemand(config, "RESOURCE", ["read"], context);
    expect(a).toEqual({ values: {}, failures: [] });
    expect(a).not.toBe(b);
    expect(a.values).not.toBe(b.values);
  });
});
