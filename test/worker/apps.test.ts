/**
 * `/api/v1/apps` in Okta's shape: CRUD, lifecycle, pagination, validation, referential integrity, and
 * client secret rotation without downtime, checked end to end at the token endpoint.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import {
  adminRequest,
  basic,
  configRecord,
  controlPlane,
  expectApiError,
  type Fixture,
  freshApp,
  ORIGIN,
  seedServer,
  tokenRequest,
  uniqueId,
} from "./helpers";

const APPS = `${ORIGIN}/api/v1/apps`;

function call(method: string, url: string, body?: unknown) {
  return freshApp()(adminRequest(method, url, body));
}

interface OktaApp {
  id: string;
  name: string;
  label: string;
  status: string;
  signOnMode: string;
  credentials: { oauthClient: Record<string, unknown> };
  settings: { oauthClient: Record<string, unknown> };
  _links: Record<string, unknown>;
}

interface Secret {
  id: string;
  status: string;
  client_secret?: string;
}

function appBody(
  label: string,
  oauthClient: Record<string, unknown> = {},
  settings: Record<string, unknown> = {},
) {
  return {
    name: "oidc_client",
    label,
    signOnMode: "OPENID_CONNECT",
    credentials: { oauthClient: { token_endpoint_auth_method: "client_secret_basic", ...oauthClient } },
    settings: {
      oauthClient: {
        grant_types: ["client_credentials"],
        response_types: ["token"],
        application_type: "service",
        ...settings,
      },
    },
  };
}

async function createApp(label = uniqueId("app"), query = ""): Promise<{ app: OktaApp; secret: string }> {
  const res = await call("POST", `${APPS}${query}`, appBody(label));
  expect(res.status).toBe(200);
  const app = (await res.json()) as OktaApp;
  return { app, secret: app.credentials.oauthClient.client_secret as string };
}

/** A server whose only policy covers ALL_CLIENTS, so every app created here can get tokens from it. */
let open: Fixture;
/** A server whose policy names one specific app, for the referential-integrity checks. */
let referencing: { serverId: string; clientId: string };

beforeAll(async () => {
  open = await seedServer({
    config: {
      policies: [
        {
          id: "p-all",
          name: "all",
          priority: 1,
          conditions: { clients: { include: ["ALL_CLIENTS"] } },
          rules: [
            {
              id: "r",
              name: "r",
              priority: 1,
              conditions: { grantTypes: { include: ["client_credentials"] }, scopes: { include: ["read"] } },
            },
          ],
        },
      ],
    },
  });
  const { app } = await createApp();
  const named = await seedServer({
    config: {
      policies: [
        {
          id: "p-named",
          name: "named",
          priority: 1,
          conditions: { clients: { include: [app.id] } },
          rules: [],
        },
      ],
    },
  });
  referencing = { serverId: named.serverId, clientId: app.id };
});

function token(clientId: string, secret: string) {
  return freshApp()(
    tokenRequest(
      open.issuer,
      { grant_type: "client_credentials", scope: "read" },
      { authorization: basic(clientId, secret) },
    ),
  );
}

describe("POST /api/v1/apps", () => {
  it("creates an OIDC app in Okta's shape with a generated 0oa… id and a secret shown once", async () => {
    const label = uniqueId("created");
    const { app, secret } = await createApp(label);
    expect(app).toMatchObject({
      name: "oidc_client",
      label,
      status: "ACTIVE",
      signOnMode: "OPENID_CONNECT",
      credentials: { oauthClient: { client_id: app.id, token_endpoint_auth_method: "client_secret_basic" } },
      settings: {
        oauthClient: {
          grant_types: ["client_credentials"],
          redirect_uris: [],
          response_types: ["token"],
          application_type: "service",
        },
      },
      _links: {
        self: { href: `${APPS}/${app.id}` },
        deactivate: { href: `${APPS}/${app.id}/lifecycle/deactivate` },
      },
    });
    expect(app.id).toMatch(/^0oa[A-Za-z0-9]{17}$/);
    // 32 random bytes, base64url: 256 bits.
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const got = (await (await call("GET", `${APPS}/${app.id}`)).json()) as OktaApp;
    expect(got.credentials.oauthClient.client_secret).toBeUndefined();
    expect(JSON.stringify(got)).not.toContain(secret);
    const stored = await controlPlane().getClientRecord(app.id);
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(await (env as Env).CONFIG.get(`client/${app.id}`)).not.toContain(secret);

    expect((await token(app.id, secret)).status).toBe(200);
  });

  it("creates an INACTIVE app with ?activate=false, and a private_key_jwt app without a secret", async () => {
    const { app } = await createApp(uniqueId("inactive"), "?activate=false");
    expect(app.status).toBe("INACTIVE");
    expect(app._links.activate).toBeDefined();

    const jwks = {
      keys: [
        {
          kty: "EC",
          crv: "P-256",
          x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
          y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
        },
      ],
    };
    const res = await call(
      "POST",
      APPS,
      appBody(uniqueId("pkj"), { token_endpoint_auth_method: "private_key_jwt" }, { jwks }),
    );
    expect(res.status).toBe(200);
    const pkj = (await res.json()) as OktaApp;
    expect(pkj.credentials.oauthClient.client_secret).toBeUndefined();
    expect(pkj.settings.oauthClient.jwks).toEqual(jwks);
    const secrets = await call("POST", `${APPS}/${pkj.id}/credentials/secrets`);
    await expectApiError(secrets, 400, "E0000001");
  });

  it("refuses invalid input with 400 E0000001 naming Okta's fields, and stores nothing", async () => {
    const label = uniqueId("invalid");
    const cases: [unknown, RegExp][] = [
      [{ ...appBody(label), name: "bookmark" }, /^name: /],
      [{ ...appBody(label), signOnMode: "SAML_2_0" }, /^signOnMode: /],
      [appBody(""), /^label: /],
      [appBody(label, {}, { grant_types: ["magic"] }), /^settings\.oauthClient\.grant_types\.0: /],
      [
        appBody(label, { token_endpoint_auth_method: "tls" }),
        /^credentials\.oauthClient\.token_endpoint_auth_method: /,
      ],
      [appBody(label, {}, { redirect_uris: ["not a url"] }), /^settings\.oauthClient\.redirect_uris\.0: /],
      [appBody(label, {}, { application_type: "desktop" }), /^settings\.oauthClient\.application_type: /],
      [appBody(label, { token_endpoint_auth_method: "private_key_jwt" }), /^settings\.oauthClient\.jwks: /],
      [appBody(label, {}, { response_types: ["magic"] }), /^settings\.oauthClient\.response_types\.0: /],
      [{ ...appBody(label), settings: undefined }, /^settings: /],
      [appBody(label, { client_id: 42 }), /^credentials\.oauthClient\.client_id: /],
    ];
    for (const [body, cause] of cases) {
      const error = await expectApiError(await call("POST", APPS, body), 400, "E0000001");
      expect(error.errorCauses.map((c) => c.errorSummary).join("\n")).toMatch(cause);
    }
    await expectApiError(await call("POST", APPS, "not json"), 400, "E0000003");
    const listed = (await (await call("GET", `${APPS}?q=${label}`)).json()) as OktaApp[];
    expect(listed).toEqual([]);
  });

  it("keeps Okta's app profile, returns it, and refuses one that is not a JSON object", async () => {
    const profile = { tier: "gold", regions: ["eu", "us"] };
    const res = await call("POST", APPS, { ...appBody(uniqueId("prof")), profile });
    expect(res.status).toBe(200);
    const app = (await res.json()) as OktaApp & { profile?: unknown };
    expect(app.profile).toEqual(profile);
    expect(await (await call("GET", `${APPS}/${app.id}`)).json()).toMatchObject({ profile });
    const bad = await call("POST", APPS, { ...appBody(uniqueId("prof")), profile: ["not", "an", "object"] });
    await expectApiError(bad, 400, "E0000001");
  });

  it("refuses a client_id that already exists", async () => {
    const { app } = await createApp();
    const res = await call("POST", APPS, appBody(uniqueId("dup"), { client_id: app.id }));
    const error = await expectApiError(res, 400, "E0000001");
    expect(error.errorCauses[0]?.errorSummary).toMatch(
      /^credentials\.oauthClient\.client_id: .*already exists/,
    );
  });
});

describe("concurrent writes", () => {
  it("serialises 50 concurrent creates into 50 apps", async () => {
    const prefix = uniqueId("burst");
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, n) => call("POST", APPS, appBody(`${prefix}-${n}`))),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    const listed = (await (await call("GET", `${APPS}?q=${prefix}&limit=200`)).json()) as OktaApp[];
    expect(new Set(listed.map((a) => a.id)).size).toBe(50);
  });
});

describe("GET /api/v1/apps", () => {
  it("pages with limit/after and Link headers, filtered by q on the label", async () => {
    const prefix = uniqueId("page");
    const ids = [];
    for (const n of [1, 2, 3]) ids.push((await createApp(`${prefix}-${n}`)).app.id);
    const first = await call("GET", `${APPS}?q=${prefix}&limit=2`);
    expect(first.status).toBe(200);
    const page1 = (await first.json()) as OktaApp[];
    expect(page1).toHaveLength(2);
    const link = first.headers.get("Link") ?? "";
    expect(link).toContain(`<${APPS}?q=${prefix}&limit=2>; rel="self"`);
    const next = /<([^>]+)>; rel="next"/.exec(link)?.[1];
    expect(next).toBeDefined();
    const second = await call("GET", next as string);
    const page2 = (await second.json()) as OktaApp[];
    expect(page2).toHaveLength(1);
    expect(second.headers.get("Link")).not.toContain('rel="next"');
    expect([...page1, ...page2].map((a) => a.id).sort()).toEqual(ids.sort());
    expect([...page1, ...page2].every((a) => a.label.startsWith(prefix))).toBe(true);
    await expectApiError(await call("GET", `${APPS}?limit=0`), 400, "E0000001");
  });

  it("answers an unknown id with 404 E0000007 everywhere", async () => {
    const id = uniqueId("nope");
    await expectApiError(await call("GET", `${APPS}/${id}`), 404, "E0000007");
    await expectApiError(await call("PUT", `${APPS}/${id}`, appBody("x")), 404, "E0000007");
    await expectApiError(await call("DELETE", `${APPS}/${id}`), 404, "E0000007");
    await expectApiError(await call("POST", `${APPS}/${id}/lifecycle/deactivate`), 404, "E0000007");
    await expectApiError(await call("GET", `${APPS}/${id}/credentials/secrets`), 404, "E0000007");
    const { app } = await createApp();
    await expectApiError(await call("GET", `${APPS}/${app.id}/credentials/secrets/ocsnope`), 404, "E0000007");
    await expectApiError(
      await call("POST", `${APPS}/${app.id}/credentials/secrets/ocsnope/lifecycle/deactivate`),
      404,
      "E0000007",
    );
    await expectApiError(
      await call("DELETE", `${APPS}/${app.id}/credentials/secrets/ocsnope`),
      404,
      "E0000007",
    );
  });
});

describe("PUT /api/v1/apps/{id}", () => {
  it("replaces the settings but never the secrets or the status", async () => {
    const { app, secret } = await createApp();
    await call("POST", `${APPS}/${app.id}/lifecycle/deactivate`);
    const res = await call(
      "PUT",
      `${APPS}/${app.id}`,
      appBody("renamed", { client_id: "ignored" }, { redirect_uris: ["https://app.example/cb"] }),
    );
    expect(res.status).toBe(200);
    const replaced = (await res.json()) as OktaApp;
    expect(replaced).toMatchObject({ id: app.id, label: "renamed", status: "INACTIVE" });
    expect(replaced.settings.oauthClient.redirect_uris).toEqual(["https://app.example/cb"]);
    expect(replaced.credentials.oauthClient.client_secret).toBeUndefined();
    await call("POST", `${APPS}/${app.id}/lifecycle/activate`);
    expect((await token(app.id, secret)).status).toBe(200);

    const bad = await call("PUT", `${APPS}/${app.id}`, appBody("renamed", {}, { grant_types: [] }));
    await expectApiError(bad, 400, "E0000001");
    expect(((await (await call("GET", `${APPS}/${app.id}`)).json()) as OktaApp).label).toBe("renamed");
  });
});

describe("app lifecycle and deletion", () => {
  it("stops token issuance when deactivated (the KV record turns INACTIVE) and resumes on activate", async () => {
    const { app, secret } = await createApp();
    expect((await token(app.id, secret)).status).toBe(200);
    const deactivated = await call("POST", `${APPS}/${app.id}/lifecycle/deactivate`);
    expect(deactivated.status).toBe(200);
    expect(await deactivated.json()).toEqual({});
    expect(await configRecord("client", app.id)).toMatchObject({ status: "INACTIVE" });
    const refused = await token(app.id, secret);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: string }).error).toBe("invalid_client");
    await call("POST", `${APPS}/${app.id}/lifecycle/activate`);
    expect((await token(app.id, secret)).status).toBe(200);
  });

  it("refuses to delete an ACTIVE app, then deletes it once deactivated", async () => {
    const { app } = await createApp();
    const active = await expectApiError(await call("DELETE", `${APPS}/${app.id}`), 400, "E0000001");
    expect(active.errorCauses[0]?.errorSummary).toMatch(/deactivated before it is deleted/);
    expect((await call("GET", `${APPS}/${app.id}`)).status).toBe(200);

    await call("POST", `${APPS}/${app.id}/lifecycle/deactivate`);
    expect((await call("DELETE", `${APPS}/${app.id}`)).status).toBe(204);
    await expectApiError(await call("GET", `${APPS}/${app.id}`), 404, "E0000007");
    expect(await (env as Env).CONFIG.get(`client/${app.id}`)).toBeNull();
  });

  it("refuses to delete an app a policy names, saying which", async () => {
    const { clientId, serverId } = referencing;
    await call("POST", `${APPS}/${clientId}/lifecycle/deactivate`);
    const error = await expectApiError(await call("DELETE", `${APPS}/${clientId}`), 400, "E0000001");
    expect(error.errorCauses[0]?.errorSummary).toContain(
      `policy 'p-named' on authorization server '${serverId}'`,
    );
    expect(await controlPlane().getClientRecord(clientId)).toBeDefined();
  });
});

describe("client secret rotation", () => {
  it("rotates without downtime: two ACTIVE secrets both work, a deactivated one is refused", async () => {
    const { app, secret: oldSecret } = await createApp();
    const secretsUrl = `${APPS}/${app.id}/credentials/secrets`;
    const [old] = (await (await call("GET", secretsUrl)).json()) as Secret[];
    expect(old).toMatchObject({ status: "ACTIVE" });
    expect(old?.client_secret).toBeUndefined();

    const created = await call("POST", secretsUrl);
    expect(created.status).toBe(201);
    const fresh = (await created.json()) as Secret;
    expect(fresh.status).toBe("ACTIVE");
    expect(fresh.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const newSecret = fresh.client_secret as string;

    // Never again: not in the list, not in a get, not in the app.
    const listed = JSON.stringify(await (await call("GET", secretsUrl)).json());
    const single = JSON.stringify(await (await call("GET", `${secretsUrl}/${fresh.id}`)).json());
    const appJson = JSON.stringify(await (await call("GET", `${APPS}/${app.id}`)).json());
    for (const text of [listed, single, appJson]) {
      expect(text).not.toContain(newSecret);
      expect(text).not.toContain(oldSecret);
    }

    expect((await token(app.id, oldSecret)).status).toBe(200);
    expect((await token(app.id, newSecret)).status).toBe(200);

    // Okta's limit: two secrets.
    await expectApiError(await call("POST", secretsUrl), 400, "E0000001");

    const deactivated = await call("POST", `${secretsUrl}/${old?.id}/lifecycle/deactivate`);
    expect(deactivated.status).toBe(200);
    expect(((await deactivated.json()) as Secret).status).toBe("INACTIVE");
    expect((await token(app.id, oldSecret)).status).toBe(401);
    expect((await token(app.id, newSecret)).status).toBe(200);

    expect((await call("DELETE", `${secretsUrl}/${old?.id}`)).status).toBe(204);
    const remaining = (await (await call("GET", secretsUrl)).json()) as Secret[];
    expect(remaining.map((s) => s.id)).toEqual([fresh.id]);
  });

  it("protects the last ACTIVE secret and refuses to delete an ACTIVE one", async () => {
    const { app, secret } = await createApp();
    const secretsUrl = `${APPS}/${app.id}/credentials/secrets`;
    const [only] = (await (await call("GET", secretsUrl)).json()) as Secret[];
    const last = await expectApiError(
      await call("POST", `${secretsUrl}/${only?.id}/lifecycle/deactivate`),
      400,
      "E0000001",
    );
    expect(last.errorCauses[0]?.errorSummary).toMatch(/last ACTIVE client secret/);
    const active = await expectApiError(await call("DELETE", `${secretsUrl}/${only?.id}`), 400, "E0000001");
    expect(active.errorCauses[0]?.errorSummary).toMatch(/must be deactivated/);
    expect((await token(app.id, secret)).status).toBe(200);

    // With a successor ACTIVE, the old one can go INACTIVE, come back, and be retired for good.
    const fresh = (await (await call("POST", secretsUrl)).json()) as Secret;
    expect((await call("POST", `${secretsUrl}/${only?.id}/lifecycle/deactivate`)).status).toBe(200);
    expect((await call("POST", `${secretsUrl}/${only?.id}/lifecycle/activate`)).status).toBe(200);
    expect((await token(app.id, secret)).status).toBe(200);
    expect((await call("POST", `${secretsUrl}/${fresh.id}/lifecycle/deactivate`)).status).toBe(200);
    expect((await token(app.id, fresh.client_secret as string)).status).toBe(401);
  });
});
