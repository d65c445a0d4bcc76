/// <reference types="node" />
/**
 * Host header spoofing against `npm start` (local development, ORG_URL unset) over raw HTTP/1.1, as
 * a stranger on the network would send it, through wrangler dev's proxy: another `Host`, an
 * absolute-form request target naming another host, `X-Forwarded-Host`. Local development builds
 * the issuer from the request only for loopback names (src/oauth/org-url.ts); nothing here may
 * ever answer with an issuer on another host.
 */
import { connect } from "node:net";
import { describe, expect, inject, it } from "vitest";

const warden = inject("warden");
const DISCOVERY = "/oauth2/default/.well-known/openid-configuration";

/** One raw HTTP/1.1 exchange: the request line and headers exactly as given. */
function raw(target: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(warden.port, "127.0.0.1");
    let data = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => {
      data += chunk;
    });
    socket.on("error", reject);
    socket.on("end", () => {
      const [head = "", ...rest] = data.split("\r\n\r\n");
      const status = Number(head.split(" ")[1]);
      const body = rest.join("\r\n\r\n");
      resolve({ status, body });
    });
    const lines = [`GET ${target} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    socket.end(`${lines.join("\r\n")}\r\nConnection: close\r\n\r\n`);
  });
}

/** The issuer a discovery answer names, if it is one. */
function issuerOf(answer: { status: number; body: string }): string | undefined {
  const match = /"issuer":"([^"]*)"/.exec(answer.body);
  return match?.[1];
}

describe("the issuer never follows a spoofed host", () => {
  const loopback = `127.0.0.1:${warden.port}`;

  it("Host: evil.example gets no issuer on evil.example", async () => {
    const answer = await raw(DISCOVERY, { Host: "evil.example" });
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body)).toEqual({
      error: "server_error",
      error_description: "The issuer is not configured (ORG_URL).",
    });
  });

  it("an absolute-form target naming evil.example gets no issuer on evil.example", async () => {
    const answer = await raw(`http://evil.example${DISCOVERY}`, { Host: loopback });
    expect(answer.body).not.toContain("evil.example");
    // wrangler dev serves the Host's origin, a loopback one here.
    if (answer.status === 200) expect(issuerOf(answer)).toBe(`http://${loopback}/oauth2/default`);
  });

  it("X-Forwarded-Host and Forwarded are not read", async () => {
    const answer = await raw(DISCOVERY, {
      Host: loopback,
      "X-Forwarded-Host": "evil.example",
      Forwarded: "host=evil.example;proto=https",
    });
    expect(answer.status).toBe(200);
    expect(issuerOf(answer)).toBe(`http://${loopback}/oauth2/default`);
  });

  it("a loopback name is served: localhost gets its own issuer", async () => {
    const answer = await raw(DISCOVERY, { Host: `localhost:${warden.port}` });
    expect(answer.status).toBe(200);
    expect(issuerOf(answer)).toBe(`http://localhost:${warden.port}/oauth2/default`);
  });
});
