import { describe, expect, it } from "vitest";
import { RESERVED_CLAIMS } from "../../src/claims/reserved-names";
import { hookUriProblem } from "../../src/config/schemas";
import { parseHookReply } from "../../src/hooks/hook-call";
import { applyTokenPatch, type PatchOptions, type PatchRejection } from "../../src/hooks/patch";
import { tokenHookRequestBody } from "../../src/hooks/request-body";
import { errorDescription } from "../../src/hooks/token-hook";
import type { AccessTokenClaims } from "../../src/tokens/access-token";

const OPTIONS: PatchOptions = { reservedClaims: RESERVED_CLAIMS, lifetimeRange: { min: 300, max: 86400 } };
const IAT = 1_700_000_000;

function token(extra: Record<string, unknown> = {}): AccessTokenClaims {
  return {
    header: {},
    payload: {
      ver: 1,
      jti: "AT.abc",
      iss: "https://warden.test/oauth2/default",
      aud: "api://default",
      iat: IAT,
      exp: IAT + 3600,
      cid: "svc",
      scp: ["read"],
      sub: "svc",
      team: "blue",
      profile: { dept: "eng", address: { city: "Oslo" } },
      airports: ["sjc", "sfo", "oak"],
      ...extra,
    },
  };
}

const patch = (...ops: unknown[]) => [{ type: "com.okta.access.patch", value: ops }];

function applied(commands: unknown, base = token()) {
  const result = applyTokenPatch(base, commands, OPTIONS);
  if (!result.ok) throw new Error(`rejected: ${result.reason}: ${result.detail}`);
  return result.token.payload;
}

function rejected(commands: unknown, reason: PatchRejection, base = token()) {
  const before = structuredClone(base);
  const result = applyTokenPatch(base, commands, OPTIONS);
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.reason).toBe(reason);
  expect(base).toEqual(before);
  return result;
}

describe("applyTokenPatch: claims", () => {
  it("adds a claim, and `add` of an existing claim replaces it (Okta)", () => {
    const payload = applied(patch({ op: "add", path: "/claims/external_guid", value: "F03" }));
    expect(payload.external_guid).toBe("F03");
    expect(applied(patch({ op: "add", path: "/claims/team", value: "red" })).team).toBe("red");
  });

  it("adds JSON of any shape, null included", () => {
    const value = { a: [1, { b: true }], c: null };
    expect(applied(patch({ op: "add", path: "/claims/obj", value })).obj).toEqual(value);
    expect(applied(patch({ op: "add", path: "/claims/nothing", value: null }))).toHaveProperty(
      "nothing",
      null,
    );
  });

  it("replaces an existing claim and refuses to replace a missing one", () => {
    expect(applied(patch({ op: "replace", path: "/claims/team", value: { name: "red" } })).team).toEqual({
      name: "red",
    });
    rejected(patch({ op: "replace", path: "/claims/nope", value: 1 }), "missing_target");
  });

  it("removes an existing claim (value absent or null) and refuses a missing one", () => {
    expect(applied(patch({ op: "remove", path: "/claims/team" }))).not.toHaveProperty("team");
    expect(applied(patch({ op: "remove", path: "/claims/team", value: null }))).not.toHaveProperty("team");
    rejected(patch({ op: "remove", path: "/claims/team", value: "x" }), "invalid_value");
    rejected(patch({ op: "remove", path: "/claims/nope" }), "missing_target");
  });

  it("needs a value for add and replace", () => {
    rejected(patch({ op: "add", path: "/claims/x" }), "invalid_value");
    rejected(patch({ op: "replace", path: "/claims/team" }), "invalid_value");
  });

  it("applies operations in order: a claim added earlier can be replaced and removed", () => {
    const payload = applied(
      patch(
        { op: "add", path: "/claims/step", value: 1 },
        { op: "replace", path: "/claims/step", value: 2 },
        { op: "add", path: "/claims/gone", value: true },
        { op: "remove", path: "/claims/gone" },
      ),
    );
    expect(payload.step).toBe(2);
    expect(payload).not.toHaveProperty("gone");
  });

  it("applies several access-patch commands", () => {
    const payload = applied([
      ...patch({ op: "add", path: "/claims/a", value: 1 }),
      ...patch({ op: "add", path: "/claims/b", value: 2 }),
    ]);
    expect(payload).toMatchObject({ a: 1, b: 2 });
  });
});

describe("applyTokenPatch: nested members and array elements", () => {
  it("adds, replaces and removes object members at any depth", () => {
    const payload = applied(
      patch(
        { op: "add", path: "/claims/profile/level", value: 3 },
        { op: "replace", path: "/claims/profile/address/city", value: "Bergen" },
        { op: "remove", path: "/claims/profile/dept" },
      ),
    );
    expect(payload.profile).toEqual({ level: 3, address: { city: "Bergen" } });
  });

  it("refuses members of objects that do not exist, and members of non-objects", () => {
    rejected(patch({ op: "add", path: "/claims/nope/member", value: 1 }), "missing_target");
    rejected(patch({ op: "add", path: "/claims/profile/nope/member", value: 1 }), "missing_target");
    rejected(patch({ op: "add", path: "/claims/team/member", value: 1 }), "missing_target");
    rejected(patch({ op: "replace", path: "/claims/profile/nope", value: 1 }), "missing_target");
    rejected(patch({ op: "remove", path: "/claims/profile/nope" }), "missing_target");
  });

  it("inserts at an index, at the end, or with `-`", () => {
    expect(applied(patch({ op: "add", path: "/claims/airports/0", value: "lax" })).airports).toEqual([
      "lax",
      "sjc",
      "sfo",
      "oak",
    ]);
    expect(applied(patch({ op: "add", path: "/claims/airports/3", value: "lax" })).airports).toEqual([
      "sjc",
      "sfo",
      "oak",
      "lax",
    ]);
    expect(applied(patch({ op: "add", path: "/claims/airports/-", value: "lax" })).airports).toEqual([
      "sjc",
      "sfo",
      "oak",
      "lax",
    ]);
  });

  it("replaces and removes elements at valid indexes only", () => {
    expect(applied(patch({ op: "replace", path: "/claims/airports/1", value: "lax" })).airports).toEqual([
      "sjc",
      "lax",
      "oak",
    ]);
    expect(applied(patch({ op: "remove", path: "/claims/airports/1" })).airports).toEqual(["sjc", "oak"]);
    rejected(patch({ op: "add", path: "/claims/airports/4", value: "x" }), "missing_target");
    rejected(patch({ op: "replace", path: "/claims/airports/3", value: "x" }), "missing_target");
    rejected(patch({ op: "remove", path: "/claims/airports/3" }), "missing_target");
    rejected(patch({ op: "remove", path: "/claims/airports/-" }), "missing_target");
    rejected(patch({ op: "replace", path: "/claims/airports/01", value: "x" }), "missing_target");
    rejected(patch({ op: "replace", path: "/claims/airports/-1", value: "x" }), "missing_target");
  });

  it("walks into arrays of objects", () => {
    const base = token({ accounts: [{ id: 1 }, { id: 2 }] });
    expect(
      applied(patch({ op: "add", path: "/claims/accounts/1/role", value: "owner" }), base).accounts,
    ).toEqual([{ id: 1 }, { id: 2, role: "owner" }]);
  });
});

describe("applyTokenPatch: token lifetime", () => {
  it("replaces the lifetime: exp follows iat", () => {
    const payload = applied(patch({ op: "replace", path: "/token/lifetime/expiration", value: 600 }));
    expect(payload.exp).toBe(IAT + 600);
    expect(payload.iat).toBe(IAT);
  });

  it("accepts Okta's bounds, 300 and 86400 s, and nothing outside them", () => {
    for (const value of [300, 86400]) {
      expect(applied(patch({ op: "replace", path: "/token/lifetime/expiration", value })).exp).toBe(
        IAT + value,
      );
    }
    for (const value of [299, 86401, 0, -600]) {
      rejected(patch({ op: "replace", path: "/token/lifetime/expiration", value }), "lifetime_out_of_range");
    }
  });

  it("needs a whole number of seconds, by replace only", () => {
    for (const value of [600.5, "600", null, { s: 600 }]) {
      rejected(patch({ op: "replace", path: "/token/lifetime/expiration", value }), "invalid_value");
    }
    rejected(patch({ op: "add", path: "/token/lifetime/expiration", value: 600 }), "unsupported_operation");
    rejected(patch({ op: "remove", path: "/token/lifetime/expiration" }), "unsupported_operation");
  });

  it("keeps the lifetime when no command changes it", () => {
    expect(applied(patch({ op: "add", path: "/claims/x", value: 1 })).exp).toBe(IAT + 3600);
  });
});

describe("applyTokenPatch: reserved claims", () => {
  it("refuses every operation on every reserved claim", () => {
    for (const name of RESERVED_CLAIMS) {
      // Present in the token, so only the reservation can refuse the operation (iat and exp always are).
      const base = name === "iat" || name === "exp" ? token() : token({ [name]: "present" });
      rejected(patch({ op: "add", path: `/claims/${name}`, value: "x" }), "reserved_claim", base);
      rejected(patch({ op: "replace", path: `/claims/${name}`, value: "x" }), "reserved_claim", base);
      rejected(patch({ op: "remove", path: `/claims/${name}` }), "reserved_claim", base);
    }
  });

  it("refuses members of reserved claims too", () => {
    rejected(patch({ op: "add", path: "/claims/scp/-", value: "admin" }), "reserved_claim");
    rejected(patch({ op: "add", path: "/claims/aud/0", value: "api://other" }), "reserved_claim");
  });

  it("refuses the whole reply, the legitimate operations with it (Okta: the entire PATCH fails)", () => {
    const result = rejected(
      [
        ...patch({ op: "add", path: "/claims/harmless", value: "x" }),
        ...patch(
          { op: "replace", path: "/token/lifetime/expiration", value: 600 },
          { op: "replace", path: "/claims/sub", value: "someone-else" },
        ),
      ],
      "reserved_claim",
    );
    if (!result.ok) expect(result.detail).toContain("'sub'");
  });
});

describe("applyTokenPatch: commands and paths", () => {
  it("applies nothing when there are no commands", () => {
    for (const commands of [undefined, null, []]) {
      const result = applyTokenPatch(token(), commands, OPTIONS);
      expect(result).toEqual({ ok: true, token: token(), operations: 0 });
    }
  });

  it("refuses ID-token and unknown commands: this request issues no ID token", () => {
    rejected(
      [{ type: "com.okta.identity.patch", value: [{ op: "add", path: "/claims/x", value: 1 }] }],
      "unsupported_command",
    );
    rejected([{ type: "com.okta.saml.patch", value: [] }], "unsupported_command");
  });

  it("refuses malformed commands", () => {
    for (const commands of [{}, "x", 1, [null], [{ type: "com.okta.access.patch" }], [{ value: [] }]]) {
      rejected(commands, "malformed_commands");
    }
    rejected([{ type: "com.okta.access.patch", value: ["add"] }], "malformed_commands");
  });

  it("refuses operations other than add, replace and remove", () => {
    for (const op of ["move", "copy", "test", "ADD", undefined]) {
      rejected(patch({ op, path: "/claims/team", value: 1, from: "/claims/x" }), "unsupported_operation");
    }
  });

  it("refuses paths outside /claims/ and /token/lifetime/expiration", () => {
    for (const path of [
      "/claims",
      "/claims/",
      "/claims//x",
      "/token/lifetime",
      "/header/kid",
      "claims/x",
      "",
      7,
    ]) {
      rejected(patch({ op: "add", path, value: 1 }), "invalid_path");
    }
  });

  it("decodes RFC 6901 escapes and refuses bad ones", () => {
    const payload = applied(patch({ op: "add", path: "/claims/a~1b~0c", value: 1 }));
    expect(payload["a/b~c"]).toBe(1);
    rejected(patch({ op: "add", path: "/claims/a~2", value: 1 }), "invalid_path");
    rejected(patch({ op: "add", path: "/claims/a~", value: 1 }), "invalid_path");
  });

  it("cannot reach a prototype", () => {
    rejected(patch({ op: "add", path: "/claims/__proto__", value: { polluted: true } }), "invalid_path");
    rejected(patch({ op: "add", path: "/claims/profile/__proto__/polluted", value: true }), "invalid_path");
    const payload = applied(patch({ op: "add", path: "/claims/constructor", value: "plain" }));
    expect(Object.hasOwn(payload, "constructor")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("applyTokenPatch: purity", () => {
  it("never changes the token it is given", () => {
    const base = token();
    const before = structuredClone(base);
    applied(
      patch(
        { op: "add", path: "/claims/profile/level", value: 3 },
        { op: "remove", path: "/claims/airports/0" },
        { op: "replace", path: "/token/lifetime/expiration", value: 600 },
      ),
      base,
    );
    expect(base).toEqual(before);
  });

  it("copies values: the reply cannot alias into the token", () => {
    const value = { list: [1] };
    const commands = patch(
      { op: "add", path: "/claims/one", value },
      { op: "add", path: "/claims/two", value },
    );
    const payload = applied(commands);
    value.list.push(2);
    (payload.one as { list: number[] }).list.push(3);
    expect(payload.two).toEqual({ list: [1] });
  });

  it("keeps the header", () => {
    const base: AccessTokenClaims = { ...token(), header: { typ: "at+jwt" } };
    const result = applyTokenPatch(base, patch({ op: "add", path: "/claims/x", value: 1 }), OPTIONS);
    expect(result.ok && result.token.header).toEqual({ typ: "at+jwt" });
  });
});

describe("parseHookReply", () => {
  it("reads Okta's error object, with or without a summary", () => {
    expect(parseHookReply('{"error":{"errorSummary":"locked"}}')).toEqual({
      ok: true,
      reply: { kind: "error", errorSummary: "locked" },
    });
    for (const text of [
      '{"error":{}}',
      '{"error":{"errorSummary":""}}',
      '{"error":"x"}',
      '{"error":{"errorSummary":1}}',
    ]) {
      expect(parseHookReply(text)).toEqual({ ok: true, reply: { kind: "error", errorSummary: undefined } });
    }
  });

  it("an error object wins over commands", () => {
    const text = JSON.stringify({ error: { errorSummary: "no" }, commands: patch() });
    expect(parseHookReply(text)).toMatchObject({ ok: true, reply: { kind: "error" } });
  });

  it("hands commands over as received; none is nothing to apply", () => {
    expect(parseHookReply(JSON.stringify({ commands: patch() }))).toEqual({
      ok: true,
      reply: { kind: "commands", commands: patch() },
    });
    expect(parseHookReply('{"error":null}')).toEqual({
      ok: true,
      reply: { kind: "commands", commands: undefined },
    });
  });

  it("refuses what is not a JSON object", () => {
    for (const text of ["", "{", "not json", "[]", "null", '"text"', "42"]) {
      expect(parseHookReply(text)).toMatchObject({ ok: false, reason: "invalid_reply" });
    }
  });
});

describe("tokenHookRequestBody", () => {
  const input = {
    eventId: "evt1",
    now: IAT,
    issuer: "https://warden.test/oauth2/default",
    request: { id: "req1", url: "https://warden.test/oauth2/default/v1/token", ipAddress: undefined },
    grantType: "client_credentials",
    requestedScopes: ["read"],
    client: { id: "svc", name: "Service", type: "CONFIDENTIAL" as const },
    policy: { id: "p1" },
    rule: { id: "r1" },
    token: token(),
    scopes: [{ name: "read", id: "s-read" }],
  };

  it("is Okta's com.okta.oauth2.tokens.transform body", () => {
    const body = tokenHookRequestBody(input);
    expect(body).toMatchObject({
      source: "https://warden.test/oauth2/default/v1/token",
      eventId: "evt1",
      eventTime: new Date(IAT * 1000).toISOString(),
      eventTypeVersion: "1.0",
      cloudEventVersion: "0.1",
      contentType: "application/json",
      eventType: "com.okta.oauth2.tokens.transform",
      data: {
        context: {
          request: { id: "req1", method: "POST", url: { value: input.request.url } },
          protocol: {
            type: "OAUTH2.0",
            request: { grant_type: "client_credentials", scope: "read" },
            issuer: { uri: input.issuer },
            client: { id: "svc", name: "Service", type: "CONFIDENTIAL" },
          },
          policy: { id: "p1", rule: { id: "r1" } },
        },
        identity: null,
        access: {
          token: { lifetime: { expiration: 3600 } },
          scopes: { read: { id: "s-read", action: "GRANT" } },
        },
      },
    });
    expect(body.data.context.request).not.toHaveProperty("ipAddress");
  });

  it("shows the claims without iat and exp, as Okta does", () => {
    const { claims } = tokenHookRequestBody(input).data.access;
    expect(claims).not.toHaveProperty("iat");
    expect(claims).not.toHaveProperty("exp");
    expect(claims).toMatchObject({ ver: 1, jti: "AT.abc", cid: "svc", sub: "svc", team: "blue" });
  });

  it("leaves out `scope` when the request named none", () => {
    const body = tokenHookRequestBody({ ...input, requestedScopes: [] });
    expect(body.data.context.protocol.request).toEqual({ grant_type: "client_credentials" });
  });
});

describe("hook URIs", () => {
  it("accepts https to a public host and http only for loopback hosts", () => {
    for (const uri of [
      "https://hooks.example.com/token",
      "https://hooks.example.com:8443/x",
      "http://localhost:8080/hook",
      "http://127.1:8080/hook",
      "http://[::ffff:127.0.0.1]:8080/hook",
      "http://127.0.0.1:9000/hook",
      "http://127.200.3.4/hook",
      "http://[::1]:9000/hook",
    ]) {
      expect(hookUriProblem(uri), uri).toBeUndefined();
    }
  });

  it("refuses anything else with a reason", () => {
    for (const uri of [
      // Addresses and names no Warden ever calls, in local development or not (accepted with
      // https before the outbound target check; refused at call time in any case).
      "https://10.0.0.1:8443/x",
      "https://169.254.169.254/latest/meta-data/",
      "https://0xa9fea9fe/",
      "https://[::ffff:a9fe:a9fe]/",
      "https://[fd00::1]/",
      "https://metadata.google.internal/",
      "https://hooks/",
      "http://hooks.example.com/token",
      "http://10.0.0.1/hook",
      "http://128.0.0.1/hook",
      "http://localhost.example.com/hook",
      "http://127.0.0.1.nip.io/hook",
      "http://[::2]/hook",
      "ftp://hooks.example.com/",
      "javascript:alert(1)",
      "hooks.example.com/token",
      "https://hooks.example.com/a b",
      "https://user:pw@hooks.example.com/",
    ]) {
      expect(hookUriProblem(uri), uri).toEqual(expect.any(String));
    }
  });
});

describe("errorDescription", () => {
  it("keeps RFC 6749 §5.2's character set and a bounded length", () => {
    expect(errorDescription("Patient record is locked")).toBe("Patient record is locked");
    expect(errorDescription('say "no" \\ é\n')).toBe("say 'no' / ??");
    expect(errorDescription("x".repeat(2000))).toHaveLength(512);
  });
});
