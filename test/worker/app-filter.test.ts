/**
 * `GET /api/v1/apps?filter=user.id eq "…"` / `group.id eq "…"` (Okta "List all applications"
 * with a filter; src/admin/app-filter.ts): the apps a user is assigned to (directly, through a
 * group, through Everyone) or a group is, paged with `Link`, against real D1 and the control plane;
 * every other filter refused with Okta's 400 E0000031 rather than answered with every app.
 */
import { describe, expect, it } from "vitest";
import { seedUser } from "./directory-fixtures";
import { adminRequest, freshApp, uniqueId } from "./helpers";

// biome-ignore lint/suspicious/noExplicitAny: tests read Okta's JSON shapes field by field.
type Json = any;

async function call(method: string, path: string, body?: unknown, auth?: string) {
  const res = await freshApp()(adminRequest(method, path, body, auth));
  const text = await res.text();
  const json: Json = text ? JSON.parse(text) : undefined;
  return { status: res.status, headers: res.headers, body: json };
}

async function createApp(): Promise<string> {
  const res = await call("POST", "/apps", {
    name: "oidc_client",
    label: uniqueId("filtered-app"),
    signOnMode: "OPENID_CONNECT",
    settings: { oauthClient: { grant_types: ["client_credentials"] } },
  });
  expect(res.status).toBe(200);
  return res.body.id;
}

async function createGroup(): Promise<string> {
  const res = await call("POST", "/groups", { profile: { name: uniqueId("Filtered") } });
  expect(res.status).toBe(200);
  return res.body.id;
}

const byFilter = (filter: string, extra = "") =>
  call("GET", `/apps?filter=${encodeURIComponent(filter)}${extra}`);

const ids = (body: Json): string[] => body.map((a: Json) => a.id);

describe("apps filtered by user.id", () => {
  it("lists the user's direct and group assignments once each, in id order, as Okta's Application", async () => {
    const user = await seedUser();
    const [direct, viaGroup, both, unrelated] = [
      await createApp(),
      await createApp(),
      await createApp(),
      await createApp(),
    ];
    const group = await createGroup();
    expect((await call("PUT", `/groups/${group}/users/${user.id}`)).status).toBe(204);
    expect((await call("POST", `/apps/${direct}/users`, { id: user.id, scope: "USER" })).status).toBe(200);
    expect((await call("PUT", `/apps/${viaGroup}/groups/${group}`, {})).status).toBe(200);
    expect((await call("POST", `/apps/${both}/users`, { id: user.id, scope: "USER" })).status).toBe(200);
    expect((await call("PUT", `/apps/${both}/groups/${group}`, {})).status).toBe(200);

    const res = await byFilter(`user.id eq "${user.id}"`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(ids(res.body)).toEqual([direct, viaGroup, both].sort());
    expect(ids(res.body)).not.toContain(unrelated);
    // The same object the app's own GET answers.
    const own = await call("GET", `/apps/${direct}`);
    expect(res.body.find((a: Json) => a.id === direct)).toEqual(own.body);

    // Leaving the group takes its apps away.
    expect((await call("DELETE", `/groups/${group}/users/${user.id}`)).status).toBe(204);
    expect(ids((await byFilter(`user.id eq "${user.id}"`)).body)).toEqual([direct, both].sort());
  });

  it("pages with Link rel=next, the filter kept in every link", async () => {
    const user = await seedUser();
    const apps = [await createApp(), await createApp(), await createApp()];
    for (const app of apps) {
      expect((await call("POST", `/apps/${app}/users`, { id: user.id, scope: "USER" })).status).toBe(200);
    }
    const filter = `user.id eq "${user.id}"`;
    const seen: string[] = [];
    let res = await byFilter(filter, "&limit=2");
    for (;;) {
      expect(res.status).toBe(200);
      seen.push(...ids(res.body));
      const next = /<([^>]+)>; rel="next"/.exec(res.headers.get("Link") ?? "")?.[1];
      if (!next) break;
      const url = new URL(next);
      expect(url.searchParams.get("filter")).toBe(filter);
      res = await call("GET", `/apps${url.search}`);
    }
    expect(seen).toEqual([...apps].sort());
  });

  it("a user with no apps, or no such user: an empty list", async () => {
    const user = await seedUser();
    expect((await byFilter(`user.id eq "${user.id}"`)).body).toEqual([]);
    expect((await byFilter('user.id eq "00uNoSuchUser0000000"')).body).toEqual([]);
  });

  it("apps assigned to Everyone are every existing user's", async () => {
    const user = await seedUser();
    const app = await createApp();
    const everyone = (await call("GET", "/groups?q=Everyone")).body.find(
      (g: Json) => g.type === "BUILT_IN",
    ).id;
    expect((await call("PUT", `/apps/${app}/groups/${everyone}`, {})).status).toBe(200);
    expect(ids((await byFilter(`user.id eq "${user.id}"`)).body)).toContain(app);
    expect((await byFilter('user.id eq "00uNoSuchUser0000000"')).body).toEqual([]);
  });
});

describe("apps filtered by group.id", () => {
  it("lists the group's assignments", async () => {
    const group = await createGroup();
    const [a, b] = [await createApp(), await createApp()];
    await createApp();
    for (const app of [a, b])
      expect((await call("PUT", `/apps/${app}/groups/${group}`, {})).status).toBe(200);
    expect(ids((await byFilter(`group.id eq "${group}"`)).body)).toEqual([a, b].sort());
  });
});

describe("filters refused (400 E0000031), never answered with every app", () => {
  it.each([
    ['status eq "ACTIVE"', "unknown attribute 'status'"],
    ['user.id ne "00u1"', 'only user.id eq "<userId>" or group.id eq "<groupId>" is supported'],
    ['user.id eq "a" or user.id eq "b"', "is supported"],
    ["user.id eq 5", "user.id must be an id"],
    [`user.id eq "${"x".repeat(65)}"`, "user.id must be an id"],
    ['user.id eq "a\' OR 1=1 --"', "user.id must be an id"],
    ["user.id eq", "filter: "],
    ["", "filter: "],
  ])("%s", async (filter, cause) => {
    const res = await byFilter(filter);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.errorCode).toBe("E0000031");
    expect(res.body.errorCauses[0].errorSummary).toContain(cause);
  });

  it("with q: 400 on q; with a malformed cursor: 400 on after", async () => {
    const user = await seedUser();
    const withQ = await byFilter(`user.id eq "${user.id}"`, "&q=a");
    expect(withQ.status).toBe(400);
    expect(withQ.body.errorCauses[0].errorSummary).toBe("q: cannot be combined with filter");
    const badAfter = await byFilter(`user.id eq "${user.id}"`, `&after=${encodeURIComponent("a b")}`);
    expect(badAfter.status).toBe(400);
    expect(badAfter.body.errorCauses[0].errorSummary).toContain("after");
  });

  it("needs okta.apps.read, as every /apps read", async () => {
    const token = await call("POST", "/api-tokens", { name: uniqueId("tok"), scopes: ["okta.users.read"] });
    expect(token.status).toBe(201);
    const user = await seedUser();
    const res = await call(
      "GET",
      `/apps?filter=${encodeURIComponent(`user.id eq "${user.id}"`)}`,
      undefined,
      `SSWS ${token.body.token}`,
    );
    expect(res.status).toBe(403);
    expect(res.body.errorCode).toBe("E0000006");
  });
});
