/**
 * Issue 13 item 1, attacked as a stranger before it closes: the spellings of the review's brief that
 * the earlier tests do not name one by one — outbound targets (hooks, client `jwks_uri`) and the
 * request URLs a `Host` header can make when ORG_URL is unset.
 */
import { describe, expect, it } from "vitest";
import { checkOutboundUrl } from "../../src/http/outbound-url";
import { resolveOrgUrl } from "../../src/oauth/org-url";

describe("outbound targets in every spelling the brief names", () => {
  const refused = (host: string, allowLoopback = false) => {
    const decision = checkOutboundUrl(`https://${host}/hook`, { allowLoopback });
    return decision.ok ? "allowed" : decision.reason;
  };

  it("refuses loopback however written, outside local development", () => {
    for (const host of [
      "127.1",
      "0x7f.1",
      "2130706433",
      "0177.0.0.1",
      "0x7f000001",
      "017700000001",
      "127.000.000.001",
      "127.0.0.1.",
      "①②⑦.0.0.1",
      "[::ffff:7f00:1]",
      "[::ffff:127.0.0.1]",
      "[0:0:0:0:0:ffff:7f00:1]",
      "[64:ff9b::7f00:1]",
      "[2002:7f00:1::]",
      "[::1]",
      "[0000:0000:0000:0000:0000:0000:0000:0001]",
      "localhost.",
      "LOCALHOST",
      "%6c%6f%63%61%6c%68%6f%73%74",
      "foo.localhost",
    ]) {
      expect(refused(host), host).toBe("loopback");
    }
  });

  it("refuses private, CGNAT, link-local, ULA, metadata and local names, local development or not", () => {
    for (const allowLoopback of [false, true]) {
      for (const host of [
        "[fd00::1]",
        "[fc00::]",
        "[fe80::1]",
        "100.64.0.1",
        "169.254.169.254",
        "[::ffff:a9fe:a9fe]",
        "10.0.0.1",
        "192.168.1.1",
        "172.16.0.1",
        "0",
        "[::]",
        "[::7f00:1]",
      ]) {
        expect(refused(host, allowLoopback), host).toBe("non_public_address");
      }
      for (const host of [
        "x.internal.",
        "x.INTERNAL..",
        "metadata.google.internal",
        "host.docker.internal",
        "a.local.",
        "a.home.arpa",
        "metadata",
      ]) {
        expect(refused(host, allowLoopback), host).toBe("non_public_name");
      }
    }
  });

  it("refuses an IPv6 zone id as a URL the parser does not accept", () => {
    expect(refused("[fe80::1%25eth0]")).toBe("malformed");
    expect(refused("[fe80::1%eth0]")).toBe("malformed");
  });
});

describe("the request URL a Host header makes, with ORG_URL unset", () => {
  const local = { orgUrl: undefined, localDevelopment: true };

  it("in local development, only a loopback name's own origin; credentials, lookalikes and odd spellings never", () => {
    expect(resolveOrgUrl(local, "http://localhost:8787/oauth2/v1/token")).toEqual({
      ok: true,
      url: "http://localhost:8787",
    });
    for (const url of [
      // `Host: localhost:80@evil` makes the authority userinfo + evil.
      "http://localhost:80@evil.example/oauth2/v1/token",
      "http://localhost@evil.example/oauth2/v1/token",
      "http://127.0.0.1.evil.example/oauth2/v1/token",
      "http://localhost.evil.example/oauth2/v1/token",
      "http://localhost./oauth2/v1/token",
      "http://LOCALHOST/oauth2/v1/token",
      "http://evil.example#@localhost/oauth2/v1/token",
      "http://evil.example\\@localhost/oauth2/v1/token",
    ]) {
      expect(resolveOrgUrl(local, url).ok, url).toBe(false);
    }
  });

  it("outside local development, nothing: not even loopback", () => {
    for (const url of ["http://localhost:8787/x", "http://127.0.0.1/x", "https://evil.example/x"]) {
      expect(resolveOrgUrl({ orgUrl: undefined, localDevelopment: false }, url)).toEqual({
        ok: false,
        reason: "unset",
      });
    }
  });
});
