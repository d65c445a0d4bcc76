/**
 * `/api/v1/users`, Okta's Users API on the directory (D1): create (`activate`, `nextLogin`,
 * `groupIds`), get by id or login, partial update (POST) and replace (PUT), lifecycle
 * activate / deactivate / suspend / unsuspend / unlock, delete (a first DELETE deactivates, a second
 * deletes), and list with `q`, `filter`, `search`, `sortBy` / `sortOrder`, `limit` and `after`.
 * Passwords pass the password policy and are stored hashed, never shown. Every write records its
 * Okta events (`audited`, src/admin/audit.ts).
 */

import type { Context } from "hono";
import { Hono } from "hono";
import {
  JSON_MAX_DEPTH,
  USER_BODY_MAX_BYTES,
  USER_CREATE_MAX_GROUPS,
  USER_UPDATE_MAX_ATTEMPTS,
} from "../config/defaults";
import type { ValidationIssue } from "../config/issues";
import { lacking } from "../config/rights";
import type { AppEnv, BindPorts } from "../context";
import { newObjectId } from "../crypto/object-id";
import type { UserStatus } from "../directory/directory";
import { hashPassword } from "../directory/password-hash";
import { passwordPolicyFailures, passwordPolicyMessage } from "../directory/password-policy";
import { LIFECYCLE_ACTIONS, notInStatus, transition } from "../directory/user-lifecycle";
import { checkProfile, mergeProfile, type Profile } from "../directory/user-profile";
import { encodeUserCursor, parseUserQuery } from "../directory/user-query";
import { userView } from "../directory/user-view";
import {
  applyTransition,
  deleteDeprovisioned,
  findUser,
  insertUser,
  listUsers,
  type UserRecord,
  unknownGroups,
  updateUser,
  type WriteRefusal,
} from "../directory/users";
import type { ApiError } from "../errors";
import { readJsonBody } from "../http/json-body";
import { isRecord } from "../http/json-value";
import { EVENT_TYPES } from "../log/event";
import { USER_LIFECYCLE_EVENTS } from "./audit";
import { notFound } from "./control-plane-client";
import { type RevocationCause, revokeGrants } from "./grant-revocation";
import { refuseIfRulesName } from "./people-references";
import { adminOrigin, lacksRights, validationFailed } from "./responses";

export function usersRouter(now: () => number, bind: BindPorts) {
  const router = new Hono<AppEnv>();

  router.post("/", async (c) => {
    const activate = booleanParam(c.req.query("activate"), "activate", true);
    const nextLogin = c.req.query("nextLogin");
    if (nextLogin !== undefined && nextLogin !== "changePassword") {
      throw validationFailed([{ path: "nextLogin", message: "must be changePassword" }]);
    }
    const input = parseWrite(await readBody(c), "create");
    // Group memberships decide which access-policy rules admit a user: a users admin may not add
    // them without the groups right (DESIGN §8: a narrow right never grows into a wider one).
    if (input.groupIds.length > 0) {
      const lacks = lacking(c.get("admin").rights, ["okta.groups.manage"]);
      if (lacks.length > 0) throw lacksRights(lacks);
    }
    const db = c.env.DIRECTORY;
    const missing = await unknownGroups(db, input.groupIds);
    if (missing.length > 0) {
      throw validationFailed(
        missing.map((id) => ({ path: "groupIds", message: `no OKTA_GROUP has the id '${id.slice(0, 64)}'` })),
      );
    }
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
    // Okta: activating without a password leaves the user PROVISIONED until they set one;
    // nextLogin=changePassword makes the first sign-in change it.
    const status: UserStatus = !activate
      ? "STAGED"
      : passwordHash === null
        ? "PROVISIONED"
        : nextLogin
          ? "PASSWORD_EXPIRED"
          : "ACTIVE";
    const result = await insertUser(db, {
      id: newObjectId("00u"),
      status,
      profile: input.profile,
      passwordHash,
      groupIds: input.groupIds,
      nowMs: now(),
    });
    const user = written(result);
    audit(c, user, [
      { eventType: EVENT_TYPES.userCreate, message: "Create Okta user" },
      ...(activate ? [USER_LIFECYCLE_EVENTS.activate] : []),
    ]);
    return c.json(userView(user, adminOrigin(c)));
  });

  router.get("/", async (c) => {
    const url = new URL(c.req.url);
    const query = parseUserQuery(url.searchParams);
    const page = await listUsers(c.env.DIRECTORY, query);
    const self = new URL(`${adminOrigin(c)}/api/v1/users`);
    self.search = url.search;
    const links = [`<${self.href}>; rel="self"`];
    if (page.next) {
      const next = new URL(self.href);
      next.searchParams.set("after", encodeUserCursor(page.next));
      links.push(`<${next.href}>; rel="next"`);
    }
    const origin = adminOrigin(c);
    return c.json(
      page.users.map((u) => userView(u, origin)),
      200,
      { Link: links.join(", ") },
    );
  });

  router.get("/:id", async (c) => {
    const user = await existing(c);
    return c.json(userView(user, adminOrigin(c)));
  });

  // Okta: POST merges the profile given into the stored one; PUT replaces it whole.
  for (const [method, mode] of [
    ["post", "update"],
    ["put", "replace"],
  ] as const) {
    router[method]("/:id", async (c) => {
      const body = await readBody(c);
      let passwordHash: string | undefined;
      for (let attempt = 0; attempt < USER_UPDATE_MAX_ATTEMPTS; attempt++) {
        const stored = await existing(c);
        const input = parseWrite(body, mode, stored.profile);
        if (input.password !== undefined) passwordHash ??= await hashPassword(input.password);
        const result = await updateUser(c.env.DIRECTORY, stored, {
          profile: input.profile,
          ...(passwordHash ? { passwordHash } : {}),
          nowMs: now(),
        });
        if (!result.ok && result.refusal === "conflict") continue;
        const user = written(result);
        // An admin's password change ends the user's refresh-token families (issue 12 item 3).
        if (passwordHash) await revokeGrants(c, bind, { userId: user.id }, "password_changed", now());
        audit(c, user, [
          { eventType: EVENT_TYPES.userUpdateProfile, message: "Update user profile for Okta" },
          ...(passwordHash
            ? [{ eventType: EVENT_TYPES.userUpdatePassword, message: "User update password for Okta" }]
            : []),
        ]);
        return c.json(userView(user, adminOrigin(c)));
      }
      throw validationFailed([
        { path: "profile", message: "the user changed while this update was applied; send it again" },
      ]);
    });
  }

  router.delete("/:id", async (c) => {
    const db = c.env.DIRECTORY;
    const user = await existing(c);
    if (user.status !== "DEPROVISIONED") {
      // Okta: the first DELETE deactivates (a later one deletes).
      const deactivated = await applyTransition(db, user.id, transition("deactivate", user), now());
      if (deactivated) audit(c, deactivated, [USER_LIFECYCLE_EVENTS.deactivate]);
      else if ((await existing(c)).status !== "DEPROVISIONED") throw changedMeanwhile();
      await revokeGrants(c, bind, { userId: user.id }, "user_deactivated", now());
      return c.body(null, 204);
    }
    await refuseIfRulesName(c, { users: [user.id] }, "user");
    // Deactivation revoked them already; a grant whose revocation failed then is revoked now,
    // before the delete takes its index rows with it (ON DELETE CASCADE).
    await revokeGrants(c, bind, { userId: user.id }, "user_deleted", now());
    if (!(await deleteDeprovisioned(db, user.id))) {
      await existing(c); // 404 when a concurrent DELETE took it
      throw notInStatus("The user was reactivated while it was being deleted.");
    }
    audit(c, user, [{ eventType: EVENT_TYPES.userDelete, message: "Delete Okta user" }]);
    return c.body(null, 204);
  });

  for (const action of LIFECYCLE_ACTIONS) {
    router.post(`/:id/lifecycle/${action}`, async (c) => {
      const user = await existing(c);
      const changed = await applyTransition(c.env.DIRECTORY, user.id, transition(action, user), now());
      if (!changed) {
        // The status moved between the read and the write: answer for the status it has now.
        transition(action, await existing(c));
        throw changedMeanwhile();
      }
      audit(c, changed, [USER_LIFECYCLE_EVENTS[action]]);
      const cause = GRANT_ENDING_ACTIONS[action];
      if (cause) await revokeGrants(c, bind, { userId: changed.id }, cause, now());
      // Okta answers lifecycle operations with an empty object (activation: an activation token
      // when `sendEmail=false`; Warden sends no email and has no activation link yet).
      return c.json({});
    });
  }

  return router;
}

/**
 * The lifecycle operations after which the user holds no tokens: Okta revokes a user's tokens on
 * deactivation and suspension (the same statuses end the user's sessions, src/directory/users.ts).
 */
const GRANT_ENDING_ACTIONS: Partial<Record<(typeof LIFECYCLE_ACTIONS)[number], RevocationCause>> = {
  deactivate: "user_deactivated",
  suspend: "user_suspended",
};

/** The user the path names by id or login, or Okta's 404. */
async function existing(c: Context<AppEnv>): Promise<UserRecord> {
  const id = c.req.param("id") ?? "";
  return (await findUser(c.env.DIRECTORY, id)) ?? notFound(id.slice(0, 100), "User");
}

async function readBody(c: Context<AppEnv>): Promise<unknown> {
  return readJsonBody(c.req.raw, { maxBytes: USER_BODY_MAX_BYTES, maxDepth: JSON_MAX_DEPTH });
}

/** A `true|false` query parameter; anything else is a 400, so a typo never means the default. */
function booleanParam(raw: string | undefined, name: string, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  if (raw !== "true" && raw !== "false")
    throw validationFailed([{ path: name, message: "must be true or false" }]);
  return raw === "true";
}

interface UserWrite {
  profile: Profile;
  password?: string;
  groupIds: string[];
}

/**
 * The profile (whole, or `stored` merged with the body's for an update), the new password if any and,
 * at creation, the groups; every issue at once, as Okta lists them. Fields Okta's SDK sends back from
 * a read (`id`, `status`, `_links`, `credentials.provider`, `credentials.password: {}`) are ignored.
 */
function parseWrite(body: unknown, mode: "create" | "update" | "replace", stored?: Profile): UserWrite {
  if (!isRecord(body)) throw validationFailed([{ path: "", message: "must be a JSON object" }]);
  const issues: ValidationIssue[] = [];

  let profileInput: unknown = body.profile;
  if (mode === "update") {
    if (body.profile !== undefined && !isRecord(body.profile)) {
      issues.push({ path: "profile", message: "must be an object" });
    }
    profileInput = mergeProfile(stored ?? {}, isRecord(body.profile) ? body.profile : {});
  } else if (body.profile === undefined) {
    issues.push({ path: "profile", message: "is required" });
  }
  const checked = checkProfile(profileInput);
  if (!checked.ok && !(mode !== "update" && body.profile === undefined)) issues.push(...checked.issues);

  const password = passwordOf(body.credentials, issues);

  const groupIds: string[] = [];
  if (mode === "create" && body.groupIds !== undefined) {
    const ids = body.groupIds;
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string")) {
      issues.push({ path: "groupIds", message: "must be an array of group ids" });
    } else if (ids.length > USER_CREATE_MAX_GROUPS) {
      issues.push({ path: "groupIds", message: `must have at most ${USER_CREATE_MAX_GROUPS} ids` });
    } else {
      groupIds.push(...new Set(ids as string[]));
    }
  }
  if (issues.length > 0 || !checked.ok) throw validationFailed(issues);

  if (password !== undefined) {
    const failures = passwordPolicyFailures(password, checked.profile);
    if (failures.length > 0) {
      throw validationFailed([{ path: "password", message: passwordPolicyMessage(failures) }]);
    }
  }
  return { profile: checked.profile, ...(password !== undefined ? { password } : {}), groupIds };
}

/** `credentials.password.value`, when given; imported hashes and password hooks are Okta features Warden lacks. */
function passwordOf(credentials: unknown, issues: ValidationIssue[]): string | undefined {
  if (credentials === undefined) return undefined;
  if (!isRecord(credentials)) {
    issues.push({ path: "credentials", message: "must be an object" });
    return undefined;
  }
  const password = credentials.password;
  if (password === undefined || password === null) return undefined;
  if (!isRecord(password)) {
    issues.push({ path: "credentials.password", message: "must be an object" });
    return undefined;
  }
  for (const unsupported of ["hash", "hook"]) {
    if (password[unsupported] !== undefined) {
      issues.push({
        path: `credentials.password.${unsupported}`,
        message: "is not supported: give the password's value",
      });
    }
  }
  if (password.value === undefined) return undefined;
  if (typeof password.value !== "string") {
    issues.push({ path: "credentials.password.value", message: "must be a string" });
    return undefined;
  }
  return password.value;
}

/** The written user, or Okta's 400 for what the database refused. */
function written(result: { ok: true; user: UserRecord } | { ok: false; refusal: WriteRefusal | "conflict" }) {
  if (result.ok) return result.user;
  switch (result.refusal) {
    case "duplicate_login":
      throw validationFailed([
        { path: "login", message: "An object with this field already exists in the current organization" },
      ]);
    case "unknown_group":
      throw validationFailed([
        { path: "groupIds", message: "a group was deleted while the user was created" },
      ]);
    case "conflict":
      throw changedMeanwhile();
  }
}

function changedMeanwhile(): ApiError {
  return notInStatus("The user's status changed while the operation was applied; read it and try again.");
}

function audit(
  c: Context<AppEnv>,
  user: UserRecord,
  events: { eventType: (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES]; message: string }[],
): void {
  const { login, firstName, lastName } = user.profile;
  c.set("audited", {
    events,
    target: { id: user.id, type: "User", alternateId: login, displayName: `${firstName} ${lastName}` },
  });
}
