/**
 * The OpenID Connect settings of an app (Okta's `settings.oauthClient`) and the rules that keep
 * them coherent with its `application_type`. Pure, without zod: the client schema (schemas.ts)
 * fills the defaults and reports the issues; sign-in code reads a client through `oidcSettings`,
 * which also gives the defaults for a client stored before these fields existed.
 *
 * What Warden chose, from Okta's Apps API reference (OpenIdConnectApplicationSettingsClient):
 * - `application_type` web | browser | native | service. Okta's default is web; Warden infers service
 *   for an app whose only grant is client_credentials (what every app stored before had) and web
 *   otherwise, so existing apps keep their meaning.
 * - Grant types each type may hold (Okta's table of allowed grants per app type):
 *     web      authorization_code, implicit, refresh_token, client_credentials, password,
 *              token-exchange, jwt-bearer
 *     browser  authorization_code, implicit, refresh_token (a public client: nothing it holds is secret)
 *     native   authorization_code, implicit, refresh_token, password, device_code, token-exchange,
 *              jwt-bearer
 *     service  client_credentials, token-exchange (Okta's service apps: machine to machine only)
 * - browser apps are public clients: `token_endpoint_auth_method: none`, PKCE required. web and
 *   service apps are confidential: never `none`. A client with `none` always needs PKCE
 *   (RFC 9700 §2.1.1: PKCE is what binds a public client's code to it).
 * - `refresh_token` needs a grant that signs a user in (authorization_code, password, device_code):
 *   Okta issues refresh tokens only alongside those.
 * - authorization_code and implicit need at least one redirect URI (RFC 6749 §3.1.2.2).
 * - `response_types` ⊆ what the grants produce: `code` with authorization_code, `token` and
 *   `id_token` with implicit (Okta also shows `token` for client_credentials). Default: derived.
 * - `consent_method` TRUSTED (Okta's default) | REQUIRED.
 * - `refresh_token` {rotation_type ROTATE | STATIC, leeway 0–60 s (30)}: present when the app may
 *   use refresh tokens; ROTATE by default for browser apps (Okta's SPA default), STATIC otherwise.
 */
import { REFRESH_TOKEN_LEEWAY_SECONDS } from "./defaults";
import type { ValidationIssue } from "./issues";
import { type RedirectAudience, redirectUriProblem } from "./origins";

export const APPLICATION_TYPES = ["web", "browser", "native", "service"] as const;
export type ApplicationType = (typeof APPLICATION_TYPES)[number];

export const RESPONSE_TYPES = ["code", "token", "id_token"] as const;
export type ResponseType = (typeof RESPONSE_TYPES)[number];

export const CONSENT_METHODS = ["TRUSTED", "REQUIRED"] as const;
export type ConsentMethod = (typeof CONSENT_METHODS)[number];

export const ROTATION_TYPES = ["ROTATE", "STATIC"] as const;
export type RotationType = (typeof ROTATION_TYPES)[number];

export interface RefreshTokenSettings {
  rotation_type: RotationType;
  leeway: number;
}

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code";
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

export const GRANTS_BY_APPLICATION_TYPE: Record<ApplicationType, readonly string[]> = {
  web: [
    "authorization_code",
    "implicit",
    "refresh_token",
    "client_credentials",
    "password",
    TOKEN_EXCHANGE,
    JWT_BEARER,
  ],
  browser: ["authorization_code", "implicit", "refresh_token"],
  native: [
    "authorization_code",
    "implicit",
    "refresh_token",
    "password",
    DEVICE_CODE,
    TOKEN_EXCHANGE,
    JWT_BEARER,
  ],
  service: ["client_credentials", TOKEN_EXCHANGE],
};

/** Grants that sign a user in, and so may come with refresh tokens. */
const USER_GRANTS: readonly string[] = ["authorization_code", "password", DEVICE_CODE];

/** The members of a client these rules read; everything else is the schema's business. */
export interface OidcFields {
  application_type?: ApplicationType | undefined;
  grant_types: readonly string[];
  token_endpoint_auth_method: string;
  redirect_uris: readonly string[];
  post_logout_redirect_uris?: readonly string[] | undefined;
  response_types?: readonly ResponseType[] | undefined;
  initiate_login_uri?: string | undefined;
  consent_method?: ConsentMethod | undefined;
  pkce_required?: boolean | undefined;
  refresh_token?: Partial<RefreshTokenSettings> | undefined;
}

/** Every OIDC setting with its value or default: what sign-in code reads, old records included. */
export interface OidcSettings {
  application_type: ApplicationType;
  response_types: ResponseType[];
  post_logout_redirect_uris: string[];
  consent_method: ConsentMethod;
  pkce_required: boolean;
  /** Absent when the app may not use refresh tokens. */
  refresh_token?: RefreshTokenSettings;
  initiate_login_uri?: string;
}

export function inferredApplicationType(grantTypes: readonly string[]): ApplicationType {
  return grantTypes.length > 0 && grantTypes.every((g) => g === "client_credentials") ? "service" : "web";
}

/** What the grants produce at the authorization endpoint (and Okta's `token` for client_credentials). */
export function derivedResponseTypes(grantTypes: readonly string[]): ResponseType[] {
  const types = new Set<ResponseType>();
  if (grantTypes.includes("authorization_code")) types.add("code");
  if (grantTypes.includes("implicit") || grantTypes.includes("client_credentials")) types.add("token");
  return [...types];
}

export function oidcSettings(client: OidcFields): OidcSettings {
  const type = client.application_type ?? inferredApplicationType(client.grant_types);
  const refresh = client.grant_types.includes("refresh_token") || client.refresh_token !== undefined;
  return {
    application_type: type,
    response_types: [...(client.response_types ?? derivedResponseTypes(client.grant_types))],
    post_logout_redirect_uris: [...(client.post_logout_redirect_uris ?? [])],
    consent_method: client.consent_method ?? "TRUSTED",
    pkce_required:
      client.pkce_required ??
      (type === "browser" || type === "native" || client.token_endpoint_auth_method === "none"),
    ...(refresh
      ? {
          refresh_token: {
            rotation_type: client.refresh_token?.rotation_type ?? (type === "browser" ? "ROTATE" : "STATIC"),
            leeway: client.refresh_token?.leeway ?? REFRESH_TOKEN_LEEWAY_SECONDS,
          },
        }
      : {}),
    ...(client.initiate_login_uri === undefined ? {} : { initiate_login_uri: client.initiate_login_uri }),
  };
}

/** The client with every OIDC default written out: what is stored, exported and shown. */
export function withOidcDefaults<T extends OidcFields>(client: T): T & OidcSettings {
  return { ...client, ...oidcSettings(client) };
}

/** Everything incoherent about the app's OIDC settings, at the client fields' own paths. */
export function oidcIssues(client: OidcFields): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const settings = oidcSettings(client);
  const type = settings.application_type;
  const allowed = GRANTS_BY_APPLICATION_TYPE[type];
  client.grant_types.forEach((grant, i) => {
    if (!allowed.includes(grant)) {
      issues.push({
        path: `grant_types.${i}`,
        message: `'${grant}' is not allowed for a ${type} app (allowed: ${allowed.join(", ")})`,
      });
    }
  });
  const method = client.token_endpoint_auth_method;
  if (type === "browser" && method !== "none") {
    issues.push({
      path: "token_endpoint_auth_method",
      message: "a browser app is a public client: it must be 'none'",
    });
  }
  if ((type === "web" || type === "service") && method === "none") {
    issues.push({
      path: "token_endpoint_auth_method",
      message: `a ${type} app is a confidential client: 'none' is for browser and native apps`,
    });
  }
  if ((type === "browser" || method === "none") && !settings.pkce_required) {
    issues.push({ path: "pkce_required", message: "a public client must require PKCE" });
  }
  if (
    client.grant_types.includes("refresh_token") &&
    !client.grant_types.some((g) => USER_GRANTS.includes(g))
  ) {
    issues.push({
      path: "grant_types",
      message:
        "refresh_token needs a grant that signs a user in (authorization_code, password or device_code)",
    });
  }
  const redirects =
    client.grant_types.includes("authorization_code") || client.grant_types.includes("implicit");
  if (redirects && client.redirect_uris.length === 0) {
    issues.push({ path: "redirect_uris", message: "required for authorization_code and implicit" });
  }
  const audience: RedirectAudience = type === "native" ? "native" : "web";
  const uris = (field: string, values: readonly string[]) =>
    values.forEach((uri, i) => {
      const problem = redirectUriProblem(uri, audience);
      if (problem) issues.push({ path: `${field}.${i}`, message: problem });
    });
  uris("redirect_uris", client.redirect_uris);
  uris("post_logout_redirect_uris", settings.post_logout_redirect_uris);
  if (client.initiate_login_uri !== undefined) {
    // A third party starts sign-in here from a browser (OIDC Core §4): https, as Okta requires.
    const problem = redirectUriProblem(client.initiate_login_uri, "web");
    if (problem) issues.push({ path: "initiate_login_uri", message: problem });
  }
  if (client.response_types !== undefined) {
    const produced: Record<ResponseType, boolean> = {
      code: client.grant_types.includes("authorization_code"),
      token: client.grant_types.includes("implicit") || client.grant_types.includes("client_credentials"),
      id_token: client.grant_types.includes("implicit"),
    };
    client.response_types.forEach((responseType, i) => {
      if (!produced[responseType]) {
        issues.push({
          path: `response_types.${i}`,
          message: `'${responseType}' needs the ${responseType === "code" ? "authorization_code" : "implicit"} grant`,
        });
      }
    });
  }
  if (client.refresh_token !== undefined && !client.grant_types.includes("refresh_token")) {
    issues.push({ path: "refresh_token", message: "only for an app with the refresh_token grant" });
  }
  return issues;
}
