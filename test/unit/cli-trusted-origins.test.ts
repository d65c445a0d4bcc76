/**
 * Trusted origins in config as code: keyed by origin (never by Warden's `tos…` id), compared in the
 * browser's serialization, their scopes as a set, defaults never a change; the export writes them
 * lean; `apply` sends only the ones that change and maps the server's issue paths back to the file.
 */
import { describe, expect, it } from "vitest";
import { toWardenFile } from "../../src/cli/document";
import type { CliError } from "../../src/cli/errors";
import { ExportDocument } from "../../src/cli/file-schema";
import { importRequest, pathInFile } from "../../src/cli/import-request";
import { parseFile } from "../../src/cli/load";
import { renderPlan } from "../../src/cli/render-plan";
import { liveExport, MATCHING_YAML, planOf } from "./cli-fixtures";

function live(trustedOrigins: unknown[]) {
  return ExportDocument.parse({ ...liveExport(), trustedOrigins });
}

const SPA = {
  name: "SPA",
  origin: "https://spa.example",
  scopes: [{ type: "CORS" }, { type: "REDIRECT" }],
  status: "ACTIVE",
};

const withOrigins = (yaml: string) => `${MATCHING_YAML}\ntrustedOrigins:\n${yaml}`;

describe("trusted origins in warden plan", () => {
  it("is no change however the file spells the origin, the scope order or the default status", () => {
    const plan = planOf(
      withOrigins(
        '  - { name: SPA, origin: "https://SPA.example:443/", scopes: [{ type: REDIRECT }, { type: CORS }] }\n',
      ),
      { live: live([SPA]) },
    );
    expect(plan.changes).toEqual([]);
  });

  it("creates, updates field by field, and keeps (or with --prune deletes) what only Warden has", () => {
    const file = withOrigins(
      '  - { name: SPA, origin: "https://spa.example", scopes: [{ type: CORS }], status: INACTIVE }\n' +
        '  - { name: New, origin: "https://new.example", scopes: [{ type: CORS }] }\n',
    );
    const other = { ...SPA, name: "Old", origin: "https://old.example" };
    const plan = planOf(file, { live: live([SPA, other]) });
    expect(renderPlan(plan)).toContain('~ update trusted origin "https://spa.example"');
    expect(renderPlan(plan)).toContain('status: "ACTIVE" → "INACTIVE"');
    expect(renderPlan(plan)).toContain('+ create trusted origin "https://new.example"');
    expect(plan.kept).toEqual([{ kind: "trustedOrigin", key: "https://old.example" }]);
    const pruned = planOf(file, { live: live([SPA, other]), prune: true });
    expect(pruned.changes).toContainEqual({
      action: "delete",
      object: { kind: "trustedOrigin", key: "https://old.example" },
    });

    const request = importRequest(plan, parseFile("warden.yaml", file).document);
    expect(request.document.trustedOrigins?.map((o) => o.origin)).toEqual([
      "https://spa.example",
      "https://new.example",
    ]);
    expect(pathInFile("trustedOrigins.1.origin", request)).toEqual(["trustedOrigins", 1, "origin"]);
  });

  it("refuses the same origin twice in a file, however it is spelled", () => {
    let details: readonly string[] = [];
    try {
      parseFile(
        "warden.yaml",
        withOrigins(
          '  - { name: A, origin: "https://a.example", scopes: [{ type: CORS }] }\n' +
            '  - { name: B, origin: "https://A.example/", scopes: [{ type: CORS }] }\n',
        ),
      );
    } catch (error) {
      details = (error as CliError).details;
    }
    expect(details.join("\n")).toMatch(/trustedOrigins\[1\]\.origin: duplicate origin/);
  });

  it("exports them lean: no id, no default status", () => {
    const file = toWardenFile(live([SPA]));
    expect(file.trustedOrigins).toEqual([{ name: "SPA", origin: "https://spa.example", scopes: SPA.scopes }]);
  });
});
