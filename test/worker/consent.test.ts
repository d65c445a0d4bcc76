/**
 * Consent (issue 11 item 3) against the real directory (D1), control plane and grant Durable Objects:
 * when the page is shown (Okta's prompt × consent_method × scope consent table), Allow → grants →
 * code, Deny → access_denied, optional scopes unticked, stored and not asked again, prompt=consent,
 * revoked → asked again, prompt=none → consent_required, the form's CSRF and session binding,
 * escaping, and the Users grants API in Okta's shapes with its rights and bad input.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ConsentGrantView } from "../../src/admin/openapi/views";
import { createDeps } from "../../src/context";
import type { Env } from "../../src/env";
import type { LogMessage, LogQueue } from "../../src/log/event-log";
import { CONSENT_DENIED, CONSENT_REQUIRED } from "../../src/signin/consent";
import {
  adminRequest,
  basic,
  decodeJwt,
  freshApp,
  importConfig,
  ORIGIN,
  SECRET,
  tokenRequest,
  uniqueId,
} from "./helpers";
import {
  addMember,
  assignGroup,
  type FixtureUser,
  insertGroup,
  insertUser,
  PASSWORD,
} from "./people-fixtures";
import { Browser, bindings, redirectParams } from "./signin-fixtures";

const REDIRECT = "https://consent.test/callback";

interface World {
  serverId: string;
  issuer: string;
  /** consent_method REQUIRED. */
  thirdParty: string;
  /** consent_method TRUSTED (Okta's default). */
  firstParty: string;
}

let world: World;

beforeAll(async () => {
  const serverId = uniqueId("consent");
  const thirdParty = uniqueId("third");
  const firstParty = uniqueId("first");
  const group = await insertGroup("Consenters");
  for (const app of [thirdParty, firstParty]) await assignGroup(app, group);
  world = { serverId, issuer: `${ORIGIN}/oauth2/${serverId}`, thirdParty, firstParty };
  const app = (client_id: string, consent_method: "REQUIRED" | "TRUSTED") => ({
    client_id,
    client_name: `App <b>${client_id}</b>`,
    application_type: "web" as const,
    grant_types: ["authorization_code" as const],
    redirect_uris: [REDIRECT],
    client_secrets: [SECRET],
    consent_method,
  });
  await importConfig({
    clients: [app(thirdParty, "REQUIRED"), app(firstParty, "TRUSTED")],
    authorizationServers: [
      {
        server: { id: serverId, name: serverId, audiences: ["api://consent"] },
        scopes: [
          { id: "c-openid", name: "openid" },
          {
            id: "c-read",
            name: "read",
            displayName: "Read <i>your</i> files",
            description: `<script>alert("x")</script> & "quotes"`,
            consent: "REQUIRED",
          },
          {
            id: "c-photos",
            name: "photos",
            displayName: "See your photos",
            consent: "REQUIRED",
            optional: true,
          },
          { id: "c-flex", name: "flex", consent: "FLEXIBLE" },
          { id: "c-plain", name: "plain" },
        ],
        policies: [
          {
            id: "p",
            name: "apps",
            priority: 1,
            conditions: { clients: { include: [thirdParty, firstParty] } },
            rules: [
              {
                id: "r",
                name: "everyone",
                priority: 1,
                conditions: {
                  people: { groups: { include: [group] } },
                  grantTypes: { include: ["authorization_code"] },
                  scopes: { include: ["*"] },
                },
              },
            ],
          },
        ],
      },
    ],
  });
  consenters = group;
});

let consenters: string;

async function newUser(): Promise<FixtureUser> {
  const user = await insertUser({ name: "consenter" });
  await addMember(consenters, user.id);
  return user;
}

function authorizeUrl(clientId: string, params: Record<string, string> = {}): string {
  const query = new URLSearchParams({
    client_id: clientId,
    redirect_uri: REDIRECT,
    response_type: "code",
    scope: "openid read",
    state: "st-1",
    ...params,
  });
  return `${world.issuer}/v1/authorize?${query}`;
}

/** Authorizes (signing in through the page if the browser has no session): the answer after sign-in. */
async function authorize(
  browser: Browser,
  user: FixtureUser,
  clientId: string,
  params: Record<string, string> = {},
): Promise<Response> {
  const first = await browser.request(authorizeUrl(clientId, params));
  const body = first.status === 200 ? await first.clone().text() : "";
  if (body.includes('name="signin_request"')) return browser.signIn(body, user.login, PASSWORD);
  return first;
}

interface ConsentForm {
  action: string;
  transaction: string;
  html: string;
}

async function readConsent(res: Response): Promise<ConsentForm> {
  expect(res.status).toBe(200);
  const html = await res.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const transaction = /name="consent_request" value="([^"]+)"/.exec(html)?.[1];
  if (!action || !transaction) throw new Error(`no consent form in:\n${html.slice(0, 800)}`);
  return { action, transaction, html };
}

function answer(browser: Browser, form: ConsentForm, fields: Record<string, string>): Promise<Response> {
  return browser.request(new URL(form.action, ORIGIN).toString(), {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ consent_request: form.transaction, ...fields }).toString(),
  });
}

async function exchange(browser: Browser, clientId: string, code: string) {
  const res = await browser.fetch(
    tokenRequest(
      world.issuer,
      { grant_type: "authorization_code", code, redirect_uri: REDIRECT },
      { authorization: basic(clientId, SECRET) },
    ),
  );
  // biome-ignore lint/suspicious/noExplicitAny: the token response, field by field.
  return { status: res.status, body: (await res.json()) as any };
}

async function grantRows(userId: string): Promise<{ scope_id: string; status: string; client_id: string }[]> {
  const { results } = await bindings.DIRECTORY.prepare(
    "SELECT scope_id, status, client_id FROM consent_grants WHERE user_id = ?1 ORDER BY scope_id",
  )
    .bind(userId)
    .all<{ scope_id: string; status: string; client_id: string }>();
  return results;
}

async function admin(method: string, path: string, auth?: string) {
  const res = await freshApp()(adminRequest(method, path, undefined, auth));
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: Okta's JSON shapes, field by field.
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as any };
}

describe("when the consent page is shown", () => {
  it("REQUIRED app × REQUIRED scope: the page names the app and the scopes, escaped, with Allow and Deny", async () => {
    const user = await newUser();
    const browser = new Browser();
    const res = await authorize(browser, user, world.thirdParty, { scope: "openid read photos plain" });
    expect(res.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("X-Frame-Options")).toBe("DENY");
    const form = await readConsent(res);
    expect(form.action).toBe(`/oauth2/${world.serverId}/consent`);
    // Escaped: the app name, the display name and the description are text, never markup.
    expect(form.html).toContain(`App &lt;b&gt;${world.thirdParty}&lt;/b&gt;`);
    expect(form.html).toContain("Read &lt;i&gt;your&lt;/i&gt; files");
    expect(form.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;");
    expect(form.html).not.toContain("<script>alert");
    // Only scopes that ask: openid and plain are IMPLICIT.
    expect(form.html).toContain("See your photos");
    expect(form.html).not.toMatch(/>openid</);
    expect(form.html).not.toContain(">plain<");
    // The required scope cannot be unticked; the optional one is a ticked checkbox the form posts.
    expect(form.html).toMatch(/<input type="checkbox" id="scope-0" disabled aria-disabled="true" checked/);
    expect(form.html).toContain('name="optional.photos" value="on"');
    expect(form.html).toContain('name="decision" value="allow"');
    expect(form.html).toContain('name="decision" value="deny"');
    expect(await grantRows(user.id)).toEqual([]);
  });

  it("FLEXIBLE scopes ask as REQUIRED ones do", async () => {
    const user = await newUser();
    const form = await readConsent(await authorize(new Browser(), user, world.thirdParty, { scope: "flex" }));
    expect(form.html).toContain("flex");
  });

  it("not shown: a TRUSTED app, or only IMPLICIT scopes: the code comes at once", async () => {
    const user = await newUser();
    const browser = new Browser();
    const trusted = await authorize(browser, user, world.firstParty, { scope: "openid read photos" });
    expect(redirectParams(trusted).get("code")).toBeTruthy();
    const implicit = await authorize(browser, user, world.thirdParty, { scope: "openid plain" });
    expect(redirectParams(implicit).get("code")).toBeTruthy();
    expect(await grantRows(user.id)).toEqual([]);
  });

  it("prompt=consent asks even a TRUSTED app's user for REQUIRED scopes (Okta's table)", async () => {
    const user = await newUser();
    const form = await readConsent(
      await authorize(new Browser(), user, world.firstParty, { scope: "openid read", prompt: "consent" }),
    );
    expect(form.html).toContain("Read &lt;i&gt;your&lt;/i&gt; files");
  });
});

describe("the answer", () => {
  it("Allow: grants stored, a code whose tokens carry the scopes; asked no more for this client", async () => {
    const user = await newUser();
    const browser = new Browser();
    const form = await readConsent(
      await authorize(browser, user, world.thirdParty, { scope: "openid read photos" }),
    );
    const res = await answer(browser, form, { decision: "allow", "optional.photos": "on" });
    const params = redirectParams(res);
    expect(params.base).toBe(REDIRECT);
    expect(params.get("state")).toBe("st-1");
    const tokens = await exchange(browser, world.thirdParty, params.get("code") ?? "");
    expect(tokens.status).toBe(200);
    expect(decodeJwt(tokens.body.access_token).payload.scp).toEqual(["openid", "read", "photos"]);
    expect(await grantRows(user.id)).toEqual([
      { scope_id: "c-photos", status: "ACTIVE", client_id: world.thirdParty },
      { scope_id: "c-read", status: "ACTIVE", client_id: world.thirdParty },
    ]);

    // Stored: the next authorization (same session) gets its code without a page.
    const again = await browser.request(authorizeUrl(world.thirdParty, { scope: "openid read photos" }));
    expect(redirectParams(again).get("code")).toBeTruthy();
    // prompt=none works too, now that nothing is left to ask.
    const silent = await browser.request(
      authorizeUrl(world.thirdParty, { scope: "openid read", prompt: "none" }),
    );
    expect(redirectParams(silent).get("code")).toBeTruthy();
    // prompt=consent asks again all the same.
    await readConsent(await browser.request(authorizeUrl(world.thirdParty, { prompt: "consent" })));
  });

  it("an optional scope left unticked is neither granted nor in the token; a required one cannot be dropped", async () => {
    const user = await newUser();
    const browser = new Browser();
    const form = await readConsent(
      await authorize(browser, user, world.thirdParty, { scope: "openid read photos" }),
    );
    // No optional.photos; a forged field for a scope never shown changes nothing.
    const res = await answer(browser, form, {
      decision: "allow",
      "optional.flex": "on",
      "optional.read": "off",
    });
    const tokens = await exchange(browser, world.thirdParty, redirectParams(res).get("code") ?? "");
    expect(decodeJwt(tokens.body.access_token).payload.scp).toEqual(["openid", "read"]);
    expect((await grantRows(user.id)).map((r) => r.scope_id)).toEqual(["c-read"]);
  });

  it("Deny: access_denied with Okta's words and the state; nothing stored", async () => {
    const user = await newUser();
    const browser = new Browser();
    const form = await readConsent(
      await authorize(browser, user, world.thirdParty, { scope: "openid read", state: "s<&>" }),
    );
    const params = redirectParams(await answer(browser, form, { decision: "deny" }));
    expect(params.get("error")).toBe("access_denied");
    expect(params.get("error_description")).toBe(CONSENT_DENIED);
    expect(params.get("state")).toBe("s<&>");
    expect(params.get("code")).toBeNull();
    expect(await grantRows(user.id)).toEqual([]);
  });

  it("prompt=none when consent is needed: consent_required (OIDC Core §3.1.2.6), no page", async () => {
    const user = await newUser();
    const browser = new Browser();
    await authorize(browser, user, world.firstParty, { scope: "openid" }); // a session, nothing to consent
    const params = redirectParams(
      await browser.request(authorizeUrl(world.thirdParty, { scope: "openid read", prompt: "none" })),
    );
    expect(params.get("error")).toBe("consent_required");
    expect(params.get("error_description")).toBe(CONSENT_REQUIRED);
    expect(params.get("state")).toBe("st-1");
  });

  it("no decision, or an unknown one: a 400 page, nothing stored, no redirect", async () => {
    const user = await newUser();
    const browser = new Browser();
    const form = await readConsent(await authorize(browser, user, world.thirdParty));
    for (const fields of [{}, { decision: "maybe" }] as Record<string, string>[]) {
      const res = await answer(browser, form, fields);
      expect(res.status).toBe(400);
      expect(res.headers.get("Location")).toBeNull();
    }
    expect(await grantRows(user.id)).toEqual([]);
  });
});

describe("attacks on the consent form", () => {
  it("CSRF: another browser posting the form (no cookies, or its own) is refused; so is a tampered or sign-in form", async () => {
    const user = await newUser();
    const victim = new Browser();
    const form = await readConsent(await authorize(victim, user, world.thirdParty));

    // A page elsewhere posting the victim's form without the victim's cookies.
    const stranger = new Browser();
    expect((await answer(stranger, form, { decision: "allow" })).status).toBe(403);
    // An attacker with their own session and CSRF cookie cannot use a form issued to the victim.
    const attacker = new Browser();
    await authorize(attacker, await newUser(), world.firstParty, { scope: "openid" });
    expect((await answer(attacker, form, { decision: "allow" })).status).toBe(403);
    // The victim's CSRF cookie but not the session: refused (the page was shown to one session).
    const halfway = new Browser();
    for (const [name, value] of victim.cookies) if (name.includes("csrf")) halfway.cookies.set(name, value);
    expect((await answer(halfway, form, { decision: "allow" })).status).toBe(403);
    // Tampered, empty, non-UTF-8 or a sign-in transaction instead of a consent one.
    const tampered = `${form.transaction.slice(0, -4)}AAAA`;
    for (const transaction of [tampered, "", "%FF%FE", "x".repeat(5000)]) {
      const res = await answer(victim, { ...form, transaction }, { decision: "allow" });
      expect(res.status, transaction.slice(0, 20)).toBe(403);
    }
    const signInPage = await (await new Browser().request(authorizeUrl(world.thirdParty))).text();
    const signInTransaction = /name="signin_request" value="([^"]+)"/.exec(signInPage)?.[1] ?? "";
    expect(
      (await answer(victim, { ...form, transaction: signInTransaction }, { decision: "allow" })).status,
    ).toBe(403);
    expect(await grantRows(user.id)).toEqual([]);
    // The real answer still works.
    expect(redirectParams(await answer(victim, form, { decision: "allow" })).get("code")).toBeTruthy();
  });

  it("a form shown to one session is refused once another user signed in in the same browser", async () => {
    const first = await newUser();
    const second = await newUser();
    const browser = new Browser();
    const form = await readConsent(await authorize(browser, first, world.thirdParty));
    // The same browser (same CSRF cookie) now signs in as someone else.
    const page = await browser.request(authorizeUrl(world.firstParty, { scope: "openid", prompt: "login" }));
    expect(
      redirectParams(await browser.signIn(await page.text(), second.login, PASSWORD)).get("code"),
    ).toBeTruthy();
    expect((await answer(browser, form, { decision: "allow" })).status).toBe(403);
    expect(await grantRows(first.id)).toEqual([]);
    expect(await grantRows(second.id)).toEqual([]);
  });

  it("a form for one server cannot be posted to another", async () => {
    const user = await newUser();
    const browser = new Browser();
    const form = await readConsent(await authorize(browser, user, world.thirdParty));
    const res = await answer(browser, { ...form, action: "/oauth2/default/consent" }, { decision: "allow" });
    expect([403, 404]).toContain(res.status);
    expect(await grantRows(user.id)).toEqual([]);
  });

  it("a body too large or repeating a field is a 400 page", async () => {
    const user = await newUser();
    const browser = new Browser();
    const form = await readConsent(await authorize(browser, user, world.thirdParty));
    const url = new URL(form.action, ORIGIN).toString();
    const post = (body: string) =>
      browser.request(url, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body,
      });
    expect((await post(`consent_request=${form.transaction}&decision=allow&decision=deny`)).status).toBe(400);
    expect(
      (await post(`consent_request=${form.transaction}&decision=allow&pad=${"a".repeat(200_000)}`)).status,
    ).toBe(400);
    expect(await grantRows(user.id)).toEqual([]);
  });
});

describe("the grants API (Okta's OAuth2ScopeConsentGrant)", () => {
  /** A user who consented to read and photos for the third-party app. */
  async function consented(): Promise<{ user: FixtureUser; browser: Browser }> {
    const user = await newUser();
    const browser = new Browser();
    const form = await readConsent(
      await authorize(browser, user, world.thirdParty, { scope: "openid read photos" }),
    );
    const res = await answer(browser, form, { decision: "allow", "optional.photos": "on" });
    expect(redirectParams(res).get("code")).toBeTruthy();
    return { user, browser };
  }

  it("lists, reads and expands grants in Okta's shape, with Link pagination", async () => {
    const { user } = await consented();
    const list = await admin("GET", `/users/${user.id}/grants`);
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(2);
    const read = list.body.find((g: { scopeId: string }) => g.scopeId === "c-read");
    expect(read).toMatchObject({
      status: "ACTIVE",
      issuer: world.issuer,
      clientId: world.thirdParty,
      userId: user.id,
      scopeId: "c-read",
      source: "END_USER",
      createdBy: { id: user.id, type: "User" },
      _links: {
        self: {
          href: `${ORIGIN}/api/v1/users/${user.id}/grants/${read.id}`,
          hints: { allow: ["GET", "DELETE"] },
        },
        scope: {
          href: `${ORIGIN}/api/v1/authorizationServers/${world.serverId}/scopes/c-read`,
          title: "read",
        },
        app: { href: `${ORIGIN}/api/v1/apps/${world.thirdParty}` },
        user: { href: `${ORIGIN}/api/v1/users/${user.id}` },
        authorizationServer: { href: `${ORIGIN}/api/v1/authorizationServers/${world.serverId}` },
      },
    });
    expect(read.id).toMatch(/^oag[A-Za-z0-9]{17}$/);
    // The OpenAPI document's schema describes what the route answers.
    for (const grant of list.body) ConsentGrantView.parse(grant);
    expect(read._embedded).toBeUndefined();
    expect(new Date(read.created).toISOString()).toBe(read.created);

    const one = await admin("GET", `/users/${user.id}/grants/${read.id}?expand=scope`);
    ConsentGrantView.parse(one.body);
    expect(one.body._embedded.scope).toEqual({
      id: "c-read",
      name: "read",
      displayName: "Read <i>your</i> files",
      description: `<script>alert("x")</script> & "quotes"`,
    });

    const filtered = await admin("GET", `/users/${user.id}/grants?scopeId=c-photos`);
    expect(filtered.body.map((g: { scopeId: string }) => g.scopeId)).toEqual(["c-photos"]);
    const byClient = await admin("GET", `/users/${user.id}/clients/${world.thirdParty}/grants`);
    expect(byClient.body).toHaveLength(2);
    expect((await admin("GET", `/users/${user.id}/clients/${world.firstParty}/grants`)).body).toEqual([]);

    const first = await admin("GET", `/users/${user.id}/grants?limit=1`);
    expect(first.body).toHaveLength(1);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get("Link") ?? "")?.[1];
    expect(next).toBeTruthy();
    const second = await admin("GET", next ?? "");
    expect(second.body).toHaveLength(1);
    expect(second.body[0].id).not.toBe(first.body[0].id);
    expect(second.headers.get("Link")).not.toContain('rel="next"');
  });

  it("revoking one grant: REVOKED by id, gone from lists, and the next authorize asks again", async () => {
    const { user, browser } = await consented();
    const [read] = (await admin("GET", `/users/${user.id}/grants?scopeId=c-read`)).body;
    expect((await admin("DELETE", `/users/${user.id}/grants/${read.id}`)).status).toBe(204);
    expect((await admin("GET", `/users/${user.id}/grants/${read.id}`)).body.status).toBe("REVOKED");
    expect(
      (await admin("GET", `/users/${user.id}/grants`)).body.map((g: { scopeId: string }) => g.scopeId),
    ).toEqual(["c-photos"]);
    // Revoking again changes nothing.
    expect((await admin("DELETE", `/users/${user.id}/grants/${read.id}`)).status).toBe(204);

    const form = await readConsent(
      await browser.request(authorizeUrl(world.thirdParty, { scope: "openid read photos" })),
    );
    // Only what is no longer granted is asked.
    expect(form.html).toContain("Read &lt;i&gt;your&lt;/i&gt; files");
    expect(form.html).not.toContain("See your photos");
    expect(redirectParams(await answer(browser, form, { decision: "allow" })).get("code")).toBeTruthy();
    // Consenting again makes the same grant ACTIVE again.
    expect((await admin("GET", `/users/${user.id}/grants/${read.id}`)).body.status).toBe("ACTIVE");
  });

  it("revoking a client's grants and all grants; the deleted user's grants go with the user", async () => {
    const { user, browser } = await consented();
    expect((await admin("DELETE", `/users/${user.id}/clients/${world.thirdParty}/grants`)).status).toBe(204);
    expect((await admin("GET", `/users/${user.id}/grants`)).body).toEqual([]);
    await readConsent(await browser.request(authorizeUrl(world.thirdParty)));

    const other = await consented();
    expect((await admin("DELETE", `/users/${other.user.id}/grants`)).status).toBe(204);
    expect((await grantRows(other.user.id)).map((r) => r.status)).toEqual(["REVOKED", "REVOKED"]);

    // Okta's two-step delete: deactivate, then delete; the grants go with the user.
    expect((await admin("DELETE", `/users/${other.user.id}`)).status).toBe(204);
    expect((await admin("DELETE", `/users/${other.user.id}`)).status).toBe(204);
    expect(await grantRows(other.user.id)).toEqual([]);
  });

  it("records Okta's events: the consent given on the page, and each revocation with its targets", async () => {
    const deps = createDeps();
    const user = await newUser();
    const browser = new Browser(deps);
    const form = await readConsent(
      await authorize(browser, user, world.thirdParty, { scope: "openid read photos" }),
    );
    await answer(browser, form, { decision: "allow", "optional.photos": "on" });
    const sent: LogMessage[] = [];
    const queue: LogQueue = {
      sendBatch: async (messages) => void sent.push(...Array.from(messages, (m) => m.body)),
    };
    await deps.log.flush(queue, true);
    const given = sent.find((m) => m.event.eventType === "app.oauth2.as.consent.grant");
    expect(given?.event.actor).toMatchObject({ id: user.id, type: "User" });
    expect(given?.event.target?.map((t) => [t.type, t.id])).toEqual([
      ["AppInstance", world.thirdParty],
      ["OAuth2Scope", "c-read"],
      ["OAuth2Scope", "c-photos"],
    ]);

    sent.length = 0;
    const bound = { ...bindings, LOG_QUEUE: queue as unknown as Env["LOG_QUEUE"] };
    const [grant] = (await admin("GET", `/users/${user.id}/grants`)).body;
    const revoke = (path: string) => freshApp()(adminRequest("DELETE", path), bound);
    expect((await revoke(`/users/${user.id}/grants/${grant.id}`)).status).toBe(204);
    expect((await revoke(`/users/${user.id}/clients/${world.thirdParty}/grants`)).status).toBe(204);
    expect((await revoke(`/users/${user.id}/grants`)).status).toBe(204);
    expect(sent.map((m) => [m.event.eventType, m.event.target?.map((t) => [t.type, t.id])])).toEqual([
      [
        "app.oauth2.as.consent.revoke",
        [
          ["User", user.id],
          ["OAuth2ScopeConsentGrant", grant.id],
        ],
      ],
      [
        "app.oauth2.as.consent.revoke",
        [
          ["User", user.id],
          ["AppInstance", world.thirdParty],
        ],
      ],
      ["app.oauth2.as.consent.revoke", [["User", user.id]]],
    ]);
  });

  it("rights: okta.users.read reads but cannot revoke; another right reads nothing", async () => {
    const { user } = await consented();
    const mint = async (scopes: string[]) => {
      const created = await freshApp()(
        adminRequest("POST", "/api-tokens", { name: uniqueId("tok"), scopes }),
      );
      expect(created.status).toBe(201);
      return `SSWS ${((await created.json()) as { token: string }).token}`;
    };
    const reader = await mint(["okta.users.read"]);
    expect((await admin("GET", `/users/${user.id}/grants`, reader)).status).toBe(200);
    for (const path of [`/users/${user.id}/grants`, `/users/${user.id}/clients/${world.thirdParty}/grants`]) {
      const res = await admin("DELETE", path, reader);
      expect(res.status).toBe(403);
      expect(res.body.errorCode).toBe("E0000006");
    }
    const stranger = await mint(["okta.groups.read"]);
    expect((await admin("GET", `/users/${user.id}/grants`, stranger)).status).toBe(403);
    expect((await grantRows(user.id)).every((r) => r.status === "ACTIVE")).toBe(true);
    const manager = await mint(["okta.users.manage"]);
    expect((await admin("DELETE", `/users/${user.id}/grants`, manager)).status).toBe(204);
  });

  it("bad input: 404s in Okta's shape, 400 E0000001 for bad query values, injection is just text", async () => {
    const { user } = await consented();
    const other = await newUser();
    const [grant] = (await admin("GET", `/users/${user.id}/grants`)).body;

    // The user by login, as the Users API takes it; the links name the id.
    const byLogin = await admin("GET", `/users/${encodeURIComponent(user.login)}/grants`);
    expect(byLogin.body.map((g: { id: string }) => g.id)).toContain(grant.id);
    // Other methods on these paths: 405 naming the allowed ones.
    const put = await admin("PUT", `/users/${user.id}/grants/${grant.id}`);
    expect(put.status).toBe(405);
    expect(put.headers.get("Allow")).toBe("DELETE, GET, HEAD");

    const missingUser = await admin("GET", "/users/00uNobody0000000000/grants");
    expect(missingUser.status).toBe(404);
    expect(missingUser.body.errorCode).toBe("E0000007");
    // Another user's grant is not found through this user, and cannot be revoked through them.
    expect((await admin("GET", `/users/${other.id}/grants/${grant.id}`)).status).toBe(404);
    expect((await admin("DELETE", `/users/${other.id}/grants/${grant.id}`)).status).toBe(404);
    expect((await admin("GET", `/users/${user.id}/grants/${grant.id}`)).body.status).toBe("ACTIVE");

    for (const query of [
      "expand=client",
      "limit=0",
      "limit=abc",
      "after=%27%20OR%201%3D1--",
      `scopeId=${"s".repeat(101)}`,
      "limit=1&limit=2",
    ]) {
      const res = await admin("GET", `/users/${user.id}/grants?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.errorCode).toBe("E0000001");
    }
    // SQL in a filter is a value like any other: it matches nothing.
    for (const scopeId of ["' OR '1'='1", "c-read' --", "%"]) {
      const res = await admin("GET", `/users/${user.id}/grants?scopeId=${encodeURIComponent(scopeId)}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual([]);
    }
    const res = await admin("GET", `/users/${user.id}/clients/${encodeURIComponent("x' OR 1=1 --")}/grants`);
    expect(res.body).toEqual([]);
    expect(
      (await admin("DELETE", `/users/${user.id}/clients/${encodeURIComponent("' OR 1=1 --")}/grants`)).status,
    ).toBe(204);
    expect((await grantRows(user.id)).every((r) => r.status === "ACTIVE")).toBe(true);
  });
});
