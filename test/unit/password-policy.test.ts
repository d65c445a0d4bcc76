/** The password policy (src/directory/password-policy.ts): Okta's default rules, words and error shape. */
import { describe, expect, it } from "vitest";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../../src/config/defaults";
import {
  passwordPolicyError,
  passwordPolicyFailures,
  passwordPolicyMessage,
} from "../../src/directory/password-policy";

const ADA = { login: "ada.lovelace@example.com", firstName: "Ada", lastName: "Lovelace" };

describe("passwordPolicyFailures", () => {
  it("passes a password that meets Okta's default policy", () => {
    expect(passwordPolicyFailures("Correct-Horse-9", ADA)).toEqual([]);
    // Unicode letters and digits count as such.
    expect(passwordPolicyFailures("Ñandú-Größe-٣x", ADA)).toEqual([]);
  });

  it("names every rule a password misses, in Okta's words and order", () => {
    expect(passwordPolicyFailures("", ADA)).toEqual([
      `at least ${PASSWORD_MIN_LENGTH} characters`,
      "a lowercase letter",
      "an uppercase letter",
      "a number",
    ]);
    expect(passwordPolicyFailures("lowercase-only", ADA)).toEqual(["an uppercase letter", "a number"]);
    expect(passwordPolicyFailures("UPPER-CASE-1", ADA)).toEqual(["a lowercase letter"]);
    expect(passwordPolicyFailures("Ab1", ADA)).toEqual([`at least ${PASSWORD_MIN_LENGTH} characters`]);
  });

  it("counts length in characters as a user does, not UTF-16 units", () => {
    // Seven characters, eleven UTF-16 units: too short.
    expect(passwordPolicyFailures("Aa1😀😀😀😀", {})).toEqual([`at least ${PASSWORD_MIN_LENGTH} characters`]);
    expect(passwordPolicyFailures("Aa1😀😀😀😀😀", {})).toEqual([]);
  });

  it("refuses any part of the username's local part of 3+ characters, whatever the case", () => {
    expect(passwordPolicyFailures("Lovelace-2024", ADA)).toEqual(["no parts of your username"]);
    expect(passwordPolicyFailures("xxADA.LOVELACEx1", ADA)).toEqual(["no parts of your username"]);
    // Parts of fewer than 3 characters, and the domain, are not parts that count.
    expect(passwordPolicyFailures("Adb-Example-99", ADA)).toEqual([]);
    expect(passwordPolicyFailures("Welcome-99x", { login: "jo_smith#x@corp.com" })).toEqual([]);
    expect(passwordPolicyFailures("Smith-Welcome-9", { login: "jo_smith#x@corp.com" })).toEqual([
      "no parts of your username",
    ]);
    // A login without @ is all local part; a profile without a login only gets the other rules.
    expect(passwordPolicyFailures("Warden-Admin-1", { login: "warden-admin" })).toEqual([
      "no parts of your username",
    ]);
    expect(passwordPolicyFailures("Warden-Admin-1", { login: 42 })).toEqual([]);
  });

  it("first and last name are not checked by default (Okta's default policy)", () => {
    expect(passwordPolicyFailures("Ada-Rocks-1", { login: "al@example.com", firstName: "Ada" })).toEqual([]);
  });

  it("refuses a password over the length bound without walking a huge string", () => {
    const huge = `Aa1${"x".repeat(1024 * 1024)}`;
    const started = performance.now();
    expect(passwordPolicyFailures(huge, ADA)).toContain(`at most ${PASSWORD_MAX_LENGTH} characters`);
    expect(performance.now() - started).toBeLessThan(500);
    expect(passwordPolicyFailures(`Aa1${"x".repeat(PASSWORD_MAX_LENGTH - 3)}`, ADA)).toEqual([]);
    expect(passwordPolicyFailures(`Aa1${"x".repeat(PASSWORD_MAX_LENGTH - 2)}`, ADA)).toEqual([
      `at most ${PASSWORD_MAX_LENGTH} characters`,
    ]);
  });

  it("refuses NUL and unpaired surrogates, which would hash like other passwords", () => {
    const refusal = "no NUL character or unpaired surrogate";
    expect(passwordPolicyFailures("Correct-Horse-9\u0000", ADA)).toEqual([refusal]);
    expect(passwordPolicyFailures("Correct-Horse-9\uD800", ADA)).toEqual([refusal]);
    expect(passwordPolicyFailures("Correct-Horse-9\uDC00x", ADA)).toEqual([refusal]);
    expect(passwordPolicyFailures("Correct-Horse-9\uD83D\uDE00", ADA)).toEqual([]);
  });
});

describe("Okta's answer", () => {
  it("words the message as Okta does", () => {
    expect(passwordPolicyMessage(["at least 8 characters", "a number"])).toBe(
      "Password requirements were not met. Password requirements: at least 8 characters, a number.",
    );
  });

  it("is 400 E0000001 with the failing rules in errorCauses", async () => {
    const response = passwordPolicyError(passwordPolicyFailures("short", ADA)).getResponse();
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body).toMatchObject({
      errorCode: "E0000001",
      errorSummary: "Api validation failed: password",
      errorLink: "E0000001",
      errorCauses: [
        {
          errorSummary:
            "password: Password requirements were not met. Password requirements: at least 8 characters, an uppercase letter, a number.",
        },
      ],
    });
  });
});
