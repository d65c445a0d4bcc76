/**
 * Okta's token management APIs (src/admin/refresh-tokens.ts) over the grant index and real Grant
 * Durable Objects: `/users/{userId}/clients[/{clientId}/tokens[/{tokenId}]]` and
 * `/authorizationServers/{authServerId}/clients[/{clientId}/tokens[/{tokenId}]]` — Okta's shapes,
 * pagination, 404 for unknown ids and for another user's (or server's, or client's) token, revocation
 * reaching the grant's object (userinfo 401 with its access token), rights that never grow, bad
 * input refused with nothing written; and `indexGrant`'s refusal of a user who may no longer hold a
 * grant.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as z from "zod";
import type { OpenApiDocument } from "../../src/admin/openapi/document";
import { EVERYONE_GROUP_ID } from "../../src/directory/directory";
import { indexGrant } from "../../src/directory/grant-index";
import { durableGrants } from "../../src/grants/durable-grants";
import {
  engineer,
  GRANT_SCOPES,
  grantFor,
  type HeldGrant,
  indexStatus,
  signedIn,
  userinfoStatus,
} from "./grant-fixtures";
import { adminCall, adminRequest, freshApp, ORIGIN } from "./helpers";
import { type FixtureUser, insertUser } from "./people-fixtures";
import { type Browser, bindings, type SignInWorld, seedSignInWorld } from "./signin-fixtures";

let world: SignInWorld;
const grants = () => durableGrants(bindings.GRANT);

beforeAll(async () => {
  world = await seedSignInWorld();
});

/** A fresh engineer with `count` grants of the web app, from one sign-in. */
async function holder(count: number): Promise<{ user: FixtureUser; browser: Browser; held: HeldGrant[] }> {
  const user = await engineer(world);
  const { browser, grant } = await signedIn(world, user);
  const held = [grant];
  while (held.length < count) held.push(await grantFor(world, user, browser));
  return { user, browser, held };
}

const userTokens = (userId: string, clientId = world.webClient) =>
  `/users/${userId}/clients/${encodeURIComponent(clientId)}/tokens`;
const serverTokens = (clientId = world.webClient) =>
  `/authorizationServers/${world.serverId}/clients/${encodeURIComponent(clientId)}/tokens`;

/** A managed SSWS token holding exactly `scopes` (minted by the bootstrap token). */
async function sswsWith(scopes: string[]): Promise<string> {
  const res = await adminCall("POST", "/api-tokens", { name: `t-${crypto.randomUUID()}`, scopes });
  expect(res.status).toBe(201);
  return `SSWS ${res.body.token}`;
}

async function callAs(auth: string, method: string, path: string) {
  const res = await freshApp()(adminRequest(method, path, undefined, auth));
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe("reading a user's refresh tokens", () => {
  it("lists the apps holding the user's tokens as Okta's OAuth2Client", async () => {
    const { user } = await holder(1);
    const res = await adminCall("GET", `/users/${user.id}/clients`);
    expect(res.status).toBe(200);
    const base = `${ORIGIN}/api/v1/users/${user.id}/clients/${world.webClient}`;
    expect(res.body).toEqual([
      {
        client_id: world.webClient,
        client_name: 'Web <App> & "Co"',
        client_uri: null,
        logo_uri: null,
        _links: { grants: { href: `${base}/grants` }, tokens: { href: `${base}/tokens` } },
      },
    ]);
    // By login too, as the Users API takes it.
    expect((await adminCall("GET", `/users/${encodeURIComponent(user.login)}/clients`)).body).toHaveLength(1);
  });

  it("lists tokens in Okta's OAuth2RefreshToken shape, by id, a page at a time with Link", async () => {
    const { user, held } = await holder(3);
    const ids = held.map((g) => g.tokenId).sort();
    const first = await adminCall("GET", `${userTokens(user.id)}?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.map((t: { id: string }) => t.id)).toEqual(ids.slice(0, 2));
    const self = `${ORIGIN}/api/v1${userTokens(user.id)}/${ids[0]}`;
    expect(first.body[0]).toEqual({
      id: ids[0],
      status: "ACTIVE",
      created: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      lastUpdated: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      expiresAt: null,
      issuer: world.issuer,
      clientId: world.webClient,
      userId: user.id,
      scopes: GRANT_SCOPES,
      _links: {
        app: { href: `${ORIGIN}/api/v1/apps/${world.webClient}`, title: 'Web <App> & "Co"' },
        self: { href: self },
        revoke: { href: self, hints: { allow: ["DELETE"] } },
        client: { href: `${ORIGIN}/oauth2/v1/clients/${world.webClient}`, title: 'Web <App> & "Co"' },
        user: { href: `${ORIGIN}/api/v1/users/${user.id}`, title: "eng" },
        authorizationServer: { href: `${ORIGIN}/api/v1/authorizationServers/${world.serverId}` },
      },
    });
    const link = first.headers.get("Link") ?? "";
    const next = /<([^>]+)>; rel="next"/.exec(link)?.[1];
    expect(next).toContain(`after=${ids[1]}`);
    const second = await freshApp()(adminRequest("GET", next ?? ""));
    const page = (await second.json()) as { id: string }[];
    expect(page.map((t) => t.id)).toEqual([ids[2]]);
    expect(second.headers.get("Link")).not.toContain('rel="next"');
  });

  it("expand=scope embeds each scope's id, name and description", async () => {
    const { user, held } = await holder(1);
    const res = await adminCall("GET", `${userTokens(user.id)}/${held[0]?.tokenId}?expand=scope`);
    expect(res.status).toBe(200);
    const embedded = res.body._embedded.scopes as { id: string; name: string; _links: unknown }[];
    expect(embedded.map((s) => [s.id, s.name])).toEqual([
      ["s-openid", "openid"],
      ["s-profile", "profile"],
      ["s-read", "read"],
    ]);
    expect(embedded[2]?._links).toEqual({
      scope: {
        href: `${ORIGIN}/api/v1/authorizationServers/${world.serverId}/scopes/s-read`,
        title: "read",
      },
    });
    expect(
      (await adminCall("GET", `${userTokens(user.id)}/${held[0]?.tokenId}`)).body._embedded,
    ).toBeUndefined();
  });

  it("the server's view: its clients and their tokens, the same ids", async () => {
    const { user, held } = await holder(1);
    const clients = await adminCall("GET", `/authorizationServers/${world.serverId}/clients`);
    expect(clients.status).toBe(200);
    expect(clients.body).toContainEqual({
      client_id: world.webClient,
      client_name: 'Web <App> & "Co"',
      client_uri: null,
      logo_uri: null,
      _links: {
        tokens: {
          href: `${ORIGIN}/api/v1/authorizationServers/${world.serverId}/clients/${world.webClient}/tokens`,
        },
      },
    });
    const one = await adminCall("GET", `${serverTokens()}/${held[0]?.tokenId}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: held[0]?.tokenId, userId: user.id, status: "ACTIVE" });
    expect(one.body._links.self.href).toBe(`${ORIGIN}/api/v1${serverTokens()}/${held[0]?.tokenId}`);
    expect(one.body._links.authorizationServer.title).toBe(world.serverId);
    const all = await adminCall("GET", `${serverTokens()}?limit=200`);
    expect(all.body.map((t: { id: string }) => t.id)).toContain(held[0]?.tokenId);
  });
});

describe("404s: a token is found only where it belongs", () => {
  it("unknown and malformed ids, another user's token, another client's or server's path", async () => {
    const mine = await holder(1);
    const theirs = await holder(1);
    const theirToken = theirs.held[0]?.tokenId ?? "";
    const cases: [string, string][] = [
      [`${userTokens(mine.user.id)}/oar00000000000000000`, "OAuth2RefreshToken"],
      [`${userTokens(mine.user.id)}/not-a-token`, "OAuth2RefreshToken"],
      [`${userTokens(mine.user.id)}/oar${"A".repeat(10_000)}`, "OAuth2RefreshToken"],
      [`${userTokens(mine.user.id)}/${theirToken}`, "OAuth2RefreshToken"],
      [`${userTokens(theirs.user.id, world.spaClient)}/${theirToken}`, "OAuth2RefreshToken"],
      [`${userTokens("00uNoSuchUser0000000")}`, "User"],
      [`${userTokens(mine.user.id, "no-such-client")}`, "App"],
      [`/authorizationServers/no-such-server/clients/${world.webClient}/tokens`, "AuthorizationServer"],
      [`${serverTokens(world.spaClient)}/${theirToken}`, "OAuth2RefreshToken"],
    ];
    for (const [path, kind] of cases) {
      for (const method of ["GET", "DELETE"]) {
        const res = await adminCall(method, path);
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.body.errorCode).toBe("E0000007");
        expect(res.body.errorSummary).toContain(`(${kind})`);
      }
    }
    // Nothing was revoked by any of those DELETEs.
    expect(await grants().isActive(theirs.held[0]?.grantId ?? "", Date.now())).toBe(true);
    expect(await indexStatus(theirToken)).toBe("ACTIVE");
  });
});

describe("revoking", () => {
  it("DELETE one token revokes its grant's object: userinfo 401, status REVOKED, gone from the list", async () => {
    const { user, browser, held } = await holder(2);
    const [gone, kept] = held as [HeldGrant, HeldGrant];
    expect(await userinfoStatus(world, browser, gone)).toBe(200);
    const res = await adminCall("DELETE", `${userTokens(user.id)}/${gone.tokenId}`);
    expect(res.status).toBe(204);
    expect(await grants().isActive(gone.grantId, Date.now())).toBe(false);
    expect(await userinfoStatus(world, browser, gone)).toBe(401);
    expect(await userinfoStatus(world, browser, kept)).toBe(200);
    const after = await adminCall("GET", `${userTokens(user.id)}/${gone.tokenId}`);
    expect(after.body.status).toBe("REVOKED");
    const list = await adminCall("GET", userTokens(user.id));
    expect(list.body.map((t: { id: string }) => t.id)).toEqual([kept.tokenId]);
    // Again: still 204, nothing more to do.
    expect((await adminCall("DELETE", `${userTokens(user.id)}/${gone.tokenId}`)).status).toBe(204);
  });

  it("DELETE all of a user's tokens for a client leaves other users' alone", async () => {
    const a = await holder(2);
    const b = await holder(1);
    expect((await adminCall("DELETE", userTokens(a.user.id))).status).toBe(204);
    for (const g of a.held) {
      expect(await grants().isActive(g.grantId, Date.now())).toBe(false);
      expect(await indexStatus(g.tokenId)).toBe("REVOKED");
    }
    expect(await userinfoStatus(world, b.browser, b.held[0] as HeldGrant)).toBe(200);
    expect(await adminCall("GET", `/users/${a.user.id}/clients`)).toMatchObject({ status: 200, body: [] });
  });

  it("through the server: one token, then all of a client's", async () => {
    const a = await holder(1);
    const b = await holder(1);
    const [ga, gb] = [a.held[0] as HeldGrant, b.held[0] as HeldGrant];
    expect((await adminCall("DELETE", `${serverTokens()}/${ga.tokenId}`)).status).toBe(204);
    expect(await userinfoStatus(world, a.browser, ga)).toBe(401);
    expect(await userinfoStatus(world, b.browser, gb)).toBe(200);
    expect((await adminCall("DELETE", serverTokens())).status).toBe(204);
    expect(await userinfoStatus(world, b.browser, gb)).toBe(401);
    expect((await adminCall("GET", serverTokens())).body).toEqual([]);
  });
});

describe("rights never grow", () => {
  it("read rights read but cannot revoke; each family's right opens its own routes only", async () => {
    const { user, browser, held } = await holder(1);
    const grant = held[0] as HeldGrant;
    const usersRead = await sswsWith(["okta.users.read"]);
    const usersManage = await sswsWith(["okta.users.manage"]);
    const serversRead = await sswsWith(["okta.authorizationServers.read"]);
    const serversManage = await sswsWith(["okta.authorizationServers.manage"]);
    expect((await callAs(usersRead, "GET", userTokens(user.id))).status).toBe(200);
    expect((await callAs(serversRead, "GET", serverTokens())).status).toBe(200);
    const refused: [string, string, string][] = [
      [usersRead, "DELETE", userTokens(user.id)],
      [usersRead, "DELETE", `${userTokens(user.id)}/${grant.tokenId}`],
      [serversRead, "DELETE", serverTokens()],
      [serversRead, "DELETE", `${serverTokens()}/${grant.tokenId}`],
      [usersManage, "DELETE", serverTokens()],
      [usersManage, "GET", serverTokens()],
      [serversManage, "DELETE", userTokens(user.id)],
      [serversManage, "GET", `/users/${user.id}/clients`],
    ];
    for (const [auth, method, path] of refused) {
      const res = await callAs(auth, method, path);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.errorCode).toBe("E0000006");
    }
    expect(await userinfoStatus(world, browser, grant)).toBe(200);
    expect(await indexStatus(grant.tokenId)).toBe("ACTIVE");
  });
});

describe("bad input is a 400 and writes nothing", () => {
  it("limit, after, expand, repeated parameters, an oversized client id", async () => {
    const { user, browser, held } = await holder(1);
    const grant = held[0] as HeldGrant;
    const bad = [
      `${userTokens(user.id)}?limit=0`,
      `${userTokens(user.id)}?limit=many`,
      `${userTokens(user.id)}?after=${encodeURIComponent("oar' OR 1=1 --")}`,
      `${userTokens(user.id)}?expand=user`,
      `${userTokens(user.id)}?expand=scope&expand=scope`,
      `${userTokens(user.id)}?limit=1&limit=2`,
      `${serverTokens()}?expand=everything`,
      userTokens(user.id, "x".repeat(5000)),
    ];
    for (const path of bad) {
      const res = await adminCall("GET", path);
      expect(res.status, path).toBe(400);
      expect(res.body.errorCode).toBe("E0000001");
    }
    const oversized = await adminCall("DELETE", userTokens(user.id, "x".repeat(5000)));
    expect(oversized.status).toBe(400);
    expect(await userinfoStatus(world, browser, grant)).toBe(200);
  });
});

describe("indexGrant: only a user who may hold the grant is indexed", () => {
  const entry = (userId: string, grantId: string, clientId = world.webClient) => ({
    grantId,
    userId,
    clientId,
    serverId: world.serverId,
    scopes: ["read"],
    issuedAtMs: Date.now(),
    expiresAtMs: Date.now() + 3_600_000,
    idleExpiresAtMs: Date.now() + 600_000,
  });
  const someGrantId = () =>
    btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
      .replaceAll("+", "-")
      .replaceAll("/", "_")
      .replace(/=+$/, "");

  it("the same grant twice is one row; deactivated, suspended, unassigned or unknown users get none", async () => {
    const user = await engineer(world);
    const grantId = someGrantId();
    const id = await indexGrant(bindings.DIRECTORY, entry(user.id, grantId));
    expect(id).toMatch(/^oar[A-Za-z0-9]{17}$/);
    expect(await indexGrant(bindings.DIRECTORY, entry(user.id, grantId))).toBe(id);
    const deactivated = await insertUser({ name: "gone", status: "DEPROVISIONED" });
    const suspended = await insertUser({ name: "paused", status: "SUSPENDED" });
    const unassigned = await insertUser({ name: "stranger" });
    for (const userId of [deactivated.id, suspended.id, unassigned.id, "00uNoSuchUser0000000"]) {
      expect(await indexGrant(bindings.DIRECTORY, entry(userId, someGrantId())), userId).toBeNull();
    }
    // Through Everyone, any user is assigned.
    await bindings.DIRECTORY.prepare(
      "INSERT INTO app_groups (app_id, group_id, priority, profile, created, last_updated) VALUES (?1, ?2, 9, '{}', 0, 0)",
    )
      .bind("everyone-app", EVERYONE_GROUP_ID)
      .run();
    expect(await indexGrant(bindings.DIRECTORY, entry(unassigned.id, someGrantId(), "everyone-app"))).toMatch(
      /^oar/,
    );
  });
});

describe("answers match the OpenAPI document", () => {
  it("every token route's 200 validates against the schema the document names for it", async () => {
    const doc = (await (
      await freshApp()(new Request(`${ORIGIN}/api/v1/openapi.json`))
    ).json()) as OpenApiDocument;
    const local = (v: unknown) =>
      JSON.parse(JSON.stringify(v).replaceAll('"#/components/schemas/', '"#/$defs/'));
    const validate = (template: string, body: unknown) => {
      const op = doc.paths[template]?.get;
      const answer = op?.responses["200"];
      const schema = answer && "content" in answer ? answer.content?.["application/json"]?.schema : undefined;
      expect(schema, template).toBeDefined();
      const checked = z
        .fromJSONSchema({ ...local(schema), $defs: local(doc.components.schemas) })
        .safeParse(body);
      expect(checked.error?.issues ?? [], template).toEqual([]);
    };
    const { user, held } = await holder(1);
    const token = held[0]?.tokenId;
    const u = "/api/v1/users/{userId}/clients";
    const a = "/api/v1/authorizationServers/{authServerId}/clients";
    validate(u, (await adminCall("GET", `/users/${user.id}/clients`)).body);
    validate(`${u}/{clientId}/tokens`, (await adminCall("GET", `${userTokens(user.id)}?expand=scope`)).body);
    validate(
      `${u}/{clientId}/tokens/{tokenId}`,
      (await adminCall("GET", `${userTokens(user.id)}/${token}`)).body,
    );
    validate(a, (await adminCall("GET", `/authorizationServers/${world.serverId}/clients`)).body);
    validate(`${a}/{clientId}/tokens`, (await adminCall("GET", serverTokens())).body);
    await adminCall("DELETE", `${serverTokens()}/${token}`);
    validate(
      `${a}/{clientId}/tokens/{tokenId}`,
      (await adminCall("GET", `${serverTokens()}/${token}?expand=scope`)).body,
    );
  });
});
