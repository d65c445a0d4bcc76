import { describe, expect, it } from "vitest";
import { Rule, ServerConfig } from "../../src/config/schemas";

const rule = (overrides: Record<string, unknown> = {}) => ({
  id: "r",
  name: "r",
  priority: 1,
  conditions: { grantTypes: { include: ["client_credentials"] }, scopes: { include: ["*"] } },
  ...overrides,
});

describe("config schemas", () => {
  it("applies Okta's defaults to a server", () => {
    const config = ServerConfig.parse({
      server: { id: "default", name: "default", audiences: ["api://default"] },
    });
    expect(config.server).toEqual({
      id: "default",
      name: "default",
      description: "",
      audiences: ["api://default"],
      issuerMode: "ORG_URL",
      status: "ACTIVE",
      credentials: {
        signing: {
          rotationMode: "AUTO",
          use: "sig",
          alg: "RS256",
          rotationPeriodSeconds: 90 * 86400,
          nextKeyLeadSeconds: 45 * 86400,
        },
      },
      tokenProfile: "okta",
      logging: { grants: "AGGREGATED" },
    });
  });

  it("defaults a rule to Everyone, a 60-minute token and a 7-day refresh window", () => {
    const parsed = Rule.parse(rule());
    expect(parsed.conditions.people).toEqual({
      users: { include: [], exclude: [] },
      groups: { include: ["EVERYONE"], exclude: [] },
    });
    expect(parsed.actions.token).toEqual({
      accessTokenLifetimeMinutes: 60,
      refreshTokenLifetimeMinutes: 0,
      refreshTokenWindowMinutes: 10080,
    });
  });

  it("means only the named users when a rule names users", () => {
    const parsed = Rule.parse(
      rule({ conditions: { ...rule().conditions, people: { users: { include: ["00u1"] } } } }),
    );
    expect(parsed.conditions.people.groups.include).toEqual([]);
  });

  it.each([4, 1441, 60.5])("rejects accessTokenLifetimeMinutes %d (Okta allows 5..1440)", (minutes) => {
    expect(
      Rule.safeParse(rule({ actions: { token: { accessTokenLifetimeMinutes: minutes } } })).success,
    ).toBe(false);
  });

  it("rejects duplicate scope names and rules naming undefined scopes", () => {
    const result = ServerConfig.safeParse({
      server: { id: "s", name: "s", audiences: ["a"] },
      scopes: [
        { id: "1", name: "read" },
        { id: "2", name: "read" },
      ],
      policies: [
        {
          id: "p",
          name: "p",
          priority: 1,
          conditions: { clients: { include: ["ALL_CLIENTS"] } },
          rules: [
            rule({
              conditions: { grantTypes: { include: ["client_credentials"] }, scopes: { include: ["write"] } },
            }),
          ],
        },
      ],
    });
    expect(result.success).toBe(false);
    const messages = result.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(messages).toEqual([
      "scopes.1: duplicate scope name",
      "policies.0.rules.0.conditions.scopes.include.0: scope 'write' is not defined on this authorization server",
    ]);
  });

  it("rejects ids that are not URL-safe", () => {
    expect(ServerConfig.safeParse({ server: { id: "a/b", name: "x", audiences: ["a"] } }).success).toBe(
      false,
    );
  });

  it("reserves the id 'v1' for the org authorization server's paths", () => {
    expect(ServerConfig.safeParse({ server: { id: "v1", name: "x", audiences: ["a"] } }).success).toBe(false);
  });

  it("refuses a NEXT-key lead longer than the rotation period", () => {
    const signing = { rotationPeriodSeconds: 60, nextKeyLeadSeconds: 61 };
    const result = ServerConfig.safeParse({
      server: { id: "s", name: "s", audiences: ["a"], credentials: { signing } },
    });
    expect(result.error?.issues[0]?.path).toEqual(["server", "credentials", "signing", "nextKeyLeadSeconds"]);
  });
});
