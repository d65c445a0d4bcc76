/**
 * The peer: node-oidc-provider on Node, issuing JWT access tokens by client_credentials, run as its
 * own process on 127.0.0.1. One resource server per algorithm (RFC 8707 resource indicators, the way
 * node-oidc-provider chooses a JWT access-token format and signing algorithm), each with its own
 * key of the kind Warden uses: RSA 2048 for RS256, P-256 for ES256.
 *
 * For the code exchange: a second client (`codeClient`, authorization_code) and `POST /__codes`
 * (JSON `{count}`), which mints codes the way node-oidc-provider's own interaction flow ends — a
 * Grant for the account with the resource's scope, saved, then an AuthorizationCode bound to it,
 * client, redirect URI and resource — so that `/token` redeems them with everything it checks.
 *
 * For the refresh_token grant: two more clients (`refreshClients`, authorization_code + refresh_token),
 * one whose refresh tokens rotate (`rotateRefreshToken`) and one whose do not (Warden's ROTATE and
 * STATIC), and `POST /__refresh` (JSON `{count, resource, clientId}`), which mints refresh tokens the
 * way its code exchange with `offline_access` ends: a Grant with the resource's scope and
 * `offline_access`, saved, then a RefreshToken bound to it, the client and the resource.
 *
 * Usage: node peer-server.mjs '{"clientId":"…","clientSecret":"…","codeClient":{"clientId":"…",
 * "redirectUri":"…"}}'; prints `ready <port>`.
 */
import { createServer } from "node:http";
import { exportJWK, generateKeyPair } from "jose";
import Provider from "oidc-provider";
import { PEER_RESOURCES } from "./peer.mjs";

const SCOPES = "orders:read orders:write";

/**
 * node-oidc-provider's own in-memory adapter, without its LRU bound (1,000 entries): a run's codes
 * (a Grant and an AuthorizationCode each) would evict the earliest before they are redeemed. Same
 * semantics otherwise: expiry, single consumption, revocation by grant.
 */
function mapAdapter() {
  const store = new Map();
  const grants = new Map();
  return class MapAdapter {
    constructor(model) {
      this.model = model;
    }
    key(id) {
      return `${this.model}:${id}`;
    }
    async upsert(id, payload, expiresIn) {
      const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY;
      store.set(this.key(id), { payload, expiresAt });
      if (payload.grantId) {
        const keys = grants.get(payload.grantId) ?? [];
        keys.push(this.key(id));
        grants.set(payload.grantId, keys);
      }
    }
    async find(id) {
      const entry = store.get(this.key(id));
      if (!entry || entry.expiresAt <= Date.now()) return undefined;
      return entry.payload;
    }
    async findByUid(uid) {
      for (const [key, entry] of store)
        if (key.startsWith(`${this.model}:`) && entry.payload.uid === uid) return entry.payload;
      return undefined;
    }
    async findByUserCode() {
      return undefined;
    }
    async consume(id) {
      const entry = store.get(this.key(id));
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id) {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId) {
      for (const key of grants.get(grantId) ?? []) store.delete(key);
      grants.delete(grantId);
    }
  };
}

async function signingJwk(alg) {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  return { ...(await exportJWK(privateKey)), alg, use: "sig", kid: `peer-${alg}` };
}

async function main() {
  const { clientId, clientSecret, codeClient, refreshClients = [] } = JSON.parse(process.argv[2] ?? "{}");
  const rotating = new Set(refreshClients.filter((c) => c.rotate).map((c) => c.clientId));
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
      ...(codeClient
        ? [
            {
              client_id: codeClient.clientId,
              client_secret: clientSecret,
              grant_types: ["authorization_code"],
              response_types: ["code"],
              redirect_uris: [codeClient.redirectUri],
              token_endpoint_auth_method: "client_secret_basic",
              scope: SCOPES,
            },
          ]
        : []),
      ...refreshClients.map((c) => ({
        client_id: c.clientId,
        client_secret: clientSecret,
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        redirect_uris: [c.redirectUri],
        token_endpoint_auth_method: "client_secret_basic",
        scope: `${SCOPES} offline_access`,
      })),
    ],
    // Per client, as Warden's rotation_type: a rotated token is consumed, and presenting it again
    // revokes the grant (node-oidc-provider's reuse detection).
    rotateRefreshToken: (ctx) => rotating.has(ctx.oidc.client.clientId),
    adapter: mapAdapter(),
    // The code's account: node-oidc-provider looks it up at the exchange, as Warden reads the user.
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    jwks: { keys: [await signingJwk("RS256"), await signingJwk("ES256")] },
    scopes: [...SCOPES.split(" "), "offline_access"],
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
  const callback = provider.callback();
  server.on("request", (req, res) => {
    if (codeClient && req.method === "POST" && req.url === "/__codes") {
      mintCodes(provider, codeClient, req, res).catch((error) => {
        res.writeHead(500).end(String(error));
      });
      return;
    }
    if (req.method === "POST" && req.url === "/__refresh") {
      mintRefreshTokens(provider, req, res).catch((error) => {
        res.writeHead(500).end(String(error));
      });
      return;
    }
    callback(req, res);
  });
  console.log(`ready ${port}`);
}

async function mintCodes(provider, codeClient, req, res) {
  let raw = "";
  for await (const chunk of req) raw += chunk;
  const { count, resource } = JSON.parse(raw);
  const client = await provider.Client.find(codeClient.clientId);
  const codes = [];
  for (let i = 0; i < count; i++) {
    const accountId = `bench-user-${i % 16}`;
    const grant = new provider.Grant({ accountId, clientId: client.clientId });
    grant.addResourceScope(resource, "orders:read");
    const grantId = await grant.save();
    const code = new provider.AuthorizationCode({
      client,
      accountId,
      grantId,
      scope: "orders:read",
      resource,
      redirectUri: codeClient.redirectUri,
      authTime: Math.floor(Date.now() / 1000),
    });
    codes.push(await code.save());
  }
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(codes));
}

async function mintRefreshTokens(provider, req, res) {
  let raw = "";
  for await (const chunk of req) raw += chunk;
  const { count, resource, clientId } = JSON.parse(raw);
  const client = await provider.Client.find(clientId);
  if (!client) throw new Error(`no client ${clientId}`);
  const tokens = [];
  for (let i = 0; i < count; i++) {
    const accountId = `bench-user-${i % 16}`;
    const grant = new provider.Grant({ accountId, clientId });
    grant.addOIDCScope("offline_access");
    grant.addResourceScope(resource, "orders:read");
    const grantId = await grant.save();
    const token = new provider.RefreshToken({
      client,
      accountId,
      grantId,
      gty: "authorization_code",
      scope: "offline_access orders:read",
      resource,
      authTime: Math.floor(Date.now() / 1000),
    });
    tokens.push(await token.save());
  }
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(tokens));
}

await main();
