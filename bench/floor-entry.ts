/**
 * Bench-only Worker, never deployed: the smallest Worker that does a token endpoint's job at all —
 * the floor Warden's cold-start ratio is read against (issue 13 item 5, bench/lib/startup.mjs
 * `floorColdStarts`). `POST …/v1/token` with `grant_type=client_credentials` and HTTP Basic client
 * credentials: the form body read with URLSearchParams, the secret compared, the private JWK imported
 * on the isolate's first token (jose `importJWK`, as a cold Warden imports its key), an Okta-shaped
 * access-token claim set signed (jose `SignJWT`), the RFC 6749 §5.1 answer with `Cache-Control:
 * no-store`. Refusals are RFC 6749 §5.2 errors with Warden's strings.
 *
 * What it is not: an authorization server. No configuration, policy, scopes, audiences, rate limits,
 * system log, key rotation or revocation; one client and one key per instance, both bindings set by
 * the bench (the key generated per run, so no key material lives in the repository). The secret is
 * compared with `===`, not in constant time: it never guards anything. Its cost on a new isolate is
 * what the runtime charges for compiling and running jose's signing path and answering at all, so
 * Warden's first token above it is Warden's own.
 */
import { importJWK, type JWK, SignJWT } from "jose";

interface FloorEnv {
  CLIENT_ID: string;
  CLIENT_SECRET: string;
  /** The private JWK (with `alg` and `kid`) as JSON: RS256 like the cold-start server, or ES256. */
  SIGNING_JWK: string;
}

/** The imported key, once per isolate: the first token pays the import, the next ones do not. */
let signingKey: Promise<{ key: CryptoKey | Uint8Array; alg: string; kid: string }> | undefined;

function keyOf(env: FloorEnv) {
  signingKey ??= (async () => {
    const jwk = JSON.parse(env.SIGNING_JWK) as JWK & { alg: string; kid: string };
    return { key: await importJWK(jwk, jwk.alg), alg: jwk.alg, kid: jwk.kid };
  })();
  return signingKey;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: {
      "Content-Type": "application/json",
      "Cache-Control": "no-store",
      Pragma: "no-cache",
      ...headers,
    },
  });

/** RFC 6749 §2.3.1: client id and secret are form-encoded inside the Basic credentials. */
function basicCredentials(header: string | null): [string, string] | undefined {
  if (!header?.startsWith("Basic ")) return undefined;
  try {
    const decoded = atob(header.slice(6));
    const colon = decoded.indexOf(":");
    if (colon < 0) return undefined;
    const part = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
    return [part(decoded.slice(0, colon)), part(decoded.slice(colon + 1))];
  } catch {
    return undefined;
  }
}

export default {
  async fetch(request: Request, env: FloorEnv): Promise<Response> {
    const url = new URL(request.url);
    if (request.method !== "POST" || !url.pathname.endsWith("/v1/token"))
      return new Response(null, { status: 404 });
    const form = new URLSearchParams(await request.text());
    if (form.get("grant_type") !== "client_credentials")
      return json(400, {
        error: "unsupported_grant_type",
        error_description: "The grant type is not supported.",
      });
    const [clientId, secret] = basicCredentials(request.headers.get("Authorization")) ?? [];
    if (clientId !== env.CLIENT_ID || secret !== env.CLIENT_SECRET)
      return json(
        401,
        {
          error: "invalid_client",
          error_description:
            "Client authentication failed. Either the client or the client credentials are invalid.",
        },
        { "WWW-Authenticate": 'Basic realm="floor"' },
      );
    const scope = form.get("scope") ?? "";
    const { key, alg, kid } = await keyOf(env);
    const now = Math.floor(Date.now() / 1000);
    // Okta's access-token profile: `ver`, `jti`, `iss`, `aud`, `iat`, `exp`, `cid`, `scp`, `sub`.
    const accessToken = await new SignJWT({ ver: 1, cid: clientId, scp: scope.split(" ").filter(Boolean) })
      .setProtectedHeader({ alg, kid })
      .setJti(`AT.${crypto.randomUUID()}`)
      .setIssuer(`${url.origin}${url.pathname.slice(0, -"/v1/token".length)}`)
      .setAudience("api://bench")
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .setSubject(clientId)
      .sign(key);
    return json(200, { token_type: "Bearer", expires_in: 3600, access_token: accessToken, scope });
  },
} satisfies ExportedHandler<FloorEnv>;
