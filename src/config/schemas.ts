/**
 * zod schemas for every configuration object, in Okta's Management API shapes (field names, enums,
 * defaults, ranges). They are the single source of truth for the types, for validation and, later,
 * for the OpenAPI document and the config-as-code JSON Schema.
 */
import { z } from "zod";
import {
  ACCESS_TOKEN_LIFETIME_MINUTES,
  ACCESS_TOKEN_LIFETIME_MINUTES_RANGE,
  DEFAULT_SIGNING_ALG,
  MIN_NEXT_KEY_LEAD_SECONDS,
  MIN_ROTATION_PERIOD_SECONDS,
  NEXT_KEY_LEAD_SECONDS,
  REFRESH_TOKEN_LIFETIME_MINUTES,
  REFRESH_TOKEN_WINDOW_MINUTES,
  REFRESH_TOKEN_WINDOW_MINUTES_RANGE,
  ROTATION_PERIOD_SECONDS,
} from "./defaults";

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

export const Claim = z.object({
  id: ObjectId,
  name: z.string().min(1).max(100),
  status: Status.default("ACTIVE"),
  claimType: z.enum(["RESOURCE", "IDENTITY"]),
  valueType: z.enum(["EXPRESSION", "GROUPS", "SYSTEM"]),
  value: z.string().max(1024),
  group_filter_type: z.enum(["STARTS_WITH", "EQUALS", "CONTAINS", "REGEX"]).optional(),
  alwaysIncludeInToken: z.boolean().default(true),
  conditions: z.object({ scopes: z.array(ScopeName).default([]) }).prefault({}),
  system: z.boolean().default(false),
});
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
  })
  .superRefine((config, ctx) => {
    uniqueBy(config.scopes, (s) => s.name, ["scopes"], "scope name", ctx);
    uniqueBy(config.claims, (c) => `${c.claimType}:${c.name}`, ["claims"], "claim name", ctx);
    uniqueBy(config.policies, (p) => p.id, ["policies"], "policy id", ctx);
    const scopeNames = new Set(config.scopes.map((s) => s.name));
    config.policies.forEach((policy, p) => {
      uniqueBy(policy.rules, (r) => r.id, ["policies", p, "rules"], "rule id", ctx);
      policy.rules.forEach((rule, r) => {
        rule.conditions.scopes.include.forEach((name, s) => {
          if (name !== "*" && !scopeNames.has(name)) {
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

/** An OAuth client (Okta "app"), as the token endpoint sees it. */
export const Client = z.object({
  client_id: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[\x21-\x7E]+$/, "must be printable ASCII without spaces"),
  client_name: z.string().min(1).max(100),
  status: Status.default("ACTIVE"),
  application_type: z.enum(["service", "web", "native", "browser"]).default("service"),
  token_endpoint_auth_method: TokenEndpointAuthMethod.default("client_secret_basic"),
  grant_types: z.array(GrantType).min(1).default(["client_credentials"]),
  redirect_uris: z.array(z.url()).default([]),
  secrets: z.array(ClientSecret).max(2).default([]),
});
export type Client = z.infer<typeof Client>;

/** A client as an admin submits it: plaintext secrets, hashed before anything is stored. */
export const ClientInput = Client.omit({ secrets: true }).extend({
  client_secrets: z.array(z.string().min(32).max(256)).max(2).default([]),
});
export type ClientInput = z.input<typeof ClientInput>;

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
