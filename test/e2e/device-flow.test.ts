/**
 * The device flow (RFC 8628) end to end against `npm start`: openid-client v6 as the device
 * (`initiateDeviceAuthorization`, `pollDeviceAuthorizationGrant`, which honours `interval` and
 * `slow_down`), and a person on another device — a plain fetch client that keeps cookies and posts
 * the forms it reads from the HTML — approving the code on the org's `/activate`. The tokens are
 * checked with jose against the server's JWKS; the code then answers nothing more.
 */
import { createRemoteJWKSet, jwtVerify } from "jose";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDeviceWorld, DEVICE_SCOPE, type DeviceWorld } from "./device-world";

const warden = inject("warden");
let world: DeviceWorld;

beforeAll(async () => {
  world = await createDeviceWorld(warden.baseUrl, warden.adminToken);
}, 120_000);

afterAll(async () => {
  await world?.cleanup();
});

/** A person's browser without JavaScript: keeps cookies, reads each page's one form and posts it. */
class Person {
  readonly cookies = new Map<string, string>();

  async request(url: string, init: RequestInit = {}): Promise<{ status: number; html: string }> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0)
      headers.set("Cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const at = pair.indexOf("=");
      this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1));
    }
    return { status: res.status, html: await res.text() };
  }

  /** Posts the page's form with its hidden fields and `fields`. */
  submit(pageUrl: string, html: string, fields: Record<string, string>) {
    const form = /<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(html);
    if (!form?.[1]) throw new Error(`no form in:\n${html.slice(0, 400)}`);
    const body = new URLSearchParams();
    for (const input of form[2]?.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g) ?? []) {
      body.set(input[1] as string, input[2] as string);
    }
    for (const [name, value] of Object.entries(fields)) body.set(name, value);
    return this.request(new URL(form[1], pageUrl).toString(), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body,
    });
  }
}

function prefilled(html: string): string {
  return /name="user_code"[^>]* value="([^"]*)"/.exec(html)?.[1] ?? "";
}

describe("the device flow with openid-client and /activate", () => {
  it("initiate → approve on /activate → the poll gets tokens that verify", async () => {
    const config = await oidc.discovery(new URL(world.issuer), world.clientId, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    const device = await oidc.initiateDeviceAuthorization(config, { scope: `openid ${DEVICE_SCOPE}` });
    expect(device.expires_in).toBe(600);
    expect(device.interval).toBe(5);
    expect(device.verification_uri).toBe(`${warden.baseUrl}/activate`);
    expect(device.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);

    // The device polls (every `interval` seconds) while the person approves.
    const polling = oidc.pollDeviceAuthorizationGrant(config, device);

    const person = new Person();
    const complete = device.verification_uri_complete as string;
    const entry = await person.request(complete);
    expect(entry.status).toBe(200);
    expect(entry.html).toContain(`value="${device.user_code}"`);
    // The code is pre-filled: the person checks it and submits the field as it is.
    const signIn = await person.submit(complete, entry.html, { user_code: prefilled(entry.html) });
    expect(signIn.html).toContain('name="password"');
    const approval = await person.submit(complete, signIn.html, {
      username: world.login,
      password: world.password,
    });
    expect(approval.status).toBe(200);
    expect(approval.html).toContain(device.user_code);
    expect(approval.html).toContain("Watch your shows");
    const done = await person.submit(complete, approval.html, { decision: "allow" });
    expect(done.html).toContain("Device activated");

    const tokens = await polling;
    expect(tokens.scope?.split(" ").sort()).toEqual(["openid", DEVICE_SCOPE].sort());
    const jwks = createRemoteJWKSet(new URL(`${world.issuer}/v1/keys`));
    const access = await jwtVerify(tokens.access_token, jwks, { issuer: world.issuer });
    expect(access.payload).toMatchObject({
      cid: world.clientId,
      sub: world.login,
      scp: ["openid", DEVICE_SCOPE],
    });
    const id = await jwtVerify(tokens.id_token as string, jwks, {
      issuer: world.issuer,
      audience: world.clientId,
    });
    expect(id.payload.amr).toEqual(["pwd"]);

    // Exactly once: the device code answers nothing more.
    const again = await fetch(`${world.issuer}/v1/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "urn:ietf:params:oauth:grant-type:device_code",
        device_code: device.device_code,
        client_id: world.clientId,
      }),
    });
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe("invalid_grant");
  }, 60_000);

  it("deny on /activate: the poll ends with access_denied", async () => {
    const config = await oidc.discovery(new URL(world.issuer), world.clientId, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    const device = await oidc.initiateDeviceAuthorization(config, { scope: DEVICE_SCOPE });
    const polling = oidc.pollDeviceAuthorizationGrant(config, device).then(
      () => "tokens",
      (error: { error?: string }) => error.error,
    );
    const person = new Person();
    const complete = device.verification_uri_complete as string;
    const entry = await person.request(complete);
    const signIn = await person.submit(complete, entry.html, { user_code: prefilled(entry.html) });
    const approval = await person.submit(complete, signIn.html, {
      username: world.login,
      password: world.password,
    });
    const done = await person.submit(complete, approval.html, { decision: "deny" });
    expect(done.html).toContain("Device not activated");
    expect(await polling).toBe("access_denied");
  }, 60_000);
});
