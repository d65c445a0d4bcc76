/**
 * A live configuration as `GET /api/v1/warden/export` returns it (defaults applied, priorities
 * 1..n, no secrets), and helpers that turn files into plans the way `warden plan` does.
 */
import { desiredState, liveState } from "../../src/cli/canonical";
import { ExportDocument } from "../../src/cli/file-schema";
import { parseFile } from "../../src/cli/load";
import { type Plan, planChanges } from "../../src/cli/plan";
import { authorizationHeader, tokenHook } from "../fixtures/inline-hook";

export const CLIENT_ID = "0oaservice1";

export function liveExport(): ExportDocument {
  return ExportDocument.parse({
    authorizationServers: [
      {
        server: { id: "default", name: "default", description: "Default", audiences: ["api://default"] },
        scopes: [
          { id: "scp-read", name: "orders:read", default: true },
          { id: "scp-write", name: "orders:write" },
        ],
        claims: [
          {
            id: "clm-tier",
            name: "tier",
            claimType: "RESOURCE",
            valueType: "EXPRESSION",
            value: '"gold"',
            conditions: { scopes: ["orders:write", "orders:read"] },
          },
        ],
        policies: [
          {
            id: "pol-services",
            name: "Services",
            priority: 1,
            conditions: { clients: { include: [CLIENT_ID] } },
            rules: [
              {
                id: "rul-read",
                name: "Read",
                priority: 1,
                conditions: {
                  grantTypes: { include: ["client_credentials"] },
                  scopes: { include: ["orders:read", "orders:write"] },
                },
              },
              {
                id: "rul-any",
                name: "Anything",
                priority: 2,
                conditions: { grantTypes: { include: ["client_credentials"] }, scopes: { include: ["*"] } },
                actions: { token: { accessTokenLifetimeMinutes: 15 } },
              },
            ],
          },
          {
            id: "pol-all",
            name: "Everyone else",
            priority: 2,
            conditions: { clients: { include: ["ALL_CLIENTS"] } },
          },
        ],
      },
    ],
    clients: [
      {
        client_id: CLIENT_ID,
        client_name: "Service",
        grant_types: ["client_credentials"],
        // The export has no secrets; should one ever slip in, the CLI must drop it.
        secrets: [{ id: "ocs1", secretHash: "h".repeat(43), created: "2026-01-01T00:00:00Z" }],
      },
    ],
    inlineHooks: [
      tokenHook({
        id: "cal-enrich",
        name: "Enrich",
        uri: "https://hooks.example.com/enrich",
        authScheme: authorizationHeader(),
      }),
    ],
  });
}

/** The file, in YAML, that matches {@link liveExport} written by hand: priorities given, defaults spelled out. */
export const MATCHING_YAML = `
authorizationServers:
  - id: default
    name: default
    description: Default
    audiences: [api://default]
    issuerMode: ORG_URL
    credentials: { signing: { rotationMode: AUTO, alg: RS256 } }
    scopes:
      - { id: scp-write, name: orders:write }
      - { id: scp-read, name: orders:read, default: true, consent: IMPLICIT }
    claims:
      - id: clm-tier
        name: tier
        claimType: RESOURCE
        valueType: EXPRESSION
        value: '"gold"'
        conditions: { scopes: [orders:read, orders:write] }
    policies:
      - id: pol-all
        name: Everyone else
        priority: 20
        conditions: { clients: { include: [ALL_CLIENTS] } }
      - id: pol-services
        name: Services
        priority: 10
        conditions: { clients: { include: [${CLIENT_ID}] } }
        rules:
          - id: rul-read
            name: Read
            conditions:
              grantTypes: { include: [client_credentials] }
              scopes: { include: [orders:write, orders:read] }
          - id: rul-any
            name: Anything
            conditions:
              grantTypes: { include: [client_credentials] }
              scopes: { include: ["*"] }
            actions: { token: { accessTokenLifetimeMinutes: 15 } }
clients:
  - client_id: ${CLIENT_ID}
    client_name: Service
inlineHooks:
  - id: cal-enrich
    name: Enrich
    type: com.okta.oauth2.tokens.transform
    version: 1.0.0
    channel:
      type: HTTP
      version: 1.0.0
      config:
        uri: https://hooks.example.com/enrich
        authScheme: { type: HEADER, key: Authorization }
`;

export function planOf(
  text: string,
  options: { prune?: boolean; name?: string; live?: ExportDocument } = {},
): Plan {
  const loaded = parseFile(options.name ?? "warden.yaml", text);
  return planChanges(desiredState(loaded.document), liveState(options.live ?? liveExport()), {
    prune: options.prune ?? false,
  });
}
