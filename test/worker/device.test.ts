/**
 * Device authorization (RFC 8628) inside workerd, with real Grant Durable Objects and real D1:
 * `/v1/device/authorize`, the org's `/activate` page (CSRF, one answer for every bad code, rate
 * limited entry, hosted sign-in or the session, policy at approval, Allow / Deny), and polling at
 * `/v1/token` (pending, slow_down, expired_token, access_denied, exactly one winner of 20 polls).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DEVICE_CODE_LIFETIME_SECONDS, DEVICE_USER_CODE_RATE_LIMIT } from "../../src/config/defaults";
import { createDeps } from "../../src/context";
import { basic, decodeJwt, importConfig, ORIGIN, SECRET, tokenRequest, uniqueId } from "./helpers";
import {
  addMember,
  assignGroup,
  assignUser,
  type FixtureUser,
  insertGroup,
  insertUser,
  PASSWORD,
} from "./people-fixtures";
import { Browser, bindings } from "./signin-fixtures";

const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

interface DeviceWorld {
  serverId: string;
  issuer: string;
  /** Native, public (none), device_code. */
  tv: string;
  /** Native, confidential (client_secret_basic), device_code. */
  cli: string;
  /** Native, public, authorization_code only. */
  noDevice: string;
  alice: FixtureUser;
  carol: FixtureUser;
  dave: FixtureUser;
}

let world: DeviceWorld;

beforeAll(async () => {
  const serverId = uniqueId("device");
  const tv = uniqueId("tv");
  const cli = uniqueId("cli");
  const noDevice = uniqueId("nodev");
  const engineers = await insertGroup("Engineering");
  const [alice, carol, dave] = await Promise.all([
    insertUser({ name: "alice", profile: { firstName: "Alice", lastName: "Liddell" } }),
    insertUser({ name: "carol" }),
    insertUser({ name: "dave" }),
  ]);
  await addMember(engineers, alice.id);
  for (const app of [tv, cli]) {
    await assignGroup(app, engineers);
    await assignUser(app, carol.id);
  }
  await importConfig({
    clients: [
      {
        client_id: tv,
        client_name: 'Living-room <TV> & "Co"',
        application_type: "native",
        token_endpoint_auth_method: "none",
        grant_types: [DEVICE_GRANT],
      },
      {
        client_id: cli,
        client_name: "CLI",
        application_type: "native",
        grant_types: [DEVICE_GRANT],
        client_secrets: [SECRET],
      },
      {
        client_id: noDevice,
        client_name: "No device",
        application_type: "native",
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code"],
        redirect_uris: ["com.example.app:/callback"],
      },
    ],
    authorizationServers: [
      {
        server: { id: serverId, name: serverId, audiences: ["api://device"] },
        scopes: [
          {
            id: "s-read",
            name: "read",
            default: true,
            displayName: "Read your files",
            description: "See files.",
          },
          { id: "s-write", name: "write" },
        ],
        policies: [
          {
            id: "p",
            name: "devices",
            priority: 1,
            conditions: { clients: { include: [tv, cli, noDevice] } },
            rules: [
              {
                id: "engineers",
                name: "engineers",
                priority: 1,
                conditions: {
                  people: { groups: { include: [engineers] } },
                  grantTypes: { include: [DEVICE_GRANT] },
                  scopes: { include: ["read", "openid", "profile"] },
                },
              },
            ],
          },
        ],
      },
    ],
  });
  world = { serverId, issuer: `${ORIGIN}/oauth2/${serverId}`, tv, cli, noDevice, alice, carol, dave };
});

/**
 * A browser with its own address (the rate limits count per address): one each, never a random
 * pick, which could hand a later test the address the rate-limit test just exhausted.
 */
let addresses = 0;
class DeviceBrowser extends Browser {
  readonly ip = `198.51.100.${++addresses}`;
  override request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("CF-Connecting-IP", this.ip);
    return super.request(url, { ...init, headers });
  }
  post(path: string, form: Record<string, string>): Promise<Response> {
    return this.request(`${ORIGIN}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
    });
  }
}

interface Authorized {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

async function deviceAuthorize(
  browser: Browser,
  params: Record<string, string>,
  authorization?: string,
): Promise<Response> {
  const headers = new Headers({ "Content-Type": "application/x-www-form-urlencoded" });
  if (authorization) headers.set("Authorization", authorization);
  return browser.fetch(
    new Request(`${world.issuer}/v1/device/authorize`, {
      method: "POST",
      headers,
      body: new URLSearchParams(params).toString(),
    }),
  );
}

async function startDevice(browser: Browser, scope = "openid read"): Promise<Authorized> {
  const res = await deviceAuthorize(browser, { client_id: world.tv, scope });
  expect(res.status).toBe(200);
  return (await res.json()) as Authorized;
}

async function poll(browser: Browser, deviceCode: string, clientId = world.tv): Promise<Response> {
  return browser.fetch(
    tokenRequest(world.issuer, { grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: clientId }),
  );
}

async function oauthError(res: Response): Promise<string> {
  const body = (await res.json()) as { error: string };
  return body.error;
}

function hidden(page: string, name: string): string {
  const value = new RegExp(`name="${name}" value="([^"]+)"`).exec(page)?.[1];
  if (!value) throw new Error(`no ${name} in:\n${page.slice(0, 800)}`);
  return value;
}

/** Enters `userCode` on /activate as a person would: the page, then its form. */
async function enterCode(browser: DeviceBrowser, userCode: string): Promise<Response> {
  const page = await (await browser.request(`${ORIGIN}/activate`)).text();
  return browser.post("/activate", {
    activate_request: hidden(page, "activate_request"),
    user_code: userCode,
  });
}

/** Enters the code, signs in as `user`, and returns the approval page (or whatever came instead). */
async function signInAndReview(
  browser: DeviceBrowser,
  userCode: string,
  user: FixtureUser,
): Promise<Response> {
  const signIn = await enterCode(browser, userCode);
  expect(signIn.status).toBe(200);
  const page = await signIn.text();
  expect(page).toContain('action="/activate/signin"');
  return browser.post("/activate/signin", {
    signin_request: hidden(page, "signin_request"),
    username: user.login,
    password: PASSWORD,
  });
}

async function decide(
  browser: DeviceBrowser,
  approvalPage: string,
  decision: "allow" | "deny",
): Promise<Response> {
  return browser.post("/activate/decision", {
    device_request: hidden(approvalPage, "device_request"),
    decision,
  });
}

async function deviceCodeRows(): Promise<number> {
  const row = await bindings.DIRECTORY.prepare("SELECT count(*) AS n FROM device_user_codes").first<{
    n: number;
  }>();
  return row?.n ?? 0;
}

describe("POST /v1/device/authorize", () => {
  it("answers Okta's fields: codes, the org's /activate, 600 s and 5 s, not cacheable", async () => {
    const browser = new Browser();
    const res = await deviceAuthorize(browser, { client_id: world.tv, scope: "openid read" });
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const body = (await res.json()) as Authorized;
    expect(body.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(body.device_code).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    expect(body).toMatchObject({
      verification_uri: `${ORIGIN}/activate`,
      verification_uri_complete: `${ORIGIN}/activate?user_code=${body.user_code}`,
      expires_in: 600,
      interval: 5,
    });
  });

  it("authenticates a confidential client as the token endpoint does", async () => {
    const browser = new Browser();
    expect((await deviceAuthorize(browser, { scope: "read" }, basic(world.cli, SECRET))).status).toBe(200);
    const wrong = await deviceAuthorize(
      browser,
      { scope: "read" },
      basic(world.cli, "wrong-secret-0123456789"),
    );
    expect(wrong.status).toBe(401);
    expect(await oauthError(wrong)).toBe("invalid_client");
    // Leaving the secret out does not make a confidential client public.
    const bare = await deviceAuthorize(browser, { client_id: world.cli, scope: "read" });
    expect(bare.status).toBe(401);
  });

  it("refuses unknown clients, clients without the grant, bad scopes and other methods, writing nothing", async () => {
    const browser = new Browser();
    const before = await deviceCodeRows();
    const cases: [Record<string, string>, number, string][] = [
      [{ client_id: "nobody-here" }, 401, "invalid_client"],
      [{ client_id: "x".repeat(5000) }, 401, "invalid_client"],
      [{ client_id: world.noDevice, scope: "read" }, 400, "unauthorized_client"],
      [{ client_id: world.tv, scope: "read nonsense" }, 400, "invalid_scope"],
      [{ client_id: world.tv, scope: "read  write" }, 400, "invalid_scope"],
    ];
    for (const [params, status, error] of cases) {
      const res = await deviceAuthorize(browser, params);
      expect(res.status, JSON.stringify(params)).toBe(status);
      expect(await oauthError(res)).toBe(error);
    }
    const get = await browser.fetch(new Request(`${world.issuer}/v1/device/authorize?client_id=${world.tv}`));
    expect(get.status).toBe(405);
    expect(get.headers.get("Allow")).toBe("POST");
    const json = await browser.fetch(
      new Request(`${world.issuer}/v1/device/authorize`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ client_id: world.tv }),
      }),
    );
    expect(json.status).toBe(400);
    const repeated = await browser.fetch(
      new Request(`${world.issuer}/v1/device/authorize`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: `client_id=${world.tv}&client_id=${world.tv}`,
      }),
    );
    expect(repeated.status).toBe(400);
    expect(await deviceCodeRows()).toBe(before);
  });

  it("is named in discovery, with its grant type", async () => {
    const browser = new Browser();
    const res = await browser.fetch(new Request(`${world.issuer}/.well-known/openid-configuration`));
    const metadata = (await res.json()) as {
      device_authorization_endpoint: string;
      grant_types_supported: string[];
    };
    expect(metadata.device_authorization_endpoint).toBe(`${world.issuer}/v1/device/authorize`);
    expect(metadata.grant_types_supported).toContain(DEVICE_GRANT);
  });
});

describe("polling", () => {
  it("answers authorization_pending, then slow_down when polled too fast", async () => {
    const browser = new Browser();
    const { device_code } = await startDevice(browser);
    const first = await poll(browser, device_code);
    expect(first.status).toBe(400);
    expect(await oauthError(first)).toBe("authorization_pending");
    const fast = await poll(browser, device_code);
    expect(fast.status).toBe(400);
    expect(await oauthError(fast)).toBe("slow_down");
  });

  it("tells another client, a forged code and a missing code nothing", async () => {
    const browser = new Browser();
    const { device_code } = await startDevice(browser);
    const other = await browser.fetch(
      tokenRequest(
        world.issuer,
        { grant_type: DEVICE_GRANT, device_code },
        { authorization: basic(world.cli, SECRET) },
      ),
    );
    expect(await oauthError(other)).toBe("invalid_grant");
    const [grantId] = device_code.split(".");
    for (const forged of [
      `${grantId}.${"A".repeat(43)}`,
      "not-a-code",
      `${"A".repeat(43)}.${"B".repeat(43)}`,
    ]) {
      expect(await oauthError(await poll(browser, forged))).toBe("invalid_grant");
    }
    const missing = await browser.fetch(
      tokenRequest(world.issuer, { grant_type: DEVICE_GRANT, client_id: world.tv }),
    );
    expect(await oauthError(missing)).toBe("invalid_request");
    // A public client without the grant type cannot poll at all.
    const noGrant = await poll(browser, device_code, world.noDevice);
    expect(await oauthError(noGrant)).toBe("unauthorized_client");
  });
});

describe("the Grant object's device block", () => {
  it("answers its RPC methods but not its internals (DESIGN §7.9)", async () => {
    const stub = bindings.GRANT.get(bindings.GRANT.newUniqueId());
    const call = (name: string, ...args: unknown[]) =>
      Promise.resolve().then(() => {
        const method = Reflect.get(stub, name) as (...a: unknown[]) => Promise<unknown>;
        return Reflect.apply(method, stub, args);
      });
    await expect(call("deviceRequest", Date.now())).resolves.toBeUndefined();
    for (const name of ["deviceSql", "deviceState", "writeDevice", "redeemDevice", "deviceAlarm"]) {
      await expect(call(name), name).rejects.toThrow();
    }
  });
});

describe("/activate", () => {
  it("pre-fills the code from verification_uri_complete, in a page with the sign-in page's headers", async () => {
    const browser = new DeviceBrowser();
    const { verification_uri_complete, user_code } = await startDevice(browser);
    const res = await browser.request(
      verification_uri_complete.toLowerCase().replace("https://warden.test", ORIGIN),
    );
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain(`value="${user_code}"`);
    expect(res.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
    expect(res.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(page).toContain('<label for="user-code">');
    expect(page).not.toContain("<script");
  });

  it("pre-fills only what can be a code: anything else leaves the field empty", async () => {
    const browser = new DeviceBrowser();
    for (const junk of ["<script>x</script>", "A".repeat(10_000), "BBBB-BBB%00"]) {
      const res = await browser.request(`${ORIGIN}/activate?${new URLSearchParams({ user_code: junk })}`);
      expect(res.status).toBe(200);
      const page = await res.text();
      expect(page).toContain('name="user_code"');
      expect(page).toMatch(/name="user_code"[^>]* value=""/);
    }
  });

  it("refuses a form without this browser's CSRF cookie, or a forged one", async () => {
    const browser = new DeviceBrowser();
    const { user_code } = await startDevice(browser);
    const page = await (await browser.request(`${ORIGIN}/activate`)).text();
    const form = hidden(page, "activate_request");
    // Another browser (no cookie) posting this browser's form: the signed double-submit fails.
    const stranger = new DeviceBrowser();
    const stolen = await stranger.post("/activate", { activate_request: form, user_code });
    expect(stolen.status).toBe(403);
    const forged = await browser.post("/activate", {
      activate_request: `${form.slice(0, -4)}AAAA`,
      user_code,
    });
    expect(forged.status).toBe(403);
    const missing = await browser.post("/activate", { user_code });
    expect(missing.status).toBe(403);
  });

  it("answers every bad code the same way: malformed, unknown, expired", async () => {
    let now = Date.now();
    const browser = new DeviceBrowser(createDeps(() => now));
    const { user_code } = await startDevice(browser);
    const answers: string[] = [];
    for (const typed of ["", "AEIOU", "BBBB-BBBB", "x".repeat(5000)]) {
      const res = await enterCode(browser, typed);
      expect(res.status).toBe(200);
      answers.push((await res.text()).match(/role="alert"[^>]*>([^<]*)</)?.[1] ?? "");
    }
    now += DEVICE_CODE_LIFETIME_SECONDS * 1000;
    const expired = await enterCode(browser, user_code);
    answers.push((await expired.text()).match(/role="alert"[^>]*>([^<]*)</)?.[1] ?? "");
    expect(new Set(answers)).toEqual(
      new Set(["That code is not valid. Check the code on your device and try again."]),
    );
  });

  it("rate limits code entry per address (RFC 8628 §5.1), counting good and bad codes alike", async () => {
    const browser = new DeviceBrowser();
    const { user_code } = await startDevice(browser);
    for (let i = 0; i < DEVICE_USER_CODE_RATE_LIMIT.limit; i++) {
      expect((await enterCode(browser, "BBBB-BBBB")).status).toBe(200);
    }
    const refused = await enterCode(browser, user_code);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(await refused.text()).toContain("Too many attempts");
    // Another address is counted apart.
    const other = new DeviceBrowser();
    expect((await enterCode(other, user_code)).status).toBe(200);
  });
});

describe("the whole flow", () => {
  it("approve on /activate, then exactly one of 20 concurrent polls gets the tokens", async () => {
    const browser = new DeviceBrowser();
    const device = new Browser();
    const { device_code, user_code } = await startDevice(device);
    expect(await oauthError(await poll(device, device_code))).toBe("authorization_pending");

    // Typed in lower case, without the dash.
    const review = await signInAndReview(browser, user_code.replace("-", "").toLowerCase(), world.alice);
    expect(review.status).toBe(200);
    const page = await review.text();
    expect(page).toContain("Living-room &lt;TV&gt; &amp; &quot;Co&quot;");
    expect(page).toContain(user_code);
    expect(page).toContain(world.alice.login);
    expect(page).toContain("Read your files");
    const done = await decide(browser, page, "allow");
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("Device activated");

    const polls = await Promise.all(Array.from({ length: 20 }, () => poll(device, device_code)));
    const winners = polls.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    const losers = await Promise.all(polls.filter((r) => r.status !== 200).map(oauthError));
    expect(losers).toEqual(Array(19).fill("invalid_grant"));

    const tokens = (await winners[0]?.json()) as { access_token: string; id_token: string; scope: string };
    expect(tokens.scope).toBe("openid read");
    const access = decodeJwt(tokens.access_token).payload;
    const [grantId] = device_code.split(".");
    expect(access).toMatchObject({
      cid: world.tv,
      uid: world.alice.id,
      sub: world.alice.login,
      scp: ["openid", "read"],
    });
    expect(String(access.jti)).toMatch(new RegExp(`^AT\\.${grantId}\\.`));
    expect(decodeJwt(tokens.id_token).payload).toMatchObject({
      sub: world.alice.id,
      aud: world.tv,
      amr: ["pwd"],
    });
    // The grant stands: userinfo asks it.
    const userinfo = await device.fetch(
      new Request(`${world.issuer}/v1/userinfo`, {
        headers: { Authorization: `Bearer ${tokens.access_token}` },
      }),
    );
    expect(userinfo.status).toBe(200);
    // The code was single use: entering it again finds nothing.
    const again = await enterCode(browser, user_code);
    expect(await again.text()).toContain("That code is not valid.");
  });

  it("reuses the browser's session: no second sign-in, straight to the approval page", async () => {
    const browser = new DeviceBrowser();
    const first = await startDevice(new Browser());
    const review = await signInAndReview(browser, first.user_code, world.alice);
    expect(review.status).toBe(200);
    const second = await startDevice(new Browser());
    const res = await enterCode(browser, second.user_code);
    const page = await res.text();
    expect(page).toContain('name="device_request"');
    expect(page).not.toContain('name="password"');
  });

  it("a confidential client polls with its secret; a device code in the URL is refused", async () => {
    const browser = new DeviceBrowser();
    const device = new Browser();
    const started = await deviceAuthorize(device, { scope: "read" }, basic(world.cli, SECRET));
    const { device_code, user_code } = (await started.json()) as Authorized;
    const page = await (await signInAndReview(browser, user_code, world.alice)).text();
    expect((await decide(browser, page, "allow")).status).toBe(200);
    // RFC 6749 §2.3.1's reasoning for every secret: never in the request URI.
    const inQuery = await device.fetch(
      new Request(`${world.issuer}/v1/token?device_code=${encodeURIComponent(device_code)}`, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Authorization: basic(world.cli, SECRET),
        },
        body: new URLSearchParams({ grant_type: DEVICE_GRANT, device_code }).toString(),
      }),
    );
    expect(await oauthError(inQuery)).toBe("invalid_request");
    // Without its secret the confidential client is nobody.
    expect(await oauthError(await poll(device, device_code, world.cli))).toBe("invalid_client");
    const res = await device.fetch(
      tokenRequest(
        world.issuer,
        { grant_type: DEVICE_GRANT, device_code },
        { authorization: basic(world.cli, SECRET) },
      ),
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { scope: string }).scope).toBe("read");
  });

  it("deny: the device hears access_denied", async () => {
    const browser = new DeviceBrowser();
    const device = new Browser();
    const { device_code, user_code } = await startDevice(device);
    const review = await signInAndReview(browser, user_code, world.alice);
    const done = await decide(browser, await review.text(), "deny");
    expect(await done.text()).toContain("Device not activated");
    const res = await poll(device, device_code);
    expect(res.status).toBe(400);
    expect(await oauthError(res)).toBe("access_denied");
  });

  it("a decision form is good only with the session it was shown to", async () => {
    const browser = new DeviceBrowser();
    const device = new Browser();
    const { device_code, user_code } = await startDevice(device);
    const page = await (await signInAndReview(browser, user_code, world.alice)).text();
    // Another browser signed in as someone else, with the stolen form and its own cookies.
    const thief = new DeviceBrowser();
    const other = await startDevice(new Browser());
    await signInAndReview(thief, other.user_code, world.carol);
    const stolen = await decide(thief, page, "allow");
    expect(stolen.status).toBe(403);
    expect(await oauthError(await poll(device, device_code))).toBe("authorization_pending");
  });

  it("a user not assigned, or whom policy does not admit, cannot approve; the grant stays pending", async () => {
    const device = new Browser();
    const { device_code, user_code } = await startDevice(device);
    const dave = await signInAndReview(new DeviceBrowser(), user_code, world.dave);
    expect(dave.status).toBe(403);
    expect(await dave.text()).toContain("User is not assigned to the client application.");
    const carol = await signInAndReview(new DeviceBrowser(), user_code, world.carol);
    expect(carol.status).toBe(403);
    expect(await carol.text()).toContain("Policy evaluation failed for this request");
    expect(await oauthError(await poll(device, device_code))).toBe("authorization_pending");
  });

  it("an approved code not polled in time expires", async () => {
    let now = Date.now();
    const deps = createDeps(() => now);
    const browser = new DeviceBrowser(deps);
    const device = new Browser(deps);
    const { device_code, user_code } = await startDevice(device);
    const page = await (await signInAndReview(browser, user_code, world.alice)).text();
    expect((await decide(browser, page, "allow")).status).toBe(200);
    now += DEVICE_CODE_LIFETIME_SECONDS * 1000;
    const res = await poll(device, device_code);
    expect(await oauthError(res)).toBe("expired_token");
  });
});
