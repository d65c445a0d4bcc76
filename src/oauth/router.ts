/** The protocol endpoints of one custom authorization server, mounted at `/oauth2/{as}`. */
import { Hono } from "hono";
import type { AppEnv, BindPorts } from "../context";
import { lazyHandler } from "../http/lazy-handler";
import { CORS_POLICIES, withCors } from "./cors";
import { customServer } from "./custom-server";
import { discoveryEndpoint, openIdConfigurationEndpoint } from "./discovery";
import { keysEndpoint } from "./keys";
import { metadataPreflight } from "./metadata-response";
import { forServer } from "./server-context";
import { tokenEndpoint } from "./token";
import { userinfoEndpoint } from "./userinfo";

// Introspection, revocation and device authorization load on their first request
// (src/http/lazy-handler.ts): a new isolate that serves tokens does not parse them (issue 13 item 5).
const introspectModule = () => import("./introspect");
const revokeModule = () => import("./revoke");
const deviceAuthorizeModule = () => import("./device-authorize");

const METADATA_PATHS = [
  "/v1/keys",
  "/.well-known/oauth-authorization-server",
  "/.well-known/openid-configuration",
] as const;

/**
 * The OAuth protocol surface, custom and org servers alike (`/oauth2/…` and the origin's
 * `/.well-known/…`): errors there are RFC 6749 §5.2 documents, whatever their cause.
 */
export function isOAuthProtocolPath(path: string): boolean {
  return path.startsWith("/oauth2/") || path.startsWith("/.well-known/");
}

export function oauthRouter(bind: BindPorts) {
  const router = new Hono<AppEnv>();
  const server = (handler: Parameters<typeof forServer>[1]) => forServer(bind, handler);

  // Public metadata is readable from any origin: its responses say so themselves, and are
  // revalidated by ETag (RFC 9110 §13.1.2). The endpoints a browser app calls answer trusted
  // origins only (src/oauth/cors.ts).
  router.get("/v1/keys", server(keysEndpoint()));
  router.get("/.well-known/oauth-authorization-server", server(discoveryEndpoint()));
  router.get("/.well-known/openid-configuration", server(openIdConfigurationEndpoint()));
  for (const path of METADATA_PATHS) router.options(path, server(metadataPreflight));

  // One route for every method, so that a token request runs one handler and no middleware chain;
  // the endpoint answers other methods itself.
  router.all("/v1/token", customTokenRoute(bind));
  // OIDC Core §5.3: GET and POST; the endpoint answers other methods itself. Browser apps call it
  // cross-origin (okta-auth-js): CORS for trusted origins, as the token endpoint.
  router.all("/v1/userinfo", withCors(bind, CORS_POLICIES.userinfo, server(userinfoEndpoint())));
  // RFC 7662 and RFC 7009 (issue 12): okta-auth-js calls both from the browser.
  router.all(
    "/v1/introspect",
    withCors(
      bind,
      CORS_POLICIES.introspect,
      server(lazyHandler(() => introspectModule().then((m) => m.introspectEndpoint()))),
    ),
  );
  router.all(
    "/v1/revoke",
    withCors(
      bind,
      CORS_POLICIES.revoke,
      server(lazyHandler(() => revokeModule().then((m) => m.revokeEndpoint()))),
    ),
  );

  // RFC 8628 §3.1: devices, not browser apps, call it (no CORS); the endpoint answers other methods itself.
  router.all(
    "/v1/device/authorize",
    server(lazyHandler(() => deviceAuthorizeModule().then((m) => m.deviceAuthorizeEndpoint()))),
  );
  return router;
}

/**
 * A custom server's token endpoint (`/oauth2/{as}/v1/token`), as this router mounts it and as the
 * token endpoints' own app does (src/app.ts `createTokenApp`).
 */
export function customTokenRoute(bind: BindPorts) {
  return withCors(
    bind,
    CORS_POLICIES.token,
    forServer(
      bind,
      tokenEndpoint((c) => customServer(c.get("snapshot"), c.get("issuer"))),
    ),
  );
}
