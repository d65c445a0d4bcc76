/**
 * The apps screens' pure rules (test/unit/console-apps.test.ts runs them in Node): the four kinds of
 * app Okta's console offers and what each means on the wire, the form's draft and the Okta app body
 * it becomes, and where a refused write's cause belongs in the form.
 *
 * Okta's "Create App Integration" (OIDC) asks for the kind first and fixes from it
 * `settings.oauthClient.application_type` and `credentials.oauthClient.token_endpoint_auth_method`:
 *   API Services        service  client_secret_basic  (machine to machine: client_credentials)
 *   Web Application     web      client_secret_basic  (a confidential client with a back end)
 *   Single-Page App     browser  none + PKCE          (a public client: nothing in a browser is secret)
 *   Native Application  native   none + PKCE          (a public client: an installed app keeps no secret)
 * The grant types offered for each kind are the server's table (src/config/oidc-app.ts,
 * GRANTS_BY_APPLICATION_TYPE); the server checks them again, and its causes are shown, not ours.
 */
import { type FieldError, splitCause } from "./parse";

export const APP_KINDS = ["service", "web", "spa", "native"] as const;
export type AppKind = (typeof APP_KINDS)[number];

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code";
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

export interface KindInfo {
  label: string;
  /** One sentence on when to choose it. */
  description: string;
  applicationType: "service" | "web" | "browser" | "native";
  authMethod: "client_secret_basic" | "none";
  /** The grant types this kind may hold, in the order the form lists them. */
  grants: readonly string[];
  /** What a new app of this kind starts with (Okta's console defaults). */
  defaultGrants: readonly string[];
  /** Whether the kind signs users in (redirect URIs, consent make sense). */
  signsUsersIn: boolean;
}

export const KINDS: Record<AppKind, KindInfo> = {
  service: {
    label: "API service",
    description: "Machine to machine: a back end that gets tokens for itself with its client secret.",
    applicationType: "service",
    authMethod: "client_secret_basic",
    grants: ["client_credentials", TOKEN_EXCHANGE],
    defaultGrants: ["client_credentials"],
    signsUsersIn: false,
  },
  web: {
    label: "Web application",
    description: "A server-side app that signs users in and keeps a client secret.",
    applicationType: "web",
    authMethod: "client_secret_basic",
    grants: [
      "authorization_code",
      "refresh_token",
      "client_credentials",
      "implicit",
      "password",
      TOKEN_EXCHANGE,
      JWT_BEARER,
    ],
    defaultGrants: ["authorization_code"],
    signsUsersIn: true,
  },
  spa: {
    label: "Single-page app",
    description: "Runs in the browser: a public client, no secret, PKCE required.",
    applicationType: "browser",
    authMethod: "none",
    grants: ["authorization_code", "refresh_token", "implicit"],
    defaultGrants: ["authorization_code"],
    signsUsersIn: true,
  },
  native: {
    label: "Native app",
    description: "A mobile or desktop app: a public client, no secret, PKCE required.",
    applicationType: "native",
    authMethod: "none",
    grants: [
      "authorization_code",
      "refresh_token",
      "implicit",
      "password",
      DEVICE_CODE,
      TOKEN_EXCHANGE,
      JWT_BEARER,
    ],
    defaultGrants: ["authorization_code"],
    signsUsersIn: true,
  },
};

/** The grant types as Okta's console names them. */
export const GRANT_LABELS: Record<string, string> = {
  client_credentials: "Client credentials",
  authorization_code: "Authorization code",
  refresh_token: "Refresh token",
  implicit: "Implicit (hybrid)",
  password: "Resource owner password",
  [TOKEN_EXCHANGE]: "Token exchange",
  [DEVICE_CODE]: "Device authorization",
  [JWT_BEARER]: "JWT bearer",
};

export const grantLabel = (grant: string): string => GRANT_LABELS[grant] ?? grant;

/** The kind of a stored app, from its `application_type` (Okta fixes it at creation). */
export function kindOf(applicationType: string | undefined): AppKind {
  switch (applicationType) {
    case "service":
      return "service";
    case "browser":
      return "spa";
    case "native":
      return "native";
    default:
      return "web";
  }
}

/** Whether an app with this method authenticates with client secrets (and so has any to rotate). */
export const usesSecrets = (authMethod: string | undefined): boolean =>
  authMethod === "client_secret_basic" || authMethod === "client_secret_post";

/** What the app form edits. URIs are text, one a line, as typed. */
export interface AppDraft {
  kind: AppKind;
  label: string;
  grantTypes: string[];
  redirectUris: string;
  postLogoutRedirectUris: string;
  consentMethod: "TRUSTED" | "REQUIRED";
}

export function newDraft(kind: AppKind): AppDraft {
  return {
    kind,
    label: "",
    grantTypes: [...KINDS[kind].defaultGrants],
    redirectUris: "",
    postLogoutRedirectUris: "",
    consentMethod: "TRUSTED",
  };
}

/** Another kind chosen in the form: its default grants (the old kind's may not be allowed). */
export function withKind(draft: AppDraft, kind: AppKind): AppDraft {
  return { ...draft, kind, grantTypes: [...KINDS[kind].defaultGrants] };
}

/** One URI a line; blank lines and the spaces around a URI dropped. The server validates each. */
export function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/** The Okta OIDC app as the console reads it (src/admin/apps.ts, `oktaApp`). */
export interface OidcApp {
  id: string;
  name: "oidc_client";
  label: string;
  status: "ACTIVE" | "INACTIVE";
  signOnMode: "OPENID_CONNECT";
  profile?: unknown;
  credentials: {
    oauthClient: {
      client_id: string;
      client_secret?: string;
      token_endpoint_auth_method: string;
      autoKeyRotation?: boolean;
      pkce_required?: boolean;
    };
  };
  settings: {
    oauthClient: {
      grant_types: string[];
      redirect_uris: string[];
      post_logout_redirect_uris?: string[];
      response_types?: string[];
      application_type?: string;
      consent_method?: "TRUSTED" | "REQUIRED";
      initiate_login_uri?: string;
      refresh_token?: unknown;
      jwks?: unknown;
      jwks_uri?: string;
    };
  };
  [other: string]: unknown;
}

export function draftOf(app: OidcApp): AppDraft {
  const oauth = app.settings.oauthClient;
  return {
    kind: kindOf(oauth.application_type),
    label: app.label,
    grantTypes: [...oauth.grant_types],
    redirectUris: oauth.redirect_uris.join("\n"),
    postLogoutRedirectUris: (oauth.post_logout_redirect_uris ?? []).join("\n"),
    consentMethod: oauth.consent_method ?? "TRUSTED",
  };
}

/** `POST /api/v1/apps`: a new OIDC app of the draft's kind. */
export function createBody(draft: AppDraft): Record<string, unknown> {
  const kind = KINDS[draft.kind];
  return {
    name: "oidc_client",
    label: draft.label,
    signOnMode: "OPENID_CONNECT",
    credentials: {
      oauthClient: {
        token_endpoint_auth_method: kind.authMethod,
        ...(kind.authMethod === "none" ? { pkce_required: true } : {}),
      },
    },
    settings: {
      oauthClient: {
        application_type: kind.applicationType,
        grant_types: draft.grantTypes,
        redirect_uris: lines(draft.redirectUris),
        post_logout_redirect_uris: lines(draft.postLogoutRedirectUris),
        consent_method: draft.consentMethod,
      },
    },
  };
}

/**
 * `PUT /api/v1/apps/{id}` replaces the app (Okta): the stored app with the form's fields in place,
 * so what the form does not show (credentials, jwks, profile, PKCE, refresh-token rotation) is kept
 * as it is. `response_types` is left out so the server derives it from the new grants (a kept one
 * could name a grant just taken away); refresh-token settings go with the refresh_token grant.
 */
export function replaceBody(app: OidcApp, draft: AppDraft): Record<string, unknown> {
  const { response_types: _derived, refresh_token, ...oauth } = app.settings.oauthClient;
  const keepsRefresh = refresh_token !== undefined && draft.grantTypes.includes("refresh_token");
  return {
    name: app.name,
    label: draft.label,
    signOnMode: app.signOnMode,
    ...(app.profile === undefined ? {} : { profile: app.profile }),
    credentials: {
      oauthClient: {
        token_endpoint_auth_method: app.credentials.oauthClient.token_endpoint_auth_method,
        ...(app.credentials.oauthClient.pkce_required === undefined
          ? {}
          : { pkce_required: app.credentials.oauthClient.pkce_required }),
      },
    },
    settings: {
      oauthClient: {
        ...oauth,
        ...(keepsRefresh ? { refresh_token } : {}),
        grant_types: draft.grantTypes,
        redirect_uris: lines(draft.redirectUris),
        post_logout_redirect_uris: lines(draft.postLogoutRedirectUris),
        consent_method: draft.consentMethod,
      },
    },
  };
}

/**
 * The apps API names a cause by the field's place in Okta's app (`settings.oauthClient.redirect_uris.0:
 * …`, src/admin/apps.ts OKTA_PATHS): the field is the segment after `settings.oauthClient.` or
 * `credentials.oauthClient.` (`redirect_uris`), anything else as splitCause reads it (`label`).
 */
export function appCause(summary: string): FieldError {
  const nested = /^(?:settings|credentials)\.oauthClient\.(.+)$/s.exec(summary);
  return splitCause(nested ? (nested[1] as string) : summary);
}

/** The form's fields, by the names {@link appCause} gives them. */
export const APP_FORM_FIELDS = [
  "label",
  "grant_types",
  "redirect_uris",
  "post_logout_redirect_uris",
  "consent_method",
  "application_type",
  "token_endpoint_auth_method",
] as const;
