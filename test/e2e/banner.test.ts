/// <reference types="node" />
/**
 * The banner `npm start` prints on first start: the curl it suggests must work as printed. The
 * request is rebuilt from the printed text itself (URL, -H headers, -d params), not from local.json.
 */
import { describe, expect, inject, it } from "vitest";

const warden = inject("warden");

interface CurlRequest {
  url: string;
  headers: Record<string, string>;
  data: string[];
}

/**
 * The banner's `curl …` command for a token, continuation lines joined. (wrangler dev prints a curl
 * of its own before it, for the system log's cron: `…/cdn-cgi/local/scheduled`.)
 */
function printedCurl(output: string): string {
  const commands = [...output.matchAll(/^[ \t]*(curl (?:[^\n]*\\\n)*[^\n]*)$/gm)].map((m) =>
    (m[1] as string).replace(/\\\n/g, " "),
  );
  const token = commands.find((command) => command.includes("/v1/token"));
  if (!token) throw new Error(`no curl command for a token in the output:\n${output}`);
  return token;
}

/** POSIX-shell words: whitespace-separated, with '…' and "…" quoting and backslash escapes. */
function shellWords(command: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const ch = command[i] as string;
    if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (ch === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw new Error("unterminated '");
      word = (word ?? "") + command.slice(i + 1, end);
      i = end;
    } else if (ch === '"') {
      let value = "";
      for (i++; i < command.length && command[i] !== '"'; i++) {
        if (command[i] === "\\" && /["\\$`]/.test(command[i + 1] ?? "")) i++;
        value += command[i];
      }
      if (i >= command.length) throw new Error('unterminated "');
      word = (word ?? "") + value;
    } else if (ch === "\\") {
      word = (word ?? "") + (command[++i] ?? "");
    } else {
      word = (word ?? "") + ch;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** The curl options the banner uses; anything else fails the test rather than being ignored. */
function parseCurl(command: string): CurlRequest {
  const [program, ...args] = shellWords(command);
  expect(program).toBe("curl");
  const request: CurlRequest = { url: "", headers: {}, data: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const next = () => {
      const value = args[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      return value;
    };
    if (arg === "-s" || arg === "--silent") continue;
    if (arg === "-H" || arg === "--header") {
      const header = next();
      const colon = header.indexOf(":");
      request.headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
    } else if (arg === "-d" || arg === "--data") {
      request.data.push(next());
    } else if (!arg.startsWith("-") && request.url === "") {
      request.url = arg;
    } else {
      throw new Error(`unexpected curl argument in the banner: ${arg}`);
    }
  }
  return request;
}

describe("npm start banner", () => {
  it("prints where Warden runs and the credentials it saved to local.json", () => {
    /** The value after a label such as `client id` on its own banner line. */
    const printed = (label: string) =>
      new RegExp(`^[ \\t]*${label}[ \\t]+(\\S+)`, "m").exec(warden.output)?.[1];
    expect(warden.output).toContain(`Warden is running at ${warden.baseUrl}`);
    expect(printed("issuer")).toBe(warden.issuer);
    expect(printed("client id")).toBe(warden.clientId);
    expect(printed("client secret")).toBe(warden.clientSecret);
    expect(printed("admin token")).toBe(warden.adminToken);
    expect(printed("saved to")).toBe(`${warden.stateDir}/local.json`);
    expect(warden.baseUrl).toBe(`http://127.0.0.1:${warden.port}`);
    expect(warden.issuer).toBe(`${warden.baseUrl}/oauth2/default`);
  });

  it("prints a curl that gets an access token", async () => {
    const curl = parseCurl(printedCurl(warden.output));
    expect(curl.url).toBe(`${warden.issuer}/v1/token`);
    expect(curl.data).toContain("grant_type=client_credentials");

    const authorization = curl.headers.Authorization ?? "";
    expect(authorization).toMatch(/^Basic [A-Za-z0-9+/]+=*$/);
    const decoded = Buffer.from(authorization.slice("Basic ".length), "base64").toString("utf8");
    expect(decoded).toBe(`${warden.clientId}:${warden.clientSecret}`);

    // What curl does with -d: POST, the pieces joined with '&', as a form.
    const res = await fetch(curl.url, {
      method: "POST",
      headers: { ...curl.headers, "Content-Type": "application/x-www-form-urlencoded" },
      body: curl.data.join("&"),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: "Bearer", scope: "orders:read" });
    expect(body.access_token).toEqual(expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/));
    expect(body.expires_in).toBe(3600);
  });

  it("prints the demo admin it seeded: an ACTIVE SUPER_ADMIN with the printed password", async () => {
    const printed = (label: string) =>
      new RegExp(`^[ \\t]*${label}[ \\t]+(\\S+)`, "m").exec(warden.output)?.[1];
    expect(printed("admin login")).toBe(warden.demoAdmin.login);
    expect(printed("admin password")).toBe(warden.demoAdmin.password);
    const api = (path: string) =>
      fetch(`${warden.baseUrl}/api/v1${path}`, { headers: { Authorization: `SSWS ${warden.adminToken}` } });
    const user = (await (await api(`/users/${encodeURIComponent(warden.demoAdmin.login)}`)).json()) as {
      id: string;
      status: string;
    };
    expect(user).toMatchObject({ id: warden.demoAdmin.id, status: "ACTIVE" });
    const roles = (await (await api(`/users/${user.id}/roles`)).json()) as { type: string }[];
    expect(roles.map((r) => r.type)).toEqual(["SUPER_ADMIN"]);
    // The printed password is the user's: /api/v1/authn takes it.
    const authn = await fetch(`${warden.baseUrl}/api/v1/authn`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: warden.demoAdmin.login, password: warden.demoAdmin.password }),
    });
    expect(((await authn.json()) as { status: string }).status).toBe("SUCCESS");
  });

  // start.mjs must not print the banner before the printed curl works: a readiness probe through
  // /oauth2/default would leave a cached "not found" behind for a few seconds.
  it("serves the printed curl the moment the banner appears", () => {
    expect(warden.firstTokenResponse.status, warden.firstTokenResponse.body).toBe(200);
  });
});
