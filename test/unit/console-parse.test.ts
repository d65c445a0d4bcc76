/**
 * The admin console's pure rules (console/src/parse.ts): a server error's cause placed beside its
 * field, the hash routes, and where a finished sign-in may send the browser (input that went
 * through sessionStorage and the address bar: only the console's own routes).
 */
import { describe, expect, it } from "vitest";
import {
  hashOf,
  parseAudiences,
  type Route,
  routeOf,
  SERVER_TABS,
  safeReturn,
  splitCause,
} from "../../console/src/parse";

describe("splitCause", () => {
  it("names the field of src/admin/responses.ts's `<path>: <message>`, the first segment of a dotted path", () => {
    expect(splitCause("name: a scope named 'x' already exists")).toEqual({
      field: "name",
      message: "a scope named 'x' already exists",
    });
    expect(splitCause("audiences.0: Invalid input")).toEqual({
      field: "audiences",
      message: "Invalid input",
    });
    expect(
      splitCause("credentials.signing.nextKeyLeadSeconds: must not exceed rotationPeriodSeconds"),
    ).toEqual({
      field: "credentials",
      message: "must not exceed rotationPeriodSeconds",
    });
  });

  it("leaves a cause without a field path to the form as a whole", () => {
    expect(splitCause("requires okta.authorizationServers.manage")).toEqual({
      field: undefined,
      message: "requires okta.authorizationServers.manage",
    });
    expect(splitCause("Invalid input")).toEqual({ field: undefined, message: "Invalid input" });
    expect(splitCause("")).toEqual({ field: undefined, message: "" });
    expect(splitCause("a b: c")).toEqual({ field: undefined, message: "a b: c" });
  });
});

describe("routeOf", () => {
  it("routes one server by its id, everything else to the list", () => {
    expect(routeOf("#/servers/aus1a2b3c")).toEqual({ screen: "server", id: "aus1a2b3c", tab: "settings" });
    expect(routeOf("#/servers/with%20space")).toEqual({
      screen: "server",
      id: "with space",
      tab: "settings",
    });
    for (const hash of [
      "",
      "#",
      "#/servers",
      "#/servers/",
      "#/servers/a/b",
      "#/elsewhere",
      "#/apps/a/keys",
    ]) {
      expect(routeOf(hash), hash).toEqual({ screen: "servers" });
    }
  });

  it("routes a server's tabs, the lists and one object of each", () => {
    for (const tab of SERVER_TABS) {
      expect(routeOf(`#/servers/aus1/${tab}`)).toEqual({ screen: "server", id: "aus1", tab });
    }
    for (const list of ["apps", "users", "groups", "hooks", "logs"] as const) {
      expect(routeOf(`#/${list}`)).toEqual({ screen: list });
    }
    expect(routeOf("#/apps/0oa1")).toEqual({ screen: "app", id: "0oa1" });
    expect(routeOf("#/users/00u1")).toEqual({ screen: "user", id: "00u1" });
    expect(routeOf("#/groups/00g1")).toEqual({ screen: "group", id: "00g1" });
    expect(routeOf("#/hooks/cal1")).toEqual({ screen: "hook", id: "cal1" });
    expect(routeOf("#/logs/x")).toEqual({ screen: "servers" });
  });

  it("treats a malformed escape as no server rather than throwing", () => {
    expect(routeOf("#/servers/%E0%A4%A")).toEqual({ screen: "servers" });
    expect(routeOf("#/users/%")).toEqual({ screen: "servers" });
  });

  it("writes the hash of every route back, ids escaped", () => {
    const routes: Route[] = [
      { screen: "servers" },
      { screen: "logs" },
      { screen: "server", id: "a b/c", tab: "settings" },
      { screen: "server", id: "aus1", tab: "keys" },
      { screen: "app", id: "0oa/1" },
      { screen: "hook", id: "cal1" },
    ];
    for (const route of routes) expect(routeOf(hashOf(route))).toEqual(route);
    expect(hashOf({ screen: "server", id: "aus1", tab: "settings" })).toBe("#/servers/aus1");
  });
});

describe("safeReturn", () => {
  it("keeps the console's own hash routes", () => {
    expect(safeReturn("#/servers")).toBe("#/servers");
    expect(safeReturn("#/servers/aus1-x.y")).toBe("#/servers/aus1-x.y");
  });

  it("sends anything else to the list: other origins, schemes, paths, markup", () => {
    for (const hash of [
      "",
      "#",
      "https://evil.example/",
      "//evil.example",
      "#//evil.example",
      "javascript:alert(1)",
      "#/servers?x=<script>",
      '#/"><img src=x>',
      "/admin/#/servers",
    ]) {
      expect(safeReturn(hash), hash).toBe("#/servers");
    }
  });
});

describe("parseAudiences", () => {
  it("takes one a line or comma-separated, trimmed, blanks dropped; the server validates the rest", () => {
    expect(parseAudiences("api://a\n  api://b ,api://c\n\n")).toEqual(["api://a", "api://b", "api://c"]);
    expect(parseAudiences("   ")).toEqual([]);
  });
});
