/**
 * `GET /api/v1/users/{userId}/groups`: the groups a user is in, Everyone first (every user is its
 * member), as Okta's Group objects. Okta does not page this list. Needs okta.users.read, as Okta
 * (src/admin/auth.ts maps `/users/**`). The Users API itself is src/admin/users.ts.
 */
import { Hono } from "hono";
import type { AppEnv } from "../context";
import { groupView } from "../directory/group-view";
import { userExists, userGroups } from "../directory/memberships";
import { notFound } from "./control-plane-client";
import { adminOrigin } from "./responses";

export function userGroupsRouter() {
  const router = new Hono<AppEnv>();
  router.get("/:userId/groups", async (c) => {
    const userId = c.req.param("userId");
    if (!(await userExists(c.env.DIRECTORY, userId))) notFound(userId, "User");
    const groups = await userGroups(c.env.DIRECTORY, userId);
    return c.json(groups.map((g) => groupView(g, adminOrigin(c))));
  });
  return router;
}
