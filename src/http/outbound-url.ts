/**
 * Where Warden's own outbound calls (token inline hooks, client `jwks_uri` documents) may go: only
 * public hosts over https (DESIGN §8). Loopback is allowed only in local development (`npm start`,
 * the worker tier), and then over http too; private, link-local, metadata and other non-public
 * targets never.
 *
 * The host is judged as the WHATWG URL parser normalises it, the same parser `fetch` then uses on
 * the very string this returns (`url.href`), so no spelling reaches the network unjudged: `127.1`,
 * `0x7f.1`, `2130706433`, `0177.0.0.1`, `127。0。0。1` all become `127.0.0.1`; `[::ffff:127.0.0.1]`
 * becomes `[::ffff:7f00:1]`; full-width or percent-encoded letters become ASCII.
 *
 * What this cannot see: a public name whose DNS answer is a private address (`127.0.0.1.nip.io`,
 * or a rebinding name). A Worker cannot resolve names itself, so the name is passed on as is. For
 * that case Warden relies on where a deployed Worker's subrequests leave from: Cloudflare's public
 * egress, which, as we understand the platform, has no route into Cloudflare's or a customer's
 * private networks (reaching those takes an explicit binding such as a Tunnel or Workers VPC), and
 * Cloudflare refuses hostnames whose records point at prohibited addresses. That is a property of
 * the platform, not of this code: a Warden run anywhere else (`npm start` resolves names on the
 * developer's machine) has no such guard for names.
 *
 * Pure: no I/O, no clock.
 */

/** The local-development switch (`ports.settings.localDevelopment`). */
export interface OutboundPolicy {
  /** Loopback targets (and plain http to them) are allowed: local development only. */
  allowLoopback: boolean;
}

/** Why a target is refused: a closed set, for logs and config messages. */
export type OutboundRefusal =
  /** Not an absolute URL. */
  | "malformed"
  /** Not https; plain http only to a loopback host in local development. */
  | "scheme"
  /** `user:password@` in the URL: credentials travel in headers (the hook's auth scheme). */
  | "userinfo"
  /** A loopback host outside local development. */
  | "loopback"
  /** An IP address outside the public unicast space. */
  | "non_public_address"
  /** A name that only a local resolver answers (`*.internal`, `*.local`, a single label). */
  | "non_public_name";

export type OutboundDecision =
  | { ok: true; url: URL }
  | { ok: false; reason: OutboundRefusal; detail: string };

/** Decides whether Warden may call `input`; on success, call `url.href` and nothing else. */
export function checkOutboundUrl(input: string | URL, policy: OutboundPolicy): OutboundDecision {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, reason: "malformed", detail: "not an absolute URL" };
  }
  if (url.username || url.password) {
    return { ok: false, reason: "userinfo", detail: "the URL carries credentials" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { ok: false, reason: "scheme", detail: `scheme ${url.protocol} is not https` };
  }
  const host = classifyHost(url.hostname);
  switch (host.kind) {
    case "loopback":
      if (!policy.allowLoopback) {
        return { ok: false, reason: "loopback", detail: `${url.hostname} is ${host.detail}` };
      }
      return { ok: true, url };
    case "non_public_address":
    case "non_public_name":
      return { ok: false, reason: host.kind, detail: `${url.hostname} is ${host.detail}` };
    case "public":
      if (url.protocol !== "https:") {
        return { ok: false, reason: "scheme", detail: "plain http is only for a loopback host" };
      }
      return { ok: true, url };
  }
}

export type HostClass =
  | { kind: "public" }
  | { kind: "loopback" | "non_public_address" | "non_public_name"; detail: string };

/** A WHATWG-normalised hostname (`URL.hostname`): an IPv4 address, a bracketed IPv6 one, or a name. */
export function classifyHost(hostname: string): HostClass {
  if (hostname.startsWith("[")) {
    const groups = parseIpv6(hostname.slice(1, -1));
    if (!groups) return { kind: "non_public_address", detail: "an IPv6 address that cannot be read" };
    return classifyIpv6(groups);
  }
  const v4 = parseIpv4(hostname);
  if (v4 !== undefined) return classifyIpv4(v4);
  return classifyName(hostname);
}

/** Suffixes that only a local resolver answers (RFC 6761, RFC 6762, RFC 8375, ICANN `.internal`). */
const LOCAL_SUFFIXES = [".internal", ".local", ".localdomain", ".home.arpa"];

function classifyName(hostname: string): HostClass {
  // `localhost.` and `localhost` are one name (a trailing dot only marks it fully qualified).
  const name = hostname.toLowerCase().replace(/\.+$/, "");
  // RFC 6761 §6.3: `localhost` and every name under it are loopback.
  if (name === "localhost" || name.endsWith(".localhost")) return { kind: "loopback", detail: "loopback" };
  const suffix = LOCAL_SUFFIXES.find((s) => name.endsWith(s) || name === s.slice(1));
  if (suffix) return { kind: "non_public_name", detail: `a local name (*${suffix})` };
  // A single label (`metadata`, `intranet`) resolves only through a local search domain.
  if (!name.includes(".")) return { kind: "non_public_name", detail: "a single-label name" };
  return { kind: "public" };
}

/** A dotted-decimal IPv4 address as a 32-bit number; undefined for anything else. */
function parseIpv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/** IANA's IPv4 special-purpose registry (RFC 6890 and successors), the non-public part. */
const IPV4_RANGES: readonly [cidr: string, label: string][] = [
  ["0.0.0.0/8", "this network"],
  ["10.0.0.0/8", "private (RFC 1918)"],
  ["100.64.0.0/10", "shared address space (CGNAT, RFC 6598)"],
  ["127.0.0.0/8", "loopback"],
  ["169.254.0.0/16", "link-local (cloud metadata services live here)"],
  ["172.16.0.0/12", "private (RFC 1918)"],
  ["192.0.0.0/24", "IETF protocol assignments"],
  ["192.0.2.0/24", "documentation (TEST-NET-1)"],
  ["192.88.99.0/24", "6to4 relay anycast (deprecated)"],
  ["192.168.0.0/16", "private (RFC 1918)"],
  ["198.18.0.0/15", "benchmarking"],
  ["198.51.100.0/24", "documentation (TEST-NET-2)"],
  ["203.0.113.0/24", "documentation (TEST-NET-3)"],
  ["224.0.0.0/4", "multicast"],
  ["240.0.0.0/4", "reserved (255.255.255.255 broadcast included)"],
];

interface Ipv4Range {
  start: number;
  size: number;
  cidr: string;
  label: string;
}

/**
 * Built on the first outbound call, not at module load: every isolate evaluates this module, few
 * ever call out, and parsing the table (with its regex) was a visible share of start-up CPU.
 */
let ipv4Table: readonly Ipv4Range[] | undefined;

function ipv4Ranges(): readonly Ipv4Range[] {
  ipv4Table ??= IPV4_RANGES.map(([cidr, label]) => {
    const [base, bits] = cidr.split("/") as [string, string];
    const size = 2 ** (32 - Number(bits));
    return { start: parseIpv4(base) as number, size, cidr, label };
  });
  return ipv4Table;
}

function classifyIpv4(address: number): HostClass {
  const range = ipv4Ranges().find((r) => address >= r.start && address < r.start + r.size);
  if (!range) return { kind: "public" };
  if (range.cidr === "127.0.0.0/8") return { kind: "loopback", detail: "loopback (127.0.0.0/8)" };
  return { kind: "non_public_address", detail: `in ${range.cidr}: ${range.label}` };
}

function ipv4From(high: number, low: number): number {
  return high * 65536 + low;
}

function dotted(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

/**
 * IPv6 (RFC 4291 §2.5, IANA's IPv6 special-purpose registry). Addresses that carry an IPv4 one are
 * judged as that address: IPv4-mapped `::ffff:0:0/96` and NAT64 `64:ff9b::/96` (RFC 6052) reach it
 * through a translator, 6to4 `2002::/16` through a relay. Everything outside global unicast
 * `2000::/3` is refused, and within it the protocol, documentation and 6to4-of-private prefixes.
 */
function classifyIpv6(g: readonly number[]): HostClass {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(7) && g7 === 1) return { kind: "loopback", detail: "loopback (::1)" };
  if (zeroUpTo(8)) return { kind: "non_public_address", detail: "the unspecified address (::)" };
  const embedded = (via: string, address: number): HostClass => {
    const inner = classifyIpv4(address);
    if (inner.kind === "public") return inner;
    return { ...inner, detail: `${via} ${dotted(address)}, ${inner.detail}` };
  };
  if (zeroUpTo(5) && g5 === 0xffff) return embedded("IPv4-mapped", ipv4From(g6, g7));
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return embedded("NAT64 (64:ff9b::/96) of", ipv4From(g6, g7));
  }
  if (g0 === 0x2002) return embedded("6to4 (2002::/16) of", ipv4From(g1, g2));
  const refuse = (detail: string): HostClass => ({ kind: "non_public_address", detail });
  if (g0 >= 0xfc00 && g0 <= 0xfdff) return refuse("in fc00::/7: unique local (ULA)");
  if (g0 >= 0xfe80 && g0 <= 0xfebf) return refuse("in fe80::/10: link-local");
  if (g0 >= 0xfec0 && g0 <= 0xfeff) return refuse("in fec0::/10: site-local (deprecated)");
  if (g0 >= 0xff00) return refuse("in ff00::/8: multicast");
  if (g0 < 0x2000 || g0 > 0x3fff) return refuse("outside global unicast (2000::/3)");
  if (g0 === 0x2001 && g1 === 0x0db8) return refuse("in 2001:db8::/32: documentation");
  if (g0 === 0x2001 && g1 < 0x0200)
    return refuse("in 2001::/23: IETF protocol assignments (Teredo included)");
  if (g0 === 0x3fff && g1 < 0x1000) return refuse("in 3fff::/20: documentation");
  return { kind: "public" };
}

/** Eight 16-bit groups, or undefined. Accepts `::` compression and a dotted IPv4 tail. */
function parseIpv6(text: string): number[] | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  // A dotted IPv4 tail is allowed only at the very end of the address.
  const groups = (part: string, last: boolean): number[] | undefined => {
    if (part === "") return [];
    const out: number[] = [];
    const pieces = part.split(":");
    for (const [i, piece] of pieces.entries()) {
      if (piece.includes(".")) {
        const v4 = last && i === pieces.length - 1 ? parseIpv4(piece) : undefined;
        if (v4 === undefined) return undefined;
        out.push(Math.floor(v4 / 65536), v4 % 65536);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return undefined;
        out.push(Number.parseInt(piece, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0] as string, halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1] as string, true) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}
