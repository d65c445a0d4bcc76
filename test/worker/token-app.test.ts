/**
 * src/app.ts `isolateHandler` hands token requests to the token endpoints' own app and everything else
 * to the whole app. The split must be invisible: every request answers exactly as the whole app alone
 * answers it — token paths, near misses that must stay the whole app's (a trailing slash, case, an
 * empty or encoded server segment), other methods and CORS preflights.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp, createDeps, isolateHandler } from "../../src/app";
import type { Env } from "../../src/env";
import { basic, type Fixture, ORIGIN, SECRET, seedServer } from "./helpers";

let f: Fixture;
beforeAll(async () => {
  f = await seedServer();
});

/** What a client can see of an answer: status, the headers that matter, the body. */
async function seen(res: Response) {
  const text = await res.text();
  let body: unknown = text;
  try {
    // A token and an error's id differ per answer; their presence and kind must not.
    const { access_token, errorId, ...rest } = JSON.parse(text) as Record<string, unknown>;
    body = {
      ...rest,
      ...(access_token !== undefined ? { access_token: typeof access_token } : {}),
      ...(errorId !== undefined ? { errorId: typeof errorId } : {}),
    };
  } catch {}
  const headers = [
    "Content-Type",
    "Cache-Control",
    "Allow",
    "Access-Control-Allow-Origin",
    "X-Rate-Limit-Limit",
  ];
  return { status: res.status, headers: headers.map((h) => res.headers.get(h)), body };
}

function request(url: string, method = "POST", extra: Record<string, string> = {}): Request {
  const hasBody = method === "POST";
  return new Request(url, {
    method,
    headers: {
      ...(hasBody ? { "Content-Type": "application/x-www-form-urlencoded" } : {}),
      Authorization: basic(f.clientId, SECRET),
      ...extra,
    },
    ...(hasBody ? { body: "grant_type=client_credentials&scope=read" } : {}),
  });
}

describe("the token endpoints' own app", () => {
  const cases: [string, () => Request][] = [
    ["a custom server's token endpoint", () => request(`${f.issuer}/v1/token`)],
    ["with a query string", () => request(`${f.issuer}/v1/token?grant_type=x`)],
    ["the org server's token endpoint", () => request(`${ORIGIN}/oauth2/v1/token`)],
    ["a server named v1", () => request(`${ORIGIN}/oauth2/v1/v1/token`)],
    ["a trailing slash", () => request(`${f.issuer}/v1/token/`)],
    ["another case", () => request(`${ORIGIN}/OAUTH2/${f.serverId}/v1/token`)],
    ["an empty server segment", () => request(`${ORIGIN}/oauth2//v1/token`)],
    ["an encoded slash in the server", () => request(`${ORIGIN}/oauth2/${f.serverId}%2Fx/v1/token`)],
    ["an encoded server id", () => request(`${ORIGIN}/oauth2/${encodeURIComponent(f.serverId)}/v1/%74oken`)],
    ["two segments for the server", () => request(`${ORIGIN}/oauth2/a/${f.serverId}/v1/token`)],
    ["GET", () => request(`${f.issuer}/v1/token`, "GET")],
    [
      "a CORS preflight",
      () =>
        request(`${f.issuer}/v1/token`, "OPTIONS", {
          Origin: "https://app.example",
          "Access-Control-Request-Method": "POST",
        }),
    ],
  ];

  it.each(cases)("answers %s as the whole app does", async (_, make) => {
    const split = isolateHandler(createDeps());
    const whole = createApp(createDeps());
    const expected = await seen(await whole.fetch(make(), env as Env));
    expect(await seen(await split(make(), env as Env))).toEqual(expected);
  });

  it("issues tokens and serves the rest of the app from one isolate's caches", async () => {
    const handle = isolateHandler(createDeps());
    const token = await handle(request(`${f.issuer}/v1/token`), env as Env);
    expect(token.status).toBe(200);
    const keys = await handle(new Request(`${f.issuer}/v1/keys`), env as Env);
    expect(keys.status).toBe(200);
    const again = await handle(request(`${f.issuer}/v1/token`), env as Env);
    expect(again.status).toBe(200);
  });
});
