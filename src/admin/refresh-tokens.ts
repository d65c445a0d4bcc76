/**
 * Okta's token management APIs over the grant index (src/directory/grant-index.ts):
 * - User OAuth 2.0 Token Management (UserOAuthApi): `GET /users/{userId}/clients` (the apps holding
 *   the user's refresh tokens, Okta's OAuth2Client), `GET|DELETE /users/{userId}/clients/{clientId}/tokens`
 *   and `GET|DELETE …/tokens/{tokenId}`; rights okta.users.read / okta.users.manage.
 * - Authorization Server Clients (AuthorizationServerClientsApi): `GET /authorizationServers/{authServerId}/clients`,
 *   `GET|DELETE /authorizationServers/{authServerId}/clients/{clientId}/tokens[/{tokenId}]`; rights
 *   okta.authorizationServers.read / manage (src/admin/auth.ts maps each path's first segment).
 *
 * A token is Okta's OAuth2RefreshToken (`oar…`): one grant's refresh-token family. Lists show ACTIVE
 * tokens whose family still stands — before its absolute end and its idle end, which the grant's
 * object keeps current in the index (src/grants/grant-object.ts) — by id (`limit`, `after`, `Link`);
 * a token is found only through its own user (or server) and client, so nobody reads or revokes
 * another's by guessing ids (404 E0000007). A DELETE
 * revokes the grant's Durable Object first, then marks the row (src/admin/grant-revocation.ts):
 * Okta, "Any access tokens issued with these refresh tokens are also revoked".
 */
import type { Context } from "hono";
import { Hono } from "hono";
import {
  CONSENT_GRANTS_QUERY_MAX_LENGTH,
  GRANT_CLIENTS_MAX,
  REFRESH_TOKENS_PAGE_LIMIT,
} from "../config/defaults";
import type { Client, Scope, ServerConfig } from "../config/schemas";
import type { AppEnv, BindPorts } from "../context";
import {
  getIndexedGrant,
  type IndexedGrant,
  indexedGrantStands,
  listGrantClients,
  listIndexedGrants,
} from "../directory/grant-index";
import { findUser, type UserRecord } from "../directory/users";
import { controlPlane, notFound } from "./control-plane-client";
import { pageParams, setDirectoryLinks } from "./directory-pages";
import { revokeGrants } from "./grant-revocation";
import { adminOrigin, validationFailed } from "./responses";

type Ctx = Context<AppEnv>;

/** Token ids are `oar` and 17 letters or digits (src/crypto/object-id.ts): anything else is unknown. */
const TOKEN_ID = /^oar[A-Za-z0-9]{17}$/;

/** `/api/v1/users/{userId}/clients…` (mounted under `/users`). */
export function userTokensRouter(now: () => number, bind: BindPorts) {
  const router = new Hono<AppEnv>();

  router.get("/:userId/clients", async (c) => {
    const user = await existingUser(c);
    const clientIds = await listGrantClients(c.env.DIRECTORY, { userId: user.id }, GRANT_CLIENTS_MAX, now());
    const base = `${adminOrigin(c)}/api/v1/users/${user.id}/clients`;
    const clients = await Promise.all(clientIds.map((id) => controlPlane(c.env).getClientRecord(id)));
    return c.json(
      clientIds.map((id, i) => clientView(id, clients[i], `${base}/${encodeURIComponent(id)}`, true)),
    );
  });

  router.get("/:userId/clients/:clientId/tokens", async (c) => {
    const user = await existingUser(c);
    const client = await existingClient(c);
    const page = pageParams(c, REFRESH_TOKENS_PAGE_LIMIT);
    const expand = expandScope(c);
    const selector = { userId: user.id, clientId: client.client_id };
    const { grants, next } = await listIndexedGrants(c.env.DIRECTORY, selector, page, now());
    setDirectoryLinks(c, userTokensPath(user.id, client.client_id), page.limit, next);
    const scopes = await scopesOf(c, grants, expand);
    return c.json(grants.map((g) => tokenView(c, g, { client, user, scopes, expand })));
  });

  router.delete("/:userId/clients/:clientId/tokens", async (c) => {
    const user = await existingUser(c);
    const client = await existingClient(c);
    await revokeGrants(c, bind, { userId: user.id, clientId: client.client_id }, "admin_revoked", now());
    return c.body(null, 204);
  });

  router.get("/:userId/clients/:clientId/tokens/:tokenId", async (c) => {
    const user = await existingUser(c);
    const client = await existingClient(c);
    const expand = expandScope(c);
    const grant = await existingToken(
      c,
      (g) => g.userId === user.id && g.clientId === client.client_id && shown(g, now()),
    );
    const scopes = await scopesOf(c, [grant], expand);
    return c.json(tokenView(c, grant, { client, user, scopes, expand }));
  });

  router.delete("/:userId/clients/:clientId/tokens/:tokenId", async (c) => {
    const user = await existingUser(c);
    const client = await existingClient(c);
    const grant = await existingToken(c, (g) => g.userId === user.id && g.clientId === client.client_id);
    await revokeGrants(c, bind, { id: grant.id }, "admin_revoked", now());
    return c.body(null, 204);
  });

  return router;
}

/** `/api/v1/authorizationServers/{authServerId}/clients…` (mounted under `/authorizationServers`). */
export function serverTokensRouter(now: () => number, bind: BindPorts) {
  const router = new Hono<AppEnv>();

  router.get("/:authServerId/clients", async (c) => {
    const server = await existingServer(c);
    const serverId = server.server.id;
    const clientIds = await listGrantClients(c.env.DIRECTORY, { serverId }, GRANT_CLIENTS_MAX, now());
    const base = `${adminOrigin(c)}/api/v1/authorizationServers/${encodeURIComponent(serverId)}/clients`;
    const clients = await Promise.all(clientIds.map((id) => controlPlane(c.env).getClientRecord(id)));
    return c.json(
      clientIds.map((id, i) => clientView(id, clients[i], `${base}/${encodeURIComponent(id)}`, false)),
    );
  });

  router.get("/:authServerId/clients/:clientId/tokens", async (c) => {
    const server = await existingServer(c);
    const client = await existingClient(c);
    const page = pageParams(c, REFRESH_TOKENS_PAGE_LIMIT);
    const expand = expandScope(c);
    const selector = { serverId: server.server.id, clientId: client.client_id };
    const { grants, next } = await listIndexedGrants(c.env.DIRECTORY, selector, page, now());
    setDirectoryLinks(c, serverTokensPath(server.server.id, client.client_id), page.limit, next);
    const scopes = expand ? scopeMap(server) : new Map<string, Scope>();
    return c.json(grants.map((g) => tokenView(c, g, { client, server, scopes, expand })));
  });

  router.delete("/:authServerId/clients/:clientId/tokens", async (c) => {
    const server = await existingServer(c);
    const client = await existingClient(c);
    await revokeGrants(
      c,
      bind,
      { serverId: server.server.id, clientId: client.client_id },
      "admin_revoked",
      now(),
    );
    return c.body(null, 204);
  });

  router.get("/:authServerId/clients/:clientId/tokens/:tokenId", async (c) => {
    const server = await existingServer(c);
    const client = await existingClient(c);
    const expand = expandScope(c);
    const grant = await existingToken(
      c,
      (g) => g.serverId === server.server.id && g.clientId === client.client_id && shown(g, now()),
    );
    const scopes = expand ? scopeMap(server) : new Map<string, Scope>();
    return c.json(tokenView(c, grant, { client, server, scopes, expand }));
  });

  router.delete("/:authServerId/clients/:clientId/tokens/:tokenId", async (c) => {
    const server = await existingServer(c);
    const client = await existingClient(c);
    const grant = await existingToken(
      c,
      (g) => g.serverId === server.server.id && g.clientId === client.client_id,
    );
    await revokeGrants(c, bind, { id: grant.id }, "admin_revoked", now());
    return c.body(null, 204);
  });

  return router;
}

function userTokensPath(userId: string, clientId: string): string {
  return `/api/v1/users/${userId}/clients/${encodeURIComponent(clientId)}/tokens`;
}

function serverTokensPath(serverId: string, clientId: string): string {
  return `/api/v1/authorizationServers/${encodeURIComponent(serverId)}/clients/${encodeURIComponent(clientId)}/tokens`;
}

/** The user the path names (by id or login, as the Users API takes it), or Okta's 404. */
async function existingUser(c: Ctx): Promise<UserRecord> {
  const id = c.req.param("userId") ?? "";
  return (await findUser(c.env.DIRECTORY, id)) ?? notFound(id.slice(0, 100), "User");
}

/** The app the path names (read-your-writes, from the control plane), or Okta's 404. */
async function existingClient(c: Ctx): Promise<Client> {
  const id = c.req.param("clientId") ?? "";
  if (id.length === 0 || id.length > CONSENT_GRANTS_QUERY_MAX_LENGTH) {
    throw validationFailed([
      { path: "clientId", message: `must be 1 to ${CONSENT_GRANTS_QUERY_MAX_LENGTH} characters` },
    ]);
  }
  return (await controlPlane(c.env).getClientRecord(id)) ?? notFound(id, "App");
}

async function existingServer(c: Ctx): Promise<ServerConfig> {
  const id = c.req.param("authServerId") ?? "";
  return (await controlPlane(c.env).getServerConfig(id)) ?? notFound(id.slice(0, 100));
}

/** The token the path names, if it belongs where the path says; else Okta's 404 (never "it exists elsewhere"). */
async function existingToken(c: Ctx, belongs: (grant: IndexedGrant) => boolean): Promise<IndexedGrant> {
  const id = c.req.param("tokenId") ?? "";
  const grant = TOKEN_ID.test(id) ? await getIndexedGrant(c.env.DIRECTORY, id) : null;
  return grant && belongs(grant) ? grant : notFound(id.slice(0, 100), "OAuth2RefreshToken");
}

/**
 * Whether a token is shown by id: a REVOKED one is (Okta keeps answering it with its status); an
 * ACTIVE row whose family has ended (idle or absolute end, `indexedGrantStands`) is gone, as an
 * expired token is at Okta, and as the lists leave it out. A DELETE still takes it: the grant's
 * access tokens may outlive its family, and revoking them is never wrong.
 */
function shown(grant: IndexedGrant, nowMs: number): boolean {
  return grant.status === "REVOKED" || indexedGrantStands(grant, nowMs);
}

/** Okta's `expand`: only `scope` (the scopes' details in `_embedded.scopes`); anything else is a 400. */
function expandScope(c: Ctx): boolean {
  const values = new URL(c.req.url).searchParams.getAll("expand");
  if (values.length === 0) return false;
  if (values.length > 1 || values[0] !== "scope") {
    throw validationFailed([{ path: "expand", message: "must be 'scope'" }]);
  }
  return true;
}

function scopeMap(config: ServerConfig): Map<string, Scope> {
  return new Map(config.scopes.map((s) => [`${config.server.id} ${s.name}`, s]));
}

/** The scopes of the servers on a page, for `expand=scope`: one control-plane read per server. */
async function scopesOf(
  c: Ctx,
  grants: readonly IndexedGrant[],
  expand: boolean,
): Promise<Map<string, Scope>> {
  const scopes = new Map<string, Scope>();
  if (!expand) return scopes;
  for (const serverId of new Set(grants.map((g) => g.serverId))) {
    const config = await controlPlane(c.env).getServerConfig(serverId);
    if (config) for (const [key, scope] of scopeMap(config)) scopes.set(key, scope);
  }
  return scopes;
}

/** Okta's OAuth2Client: an app holding tokens, with links to its grants (users only) and tokens. */
function clientView(clientId: string, client: Client | undefined, base: string, withGrants: boolean) {
  return {
    client_id: clientId,
    client_name: client?.client_name ?? clientId,
    client_uri: null,
    logo_uri: null,
    _links: {
      ...(withGrants ? { grants: { href: `${base}/grants` } } : {}),
      tokens: { href: `${base}/tokens` },
    },
  };
}

/** Okta's OAuth2RefreshToken; `self` and `revoke` under the path it was read through. */
function tokenView(
  c: Ctx,
  grant: IndexedGrant,
  known: {
    client: Client;
    user?: UserRecord;
    server?: ServerConfig;
    scopes: ReadonlyMap<string, Scope>;
    expand: boolean;
  },
) {
  const origin = adminOrigin(c);
  const api = `${origin}/api/v1`;
  const self = `${origin}${
    known.server
      ? serverTokensPath(grant.serverId, grant.clientId)
      : userTokensPath(grant.userId, grant.clientId)
  }/${grant.id}`;
  const serverHref = `${api}/authorizationServers/${encodeURIComponent(grant.serverId)}`;
  const user = known.user;
  return {
    id: grant.id,
    status: grant.status,
    created: new Date(grant.created).toISOString(),
    lastUpdated: new Date(grant.lastUpdated).toISOString(),
    expiresAt: grant.expiresAt === null ? null : new Date(grant.expiresAt).toISOString(),
    issuer: `${origin}/oauth2/${grant.serverId}`,
    clientId: grant.clientId,
    userId: grant.userId,
    scopes: grant.scopes,
    ...(known.expand
      ? {
          _embedded: {
            scopes: grant.scopes.map((name) => {
              const scope = known.scopes.get(`${grant.serverId} ${name}`);
              const href = `${serverHref}/scopes/${encodeURIComponent(scope?.id ?? name)}`;
              return {
                id: scope?.id ?? name,
                name,
                ...(scope?.displayName ? { displayName: scope.displayName } : {}),
                ...(scope ? { description: scope.description } : {}),
                _links: { scope: { href, title: scope?.displayName ?? name } },
              };
            }),
          },
        }
      : {}),
    _links: {
      app: { href: `${api}/apps/${encodeURIComponent(grant.clientId)}`, title: known.client.client_name },
      self: { href: self },
      revoke: { href: self, hints: { allow: ["DELETE"] } },
      client: {
        href: `${origin}/oauth2/v1/clients/${encodeURIComponent(grant.clientId)}`,
        title: known.client.client_name,
      },
      user: {
        href: `${api}/users/${grant.userId}`,
        ...(user ? { title: `${user.profile.firstName ?? ""} ${user.profile.lastName ?? ""}`.trim() } : {}),
      },
      authorizationServer: {
        href: serverHref,
        ...(known.server ? { title: known.server.server.name } : {}),
      },
    },
  };
}
