/**
 * Rights never grow (DESIGN §8, README "Rights never grow"): every path a stranger holding one narrow
 * management right might take to a wider one is refused with 403 E0000006 and leaves state as it was.
 * The paths: minting an API token wider than oneself (then exporting, importing, rotating keys,
 * writing hooks with it); granting a client okta.* scopes one lacks (apps API, import, dry run);
 * taking over a client holding wider grants by replacing its jwks / jwks_uri / auth method, adding or
 * re-activating a secret, or re-activating the client. And the positive paths: the bootstrap token
 * still does everything, a wide creator mints a token that works within its rights.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import {
  adminRequest,
  clientKey,
  controlPlane,
  expectApiError,
  type Fixture,
  freshApp,
  importConfig,
  type OrgClient,
  orgAccessToken,
  orgTokenRequest,
  SECRET,
  seedOrgClient,
  seedServer,
  uniqueId,
} from "./helpers";

/** Every okta.* write scope: what a privileged service client (the victim) holds. */
const WIDE = [
  "okta.apiTokens.manage",
  "okta.apps.manage",
  "okta.authorizationServers.manage",
  "okta.groups.manage",
  "okta.inlineHooks.manage",
  "okta.users.manage",
];
const IMPORT_SCOPES = [
  "okta.authorizationServers.manage",
  "okta.apps.manage",
  "okta.inlineHooks.manage",
  "okta.trustedOrigins.manage",
];

/** A management-API call with `auth` (an `SSWS …` or `Bearer …` header value; the bootstrap token when absent). */
async function call(method: string, path: string, body?: unknown, auth?: string) {
  const res = await freshApp()(adminRequest(method, path, body, auth));
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: tests read Okta's JSON shapes field by field.
  const json: any = text ? JSON.parse(text) : undefined;
  return { status: res.status, body: json };
}

/** The answer is Okta's 403 E0000006. */
function expectForbidden(res: { status: number; body: { errorCode?: string } }, what: string) {
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(403);
  expect(res.body.errorCode).toBe("E0000006");
}

/** A bearer header from a fresh org client granted `scopes`, its token asking for all of them. */
async function bearerWith(scopes: string[]): Promise<{ auth: string; client: OrgClient }> {
  const client = await seedOrgClient(scopes);
  return { auth: `Bearer ${await orgAccessToken(client, scopes.join(" "))}`, client };
}

/** `POST /api/v1/api-tokens` as `auth`. */
function mint(auth: string | undefined, body: Record<string, unknown> = {}) {
  return call("POST", "/api-tokens", { name: uniqueId("tok"), ...body }, auth);
}

/** A managed SSWS token the bootstrap token mints with exactly `scopes`. */
async function sswsWith(scopes: string[]): Promise<{ auth: string; id: string }> {
  const res = await mint(undefined, { scopes });
  expect(res.status).toBe(201);
  return { auth: `SSWS ${res.body.token}`, id: res.body.id };
}

/** The stored client, secrets (hashes) included: what a refused write must leave untouched. */
function stored(clientId: string) {
  return controlPlane().getClientRecord(clientId);
}

async function tokenNames(): Promise<string[]> {
  return (await call("GET", "/api-tokens")).body.map((t: { name: string }) => t.name);
}

/** Okta's app body restating `clientId` as stored, with `change` applied to its oauthClient members. */
async function appBody(
  clientId: string,
  change: { credentials?: Record<string, unknown>; settings?: Record<string, unknown>; label?: string } = {},
) {
  const app = (await call("GET", `/apps/${clientId}`)).body;
  return {
    name: app.name,
    label: change.label ?? app.label,
    signOnMode: app.signOnMode,
    credentials: { oauthClient: { ...app.credentials.oauthClient, ...change.credentials } },
    settings: { oauthClient: { ...app.settings.oauthClient, ...change.settings } },
  };
}

let f: Fixture;
/** A privileged service client the attacker wants to become. */
let victim: OrgClient;

beforeAll(async () => {
  f = await seedServer();
  victim = await seedOrgClient(WIDE);
});

describe("API tokens carry at most their creator's rights", () => {
  it("okta.apiTokens.manage alone mints a token with okta.apiTokens.manage alone: no export, import, keys, hooks", async () => {
    const { auth, client } = await bearerWith(["okta.apiTokens.manage"]);
    const minted = await mint(auth);
    expect(minted.status).toBe(201);
    expect(minted.body).toMatchObject({
      scopes: ["okta.apiTokens.manage"],
      owner: { type: "CLIENT", id: client.clientId },
    });
    const ssws = `SSWS ${minted.body.token}`;
    const before = await call("GET", "/warden/export");

    expectForbidden(await call("GET", "/warden/export", undefined, ssws), "export");
    const doc = { clients: [{ client_id: uniqueId("evil"), client_name: "evil", grants: [] }] };
    expectForbidden(await call("POST", "/warden/import", doc, ssws), "import");
    expectForbidden(
      await call("GET", `/authorizationServers/${f.serverId}/credentials/keys`, undefined, ssws),
      "keys",
    );
    expectForbidden(
      await call(
        "POST",
        `/authorizationServers/${f.serverId}/credentials/lifecycle/keyRotate`,
        undefined,
        ssws,
      ),
      "keyRotate",
    );
    const hook = {
      name: "evil",
      type: "com.okta.oauth2.tokens.transform",
      version: "1.0.0",
      channel: {
        type: "HTTP",
        version: "1.0.0",
        config: { uri: "https://evil.example/hook", method: "POST" },
      },
    };
    expectForbidden(await call("POST", "/inlineHooks", hook, ssws), "hooks");
    expectForbidden(await call("GET", "/apps", undefined, ssws), "apps");
    expect(await call("GET", "/warden/export")).toEqual(before);
  });

  it("refuses a token wider than its creator, by bearer, by managed token, and by a token's token", async () => {
    const { auth: bearer } = await bearerWith(["okta.apiTokens.manage"]);
    const { auth: ssws } = await sswsWith(["okta.apiTokens.manage", "okta.apps.read"]);
    for (const [creator, scopes] of [
      [bearer, ["okta.apps.manage"]],
      [bearer, ["okta.apiTokens.manage", "okta.authorizationServers.read"]],
      [ssws, ["okta.apps.manage"]],
      [ssws, ["okta.inlineHooks.read"]],
    ] as const) {
      const name = uniqueId("wider");
      const res = await mint(creator, { name, scopes });
      expectForbidden(res, JSON.stringify(scopes));
      expect(res.body.errorCauses.map((c: { errorSummary: string }) => c.errorSummary).join(" ")).toMatch(
        /requires okta\./,
      );
      expect(await tokenNames()).not.toContain(name);
    }

    // A token minted by the narrow token is no wider, and cannot write what its grandparent could not.
    const child = await mint(ssws);
    expect(child.body.scopes).toEqual(["okta.apiTokens.manage", "okta.apps.read"]);
    const childAuth = `SSWS ${child.body.token}`;
    expect((await call("GET", "/apps?limit=1", undefined, childAuth)).status).toBe(200);
    const app = {
      name: "oidc_client",
      label: "x",
      signOnMode: "OPENID_CONNECT",
      settings: { oauthClient: {} },
    };
    expectForbidden(await call("POST", "/apps", app, childAuth), "child writes apps");
    expectForbidden(await mint(childAuth, { scopes: ["okta.apps.manage"] }), "grandchild");
  });

  it("applies the route's scopes to managed SSWS tokens as to bearer tokens", async () => {
    const { auth } = await sswsWith(["okta.apps.read"]);
    expect((await call("GET", "/apps?limit=1", undefined, auth)).status).toBe(200);
    expectForbidden(
      await call("POST", `/apps/${victim.clientId}/lifecycle/deactivate`, undefined, auth),
      "write",
    );
    expectForbidden(await call("GET", "/api-tokens", undefined, auth), "other resource");
    expectForbidden(await mint(auth), "mint without okta.apiTokens.manage");
    expect((await stored(victim.clientId))?.status).toBe("ACTIVE");
    // Revoking itself needs no scope: it never widens anything.
    expect((await call("DELETE", "/api-tokens/current", undefined, auth)).status).toBe(204);
    expect((await call("GET", "/apps?limit=1", undefined, auth)).status).toBe(401);
  });

  it("ends a token's rights with its owner's: a revoked parent, a client losing grants, a deactivated client", async () => {
    // Parent revoked: its child (never used, so not cached) is no longer valid.
    const parent = await sswsWith(["okta.apiTokens.manage", "okta.apps.read"]);
    const child = await mint(parent.auth);
    expect(child.status).toBe(201);
    expect(child.body.owner).toEqual({ type: "API_TOKEN", id: parent.id });
    expect((await call("DELETE", `/api-tokens/${parent.id}`)).status).toBe(204);
    expect((await call("GET", "/apps?limit=1", undefined, `SSWS ${child.body.token}`)).status).toBe(401);

    // A client's token narrows to the client's grants now: taking okta.apps.read away takes it from the token.
    const { auth, client } = await bearerWith(["okta.apiTokens.manage", "okta.apps.read"]);
    const owned = await mint(auth);
    await importConfig({
      clients: [
        {
          client_id: client.clientId,
          client_name: "service",
          token_endpoint_auth_method: "private_key_jwt",
          jwks: { keys: [client.key.publicJwk] },
          grants: [{ scopeId: "okta.apiTokens.manage" }],
        },
      ],
    });
    expectForbidden(await call("GET", "/apps?limit=1", undefined, `SSWS ${owned.body.token}`), "lost grant");
    const another = await mint(auth);
    expect((await call("POST", `/apps/${client.clientId}/lifecycle/deactivate`)).status).toBe(200);
    expect((await call("GET", "/api-tokens", undefined, `SSWS ${another.body.token}`)).status).toBe(401);
  });

  it("refuses tokens created before tokens recorded rights, with a clear 401", async () => {
    const legacy = await mint(undefined);
    const stub = (env as Env).CONTROL_PLANE.get((env as Env).CONTROL_PLANE.idFromName("global"));
    await runInDurableObject(stub, (_, state) => {
      state.storage.sql.exec(
        "UPDATE api_tokens SET record = json_remove(record, '$.scopes', '$.owner') WHERE id = ?",
        legacy.body.id,
      );
    });
    const res = await freshApp()(
      adminRequest("GET", "/apps?limit=1", undefined, `SSWS ${legacy.body.token}`),
    );
    const body = await expectApiError(res, 401, "E0000011");
    expect(body.errorCauses[0]?.errorSummary).toMatch(/created before API tokens recorded their rights/);
    // The bootstrap token still sees and revokes it.
    expect((await call("GET", `/api-tokens/${legacy.body.id}`)).body).toMatchObject({
      scopes: null,
      owner: null,
    });
    expect((await call("DELETE", `/api-tokens/${legacy.body.id}`)).status).toBe(204);
  });

  it("lets a wide creator mint a token that works within its rights, and the bootstrap token mint anything", async () => {
    const { auth } = await bearerWith(["okta.apiTokens.manage", "okta.apps.manage"]);
    const narrower = await mint(auth, { scopes: ["okta.apps.read"] });
    expect(narrower.body.scopes).toEqual(["okta.apps.read"]);
    const full = await mint(auth);
    expect(full.body.scopes).toEqual(["okta.apiTokens.manage", "okta.apps.manage"]);
    const app = {
      name: "oidc_client",
      label: "made by a token",
      signOnMode: "OPENID_CONNECT",
      settings: { oauthClient: {} },
    };
    expect((await call("POST", "/apps", app, `SSWS ${full.body.token}`)).status).toBe(200);
    expectForbidden(await call("POST", "/apps", app, `SSWS ${narrower.body.token}`), "read-only token");

    const root = await mint(undefined);
    expect(root.body.owner).toEqual({ type: "BOOTSTRAP" });
    expect(root.body.scopes).toContain("okta.users.manage");
    expect((await call("GET", "/warden/export", undefined, `SSWS ${root.body.token}`)).status).toBe(200);
  });
});

describe("a client's grants and credentials need the rights it holds", () => {
  let attacker: string;

  beforeAll(async () => {
    attacker = (await bearerWith(["okta.apps.manage"])).auth;
  });

  it("refuses replacing the jwks, jwks_uri or auth method of a client holding wider grants", async () => {
    const evil = await clientKey("RS256");
    const before = await stored(victim.clientId);
    const changes = [
      { settings: { jwks: { keys: [evil.publicJwk] } } },
      { settings: { jwks: undefined, jwks_uri: "https://evil.example/jwks" } },
      {
        credentials: { token_endpoint_auth_method: "client_secret_basic" },
        settings: { jwks: undefined },
      },
    ];
    for (const change of changes) {
      expectForbidden(
        await call("PUT", `/apps/${victim.clientId}`, await appBody(victim.clientId, change), attacker),
        JSON.stringify(change),
      );
      expect(await stored(victim.clientId)).toEqual(before);
    }
    // The attacker's key does not get the victim's scopes; the victim's own still does.
    const stolen = await orgTokenRequest({ clientId: victim.clientId, key: evil }, "okta.users.manage");
    expect(stolen.status).toBe(401);
    expect((await orgTokenRequest(victim, "okta.users.manage")).status).toBe(200);
  });

  it("refuses opening a new way to a client's tokens: a redirect URI or a grant type it did not have", async () => {
    // A public sign-in client holding grants, as the admin console: its redirect URI is its credential.
    // A code sent to a URI of the writer's choosing (from a flow the writer started, with the writer's
    // PKCE verifier) would be an admin's token in the writer's hands.
    const consoleId = uniqueId("console-victim");
    const seeded = await call("POST", "/warden/import", {
      clients: [
        {
          client_id: consoleId,
          client_name: "console",
          application_type: "browser",
          token_endpoint_auth_method: "none",
          grant_types: ["authorization_code"],
          redirect_uris: ["https://org.example/admin/callback", "https://org.example/other/callback"],
          grants: [{ scopeId: "okta.users.manage" }],
        },
      ],
    });
    expect(seeded.status, JSON.stringify(seeded.body)).toBe(200);
    const consoleBefore = await stored(consoleId);
    const redirect = { redirect_uris: ["https://org.example/admin/callback", "https://evil.example/cb"] };
    expectForbidden(
      await call("PUT", `/apps/${consoleId}`, await appBody(consoleId, { settings: redirect }), attacker),
      "PUT with a new redirect URI",
    );
    const exported = (await call("GET", "/warden/export")).body.clients.find(
      (c: { client_id: string }) => c.client_id === consoleId,
    );
    const importer = (await bearerWith(IMPORT_SCOPES)).auth;
    expectForbidden(
      await call("POST", "/warden/import", { clients: [{ ...exported, ...redirect }] }, importer),
      "import with a new redirect URI",
    );
    expect(await stored(consoleId)).toEqual(consoleBefore);
    // A grant type the service client did not have.
    const before = await stored(victim.clientId);
    const grantTypes = {
      grant_types: ["client_credentials", "urn:ietf:params:oauth:grant-type:token-exchange"],
    };
    expectForbidden(
      await call(
        "PUT",
        `/apps/${victim.clientId}`,
        await appBody(victim.clientId, { settings: grantTypes }),
        attacker,
      ),
      "PUT with a new grant type",
    );
    expect(await stored(victim.clientId)).toEqual(before);
    // Removing a redirect URI takes nothing from anyone: okta.apps.manage may.
    const fewer = await appBody(consoleId, {
      settings: { redirect_uris: ["https://org.example/admin/callback"] },
    });
    expect((await call("PUT", `/apps/${consoleId}`, fewer, attacker)).status).toBe(200);
  });

  it("still lets okta.apps.manage change what gives no power: the label, the same keys restated", async () => {
    const app = await appBody(victim.clientId, { label: "renamed" });
    const jwks = app.settings.oauthClient.jwks as { keys: Record<string, unknown>[] };
    // Members in another order are the same keys.
    jwks.keys = jwks.keys.map((k) => Object.fromEntries(Object.entries(k).reverse()));
    const res = await call("PUT", `/apps/${victim.clientId}`, app, attacker);
    expect(res.status).toBe(200);
    expect((await stored(victim.clientId))?.client_name).toBe("renamed");
  });

  it("refuses adding, re-activating, deactivating or deleting a secret of a client holding wider grants", async () => {
    // A secret client holding grants (the org server ignores it until its method changes, which is refused too).
    const clientId = uniqueId("secret-victim");
    await importConfig({
      clients: [
        {
          client_id: clientId,
          client_name: "sv",
          client_secrets: [SECRET],
          grants: [{ scopeId: "okta.users.manage" }],
        },
      ],
    });
    const secrets = (await call("GET", `/apps/${clientId}/credentials/secrets`)).body;
    const first = secrets[0].id;
    const before = await stored(clientId);
    expectForbidden(
      await call("POST", `/apps/${clientId}/credentials/secrets`, undefined, attacker),
      "add secret",
    );
    for (const action of ["deactivate", "activate"]) {
      expectForbidden(
        await call(
          "POST",
          `/apps/${clientId}/credentials/secrets/${first}/lifecycle/${action}`,
          undefined,
          attacker,
        ),
        `secret ${action}`,
      );
    }
    expectForbidden(
      await call("DELETE", `/apps/${clientId}/credentials/secrets/${first}`, undefined, attacker),
      "delete",
    );
    expect(await stored(clientId)).toEqual(before);
    // The bootstrap token may.
    expect((await call("POST", `/apps/${clientId}/credentials/secrets`)).status).toBe(201);
  });

  it("refuses re-activating a deactivated client holding wider grants; deactivating takes nothing", async () => {
    const target = await seedOrgClient(["okta.users.manage"]);
    expect(
      (await call("POST", `/apps/${target.clientId}/lifecycle/deactivate`, undefined, attacker)).status,
    ).toBe(200);
    expectForbidden(
      await call("POST", `/apps/${target.clientId}/lifecycle/activate`, undefined, attacker),
      "reactivate",
    );
    expect((await stored(target.clientId))?.status).toBe("INACTIVE");
    expect((await orgTokenRequest(target, "okta.users.manage")).status).toBe(401);
  });

  it("never takes grants from the apps API body", async () => {
    const app = {
      name: "oidc_client",
      label: "self-granted",
      signOnMode: "OPENID_CONNECT",
      grants: [{ scopeId: "okta.users.manage" }],
      settings: { oauthClient: {} },
    };
    const created = await call("POST", "/apps", app, attacker);
    expect(created.status).toBe(200);
    expect((await stored(created.body.id))?.grants).toBeUndefined();
    const put = await call(
      "PUT",
      `/apps/${created.body.id}`,
      { ...(await appBody(created.body.id)), grants: app.grants },
      attacker,
    );
    expect(put.status).toBe(200);
    expect((await stored(created.body.id))?.grants).toBeUndefined();
  });
});

describe("import grants no scope the caller lacks", () => {
  let importer: string;

  beforeAll(async () => {
    importer = (await bearerWith(IMPORT_SCOPES)).auth;
  });

  it("refuses a new client granted a scope the caller lacks, in a dry run too", async () => {
    const evil = await clientKey("RS256");
    const clientId = uniqueId("evil");
    const doc = {
      clients: [
        {
          client_id: clientId,
          client_name: "evil",
          token_endpoint_auth_method: "private_key_jwt",
          jwks: { keys: [evil.publicJwk] },
          grants: [{ scopeId: "okta.apps.manage" }, { scopeId: "okta.users.manage" }],
        },
      ],
    };
    for (const query of ["", "?dryRun=true"]) {
      const res = await call("POST", `/warden/import${query}`, doc, importer);
      expectForbidden(res, `import${query}`);
      expect(res.body.errorCauses).toEqual([{ errorSummary: "requires okta.users.manage" }]);
      expect(await stored(clientId)).toBeUndefined();
    }
    expect((await orgTokenRequest({ clientId, key: evil }, "okta.users.manage")).status).toBe(401);
  });

  it("refuses taking over, re-activating, re-keying or un-granting an existing privileged client", async () => {
    const target = await seedOrgClient(["okta.users.manage"]);
    const exported = (await call("GET", "/warden/export")).body.clients.find(
      (c: { client_id: string }) => c.client_id === target.clientId,
    );
    const evil = await clientKey("RS256");
    const before = await stored(target.clientId);
    for (const change of [
      { jwks: { keys: [evil.publicJwk] } },
      { jwks: undefined, jwks_uri: "https://evil.example/jwks" },
      { token_endpoint_auth_method: "client_secret_basic", jwks: undefined, client_secrets: [SECRET] },
      { client_secrets: [SECRET] },
      { grants: [] },
    ]) {
      const res = await call("POST", "/warden/import", { clients: [{ ...exported, ...change }] }, importer);
      expectForbidden(res, JSON.stringify(change));
      expect(await stored(target.clientId)).toEqual(before);
    }
    // Re-activation through import: deactivate (allowed), then restate as ACTIVE (refused).
    expect(
      (await call("POST", `/apps/${target.clientId}/lifecycle/deactivate`, undefined, importer)).status,
    ).toBe(200);
    const inactive = await stored(target.clientId);
    expectForbidden(
      await call("POST", "/warden/import", { clients: [{ ...exported, status: "ACTIVE" }] }, importer),
      "reactivate",
    );
    expect(await stored(target.clientId)).toEqual(inactive);
  });

  it("accepts restating a privileged client unchanged and granting scopes the caller holds", async () => {
    const exported = (await call("GET", "/warden/export")).body.clients.find(
      (c: { client_id: string }) => c.client_id === victim.clientId,
    );
    const own = await clientKey("RS256");
    const clientId = uniqueId("mine");
    const res = await call(
      "POST",
      "/warden/import",
      {
        clients: [
          exported,
          {
            client_id: clientId,
            client_name: "mine",
            token_endpoint_auth_method: "private_key_jwt",
            jwks: { keys: [own.publicJwk] },
            grants: [{ scopeId: "okta.apps.manage" }],
          },
        ],
      },
      importer,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await orgTokenRequest({ clientId, key: own }, "okta.apps.manage")).status).toBe(200);
    expect((await orgTokenRequest({ clientId, key: own }, "okta.users.manage")).status).toBe(400);
  });

  it("lets the bootstrap token grant anything", async () => {
    const own = await clientKey("RS256");
    const clientId = uniqueId("root-made");
    const doc = {
      clients: [
        {
          client_id: clientId,
          client_name: "root-made",
          token_endpoint_auth_method: "private_key_jwt",
          jwks: { keys: [own.publicJwk] },
          grants: WIDE.map((scopeId) => ({ scopeId })),
        },
      ],
    };
    expect((await call("POST", "/warden/import", doc)).status).toBe(200);
    expect((await orgTokenRequest({ clientId, key: own }, WIDE.join(" "))).status).toBe(200);
  });
});
