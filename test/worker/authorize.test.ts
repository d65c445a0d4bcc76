/**
 * `/v1/authorize` against the real directory (D1), control plane and grant Durable Objects: what is
 * never redirected (a bad client or redirect URI), every redirected error with `state` and `iss`,
 * PKCE's rules, response modes, prompt=none, and what an attacker can put in the echoed values.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { importConfig, uniqueId } from "./helpers";
import {
  Browser,
  CHALLENGE,
  REDIRECT_URI,
  redirectParams,
  type SignInWorld,
  seedSignInWorld,
} from "./signin-fixtures";

let world: SignInWorld;

beforeAll(async () => {
  world = await seedSignInWorld();
});

afterEach(() => vi.restoreAllMocks());

/** The page is Warden's HTML error page, with these words; no `Location`. */
async function expectErrorPage(res: Response, status: number, text: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("Location")).toBeNull();
  expect(res.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  const body = await res.text();
  expect(body).toContain(text.replaceAll("'", "&#39;"));
  return body;
}

describe("/v1/authorize: errors that are never redirected (HTML 400)", () => {
  const cases: [string, Record<string, string | undefined>, string][] = [
    ["no client_id", { client_id: undefined }, "Invalid value for 'client_id' parameter."],
    ["an unknown client_id", { client_id: "nobody" }, "Invalid value for 'client_id' parameter."],
    ["no redirect_uri", { redirect_uri: undefined }, "must be a Login redirect URI"],
    [
      "an unregistered redirect_uri",
      { redirect_uri: "https://evil.test/cb" },
      "must be a Login redirect URI",
    ],
    // Exact matching (RFC 9700 §4.1.3): no prefix, no extra query, no case folding, no trailing slash.
    ["a redirect_uri with more query", { redirect_uri: `${REDIRECT_URI}&x=1` }, "Login redirect URI"],
    ["a redirect_uri without its query", { redirect_uri: "https://app.test/callback" }, "Login redirect URI"],
    ["a redirect_uri in another case", { redirect_uri: REDIRECT_URI.toUpperCase() }, "Login redirect URI"],
    ["a redirect_uri with a fragment", { redirect_uri: `${REDIRECT_URI}#x` }, "Login redirect URI"],
  ];
  for (const [name, overrides, text] of cases) {
    it(name, async () => {
      const res = await new Browser().authorize(world, overrides);
      await expectErrorPage(res, 400, text);
    });
  }

  it("a repeated client_id or redirect_uri", async () => {
    const browser = new Browser();
    const base = new URLSearchParams({
      client_id: world.webClient,
      redirect_uri: REDIRECT_URI,
      response_type: "code",
      state: "s",
    });
    const twiceClient = new URLSearchParams(base);
    twiceClient.append("client_id", world.spaClient);
    await expectErrorPage(
      await browser.request(`${world.issuer}/v1/authorize?${twiceClient}`),
      400,
      "client_id",
    );
    const twiceRedirect = new URLSearchParams(base);
    twiceRedirect.append("redirect_uri", "https://evil.test/");
    await expectErrorPage(
      await browser.request(`${world.issuer}/v1/authorize?${twiceRedirect}`),
      400,
      "redirect_uri",
    );
  });

  it("a deactivated client", async () => {
    const clientId = uniqueId("inactive");
    await importConfig({
      clients: [
        {
          client_id: clientId,
          client_name: "off",
          status: "INACTIVE",
          application_type: "browser",
          grant_types: ["authorization_code"],
          redirect_uris: [REDIRECT_URI],
          token_endpoint_auth_method: "none",
        },
      ],
    });
    await expectErrorPage(await new Browser().authorize(world, { client_id: clientId }), 400, "client_id");
  });

  it("a query that is not UTF-8, or too long", async () => {
    const browser = new Browser();
    await expectErrorPage(
      await browser.request(`${world.issuer}/v1/authorize?client_id=${world.webClient}&state=%FF%FE`),
      400,
      "not valid UTF-8",
    );
    await expectErrorPage(
      await browser.request(`${world.issuer}/v1/authorize?state=${"a".repeat(17_000)}`),
      400,
      "longer than",
    );
  });

  it("an unknown authorization server is 404", async () => {
    const res = await new Browser().request("https://warden.test/oauth2/nope/v1/authorize?client_id=x");
    expect(res.status).toBe(404);
  });
});

describe("/v1/authorize: redirected errors carry error, error_description, state and iss", () => {
  const cases: [string, Record<string, string | undefined>, string, string][] = [
    [
      "response_type missing",
      { response_type: undefined },
      "invalid_request",
      "The 'response_type' parameter is missing.",
    ],
    [
      "response_type token (implicit: RFC 9700 §2.1.2)",
      { response_type: "token" },
      "unsupported_response_type",
      "The response type is not supported by the authorization server. Configured response types: [code].",
    ],
    [
      "response_type code id_token (hybrid)",
      { response_type: "code id_token" },
      "unsupported_response_type",
      "Configured response types: [code].",
    ],
    [
      "an unknown scope",
      { scope: "read nope" },
      "invalid_scope",
      "One or more scopes are not configured for the authorization server resource: nope",
    ],
    ["a malformed scope", { scope: "read\u0001" }, "invalid_scope", "The 'scope' parameter is malformed."],
    ["prompt=none with login", { prompt: "none login" }, "invalid_request", "'none' cannot be combined"],
    [
      "an unknown prompt",
      { prompt: "select_account" },
      "invalid_request",
      "The 'prompt' value 'select_account' is not supported.",
    ],
    ["max_age not a number", { max_age: "-1" }, "invalid_request", "non-negative integer"],
    [
      "a request object",
      { request: "eyJ..." },
      "request_not_supported",
      "The 'request' parameter is not supported.",
    ],
    [
      "a request_uri (PAR)",
      { request_uri: "urn:x" },
      "request_uri_not_supported",
      "The 'request_uri' parameter is not supported.",
    ],
    [
      "a nonce over 2048 characters",
      { nonce: "n".repeat(2049) },
      "invalid_request",
      "The 'nonce' parameter is longer than 2048 characters.",
    ],
    [
      "PKCE plain",
      { code_challenge: CHALLENGE, code_challenge_method: "plain" },
      "invalid_request",
      "only 'S256' is supported",
    ],
    [
      "PKCE without a method (RFC 7636 would mean plain)",
      { code_challenge: CHALLENGE },
      "invalid_request",
      "'code_challenge_method' parameter is missing",
    ],
    [
      "PKCE method without a challenge",
      { code_challenge_method: "S256" },
      "invalid_request",
      "The 'code_challenge' parameter is missing.",
    ],
    [
      "PKCE challenge too short",
      { code_challenge: "abc", code_challenge_method: "S256" },
      "invalid_request",
      "43 base64url characters",
    ],
    [
      "PKCE challenge with padding",
      { code_challenge: `${CHALLENGE.slice(0, 42)}=`, code_challenge_method: "S256" },
      "invalid_request",
      "43 base64url characters",
    ],
  ];
  for (const [name, overrides, error, description] of cases) {
    it(name, async () => {
      const params = redirectParams(await new Browser().authorize(world, overrides));
      expect(params.base).toBe("https://app.test/callback");
      expect(params.get("tenant")).toBe("1"); // the registered URI's own query is kept (RFC 6749 §3.1.2)
      expect(params.get("error")).toBe(error);
      expect(params.get("error_description")).toContain(description);
      expect(params.get("state")).toBe("st-123");
      expect(params.get("iss")).toBe(world.issuer);
      expect(params.has("code")).toBe(false);
    });
  }

  it("state missing: invalid_request, and no state in the answer", async () => {
    const params = redirectParams(await new Browser().authorize(world, { state: undefined }));
    expect(params.get("error")).toBe("invalid_request");
    expect(params.get("error_description")).toBe("The 'state' parameter is missing.");
    expect(params.has("state")).toBe(false);
  });

  it("a repeated parameter (RFC 6749 §3.1)", async () => {
    const query = new URLSearchParams({
      client_id: world.webClient,
      redirect_uri: REDIRECT_URI,
      response_type: "code",
      state: "s1",
    });
    query.append("scope", "read");
    query.append("scope", "write");
    const params = redirectParams(await new Browser().request(`${world.issuer}/v1/authorize?${query}`));
    expect(params.get("error")).toBe("invalid_request");
    expect(params.get("error_description")).toBe("The 'scope' parameter is repeated.");
  });

  it("a client without the authorization_code grant: unauthorized_client", async () => {
    const params = redirectParams(await new Browser().authorize(world, { client_id: world.serviceClient }));
    expect(params.get("error")).toBe("unauthorized_client");
    expect(params.get("error_description")).toContain("Configured grant types: [client_credentials]");
  });

  it("a public client without PKCE: Okta's words", async () => {
    const params = redirectParams(
      await new Browser().authorize(world, { client_id: world.spaClient, redirect_uri: "https://spa.test/" }),
    );
    expect(params.get("error")).toBe("invalid_request");
    expect(params.get("error_description")).toBe(
      "PKCE code challenge is required when the token endpoint authentication method is 'NONE'.",
    );
  });

  it("an unknown response_mode: unsupported_response_mode, in the query", async () => {
    const params = redirectParams(await new Browser().authorize(world, { response_mode: "web_message" }));
    expect(params.get("error")).toBe("unsupported_response_mode");
    expect(params.get("error_description")).toContain(
      "Supported response modes: [query, fragment, form_post, okta_post_message]",
    );
  });

  it("prompt=none without a session: login_required, Okta's words", async () => {
    const params = redirectParams(await new Browser().authorize(world, { prompt: "none" }));
    expect(params.get("error")).toBe("login_required");
    expect(params.get("error_description")).toBe(
      "The client specified not to prompt, but the user is not logged in.",
    );
    expect(params.get("state")).toBe("st-123");
  });

  it("fragment mode puts the error in the fragment", async () => {
    const params = redirectParams(
      await new Browser().authorize(world, { response_mode: "fragment", prompt: "none" }),
      true,
    );
    expect(params.get("error")).toBe("login_required");
    expect(params.get("iss")).toBe(world.issuer);
  });

  it("form_post mode: an auto-submitting form to the redirect URI, strict CSP, nonce'd script, noscript button", async () => {
    const res = await new Browser().authorize(world, {
      response_mode: "form_post",
      prompt: "none",
      state: '"><script>alert(1)</script>',
    });
    expect(res.status).toBe(200);
    const csp = res.headers.get("Content-Security-Policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action https://app.test");
    expect(csp).toContain("frame-ancestors 'none'");
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    const body = await res.text();
    expect(body).toContain(
      `<form id="response" method="post" action="${REDIRECT_URI.replace("&", "&amp;")}">`,
    );
    expect(body).toContain('name="error" value="login_required"');
    expect(body).toContain(`<script nonce="${nonce}">`);
    expect(body).toContain("<noscript>");
    // The attacker's state is an attribute value, escaped: one script only, Warden's.
    expect(body.match(/<script/g)).toHaveLength(1);
    expect(body).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it("POST /v1/authorize (a form) is read like the query", async () => {
    const res = await new Browser().request(`${world.issuer}/v1/authorize`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        client_id: world.webClient,
        redirect_uri: REDIRECT_URI,
        response_type: "code",
        state: "p",
        prompt: "none",
      }).toString(),
    });
    const params = redirectParams(res);
    expect(params.get("error")).toBe("login_required");
    expect(params.get("state")).toBe("p");
  });

  it("an error description never carries control characters from the request", async () => {
    const params = redirectParams(await new Browser().authorize(world, { prompt: "x\r\nSet-Cookie: a=b" }));
    expect(params.get("error_description")).not.toMatch(/[\r\n]/);
  });
});

describe("/v1/authorize: the sign-in page", () => {
  it("is shown for a valid request: app name escaped, strict CSP, no caching, no framing, a CSRF cookie", async () => {
    const browser = new Browser();
    const res = await browser.authorize(world, { login_hint: '"><img src=x onerror=alert(1)>' });
    expect(res.status).toBe(200);
    const csp = res.headers.get("Content-Security-Policy") ?? "";
    expect(csp).toMatch(
      /^default-src 'none'; style-src 'nonce-[A-Za-z0-9_-]+'; form-action 'self' https:\/\/app\.test; frame-ancestors 'none'; base-uri 'none'$/,
    );
    expect(res.headers.get("X-Frame-Options")).toBe("DENY");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("__Host-warden_csrf="));
    expect(cookie).toMatch(/^__Host-warden_csrf=[A-Za-z0-9_-]{22}; Path=\/; HttpOnly; SameSite=Lax; Secure$/);
    const body = await res.text();
    expect(body).toContain("Web &lt;App&gt; &amp; &quot;Co&quot;");
    expect(body).not.toContain("<img");
    expect(body).toContain('value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
    // Accessible: labelled fields, an alert region, autofocus on the password when the username is known.
    expect(body).toContain('<label for="username">Username</label>');
    expect(body).toContain('<label for="password">Password</label>');
    expect(body).toContain('role="alert" aria-live="assertive"');
    expect(body).toMatch(/id="password"[^>]*autofocus/);
    expect(body).not.toContain("<script");
  });

  it("over plain http (local development) the cookies have no __Host- prefix and no Secure", async () => {
    const browser = new Browser();
    const res = await browser.request(
      `http://localhost:8787/oauth2/${world.serverId}/v1/authorize?${new URLSearchParams({ client_id: world.webClient, redirect_uri: REDIRECT_URI, response_type: "code", state: "s" })}`,
    );
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie()[0] ?? "";
    expect(cookie).toMatch(/^warden_csrf=[A-Za-z0-9_-]{22}; Path=\/; HttpOnly; SameSite=Lax$/);
  });
});
