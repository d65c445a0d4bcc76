/**
 * Which scopes ask for consent (src/signin/consent.ts): Okta's table of `prompt` × the app's
 * `consent_method` × the scope's `consent`, and the order and subset the page shows.
 */
import { describe, expect, it } from "vitest";
import { Client, Scope } from "../../src/config/schemas";
import { scopesAskingConsent } from "../../src/signin/consent";

const app = (consent_method: "TRUSTED" | "REQUIRED") =>
  Client.parse({
    client_id: "app",
    client_name: "App",
    grant_types: ["authorization_code"],
    redirect_uris: ["https://app.test/cb"],
    client_secrets: ["s3cret-0123456789-abcdefghijklmnopqrstuvwxyz"],
    consent_method,
  });

const scopes = [
  Scope.parse({ id: "1", name: "required", consent: "REQUIRED" }),
  Scope.parse({ id: "2", name: "flexible", consent: "FLEXIBLE" }),
  Scope.parse({ id: "3", name: "implicit", consent: "IMPLICIT" }),
  Scope.parse({ id: "4", name: "optional", consent: "REQUIRED", optional: true }),
];
const all = ["implicit", "optional", "required", "flexible"];
const names = (list: Scope[]) => list.map((s) => s.name);

describe("scopesAskingConsent: Okta's prompt × consent_method × consent table", () => {
  it("REQUIRED app: REQUIRED and FLEXIBLE scopes ask, IMPLICIT ones never; in the granted order", () => {
    expect(names(scopesAskingConsent(app("REQUIRED"), false, all, scopes))).toEqual([
      "optional",
      "required",
      "flexible",
    ]);
  });

  it("TRUSTED app (Okta's default): nothing asks, unless prompt=consent", () => {
    expect(scopesAskingConsent(app("TRUSTED"), false, all, scopes)).toEqual([]);
    expect(names(scopesAskingConsent(app("TRUSTED"), true, all, scopes))).toEqual([
      "optional",
      "required",
      "flexible",
    ]);
  });

  it("an app stored before consent_method existed is TRUSTED", () => {
    const legacy = Client.parse({
      client_id: "old",
      client_name: "Old",
      client_secrets: ["s3cret-0123456789-abcdefghijklmnopqrstuvwxyz"],
    });
    expect(scopesAskingConsent(legacy, false, all, scopes)).toEqual([]);
  });

  it("only scopes policy granted, and only scopes the server has", () => {
    expect(names(scopesAskingConsent(app("REQUIRED"), false, ["required", "unknown"], scopes))).toEqual([
      "required",
    ]);
    expect(scopesAskingConsent(app("REQUIRED"), false, [], scopes)).toEqual([]);
  });
});
