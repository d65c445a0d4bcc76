/**
 * Every route of the management API as an OpenAPI operation: its path, what it takes and what it
 * answers. The routers cannot say this themselves (Hono keeps no metadata), so it is said here once,
 * and `test/worker/openapi.test.ts` holds the two together: every route the app registers must be
 * here and every operation here must be a route, and real responses must match the schemas named.
 *
 * What follows from the route and needs no entry: 401 and 403 on every authenticated operation,
 * 404 on every path with an id in it, 400 on every operation that takes a body or a checked query
 * parameter.
 */
import * as z from "zod";
import {
  APP_GROUPS_PAGE_LIMIT,
  APP_USERS_PAGE_LIMIT,
  APPS_PAGE_LIMIT,
  AUTHORIZATION_SERVERS_PAGE_LIMIT,
  CONSENT_GRANTS_PAGE_LIMIT,
  CONSENT_GRANTS_QUERY_MAX_LENGTH,
  DIRECTORY_Q_MAX_LENGTH,
  GRANT_CLIENTS_MAX,
  GROUP_MEMBERS_PAGE_LIMIT,
  GROUPS_PAGE_LIMIT,
  LOG_FILTER_MAX_LENGTH,
  LOG_QUERY_DEFAULT_LIMIT,
  LOG_QUERY_MAX_LIMIT,
  LOG_QUERY_MAX_Q_LENGTH,
  MAX_CLIENT_SECRETS,
  REFRESH_TOKENS_PAGE_LIMIT,
  SCOPES_PAGE_LIMIT,
  TRUSTED_ORIGINS_PAGE_LIMIT,
  TRUSTED_ORIGINS_QUERY_MAX_LENGTH,
  USERS_PAGE_LIMIT,
  USERS_Q_MAX_LENGTH,
  USERS_Q_PAGE_LIMIT,
} from "../../config/defaults";
import { TOKEN_INLINE_HOOK_TYPE } from "../../config/schemas";
import type { RequestSchemaName, ResponseSchemaName } from "./components";

export const TAGS = {
  AuthorizationServer:
    "Custom authorization servers: each issues tokens at `/oauth2/{authServerId}/v1/token`.",
  Scope: "The scopes a server grants; the OIDC scopes exist on every server and cannot be changed.",
  Claim: "Custom claims added to the tokens a server mints.",
  Policy: "Access policies, evaluated in priority order: the first whose client condition matches decides.",
  Rule: "A policy's rules, in priority order: the first whose conditions all hold issues the token.",
  Key: "Signing keys: NEXT, ACTIVE, EXPIRED, on Okta's rotation schedule.",
  TokenPreview:
    "The token a request would get, with the policy trace; nothing is signed or recorded (Warden).",
  Application: "OAuth clients as Okta OIDC apps; `id` is the `client_id`.",
  InlineHook: "Token inline hooks (`com.okta.oauth2.tokens.transform`).",
  ApiToken: "Admin API tokens for `Authorization: SSWS`.",
  ConfigAsCode: "Warden's whole-configuration import and export, which `warden plan` / `apply` use.",
  SystemLog:
    "Okta's System Log: admin changes, token grants (counted per minute by default), denials with their policy trace, key and hook events.",
  Reference: "This document and its readable rendering: public, they hold no data.",
  User: "Okta's Users API on the directory (D1): profiles, passwords (hashed, never shown), lifecycle, search.",
  Group: "Okta's groups, their members, and a user's groups; Everyone is BUILT_IN and every user's.",
  ApplicationUsers: "Users assigned to an app, directly or through a group: only they get user tokens.",
  ApplicationGroups: "Groups assigned to an app: their members are assigned to it.",

  Authentication:
    "Okta's `/api/v1/authn` for apps with their own sign-in form: public; a single-use sessionToken for `/v1/authorize`.",
  Session: "The browser's sign-in session (`sid` cookie), as okta-auth-js reads and ends it: public.",
  UserGrant:
    "A user's consents (Okta's OAuth2ScopeConsentGrant, `oag…`), given on the consent page; a revoked consent is asked again at the next sign-in.",
  RoleAssignment:
    "Okta's standard admin roles assigned to users (`ra…`): SUPER_ADMIN gives every okta.* scope, READ_ONLY_ADMIN every `…read` one, to the user's own org access tokens while the user is ACTIVE.",
  UserOAuth:
    "A user's refresh tokens (Okta's OAuth2RefreshToken, `oar…`), one per grant, and the apps holding them; revoking one ends its grant and every access token it issued.",
  AuthorizationServerClients:
    "The refresh tokens an authorization server issued to each app, and the apps holding them; revoking one ends its grant and every access token it issued.",
  TrustedOrigin:
    "Okta's trusted origins: web pages (CORS) that may read the token, userinfo, introspect, revoke and logout endpoints' answers, and where sign-out may redirect (REDIRECT).",
} as const;
export type Tag = keyof typeof TAGS;

export interface QueryParameter {
  name: string;
  schema: z.ZodType;
  description: string;
  /** The route answers 400 for a value it cannot take. */
  checked?: boolean;
}

export interface Operation {
  operationId: string;
  method: "get" | "post" | "put" | "delete";
  /** OpenAPI path template; parameter names are Okta's. */
  path: string;
  tag: Tag;
  summary: string;
  description?: string;
  query?: readonly QueryParameter[];
  body?: RequestSchemaName;
  /** The body may be empty. */
  optionalBody?: boolean;
  status: 200 | 201 | 204;
  /** The success body: a schema, or `[schema]` for an array of it. */
  returns?: ResponseSchemaName | readonly [ResponseSchemaName];
  /** `Link` headers (RFC 8288) for cursor pagination. */
  paged?: boolean;
  /** Why the route answers 400 beyond an invalid body or query. */
  refuses?: string;
  /** No authentication: the document and the reference page. */
  public?: boolean;
  /** The success body is HTML, not JSON. */
  html?: boolean;
}

/** Okta's path parameter names, and what each one names. */
export const PATH_PARAMETERS: Record<string, string> = {
  authServerId: "The authorization server's id (the `{authServerId}` of its issuer).",
  scopeId: "The scope's id.",
  claimId: "The claim's id.",
  policyId: "The policy's id.",
  ruleId: "The rule's id.",
  keyId: "The key's `kid`.",
  appId: "The app's id, which is its `client_id`.",
  secretId: "The client secret's id.",
  inlineHookId: "The inline hook's id.",
  apiTokenId: "The API token's id.",
  userId: "The user's id (`00u…`), or its login (case-insensitive) where the Users API takes one.",
  groupId: "The group's id (`00g…`).",
  trustedOriginId: "The trusted origin's id (`tos…`).",
  grantId: "The consent grant's id (`oag…`).",
  clientId: "The app's `client_id`.",
  roleAssignmentId: "The role assignment's id (`ra…`).",
  tokenId: "The refresh token's id (`oar…`).",

  associatedServerId: "The trusted authorization server's id.",
};

const limit = (limits: { default: number; max: number }): QueryParameter => ({
  name: "limit",
  schema: z.int().min(1).default(limits.default),
  description: `Page size; more than ${limits.max} is taken as ${limits.max}.`,
  checked: true,
});
const after: QueryParameter = {
  name: "after",
  schema: z.string(),
  description: "The cursor of the page to read, from the previous page's `next` link.",
};
const q = (description: string): QueryParameter => ({ name: "q", schema: z.string(), description });
const flag = (name: string, description: string): QueryParameter => ({
  name,
  schema: z.enum(["true", "false"]).default("false"),
  description: `${description} Any other value is a 400, so a typo never means \`false\`.`,
  checked: true,
});

const servers = "/api/v1/authorizationServers";
const server = `${servers}/{authServerId}`;
const policy = `${server}/policies/{policyId}`;
const rule = `${policy}/rules/{ruleId}`;
const app = "/api/v1/apps/{appId}";
const secret = `${app}/credentials/secrets/{secretId}`;
const hook = "/api/v1/inlineHooks/{inlineHookId}";
const group = "/api/v1/groups/{groupId}";

/** The usual five operations of a collection and its items, Okta's names and answers. */
function crud(o: {
  tag: Tag;
  collection: string;
  item: string;
  /** Okta's operationId stem, e.g. `OAuth2Scope`, and how a summary names one and many. */
  stem: string;
  one: string;
  many: string;
  view: ResponseSchemaName;
  create: RequestSchemaName;
  replace: RequestSchemaName;
  listQuery?: readonly QueryParameter[];
  paged?: boolean;
  createStatus?: 200 | 201;
  deleteRefuses?: string;
}): Operation[] {
  const { tag, collection, item, stem, view } = o;
  return [
    {
      operationId: `list${stem}s`,
      method: "get",
      path: collection,
      tag,
      summary: `List ${o.many}`,
      ...(o.listQuery ? { query: o.listQuery } : {}),
      status: 200,
      returns: [view],
      ...(o.paged ? { paged: true } : {}),
    },
    {
      operationId: `create${stem}`,
      method: "post",
      path: collection,
      tag,
      summary: `Create ${o.one}`,
      body: o.create,
      status: o.createStatus ?? 201,
      returns: view,
    },
    {
      operationId: `get${stem}`,
      method: "get",
      path: item,
      tag,
      summary: `Get ${o.one}`,
      status: 200,
      returns: view,
    },
    {
      operationId: `replace${stem}`,
      method: "put",
      path: item,
      tag,
      summary: `Replace ${o.one}`,
      body: o.replace,
      status: 200,
      returns: view,
    },
    {
      operationId: `delete${stem}`,
      method: "delete",
      path: item,
      tag,
      summary: `Delete ${o.one}`,
      status: 204,
      ...(o.deleteRefuses ? { refuses: o.deleteRefuses } : {}),
    },
  ];
}

/** `POST {path}/lifecycle/activate|deactivate`. */
function lifecycle(
  o: { tag: Tag; path: string; stem: string; one: string; refuses?: { deactivate: string } },
  answer: { status: 200 | 204; returns?: ResponseSchemaName },
): Operation[] {
  return (["activate", "deactivate"] as const).map((action) => ({
    operationId: `${action}${o.stem}`,
    method: "post",
    path: `${o.path}/lifecycle/${action}`,
    tag: o.tag,
    summary: `${action === "activate" ? "Activate" : "Deactivate"} ${o.one}`,
    ...answer,
    ...(action === "deactivate" && o.refuses ? { refuses: o.refuses.deactivate } : {}),
  }));
}

// ---- users (src/admin/users.ts) ----

const users = "/api/v1/users";
const user = `${users}/{userId}`;

const USER_LIFECYCLE: readonly { action: string; summary: string; refuses: string }[] = [
  {
    action: "activate",
    summary: "Activate a user",
    refuses:
      "STAGED or DEPROVISIONED users only (403 E0000016 otherwise): ACTIVE with a password, PROVISIONED without. Answers `{}` (Warden sends no activation email).",
  },
  {
    action: "deactivate",
    summary: "Deactivate a user",
    refuses: "Any user not DEPROVISIONED (403 E0000038 otherwise).",
  },
  {
    action: "suspend",
    summary: "Suspend a user",
    refuses: "ACTIVE users only: 400 E0000001 `Cannot suspend a user that is not active`.",
  },
  { action: "unsuspend", summary: "Unsuspend a user", refuses: "SUSPENDED users only: 400 E0000001." },
  {
    action: "unlock",
    summary: "Unlock a user",
    refuses:
      "LOCKED_OUT users (and ACTIVE ones, whose failed sign-ins are forgotten) only: 403 E0000032 otherwise.",
  },
];

const USER_OPERATIONS: readonly Operation[] = [
  {
    operationId: "listUsers",
    method: "get",
    path: users,
    tag: "User",
    summary: "List users",
    description:
      "Without a query, every user but DEPROVISIONED ones, by id. At most one of `q`, `filter`, `search` (two together: 400 E0000033); a filter or search that does not parse is 400 E0000031.",
    query: [
      {
        name: "q",
        schema: z.string().max(USERS_Q_MAX_LENGTH),
        description: `A prefix of firstName, lastName or email, case-insensitive; DEPROVISIONED users left out; ${USERS_Q_PAGE_LIMIT.default} users by default and no next page.`,
        checked: true,
      },
      {
        name: "filter",
        schema: z.string(),
        description:
          '`eq` on `status`, `id`, `profile.login`, `profile.email`, `profile.firstName`, `profile.lastName`, and `gt ge lt le` on `lastUpdated`; `and`, `or`, parentheses. E.g. `status eq "ACTIVE" and lastUpdated gt "2026-01-01T00:00:00.000Z"`.',
        checked: true,
      },
      {
        name: "search",
        schema: z.string(),
        description:
          '`eq sw gt ge lt le pr` (`co` on the four standard profile attributes) over `id`, `status`, `created`, `activated`, `statusChanged`, `lastUpdated`, `lastLogin`, `passwordChanged` and any `profile.*`; `and`, `or`, parentheses; string values case-insensitive. E.g. `profile.department eq "Engineering" and status eq "ACTIVE"`.',
        checked: true,
      },
      {
        name: "sortBy",
        schema: z.string(),
        description: "With `search`: one attribute search takes; ties by id.",
        checked: true,
      },
      {
        name: "sortOrder",
        schema: z.enum(["asc", "desc"]).default("asc"),
        description: "With `search` and `sortBy`.",
        checked: true,
      },
      limit(USERS_PAGE_LIMIT),
      { ...after, checked: true },
    ],
    status: 200,
    returns: ["User"],
    paged: true,
  },
  {
    operationId: "createUser",
    method: "post",
    path: users,
    tag: "User",
    summary: "Create a user",
    description:
      "`activate=true` (the default): ACTIVE with a password, PROVISIONED without; `activate=false`: STAGED. `nextLogin=changePassword` with a password: PASSWORD_EXPIRED.",
    query: [
      {
        name: "activate",
        schema: z.enum(["true", "false"]).default("true"),
        description: "Whether the user is activated now.",
        checked: true,
      },
      {
        name: "nextLogin",
        schema: z.enum(["changePassword"]),
        description: "The user changes the password at the first sign-in.",
        checked: true,
      },
    ],
    body: "CreateUserRequest",
    status: 200,
    returns: "User",
    refuses:
      "A login another user has (case-insensitively), a group id that names no OKTA_GROUP, a password the policy refuses.",
  },
  {
    operationId: "getUser",
    method: "get",
    path: user,
    tag: "User",
    summary: "Get a user by id or login",
    status: 200,
    returns: "User",
  },
  {
    operationId: "updateUser",
    method: "post",
    path: user,
    tag: "User",
    summary: "Update a user's profile (partial) or password",
    body: "UpdateUserRequest",
    status: 200,
    returns: "User",
    refuses: "A login another user has, a password the policy refuses.",
  },
  {
    operationId: "replaceUser",
    method: "put",
    path: user,
    tag: "User",
    summary: "Replace a user's profile",
    body: "ReplaceUserRequest",
    status: 200,
    returns: "User",
    refuses: "A login another user has, a password the policy refuses.",
  },
  {
    operationId: "deleteUser",
    method: "delete",
    path: user,
    tag: "User",
    summary: "Deactivate a user, or delete a DEPROVISIONED one",
    description:
      "Okta's two-step delete: a user not DEPROVISIONED is deactivated; a DEPROVISIONED one is deleted with its memberships and app assignments.",
    status: 204,
  },
  ...USER_LIFECYCLE.map(
    ({ action, summary, refuses }): Operation => ({
      operationId: `${action}User`,
      method: "post",
      path: `${user}/lifecycle/${action}`,
      tag: "User",
      summary,
      status: 200,
      returns: "EmptyObject",
      refuses,
    }),
  ),
];

// ---- consent grants (src/admin/user-grants.ts) ----

const userGrants = `${user}/grants`;
const userClientGrants = `${user}/clients/{clientId}/grants`;
const expandScope: QueryParameter = {
  name: "expand",
  schema: z.enum(["scope"]),
  description: "`scope`: the scope's name, displayName and description in `_embedded`.",
  checked: true,
};

const GRANT_OPERATIONS: readonly Operation[] = [
  {
    operationId: "listUserGrants",
    method: "get",
    path: userGrants,
    tag: "UserGrant",
    summary: "List a user's consent grants",
    description: "ACTIVE grants only, by id.",
    query: [
      {
        name: "scopeId",
        schema: z.string().max(CONSENT_GRANTS_QUERY_MAX_LENGTH),
        description: "Only the grants of this scope id.",
        checked: true,
      },
      expandScope,
      limit(CONSENT_GRANTS_PAGE_LIMIT),
      { ...after, checked: true },
    ],
    status: 200,
    returns: ["OAuth2ScopeConsentGrant"],
    paged: true,
  },
  {
    operationId: "revokeUserGrants",
    method: "delete",
    path: userGrants,
    tag: "UserGrant",
    summary: "Revoke all of a user's consent grants",
    status: 204,
  },
  {
    operationId: "getUserGrant",
    method: "get",
    path: `${userGrants}/{grantId}`,
    tag: "UserGrant",
    summary: "Get a consent grant",
    description: "Revoked grants too (status REVOKED).",
    query: [expandScope],
    status: 200,
    returns: "OAuth2ScopeConsentGrant",
  },
  {
    operationId: "revokeUserGrant",
    method: "delete",
    path: `${userGrants}/{grantId}`,
    tag: "UserGrant",
    summary: "Revoke a consent grant",
    description: "The user is asked again at the next authorization; a grant already revoked stays so (204).",
    status: 204,
  },
  {
    operationId: "listGrantsForUserAndClient",
    method: "get",
    path: userClientGrants,
    tag: "UserGrant",
    summary: "List a user's consent grants for one app",
    query: [expandScope, limit(CONSENT_GRANTS_PAGE_LIMIT), { ...after, checked: true }],
    status: 200,
    returns: ["OAuth2ScopeConsentGrant"],
    paged: true,
  },
  {
    operationId: "revokeGrantsForUserAndClient",
    method: "delete",
    path: userClientGrants,
    tag: "UserGrant",
    summary: "Revoke a user's consent grants for one app",
    status: 204,
  },
];

// ---- admin role assignments (src/admin/user-roles.ts) ----

const userRoles = `${user}/roles`;
const ROLE_RIGHTS_RULE =
  "The caller must hold every okta.* scope the role gives (403 E0000006 naming the ones it lacks): a narrower admin can neither make nor unmake a wider one.";

const ROLE_OPERATIONS: readonly Operation[] = [
  {
    operationId: "listAssignedRolesForUser",
    method: "get",
    path: userRoles,
    tag: "RoleAssignment",
    summary: "List a user's role assignments",
    status: 200,
    returns: ["RoleAssignment"],
  },
  {
    operationId: "assignRoleToUser",
    method: "post",
    path: userRoles,
    tag: "RoleAssignment",
    summary: "Assign a standard role to a user",
    description: `${ROLE_RIGHTS_RULE} A role the user holds already is 409 E0000090.`,
    body: "AssignRoleRequest",
    status: 201,
    returns: "RoleAssignment",
  },
  {
    operationId: "getUserAssignedRole",
    method: "get",
    path: `${userRoles}/{roleAssignmentId}`,
    tag: "RoleAssignment",
    summary: "Get a role assignment",
    status: 200,
    returns: "RoleAssignment",
  },
  {
    operationId: "unassignRoleFromUser",
    method: "delete",
    path: `${userRoles}/{roleAssignmentId}`,
    tag: "RoleAssignment",
    summary: "Remove a role assignment",
    description: `${ROLE_RIGHTS_RULE} The user's tokens lose the role's rights at their next request.`,
    status: 204,
  },
];

// ---- refresh tokens (src/admin/refresh-tokens.ts) ----

const expandScopes: QueryParameter = {
  name: "expand",
  schema: z.enum(["scope"]),
  description: "`scope`: each scope's id, name, displayName and description in `_embedded.scopes`.",
  checked: true,
};
const tokenPages: QueryParameter[] = [
  expandScopes,
  limit(REFRESH_TOKENS_PAGE_LIMIT),
  { ...after, checked: true },
];
const userClients = `${user}/clients`;
const userTokens = `${user}/clients/{clientId}/tokens`;
const serverClients = `${server}/clients`;
const serverTokens = `${server}/clients/{clientId}/tokens`;
const revokes =
  "The grant's Durable Object first (its access tokens fail at userinfo and introspection, its refresh token at the token endpoint), then the index; a token already revoked stays so (204).";

const REFRESH_TOKEN_OPERATIONS: readonly Operation[] = [
  {
    operationId: "listUserClients",
    method: "get",
    path: userClients,
    tag: "UserOAuth",
    summary: "List the apps holding a user's refresh tokens",
    description: `By client id, at most ${GRANT_CLIENTS_MAX}.`,
    status: 200,
    returns: ["OAuth2Client"],
  },
  {
    operationId: "listRefreshTokensForUserAndClient",
    method: "get",
    path: userTokens,
    tag: "UserOAuth",
    summary: "List a user's refresh tokens for an app",
    description: "ACTIVE, unexpired tokens, by id.",
    query: tokenPages,
    status: 200,
    returns: ["OAuth2RefreshToken"],
    paged: true,
  },
  {
    operationId: "revokeTokensForUserAndClient",
    method: "delete",
    path: userTokens,
    tag: "UserOAuth",
    summary: "Revoke a user's refresh tokens for an app",
    description: revokes,
    status: 204,
  },
  {
    operationId: "getRefreshTokenForUserAndClient",
    method: "get",
    path: `${userTokens}/{tokenId}`,
    tag: "UserOAuth",
    summary: "Get a user's refresh token",
    description: "Revoked tokens too (status REVOKED); another user's or app's token is a 404.",
    query: [expandScopes],
    status: 200,
    returns: "OAuth2RefreshToken",
  },
  {
    operationId: "revokeTokenForUserAndClient",
    method: "delete",
    path: `${userTokens}/{tokenId}`,
    tag: "UserOAuth",
    summary: "Revoke a user's refresh token",
    description: revokes,
    status: 204,
  },
  {
    operationId: "listOAuth2ClientsForAuthorizationServer",
    method: "get",
    path: serverClients,
    tag: "AuthorizationServerClients",
    summary: "List the apps holding refresh tokens of an authorization server",
    description: `By client id, at most ${GRANT_CLIENTS_MAX}.`,
    status: 200,
    returns: ["OAuth2Client"],
  },
  {
    operationId: "listRefreshTokensForAuthorizationServerAndClient",
    method: "get",
    path: serverTokens,
    tag: "AuthorizationServerClients",
    summary: "List an app's refresh tokens from an authorization server",
    description: "ACTIVE, unexpired tokens of every user, by id.",
    query: tokenPages,
    status: 200,
    returns: ["OAuth2RefreshToken"],
    paged: true,
  },
  {
    operationId: "revokeRefreshTokensForAuthorizationServerAndClient",
    method: "delete",
    path: serverTokens,
    tag: "AuthorizationServerClients",
    summary: "Revoke an app's refresh tokens from an authorization server",
    description: revokes,
    status: 204,
  },
  {
    operationId: "getRefreshTokenForAuthorizationServerAndClient",
    method: "get",
    path: `${serverTokens}/{tokenId}`,
    tag: "AuthorizationServerClients",
    summary: "Get a refresh token of an app",
    description: "Revoked tokens too (status REVOKED); another server's or app's token is a 404.",
    query: [expandScopes],
    status: 200,
    returns: "OAuth2RefreshToken",
  },
  {
    operationId: "revokeRefreshTokenForAuthorizationServerAndClient",
    method: "delete",
    path: `${serverTokens}/{tokenId}`,
    tag: "AuthorizationServerClients",
    summary: "Revoke a refresh token of an app",
    description: revokes,
    status: 204,
  },
];

// ---- trusted origins (src/admin/trusted-origins.ts) ----

const trustedOrigin = "/api/v1/trustedOrigins/{trustedOriginId}";

const TRUSTED_ORIGIN_OPERATIONS: readonly Operation[] = [
  ...crud({
    tag: "TrustedOrigin",
    collection: "/api/v1/trustedOrigins",
    item: trustedOrigin,
    stem: "TrustedOrigin",
    one: "a trusted origin",
    many: "trusted origins",
    view: "TrustedOrigin",
    create: "TrustedOriginRequest",
    replace: "TrustedOriginRequest",
    listQuery: [
      {
        name: "q",
        schema: z.string().max(TRUSTED_ORIGINS_QUERY_MAX_LENGTH),
        description: "Origins whose name or origin starts with this (case-insensitive).",
        checked: true,
      },
      {
        name: "filter",
        schema: z.string().max(TRUSTED_ORIGINS_QUERY_MAX_LENGTH),
        description:
          'Okta\'s filter: `name eq "…"`, `origin eq "…"`, `status eq "ACTIVE"`, joined by `and`; anything else is 400 E0000031.',
        checked: true,
      },
      limit(TRUSTED_ORIGINS_PAGE_LIMIT),
      after,
    ],
    paged: true,
    // Okta answers the creation of a trusted origin with 200.
    createStatus: 200,
  }),
  ...lifecycle(
    { tag: "TrustedOrigin", path: trustedOrigin, stem: "TrustedOrigin", one: "a trusted origin" },
    { status: 200, returns: "TrustedOrigin" },
  ),
];

export const OPERATIONS: readonly Operation[] = [
  // ---- authorization servers ----
  ...crud({
    tag: "AuthorizationServer",
    collection: servers,
    item: server,
    stem: "AuthorizationServer",
    one: "an authorization server",
    many: "authorization servers",
    view: "AuthorizationServer",
    create: "CreateAuthorizationServerRequest",
    replace: "ReplaceAuthorizationServerRequest",
    listQuery: [
      q("Only servers whose name or an audience contains this, case-insensitively."),
      limit(AUTHORIZATION_SERVERS_PAGE_LIMIT),
      after,
    ],
    paged: true,
    deleteRefuses: "An ACTIVE server must be deactivated before it is deleted.",
  }),
  ...lifecycle(
    { tag: "AuthorizationServer", path: server, stem: "AuthorizationServer", one: "an authorization server" },
    { status: 204 },
  ),

  // ---- scopes and claims ----
  ...crud({
    tag: "Scope",
    collection: `${server}/scopes`,
    item: `${server}/scopes/{scopeId}`,
    stem: "OAuth2Scope",
    one: "a scope",
    many: "scopes",
    view: "OAuth2Scope",
    create: "OAuth2ScopeRequest",
    replace: "OAuth2ScopeRequest",
    listQuery: [
      q("Only scopes whose name contains this, case-insensitively."),
      limit(SCOPES_PAGE_LIMIT),
      after,
    ],
    paged: true,
    deleteRefuses: "A scope a rule or a claim names cannot be deleted.",
  }),
  ...crud({
    tag: "Claim",
    collection: `${server}/claims`,
    item: `${server}/claims/{claimId}`,
    stem: "OAuth2Claim",
    one: "a claim",
    many: "claims",
    view: "OAuth2Claim",
    create: "OAuth2ClaimRequest",
    replace: "OAuth2ClaimRequest",
  }),

  // ---- policies and rules ----
  ...crud({
    tag: "Policy",
    collection: `${server}/policies`,
    item: policy,
    stem: "AuthorizationServerPolicy",
    one: "a policy",
    many: "policies",
    view: "AuthorizationServerPolicy",
    create: "AuthorizationServerPolicyRequest",
    replace: "AuthorizationServerPolicyRequest",
  }),
  ...lifecycle(
    { tag: "Policy", path: policy, stem: "AuthorizationServerPolicy", one: "a policy" },
    { status: 204 },
  ),
  ...crud({
    tag: "Rule",
    collection: `${policy}/rules`,
    item: rule,
    stem: "AuthorizationServerPolicyRule",
    one: "a rule",
    many: "rules",
    view: "AuthorizationServerPolicyRule",
    create: "AuthorizationServerPolicyRuleRequest",
    replace: "AuthorizationServerPolicyRuleRequest",
  }),
  ...lifecycle(
    { tag: "Rule", path: rule, stem: "AuthorizationServerPolicyRule", one: "a rule" },
    { status: 204 },
  ),

  // ---- keys ----
  {
    operationId: "listAuthorizationServerKeys",
    method: "get",
    path: `${server}/credentials/keys`,
    tag: "Key",
    summary: "List the published signing keys",
    description: "NEXT, ACTIVE and EXPIRED keys, as the JWKS has them; a revoked key only by its kid.",
    status: 200,
    returns: ["AuthorizationServerJsonWebKey"],
  },
  {
    operationId: "getAuthorizationServerKey",
    method: "get",
    path: `${server}/credentials/keys/{keyId}`,
    tag: "Key",
    summary: "Get a signing key",
    status: 200,
    returns: "AuthorizationServerJsonWebKey",
  },
  {
    operationId: "rotateAuthorizationServerKeys",
    method: "post",
    path: `${server}/credentials/lifecycle/keyRotate`,
    tag: "Key",
    summary: "Rotate the signing keys",
    description:
      "NEXT becomes ACTIVE now, a new NEXT is generated, the old ACTIVE is EXPIRED but still published.",
    body: "KeyRotateRequest",
    optionalBody: true,
    status: 200,
    returns: ["AuthorizationServerJsonWebKey"],
  },
  {
    operationId: "revokeAuthorizationServerKey",
    method: "post",
    path: `${server}/credentials/keys/{keyId}/lifecycle/revoke`,
    tag: "Key",
    summary: "Revoke a signing key (emergency)",
    description: "Warden: the key leaves the JWKS and is never used again.",
    status: 200,
    returns: "AuthorizationServerJsonWebKey",
  },

  // ---- token exchange: trusted servers (Okta's associatedServers) ----
  {
    operationId: "listAssociatedServersByTrustedType",
    method: "get",
    path: `${server}/associatedServers`,
    tag: "AuthorizationServer",
    summary: "List the trusted servers, or those that could be trusted",
    description:
      "`trusted=true` (the default): the servers whose access tokens this one accepts as a token exchange's subject token; `false`: the other servers, not yet trusted.",
    query: [
      {
        name: "trusted",
        schema: z.enum(["true", "false"]).default("true"),
        description: "Trusted servers (`true`) or the others (`false`); any other value is a 400.",
        checked: true,
      },
      q("Only servers whose name or id starts with this, case-insensitively."),
      limit(AUTHORIZATION_SERVERS_PAGE_LIMIT),
      after,
    ],
    status: 200,
    returns: ["AuthorizationServer"],
    paged: true,
  },
  {
    operationId: "createAssociatedServers",
    method: "post",
    path: `${server}/associatedServers`,
    tag: "AuthorizationServer",
    summary: "Trust servers for token exchange",
    description: "Answers every trusted server after the change.",
    body: "AssociatedServerMediated",
    status: 200,
    returns: ["AuthorizationServer"],
    refuses: "A server that does not exist, or the server itself.",
  },
  {
    operationId: "deleteAssociatedServer",
    method: "delete",
    path: `${server}/associatedServers/{associatedServerId}`,
    tag: "AuthorizationServer",
    summary: "Stop trusting a server",
    status: 204,
  },

  // ---- Token Preview ----
  {
    operationId: "previewToken",
    method: "post",
    path: `${server}/tokenPreview`,
    tag: "TokenPreview",
    summary: "Preview the token a request would get",
    description:
      "Runs what the token endpoint runs, on the current configuration: the header and claims, or the error, with every policy and rule it looked at. Nothing is signed and nothing is recorded.",
    body: "TokenPreviewRequest",
    status: 200,
    returns: "TokenPreview",
  },

  // ---- apps ----
  {
    operationId: "listApplications",
    method: "get",
    path: "/api/v1/apps",
    tag: "Application",
    summary: "List apps",
    description:
      "With `filter`, the apps a user or a group is assigned to (directly, through a group, or through Everyone), in id order; `q` does not combine with it.",
    query: [
      q("Only apps whose label starts with this, case-insensitively."),
      {
        name: "filter",
        schema: z.string(),
        description:
          'Okta\'s filter: `user.id eq "<userId>"` or `group.id eq "<groupId>"`; any other expression is 400 E0000031.',
      },
      limit(APPS_PAGE_LIMIT),
      after,
    ],
    status: 200,
    returns: ["OpenIdConnectApplication"],
    paged: true,
  },
  {
    operationId: "createApplication",
    method: "post",
    path: "/api/v1/apps",
    tag: "Application",
    summary: "Create an app",
    description:
      "For an app that authenticates with a secret, the response has the generated one, once; it is stored hashed.",
    query: [
      { name: "activate", schema: z.boolean().default(true), description: "`false` creates it INACTIVE." },
    ],
    body: "OpenIdConnectApplicationRequest",
    status: 200,
    returns: "OpenIdConnectApplication",
  },
  {
    operationId: "getApplication",
    method: "get",
    path: app,
    tag: "Application",
    summary: "Get an app",
    status: 200,
    returns: "OpenIdConnectApplication",
  },
  {
    operationId: "replaceApplication",
    method: "put",
    path: app,
    tag: "Application",
    summary: "Replace an app",
    description: "`credentials.oauthClient.client_id` cannot change and is ignored.",
    body: "OpenIdConnectApplicationRequest",
    status: 200,
    returns: "OpenIdConnectApplication",
  },
  {
    operationId: "deleteApplication",
    method: "delete",
    path: app,
    tag: "Application",
    summary: "Delete an app",
    status: 204,
    refuses: "An ACTIVE app, or one a policy names, cannot be deleted.",
  },
  ...lifecycle(
    { tag: "Application", path: app, stem: "Application", one: "an app" },
    { status: 200, returns: "EmptyObject" },
  ),
  {
    operationId: "listOAuth2ClientSecrets",
    method: "get",
    path: `${app}/credentials/secrets`,
    tag: "Application",
    summary: "List an app's client secrets",
    status: 200,
    returns: ["OAuth2ClientSecret"],
  },
  {
    operationId: "createOAuth2ClientSecret",
    method: "post",
    path: `${app}/credentials/secrets`,
    tag: "Application",
    summary: "Add a client secret",
    description:
      "Warden generates the secret (an optional body is read and ignored); the response has it, once.",
    status: 201,
    returns: "OAuth2ClientSecret",
    refuses: `An app has at most ${MAX_CLIENT_SECRETS} secrets, and one that authenticates without a secret has none.`,
  },
  {
    operationId: "getOAuth2ClientSecret",
    method: "get",
    path: secret,
    tag: "Application",
    summary: "Get a client secret",
    status: 200,
    returns: "OAuth2ClientSecret",
  },
  ...lifecycle(
    {
      tag: "Application",
      path: secret,
      stem: "OAuth2ClientSecret",
      one: "a client secret",
      refuses: { deactivate: "The app's last ACTIVE secret cannot be deactivated." },
    },
    { status: 200, returns: "OAuth2ClientSecret" },
  ),
  {
    operationId: "deleteOAuth2ClientSecret",
    method: "delete",
    path: secret,
    tag: "Application",
    summary: "Delete a client secret",
    status: 204,
    refuses: "An ACTIVE secret must be deactivated before it is deleted.",
  },

  // ---- inline hooks ----
  ...crud({
    tag: "InlineHook",
    collection: "/api/v1/inlineHooks",
    item: hook,
    stem: "InlineHook",
    one: "an inline hook",
    many: "inline hooks",
    view: "InlineHook",
    create: "CreateInlineHookRequest",
    replace: "ReplaceInlineHookRequest",
    listQuery: [
      {
        name: "type",
        schema: z.string(),
        description: `Only hooks of this type; Warden's are all \`${TOKEN_INLINE_HOOK_TYPE}\`.`,
      },
    ],
    // Okta answers the creation of an inline hook with 200.
    createStatus: 200,
    deleteRefuses: "An ACTIVE hook, or one a rule names, cannot be deleted.",
  }),
  ...lifecycle(
    { tag: "InlineHook", path: hook, stem: "InlineHook", one: "an inline hook" },
    { status: 200, returns: "InlineHook" },
  ),

  // ---- API tokens ----
  {
    operationId: "listApiTokens",
    method: "get",
    path: "/api/v1/api-tokens",
    tag: "ApiToken",
    summary: "List API tokens",
    status: 200,
    returns: ["ApiToken"],
  },
  {
    operationId: "createApiToken",
    method: "post",
    path: "/api/v1/api-tokens",
    tag: "ApiToken",
    summary: "Create an API token",
    description:
      "Warden: Okta creates tokens only in its console. The response has the value, once. The token gets the creator's okta.* rights, or the subset `scopes` names; asking for a scope the creator lacks is 403 E0000006.",
    body: "CreateApiTokenRequest",
    status: 201,
    returns: "ApiToken",
  },
  {
    operationId: "revokeCurrentApiToken",
    method: "delete",
    path: "/api/v1/api-tokens/current",
    tag: "ApiToken",
    summary: "Revoke the API token making this request",
    status: 204,
    refuses: "Only a managed API token can revoke itself: not the bootstrap token, not a bearer token.",
  },
  {
    operationId: "getApiToken",
    method: "get",
    path: "/api/v1/api-tokens/{apiTokenId}",
    tag: "ApiToken",
    summary: "Get an API token",
    status: 200,
    returns: "ApiToken",
  },
  {
    operationId: "revokeApiToken",
    method: "delete",
    path: "/api/v1/api-tokens/{apiTokenId}",
    tag: "ApiToken",
    summary: "Revoke an API token",
    status: 204,
  },

  // ---- system log ----
  {
    operationId: "listLogEvents",
    method: "get",
    path: "/api/v1/logs",
    tag: "SystemLog",
    summary: "List System Log events",
    description:
      'Okta\'s System Log API. Events reach the log through a queue, seconds after they happen. Without `until`, in ASCENDING order, the query polls: `Link: rel="next"` is always there, even after an empty page. Token grants are counted per server, client, grant type and minute (`debugContext.debugData.count`) unless the server sets `logging.grants: FULL`. Events are kept 90 days.',
    query: [
      {
        name: "since",
        schema: z.string(),
        description: "ISO 8601: events published at or after (default: 7 days before `until` or now).",
        checked: true,
      },
      {
        name: "until",
        schema: z.string(),
        description: "ISO 8601: events published before; makes the query bounded.",
        checked: true,
      },
      {
        name: "filter",
        schema: z.string().max(LOG_FILTER_MAX_LENGTH),
        description:
          'SCIM filter: `eq ne co sw gt ge lt le pr`, `and`, `or`, `not`, parentheses, over `eventType`, `severity`, `uuid`, `published`, `displayMessage`, `actor.*`, `outcome.result`, `outcome.reason`, `client.ipAddress`, `client.userAgent.rawUserAgent`, `transaction.*`, `target.*` (any target), `debugContext.debugData.*`, e.g. `eventType eq "oauth2.as.created" and outcome.result eq "SUCCESS"`. A filter that does not parse is 400 E0000031.',
        checked: true,
      },
      {
        name: "q",
        schema: z.string().max(LOG_QUERY_MAX_Q_LENGTH),
        description:
          "Keywords (space separated, all must match, case-insensitive) in the message, type, actor, targets or client.",
        checked: true,
      },
      {
        name: "sortOrder",
        schema: z.enum(["ASCENDING", "DESCENDING"]).default("ASCENDING"),
        description: "Order of storage.",
        checked: true,
      },
      limit({ default: LOG_QUERY_DEFAULT_LIMIT, max: LOG_QUERY_MAX_LIMIT }),
      { name: "after", schema: z.string(), description: "The cursor from a `next` link.", checked: true },
    ],
    status: 200,
    returns: ["LogEvent"],
    paged: true,
  },

  // ---- users ----
  ...USER_OPERATIONS,
  ...TRUSTED_ORIGIN_OPERATIONS,
  ...GRANT_OPERATIONS,
  ...ROLE_OPERATIONS,
  ...REFRESH_TOKEN_OPERATIONS,

  // ---- config as code ----
  {
    operationId: "importConfiguration",
    method: "post",
    path: "/api/v1/warden/import",
    tag: "ConfigAsCode",
    summary: "Import servers, clients and inline hooks",
    description: "One validated, all-or-nothing write of everything the document has.",
    query: [
      flag("prune", "`true` also deletes the servers, clients and inline hooks the document does not have."),
      flag("dryRun", "`true` validates against the current state and writes nothing."),
    ],
    body: "ImportDocument",
    status: 200,
    returns: "ImportSummary",
  },
  {
    operationId: "exportConfiguration",
    method: "get",
    path: "/api/v1/warden/export",
    tag: "ConfigAsCode",
    summary: "Export the whole configuration",
    description: "Every server, client and inline hook as an import would restate them, without a secret.",
    status: 200,
    returns: "ExportDocument",
  },

  // ---- this document ----
  {
    operationId: "getOpenApiDocument",
    method: "get",
    path: "/api/v1/openapi.json",
    tag: "Reference",
    summary: "This OpenAPI 3.1 document",
    status: 200,
    public: true,
  },
  {
    operationId: "getApiReference",
    method: "get",
    path: "/api/v1/reference",
    tag: "Reference",
    summary: "This document as a readable page",
    status: 200,
    public: true,
    html: true,
  },

  // ---- groups, members, a user's groups, app assignments ----
  ...crud({
    tag: "Group",
    collection: "/api/v1/groups",
    item: group,
    stem: "Group",
    one: "a group",
    many: "groups",
    view: "Group",
    create: "GroupRequest",
    replace: "GroupRequest",
    listQuery: [
      q("Groups whose name starts with this, case-insensitively."),
      {
        name: "filter",
        schema: z.string().max(LOG_FILTER_MAX_LENGTH),
        description:
          'SCIM filter over `id`, `type`, `lastUpdated`, `lastMembershipUpdated` (`eq`, and `gt ge lt le` on the times) and `profile.name` (`eq`), with `and`, `or`, parentheses, e.g. `type eq "OKTA_GROUP"`. One that does not parse is 400 E0000031.',
        checked: true,
      },
      {
        name: "search",
        schema: z.string().max(LOG_FILTER_MAX_LENGTH),
        description:
          'SCIM search over `id`, `type`, `created`, `lastUpdated`, `lastMembershipUpdated` and any `profile.*` attribute: `eq ne sw gt ge lt le pr`, `co` on `profile.name` and `profile.description`, `and`, `or`, `not`, parentheses; profile strings compare without regard to case, e.g. `profile.name sw "eng"`.',
        checked: true,
      },
      limit(GROUPS_PAGE_LIMIT),
      after,
    ],
    paged: true,
    // Okta answers a group's creation with 200.
    createStatus: 200,
    deleteRefuses: "Everyone (BUILT_IN) cannot be changed or deleted: 400 E0000060.",
  }),
  {
    operationId: "listGroupUsers",
    method: "get",
    path: `${group}/users`,
    tag: "Group",
    summary: "List a group's members",
    description: "Everyone's members are every user.",
    query: [limit(GROUP_MEMBERS_PAGE_LIMIT), after],
    status: 200,
    returns: ["User"],
    paged: true,
  },
  {
    operationId: "assignUserToGroup",
    method: "put",
    path: `${group}/users/{userId}`,
    tag: "Group",
    summary: "Add a user to a group",
    description: "Idempotent: adding a member again changes nothing.",
    status: 204,
    refuses: "Everyone's members cannot be changed: 400 E0000060.",
  },
  {
    operationId: "unassignUserFromGroup",
    method: "delete",
    path: `${group}/users/{userId}`,
    tag: "Group",
    summary: "Remove a user from a group",
    description: "Idempotent: removing a non-member changes nothing.",
    status: 204,
    refuses: "Everyone's members cannot be changed: 400 E0000060.",
  },
  {
    operationId: "listUserGroups",
    method: "get",
    path: "/api/v1/users/{userId}/groups",
    tag: "Group",
    summary: "List a user's groups",
    description: "Everyone first. Needs okta.users.read, as Okta.",
    status: 200,
    returns: ["Group"],
  },
  {
    operationId: "listApplicationUsers",
    method: "get",
    path: `${app}/users`,
    tag: "ApplicationUsers",
    summary: "List the users assigned to an app",
    description:
      "Direct (`scope: USER`) and through groups (`scope: GROUP`), one per user, in user id order.",
    query: [limit(APP_USERS_PAGE_LIMIT), after],
    status: 200,
    returns: ["AppUser"],
    paged: true,
  },
  {
    operationId: "assignUserToApplication",
    method: "post",
    path: `${app}/users`,
    tag: "ApplicationUsers",
    summary: "Assign a user to an app",
    description: "Assigning an assigned user again updates its profile when one is given.",
    body: "AppUserAssignRequest",
    status: 200,
    returns: "AppUser",
  },
  {
    operationId: "getApplicationUser",
    method: "get",
    path: `${app}/users/{userId}`,
    tag: "ApplicationUsers",
    summary: "Get an assigned user",
    status: 200,
    returns: "AppUser",
  },
  {
    operationId: "updateApplicationUser",
    method: "post",
    path: `${app}/users/{userId}`,
    tag: "ApplicationUsers",
    summary: "Update an assigned user",
    description: "A user assigned through a group becomes assigned directly (`scope: USER`).",
    body: "AppUserUpdateRequest",
    status: 200,
    returns: "AppUser",
  },
  {
    operationId: "unassignUserFromApplication",
    method: "delete",
    path: `${app}/users/{userId}`,
    tag: "ApplicationUsers",
    summary: "Unassign a user from an app",
    status: 204,
    refuses: "A user assigned only through a group is unassigned through the group.",
  },
  {
    operationId: "listApplicationGroupAssignments",
    method: "get",
    path: `${app}/groups`,
    tag: "ApplicationGroups",
    summary: "List the groups assigned to an app",
    query: [
      {
        name: "q",
        schema: z.string().max(DIRECTORY_Q_MAX_LENGTH),
        description: "Groups whose name starts with this.",
        checked: true,
      },
      limit(APP_GROUPS_PAGE_LIMIT),
      after,
    ],
    status: 200,
    returns: ["ApplicationGroupAssignment"],
    paged: true,
  },
  {
    operationId: "assignGroupToApplication",
    method: "put",
    path: `${app}/groups/{groupId}`,
    tag: "ApplicationGroups",
    summary: "Assign a group to an app, or update its assignment",
    body: "ApplicationGroupAssignmentRequest",
    optionalBody: true,
    status: 200,
    returns: "ApplicationGroupAssignment",
  },
  {
    operationId: "getApplicationGroupAssignment",
    method: "get",
    path: `${app}/groups/{groupId}`,
    tag: "ApplicationGroups",
    summary: "Get a group's assignment to an app",
    status: 200,
    returns: "ApplicationGroupAssignment",
  },
  {
    operationId: "unassignApplicationFromGroup",
    method: "delete",
    path: `${app}/groups/{groupId}`,
    tag: "ApplicationGroups",
    summary: "Unassign a group from an app",
    status: 204,
  },

  // ---- sign-in (src/signin/authn.ts): public, no admin authentication ----
  {
    operationId: "primaryAuthentication",
    method: "post",
    path: "/api/v1/authn",
    tag: "Authentication",
    summary: "Check a username and password; a single-use sessionToken",
    description:
      "Every failure (unknown user, wrong password, locked, suspended) is 401 E0000004 `Authentication failed`; rate limited per address and per username (429 E0000047).",
    body: "AuthnRequest",
    status: 200,
    returns: "AuthnTransaction",
    public: true,
  },
  {
    operationId: "getCurrentSession",
    method: "get",
    path: "/api/v1/sessions/me",
    tag: "Session",
    summary: "The session the `sid` cookie names (404 E0000007 without one)",
    status: 200,
    returns: "Session",
    public: true,
  },
  {
    operationId: "closeCurrentSession",
    method: "delete",
    path: "/api/v1/sessions/me",
    tag: "Session",
    summary: "End the session the `sid` cookie names and clear the cookie",
    status: 204,
    public: true,
  },
];
