/**
 * What a stranger sends the management API inside workerd (issue 13, item 1): JSON bodies nested
 * 5,000 levels deep in arrays and objects, which once overflowed the stack after parsing (a 500),
 * and access tokens in the query string. The token endpoints' attacks are the unit tier's
 * (test/unit/wire-attacks.test.ts); the issuer's are test/worker/org-url.test.ts.
 */
import { describe, expect, it } from "vitest";
import {
  adminCall,
  adminRequest,
  expectApiError,
  freshApp,
  ORIGIN,
  type OrgClient,
  orgAccessToken,
  seedOrgClient,
  seedServer,
  uniqueId,
} from "./helpers";

const DEPTH = 5000;
const deepArray = `${"[".repeat(DEPTH)}${"]".repeat(DEPTH)}`;
const deepObject = `${'{"a":'.repeat(DEPTH)}1${"}".repeat(DEPTH)}`;

describe("JSON nested 5,000 levels deep on the management API", () => {
  it("is Okta's 400 E0000003 on every kind of write, as a body and inside one, and changes nothing", async () => {
    const f = await seedServer();
    const id = uniqueId("as");
    const bodies = (nested: string) => [
      ["POST", "/authorizationServers", nested],
      ["POST", "/authorizationServers", `{"id":"${id}","name":"${id}","audiences":${nested}}`],
      [
        "PUT",
        `/authorizationServers/${f.serverId}`,
        `{"name":"x","audiences":["a"],"description":${nested}}`,
      ],
      ["POST", `/authorizationServers/${f.serverId}/scopes`, `{"name":"deep","metadataPublish":${nested}}`],
      ["POST", `/authorizationServers/${f.serverId}/policies`, `{"name":"p","conditions":${nested}}`],
      ["POST", `/authorizationServers/${f.serverId}/tokenPreview`, nested],
      ["POST", "/apps", `{"name":"oidc_client","settings":${nested}}`],
      ["POST", "/inlineHooks", `{"name":"h","channel":${nested}}`],
      ["POST", "/warden/import", `{"authorizationServers":[{"server":${nested}}]}`],
    ];
    for (const nested of [deepArray, deepObject]) {
      for (const [method, path, body] of bodies(nested)) {
        const res = await freshApp()(adminRequest(method as string, path as string, body));
        await expectApiError(res, 400, "E0000003", {
          errorSummary: "The request body was not well-formed: it nests deeper than 32 levels.",
        });
      }
    }
    expect((await adminCall("GET", `/authorizationServers/${id}`)).status).toBe(404);
  });

  it("brackets inside strings do not count; a body at the limit's side still works", async () => {
    const id = uniqueId("as");
    const res = await adminCall("POST", "/authorizationServers", {
      id,
      name: id,
      description: `${"[".repeat(500)}${'{\\"'.repeat(100)}`,
      audiences: ["api://x"],
    });
    expect(res.status).toBe(201);
  });
});

describe("access tokens in the management API's query string are refused, not ignored", () => {
  let svc: OrgClient;

  it("?access_token= is 401 with an invalid_request challenge, with or without a valid credential", async () => {
    svc ??= await seedOrgClient(["okta.authorizationServers.read"]);
    const token = await orgAccessToken(svc, "okta.authorizationServers.read");
    for (const authorization of [`Bearer ${token}`, undefined, "SSWS nope"]) {
      const request = adminRequest("GET", `/authorizationServers?access_token=${token}`);
      if (authorization === undefined) request.headers.delete("Authorization");
      else request.headers.set("Authorization", authorization);
      const res = await freshApp()(request);
      await expectApiError(res, 401, "E0000011");
      expect(res.headers.get("WWW-Authenticate")).toContain('error="invalid_request"');
      expect(res.headers.get("WWW-Authenticate")).toContain("query string");
    }
    // The bootstrap SSWS token beside it changes nothing either.
    const ssws = await freshApp()(adminRequest("GET", `/authorizationServers?access_token=${token}`));
    await expectApiError(ssws, 401, "E0000011");
  });

  it("other query parameters keep working", async () => {
    const res = await freshApp()(adminRequest("GET", `${ORIGIN}/api/v1/authorizationServers?limit=1`));
    expect(res.status).toBe(200);
  });
});
