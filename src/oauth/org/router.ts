/**
 * Okta's org authorization server: issuer = the org URL, endpoints at `/oauth2/v1/*`, metadata at the
 * origin's well-known names (RFC 8414 §3 for an issuer without a path). It mints access tokens for
 * the management API (client_credentials with private_key_jwt, okta.* scopes: DESIGN §2) and signs
 * users in (authorization_code: /oauth2/v1/authorize, the sign-in pages and /oauth2/v1/logout are
 * src/signin/'s; the token endpoint and userinfo are here). Its keys come from their own key vault
 * (`ORG_KEYS_ID`), created by the control plane.
 *
 * The origin's `/.well-known/` also holds RFC 8414 §3.1's location for every custom server's metadata
 * (the well-known name inserted before the issuer's path), beside Okta's appended form.
 */
import { type Context, Hono } from "hono";
import { DEFAULT_SIGNING_ALG, ORG_KEYS_ID } from "../../config/defaults";
import type { AppEnv, BindPorts } from "../../context";
import { CORS_POLICIES, withCors } from "../cors";
import {
  discoveryEndpoint,
  orgServerMetadata,
  withOpenIdMembers,
  withOrgUserinfoMembers,
} from "../discovery";
import { keysEndpoint, keysetMetadataResponse, requireKeyset } from "../keys";
import { metadataPreflight, preparedDocument } from "../metadata-response";
import { requireOrgUrl } from "../org-url";
import { forServer, withPorts } from "../server-context";
import { tokenEndpoint } from "../token";
import { type UserinfoServer, userinfoEndpoint } from "../userinfo";
import { orgServer } from "./org-server";

/** The org server's own metadata; each also answers CORS preflights, as a custom server's does. */
const ORG_METADATA_PATHS = [
  "/oauth2/v1/keys",
  "/.well-known/oauth-authorization-server",
  "/.well-known/openid-configuration",
] as const;

/** RFC 8414 §3.1's location of a custom server's metadata. */
const INSERTED_METADATA_PATH = "/.well-known/oauth-authorization-server/oauth2/:as";

export function orgRouter(bind: BindPorts) {
  const router = new Hono<AppEnv>();
  const org = (handler: Parameters<typeof withPorts>[1]) => withPorts(bind, handler);
  // Public metadata, readable from any origin and revalidated by ETag, as a custom server's.
  router.get("/oauth2/v1/keys", org(keysEndpoint(() => ORG_KEYS_ID)));
  router.get(
    "/.well-known/oauth-authorization-server",
    org((c) => orgMetadata(c, "oauth-authorization-server", (issuer) => orgServerMetadata(issuer))),
  );
  router.get(
    "/.well-known/openid-configuration",
    org((c) =>
      // The org server's keys are always the default algorithm (ORG_SIGNING in the control plane).
      orgMetadata(c, "openid-configuration", (issuer) =>
        withOrgUserinfoMembers(withOpenIdMembers(orgServerMetadata(issuer), DEFAULT_SIGNING_ALG), issuer),
      ),
    ),
  );
  for (const path of ORG_METADATA_PATHS) router.options(path, metadataPreflight);
  router.get(INSERTED_METADATA_PATH, forServer(bind, discoveryEndpoint()));
  router.options(INSERTED_METADATA_PATH, forServer(bind, metadataPreflight));

  // One route for every method, as a custom server's: the endpoint answers other methods itself.
  router.all("/oauth2/v1/token", orgTokenRoute(bind));
  // OIDC Core §5.3 for users signed in through the org server (/oauth2/v1/authorize, src/signin/).
  router.all(
    "/oauth2/v1/userinfo",
    withCors(bind, CORS_POLICIES.userinfo, org(userinfoEndpoint(orgUserinfoServer))),
  );
  return router;
}

/** The org server's token endpoint, as this router mounts it and as src/app.ts `createTokenApp` does. */
export function orgTokenRoute(bind: BindPorts) {
  return withCors(
    bind,
    CORS_POLICIES.token,
    withPorts(
      bind,
      tokenEndpoint((c) => orgServer(orgIssuer(c))),
    ),
  );
}

/** The org server's userinfo: its own keys, `aud` the org URL, Okta's profile, no custom claims. */
function orgUserinfoServer(c: Context<AppEnv>): UserinfoServer {
  const issuer = orgIssuer(c);
  return {
    keysetId: ORG_KEYS_ID,
    issuer,
    audiences: [issuer],
    profile: "okta",
    customClaims: () => ({}),
  };
}

/** Okta's org authorization server's issuer: the org URL, never the `Host` header (DESIGN §8). */
function orgIssuer(c: Context<AppEnv>): string {
  return requireOrgUrl(c.get("ports").settings, c.req.url);
}

/** The org server's metadata documents, serialized once per org keyset and issuer. */
async function orgMetadata(
  c: Context<AppEnv>,
  name: string,
  build: (issuer: string) => object,
): Promise<Response> {
  const keyset = await requireKeyset(c.get("ports"), ORG_KEYS_ID);
  const issuer = orgIssuer(c);
  const document = await preparedDocument(keyset, `${name} ${issuer}`, () => build(issuer));
  return keysetMetadataResponse(c, keyset, document);
}
