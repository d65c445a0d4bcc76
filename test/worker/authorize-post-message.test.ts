/**
 * `response_mode=okta_post_message` (okta-auth-js `getWithoutPrompt` / `token.renew`): the exact
 * HTML contract — one nonce'd script that posts `{code|error, error_description, state}` to the
 * parent, addressed to the registered redirect URI's origin (never `*`), framable by that origin
 * only — for prompt=none only, and what an attacker can put into the echoed values.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { LOGIN_REQUIRED } from "../../src/signin/authorize";
import { basic, ORIGIN, tokenRequest } from "./helpers";
import { PASSWORD } from "./people-fixtures";
import {
  Browser,
  REDIRECT_URI,
  redirectParams,
  SECRET,
  type SignInWorld,
  seedSignInWorld,
} from "./signin-fixtures";

let world: SignInWorld;

beforeAll(async () => {
  world = await seedSignInWorld();
});

async function signedInBrowser(): Promise<Browser> {
  const browser = new Browser();
  const page = await browser.authorize(world);
  redirectParams(await browser.signIn(await page.text(), world.alice.login, PASSWORD));
  return browser;
}

/** The page's one script, its nonce checked against the CSP; the posted message and target origin. */
async function postedMessage(
  res: Response,
): Promise<{ message: Record<string, string>; target: string; body: string }> {
  expect(res.status).toBe(200);
  expect(res.headers.get("Location")).toBeNull();
  expect(res.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  const csp = res.headers.get("Content-Security-Policy") ?? "";
  const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce).toBeTruthy();
  // Framable by the app's origin only: the hidden iframe of okta-auth-js, nobody else.
  expect(csp).toContain("frame-ancestors https://app.test;");
  expect(csp).toContain("default-src 'none'");
  expect(res.headers.get("X-Frame-Options")).toBeNull();
  const body = await res.text();
  const scripts = [...body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
  expect(scripts).toHaveLength(1);
  expect(scripts[0]?.[1]).toBe(` nonce="${nonce}"`);
  const call = /^window\.parent\.postMessage\((\{.*\}), ("[^"]*")\);$/.exec(scripts[0]?.[2] ?? "");
  if (!call) throw new Error(`not the post-message script: ${scripts[0]?.[2]}`);
  return {
    message: JSON.parse(call[1] ?? "") as Record<string, string>,
    target: JSON.parse(call[2] ?? "") as string,
    body,
  };
}

describe("response_mode=okta_post_message", () => {
  it("prompt=none with a session: the code and state, posted to the redirect URI's origin", async () => {
    const browser = await signedInBrowser();
    const res = await browser.authorize(world, { response_mode: "okta_post_message", prompt: "none" });
    const { message, target } = await postedMessage(res);
    expect(target).toBe("https://app.test");
    expect(Object.keys(message).sort()).toEqual(["code", "state"]);
    expect(message.state).toBe("st-123");
    // The code is an ordinary one.
    const token = await browser.fetch(
      tokenRequest(
        world.issuer,
        { grant_type: "authorization_code", code: message.code ?? "", redirect_uri: REDIRECT_URI },
        { authorization: basic(world.webClient, SECRET) },
      ),
    );
    expect(token.status).toBe(200);
  });

  it("prompt=none without a session: login_required in the message", async () => {
    const res = await new Browser().authorize(world, { response_mode: "okta_post_message", prompt: "none" });
    const { message, target } = await postedMessage(res);
    expect(target).toBe("https://app.test");
    expect(message).toEqual({ error: "login_required", error_description: LOGIN_REQUIRED, state: "st-123" });
  });

  it("only with prompt=none: otherwise invalid_request, and no sign-in page inside an iframe", async () => {
    for (const prompt of [undefined, "login", "consent"]) {
      const res = await (await signedInBrowser()).authorize(world, {
        response_mode: "okta_post_message",
        prompt,
      });
      const { message, body } = await postedMessage(res);
      expect(message.error, prompt).toBe("invalid_request");
      expect(message.error_description).toMatch(/requires prompt=none/);
      expect(message.code).toBeUndefined();
      expect(body).not.toContain("<form");
    }
  });

  it("a hostile state cannot close the script or add markup", async () => {
    const state = `</script><script>alert(1)</script>"'&\u2028<!--`;
    const res = await new Browser().authorize(world, {
      response_mode: "okta_post_message",
      prompt: "none",
      state,
    });
    const { message, body } = await postedMessage(res);
    // Delivered intact to the app, inert in the page.
    expect(message.state).toBe(state);
    expect(body).not.toContain("alert(1)</script>");
    expect(body).not.toContain("<!--");
    expect(body).toContain("\\u003c/script\\u003e");
  });

  it("the org server answers in the same mode", async () => {
    const browser = await signedInBrowser();
    const res = await browser.authorize(
      { ...world, issuer: `${ORIGIN}/oauth2` },
      { response_mode: "okta_post_message", prompt: "none", scope: "openid" },
    );
    const { message, target } = await postedMessage(res);
    expect(target).toBe("https://app.test");
    expect(message.code).toBeTruthy();
  });

  it("an error that is never redirected stays an HTML 400 page that cannot be framed", async () => {
    const res = await new Browser().authorize(world, {
      response_mode: "okta_post_message",
      prompt: "none",
      redirect_uri: "https://evil.test/cb",
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("X-Frame-Options")).toBe("DENY");
    expect(res.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
    expect(await res.text()).not.toContain("postMessage");
  });
});
