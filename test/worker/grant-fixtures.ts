/**
 * Grants for the token management tests, made the real way: a user signs in on the hosted page, the
 * web app exchanges the code (the grant's Durable Object redeems it), and the grant is indexed with
 * `indexGrant` as the refresh engine will when a family is born. The access token's `jti` names the
 * grant (src/grants/grant-id.ts), so userinfo asks the object whether it still stands.
 */
import { expect } from "vitest";
import { indexGrant } from "../../src/directory/grant-index";
import { grantIdOfJti } from "../../src/grants/grant-id";
import { basic, decodeJwt, tokenRequest } from "./helpers";
import { addMember, type FixtureUser, insertUser, PASSWORD } from "./people-fixtures";
import { Browser, bindings, REDIRECT_URI, redirectParams, SECRET, type SignInWorld } from "./signin-fixtures";

export const GRANT_SCOPES = ["openid", "profile", "read"];

export interface HeldGrant {
  grantId: string;
  /** The index's `oar…` id. */
  tokenId: string;
  accessToken: string;
}

/** A fresh ACTIVE user in Engineering (the world's rule admits Engineering; the apps are assigned to it). */
export async function engineer(world: SignInWorld, name = "eng"): Promise<FixtureUser> {
  const user = await insertUser({ name });
  await addMember(world.engineers, user.id);
  return user;
}

/**
 * A signed-in browser for `user` and the grant its sign-in made; later grants come from its session
 * (prompt=none), without a password.
 */
export async function signedIn(
  world: SignInWorld,
  user: FixtureUser,
): Promise<{ browser: Browser; grant: HeldGrant }> {
  const browser = new Browser();
  const page = await browser.authorize(world, { scope: GRANT_SCOPES.join(" "), nonce: "n-1" });
  expect(page.status).toBe(200);
  const res = await browser.signIn(await page.text(), user.login, PASSWORD);
  expect(res.status).toBe(302);
  const grant = await exchangeAndIndex(world, user, redirectParams(res).get("code") ?? "", browser);
  return { browser, grant };
}

/** One more grant of the web app for the browser's user, through the Grant object, indexed. */
export async function grantFor(world: SignInWorld, user: FixtureUser, browser: Browser): Promise<HeldGrant> {
  const res = await browser.authorize(world, { scope: GRANT_SCOPES.join(" "), nonce: "n-2", prompt: "none" });
  const code = redirectParams(res).get("code");
  if (!code) throw new Error(`no code: ${res.headers.get("Location")}`);
  return exchangeAndIndex(world, user, code, browser);
}

async function exchangeAndIndex(
  world: SignInWorld,
  user: FixtureUser,
  code: string,
  browser: Browser,
): Promise<HeldGrant> {
  const res = await browser.fetch(
    tokenRequest(
      world.issuer,
      { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI },
      { authorization: basic(world.webClient, SECRET) },
    ),
  );
  const body = (await res.json()) as { access_token: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  const grantId = grantIdOfJti(decodeJwt(body.access_token).payload.jti);
  if (!grantId) throw new Error("the access token names no grant");
  const tokenId = await indexGrant(bindings.DIRECTORY, {
    grantId,
    userId: user.id,
    clientId: world.webClient,
    serverId: world.serverId,
    scopes: GRANT_SCOPES,
    issuedAtMs: Date.now(),
    expiresAtMs: null,
    idleExpiresAtMs: Date.now() + 3_600_000,
  });
  if (!tokenId) throw new Error("the grant was not indexed");
  return { grantId, tokenId, accessToken: body.access_token };
}

/** `/v1/userinfo` with the grant's access token: 200 while the grant stands, 401 once it is revoked. */
export async function userinfoStatus(
  world: SignInWorld,
  browser: Browser,
  grant: HeldGrant,
): Promise<number> {
  const res = await browser.fetch(
    new Request(`${world.issuer}/v1/userinfo`, { headers: { Authorization: `Bearer ${grant.accessToken}` } }),
  );
  await res.body?.cancel();
  return res.status;
}

/** The index row's status, straight from D1. */
export async function indexStatus(tokenId: string): Promise<string | undefined> {
  const row = await bindings.DIRECTORY.prepare("SELECT status FROM grant_index WHERE id = ?1")
    .bind(tokenId)
    .first<{ status: string }>();
  return row?.status;
}
