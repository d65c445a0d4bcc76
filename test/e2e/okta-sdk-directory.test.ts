/**
 * Okta's own management SDK's `GroupApi` and `ApplicationApi` assignment calls, pointed at Warden
 * unchanged (issue 10): groups created, read, replaced, found with `q`, `filter` and `search` and
 * deleted; members added, listed through the SDK's paging and removed; a user's groups with
 * Everyone; users and groups assigned to an app, listed, updated and unassigned; and Okta's errors
 * as the SDK raises them. Every assertion reads what the SDK parsed from Warden's answers.
 */
import { randomUUID } from "node:crypto";
import okta from "@okta/okta-sdk-nodejs";
import { afterAll, describe, expect, inject, it } from "vitest";

const warden = inject("warden");
const suffix = randomUUID().slice(0, 8);
const EVERYONE = "00gEveryone000000000";

/** Every item of an SDK collection, following its `Link: rel="next"` pages. */
async function all<T>(collection: AsyncIterable<T | null>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of collection) if (item !== null) items.push(item);
  return items;
}

const client = new okta.Client({ orgUrl: warden.baseUrl, token: warden.adminToken });
const { groupApi: groups, userApi: users, applicationApi: apps } = client;

/** Cleanup, newest first, run even when an assertion failed (the shared Warden outlives this file). */
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
});

async function newUser(name: string): Promise<okta.User> {
  const login = `${name}-${suffix}@example.test`;
  const user = await users.createUser({
    body: { profile: { login, email: login, firstName: name, lastName: `Dir${suffix}` } },
    activate: false,
  });
  const userId = user.id as string;
  cleanup.push(async () => {
    await users.deleteUser({ userId });
    await users.deleteUser({ userId });
  });
  return user;
}

async function newGroup(name: string, description?: string): Promise<okta.Group> {
  const group = await groups.createGroup({
    group: { profile: { name: `${name} ${suffix}`, ...(description ? { description } : {}) } },
  });
  cleanup.push(() => groups.deleteGroup({ groupId: group.id as string }));
  return group;
}

describe("@okta/okta-sdk-nodejs GroupApi", () => {
  it("creates, reads, replaces, finds and deletes groups", async () => {
    const admins = await newGroup("Admins", "people who administer");
    const auditors = await newGroup("Auditors");
    expect(admins).toMatchObject({
      type: "OKTA_GROUP",
      profile: { name: `Admins ${suffix}`, description: "people who administer" },
    });
    expect(admins.id).toMatch(/^00g[0-9A-Za-z]{17}$/);
    // The SDK parses Okta's timestamps into Dates and caches reads under `_links.self.href`.
    expect(admins.created).toBeInstanceOf(Date);
    expect(admins.lastMembershipUpdated).toBeInstanceOf(Date);
    expect(admins._links?.self?.href).toBe(`${warden.baseUrl}/api/v1/groups/${admins.id}`);

    const read = await groups.getGroup({ groupId: admins.id as string });
    expect(read.profile?.name).toBe(`Admins ${suffix}`);

    // PUT replaces the whole profile: a description left out is gone.
    const replaced = await groups.replaceGroup({
      groupId: admins.id as string,
      group: { profile: { name: `Administrators ${suffix}` } },
    });
    expect(replaced.profile).toEqual({ name: `Administrators ${suffix}` });
    expect((await groups.getGroup({ groupId: admins.id as string })).profile?.name).toBe(
      `Administrators ${suffix}`,
    );

    // q: name prefix (Okta's), here the same words with another case.
    const byQ = await all(await groups.listGroups({ q: `administrators ${suffix}` }));
    expect(byQ.map((g) => g.id)).toEqual([admins.id]);
    // search and filter, through the SDK's paging (limit 1: one group per page, Link: rel="next").
    const bySearch = await all(
      await groups.listGroups({ search: `profile.name co "${suffix}" and type eq "OKTA_GROUP"`, limit: 1 }),
    );
    expect(bySearch.map((g) => g.id).sort()).toEqual([admins.id, auditors.id].sort());
    const builtIn = await all(await groups.listGroups({ filter: `type eq "BUILT_IN"` }));
    expect(builtIn.map((g) => [g.id, g.profile?.name])).toEqual([[EVERYONE, "Everyone"]]);

    await groups.deleteGroup({ groupId: auditors.id as string });
    await expect(groups.getGroup({ groupId: auditors.id as string })).rejects.toMatchObject({
      status: 404,
      errorCode: "E0000007",
    });
  });

  it("adds, lists and removes members; a user's groups start with Everyone", async () => {
    const team = await newGroup("Team");
    const other = await newGroup("Other");
    const ada = await newUser("ada");
    const bob = await newUser("bob");
    const carl = await newUser("carl");
    const groupId = team.id as string;
    for (const user of [ada, bob, carl])
      await groups.assignUserToGroup({ groupId, userId: user.id as string });
    // Idempotent, as Okta's PUT is.
    await groups.assignUserToGroup({ groupId, userId: ada.id as string });
    await groups.assignUserToGroup({ groupId: other.id as string, userId: ada.id as string });

    const members = await all(await groups.listGroupUsers({ groupId, limit: 2 }));
    expect(members.map((u) => u.id).sort()).toEqual([ada.id, bob.id, carl.id].sort());
    // Members are Okta users, as UserApi returns them.
    expect(members.find((u) => u.id === ada.id)?.profile?.login).toBe(ada.profile?.login);

    const adasGroups = await all(await users.listUserGroups({ userId: ada.id as string }));
    expect(adasGroups[0]).toMatchObject({ id: EVERYONE, type: "BUILT_IN", profile: { name: "Everyone" } });
    expect(adasGroups.map((g) => g.id).sort()).toEqual([EVERYONE, team.id, other.id].sort());
    const everyone = await all(await groups.listGroupUsers({ groupId: EVERYONE, limit: 200 }));
    expect(everyone.map((u) => u.id)).toEqual(expect.arrayContaining([ada.id, bob.id, carl.id]));

    await groups.unassignUserFromGroup({ groupId, userId: bob.id as string });
    await groups.unassignUserFromGroup({ groupId, userId: bob.id as string });
    expect((await all(await groups.listGroupUsers({ groupId }))).map((u) => u.id).sort()).toEqual(
      [ada.id, carl.id].sort(),
    );
    expect((await all(await users.listUserGroups({ userId: bob.id as string }))).map((g) => g.id)).toEqual([
      EVERYONE,
    ]);
  });

  it("raises Okta's errors: Everyone is read-only, names are unique, unknown ids are 404", async () => {
    const user = await newUser("erin");
    await expect(
      groups.assignUserToGroup({ groupId: EVERYONE, userId: user.id as string }),
    ).rejects.toMatchObject({ status: 400, errorCode: "E0000060" });
    await expect(
      groups.replaceGroup({ groupId: EVERYONE, group: { profile: { name: "Everybody" } } }),
    ).rejects.toMatchObject({ status: 400, errorCode: "E0000060" });
    await expect(groups.deleteGroup({ groupId: EVERYONE })).rejects.toMatchObject({
      status: 400,
      errorCode: "E0000060",
    });

    const taken = await newGroup("Unique");
    await expect(
      groups.createGroup({ group: { profile: { name: `UNIQUE ${suffix}` } } }),
    ).rejects.toMatchObject({
      status: 400,
      errorCode: "E0000001",
      errorCauses: [
        { errorSummary: "name: An object with this field already exists in the current organization" },
      ],
    });
    await expect(
      groups.assignUserToGroup({ groupId: taken.id as string, userId: "00uDoesNotExist000000" }),
    ).rejects.toMatchObject({ status: 404, errorCode: "E0000007" });
    // A filter that does not parse is Okta's E0000031, never a 500 or a partial answer.
    await expect(all(await groups.listGroups({ search: 'profile.name eq "x" or' }))).rejects.toMatchObject({
      status: 400,
      errorCode: "E0000031",
    });
    // Values are bound parameters: an injection attempt is only a name that matches nothing.
    expect(await all(await groups.listGroups({ search: `profile.name eq "x' OR 1=1 --"` }))).toEqual([]);
  });
});

describe("@okta/okta-sdk-nodejs ApplicationApi assignments", () => {
  it("assigns users and groups to an app, lists, updates and unassigns them", async () => {
    const app = (await apps.createApplication({
      application: {
        name: "oidc_client",
        label: `sdk-assign-${suffix}`,
        signOnMode: "OPENID_CONNECT",
        credentials: { oauthClient: { token_endpoint_auth_method: "client_secret_basic" } },
        settings: {
          oauthClient: { grant_types: ["password"], application_type: "web" },
        },
      } as never,
    })) as unknown as { id: string };
    const appId = app.id;
    cleanup.push(async () => {
      await apps.deactivateApplication({ appId });
      await apps.deleteApplication({ appId });
    });
    const direct = await newUser("dora");
    const viaGroup = await newUser("gus");
    const both = await newUser("bea");
    const sales = await newGroup("Sales");
    const support = await newGroup("Support");
    for (const user of [viaGroup, both]) {
      await groups.assignUserToGroup({ groupId: sales.id as string, userId: user.id as string });
    }

    // A user, directly, with an app user profile.
    const assigned = await apps.assignUserToApplication({
      appId,
      appUser: { id: direct.id as string, scope: "USER", profile: { role: "buyer" } } as never,
    });
    expect(assigned).toMatchObject({ id: direct.id, scope: "USER", profile: { role: "buyer" } });
    expect(assigned.created).toBeInstanceOf(Date);
    const fetched = await apps.getApplicationUser({ appId, userId: direct.id as string });
    expect(fetched).toMatchObject({ id: direct.id, scope: "USER" });

    // Groups, with Okta's priorities (new ones go last) and profiles.
    const salesAssignment = await apps.assignGroupToApplication({
      appId,
      groupId: sales.id as string,
      applicationGroupAssignment: { profile: { role: "seller" } },
    });
    expect(salesAssignment).toMatchObject({ id: sales.id, priority: 0, profile: { role: "seller" } });
    await apps.assignGroupToApplication({ appId, groupId: support.id as string });
    expect(await apps.getApplicationGroupAssignment({ appId, groupId: support.id as string })).toMatchObject({
      id: support.id,
      priority: 1,
    });
    // Listed one per page (the SDK follows `Link: rel="next"`), in Warden's cursor order (group id).
    const groupAssignments = await all(await apps.listApplicationGroupAssignments({ appId, limit: 1 }));
    expect(new Map(groupAssignments.map((g) => [g.id, g.priority]))).toEqual(
      new Map([
        [sales.id, 0],
        [support.id, 1],
      ]),
    );
    expect(groupAssignments).toHaveLength(2);
    const byQ = await all(await apps.listApplicationGroupAssignments({ appId, q: "Supp" }));
    expect(byQ.map((g) => g.id)).toEqual([support.id]);

    // The app's users: the direct one, and each group member once, scope GROUP with the group's profile.
    const appUsers = await all(await apps.listApplicationUsers({ appId, limit: 2 }));
    const byId = new Map(appUsers.map((u) => [u.id, u]));
    expect([...byId.keys()].sort()).toEqual([direct.id, viaGroup.id, both.id].sort());
    expect(appUsers).toHaveLength(3);
    expect(byId.get(viaGroup.id)).toMatchObject({ scope: "GROUP", profile: { role: "seller" } });

    // Updating a group's user makes the assignment the user's own (Okta).
    const updated = await apps.updateApplicationUser({
      appId,
      userId: both.id as string,
      appUser: { profile: { role: "lead" } },
    });
    expect(updated).toMatchObject({ id: both.id, scope: "USER", profile: { role: "lead" } });

    // Unassign: the direct user goes; the group's members go with the group.
    await apps.unassignUserFromApplication({ appId, userId: direct.id as string, sendEmail: false });
    await expect(apps.getApplicationUser({ appId, userId: direct.id as string })).rejects.toMatchObject({
      status: 404,
    });
    await apps.unassignApplicationFromGroup({ appId, groupId: sales.id as string });
    const left = await all(await apps.listApplicationUsers({ appId }));
    expect(left.map((u) => [u.id, u.scope])).toEqual([[both.id, "USER"]]);
    expect((await all(await apps.listApplicationGroupAssignments({ appId }))).map((g) => g.id)).toEqual([
      support.id,
    ]);

    // Assigning someone who does not exist, or to an app that does not exist: 404 E0000007.
    await expect(
      apps.assignUserToApplication({
        appId,
        appUser: { id: "00uDoesNotExist000000", scope: "USER" } as never,
      }),
    ).rejects.toMatchObject({ status: 404, errorCode: "E0000007" });
    await expect(
      all(await apps.listApplicationUsers({ appId: "0oaDoesNotExist000000" })),
    ).rejects.toMatchObject({ status: 404, errorCode: "E0000007" });
  });
});
