/** Where Warden is and how to authenticate: flags first, then WARDEN_URL and WARDEN_TOKEN. */
import type { Connection } from "./api";
import type { Options } from "./args";
import { CliError } from "./errors";

export function connectionFrom(
  options: Options,
  env: Readonly<Record<string, string | undefined>>,
): Connection {
  const url = options.url ?? env.WARDEN_URL;
  const token = options.token ?? env.WARDEN_TOKEN;
  if (!url) throw new CliError("no Warden URL: pass --url https://… or set WARDEN_URL");
  if (!token) throw new CliError("no admin token: set WARDEN_TOKEN (or pass --token)");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`--url / WARDEN_URL is not a URL: '${url}'`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new CliError(`--url / WARDEN_URL must be http(s), not '${parsed.protocol}'`);
  }
  return { url: parsed.origin + parsed.pathname.replace(/\/+$/, ""), token };
}
