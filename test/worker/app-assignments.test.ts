/**
 * App assignments (`/api/v1/apps/{appId}/users`, `/api/v1/apps/{appId}/groups`) and the queries the
 * user grants call (`assignmentOf`, `groupsOf`), against real D1.
 */
import { describe, expect, it } from "vitest";
import { assignGroup, assignmentOf, assignUser } from "../../src/directory/assignments";
import { EVERYONE_GROUP_ID } from "../../src/directory/directory";
import { addMember, groupsOf } from "../../src/directory/memberships";
import { db, seedGroup, seedUser } from "./directory-fixtures";
import { uniqueId } from "./helpers";

describe("the queries the user grants call", () => {
  it("assignmentOf: direct first, else the highest-priority group, else Everyone, else unassigned", async () => {
    const appId = uniqueId("app");
    const user = await seedUser();
    const low = await seedGroup(uniqueId("low"));
    const high = await seedGroup(uniqueId("high"));
    const now = Date.now();
    expect(await assignmentOf(db(), appId, user.id)).toEqual({ assigned: false, profile: null });

    await assignGroup(db(), appId, EVERYONE_GROUP_ID, { priority: 9, profile: { via: "everyone" } }, now);
    expect(await assignmentOf(db(), appId, user.id)).toEqual({
      assigned: true,
      profile: { via: "everyone" },
    });

    await addMember(db(), low, user.id, now);
    await addMember(db(), high, user.id, now);
    await assignGroup(db(), appId, low, { priority: 5, profile: { via: "low" } }, now);
    await assignGroup(db(), appId, high, { priority: 1, profile: { via: "high" } }, now);
    expect(await assignmentOf(db(), appId, user.id)).toEqual({ assigned: true, profile: { via: "high" } });

    expect(await assignUser(db(), appId, user.id, { via: "direct" }, now)).toBe(true);
    expect(await assignmentOf(db(), appId, user.id)).toEqual({ assigned: true, profile: { via: "direct" } });

    // Another app, and a user who does not exist, are not assigned (Everyone covers real users only).
    expect((await assignmentOf(db(), uniqueId("other"), user.id)).assigned).toBe(false);
    expect((await assignmentOf(db(), appId, "00uNoSuchUser0000000")).assigned).toBe(false);
  });

  it("groupsOf: Everyone first, then the user's groups by name", async () => {
    const user = await seedUser();
    const b = await seedGroup(uniqueId("b-group"));
    const a = await seedGroup(uniqueId("a-group"));
    expect((await groupsOf(db(), user.id)).map((g) => g.id)).toEqual([EVERYONE_GROUP_ID]);
    await addMember(db(), b, user.id, Date.now());
    await addMember(db(), a, user.id, Date.now());
    const groups = await groupsOf(db(), user.id);
    expect(groups.map((g) => g.id)).toEqual([EVERYONE_GROUP_ID, a, b]);
    expect(groups[0]).toEqual({
      id: EVERYONE_GROUP_ID,
      type: "BUILT_IN",
      profile: { name: "Everyone", description: "All users in your organization" },
    });
    expect(groups[1]?.type).toBe("OKTA_GROUP");
  });
});
