/**
 * The pure rules of an app's OpenID Connect settings (src/config/oidc-app.ts), of trusted origins
 * and redirect URIs (src/config/origins.ts), of the trusted-origin `filter` (src/admin/
 * trusted-origin-filter.ts) and of the published origins record (src/config/trusted-origins.ts).
 */
import { describe, expect, it } from "vitest";
import { parseTrustedOriginFilter } from "../../src/admin/trusted-origin-filter";
import { oidcIssues, oidcSettings } from "../../src/config/oidc-app";
import { canonicalOrigin, redirectUriProblem } from "../../src/config/origins";
import { Client, ImportDocument, TrustedOriginFields } from "../../src/config/schemas";
import { publishedTrustedOrigins } from "../../src/config/trusted-origins";

const base = { client_id: "app", client_name: "app" };

function issues(fields: Record<string, unknown>): string[] {
  const parsed = Client.safeParse({ ...base, ...fields });
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("app types and their grants", () => {
  it("infers service for a client_credentials-only app and web otherwise, as stored apps meant", () => {
    expect(Client.parse(base).application_type).toBe("service");
    expect(Client.parse({ ...base, grant_types: ["password"] }).application_type).toBe("web");
  });

  it("writes every OIDC default out", () => {
    expect(
      Client.parse({ ...base, application_type: "web", grant_types: ["client_credentials"] }),
    ).toMatchObject({
      response_types: ["token"],
      post_logout_redirect_uris: [],
      consent_method: "TRUSTED",
      pkce_required: false,
    });
    const spa = Client.parse({
      ...base,
      application_type: "browser",
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      redirect_uris: ["https://spa.example/callback"],
    });
    expect(spa).toMatchObject({
      pkce_required: true,
      response_types: ["code"],
      refresh_token: { rotation_type: "ROTATE", leeway: 30 },
    });
  });

  it.each([
    ["service", ["password"], "grant_types.0: 'password' is not allowed for a service app"],
    [
      "service",
      ["authorization_code"],
      "grant_types.0: 'authorization_code' is not allowed for a service app",
    ],
    [
      "browser",
      ["client_credentials"],
      "grant_types.0: 'client_credentials' is not allowed for a browser app",
    ],
    ["browser", ["password"], "grant_types.0: 'password' is not allowed for a browser app"],
    ["web", ["urn:ietf:params:oauth:grant-type:device_code"], "is not allowed for a web app"],
  ])("refuses a %s app with %j", (type, grants, message) => {
    const found = issues({
      application_type: type,
      grant_types: grants,
      token_endpoint_auth_method: type === "browser" ? "none" : "client_secret_basic",
      redirect_uris: ["https://app.example/cb"],
    });
    expect(found.join("\n")).toContain(message);
  });

  it("keeps browser apps public with PKCE and web and service apps confidential", () => {
    const spa = {
      application_type: "browser",
      grant_types: ["authorization_code"],
      redirect_uris: ["https://a.example/cb"],
    };
    expect(issues(spa)).toContain(
      "token_endpoint_auth_method: a browser app is a public client: it must be 'none'",
    );
    expect(issues({ ...spa, token_endpoint_auth_method: "none", pkce_required: false })).toContain(
      "pkce_required: a public client must require PKCE",
    );
    expect(issues({ ...spa, token_endpoint_auth_method: "none" })).toEqual([]);
    expect(issues({ application_type: "web", token_endpoint_auth_method: "none" }).join()).toContain(
      "a web app is a confidential client",
    );
    expect(issues({ application_type: "service", token_endpoint_auth_method: "none" }).join()).toContain(
      "a service app is a confidential client",
    );
    const nativePublic = {
      application_type: "native",
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code"],
      redirect_uris: ["com.example.app:/callback"],
    };
    expect(issues(nativePublic)).toEqual([]);
    expect(issues({ ...nativePublic, pkce_required: false })).toContain(
      "pkce_required: a public client must require PKCE",
    );
  });

  it("asks for a redirect URI with authorization_code and a user grant with refresh_token", () => {
    expect(issues({ grant_types: ["authorization_code"] })).toContain(
      "redirect_uris: required for authorization_code and implicit",
    );
    expect(
      issues({ application_type: "web", grant_types: ["refresh_token", "client_credentials"] }).join(),
    ).toContain("refresh_token needs a grant that signs a user in");
  });

  it("checks response types against the grants and refresh-token settings against their range", () => {
    const web = {
      application_type: "web",
      grant_types: ["authorization_code"],
      redirect_uris: ["https://a.example/cb"],
    };
    expect(issues({ ...web, response_types: ["code"] })).toEqual([]);
    expect(issues({ ...web, response_types: ["id_token"] })).toContain(
      "response_types.0: 'id_token' needs the implicit grant",
    );
    expect(issues({ ...web, refresh_token: { leeway: 30 } })).toContain(
      "refresh_token: only for an app with the refresh_token grant",
    );
    const refresh = { ...web, grant_types: ["authorization_code", "refresh_token"] };
    expect(issues({ ...refresh, refresh_token: { leeway: 61 } }).join()).toContain("refresh_token.leeway");
    expect(issues({ ...refresh, refresh_token: { leeway: -1 } }).join()).toContain("refresh_token.leeway");
    expect(issues({ ...refresh, refresh_token: { rotation_type: "SOMETIMES" } }).join()).toContain(
      "refresh_token.rotation_type",
    );
    expect(Client.parse({ ...base, ...refresh, refresh_token: { leeway: 0 } }).refresh_token).toEqual({
      rotation_type: "STATIC",
      leeway: 0,
    });
  });

  it("reads a client stored before these fields existed with the defaults", () => {
    expect(
      oidcSettings({
        application_type: "service",
        grant_types: ["client_credentials"],
        token_endpoint_auth_method: "client_secret_basic",
        redirect_uris: [],
      }),
    ).toEqual({
      application_type: "service",
      response_types: ["token"],
      post_logout_redirect_uris: [],
      consent_method: "TRUSTED",
      pkce_required: false,
    });
  });
});

describe("redirect URIs", () => {
  const web = (uri: string) => redirectUriProblem(uri, "web");
  const native = (uri: string) => redirectUriProblem(uri, "native");

  it("takes https anywhere and http on loopback only", () => {
    expect(web("https://app.example/callback")).toBeUndefined();
    expect(web("http://localhost:8080/cb")).toBeUndefined();
    expect(web("http://127.0.0.1/cb")).toBeUndefined();
    expect(web("http://[::1]:3000/cb")).toBeUndefined();
    expect(web("http://app.example/cb")).toMatch(/https/);
    expect(web("http://localhost.evil.example/cb")).toMatch(/https/);
  });

  it("refuses fragments, credentials, wildcards, relative and script URIs for every app", () => {
    for (const check of [web, native]) {
      expect(check("https://app.example/cb#x")).toMatch(/fragment/);
      expect(check("https://app.example/cb#")).toMatch(/fragment/);
      expect(check("https://user:pw@app.example/cb")).toMatch(/credentials/);
      expect(check("https://*.example/cb")).toMatch(/wildcard/);
      expect(check("/callback")).toMatch(/absolute/);
      expect(check("javascript:alert(1)")).toMatch(/javascript/);
      expect(check("JavaScript:alert(1)")).toMatch(/javascript/);
      expect(check("data:text/html,hi")).toMatch(/data/);
      expect(check("file:///etc/passwd")).toMatch(/file/);
      expect(check("https://app.example/\ncb")).toMatch(/absolute/);
      expect(check(" https://app.example/cb")).toMatch(/absolute/);
    }
  });

  it("lets native apps use private-use schemes (RFC 8252 §7.1), and only them", () => {
    expect(native("com.example.app:/oauth2redirect")).toBeUndefined();
    expect(web("com.example.app:/oauth2redirect")).toMatch(/custom schemes are for native apps/);
    expect(
      issues({
        application_type: "web",
        grant_types: ["authorization_code"],
        redirect_uris: ["https://a.example/cb", "com.example.app:/cb"],
        post_logout_redirect_uris: ["http://evil.example/"],
        initiate_login_uri: "https://a.example/login#frag",
      }),
    ).toEqual([
      "redirect_uris.1: must use https (http only for localhost, 127.0.0.1 or [::1]); custom schemes are for native apps",
      "post_logout_redirect_uris.0: must use https (http only for localhost, 127.0.0.1 or [::1])",
      "initiate_login_uri: must not contain a fragment (RFC 6749 §3.1.2)",
    ]);
  });
});

describe("trusted origins", () => {
  it("stores the origin as a browser serializes it", () => {
    expect(canonicalOrigin("https://App.Example.COM")).toEqual({
      ok: true,
      value: "https://app.example.com",
    });
    expect(canonicalOrigin("https://app.example.com:443/")).toEqual({
      ok: true,
      value: "https://app.example.com",
    });
    expect(canonicalOrigin("http://localhost:3000")).toEqual({ ok: true, value: "http://localhost:3000" });
    expect(canonicalOrigin("capacitor://localhost")).toEqual({ ok: true, value: "capacitor://localhost" });
    expect(canonicalOrigin("ionic://LocalHost")).toEqual({ ok: true, value: "ionic://localhost" });
    expect(canonicalOrigin("https://xn--bcher-kva.example")).toEqual({
      ok: true,
      value: "https://xn--bcher-kva.example",
    });
  });

  it.each([
    ["example.com", "absolute origin"],
    ["https://app.example/path", "origin only"],
    ["https://app.example?x=1", "origin only"],
    ["https://app.example?", "origin only"],
    ["https://app.example#f", "origin only"],
    ["https://u:p@app.example", "credentials"],
    ["https://*.example.com", "wildcard"],
    ["javascript:alert(1)", "must use http"],
    ["null", "absolute origin"],
    ["https://app.example\u0000", "absolute origin"],
    ["https://app.example\n", "absolute origin"],
    ["", "absolute origin"],
  ])("refuses %j", (value, message) => {
    const checked = canonicalOrigin(value);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.message).toContain(message);
  });

  it("validates the API body: scopes CORS and REDIRECT, once each", () => {
    const ok = TrustedOriginFields.parse({
      name: "SPA",
      origin: "https://SPA.example/",
      scopes: [{ type: "CORS" }],
    });
    expect(ok).toEqual({
      name: "SPA",
      origin: "https://spa.example",
      scopes: [{ type: "CORS" }],
      status: "ACTIVE",
    });
    for (const scopes of [[], [{ type: "IFRAME_EMBED" }], [{ type: "CORS" }, { type: "CORS" }], undefined]) {
      expect(TrustedOriginFields.safeParse({ name: "x", origin: "https://a.example", scopes }).success).toBe(
        false,
      );
    }
    expect(
      TrustedOriginFields.safeParse({ name: " ", origin: "https://a.example", scopes: [{ type: "CORS" }] })
        .success,
    ).toBe(false);
    expect(ImportDocument.parse({}).trustedOrigins).toEqual([]);
  });

  it("publishes ACTIVE origins only, by scope", () => {
    expect(
      publishedTrustedOrigins([
        { origin: "https://b.example", status: "ACTIVE", scopes: [{ type: "CORS" }, { type: "REDIRECT" }] },
        { origin: "https://a.example", status: "ACTIVE", scopes: [{ type: "CORS" }] },
        { origin: "https://off.example", status: "INACTIVE", scopes: [{ type: "CORS" }] },
        { origin: "https://r.example", status: "ACTIVE", scopes: [{ type: "REDIRECT" }] },
      ]),
    ).toEqual({
      id: "all",
      cors: ["https://a.example", "https://b.example"],
      redirect: ["https://b.example", "https://r.example"],
    });
  });

  it("parses Okta's filter into exact values, and nothing else", () => {
    expect(parseTrustedOriginFilter('name eq "My \\"SPA\\""')).toEqual({ name: 'My "SPA"' });
    expect(parseTrustedOriginFilter('status eq "ACTIVE" and origin eq "https://a.example"')).toEqual({
      status: "ACTIVE",
      origin: "https://a.example",
    });
    for (const bad of [
      "",
      'name eq "x" or status eq "ACTIVE"',
      'name sw "x"',
      'status eq "DELETED"',
      'name eq "x"; DROP TABLE trusted_origins',
      "name eq x",
      'name eq "a" and name eq "b"',
      'id eq "tos1"',
      'name eq "x" and',
    ]) {
      expect(parseTrustedOriginFilter(bad), bad).toBeUndefined();
    }
  });

  it("reports incoherent fields without a schema too", () => {
    expect(
      oidcIssues({
        application_type: "service",
        grant_types: ["client_credentials"],
        token_endpoint_auth_method: "client_secret_basic",
        redirect_uris: [],
      }),
    ).toEqual([]);
  });
});
