/**
 * Where Warden's outbound calls may go (src/http/outbound-url.ts), tried the way a stranger who can
 * configure a hook or a client's jwks_uri would try it: every spelling of loopback, private and
 * metadata addresses the URL parser accepts, IPv6 wrappers around IPv4, local names, credentials and
 * schemes, with local development on and off.
 */
import { describe, expect, it } from "vitest";
import { checkOutboundUrl, type OutboundRefusal } from "../../src/http/outbound-url";

const DEPLOYED = { allowLoopback: false };
const LOCAL = { allowLoopback: true };

function refusal(url: string, policy = DEPLOYED): OutboundRefusal | "allowed" {
  const decision = checkOutboundUrl(url, policy);
  return decision.ok ? "allowed" : decision.reason;
}

describe("the URL parser normalises the spellings the check then sees", () => {
  it("turns every IPv4 shorthand into dotted decimal, as fetch will", () => {
    for (const spelling of [
      "127.1",
      "0x7f.1",
      "0x7f.0.0.1",
      "2130706433",
      "0x7f000001",
      "017700000001",
      "0177.0.0.1",
      "127.000.000.001",
      "127.0.0.1.",
      "127。0。0。1",
      "１２７.０.０.１",
    ]) {
      expect(new URL(`http://${spelling}/`).hostname, spelling).toBe("127.0.0.1");
    }
    expect(new URL("http://0/").hostname).toBe("0.0.0.0");
    expect(new URL("http://[::ffff:127.0.0.1]/").hostname).toBe("[::ffff:7f00:1]");
    expect(new URL("http://[0:0:0:0:0:0:0:1]/").hostname).toBe("[::1]");
    expect(new URL("http://ｌｏｃａｌｈｏｓｔ/").hostname).toBe("localhost");
    expect(new URL("http://%6c%6fcalhost/").hostname).toBe("localhost");
  });

  it("hands back the normalised URL to call, never the string as given", () => {
    const decision = checkOutboundUrl("http://0x7f.1:8080/hook", LOCAL);
    expect(decision.ok && decision.url.href).toBe("http://127.0.0.1:8080/hook");
  });
});

describe("loopback", () => {
  const spellings = [
    "http://127.0.0.1/",
    "http://127.1/",
    "http://0x7f.1/",
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://127.255.255.254/",
    "http://127.0.0.1./",
    "http://localhost/",
    "http://LOCALHOST./",
    "http://localhost../",
    "http://ｌｏｃａｌｈｏｓｔ/",
    "http://api.localhost/",
    "http://[::1]/",
    "http://[0:0:0:0:0:0:0:1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[::ffff:7f01:203]/",
    "http://[64:ff9b::127.0.0.1]/",
    "http://[2002:7f00:1::]/",
  ];

  it("is refused outside local development, over http or https, on any port", () => {
    for (const url of spellings) {
      expect(refusal(url), url).toBe("loopback");
      expect(refusal(url.replace("http:", "https:")), url).toBe("loopback");
      expect(refusal(url.replace(/\/$/, ":8443/x")), url).toBe("loopback");
    }
  });

  it("is allowed in local development, over http too", () => {
    for (const url of spellings) {
      expect(refusal(url, LOCAL), url).toBe("allowed");
      expect(refusal(url.replace("http:", "https:"), LOCAL), url).toBe("allowed");
    }
  });
});

describe("private, link-local, metadata and reserved addresses", () => {
  const addresses = [
    // IPv4, in several spellings each
    "0.0.0.0",
    "0",
    "0.1.2.3",
    "10.0.0.1",
    "10.1",
    "012.0.0.1",
    "167772161",
    "0xa.0.0.1",
    "10.255.255.255",
    "100.64.0.1",
    "100.127.255.254",
    "169.254.169.254",
    "0xa9.0xfe.0xa9.0xfe",
    "2852039166",
    "0251.0376.0251.0376",
    "169.254.0.1",
    "172.16.0.1",
    "172.31.255.255",
    "192.0.0.170",
    "192.0.2.1",
    "192.168.1.1",
    "192.168.257",
    "198.18.0.1",
    "198.19.255.255",
    "198.51.100.7",
    "203.0.113.9",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    // IPv6
    "[::]",
    "[::0]",
    "[fc00::1]",
    "[fd12:3456:789a::1]",
    "[fe80::1]",
    "[febf::1]",
    "[fec0::1]",
    "[ff02::1]",
    "[ff05::1:3]",
    "[2001:db8::1]",
    "[2001:0db8:85a3::8a2e:370:7334]",
    "[2001::1]",
    "[3fff::1]",
    "[100::1]",
    "[::7f00:1]",
    "[::a9fe:a9fe]",
    // IPv4 inside IPv6
    "[::ffff:169.254.169.254]",
    "[::ffff:a9fe:a9fe]",
    "[::ffff:10.0.0.1]",
    "[::ffff:a00:1]",
    "[::ffff:192.168.0.1]",
    "[::ffff:100.64.0.1]",
    "[64:ff9b::169.254.169.254]",
    "[64:ff9b::a00:1]",
    "[64:ff9b:1::1]",
    "[2002:a9fe:a9fe::1]",
    "[2002:c0a8:1::]",
  ];

  it("are refused in every spelling, in local development too", () => {
    for (const host of addresses) {
      for (const scheme of ["https", "http"]) {
        const url = `${scheme}://${host}/latest/meta-data/`;
        expect(refusal(url, DEPLOYED), url).toBe("non_public_address");
        expect(refusal(url, LOCAL), url).toBe("non_public_address");
      }
    }
  });

  it("says which range in the detail, for the log", () => {
    const decision = checkOutboundUrl("https://0xa9.0xfe.0xa9.0xfe/", DEPLOYED);
    expect(decision).toMatchObject({ ok: false, detail: expect.stringContaining("169.254.0.0/16") });
    const mapped = checkOutboundUrl("https://[::ffff:10.0.0.1]/", LOCAL);
    expect(mapped).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/IPv4-mapped 10\.0\.0\.1.*10\.0\.0\.0\/8/),
    });
  });

  it("ranges end where they end: the neighbours are public", () => {
    for (const host of [
      "9.255.255.255",
      "11.0.0.0",
      "100.63.255.255",
      "100.128.0.0",
      "128.0.0.1",
      "126.255.255.255",
      "169.253.255.255",
      "169.255.0.0",
      "172.15.255.255",
      "172.32.0.0",
      "192.167.255.255",
      "192.169.0.0",
      "198.17.255.255",
      "198.20.0.0",
      "223.255.255.255",
      "1.1.1.1",
      "8.8.8.8",
      "[2606:4700:4700::1111]",
      "[2001:4860:4860::8888]",
      "[2001:200::1]",
      "[::ffff:8.8.8.8]",
      "[64:ff9b::808:808]",
      "[2002:808:808::]",
      "[3fff:1000::1]",
    ]) {
      expect(refusal(`https://${host}/`), host).toBe("allowed");
    }
  });
});

describe("names", () => {
  it("refuses names only a local resolver answers, with or without a trailing dot", () => {
    for (const host of [
      "metadata.google.internal",
      "metadata.google.internal.",
      "METADATA.GOOGLE.INTERNAL",
      "db.internal",
      "printer.local",
      "printer.local.",
      "nas.home.arpa",
      "box.localdomain",
      "internal",
      "metadata",
      "intranet.",
      "kubernetes",
    ]) {
      expect(refusal(`https://${host}/`), host).toBe("non_public_name");
      expect(refusal(`https://${host}/`, LOCAL), host).toBe("non_public_name");
    }
  });

  it("allows public names, including ones that only look local", () => {
    for (const host of [
      "hooks.example.com",
      "hooks.example.com.",
      "localhost.example.com",
      "internal.example.com",
      "local.example.com",
      "127.0.0.1.example.com",
    ]) {
      expect(refusal(`https://${host}/`), host).toBe("allowed");
    }
  });

  it("cannot see what a public name resolves to (the platform's egress is the guard there)", () => {
    expect(refusal("https://127.0.0.1.nip.io/")).toBe("allowed");
  });
});

describe("schemes, credentials and malformed URLs", () => {
  it("requires https for public hosts, in local development too", () => {
    expect(refusal("http://hooks.example.com/")).toBe("scheme");
    expect(refusal("http://hooks.example.com/", LOCAL)).toBe("scheme");
    expect(refusal("https://hooks.example.com:8443/x")).toBe("allowed");
  });

  it("refuses every other scheme, whatever the host", () => {
    for (const url of [
      "ftp://hooks.example.com/",
      "file:///etc/passwd",
      "gopher://127.0.0.1:6379/_INFO",
      "ws://hooks.example.com/",
      "wss://hooks.example.com/",
      "data:application/json,{}",
      "javascript:alert(1)",
      "blob:https://hooks.example.com/x",
    ]) {
      expect(refusal(url, LOCAL), url).toBe("scheme");
    }
  });

  it("refuses credentials in the URL, before anything else", () => {
    for (const url of [
      "https://user:pw@hooks.example.com/",
      "https://user@hooks.example.com/",
      "https://:pw@hooks.example.com/",
      "http://user@127.0.0.1/",
      "https://hooks.example.com@169.254.169.254/",
    ]) {
      expect(refusal(url, LOCAL), url).toBe("userinfo");
    }
  });

  it("refuses what is not an absolute URL, or not a host the parser accepts", () => {
    for (const url of [
      "",
      "hooks.example.com/token",
      "/relative",
      "http://1.2.3.4.5/",
      "http://[fe80::1%25eth0]/",
    ]) {
      expect(refusal(url, LOCAL), url).toBe("malformed");
    }
  });

  it("takes a URL object as well as a string", () => {
    expect(checkOutboundUrl(new URL("https://[::ffff:a9fe:a9fe]/"), DEPLOYED).ok).toBe(false);
    expect(checkOutboundUrl(new URL("https://hooks.example.com/"), DEPLOYED).ok).toBe(true);
  });
});
