/**
 * `/api/v1/apps`, Okta's Apps API for OAuth clients (`name: "oidc_client"`, `signOnMode:
 * "OPENID_CONNECT"`, the OIDC settings and their rules in src/config/oidc-app.ts): list (`limit`/`after` with `Link` headers, `q` on the label), create, get,
 * replace, delete, `lifecycle/activate|deactivate`, and client secret rotation under
 * `credentials/secrets`. The app's `id` is its `client_id`, as in Okta. Every read and write goes
 * through the control plane; a secret's value appears only in the response that created it.
 * Writes carry the caller's rights: changing the credentials or status of an app that holds okta.*
 * grants needs them all (src/control-plane/client-rights.ts), else 403 E0000006 and nothing changes.
 */
import { type Context, Hono } from "hono";
import * as z from "zod";
import {
  ADMIN_BODY_MAX_BYTES,
  APP_BODY_MAX_BYTES,
  APPS_PAGE_LIMIT,
  JSON_MAX_DEPTH,
} from "../config/defaults";
import { toIssues } from "../config/issues";
import { oidcSettings } from "../config/oidc-app";
import type { Client, ClientSecret } from "../config/schemas";
import type { AppEnv, BindPorts } from "../context";
import { assignedApps } from "../directory/assigned-apps";
import { deleteAppAssignments } from "../directory/assignments";
import { readJsonBody } from "../http/json-body";
import { parseAppFilter } from "./app-filter";
import { controlPlane, notFound } from "./control-plane-client";
import { revokeGrants } from "./grant-revocation";
import {
  adminOrigin,
  LIFECYCLE,
  lifecycleLinks,
  pageLimit,
  setPageLinks,
  validationFailed,
  type WriteAnswer,
  written,
} from "./responses";

/**
 * The Okta app envelope. Its `oauthClient` members are checked by the client schema itself (after
 * the mapping below), so every client rule applies here exactly as on import.
 */
const OidcAppBody = z.object({
  name: z.literal("oidc_client", { error: "must be 'oidc_client', the only app type Warden supports" }),
  label: z.string().trim().min(1).max(100),
  signOnMode: z.literal("OPENID_CONNECT", { error: "must be 'OPENID_CONNECT'" }),
  /** Okta's app profile: custom attributes, read by claim expressions as `app.profile.*`. */
  profile: z.unknown().optional(),
  credentials: z
    .object({
      oauthClient: z
        .object({
          client_id: z.unknown().optional(),
          token_endpoint_auth_method: z.unknown().optional(),
          autoKeyRotation: z.boolean().optional(),
          pkce_required: z.unknown().optional(),
        })
        .prefault({}),
    })
    .prefault({}),
  settings: z.object({
    oauthClient: z.object({
      grant_types: z.unknown().optional(),
      redirect_uris: z.unknown().optional(),
      post_logout_redirect_uris: z.unknown().optional(),
      response_types: z.unknown().optional(),
      application_type: z.unknown().optional(),
      consent_method: z.unknown().optional(),
      initiate_login_uri: z.unknown().optional(),
      refresh_token: z.unknown().optional(),
      jwks: z.unknown().optional(),
      jwks_uri: z.unknown().optional(),
    }),
  }),
});

/** Where each client field lives in Okta's app: issues name the field the admin sent. */
const OKTA_PATHS: Record<string, string> = {
  client_id: "credentials.oauthClient.client_id",
  client_name: "label",
  token_endpoint_auth_method: "credentials.oauthClient.token_endpoint_auth_method",
  grant_types: "settings.oauthClient.grant_types",
  redirect_uris: "settings.oauthClient.redirect_uris",
  post_logout_redirect_uris: "settings.oauthClient.post_logout_redirect_uris",
  response_types: "settings.oauthClient.response_types",
  application_type: "settings.oauthClient.application_type",
  consent_method: "settings.oauthClient.consent_method",
  initiate_login_uri: "settings.oauthClient.initiate_login_uri",
  refresh_token: "settings.oauthClient.refresh_token",
  pkce_required: "credentials.oauthClient.pkce_required",
  jwks: "settings.oauthClient.jwks",
  jwks_uri: "settings.oauthClient.jwks_uri",
  secrets: "credentials.oauthClient.client_secret",
};

/** `bind` and `now`: deactivating or deleting an app revokes its grants (src/admin/grant-revocation.ts). */
export function appsRouter(bind: BindPorts, now: () => number) {
  const router = new Hono<AppEnv>();

  router.get("/", async (c) => {
    const pageSize = pageLimit(c.req.query("limit"), APPS_PAGE_LIMIT);
    const q = c.req.query("q");
    const after = c.req.query("after");
    const filter = c.req.query("filter");
    if (filter !== undefined) return filteredApps(c, filter, { limit: pageSize, q, after });
    const page = await controlPlane(c.env).listClients({
      limit: pageSize,
      ...(q ? { q } : {}),
      ...(after ? { after } : {}),
    });
    setPageLinks(c, "/api/v1/apps", { limit: pageSize, q, after, next: page.next });
    const origin = adminOrigin(c);
    return c.json(page.clients.map((client) => oktaApp(client, origin)));
  });

  router.post("/", async (c) => {
    const fields = clientFields(
      await readJsonBody(c.req.raw, { maxDepth: JSON_MAX_DEPTH, maxBytes: APP_BODY_MAX_BYTES }),
    );
    const status = c.req.query("activate") === "false" ? "INACTIVE" : "ACTIVE";
    const result = await controlPlane(c.env).createClient({ ...fields, status }, c.get("admin").rights);
    const { client, secret } = written(result, appAnswer(""));
    // Okta answers an app's creation with 200, not 201.
    return c.json(oktaApp(client, adminOrigin(c), secret));
  });

  router.get("/:id", async (c) => {
    const id = c.req.param("id");
    const client = (await controlPlane(c.env).getClientRecord(id)) ?? notFound(id, "App");
    return c.json(oktaApp(client, adminOrigin(c)));
  });

  router.put("/:id", async (c) => {
    const id = c.req.param("id");
    const body = await readJsonBody(c.req.raw, { maxDepth: JSON_MAX_DEPTH, maxBytes: APP_BODY_MAX_BYTES });
    const { client_id: _ignored, ...fields } = clientFields(body);
    const client = written(
      await controlPlane(c.env).replaceClient(id, fields, c.get("admin").rights),
      appAnswer(id),
    );
    return c.json(oktaApp(client, adminOrigin(c)));
  });

  router.delete("/:id", async (c) => {
    const id = c.req.param("id");
    written(await controlPlane(c.env).deleteClient(id), appAnswer(id));
    await deleteAppAssignments(c.env.DIRECTORY, id);
    await revokeGrants(c, bind, { clientId: id }, "app_deleted", now());
    return c.body(null, 204);
  });

  for (const [action, status] of LIFECYCLE) {
    // Okta answers the lifecycle operations with an empty object.
    router.post(`/:id/lifecycle/${action}`, async (c) => {
      const id = c.req.param("id");
      written(await controlPlane(c.env).setClientStatus(id, status, c.get("admin").rights), appAnswer(id));
      if (status === "INACTIVE") await revokeGrants(c, bind, { clientId: id }, "app_deactivated", now());
      return c.json({});
    });
  }

  router.get("/:id/credentials/secrets", async (c) => {
    const id = c.req.param("id");
    const client = (await controlPlane(c.env).getClientRecord(id)) ?? notFound(id, "App");
    return c.json(client.secrets.map((s) => oktaSecret(s, secretsUrl(c, id))));
  });

  router.post("/:id/credentials/secrets", async (c) => {
    const id = c.req.param("id");
    // Okta takes an optional body (a client_secret of the admin's choosing); Warden always generates one.
    await readJsonBody(c.req.raw, {
      maxDepth: JSON_MAX_DEPTH,
      maxBytes: ADMIN_BODY_MAX_BYTES,
      optional: true,
    });
    const { secret, value } = written(
      await controlPlane(c.env).createClientSecret(id, c.get("admin").rights),
      appAnswer(id),
    );
    return c.json(oktaSecret(secret, secretsUrl(c, id), value), 201);
  });

  router.get("/:id/credentials/secrets/:secretId", async (c) => {
    const { id, secretId } = c.req.param();
    const client = (await controlPlane(c.env).getClientRecord(id)) ?? notFound(id, "App");
    const secret = client.secrets.find((s) => s.id === secretId) ?? notFound(secretId, "ClientSecret");
    return c.json(oktaSecret(secret, secretsUrl(c, id)));
  });

  for (const [action, status] of LIFECYCLE) {
    router.post(`/:id/credentials/secrets/:secretId/lifecycle/${action}`, async (c) => {
      const { id, secretId } = c.req.param();
      const result = await controlPlane(c.env).setClientSecretStatus(
        id,
        secretId,
        status,
        c.get("admin").rights,
      );
      return c.json(oktaSecret(written(result, appAnswer(id, secretId)), secretsUrl(c, id)));
    });
  }

  router.delete("/:id/credentials/secrets/:secretId", async (c) => {
    const { id, secretId } = c.req.param();
    written(
      await controlPlane(c.env).deleteClientSecret(id, secretId, c.get("admin").rights),
      appAnswer(id, secretId),
    );
    return c.body(null, 204);
  });

  return router;
}

/** The Okta app body as client fields; the envelope's own problems are a 400 before any RPC. */
function clientFields(body: unknown): Record<string, unknown> {
  const parsed = OidcAppBody.safeParse(body);
  if (!parsed.success) {
    throw validationFailed(toIssues(parsed.error));
  }
  const { label, credentials, settings, profile } = parsed.data;
  const oauth = settings.oauthClient;
  const fields: Record<string, unknown> = {
    client_id: credentials.oauthClient.client_id,
    client_name: label,
    token_endpoint_auth_method: credentials.oauthClient.token_endpoint_auth_method,
    grant_types: oauth.grant_types,
    redirect_uris: oauth.redirect_uris,
    post_logout_redirect_uris: oauth.post_logout_redirect_uris,
    response_types: oauth.response_types,
    application_type: oauth.application_type,
    consent_method: oauth.consent_method,
    initiate_login_uri: oauth.initiate_login_uri,
    refresh_token: oauth.refresh_token,
    pkce_required: credentials.oauthClient.pkce_required,
    jwks: oauth.jwks,
    jwks_uri: oauth.jwks_uri,
    profile,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** How the apps API answers a failed client write: the missing app or secret, issues at Okta's paths. */
function appAnswer(id: string, secretId = ""): WriteAnswer<"client" | "secret"> {
  return {
    missing: (what) => (what === "secret" ? { id: secretId, kind: "ClientSecret" } : { id, kind: "App" }),
    issuePath: (path) => {
      const [head = "", ...rest] = path.split(".");
      return [Object.hasOwn(OKTA_PATHS, head) ? OKTA_PATHS[head] : head, ...rest].filter(Boolean).join(".");
    },
  };
}

/** Okta's OIDC app, built field by field so no secret hash can slip through. */
function oktaApp(client: Client, origin: string, secret?: string) {
  // Defaults for an app stored before these fields existed, as sign-in reads them (oidc-app.ts).
  const oidc = oidcSettings(client);
  const self = `${origin}/api/v1/apps/${encodeURIComponent(client.client_id)}`;
  return {
    id: client.client_id,
    name: "oidc_client",
    label: client.client_name,
    status: client.status,
    signOnMode: "OPENID_CONNECT",
    ...(client.profile === undefined ? {} : { profile: client.profile }),
    credentials: {
      oauthClient: {
        client_id: client.client_id,
        ...(secret === undefined ? {} : { client_secret: secret }),
        token_endpoint_auth_method: client.token_endpoint_auth_method,
        autoKeyRotation: true,
        pkce_required: oidc.pkce_required,
      },
    },
    settings: {
      oauthClient: {
        grant_types: client.grant_types,
        redirect_uris: client.redirect_uris,
        post_logout_redirect_uris: oidc.post_logout_redirect_uris,
        response_types: oidc.response_types,
        application_type: oidc.application_type,
        consent_method: oidc.consent_method,
        ...(oidc.initiate_login_uri === undefined ? {} : { initiate_login_uri: oidc.initiate_login_uri }),
        ...(oidc.refresh_token ? { refresh_token: oidc.refresh_token } : {}),
        ...(client.jwks ? { jwks: client.jwks } : {}),
        ...(client.jwks_uri ? { jwks_uri: client.jwks_uri } : {}),
      },
    },
    _links: {
      self: {
        href: self,
        hints: { allow: ["GET", "PUT", ...(client.status === "INACTIVE" ? ["DELETE"] : [])] },
      },
      secrets: { href: `${self}/credentials/secrets` },
      ...lifecycleLinks(self, client.status),
    },
  };
}

function secretsUrl(c: Context<AppEnv>, clientId: string): string {
  return `${adminOrigin(c)}/api/v1/apps/${encodeURIComponent(clientId)}/credentials/secrets`;
}

/** Okta's OAuth2ClientSecret; `client_secret` only in the response that created it. */
function oktaSecret(secret: ClientSecret, base: string, value?: string) {
  const self = `${base}/${secret.id}`;
  return {
    id: secret.id,
    status: secret.status,
    ...(value === undefined ? {} : { client_secret: value }),
    created: secret.created,
    lastUpdated: secret.created,
    _links: {
      ...lifecycleLinks(self, secret.status),
      // Only an INACTIVE secret may be deleted.
      ...(secret.status === "ACTIVE" ? {} : { delete: { href: self, hints: { allow: ["DELETE"] } } }),
    },
  };
}

/**
 * Okta's `filter=user.id eq "…"` / `group.id eq "…"` (src/admin/app-filter.ts): the apps the
 * directory assigns to that user or group, a page at a time in id order, read from the control plane
 * one by one (a page is at most APPS_PAGE_LIMIT.max apps). `q` does not combine with it (400).
 */
async function filteredApps(
  c: Context<AppEnv>,
  filter: string,
  page: { limit: number; q: string | undefined; after: string | undefined },
) {
  const to = parseAppFilter(filter);
  if (page.q !== undefined)
    throw validationFailed([{ path: "q", message: "cannot be combined with filter" }]);
  if (page.after !== undefined && !/^[\x21-\x7e]{1,256}$/.test(page.after)) {
    throw validationFailed([{ path: "after", message: "is not a cursor this API returned" }]);
  }
  const { appIds, next } = await assignedApps(c.env.DIRECTORY, to, {
    limit: page.limit,
    ...(page.after === undefined ? {} : { after: page.after }),
  });
  const plane = controlPlane(c.env);
  // An assignment row outlives nothing: deleting an app deletes its rows; one racing that delete is skipped.
  const clients: Client[] = [];
  for (const client of await Promise.all(appIds.map((id) => plane.getClientRecord(id)))) {
    if (client) clients.push(client);
  }
  setPageLinks(c, "/api/v1/apps", { limit: page.limit, filter, after: page.after, next });
  const origin = adminOrigin(c);
  return c.json(clients.map((client) => oktaApp(client, origin)));
}
