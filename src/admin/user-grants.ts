/**
 * Okta's user grants API (UserApi `listUserGrants`, `getUserGrant`, `revokeUserGrant`,
 * `revokeUserGrants`, `listGrantsForUserAndClient`, `revokeGrantsForUserAndClient`): the consents a
 * user gave on the consent page (src/signin/consent.ts), as OAuth2ScopeConsentGrant objects.
 * Reads need okta.users.read, revocations okta.users.manage (src/admin/auth.ts maps `/users/**`).
 *
 * Lists show ACTIVE grants only; a revoked grant stays readable by id with status REVOKED. A
 * revocation takes effect at the next /v1/authorize (the user is asked again); tokens already
 * issued are left to their own lifetimes, as Okta does.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { CONSENT_GRANTS_PAGE_LIMIT, CONSENT_GRANTS_QUERY_MAX_LENGTH } from "../config/defaults";
import type { Scope } from "../config/schemas";
import type { AppEnv } from "../context";
import {
  getConsentGrant,
  listConsentGrants,
  revokeConsentGrants,
  type StoredConsentGrant,
} from "../directory/consent-grants";
import { findUser } from "../directory/users";
import { controlPlane, notFound } from "./control-plane-client";
import { pageParams, setDirectoryLinks } from "./directory-pages";
import { adminOrigin, validationFailed } from "./responses";

type Ctx = Context<AppEnv>;

export function userGrantsRouter(now: () => number) {
  const router = new Hono<AppEnv>();

  router.get("/:userId/grants", async (c) => {
    const userId = await existingUser(c);
    const page = pageParams(c, CONSENT_GRANTS_PAGE_LIMIT);
    const scopeId = boundedQuery(c, "scopeId");
    const expand = expandScope(c);
    const { grants, next } = await listConsentGrants(c.env.DIRECTORY, { userId, scopeId, ...page });
    setDirectoryLinks(c, `/api/v1/users/${userId}/grants`, page.limit, next);
    return c.json(await views(c, grants, expand));
  });

  router.delete("/:userId/grants", async (c) => {
    const userId = await existingUser(c);
    await revokeConsentGrants(c.env.DIRECTORY, { userId }, now());
    return c.body(null, 204);
  });

  router.get("/:userId/grants/:grantId", async (c) => {
    const userId = await existingUser(c);
    const expand = expandScope(c);
    const grant = await existingGrant(c, userId);
    const [view] = await views(c, [grant], expand);
    return c.json(view);
  });

  router.delete("/:userId/grants/:grantId", async (c) => {
    const userId = await existingUser(c);
    const grant = await existingGrant(c, userId);
    await revokeConsentGrants(c.env.DIRECTORY, { userId, grantId: grant.id }, now());
    return c.body(null, 204);
  });

  router.get("/:userId/clients/:clientId/grants", async (c) => {
    const userId = await existingUser(c);
    const clientId = pathId(c.req.param("clientId"), "clientId");
    const page = pageParams(c, CONSENT_GRANTS_PAGE_LIMIT);
    const expand = expandScope(c);
    const { grants, next } = await listConsentGrants(c.env.DIRECTORY, { userId, clientId, ...page });
    setDirectoryLinks(
      c,
      `/api/v1/users/${userId}/clients/${encodeURIComponent(clientId)}/grants`,
      page.limit,
      next,
    );
    return c.json(await views(c, grants, expand));
  });

  router.delete("/:userId/clients/:clientId/grants", async (c) => {
    const userId = await existingUser(c);
    const clientId = pathId(c.req.param("clientId"), "clientId");
    await revokeConsentGrants(c.env.DIRECTORY, { userId, clientId }, now());
    return c.body(null, 204);
  });

  return router;
}

/** The id of the user the path names (by id or login, as the Users API takes it), or Okta's 404. */
async function existingUser(c: Ctx): Promise<string> {
  const id = c.req.param("userId") ?? "";
  const user = await findUser(c.env.DIRECTORY, id);
  return user ? user.id : notFound(id.slice(0, 100), "User");
}

async function existingGrant(c: Ctx, userId: string): Promise<StoredConsentGrant> {
  const grantId = c.req.param("grantId") ?? "";
  // Another user's grant is not found through this user: nobody revokes by guessing ids.
  const grant = await getConsentGrant(c.env.DIRECTORY, userId, grantId);
  return grant ?? notFound(grantId.slice(0, 100), "OAuth2ScopeConsentGrant");
}

/** A path or query id: bounded, so an oversized value is a 400, not a scan. */
function pathId(value: string | undefined, name: string): string {
  if (!value || value.length > CONSENT_GRANTS_QUERY_MAX_LENGTH) {
    throw validationFailed([
      { path: name, message: `must be 1 to ${CONSENT_GRANTS_QUERY_MAX_LENGTH} characters` },
    ]);
  }
  return value;
}

function boundedQuery(c: Ctx, name: string): string | undefined {
  const value = new URL(c.req.url).searchParams.get(name);
  return value === null ? undefined : pathId(value, name);
}

/** Okta's `expand`: only `scope` (the grant's scope in `_embedded`); anything else is a 400. */
function expandScope(c: Ctx): boolean {
  const expand = new URL(c.req.url).searchParams.get("expand");
  if (expand === null) return false;
  if (expand !== "scope") throw validationFailed([{ path: "expand", message: "must be 'scope'" }]);
  return true;
}

async function views(c: Ctx, grants: readonly StoredConsentGrant[], expand: boolean) {
  const scopes = new Map<string, Scope>();
  if (expand) {
    // One control-plane read per server on the page (admin reads are read-your-writes, DESIGN §1).
    for (const serverId of new Set(grants.map((g) => g.serverId))) {
      const config = await controlPlane(c.env).getServerConfig(serverId);
      for (const scope of config?.scopes ?? []) scopes.set(`${serverId} ${scope.id}`, scope);
    }
  }
  return grants.map((grant) =>
    grantView(grant, adminOrigin(c), expand, scopes.get(`${grant.serverId} ${grant.scopeId}`)),
  );
}

/** Okta's OAuth2ScopeConsentGrant. */
export function grantView(grant: StoredConsentGrant, origin: string, expand: boolean, scope?: Scope) {
  const api = `${origin}/api/v1`;
  const app = `${api}/apps/${encodeURIComponent(grant.clientId)}`;
  return {
    id: grant.id,
    status: grant.status,
    created: new Date(grant.created).toISOString(),
    lastUpdated: new Date(grant.lastUpdated).toISOString(),
    issuer: grant.issuer,
    clientId: grant.clientId,
    userId: grant.userId,
    scopeId: grant.scopeId,
    source: grant.source,
    createdBy: { id: grant.userId, type: "User" },
    ...(expand
      ? {
          _embedded: {
            scope: {
              id: grant.scopeId,
              name: scope?.name ?? grant.scopeName,
              ...(scope
                ? { displayName: scope.displayName ?? scope.name, description: scope.description }
                : {}),
            },
          },
        }
      : {}),
    _links: {
      app: { href: app },
      client: { href: `${origin}/oauth2/v1/clients/${encodeURIComponent(grant.clientId)}` },
      scope: {
        href: `${api}/authorizationServers/${encodeURIComponent(grant.serverId)}/scopes/${encodeURIComponent(grant.scopeId)}`,
        title: grant.scopeName,
      },
      self: {
        href: `${api}/users/${grant.userId}/grants/${grant.id}`,
        hints: { allow: ["GET", "DELETE"] },
      },
      user: { href: `${api}/users/${grant.userId}` },
      authorizationServer: { href: `${api}/authorizationServers/${encodeURIComponent(grant.serverId)}` },
    },
  };
}
