/**
 * What a stranger sends the token endpoints, through the real app on in-memory ports (issue 13,
 * item 1): a spoofed host when ORG_URL is unset, CR/LF, U+202E and 16 KB values echoed into
 * `error_description`, credentials in the query string, JSON nested thousands of levels deep in a
 * client assertion, a hook reply or a jwks_uri document. The management API's bodies are the worker
 * tier's (test/worker/wire-attacks.test.ts).
 */
import { CompactSign, importJWK, SignJWT } from "jose";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { ECHO_MAX_LENGTH, echo, echoList, errorDescription } from "../../src/errors";
import { parseHookReply } from "../../src/hooks/hook-call";
import { nestsDeeperThan } from "../../src/http/json-depth";
import { ClientKeyStore } from "../../src/oauth/client-keys";
import {
  basic,
  CLIENT_JWK,
  type MemoryPorts,
  memoryApp,
  memoryPorts,
  NOW_SECONDS,
  ORIGIN,
  publicJwk,
  SECRET,
} from "./memory-ports";
import { rule, scope } from "./policy-fixtures";

const ISSUER = `${ORIGIN}/oauth2/aus_wire`;
const TOKEN_URL = `${ISSUER}/v1/token`;
const ORG_TOKEN_URL = `${ORIGIN}/oauth2/v1/token`;
const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/** RFC 6749 §5.2: error_description = 1*( %x20-21 / %x23-5B / %x5D-7E ). */
const DESCRIPTION_CHARSET = /^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/;
const RLO = "\u202E";

let ports: MemoryPorts;
let fetchApp: (request: Request) => Promise<Response>;

beforeEach(async () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  vi.spyOn(console, "error").mockImplementation(() => {});
  ports = await memoryPorts({
    servers: [
      {
        server: { id: "aus_wire", name: "aus_wire", audiences: ["api://wire"] },
        scopes: [scope("read", true)],
        policies: [
          {
            id: "p1",
            name: "services",
            priority: 1,
            conditions: { clients: { include: ["basic", "jwt", "remote"] } },
            rules: [rule("r1", 1, { scopes: ["read"], lifetimeMinutes: 15 })],
          },
        ],
      },
    ],
    clients: [
      { client_id: "basic", client_name: "basic", secret: SECRET },
      {
        client_id: "jwt",
        client_name: "jwt",
        token_endpoint_auth_method: "private_key_jwt",
        jwks: { keys: [{ ...publicJwk(CLIENT_JWK), kid: "c1" }] },
        grants: [{ scopeId: "okta.apps.read" }],
      },
      {
        client_id: "remote",
        client_name: "remote",
        token_endpoint_auth_method: "private_key_jwt",
        jwks_uri: "https://keys.client.test/jwks.json",
      },
    ],
  });
  fetchApp = memoryApp(ports);
});

function post(url: string, form: string | Record<string, string>, headers: Record<string, string> = {}) {
  return fetchApp(
    new Request(url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
      body: typeof form === "string" ? form : new URLSearchParams(form).toString(),
    }),
  );
}

async function signedAssertion(audience: string, sub = "jwt") {
  return new SignJWT({})
    .setProtectedHeader({ alg: "ES256", kid: "c1" })
    .setIssuer(sub)
    .setSubject(sub)
    .setAudience(audience)
    .setIssuedAt(NOW_SECONDS)
    .setExpirationTime(NOW_SECONDS + 60)
    .setJti(crypto.randomUUID())
    .sign(await importJWK(CLIENT_JWK, "ES256"));
}

/** An RFC 6749 §5.2 error whose description is in the RFC's character set and bounded. */
async function oauthError(res: Response, status: number, error: string): Promise<string> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: string; error_description: string };
  expect(body.error).toBe(error);
  expect(body.error_description).toMatch(DESCRIPTION_CHARSET);
  expect(body.error_description.length).toBeLessThanOrEqual(512);
  return body.error_description;
}

describe("one sanitiser for every error_description (RFC 6749 §5.2)", () => {
  it("maps what is outside the set and bounds the whole; echo cuts a value with an ellipsis", () => {
    expect(errorDescription(`a\r\nb${RLO}c"d\\e\u0000f😀`)).toBe("a??b?c'd/e?f?");
    expect(errorDescription("x".repeat(16 * 1024))).toBe(`${"x".repeat(509)}...`);
    expect(echo("y".repeat(1000))).toBe(`${"y".repeat(ECHO_MAX_LENGTH - 3)}...`);
    expect(echo("short")).toBe("short");
    expect(echoList(Array.from({ length: 50 }, (_, i) => `s${i}`))).toBe("s0 s1 s2 s3 s4 s5 s6 s7 s8 s9 ...");
  });

  it("a grant_type with CR/LF and U+202E comes back neutralised", async () => {
    const description = await oauthError(
      await post(
        TOKEN_URL,
        { grant_type: `client_credentials\r\nX-Injected: 1${RLO}gpj.exe` },
        { Authorization: basic("basic", SECRET) },
      ),
      400,
      "unsupported_grant_type",
    );
    expect(description).toBe("The grant type 'client_credentials??X-Injected: 1?gpj.exe' is not supported.");
  });

  it("a 15 KB grant_type is echoed cut to a bounded length", async () => {
    const description = await oauthError(
      await post(TOKEN_URL, { grant_type: "g".repeat(15_000) }, { Authorization: basic("basic", SECRET) }),
      400,
      "unsupported_grant_type",
    );
    expect(description).toBe(`The grant type '${"g".repeat(ECHO_MAX_LENGTH - 3)}...' is not supported.`);
  });

  it("a repeated parameter whose name is 15 KB with CR/LF is named, cut and neutralised", async () => {
    const name = `\r\n${RLO}${"n".repeat(7_000)}`;
    const form = `${encodeURIComponent(name)}=1&${encodeURIComponent(name)}=2&grant_type=client_credentials`;
    const description = await oauthError(
      await post(TOKEN_URL, form, { Authorization: basic("basic", SECRET) }),
      400,
      "invalid_request",
    );
    expect(description).toBe(`The '???${"n".repeat(ECHO_MAX_LENGTH - 6)}...' parameter is repeated.`);
  });

  it("unknown scopes are named cut, at most ten of them, whatever their size", async () => {
    const long = await oauthError(
      await post(
        TOKEN_URL,
        { grant_type: "client_credentials", scope: "s".repeat(15_000) },
        { Authorization: basic("basic", SECRET) },
      ),
      400,
      "invalid_scope",
    );
    expect(long).toContain(`${"s".repeat(ECHO_MAX_LENGTH - 3)}...`);
    const many = await oauthError(
      await post(
        TOKEN_URL,
        { grant_type: "client_credentials", scope: Array.from({ length: 500 }, (_, i) => `x${i}`).join(" ") },
        { Authorization: basic("basic", SECRET) },
      ),
      400,
      "invalid_scope",
    );
    expect(many).toBe(
      "One or more scopes are not configured for the authorization server resource: x0 x1 x2 x3 x4 x5 x6 x7 x8 x9 ...",
    );
  });

  it("a scope with CR/LF or U+202E is refused as malformed, never echoed", async () => {
    for (const scope of [`read\r\nx`, `read${RLO}`]) {
      const description = await oauthError(
        await post(
          TOKEN_URL,
          { grant_type: "client_credentials", scope },
          { Authorization: basic("basic", SECRET) },
        ),
        400,
        "invalid_scope",
      );
      expect(description).toBe("The 'scope' parameter is malformed.");
    }
  });

  it("the org server's token endpoint answers through the same sanitiser", async () => {
    const description = await oauthError(
      await post(ORG_TOKEN_URL, {
        grant_type: `client_credentials\r\n${RLO}${"z".repeat(10_000)}`,
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: await signedAssertion(ORG_TOKEN_URL),
      }),
      400,
      "unsupported_grant_type",
    );
    expect(description.length).toBeLessThan(120);
  });
});

describe("credentials in the query string are refused (RFC 6749 §2.3.1)", () => {
  it("client_secret in the URL of a custom server's token endpoint: 400 before any client lookup", async () => {
    const lookup = vi.spyOn(ports.config, "client");
    for (const query of ["client_secret=s3cret", "client_secret=", "x=1&client_secret=a&client_id=basic"]) {
      const description = await oauthError(
        await post(
          `${TOKEN_URL}?${query}`,
          { grant_type: "client_credentials" },
          { Authorization: basic("basic", SECRET) },
        ),
        400,
        "invalid_request",
      );
      expect(description).toBe(
        "The 'client_secret' parameter is not accepted in the query string; send it in the request body.",
      );
    }
    expect(lookup).not.toHaveBeenCalled();
  });

  it("client_assertion or client_assertion_type in the URL of the org server's token endpoint", async () => {
    const lookup = vi.spyOn(ports.config, "client");
    const assertion = await signedAssertion(ORG_TOKEN_URL);
    for (const [name, value] of [
      ["client_assertion", assertion],
      ["client_assertion_type", ASSERTION_TYPE],
    ] as const) {
      const res = await post(`${ORG_TOKEN_URL}?${name}=${encodeURIComponent(value)}`, {
        grant_type: "client_credentials",
        scope: "okta.apps.read",
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: assertion,
      });
      expect(await oauthError(res, 400, "invalid_request")).toContain(`'${name}'`);
    }
    expect(lookup).not.toHaveBeenCalled();
  });

  it("a query without secrets is not read: the body alone is the request", async () => {
    const res = await post(
      `${TOKEN_URL}?grant_type=password&scope=admin&client_id=other`,
      { grant_type: "client_credentials" },
      { Authorization: basic("basic", SECRET) },
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { scope: string }).scope).toBe("read");
  });
});

describe("percent-encoded bytes that are not UTF-8 (RFC 6749 Appendix B)", () => {
  it("are refused, never read as U+FFFD: %FF and %FE would otherwise be one password", async () => {
    const lookup = vi.spyOn(ports.config, "client");
    for (const body of [
      "grant_type=client_credentials&scope=%FF",
      "grant_type=password&username=%FF%FE&password=x",
      "grant_type=client_credentials&%C0%AF=1",
      "grant_type=client_credentials&scope=%E2%82",
    ]) {
      const res = await post(TOKEN_URL, body, { Authorization: basic("basic", SECRET) });
      expect(await oauthError(res, 400, "invalid_request"), body).toBe(
        "The request body is not valid UTF-8.",
      );
    }
    expect(lookup).not.toHaveBeenCalled();
  });

  it("a real U+FFFD, encoded or not, and a lone % are text like any other", async () => {
    for (const body of [
      "grant_type=client_credentials&scope=%EF%BF%BD",
      `grant_type=client_credentials&scope=${encodeURIComponent("\uFFFD")}100%`,
    ]) {
      const res = await post(TOKEN_URL, body, { Authorization: basic("basic", SECRET) });
      // Read as a scope, and refused as one (RFC 6749 §3.3's characters): not a body error.
      expect(await oauthError(res, 400, "invalid_scope"), body).toBe("The 'scope' parameter is malformed.");
    }
  });
});

describe("JSON nested thousands of levels deep", () => {
  const deepArray = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
  const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;

  it("nestsDeeperThan counts brackets outside strings only, escapes respected", () => {
    expect(nestsDeeperThan(deepArray(32), 32)).toBe(false);
    expect(nestsDeeperThan(deepArray(33), 32)).toBe(true);
    expect(nestsDeeperThan(deepObject(5000), 32)).toBe(true);
    expect(nestsDeeperThan(JSON.stringify({ a: "[[[[[[[[", b: '\\"{{{{{{{{' }), 2)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify(["\\", ["\\\\", [[]]]]), 3)).toBe(true);
    expect(nestsDeeperThan(JSON.stringify(["\\", ["\\\\", [[]]]]), 4)).toBe(false);
    expect(nestsDeeperThan(`[${"[],".repeat(10_000)}[]]`, 2)).toBe(false);
  });

  it("a hook reply nested 5,000 levels is an invalid reply, not a crash", () => {
    for (const commands of [deepArray(5000), deepObject(5000)]) {
      expect(parseHookReply(`{"commands":${commands}}`)).toEqual({
        ok: false,
        reason: "invalid_reply",
        detail: "the reply nests deeper than 32 levels",
      });
    }
  });

  it("a client assertion whose claims nest 5,000 levels is refused as a 4xx", async () => {
    // Signed over the raw text: jose's SignJWT would clone (and overflow on) the claims itself.
    const claims = `{"iss":"jwt","sub":"jwt","aud":"${TOKEN_URL}","iat":${NOW_SECONDS},"exp":${NOW_SECONDS + 60},"jti":"${crypto.randomUUID()}","x":${deepArray(5000)}}`;
    const assertion = await new CompactSign(new TextEncoder().encode(claims))
      .setProtectedHeader({ alg: "ES256", kid: "c1" })
      .sign(await importJWK(CLIENT_JWK, "ES256"));
    const res = await post(TOKEN_URL, {
      grant_type: "client_credentials",
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: assertion,
    });
    expect(res.status).toBeLessThan(500);
  });

  it("a jwks_uri document nested 5,000 levels fails that client's authentication, not the isolate", async () => {
    ports.clientKeys = new ClientKeyStore({
      now: ports.clock,
      fetch: async () =>
        new Response(`{"keys":${deepArray(5000)}}`, { headers: { "Content-Type": "application/json" } }),
    }).source({ allowLoopback: false });
    const res = await post(TOKEN_URL, {
      grant_type: "client_credentials",
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await signedAssertion(TOKEN_URL, "remote"),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).not.toBe(500);
  });
});

describe("the issuer without ORG_URL (DESIGN §8)", () => {
  it("outside local development, no request gets a token, whatever its host", async () => {
    ports.settings = { ...ports.settings, orgUrl: undefined, localDevelopment: false };
    for (const origin of ["http://127.0.0.1:8787", "https://evil.example"]) {
      const res = await post(
        `${origin}/oauth2/aus_wire/v1/token`,
        { grant_type: "client_credentials" },
        { Authorization: basic("basic", SECRET), Host: "evil.example", "X-Forwarded-Host": "evil.example" },
      );
      expect(await oauthError(res, 500, "server_error")).toBe("The issuer is not configured (ORG_URL).");
    }
  });

  it("in local development, a loopback host gets its own issuer and any other host nothing", async () => {
    ports.settings = { ...ports.settings, orgUrl: undefined, localDevelopment: true };
    const ok = await post(
      "http://127.0.0.1:8787/oauth2/aus_wire/v1/token",
      { grant_type: "client_credentials" },
      { Authorization: basic("basic", SECRET), "X-Forwarded-Host": "evil.example" },
    );
    expect(ok.status).toBe(200);
    const token = ((await ok.json()) as { access_token: string }).access_token;
    const payload = JSON.parse(atob(token.split(".")[1]?.replace(/-/g, "+").replace(/_/g, "/") ?? ""));
    expect(payload.iss).toBe("http://127.0.0.1:8787/oauth2/aus_wire");
    const refused = await post(
      "http://evil.example/oauth2/aus_wire/v1/token",
      { grant_type: "client_credentials" },
      { Authorization: basic("basic", SECRET) },
    );
    await oauthError(refused, 500, "server_error");
  });
});
