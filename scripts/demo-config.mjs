/**
 * The demo configuration `npm start` seeds on first start: Okta's `default` authorization server with
 * two custom scopes and an access policy that lets one service client use client_credentials; and,
 * for signing people in (issue 11), a browser app (the SPA sample: public, PKCE), a web app (the
 * server-side sample: confidential, PKCE and a secret), a rule admitting the demo user to both with
 * authorization_code, and the SPA's origin as a trusted origin (CORS, so okta-auth-js may call the
 * token and userinfo endpoints; REDIRECT, as Okta's console adds for an SPA's sign-out).
 *
 * `signIn` is undefined for a state directory seeded before the sign-in demo existed: the service
 * part alone is then what the document holds, as before.
 */
export function demoConfig({ clientId, clientSecret, signIn }) {
  const clients = [
    {
      client_id: clientId,
      client_name: "Demo service",
      application_type: "service",
      token_endpoint_auth_method: "client_secret_basic",
      grant_types: ["client_credentials"],
      client_secrets: [clientSecret],
    },
  ];
  const policies = [
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
  ];
  const trustedOrigins = [];
  const scopes = [
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
  ];
  if (signIn) {
    // The OpenID Connect scopes a new Okta server has from the start, in Okta's words; published,
    // so discovery's scopes_supported lists what okta-auth-js asks for.
    scopes.push(
      {
        id: "scp-openid",
        name: "openid",
        description: "Signals that a request is an OpenID request.",
        metadataPublish: "ALL_CLIENTS",
      },
      {
        id: "scp-profile",
        name: "profile",
        description: "Allows access to the user's default profile claims.",
        metadataPublish: "ALL_CLIENTS",
      },
      {
        id: "scp-email",
        name: "email",
        description: "Allows access to the user's email address.",
        metadataPublish: "ALL_CLIENTS",
      },
    );
    const { spa, web, demoUser } = signIn;
    clients.push(
      {
        client_id: spa.clientId,
        client_name: "Demo SPA",
        application_type: "browser",
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code"],
        redirect_uris: [spa.redirectUri],
        post_logout_redirect_uris: [`${spa.origin}/`],
      },
      {
        client_id: web.clientId,
        client_name: "Demo web app",
        application_type: "web",
        token_endpoint_auth_method: "client_secret_basic",
        grant_types: ["authorization_code"],
        redirect_uris: [web.redirectUri],
        post_logout_redirect_uris: [`${web.origin}/`],
        client_secrets: [web.clientSecret],
      },
    );
    policies.push({
      id: "pol-demo-sign-in",
      name: "Demo sign-in",
      description: "Lets the demo user sign in to the sample SPA and web app",
      priority: 2,
      conditions: { clients: { include: [spa.clientId, web.clientId] } },
      rules: [
        {
          id: "rul-demo-user-code",
          name: "Demo user, authorization code",
          priority: 1,
          conditions: {
            // Only the demo user: a user added later is not let in by the demo's own rule.
            people: { users: { include: [demoUser.id] }, groups: { include: [] } },
            grantTypes: { include: ["authorization_code"] },
            scopes: { include: ["openid", "profile", "email", "orders:read"] },
          },
          actions: { token: { accessTokenLifetimeMinutes: 60 } },
        },
      ],
    });
    trustedOrigins.push({
      name: "Demo SPA",
      origin: spa.origin,
      scopes: [{ type: "CORS" }, { type: "REDIRECT" }],
    });
  }
  return {
    clients,
    trustedOrigins,
    authorizationServers: [
      {
        server: {
          id: "default",
          name: "default",
          description: "Default Authorization Server",
          audiences: ["api://default"],
        },
        scopes,
        policies,
      },
    ],
  };
}
