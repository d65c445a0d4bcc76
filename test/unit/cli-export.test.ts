import { describe, expect, it } from "vitest";
import { toWardenFile } from "../../src/cli/document";
import { ExportDocument } from "../../src/cli/file-schema";
import { fileText } from "../../src/cli/file-text";
import { parseFile } from "../../src/cli/load";
import { authorizationHeader } from "../fixtures/inline-hook";
import { CLIENT_ID, liveExport, planOf } from "./cli-fixtures";

const SCHEMA = "./schema/warden.schema.json";

/** What `warden export` writes for this live configuration. */
const exported = (format: "yaml" | "json", live: ExportDocument = liveExport()) =>
  fileText(toWardenFile(live), format, SCHEMA);

describe("warden export", () => {
  it("writes a file that plans no changes against what it was exported from (YAML and JSON)", () => {
    const yaml = exported("yaml");
    expect(planOf(yaml).changes).toEqual([]);
    const json = exported("json");
    expect(planOf(json, { name: "warden.json" }).changes).toEqual([]);
    expect(parseFile("warden.json", json).document).toEqual(parseFile("warden.yaml", yaml).document);
  });

  it("points editors at the JSON Schema", () => {
    expect(exported("yaml").split("\n")[0]).toBe(`# yaml-language-server: $schema=${SCHEMA}`);
    expect(JSON.parse(exported("json")).$schema).toBe(SCHEMA);
  });

  it("writes no secret, even if Warden's export carried one", () => {
    const live = liveExport();
    const withSecrets = ExportDocument.parse({
      ...live,
      inlineHooks: live.inlineHooks.map((hook) => ({
        ...hook,
        channel: {
          ...hook.channel,
          config: {
            ...hook.channel.config,
            authScheme: authorizationHeader("s3cret-value"),
          },
        },
      })),
    });
    const text = exported("yaml", withSecrets);
    expect(text).not.toContain("s3cret-value");
    expect(text).not.toContain("secretHash");
    expect(text).not.toMatch(/secrets?:/);
    expect(text).toContain("key: Authorization");
  });

  it("is lean: no defaults, list order instead of priorities", () => {
    const file = toWardenFile(liveExport());
    expect(file.clients).toEqual([{ client_id: CLIENT_ID, client_name: "Service" }]);
    const [server] = file.authorizationServers ?? [];
    expect(Object.keys(server ?? {})).toEqual([
      "id",
      "name",
      "description",
      "audiences",
      "scopes",
      "claims",
      "policies",
    ]);
    expect(server?.scopes).toEqual([
      { id: "scp-read", name: "orders:read", default: true },
      { id: "scp-write", name: "orders:write" },
    ]);
    const [services] = server?.policies ?? [];
    expect(services).toEqual({
      id: "pol-services",
      name: "Services",
      conditions: { clients: { include: [CLIENT_ID] } },
      rules: [
        {
          id: "rul-read",
          name: "Read",
          conditions: {
            grantTypes: { include: ["client_credentials"] },
            scopes: { include: ["orders:read", "orders:write"] },
          },
        },
        {
          id: "rul-any",
          name: "Anything",
          conditions: { grantTypes: { include: ["client_credentials"] }, scopes: { include: ["*"] } },
          actions: { token: { accessTokenLifetimeMinutes: 15 } },
        },
      ],
    });
  });

  it("orders policies and rules by priority, whatever order Warden lists them in", () => {
    const live = liveExport();
    const [config] = live.authorizationServers;
    if (!config) throw new Error("fixture");
    config.policies.reverse();
    const [services] = toWardenFile(live).authorizationServers?.[0]?.policies ?? [];
    expect(services?.id).toBe("pol-services");
  });

  it("keeps a member that only looks like a default: naming people drops the Everyone group", () => {
    const live = liveExport();
    const rule = live.authorizationServers[0]?.policies[0]?.rules[0];
    if (!rule) throw new Error("fixture");
    rule.conditions.people = {
      users: { include: ["00u1"], exclude: [] },
      groups: { include: [], exclude: [] },
    };
    const text = exported("yaml", live);
    expect(planOf(text, { live }).changes).toEqual([]);
    expect(toWardenFile(live).authorizationServers?.[0]?.policies?.[0]?.rules?.[0]?.conditions).toMatchObject(
      {
        people: { users: { include: ["00u1"] } },
      },
    );
  });
});
