import { describe, expect, it } from "vitest";
import { ServerConfig } from "../../src/config/schemas";
import { applyChange, normaliseConfig } from "../../src/control-plane/server-changes";
import { newObjectId } from "../../src/crypto/object-id";

const base = () =>
  ServerConfig.parse({
    server: { id: "as1", name: "as1", audiences: ["api://x"] },
    scopes: [
      { id: "s-read", name: "read" },
      { id: "s-free", name: "free" },
    ],
    policies: [
      {
        id: "p1",
        name: "p1",
        priority: 1,
        conditions: { clients: { include: ["ALL_CLIENTS"] } },
        rules: [
          {
            id: "r1",
            name: "r1",
            priority: 1,
            conditions: { grantTypes: { include: ["client_credentials"] }, scopes: { include: ["read"] } },
          },
        ],
      },
    ],
  });

describe("applyChange: scopes", () => {
  it("creates a scope with Okta's defaults, appended last", () => {
    const result = applyChange(base(), { type: "createScope", id: "scpNew", scope: { name: "orders:read" } });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.result).toEqual({
      id: "scpNew",
      name: "orders:read",
      description: "",
      consent: "IMPLICIT",
      default: false,
      metadataPublish: "NO_CLIENTS",
      optional: false,
      system: false,
    });
    expect(result.config.scopes.map((s) => s.name)).toEqual(["read", "free", "orders:read"]);
  });

  it("does not mutate its input", () => {
    const config = base();
    const before = JSON.stringify(config);
    applyChange(config, { type: "createScope", id: "x", scope: { name: "x" } });
    applyChange(config, { type: "deleteScope", scopeId: "s-free" });
    expect(JSON.stringify(config)).toBe(before);
  });

  it("refuses bad fields, bad enums, duplicates, reserved names and system scopes", () => {
    const cases: [unknown, string][] = [
      [{ name: "has space" }, "name"],
      [{ name: "ok", consent: "SOMETIMES" }, "consent"],
      [{ name: "ok", description: "x".repeat(1001) }, "description"],
      [{ name: "read" }, "name"],
      [{ name: "openid" }, "name"],
      [{ name: "ok", system: true }, "system"],
      [[], ""],
    ];
    for (const [scope, path] of cases) {
      const result = applyChange(base(), { type: "createScope", id: "x", scope });
      expect(result.ok, JSON.stringify(scope)).toBe(false);
      if (!result.ok) expect(result.issues.map((i) => i.path)).toContain(path);
    }
  });

  it("replaces a scope by id, keeping its id; unknown ids are notFound", () => {
    const result = applyChange(base(), {
      type: "replaceScope",
      scopeId: "s-free",
      scope: { id: "ignored", name: "free2", default: true },
    });
    expect(result.ok && result.result).toMatchObject({ id: "s-free", name: "free2", default: true });
    const missing = applyChange(base(), { type: "replaceScope", scopeId: "nope", scope: { name: "n" } });
    expect(missing).toMatchObject({ ok: false, notFound: "nope" });
  });

  it("refuses renaming a scope to another's name or renaming one a rule names", () => {
    const dup = applyChange(base(), { type: "replaceScope", scopeId: "s-free", scope: { name: "read" } });
    expect(dup.ok).toBe(false);
    const renamed = applyChange(base(), {
      type: "replaceScope",
      scopeId: "s-read",
      scope: { name: "read2" },
    });
    expect(renamed.ok).toBe(false);
    if (!renamed.ok) expect(renamed.issues[0]?.message).toContain("rule 'r1' of policy 'p1'");
    const same = applyChange(base(), {
      type: "replaceScope",
      scopeId: "s-read",
      scope: { name: "read", description: "d" },
    });
    expect(same.ok).toBe(true);
  });

  it("deletes an unreferenced scope and refuses one a rule names", () => {
    const deleted = applyChange(base(), { type: "deleteScope", scopeId: "s-free" });
    expect(deleted.ok && deleted.config.scopes.map((s) => s.id)).toEqual(["s-read"]);
    const used = applyChange(base(), { type: "deleteScope", scopeId: "s-read" });
    expect(used.ok).toBe(false);
    if (!used.ok) expect(used.issues[0]?.message).toBe("scope 'read' is used by rule 'r1' of policy 'p1'");
    expect(applyChange(base(), { type: "deleteScope", scopeId: "nope" })).toMatchObject({ notFound: "nope" });
  });
});

describe("newObjectId", () => {
  it("is Okta-shaped: prefix and 17 letters or digits", () => {
    const ids = new Set(Array.from({ length: 100 }, () => newObjectId("scp")));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^scp[A-Za-z0-9]{17}$/);
  });
});

describe("applyChange: claims", () => {
  const claim = { name: "tier", claimType: "RESOURCE", valueType: "EXPRESSION", value: '"gold"' };

  it("creates, replaces and deletes a claim by id", () => {
    const created = applyChange(base(), { type: "createClaim", id: "ocl1", claim });
    expect(created.ok && created.result).toMatchObject({ id: "ocl1", status: "ACTIVE", system: false });
    if (!created.ok) return;
    const replaced = applyChange(created.config, {
      type: "replaceClaim",
      claimId: "ocl1",
      claim: { ...claim, value: '"silver"' },
    });
    expect(replaced.ok && replaced.config.claims.map((c) => c.value)).toEqual(['"silver"']);
    const deleted = applyChange(created.config, { type: "deleteClaim", claimId: "ocl1" });
    expect(deleted.ok && deleted.config.claims).toEqual([]);
  });

  it("refuses duplicates, bad expressions and system claims; unknown ids are notFound", () => {
    const created = applyChange(base(), { type: "createClaim", id: "ocl1", claim });
    if (!created.ok) throw new Error("setup");
    expect(applyChange(created.config, { type: "createClaim", id: "ocl2", claim }).ok).toBe(false);
    expect(applyChange(base(), { type: "createClaim", id: "x", claim: { ...claim, value: "(((" } }).ok).toBe(
      false,
    );
    expect(applyChange(base(), { type: "createClaim", id: "x", claim: { ...claim, system: true } }).ok).toBe(
      false,
    );
    expect(applyChange(base(), { type: "replaceClaim", claimId: "nope", claim })).toMatchObject({
      notFound: "nope",
    });
    expect(applyChange(base(), { type: "deleteClaim", claimId: "nope" })).toMatchObject({ notFound: "nope" });
  });
});

describe("applyChange: authorization server", () => {
  it("replaces the server's settings, keeping its id and status; ignores read-only fields", () => {
    const result = applyChange(base(), {
      type: "replaceServer",
      server: {
        id: "other",
        status: "INACTIVE",
        name: "renamed",
        audiences: ["api://y"],
        issuer: "https://ignored.example",
        credentials: { signing: { rotationMode: "MANUAL", kid: "ignored" } },
      },
    });
    expect(result.ok && result.result).toMatchObject({
      id: "as1",
      status: "ACTIVE",
      name: "renamed",
      audiences: ["api://y"],
      credentials: { signing: { rotationMode: "MANUAL", alg: "RS256" } },
    });
    expect(result.ok && "issuer" in (result.result as object)).toBe(false);
  });

  it("refuses a bad audience list, and sets status through its own change", () => {
    expect(
      applyChange(base(), { type: "replaceServer", server: { name: "x", audiences: [] } }),
    ).toMatchObject({
      ok: false,
      issues: [{ path: "audiences" }],
    });
    const inactive = applyChange(base(), { type: "setServerStatus", status: "INACTIVE" });
    expect(inactive.ok && inactive.config.server.status).toBe("INACTIVE");
  });
});

describe("applyChange: policies and rules", () => {
  const policy = (name: string, extra: Record<string, unknown> = {}) => ({
    type: "OAUTH_AUTHORIZATION_POLICY",
    name,
    conditions: { clients: { include: ["ALL_CLIENTS"] } },
    ...extra,
  });
  const rule = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    conditions: { grantTypes: { include: ["client_credentials"] }, scopes: { include: ["read"] } },
    ...extra,
  });
  const ok = (result: ReturnType<typeof applyChange>) => {
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    return result;
  };

  it("creates a policy last, ACTIVE, with no rules, whatever the body says of rules", () => {
    const result = ok(
      applyChange(base(), {
        type: "createPolicy",
        id: "p2",
        policy: policy("second", { rules: [{ id: "smuggled" }] }),
      }),
    );
    expect(result.result).toMatchObject({
      id: "p2",
      priority: 2,
      status: "ACTIVE",
      rules: [],
      system: false,
    });
    expect(result.config.policies.map((p) => p.id)).toEqual(["p1", "p2"]);
  });

  it("inserts a policy at a priority, shifting the others; replace can move it and keeps its rules", () => {
    const two = ok(applyChange(base(), { type: "createPolicy", id: "p2", policy: policy("b") }));
    const first = ok(
      applyChange(two.config, { type: "createPolicy", id: "p0", policy: policy("z", { priority: 1 }) }),
    );
    expect(first.config.policies.map((p) => `${p.id}:${p.priority}`)).toEqual(["p0:1", "p1:2", "p2:3"]);
    const moved = ok(
      applyChange(first.config, {
        type: "replacePolicy",
        policyId: "p1",
        policy: policy("renamed", { priority: 3 }),
      }),
    );
    expect(moved.config.policies.map((p) => `${p.id}:${p.priority}`)).toEqual(["p0:1", "p2:2", "p1:3"]);
    expect(moved.result).toMatchObject({ name: "renamed", rules: [{ id: "r1" }] });
    // Without a priority, a replace keeps the policy where it is.
    const kept = ok(
      applyChange(moved.config, { type: "replacePolicy", policyId: "p2", policy: policy("same") }),
    );
    expect(kept.config.policies.map((p) => p.id)).toEqual(["p0", "p2", "p1"]);
  });

  it("deletes a policy and renumbers; activates and deactivates", () => {
    const two = ok(applyChange(base(), { type: "createPolicy", id: "p2", policy: policy("b") }));
    const deleted = ok(applyChange(two.config, { type: "deletePolicy", policyId: "p1" }));
    expect(deleted.config.policies.map((p) => `${p.id}:${p.priority}`)).toEqual(["p2:1"]);
    const off = ok(applyChange(base(), { type: "setPolicyStatus", policyId: "p1", status: "INACTIVE" }));
    expect(off.config.policies[0]?.status).toBe("INACTIVE");
    // A replace keeps the status unless the body names one.
    const replaced = ok(
      applyChange(off.config, { type: "replacePolicy", policyId: "p1", policy: policy("p1") }),
    );
    expect(replaced.config.policies[0]?.status).toBe("INACTIVE");
  });

  it("refuses bad policies: type, empty clients, bad priority; unknown ids are notFound", () => {
    const bad: [unknown, string][] = [
      [policy("x", { type: "OKTA_SIGN_ON" }), "type"],
      [policy("x", { conditions: { clients: { include: [] } } }), "conditions.clients.include"],
      [policy("x", { priority: 0 }), "priority"],
      [policy("x", { priority: "first" }), "priority"],
      [policy(""), "name"],
      ["not an object", ""],
    ];
    for (const [body, path] of bad) {
      const result = applyChange(base(), { type: "createPolicy", id: "p9", policy: body });
      expect(result, JSON.stringify(body)).toMatchObject({ ok: false, issues: [{ path }] });
    }
    expect(
      applyChange(base(), { type: "replacePolicy", policyId: "nope", policy: policy("x") }),
    ).toMatchObject({
      notFound: "nope",
    });
    expect(applyChange(base(), { type: "deletePolicy", policyId: "nope" })).toMatchObject({
      notFound: "nope",
    });
  });

  it("creates, moves, replaces and deletes rules with the same priority semantics", () => {
    const r2 = ok(
      applyChange(base(), { type: "createRule", policyId: "p1", id: "r2", rule: rule("second") }),
    );
    expect(r2.result).toMatchObject({
      id: "r2",
      priority: 2,
      status: "ACTIVE",
      conditions: { people: { groups: { include: ["EVERYONE"] } } },
      actions: { token: { accessTokenLifetimeMinutes: 60 } },
    });
    const r0 = ok(
      applyChange(r2.config, {
        type: "createRule",
        policyId: "p1",
        id: "r0",
        rule: rule("zero", { priority: 1 }),
      }),
    );
    expect(r0.config.policies[0]?.rules.map((r) => `${r.id}:${r.priority}`)).toEqual([
      "r0:1",
      "r1:2",
      "r2:3",
    ]);
    const replaced = ok(
      applyChange(r0.config, {
        type: "replaceRule",
        policyId: "p1",
        ruleId: "r2",
        rule: rule("second", { actions: { token: { accessTokenLifetimeMinutes: 30 } } }),
      }),
    );
    expect(replaced.result).toMatchObject({
      priority: 3,
      actions: { token: { accessTokenLifetimeMinutes: 30 } },
    });
    const deleted = ok(applyChange(replaced.config, { type: "deleteRule", policyId: "p1", ruleId: "r0" }));
    expect(deleted.config.policies[0]?.rules.map((r) => `${r.id}:${r.priority}`)).toEqual(["r1:1", "r2:2"]);
    const off = ok(
      applyChange(base(), { type: "setRuleStatus", policyId: "p1", ruleId: "r1", status: "INACTIVE" }),
    );
    expect(off.config.policies[0]?.rules[0]?.status).toBe("INACTIVE");
  });

  it("refuses bad rules: lifetime out of range, unknown scope, bad grant type; notFound for policy or rule", () => {
    const bad: [unknown, string][] = [
      [
        rule("x", { actions: { token: { accessTokenLifetimeMinutes: 4 } } }),
        "actions.token.accessTokenLifetimeMinutes",
      ],
      [
        rule("x", { actions: { token: { accessTokenLifetimeMinutes: 1441 } } }),
        "actions.token.accessTokenLifetimeMinutes",
      ],
      [
        rule("x", {
          conditions: { grantTypes: { include: ["client_credentials"] }, scopes: { include: ["nope"] } },
        }),
        "policies.0.rules.1.conditions.scopes.include.0",
      ],
      [
        rule("x", { conditions: { grantTypes: { include: ["magic"] }, scopes: { include: ["*"] } } }),
        "conditions.grantTypes.include.0",
      ],
    ];
    for (const [body, path] of bad) {
      const result = applyChange(base(), { type: "createRule", policyId: "p1", id: "r9", rule: body });
      expect(result, JSON.stringify(body)).toMatchObject({ ok: false, issues: [{ path }] });
    }
    expect(
      applyChange(base(), { type: "createRule", policyId: "nope", id: "r9", rule: rule("x") }),
    ).toMatchObject({
      notFound: "nope",
    });
    expect(
      applyChange(base(), { type: "replaceRule", policyId: "p1", ruleId: "nope", rule: rule("x") }),
    ).toMatchObject({ notFound: "nope" });
  });

  it("refuses to delete or rename a scope a claim depends on", () => {
    const claimed = ok(
      applyChange(base(), {
        type: "createClaim",
        id: "ocl1",
        claim: {
          name: "c",
          claimType: "RESOURCE",
          valueType: "EXPRESSION",
          value: "1",
          conditions: { scopes: ["free"] },
        },
      }),
    );
    expect(applyChange(claimed.config, { type: "deleteScope", scopeId: "s-free" })).toMatchObject({
      ok: false,
      issues: [{ message: "scope 'free' is used by claim 'ocl1'" }],
    });
    expect(
      applyChange(claimed.config, { type: "replaceScope", scopeId: "s-free", scope: { name: "gratis" } }),
    ).toMatchObject({
      ok: false,
    });
  });
});

describe("normaliseConfig", () => {
  it("orders policies and rules by priority and renumbers them 1..n", () => {
    const config = ServerConfig.parse({
      server: { id: "as1", name: "as1", audiences: ["api://x"] },
      scopes: [{ id: "s", name: "read" }],
      policies: [20, 10].map((priority) => ({
        id: `p${priority}`,
        name: `p${priority}`,
        priority,
        conditions: { clients: { include: ["ALL_CLIENTS"] } },
        rules: [50, 5].map((rp) => ({
          id: `r${rp}`,
          name: `r${rp}`,
          priority: rp,
          conditions: { grantTypes: { include: ["client_credentials"] }, scopes: { include: ["read"] } },
        })),
      })),
    });
    const normal = normaliseConfig(config);
    expect(normal.policies.map((p) => `${p.id}:${p.priority}`)).toEqual(["p10:1", "p20:2"]);
    expect(normal.policies[0]?.rules.map((r) => `${r.id}:${r.priority}`)).toEqual(["r5:1", "r50:2"]);
  });
});
