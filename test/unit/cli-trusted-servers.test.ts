/**
 * Token exchange's trusted servers in config as code: a field of the flat server in the file, sent
 * in the import document, compared as a set (order is no change), shown as an update of the server,
 * and written by the export only when a server has any.
 */
import { describe, expect, it } from "vitest";
import { toWardenFile } from "../../src/cli/document";
import { ExportDocument } from "../../src/cli/file-schema";
import { importRequest } from "../../src/cli/import-request";
import { parseFile } from "../../src/cli/load";
import { renderPlan } from "../../src/cli/render-plan";
import { liveExport, MATCHING_YAML, planOf } from "./cli-fixtures";

const withTrust = (ids: string) =>
  MATCHING_YAML.replace(
    "    issuerMode: ORG_URL\n",
    `    issuerMode: ORG_URL\n    trustedServers: [${ids}]\n`,
  );

function live(trustedServers: string[]) {
  const exported = liveExport();
  return ExportDocument.parse({
    ...exported,
    authorizationServers: exported.authorizationServers.map((s) => ({ ...s, trustedServers })),
  });
}

describe("trusted servers in warden plan and apply", () => {
  it("is no change when the file lists the same servers in another order", () => {
    expect(planOf(withTrust("b, a"), { live: live(["a", "b"]) }).changes).toEqual([]);
    expect(planOf(MATCHING_YAML, { live: live([]) }).changes).toEqual([]);
  });

  it("an added or removed trusted server updates the server, and the import carries the list", () => {
    const plan = planOf(withTrust("aus-upstream"), { live: live([]) });
    expect(renderPlan(plan)).toContain('~ update authorization server "default"');
    expect(renderPlan(plan)).toContain("trustedServers");
    const request = importRequest(plan, parseFile("warden.yaml", withTrust("aus-upstream")).document);
    expect(request.document.authorizationServers?.[0]?.trustedServers).toEqual(["aus-upstream"]);
    expect(renderPlan(planOf(MATCHING_YAML, { live: live(["aus-upstream"]) }))).toContain("trustedServers");
  });

  it("the file refuses a server that trusts itself, or the same server twice", () => {
    expect(() => parseFile("warden.yaml", withTrust("default"))).toThrow();
    expect(() => parseFile("warden.yaml", withTrust("a, a"))).toThrow();
  });

  it("the export writes the list only for a server that has one", () => {
    const file = toWardenFile(live(["aus-upstream"]));
    expect(file.authorizationServers?.[0]).toMatchObject({ trustedServers: ["aus-upstream"] });
    expect(toWardenFile(live([])).authorizationServers?.[0]).not.toHaveProperty("trustedServers");
  });
});
