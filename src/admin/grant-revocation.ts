/**
 * What every management-API write that ends grants calls: the token API's DELETEs
 * (src/admin/refresh-tokens.ts) and the directory writes after which a user may no longer hold
 * tokens for an app (user deactivation, suspension, deletion, an admin's password change; app
 * deactivation and deletion; unassignment, of the user or of the group that was the user's path).
 * Okta: "Implicit revocation on user deactivate/delete, app deactivation/unassignment"
 * (okta-user-flows.md, Refresh tokens).
 *
 * Each revoked grant is one `app.oauth2.as.token.revoke` event naming the token, the user and the
 * app, with the cause; the objects are revoked before the answer, and a grant whose object could not
 * be revoked makes the write answer 500 after the directory change (its row stays ACTIVE, so the
 * next sweep — a retry of the DELETE, or the user's deletion — finds it again).
 */
import type { Context } from "hono";
import type { AppEnv, BindPorts } from "../context";
import type { GrantSelector } from "../directory/grant-index";
import { revokeIndexedGrants } from "../directory/grant-revocation";
import { EVENT_TYPES, requestInfo } from "../log/event";
import { adminActor } from "./audit";

/** Why grants were revoked, as the event's `outcome.reason` says it. */
export type RevocationCause =
  | "admin_revoked"
  | "user_deactivated"
  | "user_suspended"
  | "user_deleted"
  | "password_changed"
  | "app_deactivated"
  | "app_deleted"
  | "server_deleted"
  | "user_unassigned"
  | "config_import";

export async function revokeGrants(
  c: Context<AppEnv>,
  bind: BindPorts,
  selector: GrantSelector,
  cause: RevocationCause,
  nowMs: number,
): Promise<number> {
  const ports = bind(c.env);
  const sweep = await revokeIndexedGrants(c.env.DIRECTORY, ports.grants, selector, nowMs);
  const principal = c.get("admin");
  for (const grant of sweep.revoked) {
    ports.log.record(
      {
        eventType: EVENT_TYPES.tokenRevoke,
        displayMessage: "OAuth2 token revocation request",
        actor: principal
          ? adminActor(principal)
          : { id: "system", type: "SystemPrincipal", alternateId: "system", displayName: "Warden" },
        outcome: { result: "SUCCESS", reason: cause },
        target: [
          { id: grant.id, type: "RefreshToken", alternateId: grant.id, displayName: "Refresh token" },
          { id: grant.userId, type: "User", alternateId: grant.userId, displayName: grant.userId },
          {
            id: grant.clientId,
            type: "AppInstance",
            alternateId: grant.clientId,
            displayName: grant.clientId,
          },
        ],
        request: requestInfo(c.req.raw.headers),
        debugData: { authorizationServerId: grant.serverId, cause },
      },
      { urgent: true },
    );
  }
  if (sweep.failed.length > 0) {
    // The directory change stands; the grants that could not be revoked stay ACTIVE in the index.
    throw new Error(`${sweep.failed.length} grant(s) could not be revoked`);
  }
  return sweep.revoked.length;
}
