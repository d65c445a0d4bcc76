/**
 * A browser for the worker tier: a cookie jar, the hosted sign-in form read from the page and posted
 * back, redirects read from `Location`. And a world to sign in to: one server whose rule gives
 * authorization_code to Engineering, a confidential web app, a public SPA, an app without the
 * authorization_code grant, and users in every state (people-fixtures.ts writes them into D1).
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { Deps } from "../../src/context";
import type { Env } from "../../src/env";
import { freshApp, importConfig, ORIGIN, SECRET, uniqueId } from "./helpers";
import {
  addMember,
  assignGroup,
  assignUser,
  type FixtureUser,
  insertGroup,
  insertUser,
} from "./people-fixtures";

export const bindings = env as Env;

export interface SignInWorld {
  serverId: string;
  issuer: string;
  /** Confidential (client_secret_basic), authorization_code; redirect https://app.test/callback. */
  webClient: string;
  /** Public (none): PKCE required. */
  spaClient: string;
  /** client_credentials only. */
  serviceClient: string;
  redirectUri: string;
  engineers: string;
  /** Engineering, assigned through the group. */
  alice: FixtureUser;
  /** Assigned directly, in no group: the rule (Engineering only) does not admit her. */
  carol: FixtureUser;
  /** In no group, not assigned to any app. */
  dave: FixtureUser;
  locked: FixtureUser;
  suspended: FixtureUser;
}

export const REDIRECT_URI = "https://app.test/callback?tenant=1";
export const POST_LOGOUT_URI = "https://app.test/signed-out";
export const VERIFIER = "dBjftJeZ4CVP-mJ92K9ZIMyK5ZHkwFSHnODJfKmDc9Q";
/** base64url(SHA-256(VERIFIER)) (RFC 7636 §4.2 S256; the value this file had before did not answer VERIFIER). */
export const CHALLENGE = "HKRx54wHcYoUnqGB_thd5sgdAFHUtdF0uLcJ1PwUwOU";

export async function seedSignInWorld(): Promise<SignInWorld> {
  const serverId = uniqueId("signin");
  const webClient = uniqueId("web");
  const spaClient = uniqueId("spa");
  const serviceClient = uniqueId("svc");
  const engineers = await insertGroup("Engineering");
  const [alice, carol, dave, locked, suspended] = await Promise.all([
    insertUser({ name: "alice", profile: { firstName: "Alice", lastName: "Liddell" } }),
    insertUser({ name: "carol" }),
    insertUser({ name: "dave" }),
    insertUser({ name: "locked", status: "LOCKED_OUT" }),
    insertUser({ name: "suspended", status: "SUSPENDED" }),
  ]);
  await Promise.all([
    addMember(engineers, alice.id),
    addMember(engineers, locked.id),
    addMember(engineers, suspended.id),
  ]);
  for (const app of [webClient, spaClient]) {
    await assignGroup(app, engineers);
    await assignUser(app, carol.id);
  }
  await importConfig({
    clients: [
      {
        client_id: webClient,
        client_name: 'Web <App> & "Co"',
        application_type: "web",
        grant_types: ["authorization_code"],
        redirect_uris: [REDIRECT_URI],
        post_logout_redirect_uris: [POST_LOGOUT_URI],
        client_secrets: [SECRET],
      },
      {
        client_id: spaClient,
        client_name: "SPA",
        application_type: "browser",
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code"],
        redirect_uris: ["https://spa.test/"],
      },
      {
        client_id: serviceClient,
        client_name: "svc",
        client_secrets: [SECRET],
        redirect_uris: [REDIRECT_URI],
      },
    ],
    authorizationServers: [
      {
        server: { id: serverId, name: serverId, audiences: ["api://signin"] },
        scopes: [
          { id: "s-read", name: "read", default: true },
          { id: "s-write", name: "write" },
          { id: "s-openid", name: "openid" },
          { id: "s-profile", name: "profile" },
        ],
        policies: [
          {
            id: "p",
            name: "apps",
            priority: 1,
            conditions: { clients: { include: [webClient, spaClient] } },
            rules: [
              {
                id: "engineers",
                name: "engineers",
                priority: 1,
                conditions: {
                  people: { groups: { include: [engineers] } },
                  grantTypes: { include: ["authorization_code"] },
                  scopes: { include: ["read", "openid", "profile"] },
                },
              },
            ],
          },
        ],
      },
    ],
  });
  return {
    serverId,
    issuer: `${ORIGIN}/oauth2/${serverId}`,
    webClient,
    spaClient,
    serviceClient,
    redirectUri: REDIRECT_URI,
    engineers,
    alice,
    carol,
    dave,
    locked,
    suspended,
  };
}

/** The authorization request's query for the web client, `overrides` replacing (or, undefined, dropping) parameters. */
export function authorizeParams(
  world: SignInWorld,
  overrides: Record<string, string | undefined> = {},
): Record<string, string> {
  const params: Record<string, string | undefined> = {
    client_id: world.webClient,
    redirect_uri: world.redirectUri,
    response_type: "code",
    scope: "read",
    state: "st-123",
    ...overrides,
  };
  return Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
}

/** A browser: one app instance (an isolate), a cookie jar, and the last sign-in page it saw. */
export class Browser {
  readonly cookies = new Map<string, string>();
  readonly fetch: ReturnType<typeof freshApp>;

  constructor(deps?: Deps) {
    this.fetch = freshApp(deps);
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) {
      headers.set("Cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    }
    const res = await this.fetch(new Request(url, { ...init, headers, redirect: "manual" }));
    for (const line of res.headers.getSetCookie()) {
      const [pair = "", ...attrs] = line.split("; ");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      if (attrs.includes("Max-Age=0") || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  authorize(world: SignInWorld, overrides: Record<string, string | undefined> = {}): Promise<Response> {
    return this.request(
      `${world.issuer}/v1/authorize?${new URLSearchParams(authorizeParams(world, overrides))}`,
    );
  }

  /** Posts the sign-in form `page` holds, with these credentials (undefined: the field is left out). */
  async signIn(
    page: string,
    username: string | undefined,
    password: string | undefined,
    extra: Record<string, string> = {},
  ): Promise<Response> {
    const form = readForm(page);
    const body = new URLSearchParams({ signin_request: form.transaction, ...extra });
    if (username !== undefined) body.set("username", username);
    if (password !== undefined) body.set("password", password);
    return this.request(new URL(form.action, ORIGIN).toString(), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
    });
  }
}

/** The sign-in form's action and sealed request, as a browser would submit them. */
export function readForm(page: string): { action: string; transaction: string } {
  const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
  const transaction = /name="signin_request" value="([^"]+)"/.exec(page)?.[1];
  if (!action || !transaction) throw new Error(`no sign-in form in:\n${page.slice(0, 500)}`);
  return { action: action.replaceAll("&#39;", "'"), transaction };
}

/** The parameters of a redirect's `Location` (query, or fragment when `fragment`). */
export function redirectParams(res: Response, fragment = false): URLSearchParams & { base: string } {
  expect(res.status).toBe(302);
  const url = new URL(res.headers.get("Location") ?? "");
  const params = new URLSearchParams(fragment ? url.hash.slice(1) : url.search) as URLSearchParams & {
    base: string;
  };
  params.base = `${url.origin}${url.pathname}`;
  return params;
}

/** Session rows of `userId` in D1. */
export async function sessionCount(userId: string): Promise<number> {
  const row = await bindings.DIRECTORY.prepare("SELECT count(*) AS n FROM sessions WHERE user_id = ?1")
    .bind(userId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** A user's consecutive failed password checks (lockout counter) and status. */
export async function userRow(userId: string): Promise<{ failed_attempts: number; status: string }> {
  const row = await bindings.DIRECTORY.prepare("SELECT failed_attempts, status FROM users WHERE id = ?1")
    .bind(userId)
    .first<{ failed_attempts: number; status: string }>();
  if (!row) throw new Error(`no user ${userId}`);
  return row;
}

export { ORIGIN, SECRET };
