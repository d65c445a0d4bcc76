/**
 * Every successful management-API write is one system-log event (Okta's event types: `oauth2.as.*`,
 * `oauth2.scope.*`, `policy.lifecycle.*`, `application.lifecycle.*`, `system.api_token.*`, …), with
 * the admin as actor, the objects as targets and the caller's address. Admin writes are rare, so
 * each is sent at once (after the response when the runtime allows, before it otherwise). Requests
 * made with a managed API token are counted per token and minute (`warden.api_token.use`).
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AdminCaller } from "../config/rights";
import type { AppEnv, BindPorts } from "../context";
import { EVENT_TYPES, type EventType, type LogActor, requestInfo, serverTarget } from "../log/event";
import type { EventLog } from "../log/event-log";

type Target = { id: string; type: string; alternateId: string; displayName: string };

/**
 * What a route sets (`c.set("audited", …)`) when its events depend on what the write did: the events,
 * in order, each with Okta's type and message, and the one target they are about.
 */
export interface AuditedWrite {
  events: { eventType: EventType; message: string }[];
  target: Target;
}

interface Route {
  method: string;
  pattern: RegExp;
  eventType: EventType | ((match: RegExpExecArray) => EventType);
  /** The targets named by the path's groups, in order; a `created` type takes the new object's id from the answer. */
  targets: string[];
  created?: string;
  message: string;
}

const SERVER = "/authorizationServers/([^/]+)";
const lifecycle = (activate: EventType, deactivate: EventType) => (m: RegExpExecArray) =>
  m[m.length - 1] === "activate" ? activate : deactivate;

const E = EVENT_TYPES;
const ROUTES: Route[] = [
  {
    method: "POST",
    pattern: /^\/authorizationServers$/,
    eventType: E.serverCreated,
    targets: [],
    created: "AuthorizationServer",
    message: "Create authorization server",
  },
  {
    method: "PUT",
    pattern: new RegExp(`^${SERVER}$`),
    eventType: E.serverUpdated,
    targets: ["AuthorizationServer"],
    message: "Update authorization server",
  },
  {
    method: "DELETE",
    pattern: new RegExp(`^${SERVER}$`),
    eventType: E.serverDeleted,
    targets: ["AuthorizationServer"],
    message: "Delete authorization server",
  },
  {
    method: "POST",
    pattern: new RegExp(`^${SERVER}/lifecycle/(activate|deactivate)$`),
    eventType: lifecycle(E.serverActivated, E.serverDeactivated),
    targets: ["AuthorizationServer"],
    message: "Change authorization server status",
  },
  {
    method: "POST",
    pattern: new RegExp(`^${SERVER}/scopes$`),
    eventType: E.scopeCreated,
    targets: ["AuthorizationServer"],
    created: "Scope",
    message: "Create scope",
  },
  {
    method: "PUT",
    pattern: new RegExp(`^${SERVER}/scopes/([^/]+)$`),
    eventType: E.scopeUpdated,
    targets: ["AuthorizationServer", "Scope"],
    message: "Update scope",
  },
  {
    method: "DELETE",
    pattern: new RegExp(`^${SERVER}/scopes/([^/]+)$`),
    eventType: E.scopeDeleted,
    targets: ["AuthorizationServer", "Scope"],
    message: "Delete scope",
  },
  {
    method: "POST",
    pattern: new RegExp(`^${SERVER}/claims$`),
    eventType: E.claimCreated,
    targets: ["AuthorizationServer"],
    created: "Claim",
    message: "Create claim",
  },
  {
    method: "PUT",
    pattern: new RegExp(`^${SERVER}/claims/([^/]+)$`),
    eventType: E.claimUpdated,
    targets: ["AuthorizationServer", "Claim"],
    message: "Update claim",
  },
  {
    method: "DELETE",
    pattern: new RegExp(`^${SERVER}/claims/([^/]+)$`),
    eventType: E.claimDeleted,
    targets: ["AuthorizationServer", "Claim"],
    message: "Delete claim",
  },
  {
    method: "POST",
    pattern: new RegExp(`^${SERVER}/policies$`),
    eventType: E.policyCreate,
    targets: ["AuthorizationServer"],
    created: "Policy",
    message: "Create policy",
  },
  {
    method: "PUT",
    pattern: new RegExp(`^${SERVER}/policies/([^/]+)$`),
    eventType: E.policyUpdate,
    targets: ["AuthorizationServer", "Policy"],
    message: "Update policy",
  },
  {
    method: "DELETE",
    pattern: new RegExp(`^${SERVER}/policies/([^/]+)$`),
    eventType: E.policyDelete,
    targets: ["AuthorizationServer", "Policy"],
    message: "Delete policy",
  },
  {
    method: "POST",
    pattern: new RegExp(`^${SERVER}/policies/([^/]+)/lifecycle/(activate|deactivate)$`),
    eventType: lifecycle(E.policyActivate, E.policyDeactivate),
    targets: ["AuthorizationServer", "Policy"],
    message: "Change policy status",
  },
  {
    method: "POST",
    pattern: new RegExp(`^${SERVER}/policies/([^/]+)/rules$`),
    eventType: E.ruleAdd,
    targets: ["AuthorizationServer", "Policy"],
    created: "PolicyRule",
    message: "Add policy rule",
  },
  {
    method: "PUT",
    pattern: new RegExp(`^${SERVER}/policies/([^/]+)/rules/([^/]+)$`),
    eventType: E.ruleUpdate,
    targets: ["AuthorizationServer", "Policy", "PolicyRule"],
    message: "Update policy rule",
  },
  {
    method: "DELETE",
    pattern: new RegExp(`^${SERVER}/policies/([^/]+)/rules/([^/]+)$`),
    eventType: E.ruleDelete,
    targets: ["AuthorizationServer", "Policy", "PolicyRule"],
    message: "Delete policy rule",
  },
  {
    method: "POST",
    pattern: new RegExp(`^${SERVER}/policies/([^/]+)/rules/([^/]+)/lifecycle/(activate|deactivate)$`),
    eventType: lifecycle(E.ruleActivate, E.ruleDeactivate),
    targets: ["AuthorizationServer", "Policy", "PolicyRule"],
    message: "Change policy rule status",
  },
  {
    method: "POST",
    pattern: new RegExp(`^${SERVER}/credentials/lifecycle/keyRotate$`),
    eventType: E.keyRollover,
    targets: ["AuthorizationServer"],
    message: "Rotate authorization server signing key",
  },
  {
    method: "POST",
    pattern: new RegExp(`^${SERVER}/credentials/keys/([^/]+)/lifecycle/revoke$`),
    eventType: E.keyRevoke,
    targets: ["AuthorizationServer", "Key"],
    message: "Revoke authorization server signing key",
  },
  {
    method: "POST",
    pattern: /^\/apps$/,
    eventType: E.appCreate,
    targets: [],
    created: "AppInstance",
    message: "Add application",
  },
  {
    method: "PUT",
    pattern: /^\/apps\/([^/]+)$/,
    eventType: E.appUpdate,
    targets: ["AppInstance"],
    message: "Update application",
  },
  {
    method: "DELETE",
    pattern: /^\/apps\/([^/]+)$/,
    eventType: E.appDelete,
    targets: ["AppInstance"],
    message: "Delete application",
  },
  {
    method: "POST",
    pattern: /^\/apps\/([^/]+)\/lifecycle\/(activate|deactivate)$/,
    eventType: lifecycle(E.appActivate, E.appDeactivate),
    targets: ["AppInstance"],
    message: "Change application status",
  },
  {
    method: "POST",
    pattern: /^\/apps\/([^/]+)\/credentials\/secrets$/,
    eventType: E.appSecretCreate,
    targets: ["AppInstance"],
    created: "ClientSecret",
    message: "Create client secret",
  },
  {
    method: "POST",
    pattern: /^\/apps\/([^/]+)\/credentials\/secrets\/([^/]+)\/lifecycle\/(activate|deactivate)$/,
    eventType: E.appSecretUpdate,
    targets: ["AppInstance", "ClientSecret"],
    message: "Change client secret status",
  },
  {
    method: "DELETE",
    pattern: /^\/apps\/([^/]+)\/credentials\/secrets\/([^/]+)$/,
    eventType: E.appSecretDelete,
    targets: ["AppInstance", "ClientSecret"],
    message: "Delete client secret",
  },
  {
    method: "POST",
    pattern: /^\/inlineHooks$/,
    eventType: E.inlineHookCreated,
    targets: [],
    created: "InlineHook",
    message: "Create inline hook",
  },
  {
    method: "PUT",
    pattern: /^\/inlineHooks\/([^/]+)$/,
    eventType: E.inlineHookUpdated,
    targets: ["InlineHook"],
    message: "Update inline hook",
  },
  {
    method: "DELETE",
    pattern: /^\/inlineHooks\/([^/]+)$/,
    eventType: E.inlineHookDeleted,
    targets: ["InlineHook"],
    message: "Delete inline hook",
  },
  {
    method: "POST",
    pattern: /^\/inlineHooks\/([^/]+)\/lifecycle\/(activate|deactivate)$/,
    eventType: lifecycle(E.inlineHookActivated, E.inlineHookDeactivated),
    targets: ["InlineHook"],
    message: "Change inline hook status",
  },
  {
    method: "POST",
    pattern: /^\/api-tokens$/,
    eventType: E.apiTokenCreate,
    targets: [],
    created: "ApiToken",
    message: "Create API token",
  },
  {
    method: "DELETE",
    pattern: /^\/api-tokens\/([^/]+)$/,
    eventType: E.apiTokenRevoke,
    targets: ["ApiToken"],
    message: "Revoke API token",
  },
  // ---- users (src/admin/users.ts sets `audited` with the events each write made) ----
  {
    method: "POST",
    pattern: /^\/users$/,
    eventType: E.userCreate,
    targets: [],
    created: "User",
    message: "Create Okta user",
  },
  {
    method: "POST",
    pattern: /^\/users\/([^/]+)$/,
    eventType: E.userUpdateProfile,
    targets: ["User"],
    message: "Update user profile for Okta",
  },
  {
    method: "PUT",
    pattern: /^\/users\/([^/]+)$/,
    eventType: E.userUpdateProfile,
    targets: ["User"],
    message: "Update user profile for Okta",
  },
  {
    method: "DELETE",
    pattern: /^\/users\/([^/]+)$/,
    eventType: E.userDelete,
    targets: ["User"],
    message: "Delete Okta user",
  },
  {
    method: "POST",
    pattern: /^\/users\/([^/]+)\/lifecycle\/(activate|deactivate|suspend|unsuspend|unlock)$/,
    eventType: (m) => USER_LIFECYCLE_EVENTS[m[2] as keyof typeof USER_LIFECYCLE_EVENTS].eventType,
    targets: ["User"],
    message: "Change Okta user status",
  },
  {
    method: "POST",
    pattern: /^\/warden\/import$/,
    eventType: E.configImport,
    targets: [],
    message: "Import configuration",
  },
  // Groups, memberships and app assignments.
  {
    method: "POST",
    pattern: /^\/groups$/,
    eventType: E.groupCreate,
    targets: [],
    created: "UserGroup",
    message: "Add group",
  },
  {
    method: "PUT",
    pattern: /^\/groups\/([^/]+)$/,
    eventType: E.groupProfileUpdate,
    targets: ["UserGroup"],
    message: "Update group profile",
  },
  {
    method: "DELETE",
    pattern: /^\/groups\/([^/]+)$/,
    eventType: E.groupDelete,
    targets: ["UserGroup"],
    message: "Delete group",
  },
  {
    method: "PUT",
    pattern: /^\/groups\/([^/]+)\/users\/([^/]+)$/,
    eventType: E.groupMemberAdd,
    targets: ["UserGroup", "User"],
    message: "Add user to group membership",
  },
  {
    method: "DELETE",
    pattern: /^\/groups\/([^/]+)\/users\/([^/]+)$/,
    eventType: E.groupMemberRemove,
    targets: ["UserGroup", "User"],
    message: "Remove user from group membership",
  },
  {
    method: "POST",
    pattern: /^\/apps\/([^/]+)\/users$/,
    eventType: E.appUserAdd,
    targets: ["AppInstance"],
    created: "User",
    message: "Add user to application membership",
  },
  {
    method: "POST",
    pattern: /^\/apps\/([^/]+)\/users\/([^/]+)$/,
    eventType: E.appUserUpdate,
    targets: ["AppInstance", "User"],
    message: "Update user's application membership",
  },
  {
    method: "DELETE",
    pattern: /^\/apps\/([^/]+)\/users\/([^/]+)$/,
    eventType: E.appUserRemove,
    targets: ["AppInstance", "User"],
    message: "Remove user from application membership",
  },
  {
    method: "PUT",
    pattern: /^\/apps\/([^/]+)\/groups\/([^/]+)$/,
    eventType: E.appGroupAdd,
    targets: ["AppInstance", "UserGroup"],
    message: "Assign group to application",
  },
  {
    method: "DELETE",
    pattern: /^\/apps\/([^/]+)\/groups\/([^/]+)$/,
    eventType: E.appGroupRemove,
    targets: ["AppInstance", "UserGroup"],
    message: "Unassign group from application",
  },
  // Trusted origins.
  {
    method: "POST",
    pattern: /^\/trustedOrigins$/,
    eventType: E.trustedOriginCreate,
    targets: [],
    created: "TrustedOrigin",
    message: "Create trusted origin",
  },
  {
    method: "PUT",
    pattern: /^\/trustedOrigins\/([^/]+)$/,
    eventType: E.trustedOriginUpdate,
    targets: ["TrustedOrigin"],
    message: "Update trusted origin",
  },
  {
    method: "DELETE",
    pattern: /^\/trustedOrigins\/([^/]+)$/,
    eventType: E.trustedOriginDelete,
    targets: ["TrustedOrigin"],
    message: "Delete trusted origin",
  },
  {
    method: "POST",
    pattern: /^\/trustedOrigins\/([^/]+)\/lifecycle\/(activate|deactivate)$/,
    eventType: lifecycle(E.trustedOriginActivate, E.trustedOriginDeactivate),
    targets: ["TrustedOrigin"],
    message: "Change trusted origin status",
  },
  // Consent grants (src/admin/user-grants.ts).
  {
    method: "DELETE",
    pattern: /^\/users\/([^/]+)\/grants\/([^/]+)$/,
    eventType: E.consentRevoke,
    targets: ["User", "OAuth2ScopeConsentGrant"],
    message: "Revoke consent grant",
  },
  {
    method: "DELETE",
    pattern: /^\/users\/([^/]+)\/grants$/,
    eventType: E.consentRevoke,
    targets: ["User"],
    message: "Revoke consent grants",
  },
  {
    method: "DELETE",
    pattern: /^\/users\/([^/]+)\/clients\/([^/]+)\/grants$/,
    eventType: E.consentRevoke,
    targets: ["User", "AppInstance"],
    message: "Revoke consent grants",
  },
  // Admin role assignments (src/admin/user-roles.ts sets `audited`).
  {
    method: "POST",
    pattern: /^\/users\/([^/]+)\/roles$/,
    eventType: E.userPrivilegeGrant,
    targets: ["User"],
    created: "RoleAssignment",
    message: "Grant user privilege",
  },
  {
    method: "DELETE",
    pattern: /^\/users\/([^/]+)\/roles\/([^/]+)$/,
    eventType: E.userPrivilegeRevoke,
    targets: ["User", "RoleAssignment"],
    message: "Revoke user privilege",
  },
  // --- token exchange: trusted servers (src/admin/associated-servers.ts) ---
  {
    method: "POST",
    pattern: new RegExp(`^${SERVER}/associatedServers$`),
    eventType: E.serverUpdated,
    targets: ["AuthorizationServer"],
    message: "Add trusted authorization servers",
  },
  {
    method: "DELETE",
    pattern: new RegExp(`^${SERVER}/associatedServers/([^/]+)$`),
    eventType: E.serverUpdated,
    targets: ["AuthorizationServer", "AuthorizationServer"],
    message: "Remove trusted authorization server",
  },
  // --- end token exchange ---
];

/** Okta's event type and message for each user lifecycle operation. */
export const USER_LIFECYCLE_EVENTS = {
  activate: { eventType: E.userActivate, message: "Activate Okta user" },
  deactivate: { eventType: E.userDeactivate, message: "Deactivate Okta user" },
  suspend: { eventType: E.userSuspend, message: "Suspend Okta user" },
  unsuspend: { eventType: E.userUnsuspend, message: "Unsuspend Okta user" },
  unlock: { eventType: E.userUnlock, message: "Unlock Okta user account" },
} as const satisfies Record<string, { eventType: EventType; message: string }>;

/** The log's actor for an admin principal. */
export function adminActor(
  principal: AdminCaller,
): Pick<LogActor, "id" | "type" | "alternateId" | "displayName"> {
  switch (principal.type) {
    case "BOOTSTRAP":
      return {
        id: "bootstrap",
        type: "SystemPrincipal",
        alternateId: "ADMIN_API_TOKEN",
        displayName: "Bootstrap API token",
      };
    case "API_TOKEN":
      return { id: principal.id, type: "ApiToken", alternateId: principal.id, displayName: principal.id };
    case "CLIENT":
      return {
        id: principal.id,
        type: "PublicClientApp",
        alternateId: principal.id,
        displayName: principal.id,
      };
    // An admin signed in through an app (the console): Okta's actor is the user, by login.
    case "USER":
      return { id: principal.id, type: "User", alternateId: principal.login, displayName: principal.login };
  }
}

export function auditWrites(bind: BindPorts) {
  return createMiddleware<AppEnv>(async (c, next) => {
    await next();
    const principal = c.get("admin");
    if (!principal) return;
    const log = bind(c.env).log;
    if (principal.type === "API_TOKEN") {
      log.count({
        eventType: EVENT_TYPES.apiTokenUse,
        result: "SUCCESS",
        serverId: "",
        clientId: principal.id,
        displayMessage: "API token used",
        actor: adminActor(principal),
      });
    }
    if (c.res.status >= 200 && c.res.status < 300) await recordIfWrite(c, log, principal);
    await sendAfterResponse(c, log);
  });
}

async function recordIfWrite(c: Context<AppEnv>, log: EventLog, principal: AdminCaller): Promise<void> {
  {
    // The routed path (decoded as Hono matched it): a percent-encoded letter must not hide a write.
    const path = c.req.path.replace(/^\/api\/v1/, "");
    // A dry run changes nothing.
    if (path === "/warden/import" && new URL(c.req.url).searchParams.has("dryRun")) return;
    const route = ROUTES.find((r) => r.method === c.req.method && r.pattern.test(path));
    if (route) await recordWrite(c, log, route, path, principal);
  }
}

async function recordWrite(
  c: Context<AppEnv>,
  log: EventLog,
  route: Route,
  path: string,
  principal: AdminCaller,
) {
  const audited = c.get("audited");
  if (audited) {
    for (const event of audited.events) {
      log.record(
        {
          eventType: event.eventType,
          displayMessage: event.message,
          actor: adminActor(principal),
          outcome: { result: "SUCCESS" },
          target: [audited.target],
          request: requestInfo(c.req.raw.headers),
          debugData: { requestUri: path, method: c.req.method },
        },
        { urgent: true },
      );
    }
    return;
  }
  const match = route.pattern.exec(path) as RegExpExecArray;
  const targets: Target[] = route.targets.map((type, i) => {
    const id = decodeURIComponent(match[i + 1] ?? "");
    return type === "AuthorizationServer" ? serverTarget(id) : { id, type, alternateId: id, displayName: id };
  });
  if (route.created) {
    const id = await createdId(c.res);
    if (id) targets.push({ id, type: route.created, alternateId: id, displayName: id });
  }
  log.record(
    {
      eventType: typeof route.eventType === "function" ? route.eventType(match) : route.eventType,
      displayMessage: route.message,
      actor: adminActor(principal),
      outcome: { result: "SUCCESS" },
      target: targets,
      request: requestInfo(c.req.raw.headers),
      debugData: { requestUri: path, method: c.req.method },
    },
    { urgent: true },
  );
}

/** The new object's id, from the answer (never the answer itself: it may hold a secret shown once). */
async function createdId(res: Response): Promise<string | undefined> {
  if (!res.headers.get("Content-Type")?.includes("json")) return undefined;
  try {
    const body = (await res.clone().json()) as { id?: unknown; client_id?: unknown };
    const id = body.id ?? body.client_id;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Hands the due send to `waitUntil`, or waits for it where there is no execution context (tests);
 * otherwise arms the isolate's timer, so counted API-token use goes out within a flush interval.
 */
async function sendAfterResponse(c: Context<AppEnv>, log: EventLog): Promise<void> {
  let ctx: Pick<ExecutionContext, "waitUntil"> | undefined;
  try {
    ctx = c.executionCtx;
  } catch {
    ctx = undefined;
  }
  const due = log.flush();
  if (due && !ctx) await due;
  else if (due) ctx?.waitUntil(due);
  else {
    const timer = ctx ? log.armTimer() : undefined;
    if (timer) ctx?.waitUntil(timer);
  }
}
