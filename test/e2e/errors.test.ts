/** Black-box error behaviour of the protocol endpoints, with plain fetch. */
import { describe, expect, inject, it } from "vitest";
import { basicAuth } from "./warden";

const warden = inject("warden");
const tokenUrl = `${warden.issuer}/v1/token`;
const FORM = { "Content-Type": "application/x-www-form-urlencoded" };

function tokenRequest(headers: Record<string, string>, body: string): Promise<Response> {
  return fetch(tokenUrl, { method: "POST", headers, body });
}

describe("token endpoint errors", () => {
  it("answers a wrong secret with 401 invalid_client and a Basic challenge", async () => {
    const res = await tokenRequest(
      { ...FORM, Authorization: basicAuth(warden.clientId, "not-the-secret-but-long-enough-to-look-real") },
      "grant_type=client_credentials",
    );
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Basic\b/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.error).toBe("invalid_client");
    expect(body.error_description).toEqual(expect.any(String));
  });

  it("answers an unknown client exactly like a wrong secret", async () => {
    const wrongSecret = await tokenRequest(
      { ...FORM, Authorization: basicAuth(warden.clientId, "wrong") },
      "grant_type=client_credentials",
    );
    const unknownClient = await tokenRequest(
      { ...FORM, Authorization: basicAuth("0oadoesnotexist000", "wrong") },
      "grant_type=client_credentials",
    );
    expect(unknownClient.status).toBe(wrongSecret.status);
    expect(await unknownClient.json()).toEqual(await wrongSecret.json());
  });

  it("rejects a JSON body with 400 invalid_request", async () => {
    const res = await tokenRequest(
      { "Content-Type": "application/json", Authorization: basicAuth(warden.clientId, warden.clientSecret) },
      JSON.stringify({ grant_type: "client_credentials", scope: "orders:read" }),
    );
    expect(res.status).toBe(400);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(((await res.json()) as Record<string, unknown>).error).toBe("invalid_request");
  });

  it("rejects an unsupported grant type with 400 unsupported_grant_type", async () => {
    const res = await tokenRequest(
      { ...FORM, Authorization: basicAuth(warden.clientId, warden.clientSecret) },
      // SAML 2.0 bearer assertions (RFC 7522) are a grant Okta has and Warden does not.
      `grant_type=${encodeURIComponent("urn:ietf:params:oauth:grant-type:saml2-bearer")}&assertion=x`,
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as Record<string, unknown>).error).toBe("unsupported_grant_type");
  });

  it("marks successful token responses no-store", async () => {
    const res = await tokenRequest(
      { ...FORM, Authorization: basicAuth(warden.clientId, warden.clientSecret) },
      "grant_type=client_credentials",
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("pragma")).toBe("no-cache");
    // No scope requested: the default scope.
    expect(((await res.json()) as Record<string, unknown>).scope).toBe("orders:read");
  });
});

describe("unknown authorization server", () => {
  for (const [method, path] of [
    ["GET", "/v1/keys"],
    ["GET", "/.well-known/openid-configuration"],
    ["POST", "/v1/token"],
  ] as const) {
    it(`answers ${method} ${path} with a 404 in Okta's error shape`, async () => {
      const res = await fetch(`${warden.baseUrl}/oauth2/no-such-server${path}`, {
        method,
        ...(method === "POST"
          ? {
              headers: { ...FORM, Authorization: basicAuth(warden.clientId, warden.clientSecret) },
              body: "grant_type=client_credentials",
            }
          : {}),
      });
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body.errorCode).toBe("E0000007");
      expect(body.errorSummary).toEqual(expect.stringContaining("no-such-server"));
    });
  }
});
