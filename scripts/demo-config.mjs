/**
 * The demo configuration `npm start` seeds on first start: Okta's `default` authorization server with
 * two custom scopes and an access policy that lets one service client use client_credentials.
 */
export function demoConfig({ clientId, clientSecret }) {
  return {
    clients: [
      {
        client_id: clientId,
        client_name: "Demo service",
        application_type: "service",
        token_endpoint_auth_method: "client_secret_basic",
        grant_types: ["client_credentials"],
        client_secrets: [clientSecret],
      },
    ],
    authorizationServers: [
      {
        server: {
          id: "default",
          name: "default",
          description: "Default Authorization Server",
          audiences: ["api://default"],
        },
        scopes: [
          {
            id: "scp-orders-read",
            name: "orders:read",
            description: "Read orders",
            default: true,
            metadataPublish: "ALL_CLIENTS",
          },
          {
            id: "scp-orders-write",
            name: "orders:write",
            description: "Create and change orders",
            metadataPublish: "ALL_CLIENTS",
          },
        ],
        policies: [
          {
            id: "pol-demo-services",
            name: "Demo services",
            description: "Lets the demo service client call the orders API",
            priority: 1,
            conditions: { clients: { include: [clientId] } },
            rules: [
              {
                id: "rul-client-credentials",
                name: "Service-to-service",
                priority: 1,
                conditions: {
                  grantTypes: { include: ["client_credentials"] },
                  scopes: { include: ["orders:read", "orders:write"] },
                },
                actions: { token: { accessTokenLifetimeMinutes: 60 } },
              },
            ],
          },
        ],
      },
    ],
  };
}
