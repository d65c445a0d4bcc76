/**
 * Issue 13, attacked as a stranger before it closes: variants the earlier regression tests do not
 * cover. Each block names the claim it attacks.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PULSE_CACHE_URL } from "../../src/config/revocation-pulse";
import type { Env } from "../../src/env";
import type { LogMessage, LogQueue } from "../../src/log/event-log";
import { db, seedUser } from "./directory-fixtures";
import {
  adminCall,
  adminRequest,
  basic,
  freshApp,
  ORIGIN,
  orgAccessToken,
  SECRET,
  seedOrgClient,
  seedServer,
  tokenRequest,
  uniqueId,
} from "./helpers";
import { HOOK_ORIGIN, HOOK_SECRET, hookDoc, recorded, withHook } from "./preview-fixtures";

// biome-ignore lint/suspicious/noExplicitAny: tests read Okta's JSON shapes field by field.
type Json = any;

async function call(method: string, path: string, body: unknown, authorization: string) {
  const res = await freshApp()(adminRequest(method, path, body, authorization));
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Json };
}

describe("the management API's scope check sees the path the router routes", () => {
  it("a percent-encoded letter in /roles does not trade okta.roles.* for okta.users.*", async () => {
    const user = await seedUser();
    await adminCall("POST", `/users/${user.id}/roles`, { type: "READ_ONLY_ADMIN" });
    const usersOnly = await seedOrgClient(["okta.users.manage"]);
    const bearer = `Bearer ${await orgAccessToken(usersOnly, "okta.users.manage")}`;
    for (const spelling of [
      "%72oles",
      "r%6Fles",
      "%72%6F%6C%65%73",
      "rol%65s",
      "/roles",
      "roles/",
      "./roles",
    ]) {
      const read = await call("GET", `/users/${user.id}/${spelling}`, undefined, bearer);
      // 403 for the Role Assignment API, or 404 where no route answers; never the roles.
      expect([403, 404], spelling).toContain(read.status);
      expect(["E0000006", "E0000007"]).toContain(read.body.errorCode);
    }
  });

  it("nor does it let okta.users.manage with okta.roles.read grant or remove a role", async () => {
    const user = await seedUser();
    const reads = [
      "okta.apps.read",
      "okta.authorizationServers.read",
      "okta.apiTokens.read",
      "okta.groups.read",
      "okta.inlineHooks.read",
      "okta.logs.read",
      "okta.roles.read",
      "okta.trustedOrigins.read",
    ];
    const narrow = await seedOrgClient(["okta.users.manage", ...reads]);
    const bearer = `Bearer ${await orgAccessToken(narrow, ["okta.users.manage", ...reads].join(" "))}`;
    const granted = await call("POST", `/users/${user.id}/%72oles`, { type: "READ_ONLY_ADMIN" }, bearer);
    expect(granted.status).toBe(403);
    const rows = () =>
      db().prepare("SELECT type FROM admin_roles WHERE user_id = ?").bind(user.id).all<{ type: string }>();
    expect((await rows()).results).toEqual([]);
    const role = (await adminCall("POST", `/users/${user.id}/roles`, { type: "READ_ONLY_ADMIN" })).body;
    const removed = await call("DELETE", `/users/${user.id}/rol%65s/${role.id}`, undefined, bearer);
    expect(removed.status).toBe(403);
    expect((await rows()).results).toEqual([{ type: "READ_ONLY_ADMIN" }]);
  });
});

describe("the system log sees the path the router routes", () => {
  it("a write through a percent-encoded path is recorded as the plain one is", async () => {
    const user = await seedUser();
    const sent: LogMessage[] = [];
    const queue: LogQueue = {
      sendBatch: async (messages) => void sent.push(...Array.from(messages, (m) => m.body)),
    };
    const bound = { ...(env as Env), LOG_QUEUE: queue as unknown as Env["LOG_QUEUE"] };
    const res = await freshApp()(
      adminRequest("POST", `/users/${user.id}/%72oles`, { type: "READ_ONLY_ADMIN" }),
      bound,
    );
    expect(res.status).toBe(201);
    expect(sent.map((m) => m.event.eventType)).toContain("user.account.privilege.grant");
  });
});

describe("failed admin authentication with a malformed Bearer token (issue 13 item 3)", () => {
  it("never reaches the control-plane Durable Object, on a cold isolate in a location without a pulse", async () => {
    await caches.default.delete(PULSE_CACHE_URL);
    let controlPlaneCalls = 0;
    const counted: Env = {
      ...(env as Env),
      CONTROL_PLANE: new Proxy((env as Env).CONTROL_PLANE, {
        get(target, prop) {
          const value = Reflect.get(target, prop);
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            if (prop === "get") controlPlaneCalls += 1;
            return value.apply(target, args);
          };
        },
      }),
    };
    const app = freshApp();
    for (const value of ["Bearer", "Bearer ", "Bearer nope", "Bearer a.b.c", `Bearer ${"x".repeat(4096)}`]) {
      const res = await app(adminRequest("GET", "/apps", undefined, value), counted);
      expect(res.status, value).toBe(401);
      expect(((await res.json()) as Json).errorCode).toBe("E0000011");
    }
    expect(controlPlaneCalls).toBe(0);
  });
});

describe("an inline hook's write-only secret (README: the secret is never shown)", () => {
  it("is not sent to another origin by a replacement that moves the hook without restating it", async () => {
    const f = await withHook("success");
    // The same hook service under another origin (localhost, not 127.0.0.1): an attacker's host.
    const elsewhere = HOOK_ORIGIN.replace("127.0.0.1", "localhost");
    const tag = uniqueId("t");
    const { id: _id, ...moved } = hookDoc("success", tag, { name: f.hook.name });
    const withoutValue = {
      ...moved,
      channel: {
        ...moved.channel,
        config: {
          ...moved.channel.config,
          uri: `${elsewhere}/success/${tag}`,
          authScheme: { type: "HEADER", key: "Authorization" },
        },
      },
    };
    const put = await adminCall("PUT", `/inlineHooks/${f.hook.id}`, withoutValue);
    expect(put.status).toBe(400);
    expect(put.body.errorCode).toBe("E0000001");
    expect(JSON.stringify(put.body.errorCauses)).toContain("channel.config.authScheme.value");

    // Whatever the answer, no request carries the stored secret to the other origin.
    const res = await freshApp()(
      tokenRequest(
        f.issuer,
        { grant_type: "client_credentials", scope: "read" },
        { authorization: basic(f.clientId, SECRET) },
      ),
    );
    expect(res.status).toBe(200);
    for (const call of await recorded(tag)) expect(call.headers.authorization).not.toBe(HOOK_SECRET);

    // Restating the secret moves it; so does a new path at the same origin without restating it.
    const samePlace = {
      ...withoutValue,
      channel: {
        ...withoutValue.channel,
        config: { ...withoutValue.channel.config, uri: `${HOOK_ORIGIN}/success/${tag}` },
      },
    };
    expect((await adminCall("PUT", `/inlineHooks/${f.hook.id}`, samePlace)).status).toBe(200);
  });

  it("is not moved to another origin through import either", async () => {
    const f = await withHook("success");
    const elsewhere = HOOK_ORIGIN.replace("127.0.0.1", "localhost");
    const res = await adminCall("POST", "/warden/import", {
      inlineHooks: [
        {
          ...f.hook,
          channel: {
            ...f.hook.channel,
            config: {
              ...f.hook.channel.config,
              uri: `${elsewhere}/success/${f.tag}`,
              authScheme: { type: "HEADER", key: "Authorization" },
            },
          },
        },
      ],
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain("authScheme.value");
  });
});

describe("error_description on every protocol path (RFC 6749 §5.2's set, bounded)", () => {
  const RFC6749_DESCRIPTION = /^[\x20-\x21\x23-\x5B\x5D-\x7E]{1,512}$/;
  const hostile = `x\r\nSet-Cookie: a=b\u202Eevil"\\${"A".repeat(16_000)}`;
  const grants = [
    "client_credentials",
    "password",
    "authorization_code",
    "refresh_token",
    "urn:ietf:params:oauth:grant-type:device_code",
    "urn:ietf:params:oauth:grant-type:token-exchange",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "urn:ietf:params:oauth:grant-type:saml2-bearer",
  ];
  const params = [
    "scope",
    "code",
    "redirect_uri",
    "code_verifier",
    "refresh_token",
    "username",
    "password",
    "device_code",
    "subject_token",
    "subject_token_type",
    "requested_token_type",
    "actor_token",
    "actor_token_type",
    "audience",
    "resource",
    "assertion",
  ];

  async function description(res: Response): Promise<string> {
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const body = (await res.json()) as Json;
    expect(typeof body.error).toBe("string");
    return body.error_description as string;
  }

  it("on the token endpoint, custom and org server, for each grant type and each parameter", async () => {
    const f = await seedServer();
    const app = freshApp();
    const issued: string[] = [];
    for (const issuer of [f.issuer, `${ORIGIN}/oauth2`]) {
      for (const grant of grants) {
        for (const name of params) {
          const body: Record<string, string> = { grant_type: grant, [name]: hostile };
          const res = await app(tokenRequest(issuer, body, { authorization: basic(f.clientId, SECRET) }));
          if (res.status === 200) {
            // A parameter the grant does not read is ignored (RFC 6749 §3.2), never echoed.
            issued.push(`${grant} ${name}`);
            continue;
          }
          const text = await description(res);
          expect(text, `${issuer} ${grant} ${name}: ${text}`).toMatch(RFC6749_DESCRIPTION);
        }
      }
    }
    expect(issued.every((entry) => entry.startsWith("client_credentials "))).toBe(true);
  });

  it("on introspect, revoke and device authorize", async () => {
    const f = await seedServer();
    const app = freshApp();
    for (const endpoint of ["introspect", "revoke", "device/authorize"]) {
      for (const name of ["token", "token_type_hint", "scope", "client_id"]) {
        const res = await app(
          new Request(`${f.issuer}/v1/${endpoint}`, {
            method: "POST",
            headers: {
              "Content-Type": "application/x-www-form-urlencoded",
              Authorization: basic(f.clientId, SECRET),
            },
            body: new URLSearchParams({ token: "t", [name]: hostile }).toString(),
          }),
        );
        if (res.status === 200) continue; // RFC 7009 §2.2 / 7662: an unknown token is not an error
        const text = await description(res);
        expect(text, `${endpoint} ${name}: ${text}`).toMatch(RFC6749_DESCRIPTION);
      }
    }
  });
});

describe("client secrets in the query string (RFC 6749 §2.3.1) on every endpoint that authenticates clients", () => {
  it("are refused with invalid_request on introspect, revoke and device authorize, and nothing is read", async () => {
    const f = await seedServer();
    const app = freshApp();
    for (const endpoint of ["introspect", "revoke", "device/authorize", "token"]) {
      for (const name of ["client_secret", "client_assertion", "client_assertion_type"]) {
        const res = await app(
          new Request(`${f.issuer}/v1/${endpoint}?${name}=${SECRET}`, {
            method: "POST",
            headers: { "Content-Type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams({
              client_id: f.postClientId,
              token: "t",
              grant_type: "client_credentials",
            }).toString(),
          }),
        );
        expect(res.status, `${endpoint} ${name}`).toBe(400);
        expect(((await res.json()) as Json).error).toBe("invalid_request");
      }
    }
  });
});

describe("a token inline hook that answers with a redirect", () => {
  it("is not followed: nothing reaches the target, and the token is issued without the hook's patch", async () => {
    const f = await withHook("redirect");
    const res = await freshApp()(
      tokenRequest(
        f.issuer,
        { grant_type: "client_credentials", scope: "read" },
        { authorization: basic(f.clientId, SECRET) },
      ),
    );
    expect(res.status).toBe(200);
    expect(await recorded(f.tag)).toHaveLength(1);
    expect(await recorded(`${f.tag}-followed`)).toEqual([]);
    const claims = JSON.parse(
      atob(((await res.json()) as Json).access_token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")),
    );
    expect(claims.external_guid).toBeUndefined();
  });
});

describe("JSON nested 5,000 levels deep on every body the management API and /api/v1/authn read", () => {
  it("is 400 E0000003 before anything is looked up or written", async () => {
    const f = await seedServer();
    const user = await seedUser();
    const group = (await adminCall("POST", "/groups", { profile: { name: uniqueId("g") } })).body;
    expect(group.id).toBeTruthy();
    const deep = `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`;
    const s = `/authorizationServers/${f.serverId}`;
    const writes: [string, string][] = [
      ["POST", "/api-tokens"],
      ["POST", `/apps/${f.clientId}/users`],
      ["POST", `/apps/${f.clientId}/users/${user.id}`],
      ["PUT", `/apps/${f.clientId}/groups/${group.id}`],
      ["PUT", `/apps/${f.clientId}`],
      ["POST", `/apps/${f.clientId}/credentials/secrets`],
      ["POST", `${s}/associatedServers`],
      ["POST", `${s}/claims`],
      ["PUT", `${s}/claims/c-none`],
      ["POST", "/groups"],
      ["PUT", `/groups/${group.id}`],
      ["PUT", `/inlineHooks/cal-none`],
      ["POST", `${s}/credentials/lifecycle/keyRotate`],
      ["PUT", `${s}/policies/p1`],
      ["POST", `${s}/policies/p1/rules`],
      ["PUT", `${s}/policies/p1/rules/r1`],
      ["PUT", `${s}/scopes/s-read`],
      ["PUT", s],
      ["POST", "/trustedOrigins"],
      ["PUT", "/trustedOrigins/tos-none"],
      ["POST", `/users/${user.id}/roles`],
      ["POST", "/users"],
      ["POST", `/users/${user.id}`],
      ["PUT", `/users/${user.id}`],
    ];
    const outcomes: string[] = [];
    for (const [method, path] of writes) {
      const res = await freshApp()(adminRequest(method, path, deep));
      const body = (await res.json()) as Json;
      outcomes.push(`${method} ${path.replace(f.serverId, "{as}")} ${res.status} ${body.errorCode}`);
    }
    const authn = await freshApp()(
      new Request(`${ORIGIN}/api/v1/authn`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: deep,
      }),
    );
    outcomes.push(`POST /authn ${authn.status} ${((await authn.json()) as Json).errorCode}`);
    for (const outcome of outcomes) expect(outcome).toMatch(/ (400 E0000003|404 E0000007)$/);
    // The writes whose target exists read the body first: a 400, never a 404 hiding a 500.
    expect(outcomes.filter((o) => o.endsWith("400 E0000003")).length).toBeGreaterThanOrEqual(20);
    expect((await adminCall("GET", `/users/${user.id}/roles`)).body).toEqual([]);
  });
});
