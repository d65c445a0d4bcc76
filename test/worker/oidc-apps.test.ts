/**
 * An app's OpenID Connect settings through Okta's Apps API (`/api/v1/apps`): every field stored and
 * shown in Okta's place, the app-type rules refused at Okta's paths with nothing written, the
 * defaults for apps stored before, and the same fields through import / export.
 */
import { describe, expect, it } from "vitest";
import { adminCall, importConfig, uniqueId } from "./helpers";

function app(settings: Record<string, unknown>, credentials: Record<string, unknown> = {}) {
  return {
    name: "oidc_client",
    label: uniqueId("oidc"),
    signOnMode: "OPENID_CONNECT",
    credentials: { oauthClient: { token_endpoint_auth_method: "client_secret_basic", ...credentials } },
    settings: { oauthClient: settings },
  };
}

describe("OIDC app settings in Okta's shape", () => {
  it("stores and shows a web app's redirect, logout, login, consent and refresh-token settings", async () => {
    const body = app({
      application_type: "web",
      grant_types: ["authorization_code", "refresh_token"],
      redirect_uris: ["https://app.example/callback", "http://localhost:8080/callback"],
      post_logout_redirect_uris: ["https://app.example/"],
      initiate_login_uri: "https://app.example/login",
      consent_method: "REQUIRED",
      refresh_token: { rotation_type: "ROTATE", leeway: 10 },
    });
    const created = await adminCall("POST", "/apps", body);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const expected = {
      credentials: {
        oauthClient: { token_endpoint_auth_method: "client_secret_basic", pkce_required: false },
      },
      settings: {
        oauthClient: {
          application_type: "web",
          grant_types: ["authorization_code", "refresh_token"],
          redirect_uris: ["https://app.example/callback", "http://localhost:8080/callback"],
          post_logout_redirect_uris: ["https://app.example/"],
          response_types: ["code"],
          initiate_login_uri: "https://app.example/login",
          consent_method: "REQUIRED",
          refresh_token: { rotation_type: "ROTATE", leeway: 10 },
        },
      },
    };
    expect(created.body).toMatchObject(expected);
    expect((await adminCall("GET", `/apps/${created.body.id}`)).body).toMatchObject(expected);

    // A replace without the optional fields takes the defaults again (PUT replaces).
    const replaced = await adminCall("PUT", `/apps/${created.body.id}`, {
      ...body,
      settings: {
        oauthClient: {
          application_type: "web",
          grant_types: ["authorization_code", "refresh_token"],
          redirect_uris: ["https://app.example/callback"],
        },
      },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.settings.oauthClient).toMatchObject({
      consent_method: "TRUSTED",
      post_logout_redirect_uris: [],
      refresh_token: { rotation_type: "STATIC", leeway: 30 },
    });
    expect(replaced.body.settings.oauthClient.initiate_login_uri).toBeUndefined();
  });

  it("makes a browser app a public client with PKCE and ROTATE refresh tokens", async () => {
    const created = await adminCall(
      "POST",
      "/apps",
      app(
        {
          application_type: "browser",
          grant_types: ["authorization_code", "refresh_token"],
          redirect_uris: ["https://spa.example/callback"],
        },
        { token_endpoint_auth_method: "none" },
      ),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    // A public client has no secret to show.
    expect(created.body.credentials.oauthClient.client_secret).toBeUndefined();
    expect(created.body.credentials.oauthClient.pkce_required).toBe(true);
    expect(created.body.settings.oauthClient.refresh_token).toEqual({ rotation_type: "ROTATE", leeway: 30 });
  });

  it("lets a native app redirect to its private-use scheme", async () => {
    const created = await adminCall(
      "POST",
      "/apps",
      app(
        {
          application_type: "native",
          grant_types: ["authorization_code"],
          redirect_uris: ["com.example.app:/oauth2redirect", "http://127.0.0.1/callback"],
        },
        { token_endpoint_auth_method: "none" },
      ),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body.settings.oauthClient.redirect_uris).toEqual([
      "com.example.app:/oauth2redirect",
      "http://127.0.0.1/callback",
    ]);
  });

  it("refuses incoherent settings at Okta's paths and writes nothing", async () => {
    const before = (await adminCall("GET", "/apps?limit=200")).body.length;
    const cases: [Record<string, unknown>, Record<string, unknown>, string][] = [
      [
        { application_type: "service", grant_types: ["password"] },
        {},
        "settings.oauthClient.grant_types.0: 'password' is not allowed for a service app",
      ],
      [
        {
          application_type: "browser",
          grant_types: ["authorization_code"],
          redirect_uris: ["https://a.example/cb"],
        },
        {},
        "credentials.oauthClient.token_endpoint_auth_method: a browser app is a public client",
      ],
      [
        {
          application_type: "browser",
          grant_types: ["authorization_code"],
          redirect_uris: ["https://a.example/cb"],
        },
        { token_endpoint_auth_method: "none", pkce_required: false },
        "credentials.oauthClient.pkce_required: a public client must require PKCE",
      ],
      [
        { application_type: "web", grant_types: ["client_credentials"] },
        { token_endpoint_auth_method: "none" },
        "a web app is a confidential client",
      ],
      [
        { application_type: "web", grant_types: ["authorization_code"] },
        {},
        "settings.oauthClient.redirect_uris: required for authorization_code and implicit",
      ],
      [
        {
          application_type: "web",
          grant_types: ["authorization_code"],
          redirect_uris: ["https://a.example/cb#frag"],
        },
        {},
        "settings.oauthClient.redirect_uris.0: must not contain a fragment",
      ],
      [
        {
          application_type: "web",
          grant_types: ["authorization_code"],
          redirect_uris: ["http://a.example/cb"],
        },
        {},
        "settings.oauthClient.redirect_uris.0: must use https",
      ],
      [
        {
          application_type: "web",
          grant_types: ["authorization_code"],
          redirect_uris: ["javascript:alert(1)//"],
        },
        {},
        "settings.oauthClient.redirect_uris.0: must not use the javascript: scheme",
      ],
      [
        {
          application_type: "web",
          grant_types: ["authorization_code"],
          redirect_uris: ["https://a.example/cb"],
          post_logout_redirect_uris: ["myapp:/out"],
        },
        {},
        "settings.oauthClient.post_logout_redirect_uris.0: must use https",
      ],
      [
        { application_type: "web", grant_types: ["client_credentials"], initiate_login_uri: "/login" },
        {},
        "settings.oauthClient.initiate_login_uri: must be an absolute URI",
      ],
      [
        { application_type: "web", grant_types: ["client_credentials"], consent_method: "SOMETIMES" },
        {},
        "settings.oauthClient.consent_method",
      ],
      [
        { application_type: "web", grant_types: ["client_credentials"], response_types: ["code"] },
        {},
        "settings.oauthClient.response_types.0: 'code' needs the authorization_code grant",
      ],
      [
        {
          application_type: "web",
          grant_types: ["authorization_code", "refresh_token"],
          redirect_uris: ["https://a.example/cb"],
          refresh_token: { rotation_type: "ROTATE", leeway: 61 },
        },
        {},
        "settings.oauthClient.refresh_token.leeway",
      ],
      [
        { application_type: "web", grant_types: ["client_credentials"], refresh_token: { leeway: 5 } },
        {},
        "settings.oauthClient.refresh_token: only for an app with the refresh_token grant",
      ],
      [
        { application_type: "web", grant_types: ["refresh_token"] },
        {},
        "refresh_token needs a grant that signs a user in",
      ],
      [
        {
          application_type: "web",
          grant_types: ["authorization_code"],
          redirect_uris: Array.from({ length: 101 }, (_, i) => `https://a.example/${i}`),
        },
        {},
        "settings.oauthClient.redirect_uris",
      ],
    ];
    for (const [settings, credentials, cause] of cases) {
      const res = await adminCall("POST", "/apps", app(settings, credentials));
      expect(res.status, JSON.stringify(settings)).toBe(400);
      expect(res.body.errorCode).toBe("E0000001");
      expect(res.body.errorCauses.map((c: { errorSummary: string }) => c.errorSummary).join("\n")).toContain(
        cause,
      );
    }
    expect((await adminCall("GET", "/apps?limit=200")).body.length).toBe(before);
  });

  it("shows an app stored before these fields existed with their defaults, and exports them", async () => {
    const clientId = uniqueId("legacy");
    await importConfig({ clients: [{ client_id: clientId, client_name: "legacy" }] });
    const shown = (await adminCall("GET", `/apps/${clientId}`)).body;
    expect(shown.settings.oauthClient).toMatchObject({
      application_type: "service",
      response_types: ["token"],
      consent_method: "TRUSTED",
      post_logout_redirect_uris: [],
    });
    expect(shown.credentials.oauthClient.pkce_required).toBe(false);
    const exported = (await adminCall("GET", "/warden/export")).body.clients.find(
      (c: { client_id: string }) => c.client_id === clientId,
    );
    expect(exported).toMatchObject({
      application_type: "service",
      consent_method: "TRUSTED",
      pkce_required: false,
    });
    // Restating the export changes nothing and is accepted.
    expect((await adminCall("POST", "/warden/import?dryRun=true", { clients: [exported] })).status).toBe(200);
  });
});
