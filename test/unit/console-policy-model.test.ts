/**
 * The console's access-policy and rule model (console/src/policy-model.ts): the bodies it sends are
 * the ones the server's own schemas (src/config/schemas.ts) accept, a stored object survives an
 * unchanged edit, a move changes nothing but the priority, and a cause's whole path names the form
 * field it belongs to.
 */
import { describe, expect, it } from "vitest";
import {
  causeOf,
  fieldOfPath,
  NEW_POLICY,
  NEW_RULE,
  numberOrText,
  type Policy,
  type PolicyRule,
  peopleSummary,
  policyBody,
  policyDraftOf,
  policyMoveBody,
  ruleBody,
  ruleDraftOf,
  ruleMoveBody,
} from "../../console/src/policy-model";
import { Policy as PolicySchema, Rule as RuleSchema } from "../../src/config/schemas";

const asStored = (body: Record<string, unknown>, id: string) => ({ priority: 1, ...body, id });

describe("rules", () => {
  it("a new rule's body is what the server's schema accepts, with Okta's defaults", () => {
    const parsed = RuleSchema.parse(asStored(ruleBody({ ...NEW_RULE, name: "Default" }), "0pr1"));
    expect(parsed.conditions.people.groups.include).toEqual(["EVERYONE"]);
    expect(parsed.conditions.scopes.include).toEqual(["*"]);
    expect(parsed.actions.token).toEqual({
      accessTokenLifetimeMinutes: 60,
      refreshTokenLifetimeMinutes: 0,
      refreshTokenWindowMinutes: 10080,
    });
  });

  it("chosen people, scopes, lifetimes and a hook round-trip through the form unchanged", () => {
    const stored = RuleSchema.parse({
      id: "0pr2",
      name: "Partners",
      priority: 2,
      conditions: {
        people: {
          users: { include: ["00u1"], exclude: ["00u2"] },
          groups: { include: ["00g1"], exclude: ["00g2"] },
        },
        grantTypes: { include: ["authorization_code", "refresh_token"] },
        scopes: { include: ["openid", "orders:read"] },
      },
      actions: {
        token: {
          accessTokenLifetimeMinutes: 15,
          refreshTokenLifetimeMinutes: 1440,
          refreshTokenWindowMinutes: 60,
          inlineHook: { id: "cal1" },
        },
      },
    }) as PolicyRule;
    const draft = ruleDraftOf(stored);
    expect(draft.everyone).toBe(false);
    expect(draft.anyScope).toBe(false);
    const again = RuleSchema.parse(asStored(ruleBody(draft, stored.priority), stored.id));
    expect(again).toEqual(stored);
  });

  it("Everyone (by name or by the group's id) is the Everyone choice; exclusions stay", () => {
    for (const everyone of ["EVERYONE", "00gEveryone000000000"]) {
      const draft = ruleDraftOf({
        ...(RuleSchema.parse(asStored(ruleBody({ ...NEW_RULE, name: "x" }), "0pr3")) as PolicyRule),
        conditions: {
          people: { users: { include: [], exclude: ["00u9"] }, groups: { include: [everyone], exclude: [] } },
          grantTypes: { include: ["password"] },
          scopes: { include: ["*"] },
        },
      });
      expect(draft.everyone).toBe(true);
      expect(draft.groups.include).toEqual([]);
      expect(draft.users.exclude).toEqual(["00u9"]);
    }
  });

  it("Everyone drops users and groups picked before switching back to it", () => {
    const body = ruleBody({
      ...NEW_RULE,
      name: "x",
      everyone: true,
      users: { include: ["00u1"], exclude: ["00u2"] },
      groups: { include: ["00g1"], exclude: [] },
    }) as { conditions: { people: unknown } };
    expect(body.conditions.people).toEqual({
      users: { include: [], exclude: ["00u2"] },
      groups: { include: ["EVERYONE"], exclude: [] },
    });
  });

  it("numbers go as numbers; anything else as typed, for the server to refuse beside the field", () => {
    expect(numberOrText(" 30 ")).toBe(30);
    expect(numberOrText("-5")).toBe(-5);
    expect(numberOrText("")).toBe("");
    expect(numberOrText("1e3")).toBe("1e3");
    expect(numberOrText("12.5")).toBe("12.5");
    const refused = RuleSchema.safeParse(
      asStored(ruleBody({ ...NEW_RULE, name: "x", accessTokenLifetimeMinutes: "soon" }), "0pr4"),
    );
    expect(refused.success).toBe(false);
    expect(refused.error?.issues.map((i) => i.path.join("."))).toEqual([
      "actions.token.accessTokenLifetimeMinutes",
    ]);
  });

  it("a move sends the stored rule back whole with only the priority changed", () => {
    const stored = RuleSchema.parse(asStored(ruleBody({ ...NEW_RULE, name: "Moved" }), "0pr5")) as PolicyRule;
    const body = ruleMoveBody({ ...stored, _links: { self: {} } } as PolicyRule, 3);
    expect(body).not.toHaveProperty("_links");
    expect(body).not.toHaveProperty("status");
    expect(RuleSchema.parse({ ...body, id: stored.id })).toEqual({ ...stored, priority: 3 });
  });

  it("summarises the people in words", () => {
    const rule = RuleSchema.parse(
      asStored(
        ruleBody({
          ...NEW_RULE,
          name: "x",
          everyone: false,
          users: { include: ["00u1"], exclude: [] },
          groups: { include: ["00g1"], exclude: ["00g2"] },
        }),
        "0pr6",
      ),
    ) as PolicyRule;
    const names: Record<string, string> = { "00u1": "Ann", "00g1": "Staff", "00g2": "Contractors" };
    expect(peopleSummary(rule, (id) => names[id] ?? id)).toBe("Ann, Staff, except Contractors");
    const everyone = RuleSchema.parse(asStored(ruleBody({ ...NEW_RULE, name: "y" }), "0pr7")) as PolicyRule;
    expect(peopleSummary(everyone, (id) => id)).toBe("everyone");
  });
});

describe("policies", () => {
  it("all clients is Okta's ALL_CLIENTS; chosen ones are their ids; both are what the schema accepts", () => {
    const all = PolicySchema.parse(asStored(policyBody({ ...NEW_POLICY, name: "All" }), "00p1"));
    expect(all.conditions.clients.include).toEqual(["ALL_CLIENTS"]);
    const some = PolicySchema.parse(
      asStored(
        policyBody({ name: "Some", description: "d", allClients: false, clients: ["c1", "c2"] }),
        "00p2",
      ),
    );
    expect(some.conditions.clients.include).toEqual(["c1", "c2"]);
    expect(policyDraftOf(some as Policy)).toEqual({
      name: "Some",
      description: "d",
      allClients: false,
      clients: ["c1", "c2"],
    });
  });

  it("'these clients' with none chosen is sent as it is, and the schema refuses it on the field", () => {
    const refused = PolicySchema.safeParse(
      asStored(policyBody({ ...NEW_POLICY, name: "None", allClients: false }), "00p3"),
    );
    expect(refused.error?.issues.map((i) => i.path.join("."))).toEqual(["conditions.clients.include"]);
  });

  it("a move changes only the priority", () => {
    const stored = PolicySchema.parse(
      asStored(policyBody({ ...NEW_POLICY, name: "P", description: "x" }), "00p4"),
    );
    const { rules: _rules, ...policy } = stored;
    expect(PolicySchema.parse({ ...policyMoveBody(policy as Policy, 4), id: "00p4" })).toEqual({
      ...stored,
      priority: 4,
    });
  });
});

describe("causes", () => {
  it("a cause's whole path is its field, list indexes dropped", () => {
    expect(causeOf("actions.token.accessTokenLifetimeMinutes: Too small: expected number to be >=5")).toEqual(
      {
        field: "actions.token.accessTokenLifetimeMinutes",
        message: "Too small: expected number to be >=5",
      },
    );
    expect(causeOf("conditions.scopes.include.1: scope 'nope' does not exist")).toEqual({
      field: "conditions.scopes.include",
      message: "scope 'nope' does not exist",
    });
    expect(causeOf("name: Too small")).toEqual({ field: "name", message: "Too small" });
  });

  it("a server-wide check's place in the config is dropped (policies.N.rules.N.)", () => {
    expect(fieldOfPath("policies.0.rules.2.conditions.people.users.include.0")).toBe(
      "conditions.people.users.include",
    );
    expect(fieldOfPath("policies.3.conditions.clients.include.0")).toBe("conditions.clients.include");
    expect(fieldOfPath("name")).toBe("name");
  });

  it("a cause without a path belongs to the form", () => {
    expect(causeOf("Something went wrong")).toEqual({ field: undefined, message: "Something went wrong" });
    expect(causeOf(": no field")).toEqual({ field: undefined, message: ": no field" });
  });
});
