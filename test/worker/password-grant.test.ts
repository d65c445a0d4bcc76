/**
 * Users in tokens against the real directory (D1, real password hashes), key vaults and control
 * plane: the password grant's tokens in both profiles, a rule admitting one group and excluding
 * another seen in real tokens and in Token Preview, assignment, one answer for every credential
 * failure, people named by rules checked on write and on import, and the client_credentials path
 * still free of D1.
 */
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ALL_RIGHTS } from "../../src/config/rights";
import { createDeps } from "../../src/context";
import type { Env } from "../../src/env";
import {
  adminCall,
  adminRequest,
  basic,
  controlPlane,
  decodeJwt,
  freshApp,
  orgAccessToken,
  SECRET,
  seedOrgClient,
  tokenRequest,
  uniqueId,
} from "./helpers";
import { groupName, insertGroup, PASSWORD, type PeopleWorld, seedPeople } from "./people-fixtures";
import { tokenPreview } from "./preview-fixtures";

const bindings = env as Env;
const INVALID = { error: "invalid_grant", error_description: "The credentials provided were invalid." };

let world: PeopleWorld;
let rfc: PeopleWorld;

beforeAll(async () => {
  [world, rfc] = await Promise.all([seedPeople(), seedPeople("rfc9068")]);
});

afterEach(() => vi.restoreAllMocks());

function quiet() {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  vi.spyOn(console, "info").mockImplementation(() => {});
}

async function passwordToken(
  w: PeopleWorld,
  username: string,
  password = PASSWORD,
  extra: Record<string, string> = {},
) {
  const res = await freshApp()(
    tokenRequest(
      w.issuer,
      { grant_type: "password", username, password, ...extra },
      { authorization: basic(w.clientId, SECRET) },
    ),
  );
  // biome-ignore lint/suspicious/noExplicitAny: tests read the token response field by field.
  return { status: res.status, body: (await res.json()) as any };
}

interface Preview {
  result: "ALLOW" | "DENY";
  status?: number;
  error?: Record<string, unknown>;
  accessToken?: { header: Record<string, unknown>; payload: Record<string, unknown> };
  trace: { kind: string; id: string; outcome: string; reason?: string }[];
}

async function preview(w: PeopleWorld, userId: string, scopes: string[] = []): Promise<Preview> {
  const res = await tokenPreview(w.serverId, { clientId: w.clientId, grantType: "password", userId, scopes });
  expect(res.status).toBe(200);
  return (await res.json()) as Preview;
}

describe("the password grant on D1", () => {
  it("issues Alice's token: sub = login, uid = user id, user, appuser and group claims", async () => {
    const { status, body } = await passwordToken(world, world.alice.login.toUpperCase());
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.scope).toBe("read");
    const { payload } = decodeJwt(body.access_token);
    expect(payload).toMatchObject({
      sub: world.alice.login,
      uid: world.alice.id,
      cid: world.clientId,
      scp: ["read"],
      email: "alice@mail.test",
      dept: "R&D",
      groups: ["Everyone", await groupName(world.engineers)],
      isEngineer: true,
    });
  });

  it("rfc9068 profile: sub is the user id", async () => {
    const { status, body } = await passwordToken(rfc, rfc.alice.login);
    expect(status).toBe(200);
    const { header, payload } = decodeJwt(body.access_token);
    expect(header.typ).toBe("at+jwt");
    expect(payload).toMatchObject({ sub: rfc.alice.id, client_id: rfc.clientId, scope: "read" });
    expect(payload).not.toHaveProperty("uid");
  });

  it("a rule admitting Engineering and excluding Contractors: Bob (in both) is denied, in a real request and in Token Preview", async () => {
    quiet();
    const real = await passwordToken(world, world.bob.login);
    expect(real).toEqual({
      status: 400,
      body: {
        error: "access_denied",
        error_description:
          "Policy evaluation failed for this request, please check the policy configurations.",
      },
    });
    const previewed = await preview(world, world.bob.id);
    expect(previewed).toMatchObject({ result: "DENY", status: 400, error: real.body });
    expect(previewed.trace).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: "engineers", outcome: "skipped", reason: "group_excluded" }),
        expect.objectContaining({ id: "everyone", outcome: "skipped", reason: "scopes_not_covered" }),
      ]),
    );
    // What the Everyone rule grants, Bob gets.
    const publicToken = await passwordToken(world, world.bob.login, PASSWORD, { scope: "public" });
    expect(publicToken.status).toBe(200);
  });

  it("Token Preview with a user shows the token the real request gets", async () => {
    const previewed = await preview(world, world.alice.id);
    expect(previewed.result).toBe("ALLOW");
    const real = await passwordToken(world, world.alice.login);
    const { payload } = decodeJwt(real.body.access_token);
    const volatile = { iat: expect.any(Number), exp: expect.any(Number), jti: expect.any(String) };
    expect({ ...previewed.accessToken?.payload, ...volatile }).toEqual({ ...payload, ...volatile });
    expect(previewed.trace).toContainEqual(
      expect.objectContaining({ kind: "rule", id: "engineers", outcome: "matched" }),
    );
  });

  it("Carol, in no group, is not included by the engineers rule (the trace says so)", async () => {
    quiet();
    expect((await passwordToken(world, world.carol.login)).status).toBe(400);
    const previewed = await preview(world, world.carol.id);
    expect(previewed.trace).toContainEqual(
      expect.objectContaining({ id: "engineers", reason: "user_not_included" }),
    );
    const { body } = await passwordToken(world, world.carol.login, PASSWORD, { scope: "public" });
    expect(decodeJwt(body.access_token).payload).toMatchObject({
      sub: world.carol.login,
      groups: ["Everyone"],
    });
  });

  it("an unassigned user is refused with Okta's access_denied, in a real request and in Token Preview", async () => {
    quiet();
    const expected = {
      error: "access_denied",
      error_description: "User is not assigned to the client application.",
    };
    expect(await passwordToken(world, world.dave.login)).toEqual({ status: 400, body: expected });
    expect(await preview(world, world.dave.id)).toMatchObject({ result: "DENY", error: expected });
  });

  it("locked, suspended, wrong password, unknown user: the same answer", async () => {
    quiet();
    const cases = [
      [world.locked.login, PASSWORD],
      [world.suspended.login, PASSWORD],
      [world.alice.login, "Wrong-Horse-9"],
      [`nobody-${uniqueId("x")}@example.com`, PASSWORD],
      // SQL in the username is a username like any other.
      [`' OR 1=1 --`, PASSWORD],
      [`${world.alice.login}' --`, PASSWORD],
    ];
    for (const [username, password] of cases) {
      expect(await passwordToken(world, username as string, password), username).toEqual({
        status: 400,
        body: INVALID,
      });
    }
    // Token Preview answers a locked user as the token endpoint does, without a password.
    expect(await preview(world, world.locked.id)).toMatchObject({ result: "DENY", error: INVALID });
  });

  it("openid brings an ID token (amr pwd, at_hash); without openid there is none", async () => {
    const openid = await passwordToken(world, world.alice.login, PASSWORD, { scope: "openid read profile" });
    expect(openid.status, JSON.stringify(openid.body)).toBe(200);
    expect(openid.body.scope).toBe("openid read profile");
    const id = decodeJwt(openid.body.id_token);
    expect(id.payload).toMatchObject({
      sub: world.alice.id,
      aud: world.clientId,
      iss: world.issuer,
      ver: 1,
      amr: ["pwd"],
      preferred_username: world.alice.login,
    });
    expect(id.payload.jti).toMatch(/^ID\./);
    expect(id.payload.at_hash).toEqual(expect.any(String));
    const profile = await passwordToken(world, world.alice.login, PASSWORD, { scope: "read profile" });
    expect(profile.body.scope).toBe("read profile");
    expect(profile.body.id_token).toBeUndefined();
  });

  it("offline_access is refused with invalid_scope for a client not registered for refresh_token", async () => {
    quiet();
    const offline = await passwordToken(world, world.alice.login, PASSWORD, { scope: "offline_access read" });
    expect(offline.status).toBe(400);
    expect(offline.body.error).toBe("invalid_scope");
  });

  it("a percent-encoded username that is not UTF-8 is a malformed request, before any sign-in attempt", async () => {
    quiet();
    const res = await freshApp()(
      tokenRequest(
        world.issuer,
        {},
        {
          authorization: basic(world.clientId, SECRET),
          body: `grant_type=password&username=%FF%FE&password=${PASSWORD}`,
        },
      ),
    );
    // Not read as U+FFFD (src/oauth/form-body.ts, RFC 6749 Appendix B): refused as the body it is.
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: "invalid_request",
      error_description: "The request body is not valid UTF-8.",
    });
  });
});

describe("Token Preview with a user: bad input", () => {
  it("an unknown user is 404 E0000007; a password preview without a user is 400", async () => {
    const unknown = await tokenPreview(world.serverId, {
      clientId: world.clientId,
      grantType: "password",
      userId: "00uNobody00000000000",
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ errorCode: "E0000007" });
    for (const body of [
      { clientId: world.clientId, grantType: "password" },
      { clientId: world.clientId, grantType: "client_credentials", userId: world.alice.id },
      { clientId: world.clientId, grantType: "password", userId: "x".repeat(5000) },
    ]) {
      const res = await tokenPreview(world.serverId, body);
      expect(res.status, JSON.stringify(body).slice(0, 100)).toBe(400);
      expect(await res.json()).toMatchObject({ errorCode: "E0000001" });
    }
  });
});

describe("Token Preview with a user: rights", () => {
  it("needs okta.users.read beside the authorization-server right; without a user it does not", async () => {
    const narrow = await seedOrgClient(["okta.authorizationServers.manage"]);
    const wide = await seedOrgClient(["okta.authorizationServers.manage", "okta.users.read"]);
    const call = async (client: typeof narrow, scopes: string, body: object) => {
      const token = await orgAccessToken(client, scopes);
      return freshApp()(
        adminRequest("POST", `/authorizationServers/${world.serverId}/tokenPreview`, body, `Bearer ${token}`),
      );
    };
    const withUser = { clientId: world.clientId, grantType: "password", userId: world.alice.id };
    const refused = await call(narrow, "okta.authorizationServers.manage", withUser);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ errorCode: "E0000006" });
    // An unknown user is refused alike: the narrow caller learns nothing about who exists.
    const unknown = await call(narrow, "okta.authorizationServers.manage", {
      ...withUser,
      userId: "00uNobody",
    });
    expect(unknown.status).toBe(403);
    const noUser = await call(narrow, "okta.authorizationServers.manage", {
      clientId: world.clientId,
      grantType: "client_credentials",
    });
    expect(noUser.status).toBe(200);
    const allowed = await call(wide, "okta.authorizationServers.manage okta.users.read", withUser);
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toMatchObject({ result: "ALLOW" });
  });
});

describe("people named by rules must exist", () => {
  const rule = (people: object) => ({
    name: "people",
    priority: 1,
    conditions: { people, grantTypes: { include: ["password"] }, scopes: { include: ["read"] } },
  });

  it("a rule naming an unknown group or user is refused on write; known ones are accepted", async () => {
    const base = `/authorizationServers/${world.serverId}/policies/p/rules`;
    const ghostGroup = await adminCall("POST", base, rule({ groups: { include: ["00gGhost000000000000"] } }));
    expect(ghostGroup.status).toBe(400);
    expect(JSON.stringify(ghostGroup.body.errorCauses)).toContain(
      "group '00gGhost000000000000' does not exist",
    );
    const ghostUser = await adminCall("POST", base, rule({ users: { exclude: ["00uGhost000000000000"] } }));
    expect(ghostUser.status).toBe(400);
    expect(JSON.stringify(ghostUser.body.errorCauses)).toContain(
      "user '00uGhost000000000000' does not exist",
    );
    // SQL in an id is an id that does not exist.
    const injected = await adminCall("POST", base, rule({ groups: { include: ["x' OR '1'='1"] } }));
    expect(injected.status).toBe(400);

    const fresh = await insertGroup("Fresh");
    const ok = await adminCall(
      "POST",
      base,
      rule({ users: { include: [world.carol.id] }, groups: { include: [fresh, "EVERYONE"] } }),
    );
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
  });

  it("a rule naming more groups than one D1 statement binds is checked in full", async () => {
    const base = `/authorizationServers/${world.serverId}/policies/p/rules`;
    const many = Array.from({ length: 150 }, (_, i) => `00gMany${String(i).padStart(13, "0")}`);
    const res = await adminCall("POST", base, rule({ groups: { include: [world.engineers, ...many] } }));
    expect(res.status).toBe(400);
    const causes = JSON.stringify(res.body.errorCauses);
    expect(causes).toContain(many[0]);
    expect(causes).toContain(many[149]);
    expect(causes).not.toContain(world.engineers);
  });

  it("the import dry run (warden plan) and the import itself report an unknown group", async () => {
    const exported = await adminCall("GET", "/warden/export");
    const doc = exported.body;
    // biome-ignore lint/suspicious/noExplicitAny: the export document read field by field.
    const server = doc.authorizationServers.find((s: any) => s.server.id === world.serverId);
    server.policies[0].rules[0].conditions.people.groups.include.push("00gUnknown0000000000");
    const draft = { ...doc, authorizationServers: [server] };
    for (const path of ["/warden/import?dryRun=true", "/warden/import"]) {
      const res = await adminCall("POST", path, draft);
      expect(res.status, path).toBe(400);
      expect(JSON.stringify(res.body.errorCauses)).toContain("group '00gUnknown0000000000' does not exist");
    }
    const direct = await controlPlane().importConfig(draft, ALL_RIGHTS, { dryRun: true });
    expect(direct.ok).toBe(false);
  });

  it("rulesNamingPeople lists the rules that name a user or group (for the delete refusal)", async () => {
    const plane = controlPlane();
    expect(await plane.rulesNamingPeople({ groups: [world.contractors] })).toEqual([
      `rule 'engineers' of policy 'p' on authorization server '${world.serverId}'`,
    ]);
    expect(await plane.rulesNamingPeople({ users: [world.dave.id] })).toEqual([]);
    expect(await plane.rulesNamingPeople({ users: "nope" as unknown as string[] })).toEqual([]);
  });
});

describe("a user or group named by a rule cannot be deleted", () => {
  it("refuses the group's delete and the user's final delete, naming the rule; both go once the rule does", async () => {
    const group = await insertGroup("Named");
    const user = await adminCall("POST", "/users?activate=false", {
      profile: { login: "named@example.test", email: "named@example.test", firstName: "Na", lastName: "Med" },
    });
    expect(user.status).toBe(200);
    const userId = user.body.id as string;
    const rules = `/authorizationServers/${world.serverId}/policies/p/rules`;
    const created = await adminCall("POST", rules, {
      name: "named",
      priority: 9,
      conditions: {
        people: { users: { exclude: [userId] }, groups: { include: [group] } },
        grantTypes: { include: ["password"] },
        scopes: { include: ["read"] },
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const where = `rule '${created.body.id}' of policy 'p' on authorization server '${world.serverId}'`;

    const groupDelete = await adminCall("DELETE", `/groups/${group}`);
    expect(groupDelete.status).toBe(400);
    expect(groupDelete.body.errorCauses).toEqual([
      { errorSummary: `id: the group is still named by ${where}` },
    ]);
    // The first DELETE deactivates (nothing is lost); the second, which deletes, is refused.
    expect((await adminCall("DELETE", `/users/${userId}`)).status).toBe(204);
    const userDelete = await adminCall("DELETE", `/users/${userId}`);
    expect(userDelete.status).toBe(400);
    expect(userDelete.body.errorCauses).toEqual([
      { errorSummary: `id: the user is still named by ${where}` },
    ]);
    expect((await adminCall("GET", `/groups/${group}`)).status).toBe(200);
    expect((await adminCall("GET", `/users/${userId}`)).body.status).toBe("DEPROVISIONED");

    expect((await adminCall("DELETE", `${rules}/${created.body.id}`)).status).toBe(204);
    expect((await adminCall("DELETE", `/groups/${group}`)).status).toBe(204);
    expect((await adminCall("DELETE", `/users/${userId}`)).status).toBe(204);
    expect((await adminCall("GET", `/users/${userId}`)).status).toBe(404);
  });
});

describe("the client_credentials path on a server with people rules", () => {
  it("makes no D1 call", async () => {
    const calls = { d1: 0 };
    const d1 = new Proxy(bindings.DIRECTORY, {
      get(target, prop) {
        const value = Reflect.get(target, prop);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          calls.d1 += 1;
          return value.apply(target, args);
        };
      },
    });
    const fetch = freshApp(createDeps());
    for (let i = 0; i < 5; i++) {
      const res = await fetch(
        tokenRequest(
          world.issuer,
          { grant_type: "client_credentials" },
          { authorization: basic(world.clientId, SECRET) },
        ),
        { ...bindings, DIRECTORY: d1 },
      );
      expect(res.status).toBe(200);
    }
    expect(calls.d1).toBe(0);
  });
});
