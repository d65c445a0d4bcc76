/**
 * Token Preview's ID token (src/admin/token-preview.ts): a user grant with `openid` granted shows
 * the ID token the token endpoint issues beside the access token, built by the same code, with the
 * same claims but for the per-request ones and `at_hash` (a hash of the signed access token: a
 * preview signs nothing). No `openid`, or no user, no ID token.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { basic, decodeJwt, freshApp, SECRET, tokenRequest } from "./helpers";
import { PASSWORD, type PeopleWorld, seedPeople } from "./people-fixtures";
import { tokenPreview } from "./preview-fixtures";

let world: PeopleWorld;
beforeAll(async () => {
  world = await seedPeople();
});

interface Decoded {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

async function preview(body: Record<string, unknown>) {
  const res = await tokenPreview(world.serverId, { clientId: world.clientId, ...body });
  expect(res.status).toBe(200);
  return (await res.json()) as { result: string; idToken?: Decoded | null; accessToken?: Decoded };
}

describe("Token Preview's ID token", () => {
  it("is the ID token a real request gets, but for its per-request claims and at_hash", async () => {
    const previewed = await preview({
      grantType: "password",
      userId: world.alice.id,
      scopes: ["openid", "read", "profile"],
    });
    expect(previewed.result).toBe("ALLOW");
    const res = await freshApp()(
      tokenRequest(
        world.issuer,
        {
          grant_type: "password",
          username: world.alice.login,
          password: PASSWORD,
          scope: "openid read profile",
        },
        { authorization: basic(world.clientId, SECRET) },
      ),
    );
    const body = (await res.json()) as { id_token: string };
    const real = decodeJwt(body.id_token);
    const { at_hash, ...realPayload } = real.payload;
    expect(at_hash).toEqual(expect.any(String));
    const volatile = {
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.any(String),
      auth_time: expect.any(Number),
    };
    expect({ ...previewed.idToken?.payload, ...volatile }).toEqual({ ...realPayload, ...volatile });
    expect(previewed.idToken?.payload).not.toHaveProperty("at_hash");
    expect(previewed.idToken?.payload.jti).toMatch(/^ID\./);
    expect(previewed.idToken?.header).toEqual({ alg: real.header.alg, kid: real.header.kid });
  });

  it("is null without openid, and for a client_credentials token (no user)", async () => {
    const noOpenid = await preview({ grantType: "password", userId: world.alice.id, scopes: ["read"] });
    expect(noOpenid).toMatchObject({ result: "ALLOW", idToken: null });
    const machine = await preview({ grantType: "client_credentials", scopes: ["read"] });
    expect(machine).toMatchObject({ result: "ALLOW", idToken: null });
  });
});
