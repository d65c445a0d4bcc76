/**
 * The apps screens' pure rules (console/src/app-kinds.ts): the four kinds of app and the Okta app
 * body each becomes, held against the server's own rules (src/config/oidc-app.ts) so the console
 * never offers what the server refuses; the replace body that keeps what the form does not show;
 * URIs one a line; a cause at Okta's nested path placed beside its field.
 */
import { describe, expect, it } from "vitest";
import {
  APP_KINDS,
  appCause,
  createBody,
  draftOf,
  GRANT_LABELS,
  KINDS,
  kindOf,
  lines,
  newDraft,
  type OidcApp,
  replaceBody,
  usesSecrets,
  withKind,
} from "../../console/src/app-kinds";
import { GRANTS_BY_APPLICATION_TYPE, oidcIssues } from "../../src/config/oidc-app";

/** The client fields src/admin/apps.ts reads out of an Okta app body. */
function clientFieldsOf(body: Record<string, unknown>) {
  const b = body as {
    credentials: { oauthClient: { token_endpoint_auth_method: string; pkce_required?: boolean } };
    settings: { oauthClient: Record<string, unknown> };
  };
  const oauth = b.settings.oauthClient as {
    grant_types: string[];
    redirect_uris: string[];
    post_logout_redirect_uris: string[];
    application_type: "web" | "browser" | "native" | "service";
    consent_method: "TRUSTED" | "REQUIRED";
  };
  return {
    ...oauth,
    token_endpoint_auth_method: b.credentials.oauthClient.token_endpoint_auth_method,
    pkce_required: b.credentials.oauthClient.pkce_required,
  };
}

describe("the kinds of app", () => {
  it("offer exactly the grant types the server allows for their application_type", () => {
    for (const kind of APP_KINDS) {
      const info = KINDS[kind];
      expect([...info.grants].sort(), kind).toEqual(
        [...GRANTS_BY_APPLICATION_TYPE[info.applicationType]].sort(),
      );
      for (const grant of info.grants) expect(GRANT_LABELS[grant], grant).toBeTruthy();
    }
  });

  it("make a body the server's OIDC rules accept, with Okta's console defaults", () => {
    for (const kind of APP_KINDS) {
      const draft = {
        ...newDraft(kind),
        label: `A ${kind} app`,
        redirectUris: kind === "native" ? "com.example.app:/callback" : "https://app.example/callback",
      };
      const body = createBody(draft);
      expect(body).toMatchObject({
        name: "oidc_client",
        signOnMode: "OPENID_CONNECT",
        label: `A ${kind} app`,
      });
      expect(oidcIssues(clientFieldsOf(body)), kind).toEqual([]);
    }
    const service = createBody({ ...newDraft("service"), label: "svc" });
    expect(service).toMatchObject({
      credentials: { oauthClient: { token_endpoint_auth_method: "client_secret_basic" } },
      settings: {
        oauthClient: { application_type: "service", grant_types: ["client_credentials"], redirect_uris: [] },
      },
    });
    // Public clients: no secret, PKCE (RFC 9700 §2.1.1).
    for (const kind of ["spa", "native"] as const) {
      expect(createBody(newDraft(kind))).toMatchObject({
        credentials: { oauthClient: { token_endpoint_auth_method: "none", pkce_required: true } },
      });
    }
  });

  it("changing the kind resets the grants to the new kind's defaults (the old ones may be refused)", () => {
    const web = { ...newDraft("web"), grantTypes: ["authorization_code", "password"], label: "x" };
    expect(withKind(web, "spa")).toEqual({ ...web, kind: "spa", grantTypes: ["authorization_code"] });
    expect(withKind(web, "service").grantTypes).toEqual(["client_credentials"]);
  });

  it("a stored app's kind from its application_type; anything unknown is web (Okta's default)", () => {
    expect(kindOf("service")).toBe("service");
    expect(kindOf("browser")).toBe("spa");
    expect(kindOf("native")).toBe("native");
    expect(kindOf("web")).toBe("web");
    expect(kindOf(undefined)).toBe("web");
    expect(kindOf("__proto__")).toBe("web");
  });

  it("only the secret methods have secrets to rotate", () => {
    expect(usesSecrets("client_secret_basic")).toBe(true);
    expect(usesSecrets("client_secret_post")).toBe(true);
    expect(usesSecrets("private_key_jwt")).toBe(false);
    expect(usesSecrets("none")).toBe(false);
    expect(usesSecrets(undefined)).toBe(false);
  });
});

describe("lines", () => {
  it("one URI a line, trimmed, blanks and CRLF dropped; nothing else is split", () => {
    expect(lines(" https://a.example/cb \r\n\r\n  https://b.example/cb\n")).toEqual([
      "https://a.example/cb",
      "https://b.example/cb",
    ]);
    expect(lines("")).toEqual([]);
    expect(lines("   \n\t")).toEqual([]);
    // A comma is part of a URI, not a separator: the server judges it.
    expect(lines("https://a.example/cb,https://b.example/cb")).toEqual([
      "https://a.example/cb,https://b.example/cb",
    ]);
  });
});

const stored: OidcApp = {
  id: "0oaStored",
  name: "oidc_client",
  label: "Stored",
  status: "ACTIVE",
  signOnMode: "OPENID_CONNECT",
  profile: { tier: "gold" },
  credentials: {
    oauthClient: {
      client_id: "0oaStored",
      token_endpoint_auth_method: "private_key_jwt",
      autoKeyRotation: true,
      pkce_required: false,
    },
  },
  settings: {
    oauthClient: {
      grant_types: ["authorization_code", "refresh_token"],
      redirect_uris: ["https://app.example/cb"],
      post_logout_redirect_uris: [],
      response_types: ["code"],
      application_type: "web",
      consent_method: "REQUIRED",
      refresh_token: { rotation_type: "STATIC", leeway: 30 },
      jwks: { keys: [{ kty: "EC", crv: "P-256", x: "x", y: "y" }] },
    },
  },
  _links: { self: { href: "x" } },
};

describe("replaceBody (Okta's PUT replaces the app)", () => {
  it("keeps what the form does not show: credentials, jwks, profile, PKCE, refresh rotation", () => {
    const body = replaceBody(stored, { ...draftOf(stored), label: "Renamed" });
    expect(body).toEqual({
      name: "oidc_client",
      label: "Renamed",
      signOnMode: "OPENID_CONNECT",
      profile: { tier: "gold" },
      credentials: { oauthClient: { token_endpoint_auth_method: "private_key_jwt", pkce_required: false } },
      settings: {
        oauthClient: {
          grant_types: ["authorization_code", "refresh_token"],
          redirect_uris: ["https://app.example/cb"],
          post_logout_redirect_uris: [],
          application_type: "web",
          consent_method: "REQUIRED",
          refresh_token: { rotation_type: "STATIC", leeway: 30 },
          jwks: stored.settings.oauthClient.jwks,
        },
      },
    });
    // No _links, id, status or client_id are sent back (the server owns them).
    expect(JSON.stringify(body)).not.toContain("_links");
    expect(JSON.stringify(body)).not.toContain("0oaStored");
  });

  it("leaves response_types to the server and drops refresh settings with the refresh grant", () => {
    const draft = {
      ...draftOf(stored),
      grantTypes: ["authorization_code"],
      redirectUris: "https://x.example/a\nhttps://x.example/b",
    };
    const oauth = (replaceBody(stored, draft) as { settings: { oauthClient: Record<string, unknown> } })
      .settings.oauthClient;
    expect(oauth.response_types).toBeUndefined();
    expect(oauth.refresh_token).toBeUndefined();
    expect(oauth.grant_types).toEqual(["authorization_code"]);
    expect(oauth.redirect_uris).toEqual(["https://x.example/a", "https://x.example/b"]);
  });

  it("draftOf reads a stored app back into the form, URIs one a line", () => {
    expect(draftOf(stored)).toEqual({
      kind: "web",
      label: "Stored",
      grantTypes: ["authorization_code", "refresh_token"],
      redirectUris: "https://app.example/cb",
      postLogoutRedirectUris: "",
      consentMethod: "REQUIRED",
    });
  });
});

describe("appCause", () => {
  it("names the field under Okta's settings.oauthClient / credentials.oauthClient", () => {
    expect(appCause("settings.oauthClient.redirect_uris.0: must be an absolute URI")).toEqual({
      field: "redirect_uris",
      message: "must be an absolute URI",
    });
    expect(appCause("settings.oauthClient.grant_types: refresh_token needs a grant")).toEqual({
      field: "grant_types",
      message: "refresh_token needs a grant",
    });
    expect(appCause("credentials.oauthClient.token_endpoint_auth_method: must be 'none'")).toEqual({
      field: "token_endpoint_auth_method",
      message: "must be 'none'",
    });
    expect(appCause("label: Too small")).toEqual({ field: "label", message: "Too small" });
  });

  it("anything else belongs to the form as a whole, as splitCause reads it", () => {
    expect(appCause("requires okta.apps.manage")).toEqual({
      field: undefined,
      message: "requires okta.apps.manage",
    });
    expect(appCause("settings.oauthClient: bad")).toEqual({ field: "settings", message: "bad" });
    expect(appCause("")).toEqual({ field: undefined, message: "" });
  });
});
