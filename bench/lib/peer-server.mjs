/**
 * The peer: node-oidc-provider on Node, issuing JWT access tokens by client_credentials, run as its
 * own process on 127.0.0.1. One resource server per algorithm (RFC 8707 resource indicators, the way
 * node-oidc-provider chooses a JWT access-token format and signing algorithm), each with its own
 * key of the kind Warden uses: RSA 2048 for RS256, P-256 for ES256.
 *
 * Usage: node peer-server.mjs '{"clientId":"…","clientSecret":"…"}'; prints `ready <port>`.
 */
import { createServer } from "node:http";
import { exportJWK, generateKeyPair } from "jose";
import Provider from "oidc-provider";
import { PEER_RESOURCES } from "./peer.mjs";

const SCOPES = "orders:read orders:write";

async function signingJwk(alg) {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  return { ...(await exportJWK(privateKey)), alg, use: "sig", kid: `peer-${alg}` };
}

async function main() {
  const { clientId, clientSecret } = JSON.parse(process.argv[2] ?? "{}");
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();

  const resourceServers = Object.fromEntries(
    Object.entries(PEER_RESOURCES).map(([alg, id]) => [
      id,
      {
        scope: SCOPES,
        audience: "api://bench",
        accessTokenTTL: 3600,
        accessTokenFormat: "jwt",
        jwt: { sign: { alg } },
      },
    ]),
  );
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        grant_types: ["client_credentials"],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: "client_secret_basic",
        scope: SCOPES,
      },
    ],
    jwks: { keys: [await signingJwk("RS256"), await signingJwk("ES256")] },
    scopes: SCOPES.split(" "),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          const info = resourceServers[resource];
          if (!info) throw new Provider.errors.InvalidTarget();
          return info;
        },
      },
    },
  });
  server.on("request", provider.callback());
  console.log(`ready ${port}`);
}

await main();
