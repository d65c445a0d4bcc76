/**
 * The inline-hook form's pure rules (console/src/hook-form.ts): Okta's body from the form, the
 * write-only secret (never read back, kept when left empty), and each server cause placed beside
 * the field its full path names.
 */
import { describe, expect, it } from "vitest";
import {
  draftOf,
  hookBody,
  hookFieldOf,
  hookFormCauses,
  type InlineHook,
  parseHeaders,
  splitPath,
  TOKEN_HOOK_TYPE,
} from "../../console/src/hook-form";

const stored: InlineHook = {
  id: "calABC",
  name: "Add tenant",
  status: "ACTIVE",
  type: TOKEN_HOOK_TYPE,
  version: "1.0.0",
  channel: {
    type: "HTTP",
    version: "1.0.0",
    config: {
      uri: "https://hooks.example.com/token",
      method: "POST",
      headers: [{ key: "X-Tenant", value: "t1" }],
      authScheme: { type: "HEADER", key: "Authorization" },
    },
  },
};

describe("hookBody", () => {
  it("is Okta's token inline hook with a header secret", () => {
    expect(
      hookBody({
        name: " Add tenant ",
        uri: " https://h.example/t ",
        authKey: "Authorization",
        authValue: "s3cret",
        headers: "X-Tenant: t1",
      }),
    ).toEqual({
      name: "Add tenant",
      type: TOKEN_HOOK_TYPE,
      version: "1.0.0",
      channel: {
        type: "HTTP",
        version: "1.0.0",
        config: {
          uri: "https://h.example/t",
          method: "POST",
          headers: [{ key: "X-Tenant", value: "t1" }],
          authScheme: { type: "HEADER", key: "Authorization", value: "s3cret" },
        },
      },
    });
  });

  it("an edit with the secret left empty sends no value (the server keeps the stored one) and the same headers", () => {
    const body = hookBody(draftOf(stored)) as { channel: { config: Record<string, unknown> } };
    expect(body.channel.config.authScheme).toEqual({ type: "HEADER", key: "Authorization" });
    expect(body.channel.config.headers).toEqual([{ key: "X-Tenant", value: "t1" }]);
  });

  it("no header name and no secret: no authentication; a secret without a name is sent for the server to refuse", () => {
    const none = hookBody({
      name: "n",
      uri: "https://h.example",
      authKey: " ",
      authValue: "",
      headers: "",
    }) as {
      channel: { config: Record<string, unknown> };
    };
    expect(none.channel.config).not.toHaveProperty("authScheme");
    const nameless = hookBody({
      name: "n",
      uri: "https://h.example",
      authKey: "",
      authValue: "x",
      headers: "",
    }) as {
      channel: { config: Record<string, unknown> };
    };
    expect(nameless.channel.config.authScheme).toEqual({ type: "HEADER", key: "", value: "x" });
  });
});

describe("draftOf", () => {
  it("never holds a secret", () => {
    expect(draftOf(stored)).toEqual({
      name: "Add tenant",
      uri: "https://hooks.example.com/token",
      authKey: "Authorization",
      authValue: "",
      headers: "X-Tenant: t1",
    });
  });
});

describe("parseHeaders", () => {
  it("reads `Name: value` a line, splitting at the first colon, blanks dropped", () => {
    expect(parseHeaders(" X-Tenant : t1 \n\nX-Url: https://a.example:8443/x\nX-Empty:\nBare")).toEqual([
      { key: "X-Tenant", value: "t1" },
      { key: "X-Url", value: "https://a.example:8443/x" },
      { key: "X-Empty", value: "" },
      { key: "Bare", value: "" },
    ]);
    expect(parseHeaders("  \n ")).toEqual([]);
  });
});

describe("placing the server's causes", () => {
  it("maps the API's paths to the form's fields", () => {
    expect(hookFieldOf("channel.config.uri")).toBe("uri");
    expect(hookFieldOf("channel.config.authScheme.value")).toBe("authValue");
    expect(hookFieldOf("channel.config.authScheme.key")).toBe("authKey");
    expect(hookFieldOf("channel.config.headers.0.key")).toBe("headers");
    expect(hookFieldOf("name")).toBe("name");
    expect(hookFieldOf("status")).toBeUndefined();
    expect(hookFieldOf("rules")).toBeUndefined();
  });

  it("splits at the path's colon only", () => {
    expect(splitPath("channel.config.uri: must be https: got http")).toEqual({
      path: "channel.config.uri",
      message: "must be https: got http",
    });
    expect(splitPath("no path here")).toEqual({ path: undefined, message: "no path here" });
  });

  it("places field causes beside their fields and keeps the rest whole for the form", () => {
    const summaries = [
      "channel.config.uri: must be an absolute URL",
      "channel.config.authScheme.value: required: there is no stored secret for this header to keep",
      "rules: the inline hook is used by rule 'r' of policy 'p'; remove it from the rule first",
      "channel.config.headers.1.key: 'Host' is reserved",
    ];
    expect(hookFormCauses(summaries)).toEqual([
      { field: "uri", message: "must be an absolute URL" },
      { field: "authValue", message: "required: there is no stored secret for this header to keep" },
      { field: undefined, message: summaries[2] },
      { field: "headers", message: "header 2: 'Host' is reserved" },
    ]);
  });
});
