/**
 * zod schemas for every configuration object, in Okta's Management API shapes (field names, enums,
 * defaults, ranges). They are the single source of truth for the types, for validation and, later,
 * for the OpenAPI document and the config-as-code JSON Schema.
 */
import * as z from "zod";
import { type AppProfileValue, appProfileProblem } from "../claims/app-profile";
import { compile, compileRegex } from "../claims/expression";
import { isReservedClaimName } from "../claims/reserved-names";
import { checkOutboundUrl, type OutboundDecision } from "../http/outbound-url";
import {
  ACCESS_TOKEN_LIFETIME_MINUTES,
  ACCESS_TOKEN_LIFETIME_MINUTES_RANGE,
  DEFAULT_SIGNING_ALG,
  MAX_REDIRECT_URIS,
  MAX_TRUSTED_SERVERS,
  MIN_NEXT_KEY_LEAD_SECONDS,
  MIN_ROTATION_PERIOD_SECONDS,
  NEXT_KEY_LEAD_SECONDS,
  REFRESH_TOKEN_LEEWAY_RANGE,
  REFRESH_TOKEN_LIFETIME_MINUTES,
  REFRESH_TOKEN_WINDOW_MINUTES,
  REFRESH_TOKEN_WINDOW_MINUTES_RANGE,
  RESERVED_SCOPES,
  ROTATION_PERIOD_SECONDS,
} from "./defaults";
import {
  APPLICATION_TYPES,
  CONSENT_METHODS,
  type OidcSettings,
  oidcIssues,
  RESPONSE_TYPES,
  ROTATION_TYPES,
  withOidcDefaults,
} from "./oidc-app";
import { OKTA_SCOPES } from "./okta-scopes";
import { canonicalOrigin } from "./origins";

export const Status = z.enum(["ACTIVE", "INACTIVE"]);
export type Status = z.infer<typeof Status>;

/** Ids appear in URLs and KV keys: keep them to a URL-safe alphabet. */
export const ObjectId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "must contain only letters, digits, '-' and '_'");

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
export const ScopeName = z
  .string()
  .min(1)
  .max(300)
  .regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, "must be an RFC 6749 §3.3 scope-token");

export const SigningAlg = z.enum(["RS256", "ES256", "EdDSA", "PS256"]);
export type SigningAlg = z.infer<typeof SigningAlg>;

export const TokenProfile = z.enum(["okta", "rfc9068"]);
export type TokenProfile = z.infer<typeof TokenProfile>;

export const GrantType = z.enum([
  "authorization_code",
  "implicit",
  "password",
  "refresh_token",
  "client_credentials",
  "urn:ietf:params:oauth:grant-type:token-exchange",
  "urn:ietf:params:oauth:grant-type:device_code",
  "urn:ietf:params:oauth:grant-type:jwt-bearer",
]);
export type GrantType = z.infer<typeof GrantType>;

export const AuthorizationServer = z.object({
  // `/oauth2/v1/*` belongs to the org authorization server (DESIGN §2).
  id: ObjectId.refine((id) => id !== "v1", "'v1' is reserved for the org authorization server"),
  name: z.string().min(1).max(100),
  description: z.string().max(1000).default(""),
  audiences: z.array(z.string().min(1).max(1024)).min(1).max(10),
  /** Okta: ORG_URL builds the issuer from the org's URL; CUSTOM_URL and DYNAMIC need custom domains. */
  issuerMode: z.enum(["ORG_URL", "CUSTOM_URL", "DYNAMIC"]).default("ORG_URL"),
  status: Status.default("ACTIVE"),
  credentials: z
    .object({
      signing: z
        .object({
          rotationMode: z.enum(["AUTO", "MANUAL"]).default("AUTO"),
          use: z.literal("sig").default("sig"),
          /** Warden extension: the signing algorithm of this server's keys. */
          alg: SigningAlg.default(DEFAULT_SIGNING_ALG),
          /** Warden extension: AUTO rotation period (Okta's 90 days by default). */
          rotationPeriodSeconds: z
            .number()
            .int()
            .min(MIN_ROTATION_PERIOD_SECONDS)
            .default(ROTATION_PERIOD_SECONDS),
          /** Warden extension: how long before it activates the NEXT key is published (Okta: 45 days). */
          nextKeyLeadSeconds: z.number().int().min(MIN_NEXT_KEY_LEAD_SECONDS).default(NEXT_KEY_LEAD_SECONDS),
        })
        .prefault({})
        .refine((s) => s.nextKeyLeadSeconds <= s.rotationPeriodSeconds, {
          message: "nextKeyLeadSeconds must not exceed rotationPeriodSeconds",
          path: ["nextKeyLeadSeconds"],
        }),
    })
    .prefault({}),
  /** Warden extension: `okta` (Okta's claim set) or `rfc9068` (JWT access-token profile). */
  tokenProfile: TokenProfile.default("okta"),
  /**
   * Warden extension: what the system log keeps of this server's token grants. AGGREGATED (default):
   * one event per client × grant type × minute with a count; FULL: one event per grant (README "System log").
   */
  logging: z.object({ grants: z.enum(["AGGREGATED", "FULL"]).default("AGGREGATED") }).prefault({}),
});
export type AuthorizationServer = z.infer<typeof AuthorizationServer>;

export const Scope = z.object({
  id: ObjectId,
  name: ScopeName,
  displayName: z.string().max(100).optional(),
  description: z.string().max(1000).default(""),
  consent: z.enum(["REQUIRED", "IMPLICIT", "FLEXIBLE"]).default("IMPLICIT"),
  /** Granted when a request names no scope (Okta "default scope"). */
  default: z.boolean().default(false),
  metadataPublish: z.enum(["ALL_CLIENTS", "NO_CLIENTS"]).default("NO_CLIENTS"),
  optional: z.boolean().default(false),
  system: z.boolean().default(false),
});
export type Scope = z.infer<typeof Scope>;

export const Claim = z
  .object({
    id: ObjectId,
    name: z.string().min(1).max(100),
    status: Status.default("ACTIVE"),
    claimType: z.enum(["RESOURCE", "IDENTITY"]),
    /** Okta's enum; SYSTEM is listed for its shape only (see the refinement below). */
    valueType: z.enum(["EXPRESSION", "GROUPS", "SYSTEM"]),
    value: z.string().max(1024),
    /** GROUPS claims: how `value` selects the user's group names, case-sensitively (group-filter.ts). */
    group_filter_type: z.enum(["STARTS_WITH", "EQUALS", "CONTAINS", "REGEX"]).optional(),
    /**
     * Okta: for IDENTITY claims, true puts the claim in every ID token, false only in an ID token
     * requested without an access token or code, otherwise only at userinfo (claims/inclusion.ts).
     * RESOURCE claims are always included: Okta stores true whatever is sent, and so does Warden.
     */
    alwaysIncludeInToken: z.boolean().default(true),
    conditions: z.object({ scopes: z.array(ScopeName).default([]) }).prefault({}),
    system: z.boolean().default(false),
  })
  .superRefine((claim, ctx) => {
    // Reserved names are the token's own claims (claims/reserved-names.ts): none may be shadowed.
    if (isReservedClaimName(claim.claimType, claim.name)) {
      const token = claim.claimType === "IDENTITY" ? "ID tokens" : "access tokens";
      ctx.addIssue({
        code: "custom",
        path: ["name"],
        message: `'${claim.name}' is a reserved claim name in ${token}`,
      });
    }
    switch (claim.valueType) {
      case "EXPRESSION": {
        // Compiled when configured, so a typo is a 400 here, never a failure at token time.
        const compiled = compile(claim.value);
        if (!compiled.ok) {
          const expected = compiled.error.expected.length
            ? ` (expected ${compiled.error.expected.join(" or ")})`
            : "";
          ctx.addIssue({ code: "custom", path: ["value"], message: `${compiled.error.message}${expected}` });
        }
        break;
      }
      case "GROUPS":
        groupsClaimIssues(claim, ctx);
        break;
      case "SYSTEM":
        // Okta's system claims are Okta's own, computed by the platform; an admin cannot create one.
        ctx.addIssue({
          code: "custom",
          path: ["valueType"],
          message: "SYSTEM is reserved for the authorization server's own claims; use EXPRESSION or GROUPS",
        });
        break;
    }
  })
  .overwrite((claim) =>
    claim.claimType === "RESOURCE" && !claim.alwaysIncludeInToken
      ? { ...claim, alwaysIncludeInToken: true }
      : claim,
  );

function groupsClaimIssues(
  claim: Pick<z.infer<typeof Claim>, "value" | "group_filter_type">,
  ctx: z.RefinementCtx,
) {
  if (claim.value === "") {
    // Blank would silently mean every group (STARTS_WITH, CONTAINS) or none (EQUALS): ask for intent.
    ctx.addIssue({
      code: "custom",
      path: ["value"],
      message: "must not be empty for a GROUPS claim (use REGEX '.*' for every group)",
    });
  }
  if (!claim.group_filter_type) {
    ctx.addIssue({
      code: "custom",
      path: ["group_filter_type"],
      message: "required when valueType is GROUPS",
    });
  } else if (claim.group_filter_type === "REGEX") {
    const regex = compileRegex(claim.value);
    if (!regex.ok)
      ctx.addIssue({
        code: "custom",
        path: ["value"],
        message: `${regex.message} at offset ${regex.offset}`,
      });
  }
}
export type Claim = z.infer<typeof Claim>;

const IncludeExclude = z
  .object({
    include: z.array(z.string()).default([]),
    exclude: z.array(z.string()).default([]),
  })
  .prefault({});

export const Rule = z.object({
  id: ObjectId,
  type: z.literal("RESOURCE_ACCESS").default("RESOURCE_ACCESS"),
  name: z.string().min(1).max(255),
  priority: z.number().int().min(1),
  status: Status.default("ACTIVE"),
  system: z.boolean().default(false),
  conditions: z.object({
    /**
     * Okta's default when a rule names no people is the Everyone group. Naming only users means
     * only those users, so the groups default is empty once `people` is given.
     */
    people: z
      .object({ users: IncludeExclude, groups: IncludeExclude })
      .default({ users: { include: [], exclude: [] }, groups: { include: ["EVERYONE"], exclude: [] } }),
    grantTypes: z.object({ include: z.array(GrantType).min(1) }),
    /** Scope names this rule grants; `*` grants any scope the server defines. */
    scopes: z.object({ include: z.array(z.union([z.literal("*"), ScopeName])).min(1) }),
  }),
  actions: z
    .object({
      token: z
        .object({
          accessTokenLifetimeMinutes: z
            .number()
            .int()
            .min(ACCESS_TOKEN_LIFETIME_MINUTES_RANGE.min)
            .max(ACCESS_TOKEN_LIFETIME_MINUTES_RANGE.max)
            .default(ACCESS_TOKEN_LIFETIME_MINUTES),
          refreshTokenLifetimeMinutes: z.number().int().min(0).default(REFRESH_TOKEN_LIFETIME_MINUTES),
          refreshTokenWindowMinutes: z
            .number()
            .int()
            .min(REFRESH_TOKEN_WINDOW_MINUTES_RANGE.min)
            .max(REFRESH_TOKEN_WINDOW_MINUTES_RANGE.max)
            .default(REFRESH_TOKEN_WINDOW_MINUTES),
          inlineHook: z.object({ id: ObjectId }).optional(),
        })
        .prefault({}),
    })
    .prefault({}),
});
export type Rule = z.infer<typeof Rule>;

export const Policy = z.object({
  id: ObjectId,
  type: z.literal("OAUTH_AUTHORIZATION_POLICY").default("OAUTH_AUTHORIZATION_POLICY"),
  name: z.string().min(1).max(100),
  description: z.string().max(1000).default(""),
  priority: z.number().int().min(1),
  status: Status.default("ACTIVE"),
  system: z.boolean().default(false),
  conditions: z.object({
    /** Client ids, or `ALL_CLIENTS`. */
    clients: z.object({ include: z.array(z.string().min(1)).min(1) }),
  }),
  rules: z.array(Rule).default([]),
});
export type Policy = z.infer<typeof Policy>;

/** Everything one authorization server owns: what the control plane stores and snapshots. */
export const ServerConfig = z
  .object({
    server: AuthorizationServer,
    scopes: z.array(Scope).default([]),
    claims: z.array(Claim).default([]),
    policies: z.array(Policy).default([]),
    /**
     * Token exchange (RFC 8693, Okta's on-behalf-of flow): the other authorization servers whose
     * access tokens this one accepts as a `subject_token` (Okta's "trusted servers", managed through
     * `/api/v1/authorizationServers/{id}/associatedServers`). A server always trusts its own.
     */
    trustedServers: z.array(ObjectId).max(MAX_TRUSTED_SERVERS).default([]),
  })
  .superRefine((config, ctx) => {
    config.trustedServers.forEach((id, i) => {
      if (id === config.server.id) {
        ctx.addIssue({
          code: "custom",
          path: ["trustedServers", i],
          message:
            "an authorization server always trusts its own tokens; it cannot be its own trusted server",
        });
      }
    });
    uniqueBy(config.trustedServers, (id) => id, ["trustedServers"], "trusted server", ctx);
    uniqueBy(config.scopes, (s) => s.name, ["scopes"], "scope name", ctx);
    uniqueBy(config.claims, (c) => `${c.claimType}:${c.name}`, ["claims"], "claim name", ctx);
    uniqueBy(config.policies, (p) => p.id, ["policies"], "policy id", ctx);
    const scopeNames = new Set(config.scopes.map((s) => s.name));
    // A claim may also depend on the OIDC scopes every server has (DESIGN §3).
    const claimScopes = new Set([...scopeNames, ...RESERVED_SCOPES]);
    config.claims.forEach((claim, c) => {
      claim.conditions.scopes.forEach((name, s) => {
        if (!claimScopes.has(name)) {
          ctx.addIssue({
            code: "custom",
            path: ["claims", c, "conditions", "scopes", s],
            message: `scope '${name}' is not defined on this authorization server`,
          });
        }
      });
    });
    config.policies.forEach((policy, p) => {
      uniqueBy(policy.rules, (r) => r.id, ["policies", p, "rules"], "rule id", ctx);
      policy.rules.forEach((rule, r) => {
        rule.conditions.scopes.include.forEach((name, s) => {
          // The reserved OIDC scopes exist on every server (DESIGN §3), as on Okta: a rule may name them.
          if (name !== "*" && !claimScopes.has(name)) {
            ctx.addIssue({
              code: "custom",
              path: ["policies", p, "rules", r, "conditions", "scopes", "include", s],
              message: `scope '${name}' is not defined on this authorization server`,
            });
          }
        });
      });
    });
  });
export type ServerConfig = z.infer<typeof ServerConfig>;
export type ServerConfigInput = z.input<typeof ServerConfig>;

export const ClientSecret = z.object({
  id: ObjectId,
  /** base64url SHA-256 of the secret; the secret itself is never stored (DESIGN §8). */
  secretHash: z.string().min(43).max(43),
  status: Status.default("ACTIVE"),
  created: z.string(),
});
export type ClientSecret = z.infer<typeof ClientSecret>;

export const TokenEndpointAuthMethod = z.enum([
  "client_secret_basic",
  "client_secret_post",
  "client_secret_jwt",
  "private_key_jwt",
  "none",
]);
export type TokenEndpointAuthMethod = z.infer<typeof TokenEndpointAuthMethod>;

/** Okta's management-API scopes Warden can grant (src/config/okta-scopes.ts, kept free of zod). */
export { OKTA_SCOPES };
export const OktaScope = z.enum(OKTA_SCOPES);
export type OktaScope = z.infer<typeof OktaScope>;

/**
 * One okta.* scope granted to a client for the org authorization server, in the shape of Okta's
 * OAuth 2.0 Scope Consent Grant (`POST /api/v1/apps/{appId}/grants` takes `{issuer, scopeId}`; the
 * issuer is always the org's, so Warden does not ask for it).
 */
export const ScopeGrant = z.object({ scopeId: OktaScope });
export type ScopeGrant = z.infer<typeof ScopeGrant>;

/** RFC 7517 members that only private or symmetric keys carry: a client registers public keys only. */
const PRIVATE_JWK_MEMBERS: readonly string[] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/**
 * A client's public signing key (RFC 7517 §4, RFC 7518 §6), for `private_key_jwt` (RFC 7523 §2.2).
 * Only public members are accepted; any other member, a private one above all, is refused.
 */
export const ClientJwk = z
  .strictObject(
    {
      kty: z.enum(["RSA", "EC", "OKP"]),
      kid: z.string().min(1).max(256).optional(),
      use: z.literal("sig").optional(),
      alg: z.string().min(1).max(16).optional(),
      key_ops: z.array(z.string()).optional(),
      n: z.string().min(1).max(2048).optional(),
      e: z.string().min(1).max(16).optional(),
      crv: z.string().min(1).max(16).optional(),
      x: z.string().min(1).max(256).optional(),
      y: z.string().min(1).max(256).optional(),
      x5c: z.array(z.string()).optional(),
      x5t: z.string().optional(),
      "x5t#S256": z.string().optional(),
    },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys" && issue.keys.some((k) => PRIVATE_JWK_MEMBERS.includes(k))
          ? "must be a public key (no private or symmetric key members)"
          : undefined,
    },
  )
  .refine(
    (jwk) =>
      jwk.kty === "RSA"
        ? Boolean(jwk.n && jwk.e)
        : jwk.kty === "EC"
          ? Boolean(jwk.crv && jwk.x && jwk.y)
          : Boolean(jwk.crv && jwk.x),
    { message: "lacks the public members of its key type" },
  );
export type ClientJwk = z.infer<typeof ClientJwk>;

/** An inline JWK Set (RFC 7517 §5); Okta allows up to 50 keys per client. */
export const ClientJwks = z.object({ keys: z.array(ClientJwk).min(1).max(50) });
export type ClientJwks = z.infer<typeof ClientJwks>;

/**
 * Keys are fetched over TLS from a public host; plain http only for a loopback host (local
 * development). As for hook URIs (`hookUriProblem`), a target no Warden ever calls is refused here;
 * the call-time check (src/oauth/client-keys.ts) is what protects.
 */
export const JwksUri = z
  .url()
  .max(1024)
  .superRefine((value, ctx) => {
    const problem = configurableTargetProblem(checkOutboundUrl(value, CONFIGURABLE_TARGETS), {
      credentials: "must not contain credentials",
      scheme: "must use https (http only for localhost or 127.0.0.1)",
    });
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** A redirect URI; the rules, which depend on the app's type, are checked with the app (oidc-app.ts). */
const RedirectUri = z.string().min(1).max(1024);

/** A numeric path segment back to a number, so issue paths read as zod's own do. */
function pathSegment(segment: string): string | number {
  return /^\d+$/.test(segment) ? Number(segment) : segment;
}

/** An OAuth client (Okta "app"), as the token endpoint sees it. */
export const ClientFields = z.object({
  client_id: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[\x21-\x7E]+$/, "must be printable ASCII without spaces"),
  client_name: z.string().min(1).max(100),
  status: Status.default("ACTIVE"),
  /**
   * Okta's app type (src/config/oidc-app.ts has the rules). Without one: service for an app whose
   * only grant is client_credentials, web otherwise.
   */
  application_type: z.enum(APPLICATION_TYPES).optional(),
  token_endpoint_auth_method: TokenEndpointAuthMethod.default("client_secret_basic"),
  grant_types: z.array(GrantType).min(1).default(["client_credentials"]),
  /** Exact-match targets of the authorization response (RFC 6749 §3.1.2); no fragments. */
  redirect_uris: z.array(RedirectUri).max(MAX_REDIRECT_URIS).default([]),
  /** Where `/v1/logout` may send the user back to (OIDC RP-Initiated Logout §3). */
  post_logout_redirect_uris: z.array(RedirectUri).max(MAX_REDIRECT_URIS).optional(),
  /** Derived from the grant types when not given. */
  response_types: z.array(z.enum(RESPONSE_TYPES)).max(RESPONSE_TYPES.length).optional(),
  /** Where a third party starts this app's sign-in (OIDC Core §4). */
  initiate_login_uri: RedirectUri.optional(),
  /** TRUSTED (Okta's default): no consent page; REQUIRED: scopes that ask for consent get it. */
  consent_method: z.enum(CONSENT_METHODS).optional(),
  /** Okta's `pkce_required`: true by default for browser and native apps, and always for public clients. */
  pkce_required: z.boolean().optional(),
  /** Okta's `settings.oauthClient.refresh_token`, for apps with the refresh_token grant. */
  refresh_token: z
    .object({
      rotation_type: z.enum(ROTATION_TYPES).optional(),
      leeway: z
        .number()
        .int()
        .min(REFRESH_TOKEN_LEEWAY_RANGE.min)
        .max(REFRESH_TOKEN_LEEWAY_RANGE.max)
        .optional(),
    })
    .optional(),
  secrets: z.array(ClientSecret).max(2).default([]),
  /** `private_key_jwt`: the client's public keys inline (Okta's and RFC 7591's `jwks`) … */
  jwks: ClientJwks.optional(),
  /** … or where to fetch them (`jwks_uri`); exactly one of the two. */
  jwks_uri: JwksUri.optional(),
  /** okta.* scopes the org authorization server may grant this client (Okta's scope grants). */
  grants: z.array(ScopeGrant).max(OKTA_SCOPES.length).optional(),
  /** Okta's app `profile`: custom JSON attributes, read by claim expressions as `app.profile.*`. */
  profile: z
    // Members are any JSON, checked by appProfileProblem. `z.unknown()` keeps the schema representable
    // in JSON Schema; the type is AppProfileValue, as a recursive JSON type is too deep for RPC types.
    .record(z.string().min(1).max(256), z.unknown() as z.ZodType<AppProfileValue, AppProfileValue>)
    .superRefine((profile, ctx) => {
      const problem = appProfileProblem(profile);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .optional(),
});

/**
 * A client as stored: every OIDC default written out (oidc-app.ts), so what the API shows and the
 * export holds is what applies. Records stored before those fields existed lack them: read them
 * through `oidcSettings`.
 */
export const Client = ClientFields.overwrite(withOidcDefaults).superRefine(clientRules);
export type Client = z.infer<typeof Client>;
/** A client as written since the OIDC fields exist: each of them present. */
export type ClientWithOidc = Client & OidcSettings;

/** A client as an admin submits it: plaintext secrets, hashed before anything is stored. */
export const ClientInput = ClientFields.omit({ secrets: true })
  .extend({
    client_secrets: z.array(z.string().min(32).max(256)).max(2).default([]),
  })
  .overwrite(withOidcDefaults)
  .superRefine(clientRules);
export type ClientInput = z.input<typeof ClientInput>;

function clientRules(
  client: Pick<Client, "token_endpoint_auth_method" | "jwks" | "jwks_uri" | "grants" | "grant_types"> &
    Parameters<typeof oidcIssues>[0],
  ctx: z.RefinementCtx,
): void {
  for (const issue of oidcIssues(client)) {
    ctx.addIssue({ code: "custom", path: issue.path.split(".").map(pathSegment), message: issue.message });
  }
  // RFC 7591 §2: `jwks` and `jwks_uri` MUST NOT both be present.
  if (client.jwks && client.jwks_uri) {
    ctx.addIssue({ code: "custom", path: ["jwks_uri"], message: "jwks and jwks_uri are mutually exclusive" });
  }
  if (client.token_endpoint_auth_method === "private_key_jwt" && !client.jwks && !client.jwks_uri) {
    ctx.addIssue({
      code: "custom",
      path: ["jwks"],
      message: "private_key_jwt requires jwks or jwks_uri",
    });
  }
  if (client.grants) uniqueBy(client.grants, (g) => g.scopeId, ["grants"], "scope grant", ctx);
}

/** The one inline hook type Warden runs: Okta's token inline hook. */
export const TOKEN_INLINE_HOOK_TYPE = "com.okta.oauth2.tokens.transform";

/** RFC 9110 §5.1: a field name is a token. */
const HookHeaderName = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "must be an HTTP header name (RFC 9110 §5.1)");

/** RFC 9110 §5.5, visible ASCII only: a CR or LF could split the outbound request. */
const HookHeaderValue = z
  .string()
  .max(4096)
  .regex(/^[\x20-\x7E\t]*$/, "must be printable ASCII without line breaks");

/** Headers Warden sets on every hook call or the HTTP layer owns; Okta refuses such as `Accept` too. */
const RESERVED_HOOK_HEADERS: ReadonlySet<string> = new Set([
  "accept",
  "accept-encoding",
  "connection",
  "content-length",
  "content-type",
  "expect",
  "host",
  "keep-alive",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/**
 * Where a hook is called: https, as Okta requires, or plain http to a loopback host (localhost,
 * 127.0.0.0/8, [::1]) for local development. Undefined when acceptable, else why not.
 *
 * What is configurable is what some Warden may call: a public https target, or a loopback one for
 * a local-development Warden. An address or name no Warden ever calls (private, link-local, the
 * metadata service, `*.internal`, in any spelling) is refused here too, as a clear message rather
 * than a hook that silently never runs. The call-time check (src/hooks/hook-call.ts) is what
 * protects: it also refuses loopback outside local development.
 */
export function hookUriProblem(value: string): string | undefined {
  if (/\s/.test(value)) return "must not contain white space";
  return configurableTargetProblem(checkOutboundUrl(value, CONFIGURABLE_TARGETS), {
    credentials: "must not contain credentials (use authScheme)",
    scheme: "must use https (http only for a loopback host: localhost, 127.0.0.0/8 or [::1])",
  });
}

/** Targets some Warden may call: loopback is allowed, in local development only, at call time. */
const CONFIGURABLE_TARGETS = { allowLoopback: true } as const;

function configurableTargetProblem(
  decision: OutboundDecision,
  messages: { credentials: string; scheme: string },
): string | undefined {
  if (decision.ok) return undefined;
  switch (decision.reason) {
    case "malformed":
      return "must be an absolute URL";
    case "userinfo":
      return messages.credentials;
    case "scheme":
      return messages.scheme;
    case "loopback":
    case "non_public_address":
    case "non_public_name":
      return `must be a public host (or a loopback one, for local development): ${decision.detail}`;
  }
}

export const InlineHookAuthScheme = z.object({
  type: z.literal("HEADER", { error: "must be 'HEADER'" }),
  /** The header that carries the secret, e.g. `Authorization`. */
  key: HookHeaderName,
  /**
   * The secret itself. Write-only, as in Okta: never in a response. Optional on a replace or an
   * import of an existing hook, which then keeps its stored secret (same header, URI at the same
   * origin: src/control-plane/hook-store.ts).
   */
  value: HookHeaderValue.min(1).optional(),
});
export type InlineHookAuthScheme = z.infer<typeof InlineHookAuthScheme>;

/** An inline hook in Okta's shape (`/api/v1/inlineHooks`), HTTP channel with header authentication. */
export const InlineHook = z.object({
  id: ObjectId,
  name: z.string().min(1).max(255),
  /** INACTIVE blocks execution: a rule naming an inactive hook issues tokens without calling it. */
  status: Status.default("ACTIVE"),
  type: z.literal(TOKEN_INLINE_HOOK_TYPE, {
    error: `must be '${TOKEN_INLINE_HOOK_TYPE}', the only inline hook type Warden supports`,
  }),
  version: z.literal("1.0.0", { error: "must be '1.0.0'" }),
  channel: z.object({
    type: z.literal("HTTP", { error: "must be 'HTTP' (OAuth 2.0 channels are not supported)" }),
    version: z.literal("1.0.0", { error: "must be '1.0.0'" }),
    config: z
      .object({
        uri: z
          .string()
          .max(1024)
          .superRefine((uri, ctx) => {
            const problem = hookUriProblem(uri);
            if (problem) ctx.addIssue({ code: "custom", message: problem });
          }),
        method: z.literal("POST", { error: "must be 'POST'" }).default("POST"),
        headers: z
          .array(z.object({ key: HookHeaderName, value: HookHeaderValue }))
          .max(20)
          .default([]),
        authScheme: InlineHookAuthScheme.optional(),
      })
      .superRefine((config, ctx) => {
        const seen = new Set<string>();
        config.headers.forEach((header, i) => {
          const name = header.key.toLowerCase();
          if (RESERVED_HOOK_HEADERS.has(name)) {
            ctx.addIssue({
              code: "custom",
              path: ["headers", i, "key"],
              message: `'${header.key}' is reserved`,
            });
          } else if (seen.has(name) || name === config.authScheme?.key.toLowerCase()) {
            ctx.addIssue({
              code: "custom",
              path: ["headers", i, "key"],
              message: `duplicate header '${header.key}'`,
            });
          }
          seen.add(name);
        });
        if (config.authScheme && RESERVED_HOOK_HEADERS.has(config.authScheme.key.toLowerCase())) {
          ctx.addIssue({
            code: "custom",
            path: ["authScheme", "key"],
            message: `'${config.authScheme.key}' is reserved`,
          });
        }
      }),
  }),
});
export type InlineHook = z.infer<typeof InlineHook>;
export type InlineHookInput = z.input<typeof InlineHook>;

/** A hook without its write-only auth secret: what the API shows (Okta omits it too) and files hold. */
export function withoutHookSecret<T extends InlineHook>(hook: T): T {
  const auth = hook.channel.config.authScheme;
  if (auth?.value === undefined) return hook;
  const { value: _value, ...rest } = auth;
  return { ...hook, channel: { ...hook.channel, config: { ...hook.channel.config, authScheme: rest } } };
}

/** An inline hook as the control plane stores it: with Okta's read-only timestamps. */
export type InlineHookRecord = InlineHook & { created: string; lastUpdated: string };

/** Okta's trusted origin scope types Warden acts on: cross-origin reads, and redirects after sign-out. */
export const TrustedOriginScopeType = z.enum(["CORS", "REDIRECT"]);
export type TrustedOriginScopeType = z.infer<typeof TrustedOriginScopeType>;

/** Trusted origins have no object id in the file: an origin is its own key (it is unique). */
export const TrustedOriginFields = z.object({
  name: z.string().trim().min(1).max(255),
  /** Stored as the browser's serialization of the origin (src/config/origins.ts). */
  origin: z
    .string()
    .max(1024)
    .transform((value, ctx) => {
      const checked = canonicalOrigin(value);
      if (checked.ok) return checked.value;
      ctx.addIssue({ code: "custom", message: checked.message });
      return z.NEVER;
    }),
  scopes: z
    .array(z.object({ type: TrustedOriginScopeType }))
    .min(1)
    .max(2)
    .superRefine((scopes, ctx) => uniqueBy(scopes, (s) => s.type, [], "scope type", ctx)),
  status: Status.default("ACTIVE"),
});
export type TrustedOriginFields = z.infer<typeof TrustedOriginFields>;
export type TrustedOriginInput = z.input<typeof TrustedOriginFields>;

/** A trusted origin as the control plane stores it: Okta's id (`tos…`) and read-only members. */
export type TrustedOriginRecord = TrustedOriginFields & {
  id: string;
  created: string;
  createdBy: string;
  lastUpdated: string;
  lastUpdatedBy: string;
};

/**
 * A bulk write (`POST /api/v1/warden/import`, `warden apply`): servers with everything they own,
 * clients and token inline hooks, applied all-or-nothing. Rules may name the hooks of the same
 * document and the stored ones.
 */
export const ImportDocument = z.object({
  authorizationServers: z.array(ServerConfig).default([]),
  clients: z.array(ClientInput).default([]),
  inlineHooks: z.array(InlineHook).default([]),
  /** Matched to stored trusted origins by `origin`. */
  trustedOrigins: z.array(TrustedOriginFields).default([]),
});
export type ImportDocument = z.infer<typeof ImportDocument>;
export type ImportDocumentInput = z.input<typeof ImportDocument>;

/** What the control plane publishes to KV per authorization server: immutable once written. */
export type Snapshot = ServerConfig & { version: number; publishedAt: string };

function uniqueBy<T>(
  items: T[],
  key: (item: T) => string,
  path: (string | number)[],
  what: string,
  ctx: z.RefinementCtx,
): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) ctx.addIssue({ code: "custom", path: [...path, i], message: `duplicate ${what}` });
    seen.add(k);
  });
}
