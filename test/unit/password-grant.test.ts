/**
 * The password grant (RFC 6749 §4.3, src/oauth/grants/password.ts) through the real app on in-memory
 * ports, the directory included (test/unit/memory-ports.ts): the user token's claims in both
 * profiles, one answer for every credential failure with the reason only in the log, assignment,
 * people conditions, OIDC scopes, the sign-in rate limit, and what never reaches the directory.
 * The worker tier runs the same grant on real D1 and the real password hash.
 */
import { base64url, importJWK, jwtVerify } from "jose";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ServerConfigInput } from "../../src/config/schemas";
import { EVERYONE_GROUP_ID } from "../../src/directory/directory";
import {
  basic,
  type MemoryDirectoryWorld,
  type MemoryPorts,
  memoryApp,
  memoryPorts,
  NOW_SECONDS,
  ORIGIN,
  publicJwk,
  SECRET,
  SIGNING_JWK,
  unlimited,
} from "./memory-ports";
import { rule, scope } from "./policy-fixtures";

const ISSUER = `${ORIGIN}/oauth2/aus_people`;
const RFC_ISSUER = `${ORIGIN}/oauth2/aus_rfc`;
const PASSWORD = "Correct-Horse-9";
const INVALID = "The credentials provided were invalid.";

const DIRECTORY: MemoryDirectoryWorld = {
  users: [
    {
      id: "00uAlice",
      profile: { login: "alice@example.com", email: "alice@mail.test", firstName: "Alice" },
      password: PASSWORD,
    },
    { id: "00uBob", profile: { login: "bob@example.com", email: "bob@mail.test" }, password: PASSWORD },
    { id: "00uCarol", profile: { login: "carol@example.com" }, password: PASSWORD },
    { id: "00uLocked", status: "LOCKED_OUT", profile: { login: "locked@example.com" }, password: PASSWORD },
    { id: "00uSusp", status: "SUSPENDED", profile: { login: "suspended@example.com" }, password: PASSWORD },
    { id: "00uStaged", status: "STAGED", profile: { login: "staged@example.com" }, password: PASSWORD },
    {
      id: "00uExp",
      status: "PASSWORD_EXPIRED",
      profile: { login: "expired@example.com" },
      password: PASSWORD,
    },
    { id: "00uNoPw", profile: { login: "nopassword@example.com" } },
    { id: "00uLone", profile: { login: "unassigned@example.com" }, password: PASSWORD },
  ],
  groups: [
    { id: "00gEng", name: "Engineering" },
    { id: "00gContract", name: "Contractors" },
  ],
  members: [
    ["00gEng", "00uAlice"],
    ["00gEng", "00uBob"],
    ["00gContract", "00uBob"],
  ],
  appUsers: [{ app: "app", user: "00uAlice", profile: { department: "R&D" } }],
  appGroups: [
    { app: "app", group: "00gEng", priority: 1, profile: { department: "Engineering" } },
    { app: "app", group: "00gContract", priority: 0 },
  ],
  lockoutAfter: 3,
};

/** Engineers get `read` and `profile`; contractors are excluded; Everyone may still get `public`. */
function server(id: string, tokenProfile: "okta" | "rfc9068" = "okta"): ServerConfigInput {
  return {
    server: { id, name: id, audiences: ["api://people"], tokenProfile },
    scopes: [
      scope("read", true),
      scope("public"),
      scope("profile"),
      scope("openid"),
      scope("offline_access"),
    ],
    claims: [
      { id: "c1", name: "email", claimType: "RESOURCE", valueType: "EXPRESSION", value: "user.email" },
      { id: "c2", name: "dept", claimType: "RESOURCE", valueType: "EXPRESSION", value: "appuser.department" },
      {
        id: "c3",
        name: "groups",
        claimType: "RESOURCE",
        valueType: "GROUPS",
        group_filter_type: "REGEX",
        value: ".*",
      },
      {
        id: "c4",
        name: "isEng",
        claimType: "RESOURCE",
        valueType: "EXPRESSION",
        value: 'isMemberOfGroupName("Engineering")',
      },
    ],
    policies: [
      {
        id: "p1",
        name: "people",
        priority: 1,
        conditions: { clients: { include: ["ALL_CLIENTS"] } },
        rules: [
          rule("engineers", 1, {
            grantTypes: ["password"],
            scopes: ["read", "profile", "openid", "offline_access"],
            people: { groups: { include: ["00gEng"], exclude: ["00gContract"] } },
          }),
          rule("everyone", 2, { grantTypes: ["password"], scopes: ["public"] }),
          rule("services", 3, { grantTypes: ["client_credentials"], scopes: ["read", "profile"] }),
        ],
      },
    ],
  };
}

let ports: MemoryPorts;
let fetchToken: (request: Request) => Promise<Response>;

beforeEach(async () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  vi.spyOn(console, "info").mockImplementation(() => {});
  ports = await memoryPorts({
    servers: [server("aus_people"), server("aus_rfc", "rfc9068")],
    clients: [
      {
        client_id: "app",
        client_name: "app",
        grant_types: ["password", "client_credentials"],
        secret: SECRET,
      },
      { client_id: "service", client_name: "service", secret: SECRET },
    ],
    directory: structuredClone(DIRECTORY),
  });
  fetchToken = memoryApp(ports);
});

function token(form: Record<string, string>, issuer = ISSUER, client = "app"): Promise<Response> {
  return fetchToken(
    new Request(`${issuer}/v1/token`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: basic(client, SECRET),
        "CF-Connecting-IP": "203.0.113.7",
      },
      body: new URLSearchParams(form).toString(),
    }),
  );
}

const signIn = (username: string, password = PASSWORD, extra: Record<string, string> = {}) =>
  token({ grant_type: "password", username, password, scope: "read", ...extra });

async function claims(res: Response, issuer = ISSUER) {
  const body = (await res.json()) as Record<string, string>;
  expect(res.status, JSON.stringify(body)).toBe(200);
  const { payload, protectedHeader } = await jwtVerify(
    body.access_token as string,
    await importJWK(publicJwk(SIGNING_JWK), "ES256"),
    { issuer, audience: "api://people", currentDate: new Date(NOW_SECONDS * 1000) },
  );
  return { body, payload, header: protectedHeader };
}

async function expectOAuthError(res: Response, status: number, error: string, description?: string) {
  const body = (await res.json()) as { error: string; error_description: string };
  expect({ status: res.status, error: body.error }).toEqual({ status, error });
  if (description !== undefined) expect(body.error_description).toBe(description);
  return body;
}

describe("the password grant: the user's token", () => {
  it("okta profile: sub is the login, uid the user id, with user, appuser and group claims", async () => {
    const { body, payload } = await claims(await signIn("Alice@Example.com"));
    expect(body.scope).toBe("read");
    expect(payload).toMatchObject({
      sub: "alice@example.com",
      uid: "00uAlice",
      cid: "app",
      scp: ["read"],
      email: "alice@mail.test",
      // The direct assignment's profile wins over the group assignment's.
      dept: "R&D",
      groups: ["Everyone", "Engineering"],
      isEng: true,
    });
    expect(ports.directoryCalls).toEqual(["checkPassword Alice@Example.com", "subject 00uAlice app"]);
  });

  it("rfc9068 profile: sub is the user id", async () => {
    const { payload, header } = await claims(
      await token({ grant_type: "password", username: "alice@example.com", password: PASSWORD }, RFC_ISSUER),
      RFC_ISSUER,
    );
    expect(header.typ).toBe("at+jwt");
    expect(payload).toMatchObject({ sub: "00uAlice", client_id: "app", scope: "read" });
    expect(payload).not.toHaveProperty("uid");
  });

  it("the user becomes the actor of a fully logged grant; aggregated grants count per client", async () => {
    await claims(await signIn("alice@example.com"));
    expect(ports.logged.counts.at(-1)).toMatchObject({ grantType: "password", clientId: "app" });

    const full = server("aus_full");
    ports = await memoryPorts({
      servers: [{ ...full, server: { ...full.server, logging: { grants: "FULL" } } }],
      clients: [{ client_id: "app", client_name: "app", grant_types: ["password"], secret: SECRET }],
      directory: structuredClone(DIRECTORY),
    });
    fetchToken = memoryApp(ports);
    const issuer = `${ORIGIN}/oauth2/aus_full`;
    await claims(
      await token({ grant_type: "password", username: "alice@example.com", password: PASSWORD }, issuer),
      issuer,
    );
    const granted = ports.logged.events.find((e) => e.eventType === "app.oauth2.as.token.grant.access_token");
    expect(granted).toMatchObject({
      actor: { id: "00uAlice", type: "User", alternateId: "alice@example.com" },
      target: [{ id: "aus_full" }, { id: "app" }],
      debugData: { grantType: "password", grantedScopes: "read" },
    });
  });
});

describe("the password grant: one answer for every credential failure", () => {
  it.each([
    ["unknown user", "nobody@example.com", PASSWORD, "unknown_user"],
    ["wrong password", "alice@example.com", "Wrong-Horse-9", "wrong_password"],
    ["no password", "nopassword@example.com", PASSWORD, "no_password"],
    ["locked out", "locked@example.com", PASSWORD, "locked_out"],
    ["suspended", "suspended@example.com", PASSWORD, "suspended"],
    ["staged", "staged@example.com", PASSWORD, "not_active"],
    ["password expired", "expired@example.com", PASSWORD, "password_expired"],
  ])("%s: invalid_grant, the reason in the log only", async (_name, username, password, reason) => {
    const body = await expectOAuthError(await signIn(username, password), 400, "invalid_grant", INVALID);
    expect(JSON.stringify(body)).not.toContain(reason);
    const event = ports.logged.events.find((e) => e.eventType === "user.session.start");
    expect(event).toMatchObject({
      outcome: { result: "FAILURE" },
      actor: { type: "User", alternateId: username },
      debugData: { signInFailure: reason, clientId: "app", grantType: "password" },
    });
    // No subject was read for a failed check.
    expect(ports.directoryCalls.filter((c) => c.startsWith("subject"))).toEqual([]);
  });

  it("the failure that locks the account logs user.account.lock; the right password then fails alike", async () => {
    for (let i = 0; i < 3; i++)
      await expectOAuthError(await signIn("bob@example.com", "nope"), 400, "invalid_grant", INVALID);
    const locks = ports.logged.events.filter((e) => e.eventType === "user.account.lock");
    expect(locks).toHaveLength(1);
    expect(locks[0]).toMatchObject({ actor: { id: "00uBob", type: "User" } });
    await expectOAuthError(await signIn("bob@example.com"), 400, "invalid_grant", INVALID);
  });

  it("an unknown username is cut to a login's length in the log", async () => {
    const long = `${"x".repeat(5000)}@example.com`;
    await expectOAuthError(await signIn(long), 400, "invalid_grant", INVALID);
    const event = ports.logged.events.find((e) => e.eventType === "user.session.start");
    expect(event?.actor.alternateId).toHaveLength(100);
  });
});

describe("the password grant: who may have a token", () => {
  it("an unassigned user is refused after the password, with Okta's access_denied", async () => {
    await expectOAuthError(
      await signIn("unassigned@example.com"),
      400,
      "access_denied",
      "User is not assigned to the client application.",
    );
  });

  it("a group assignment is enough (Bob is assigned through his groups only)", async () => {
    // Bob is in Contractors, which the engineers rule excludes; the Everyone rule grants `public`.
    const { payload } = await claims(await signIn("bob@example.com", PASSWORD, { scope: "public" }));
    expect(payload).toMatchObject({
      sub: "bob@example.com",
      scp: ["public"],
      groups: ["Everyone", "Contractors", "Engineering"],
    });
    expect(payload).not.toHaveProperty("dept"); // Contractors (priority 0) carries no department
  });

  it("a rule admitting one group and excluding another: the trace says which condition failed", async () => {
    await expectOAuthError(await signIn("bob@example.com"), 400, "access_denied");
    const denial = ports.logged.events.find((e) => e.eventType === "app.oauth2.as.token.grant");
    expect(denial?.debugData?.trace).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: "engineers", outcome: "skipped", reason: "group_excluded" }),
        expect.objectContaining({ id: "everyone", outcome: "skipped", reason: "scopes_not_covered" }),
        expect.objectContaining({ id: "services", outcome: "skipped", reason: "grant_type_not_included" }),
      ]),
    );
  });

  it("a user in no named group is not included", async () => {
    ports = await memoryPorts({
      servers: [server("aus_people")],
      clients: [{ client_id: "app", client_name: "app", grant_types: ["password"], secret: SECRET }],
      directory: { ...structuredClone(DIRECTORY), appGroups: [{ app: "app", group: EVERYONE_GROUP_ID }] },
    });
    fetchToken = memoryApp(ports);
    await expectOAuthError(await signIn("carol@example.com"), 400, "access_denied");
    const denial = ports.logged.events.find((e) => e.eventType === "app.oauth2.as.token.grant");
    expect(denial?.debugData?.trace).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: "engineers", reason: "user_not_included" })]),
    );
    // Assigned through Everyone, Carol still gets what the Everyone rule grants.
    const { payload } = await claims(await signIn("carol@example.com", PASSWORD, { scope: "public" }));
    expect(payload).toMatchObject({ sub: "carol@example.com", uid: "00uCarol", groups: ["Everyone"] });
  });
});

describe("the password grant: scopes", () => {
  it("OIDC scopes other than openid and offline_access are allowed with a user", async () => {
    const { payload } = await claims(await signIn("alice@example.com", PASSWORD, { scope: "read profile" }));
    expect(payload.scp).toEqual(["read", "profile"]);
  });

  it("'offline_access' is refused with invalid_scope for a client not registered for refresh_token", async () => {
    const body = await expectOAuthError(
      await signIn("alice@example.com", PASSWORD, { scope: "offline_access" }),
      400,
      "invalid_scope",
    );
    expect(body.error_description).toMatch(/not allowed for password/);
  });

  it("'openid' brings an ID token signed with the server's key, amr pwd, at_hash of the access token", async () => {
    const { body } = await claims(await signIn("alice@example.com", PASSWORD, { scope: "openid profile" }));
    const { payload } = await jwtVerify(
      body.id_token as string,
      await importJWK(publicJwk(SIGNING_JWK), "ES256"),
      {
        issuer: ISSUER,
        audience: "app",
        currentDate: new Date(NOW_SECONDS * 1000),
      },
    );
    expect(payload).toMatchObject({ ver: 1, amr: ["pwd"], auth_time: NOW_SECONDS, iat: NOW_SECONDS });
    expect(payload.exp).toBe(NOW_SECONDS + 3600);
    const digest = new Uint8Array(
      await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body.access_token as string)),
    );
    expect(payload.at_hash).toBe(base64url.encode(digest.slice(0, 16)));
  });

  it("client_credentials still may not have OIDC scopes, and never reads the directory", async () => {
    await expectOAuthError(
      await token({ grant_type: "client_credentials", scope: "profile" }, ISSUER, "app"),
      400,
      "invalid_scope",
    );
    const ok = await token({ grant_type: "client_credentials", scope: "read" }, ISSUER, "app");
    expect(ok.status).toBe(200);
    expect(ports.directoryCalls).toEqual([]);
  });
});

describe("the password grant: refused before the directory", () => {
  it("a client without the password grant type: unauthorized_client", async () => {
    await expectOAuthError(
      await token(
        { grant_type: "password", username: "alice@example.com", password: PASSWORD },
        ISSUER,
        "service",
      ),
      400,
      "unauthorized_client",
    );
    expect(ports.directoryCalls).toEqual([]);
  });

  it.each([
    [{ password: PASSWORD }, "The 'username' parameter is missing."],
    [{ username: "alice@example.com" }, "The 'password' parameter is missing."],
    [{ username: "", password: PASSWORD }, "The 'username' parameter is missing."],
  ])("%j: invalid_request", async (form, description) => {
    await expectOAuthError(
      await token({ grant_type: "password", ...form }),
      400,
      "invalid_request",
      description,
    );
    expect(ports.directoryCalls).toEqual([]);
  });

  it("a malformed scope: invalid_scope, no attempt counted", async () => {
    await expectOAuthError(
      await signIn("alice@example.com", PASSWORD, { scope: "read  write" }),
      400,
      "invalid_scope",
    );
    expect(ports.directoryCalls).toEqual([]);
  });

  it("the org server has no password grant", async () => {
    await expectOAuthError(
      await token(
        { grant_type: "password", username: "alice@example.com", password: PASSWORD },
        `${ORIGIN}/oauth2`,
      ),
      400,
      "unsupported_grant_type",
    );
  });

  it("over the sign-in rate limit: 429 before the password is checked", async () => {
    const seen: [string | undefined, string][] = [];
    const refused = { allowed: false, limit: 1, remaining: 0, reset: NOW_SECONDS + 30 };
    ports = await memoryPorts({
      servers: [server("aus_people")],
      clients: [{ client_id: "app", client_name: "app", grant_types: ["password"], secret: SECRET }],
      directory: structuredClone(DIRECTORY),
      rateLimits: {
        ...unlimited(() => NOW_SECONDS * 1000),
        signIn: async (ip, username) => {
          seen.push([ip, username]);
          return refused;
        },
      },
    });
    fetchToken = memoryApp(ports);
    const res = await signIn("alice@example.com");
    await expectOAuthError(res, 429, "temporarily_unavailable");
    expect(res.headers.get("Retry-After")).not.toBeNull();
    expect(seen).toEqual([["203.0.113.7", "alice@example.com"]]);
    expect(ports.directoryCalls).toEqual([]);
  });
});
