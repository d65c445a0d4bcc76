import { createLocalJWKSet, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { basic, decodeJwt, freshApp, ORIGIN, SECRET, seedServer, tokenRequest } from "./helpers";

describe("POST /oauth2/{as}/v1/token — client_credentials", () => {
  it("issues an okta-profile RS256 token with client_secret_basic", async () => {
    const f = await seedServer();
    const fetch = freshApp();
    const res = await fetch(
      tokenRequest(
        f.issuer,
        { grant_type: "client_credentials", scope: "read write" },
        { authorization: basic(f.clientId, SECRET) },
      ),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("Pragma")).toBe("no-cache");
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 900, scope: "read write" });

    const { header, payload } = decodeJwt(body.access_token as string);
    expect(header).toEqual({ alg: "RS256", kid: expect.any(String) });
    expect(payload).toEqual({
      ver: 1,
      jti: expect.stringMatching(/^AT\.[A-Za-z0-9_-]{24}$/),
      iss: f.issuer,
      aud: "api://test",
      iat: expect.any(Number),
      exp: expect.any(Number),
      cid: f.clientId,
      scp: ["read", "write"],
      sub: f.clientId,
    });
    expect((payload.exp as number) - (payload.iat as number)).toBe(body.expires_in);

    const jwks = (await (await fetch(new Request(`${f.issuer}/v1/keys`))).json()) as Parameters<
      typeof createLocalJWKSet
    >[0];
    const verified = await jwtVerify(body.access_token as string, createLocalJWKSet(jwks), {
      issuer: f.issuer,
      audience: "api://test",
      algorithms: ["RS256"],
    });
    expect(verified.payload.cid).toBe(f.clientId);
  });

  it("accepts client_secret_post for a client registered with it", async () => {
    const f = await seedServer();
    const res = await freshApp()(
      tokenRequest(f.issuer, {
        grant_type: "client_credentials",
        scope: "read",
        client_id: f.postClientId,
        client_secret: SECRET,
      }),
    );
    expect(res.status).toBe(200);
    const { payload } = decodeJwt(((await res.json()) as { access_token: string }).access_token);
    expect(payload.cid).toBe(f.postClientId);
  });

  it("grants the default scopes when none are requested", async () => {
    const f = await seedServer();
    const res = await freshApp()(
      tokenRequest(
        f.issuer,
        { grant_type: "client_credentials" },
        { authorization: basic(f.clientId, SECRET) },
      ),
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { scope: string }).scope).toBe("read");
  });

  it("issues rfc9068 tokens with typ at+jwt, client_id and a space-separated scope", async () => {
    const f = await seedServer({ server: { tokenProfile: "rfc9068", audiences: ["api://a", "api://b"] } });
    const res = await freshApp()(
      tokenRequest(
        f.issuer,
        { grant_type: "client_credentials", scope: "write read" },
        { authorization: basic(f.clientId, SECRET) },
      ),
    );
    const body = (await res.json()) as { access_token: string; scope: string };
    const { header, payload } = decodeJwt(body.access_token);
    expect(header.typ).toBe("at+jwt");
    expect(payload).toEqual({
      iss: f.issuer,
      exp: expect.any(Number),
      aud: ["api://a", "api://b"],
      sub: f.clientId,
      client_id: f.clientId,
      iat: expect.any(Number),
      jti: expect.any(String),
      scope: "write read",
    });
    expect(body.scope).toBe("write read");
  });

  it.each(["ES256", "EdDSA", "PS256"] as const)(
    "signs with %s when the server is configured for it",
    async (alg) => {
      const f = await seedServer({ server: { credentials: { signing: { alg } } } });
      const fetch = freshApp();
      const res = await fetch(
        tokenRequest(
          f.issuer,
          { grant_type: "client_credentials" },
          { authorization: basic(f.clientId, SECRET) },
        ),
      );
      const token = ((await res.json()) as { access_token: string }).access_token;
      expect(decodeJwt(token).header.alg).toBe(alg);
      const jwks = (await (await fetch(new Request(`${f.issuer}/v1/keys`))).json()) as Parameters<
        typeof createLocalJWKSet
      >[0];
      await expect(
        jwtVerify(token, createLocalJWKSet(jwks), { issuer: f.issuer, algorithms: [alg] }),
      ).resolves.toBeTruthy();
    },
  );

  it("gives every token a distinct jti", async () => {
    const f = await seedServer();
    const fetch = freshApp();
    const jtis = new Set<unknown>();
    for (let i = 0; i < 5; i++) {
      const res = await fetch(
        tokenRequest(
          f.issuer,
          { grant_type: "client_credentials" },
          { authorization: basic(f.clientId, SECRET) },
        ),
      );
      jtis.add(decodeJwt(((await res.json()) as { access_token: string }).access_token).payload.jti);
    }
    expect(jtis.size).toBe(5);
  });

  it("uses the configured ORG_URL as the issuer, whatever origin the request names", async () => {
    const f = await seedServer();
    const res = await freshApp()(
      tokenRequest(
        f.issuer.replace(ORIGIN, "http://other.example"),
        { grant_type: "client_credentials" },
        { authorization: basic(f.clientId, SECRET) },
      ),
    );
    const { payload } = decodeJwt(((await res.json()) as { access_token: string }).access_token);
    expect(payload.iss).toBe(`${ORIGIN}/oauth2/${f.serverId}`);
  });
});
