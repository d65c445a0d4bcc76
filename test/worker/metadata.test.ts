import { beforeAll, describe, expect, it } from "vitest";
import { type Fixture, freshApp, ORIGIN, seedServer } from "./helpers";

let f: Fixture;
beforeAll(async () => {
  f = await seedServer({ server: { credentials: { signing: { alg: "ES256" } } } });
});

/**
 * With Okta's 90/45-day schedule every cap applies: 900 s, then 300 s of stale-while-revalidate;
 * stale-if-error stays within the same 300 s, so a JWKS outage does not stretch the revocation bound.
 */
const DEFAULT_CACHE_CONTROL = "public, max-age=900, stale-while-revalidate=300, stale-if-error=300";

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

describe("GET /oauth2/{as}/v1/keys", () => {
  it("publishes the ACTIVE and NEXT public keys, and nothing private", async () => {
    const res = await freshApp()(new Request(`${f.issuer}/v1/keys`));
    expect(res.status).toBe(200);
    const { keys } = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(key).toMatchObject({
        kty: "EC",
        crv: "P-256",
        alg: "ES256",
        use: "sig",
        kid: expect.any(String),
      });
      for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
    }
  });

  it("is cacheable, open to any origin and revalidates with ETag / 304", async () => {
    const fetch = freshApp();
    const res = await fetch(
      new Request(`${f.issuer}/v1/keys`, { headers: { Origin: "https://app.example" } }),
    );
    expect(res.headers.get("Cache-Control")).toBe(DEFAULT_CACHE_CONTROL);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const etag = res.headers.get("ETag");
    expect(etag).toBeTruthy();
    const again = await fetch(
      new Request(`${f.issuer}/v1/keys`, { headers: { "If-None-Match": etag ?? "" } }),
    );
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
  });

  it("answers a conditional request before anything else changes: 304 with the 200's caching headers", async () => {
    const fetch = freshApp();
    const res = await fetch(new Request(`${f.issuer}/v1/keys`));
    const body = await res.text();
    const etag = res.headers.get("ETag") ?? "";
    // The body's SHA-1, as Hono's etag() middleware computed it before: tags cached from then still match.
    const sha1 = new Uint8Array(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(body)));
    expect(etag).toBe(`"${[...sha1].map((b) => b.toString(16).padStart(2, "0")).join("")}"`);
    // Another isolate serves the same document under the same tag.
    expect((await freshApp()(new Request(`${f.issuer}/v1/keys`))).headers.get("ETag")).toBe(etag);

    // RFC 9110 §13.1.2: `*`, a list, and weak comparison.
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
      const again = await fetch(
        new Request(`${f.issuer}/v1/keys`, { headers: { "If-None-Match": ifNoneMatch } }),
      );
      expect(again.status).toBe(304);
      expect(await again.text()).toBe("");
      expect(again.headers.get("ETag")).toBe(etag);
      expect(again.headers.get("Cache-Control")).toBe(DEFAULT_CACHE_CONTROL);
      expect(again.headers.get("Access-Control-Allow-Origin")).toBe("*");
    }
    const stale = await fetch(
      new Request(`${f.issuer}/v1/keys`, { headers: { "If-None-Match": '"other"' } }),
    );
    expect(stale.status).toBe(200);
    expect(await stale.text()).toBe(body);
  });

  it("answers HEAD with the GET's headers and no body", async () => {
    const res = await freshApp()(new Request(`${f.issuer}/v1/keys`, { method: "HEAD" }));
    expect(res.status).toBe(200);
    expect(res.headers.get("ETag")).toBeTruthy();
    expect(res.headers.get("Cache-Control")).toBe(DEFAULT_CACHE_CONTROL);
    expect(await res.text()).toBe("");
  });

  it("answers a CORS preflight", async () => {
    const res = await freshApp()(
      new Request(`${f.issuer}/v1/keys`, {
        method: "OPTIONS",
        headers: { Origin: "https://app.example", "Access-Control-Request-Method": "GET" },
      }),
    );
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
  });
});

describe("discovery", () => {
  const rfc8414 = () => ({
    issuer: f.issuer,
    token_endpoint: `${f.issuer}/v1/token`,
    jwks_uri: `${f.issuer}/v1/keys`,
    authorization_endpoint: `${f.issuer}/v1/authorize`,
    // the code flow only, PKCE S256 only (okta-auth-js refuses a server without the method list)
    response_types_supported: ["code"],
    response_modes_supported: ["query", "fragment", "form_post", "okta_post_message"],
    code_challenge_methods_supported: ["S256"],
    authorization_response_iss_parameter_supported: true,
    end_session_endpoint: `${f.issuer}/v1/logout`,
    device_authorization_endpoint: `${f.issuer}/v1/device/authorize`,
    grant_types_supported: [
      "client_credentials",
      "password",
      "authorization_code",
      "refresh_token",
      "urn:ietf:params:oauth:grant-type:device_code",
      "urn:ietf:params:oauth:grant-type:token-exchange",
    ],
    token_endpoint_auth_methods_supported: [
      "client_secret_basic",
      "client_secret_post",
      "private_key_jwt",
      "none",
    ],
    token_endpoint_auth_signing_alg_values_supported: [
      "RS256",
      "RS384",
      "RS512",
      "ES256",
      "ES384",
      "PS256",
      "EdDSA",
    ],
    // only scopes published to all clients
    scopes_supported: ["read"],
    // issue 12: RFC 7662 and RFC 7009, with the token endpoint's client authentication
    introspection_endpoint: `${f.issuer}/v1/introspect`,
    introspection_endpoint_auth_methods_supported: [
      "client_secret_basic",
      "client_secret_post",
      "private_key_jwt",
      "none",
    ],
    introspection_endpoint_auth_signing_alg_values_supported: [
      "RS256",
      "RS384",
      "RS512",
      "ES256",
      "ES384",
      "PS256",
      "EdDSA",
    ],
    revocation_endpoint: `${f.issuer}/v1/revoke`,
    revocation_endpoint_auth_methods_supported: [
      "client_secret_basic",
      "client_secret_post",
      "private_key_jwt",
      "none",
    ],
    revocation_endpoint_auth_signing_alg_values_supported: [
      "RS256",
      "RS384",
      "RS512",
      "ES256",
      "ES384",
      "PS256",
      "EdDSA",
    ],
  });

  async function metadataAt(url: string) {
    const fetch = freshApp();
    const res = await fetch(new Request(url));
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain("application/json");
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(res.headers.get("Cache-Control")).toBe(DEFAULT_CACHE_CONTROL);
    const metadata = (await res.json()) as Record<string, unknown>;
    // the advertised endpoints answer
    expect((await fetch(new Request(metadata.jwks_uri as string))).status).toBe(200);
    const token = await fetch(new Request(metadata.token_endpoint as string, { method: "POST" }));
    expect(token.status).toBe(400);
    for (const endpoint of ["introspection_endpoint", "revocation_endpoint"]) {
      const res = await fetch(new Request(metadata[endpoint] as string, { method: "POST" }));
      expect(res.status, endpoint).toBe(400);
    }
    // an authorization request naming no client is the HTML 400 page, never a redirect (Okta)
    const authorize = await fetch(new Request(metadata.authorization_endpoint as string));
    expect(authorize.status).toBe(400);
    expect(authorize.headers.get("Content-Type")).toContain("text/html");
    return metadata;
  }

  it("/.well-known/oauth-authorization-server is the RFC 8414 document, listing exactly what the server does", async () => {
    expect(await metadataAt(`${f.issuer}/.well-known/oauth-authorization-server`)).toEqual(rfc8414());
  });

  it("is also at RFC 8414 §3.1's location: the well-known name inserted before the issuer's path", async () => {
    const url = `${ORIGIN}/.well-known/oauth-authorization-server/oauth2/${f.serverId}`;
    // §3.3: the issuer in the document is the one the URL was built from
    expect(await metadataAt(url)).toEqual(rfc8414());
    expect(
      (await freshApp()(new Request(`${ORIGIN}/.well-known/oauth-authorization-server/oauth2/nope`))).status,
    ).toBe(404);
  });

  it("/.well-known/openid-configuration adds the OIDC Discovery §3 members Warden can state truthfully", async () => {
    expect(await metadataAt(`${f.issuer}/.well-known/openid-configuration`)).toEqual({
      ...rfc8414(),
      subject_types_supported: ["public"],
      // the server's one signing algorithm (this fixture's is ES256)
      id_token_signing_alg_values_supported: ["ES256"],
      userinfo_endpoint: `${f.issuer}/v1/userinfo`,
      claims_supported: expect.arrayContaining(["sub", "iss", "auth_time", "at_hash", "email", "name"]),
    });
    // the advertised userinfo endpoint answers: a Bearer challenge without a token
    const userinfo = await freshApp()(new Request(`${f.issuer}/v1/userinfo`));
    expect(userinfo.status).toBe(401);
    expect(userinfo.headers.get("WWW-Authenticate")).toMatch(/^Bearer /);
  });

  it("the org server's openid-configuration does the same", async () => {
    const res = await freshApp()(new Request(`${ORIGIN}/.well-known/openid-configuration`));
    expect(await res.json()).toMatchObject({
      issuer: ORIGIN,
      // Users sign in through the org server too (test/worker/org-server-signin.test.ts).
      response_types_supported: ["code"],
      userinfo_endpoint: `${ORIGIN}/oauth2/v1/userinfo`,
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
    });
  });

  it("revalidates with ETag / 304", async () => {
    const fetch = freshApp();
    const res = await fetch(new Request(`${f.issuer}/.well-known/openid-configuration`));
    const again = await fetch(
      new Request(`${f.issuer}/.well-known/openid-configuration`, {
        headers: { "If-None-Match": res.headers.get("ETag") ?? "" },
      }),
    );
    expect(again.status).toBe(304);
  });
});
