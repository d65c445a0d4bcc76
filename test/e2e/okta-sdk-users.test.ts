/**
 * Okta's own management SDK's `UserApi`, pointed at Warden unchanged: create with a password,
 * get by id and by login, partial update and replace of what it read, list with search / filter / q
 * through its paging, lifecycle, the two-step delete, and Okta's errors as the SDK raises them.
 */
import { randomUUID } from "node:crypto";
import okta from "@okta/okta-sdk-nodejs";
import { describe, expect, inject, it } from "vitest";

const warden = inject("warden");
const suffix = randomUUID().slice(0, 8);

async function all<T>(collection: AsyncIterable<T | null>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of collection) if (item !== null) items.push(item);
  return items;
}

describe("@okta/okta-sdk-nodejs UserApi", () => {
  const client = new okta.Client({ orgUrl: warden.baseUrl, token: warden.adminToken });
  const users = client.userApi;

  it("creates, reads, updates, lists, suspends and deletes users", async () => {
    const team = `team_${suffix.replace(/-/g, "")}`;
    const created = [];
    for (let i = 0; i < 3; i++) {
      const login = `sdk-${i}-${suffix}@example.test`;
      created.push(
        await users.createUser({
          activate: i !== 2,
          body: {
            profile: { login, email: login, firstName: `Sdk${i}`, lastName: "User", team, rank: i } as never,
            ...(i === 0 ? { credentials: { password: { value: "Correct-Horse-42" } } } : {}),
          },
        }),
      );
    }
    const [first, second, third] = created as [okta.User, okta.User, okta.User];
    expect(first.status).toBe("ACTIVE");
    expect(second.status).toBe("PROVISIONED");
    expect(third.status).toBe("STAGED");
    expect(first.created).toBeInstanceOf(Date);
    expect(first._links?.self?.href).toBe(`${warden.baseUrl}/api/v1/users/${first.id}`);

    const byLogin = await users.getUser({ userId: first.profile?.login?.toUpperCase() as string });
    expect(byLogin.id).toBe(first.id);

    const updated = await users.updateUser({
      userId: first.id as string,
      user: { profile: { nickName: "Ace" } as never },
    });
    expect(updated.profile?.nickName).toBe("Ace");
    expect(updated.profile?.firstName).toBe("Sdk0");
    const replaced = await users.replaceUser({
      userId: first.id as string,
      user: { ...updated, profile: { ...updated.profile, title: "Lead" } as never },
    });
    expect(replaced.profile?.title).toBe("Lead");

    const searched = await all(
      await users.listUsers({
        search: `profile.team eq "${team}"`,
        sortBy: "profile.rank",
        sortOrder: "desc",
        limit: 1,
      }),
    );
    expect(searched.map((u) => u.id)).toEqual([third.id, second.id, first.id]);
    const filtered = await all(
      await users.listUsers({ filter: `status eq "STAGED" and profile.lastName eq "User"` }),
    );
    expect(filtered.map((u) => u.id)).toContain(third.id);
    const q = await all(await users.listUsers({ q: `sdk-0-${suffix}` }));
    expect(q.map((u) => u.id)).toEqual([first.id]);

    await users.suspendUser({ userId: first.id as string });
    expect((await users.getUser({ userId: first.id as string })).status).toBe("SUSPENDED");
    await expect(users.suspendUser({ userId: first.id as string })).rejects.toMatchObject({
      status: 400,
      errorCode: "E0000001",
      errorSummary: "Api validation failed: Cannot suspend a user that is not active",
    });
    await users.unsuspendUser({ userId: first.id as string });
    await users.activateUser({ userId: third.id as string, sendEmail: false });
    expect((await users.getUser({ userId: third.id as string })).status).toBe("PROVISIONED");

    for (const user of created) {
      await users.deleteUser({ userId: user.id as string });
      await users.deleteUser({ userId: user.id as string });
      await expect(users.getUser({ userId: user.id as string })).rejects.toMatchObject({ status: 404 });
    }
  });

  it("raises Okta's validation error for a duplicate login", async () => {
    const login = `dup-${suffix}@example.test`;
    const body = { profile: { login, email: login, firstName: "D", lastName: "Up" } };
    const user = await users.createUser({ body });
    await expect(
      users.createUser({ body: { profile: { ...body.profile, login: login.toUpperCase() } } }),
    ).rejects.toMatchObject({
      status: 400,
      errorCode: "E0000001",
      errorCauses: [
        { errorSummary: "login: An object with this field already exists in the current organization" },
      ],
    });
    await users.deleteUser({ userId: user.id as string });
    await users.deleteUser({ userId: user.id as string });
  });
});
