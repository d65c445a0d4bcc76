import { describe, expect, it } from "vitest";
import { ServerConfig } from "../../src/config/schemas";
import { applyChange, newObjectId } from "../../src/config/server-changes";

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
