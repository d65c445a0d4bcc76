/// <reference types="node" />
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileJsonSchema, SCHEMA_FILE } from "../../src/cli/json-schema";

const ROOT = join(import.meta.dirname, "..", "..");

describe("the file's JSON Schema", () => {
  it(`is committed up to date in ${SCHEMA_FILE} (regenerate with npm run schema)`, () => {
    const committed = JSON.parse(readFileSync(join(ROOT, SCHEMA_FILE), "utf8"));
    expect(committed).toEqual(fileJsonSchema());
  });

  it("describes the input: defaults optional, priorities optional, objects closed", () => {
    interface Node {
      additionalProperties?: boolean;
      required?: string[];
      properties: Record<string, { items: Node }>;
    }
    const schema = fileJsonSchema() as unknown as Node;
    expect(schema.additionalProperties).toBe(false);
    const server = schema.properties.authorizationServers?.items;
    expect(server?.required).toEqual(["id", "name", "audiences"]);
    expect(server?.additionalProperties).toBe(false);
    expect(server?.properties.policies?.items.required).toEqual(["id", "name", "conditions"]);
    const client = schema.properties.clients?.items;
    expect(client?.required).toEqual(["client_id", "client_name"]);
    expect(Object.keys(client?.properties ?? {})).not.toContain("secrets");
  });
});
