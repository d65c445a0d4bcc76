import { describe, expect, it } from "vitest";
import { CliError } from "../../src/cli/errors";
import { parseFile } from "../../src/cli/load";
import { detectFormat } from "../../src/cli/source";
import { CLIENT_ID, MATCHING_YAML } from "./cli-fixtures";

/** The problems `warden plan` / `apply` would print for this file, one line each. */
function problems(text: string, name = "warden.yaml"): string[] {
  try {
    parseFile(name, text);
  } catch (error) {
    if (error instanceof CliError) return [error.message, ...error.details];
    throw error;
  }
  return [];
}

const server = (rest = "") => `authorizationServers:
  - id: api
    name: API
    audiences: [api://orders]
${rest}`;

describe("loading a file", () => {
  it("accepts the same configuration as YAML and as JSON, with a $schema member", () => {
    const yaml = parseFile("warden.yaml", MATCHING_YAML);
    const json = parseFile(
      "warden.json",
      JSON.stringify({ $schema: "./schema/warden.schema.json", ...yaml.file }),
    );
    expect(json.document).toEqual(yaml.document);
  });

  it("tells JSON from YAML by extension, else by content (stdin)", () => {
    expect(detectFormat("warden.yml", "{}")).toBe("yaml");
    expect(detectFormat("warden.JSON", "a: 1")).toBe("json");
    expect(detectFormat("<stdin>", '  {"clients": []}')).toBe("json");
    expect(detectFormat("<stdin>", "clients: []")).toBe("yaml");
  });

  it("turns list order into ranks when no priority is given", () => {
    const loaded = parseFile("warden.yaml", MATCHING_YAML);
    const policies = loaded.document.authorizationServers[0]?.policies ?? [];
    // The file gives 20, 10: ranks, in file order.
    expect(policies.map((p) => [p.id, p.priority])).toEqual([
      ["pol-all", 2],
      ["pol-services", 1],
    ]);
    expect(policies[1]?.rules.map((r) => [r.id, r.priority])).toEqual([
      ["rul-read", 1],
      ["rul-any", 2],
    ]);
  });
});

describe("an invalid file: file, line, field path and the rule broken", () => {
  it("names a value out of range", () => {
    const text = server(`    policies:
      - id: p
        name: P
        conditions: { clients: { include: [ALL_CLIENTS] } }
        rules:
          - id: r
            name: R
            conditions: { grantTypes: { include: [client_credentials] }, scopes: { include: ["*"] } }
            actions:
              token:
                accessTokenLifetimeMinutes: 2000
`);
    expect(problems(text)).toEqual([
      "warden.yaml is invalid (1 problem)",
      "warden.yaml:15:17 authorizationServers[0].policies[0].rules[0].actions.token.accessTokenLifetimeMinutes: Too big: expected number to be <=1440",
    ]);
  });

  it("names a missing field at its parent, and every problem at once", () => {
    const text = `authorizationServers:
  - id: api
    audiences: []
    tokenProfile: jwt
`;
    expect(problems(text)).toEqual([
      "warden.yaml is invalid (3 problems)",
      "warden.yaml:2:5 authorizationServers[0].name: required (expected string)",
      "warden.yaml:3:5 authorizationServers[0].audiences: Too small: expected array to have >=1 items",
      'warden.yaml:4:5 authorizationServers[0].tokenProfile: Invalid option: expected one of "okta"|"rfc9068"',
    ]);
  });

  it("refuses unknown fields instead of dropping them silently", () => {
    expect(problems(server("    audience: api://typo\n"))).toEqual([
      "warden.yaml is invalid (1 problem)",
      "warden.yaml:5:5 authorizationServers[0].audience: unknown field (check its spelling and the JSON Schema: `warden schema`)",
    ]);
  });

  it("refuses client secrets in the file", () => {
    const text = `clients:\n  - client_id: ${CLIENT_ID}\n    client_name: Service\n    client_secret: hunter2hunter2hunter2hunter2hunter2\n`;
    expect(problems(text)).toEqual([
      "warden.yaml is invalid (1 problem)",
      "warden.yaml:4:5 clients[0].client_secret: clients in the file never carry secrets: Warden generates a secret when it creates a client, and apply prints it once",
    ]);
  });

  it("applies the client rules of the management API (jwks for private_key_jwt)", () => {
    const text = `clients:\n  - client_id: c1\n    client_name: Signer\n    token_endpoint_auth_method: private_key_jwt\n`;
    expect(problems(text)).toEqual([
      "warden.yaml is invalid (1 problem)",
      "warden.yaml:2:5 clients[0].jwks: private_key_jwt requires jwks or jwks_uri",
    ]);
  });

  it("checks across objects: a rule naming an undefined scope, a duplicate scope name", () => {
    const text = server(`    scopes:
      - { id: s1, name: orders:read }
      - { id: s2, name: orders:read }
    policies:
      - id: p
        name: P
        conditions: { clients: { include: [ALL_CLIENTS] } }
        rules:
          - id: r
            name: R
            conditions: { grantTypes: { include: [client_credentials] }, scopes: { include: [orders:write] } }
`);
    expect(problems(text)).toEqual([
      "warden.yaml is invalid (2 problems)",
      "warden.yaml:7:9 authorizationServers[0].scopes[1]: duplicate scope name",
      "warden.yaml:15:94 authorizationServers[0].policies[0].rules[0].conditions.scopes.include[0]: scope 'orders:write' is not defined on this authorization server",
    ]);
  });

  it("maps a server's own fields back from the import document to the flat file", () => {
    const text = server(
      "    credentials: { signing: { rotationPeriodSeconds: 100, nextKeyLeadSeconds: 200 } }\n",
    );
    expect(problems(text)).toEqual([
      "warden.yaml is invalid (1 problem)",
      "warden.yaml:5:59 authorizationServers[0].credentials.signing.nextKeyLeadSeconds: nextKeyLeadSeconds must not exceed rotationPeriodSeconds",
    ]);
  });

  it("refuses duplicate ids and priorities on only some items of a list", () => {
    const text = `${server(`    policies:
      - { id: p1, name: One, priority: 1, conditions: { clients: { include: [ALL_CLIENTS] } } }
      - { id: p2, name: Two, conditions: { clients: { include: [ALL_CLIENTS] } } }
`)}  - { id: api, name: Again, audiences: [x] }
`;
    expect(problems(text)).toEqual([
      "warden.yaml is invalid (2 problems)",
      "warden.yaml:8:7 authorizationServers[1].id: duplicate id 'api' (also at index 0)",
      "warden.yaml:7:9 authorizationServers[0].policies[1].priority: required: give every policy of this list a priority, or none (the list order is then the order)",
    ]);
  });

  it("reports syntax errors with their position, for YAML and for JSON", () => {
    expect(problems("clients:\n  - client_id: a\n   client_name: b\n")[0]).toBe(
      "warden.yaml is not a valid file",
    );
    expect(problems("clients:\n  - client_id: a\n   client_name: b\n")[1]).toMatch(
      /^warden\.yaml:3:\d+ not valid YAML: /,
    );
    const json = problems('{ "clients": [ }', "warden.json");
    expect(json[0]).toBe("warden.json is not a valid file");
    expect(json[1]).toMatch(/^warden\.json: not valid JSON: /);
  });

  it("refuses duplicate keys in YAML rather than keeping the last", () => {
    expect(problems("clients: []\nclients: []\n")[1]).toMatch(/not valid YAML: Map keys must be unique/);
  });
});
