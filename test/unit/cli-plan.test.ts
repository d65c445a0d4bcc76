import { describe, expect, it } from "vitest";
import { importRequest, pathInFile } from "../../src/cli/import-request";
import { parseFile } from "../../src/cli/load";
import { hasChanges } from "../../src/cli/plan";
import { renderPlan } from "../../src/cli/render-plan";
import { CLIENT_ID, liveExport, MATCHING_YAML, planOf } from "./cli-fixtures";

const edit = (from: string, to: string) => {
  if (!MATCHING_YAML.includes(from)) throw new Error(`fixture has no '${from}'`);
  return MATCHING_YAML.replace(from, to);
};

describe("warden plan: what is not a change", () => {
  it("finds nothing to do when the file matches, however it spells defaults, order and priorities", () => {
    const plan = planOf(MATCHING_YAML);
    expect(plan.changes).toEqual([]);
    expect(plan.kept).toEqual([]);
    expect(hasChanges(plan)).toBe(false);
    expect(renderPlan(plan)).toBe("No changes.\n");
  });

  it("compares priorities by rank: 10, 20 in the file is 1, 2 on the server", () => {
    const priorities = planOf(
      edit("          - id: rul-read\n", "          - id: rul-read\n            priority: 100\n").replace(
        "          - id: rul-any\n",
        "          - id: rul-any\n            priority: 250\n",
      ),
    );
    expect(priorities.changes).toEqual([]);
  });

  it("treats grant types, scope lists and client lists as sets", () => {
    const reordered = edit(
      "scopes: { include: [orders:write, orders:read] }",
      "scopes: { include: [orders:read, orders:write] }",
    );
    expect(planOf(reordered).changes).toEqual([]);
  });

  it("keeps a hook's stored secret when the file omits it, and never compares one it gives", () => {
    const withSecret = edit(
      "authScheme: { type: HEADER, key: Authorization }",
      "authScheme: { type: HEADER, key: Authorization, value: s3cret }",
    );
    expect(planOf(withSecret).changes).toEqual([]);
  });
});

describe("warden plan: changes", () => {
  it("shows an update field by field, old → new", () => {
    const plan = planOf(
      edit(
        "actions: { token: { accessTokenLifetimeMinutes: 15 } }",
        "actions: { token: { accessTokenLifetimeMinutes: 30 } }",
      ).replace("description: Default\n", "description: Orders API\n"),
    );
    expect(renderPlan(plan)).toBe(
      [
        '~ update authorization server "default"',
        '    description: "Default" → "Orders API"',
        '~ update rule "rul-any" (authorization server "default", policy "pol-services")',
        "    actions.token.accessTokenLifetimeMinutes: 15 → 30",
        "",
        "Plan: 0 to create, 2 to update, 0 to delete.",
        "",
      ].join("\n"),
    );
    expect(hasChanges(plan)).toBe(true);
  });

  it("shows a reordering as changed ranks, not as deletes and creates", () => {
    const swapped = edit("        priority: 20\n", "        priority: 5\n");
    expect(renderPlan(planOf(swapped))).toBe(
      [
        '~ update policy "pol-all" (authorization server "default")',
        "    priority: 2 → 1",
        '~ update policy "pol-services" (authorization server "default")',
        "    priority: 1 → 2",
        "",
        "Plan: 0 to create, 2 to update, 0 to delete.",
        "",
      ].join("\n"),
    );
  });

  it("shows a new object with the fields that are not defaults, and a set change as the whole set", () => {
    const plan = planOf(
      edit(
        "      - { id: scp-write, name: orders:write }\n",
        "      - { id: scp-write, name: orders:write }\n      - { id: scp-admin, name: orders:admin, description: Administer }\n",
      ).replace(
        "scopes: { include: [orders:write, orders:read] }",
        "scopes: { include: [orders:write, orders:read, orders:admin] }",
      ),
    );
    expect(renderPlan(plan)).toBe(
      [
        '+ create scope "orders:admin" (authorization server "default")',
        '    id: "scp-admin"',
        '    name: "orders:admin"',
        '    description: "Administer"',
        '~ update rule "rul-read" (authorization server "default", policy "pol-services")',
        '    conditions.scopes.include: ["orders:read", "orders:write"] → ["orders:admin", "orders:read", "orders:write"]',
        "",
        "Plan: 1 to create, 1 to update, 0 to delete.",
        "",
      ].join("\n"),
    );
  });

  it("keeps audiences in order: their order is the token's aud", () => {
    const plan = planOf(edit("audiences: [api://default]", "audiences: [api://other, api://default]"));
    expect(plan.changes).toEqual([
      {
        action: "update",
        object: { kind: "authorizationServer", key: "default" },
        fields: [{ path: "audiences", before: ["api://default"], after: ["api://other", "api://default"] }],
      },
    ]);
  });

  it("deletes what a server in the file no longer has, with or without --prune", () => {
    const withoutRule = MATCHING_YAML.replace(/ {10}- id: rul-any\n(.*\n){5}/, "");
    expect(withoutRule).not.toContain("rul-any");
    const plan = planOf(
      withoutRule.replace(/ {6}- id: clm-tier\n(.*\n){5}/, "").replace("    claims:\n", ""),
    );
    expect(renderPlan(plan)).toBe(
      [
        '- delete claim "clm-tier" (authorization server "default")',
        '- delete rule "rul-any" (authorization server "default", policy "pol-services")',
        "",
        "Plan: 0 to create, 0 to update, 2 to delete.",
        "",
      ].join("\n"),
    );
  });

  it("keeps servers, clients and hooks the file does not name, and deletes them only with --prune", () => {
    const empty = "authorizationServers: []\nclients: []\ninlineHooks: []\n";
    const kept = planOf(empty);
    expect(hasChanges(kept)).toBe(false);
    expect(renderPlan(kept)).toBe(
      [
        '= keep authorization server "default": not in file, kept (--prune deletes it)',
        `= keep client "${CLIENT_ID}": not in file, kept (--prune deletes it)`,
        '= keep inline hook "cal-enrich": not in file, kept (--prune deletes it)',
        "",
        "No changes. 3 not in the file, kept.",
        "",
      ].join("\n"),
    );
    const pruned = planOf(empty, { prune: true });
    expect(renderPlan(pruned)).toBe(
      [
        '- delete authorization server "default"',
        `- delete client "${CLIENT_ID}"`,
        '- delete inline hook "cal-enrich"',
        "",
        "Plan: 0 to create, 0 to update, 3 to delete.",
        "",
      ].join("\n"),
    );
  });

  it("creates a new server with everything it owns", () => {
    const live = liveExport();
    live.authorizationServers = [];
    const plan = planOf(MATCHING_YAML, { live });
    expect(plan.changes.map((c) => `${c.action} ${c.object.kind} ${c.object.key}`)).toEqual([
      "create authorizationServer default",
      "create scope orders:write",
      "create scope orders:read",
      "create claim clm-tier",
      "create policy pol-all",
      "create policy pol-services",
      "create rule rul-read",
      "create rule rul-any",
    ]);
    expect(plan.changes[0]).toEqual({
      action: "create",
      object: { kind: "authorizationServer", key: "default" },
      fields: [
        { path: "id", before: undefined, after: "default" },
        { path: "name", before: undefined, after: "default" },
        { path: "description", before: undefined, after: "Default" },
        { path: "audiences", before: undefined, after: ["api://default"] },
      ],
    });
  });
});

describe("what apply sends", () => {
  const changedClient = edit("client_name: Service", "client_name: Billing service");
  const requestFor = (text: string, options: { prune?: boolean } = {}) =>
    importRequest(planOf(text, options), parseFile("warden.yaml", text).document);

  it("sends only the objects that change, without --prune", () => {
    const request = requestFor(changedClient);
    expect(request.document.authorizationServers).toEqual([]);
    expect(request.document.inlineHooks).toEqual([]);
    expect(request.document.clients?.map((c) => c.client_name)).toEqual(["Billing service"]);
    expect(request.prune).toBe(false);
  });

  it("sends a server when only something it owns changes", () => {
    const text = edit("name: Anything", "name: Any scope");
    const request = requestFor(text);
    expect(request.document.authorizationServers?.map((c) => c.server.id)).toEqual(["default"]);
    expect(request.document.clients).toEqual([]);
  });

  it("sends everything with --prune, so nothing named in the file is pruned", () => {
    const request = requestFor(changedClient, { prune: true });
    expect(request.document.authorizationServers).toHaveLength(1);
    expect(request.document.clients).toHaveLength(1);
    expect(request.document.inlineHooks).toHaveLength(1);
    expect(request.prune).toBe(true);
  });

  it("maps a path Warden reports back into the file, through what was sent", () => {
    const text = `${MATCHING_YAML}  - id: cal-second\n    name: Second\n    type: com.okta.oauth2.tokens.transform\n    version: 1.0.0\n    channel: { type: HTTP, version: 1.0.0, config: { uri: "https://hooks.example.com/2" } }\n`;
    const request = requestFor(text);
    // Only the new hook (file index 1) is sent, as the document's inlineHooks[0].
    expect(request.positions.inlineHooks).toEqual([1]);
    expect(pathInFile("inlineHooks.0.channel.config.uri", request)).toEqual([
      "inlineHooks",
      1,
      "channel",
      "config",
      "uri",
    ]);
    expect(
      pathInFile("authorizationServers.0.server.name", {
        ...request,
        positions: { ...request.positions, authorizationServers: [0] },
      }),
    ).toEqual(["authorizationServers", 0, "name"]);
    expect(pathInFile("body", request)).toBeUndefined();
  });
});
