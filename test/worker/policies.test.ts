/**
 * Access policies and rules at Okta's paths: CRUD, lifecycle, Okta's priority semantics, referential
 * integrity, and a change visible in the next token request's decision.
 */
import { describe, expect, it } from "vitest";
import { tokenHook } from "../fixtures/inline-hook";
import {
  basic,
  adminCall as call,
  decodeJwt,
  expectRefusals,
  freshApp,
  importConfig,
  ORIGIN,
  SECRET,
  seedServer,
  tokenRequest,
  uniqueId,
} from "./helpers";

const policyBody = (name: string, include: string[], extra: Record<string, unknown> = {}) => ({
  type: "OAUTH_AUTHORIZATION_POLICY",
  name,
  description: `${name} policy`,
  conditions: { clients: { include } },
  ...extra,
});

const ruleBody = (name: string, scopes: string[], extra: Record<string, unknown> = {}) => ({
  name,
  conditions: {
    people: { groups: { include: ["EVERYONE"] } },
    grantTypes: { include: ["client_credentials"] },
    scopes: { include: scopes },
  },
  actions: { token: { accessTokenLifetimeMinutes: 10 } },
  ...extra,
});

const ids = (list: { id: string; priority: number }[]) => list.map((x) => `${x.id}:${x.priority}`);

describe("/api/v1/authorizationServers/{id}/policies", () => {
  it("creates (201, last, ACTIVE), lists, gets, replaces, deactivates, activates and deletes", async () => {
    const { serverId, clientId } = await seedServer();
    const base = `/authorizationServers/${serverId}/policies`;

    const created = await call("POST", base, policyBody("second", [clientId]));
    expect(created.status).toBe(201);
    const policyId = created.body.id as string;
    expect(created.body).toEqual({
      type: "OAUTH_AUTHORIZATION_POLICY",
      id: expect.stringMatching(/^00p[A-Za-z0-9]{17}$/),
      status: "ACTIVE",
      name: "second",
      description: "second policy",
      priority: 2,
      system: false,
      conditions: { clients: { include: [clientId] } },
      _links: {
        self: { href: `${ORIGIN}/api/v1${base}/${policyId}`, hints: { allow: ["GET", "PUT", "DELETE"] } },
        rules: { href: `${ORIGIN}/api/v1${base}/${policyId}/rules`, hints: { allow: ["GET"] } },
        deactivate: {
          href: `${ORIGIN}/api/v1${base}/${policyId}/lifecycle/deactivate`,
          hints: { allow: ["POST"] },
        },
      },
    });
    expect(ids((await call("GET", base)).body)).toEqual(["p1:1", `${policyId}:2`]);
    expect((await call("GET", `${base}/${policyId}`)).body).toEqual(created.body);

    const replaced = await call("PUT", `${base}/${policyId}`, policyBody("renamed", ["ALL_CLIENTS"]));
    expect(replaced).toMatchObject({
      status: 200,
      body: { name: "renamed", priority: 2, conditions: { clients: { include: ["ALL_CLIENTS"] } } },
    });

    expect((await call("POST", `${base}/${policyId}/lifecycle/deactivate`)).status).toBe(204);
    expect((await call("GET", `${base}/${policyId}`)).body).toMatchObject({
      status: "INACTIVE",
      _links: { activate: {} },
    });
    expect((await call("POST", `${base}/${policyId}/lifecycle/activate`)).status).toBe(204);
    expect((await call("GET", `${base}/${policyId}`)).body.status).toBe("ACTIVE");

    expect((await call("DELETE", `${base}/${policyId}`)).status).toBe(204);
    expect((await call("GET", `${base}/${policyId}`)).status).toBe(404);
    expect(ids((await call("GET", base)).body)).toEqual(["p1:1"]);
  });

  it("follows Okta's priorities: insert at a priority shifts the others; a move closes the gap", async () => {
    const { serverId } = await seedServer();
    const base = `/authorizationServers/${serverId}/policies`;
    const a = (await call("POST", base, policyBody("a", ["ALL_CLIENTS"]))).body.id;
    const b = (await call("POST", base, policyBody("b", ["ALL_CLIENTS"], { priority: 1 }))).body.id;
    expect(ids((await call("GET", base)).body)).toEqual([`${b}:1`, "p1:2", `${a}:3`]);
    await call("PUT", `${base}/${b}`, policyBody("b", ["ALL_CLIENTS"], { priority: 99 }));
    expect(ids((await call("GET", base)).body)).toEqual(["p1:1", `${a}:2`, `${b}:3`]);
    await call("DELETE", `${base}/${a}`);
    expect(ids((await call("GET", base)).body)).toEqual(["p1:1", `${b}:2`]);
  });

  it("refuses bad input and unknown references with 400 naming the field; stores nothing", async () => {
    const { serverId } = await seedServer();
    const base = `/authorizationServers/${serverId}/policies`;
    const cases: [unknown, string][] = [
      [policyBody("x", ["ALL_CLIENTS"], { type: "OKTA_SIGN_ON" }), "type"],
      [policyBody("x", []), "conditions.clients.include"],
      [policyBody("", ["ALL_CLIENTS"]), "name"],
      [policyBody("x", ["ALL_CLIENTS"], { priority: 0 }), "priority"],
      [
        policyBody("x", ["no-such-client"]),
        "policies.1.conditions.clients.include.0: client 'no-such-client' does not exist",
      ],
    ];
    await expectRefusals(base, cases);
    expect(ids((await call("GET", base)).body)).toEqual(["p1:1"]);
    expect((await call("GET", `${base}/nope`)).status).toBe(404);
    expect((await call("PUT", `${base}/nope`, policyBody("x", ["ALL_CLIENTS"]))).status).toBe(404);
    expect((await call("POST", `${base}/nope/lifecycle/activate`)).status).toBe(404);
    expect((await call("GET", "/authorizationServers/nope/policies")).status).toBe(404);
    expect((await call("PATCH", base, {})).status).toBe(405);
  });
});

describe("/api/v1/authorizationServers/{id}/policies/{pid}/rules", () => {
  it("creates (201, Okta's defaults), lists, gets, replaces, toggles and deletes rules", async () => {
    const { serverId } = await seedServer();
    const base = `/authorizationServers/${serverId}/policies/p1/rules`;
    const created = await call("POST", base, {
      name: "minimal",
      conditions: { grantTypes: { include: ["client_credentials"] }, scopes: { include: ["*"] } },
    });
    expect(created.status).toBe(201);
    const ruleId = created.body.id as string;
    expect(created.body).toEqual({
      type: "RESOURCE_ACCESS",
      id: expect.stringMatching(/^0pr[A-Za-z0-9]{17}$/),
      status: "ACTIVE",
      name: "minimal",
      priority: 2,
      system: false,
      conditions: {
        people: { users: { include: [], exclude: [] }, groups: { include: ["EVERYONE"], exclude: [] } },
        grantTypes: { include: ["client_credentials"] },
        scopes: { include: ["*"] },
      },
      actions: {
        token: {
          accessTokenLifetimeMinutes: 60,
          refreshTokenLifetimeMinutes: 0,
          refreshTokenWindowMinutes: 10080,
        },
      },
      _links: {
        self: { href: `${ORIGIN}/api/v1${base}/${ruleId}`, hints: { allow: ["GET", "PUT", "DELETE"] } },
        deactivate: {
          href: `${ORIGIN}/api/v1${base}/${ruleId}/lifecycle/deactivate`,
          hints: { allow: ["POST"] },
        },
      },
    });
    expect(ids((await call("GET", base)).body)).toEqual(["r1:1", `${ruleId}:2`]);
    expect((await call("GET", `${base}/${ruleId}`)).body).toEqual(created.body);

    const replaced = await call("PUT", `${base}/${ruleId}`, ruleBody("first", ["read"], { priority: 1 }));
    expect(replaced).toMatchObject({
      status: 200,
      body: { name: "first", priority: 1, actions: { token: { accessTokenLifetimeMinutes: 10 } } },
    });
    expect(ids((await call("GET", base)).body)).toEqual([`${ruleId}:1`, "r1:2"]);

    expect((await call("POST", `${base}/${ruleId}/lifecycle/deactivate`)).status).toBe(204);
    expect((await call("GET", `${base}/${ruleId}`)).body.status).toBe("INACTIVE");
    expect((await call("POST", `${base}/${ruleId}/lifecycle/activate`)).status).toBe(204);
    expect((await call("DELETE", `${base}/${ruleId}`)).status).toBe(204);
    expect(ids((await call("GET", base)).body)).toEqual(["r1:1"]);
    expect((await call("GET", `/authorizationServers/${serverId}/policies/nope/rules`)).status).toBe(404);
    expect((await call("GET", `${base}/nope`)).body.errorSummary).toContain("(PolicyRule)");
    expect(
      (await call("POST", `/authorizationServers/${serverId}/policies/nope/rules`, ruleBody("x", ["*"]))).body
        .errorSummary,
    ).toContain("(Policy)");
  });

  it("refuses bad fields, enums, lifetimes and references with 400 naming the field; stores nothing", async () => {
    const { serverId } = await seedServer();
    const base = `/authorizationServers/${serverId}/policies/p1/rules`;
    const withToken = (token: Record<string, unknown>) => ruleBody("x", ["read"], { actions: { token } });
    const people = (p: Record<string, unknown>) =>
      ruleBody("x", ["read"], { conditions: { ...ruleBody("x", ["read"]).conditions, people: p } });
    const cases: [unknown, string][] = [
      [withToken({ accessTokenLifetimeMinutes: 4 }), "actions.token.accessTokenLifetimeMinutes"],
      [withToken({ accessTokenLifetimeMinutes: 1441 }), "actions.token.accessTokenLifetimeMinutes"],
      [withToken({ refreshTokenWindowMinutes: 5 }), "actions.token.refreshTokenWindowMinutes"],
      [withToken({ inlineHook: { id: "calNoSuchHook" } }), "inline hook 'calNoSuchHook' does not exist"],
      [ruleBody("x", ["nope"]), "scope 'nope' is not defined"],
      [ruleBody("x", ["read"], { type: "ACCESS" }), "type"],
      [
        { ...ruleBody("x", ["read"]), conditions: { scopes: { include: ["read"] } } },
        "conditions.grantTypes",
      ],
      [people({ groups: { include: ["00gNoSuchGroup"] } }), "group '00gNoSuchGroup' does not exist"],
      [people({ users: { include: ["00uNoSuchUser"] } }), "user '00uNoSuchUser' does not exist"],
    ];
    await expectRefusals(base, cases);
    expect(ids((await call("GET", base)).body)).toEqual(["r1:1"]);
  });

  it("serialises 50 concurrent rule creates: 50 rules, priorities 1..51 without gaps", async () => {
    const { serverId } = await seedServer();
    const base = `/authorizationServers/${serverId}/policies/p1/rules`;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => call("POST", base, ruleBody(`bulk-${i}`, ["read"]))),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    const rules = (await call("GET", base)).body as { name: string; priority: number }[];
    expect(rules.map((r) => r.priority)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
    expect(new Set(rules.map((r) => r.name)).size).toBe(51);
  });
});

describe("referential integrity across objects", () => {
  it("refuses to delete a client a policy names, and allows it once the policy lets go", async () => {
    const { serverId, clientId, postClientId } = await seedServer();
    expect((await call("POST", `/apps/${clientId}/lifecycle/deactivate`)).status).toBe(200);
    const refused = await call("DELETE", `/apps/${clientId}`);
    expect(refused.status).toBe(400);
    expect(refused.body.errorCauses[0].errorSummary).toContain(
      `policy 'p1' on authorization server '${serverId}'`,
    );
    await call(
      "PUT",
      `/authorizationServers/${serverId}/policies/p1`,
      policyBody("services", [postClientId]),
    );
    expect((await call("DELETE", `/apps/${clientId}`)).status).toBe(204);
  });

  it("refuses to delete an inline hook a rule names", async () => {
    const { serverId } = await seedServer();
    const hookId = uniqueId("cal");
    await importConfig({
      inlineHooks: [tokenHook({ id: hookId, name: hookId, status: "INACTIVE" })],
    });
    const rule = ruleBody("hooked", ["read"], { actions: { token: { inlineHook: { id: hookId } } } });
    expect((await call("POST", `/authorizationServers/${serverId}/policies/p1/rules`, rule)).status).toBe(
      201,
    );
    const refused = await call("DELETE", `/inlineHooks/${hookId}`);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body.errorCauses)).toContain(`on authorization server '${serverId}'`);
  });
});

describe("a policy change reaches the token endpoint", () => {
  it("is in the next request's decision: a deactivated rule denies, a new one grants its lifetime", async () => {
    const { serverId, issuer, clientId } = await seedServer();
    const request = () =>
      freshApp()(
        tokenRequest(
          issuer,
          { grant_type: "client_credentials", scope: "read" },
          { authorization: basic(clientId, SECRET) },
        ),
      );
    expect((await request()).status).toBe(200);

    await call("POST", `/authorizationServers/${serverId}/policies/p1/rules/r1/lifecycle/deactivate`);
    const denied = await request();
    expect(denied.status).toBe(400);
    expect(await denied.json()).toMatchObject({ error: "access_denied" });

    await call(
      "POST",
      `/authorizationServers/${serverId}/policies/p1/rules`,
      ruleBody("short", ["read"], { actions: { token: { accessTokenLifetimeMinutes: 7 } } }),
    );
    const granted = await request();
    expect(granted.status).toBe(200);
    const { access_token, expires_in } = (await granted.json()) as {
      access_token: string;
      expires_in: number;
    };
    expect(expires_in).toBe(7 * 60);
    const { payload } = decodeJwt(access_token);
    expect((payload.exp as number) - (payload.iat as number)).toBe(7 * 60);
  });
});
