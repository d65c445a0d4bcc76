/**
 * The management API's response bodies as zod schemas, for the OpenAPI document. The routers build
 * their bodies by hand (`serverView`, `oktaApp`, …) so that nothing stored (a secret hash, a hook's
 * secret) can slip out; these schemas describe those bodies, derived from the config schemas so a
 * field's type, enum and range are said once. `test/worker/openapi.test.ts` validates real
 * responses against them, so a view that drifts from its router fails there.
 */

import * as z from "zod";
import type { ClaimFailureReason } from "../../claims/resolve";
import { ADMIN_ROLE_LABELS, ADMIN_ROLE_TYPES } from "../../config/admin-roles";
import {
  AuthorizationServer,
  Claim,
  Client,
  ClientJwk,
  ClientSecret,
  InlineHook,
  InlineHookAuthScheme,
  ObjectId,
  OktaScope,
  Policy,
  Rule,
  Scope,
  ServerConfig,
  SigningAlg,
  Status,
  TrustedOriginScopeType,
} from "../../config/schemas";
import { ApiTokenInput } from "../../control-plane/api-token-store";
import type { ExportDocument, ImportSummary } from "../../control-plane/control-plane";
import { USER_STATUSES } from "../../directory/directory";
import type { ApiErrorCode, OAuthErrorCode } from "../../errors";
import type { PatchRejection } from "../../hooks/patch";
import type { KeyStatus } from "../../keys/schedule";
import type { LogEvent } from "../../log/event";
import {
  describeNotEvaluated,
  describeSkip,
  type PolicySkipReason,
  type RuleNotEvaluatedReason,
  type RuleSkipReason,
} from "../../policy/trace";
import type { PreviewHookFailure } from "../token-preview";

/**
 * A zod enum from a description of every member of a TypeScript union: a member added to the
 * union is a compile error here until it is described, so the document cannot fall behind.
 */
function described<T extends string>(members: Record<T, string>, describe = (member: T) => members[member]) {
  const values = Object.keys(members) as [T, ...T[]];
  return z.enum(values).meta({ description: values.map((v) => `\`${v}\`: ${describe(v)}`).join("; ") });
}

const Instant = z.iso.datetime();

const HttpMethod = z.enum(["GET", "POST", "PUT", "DELETE"]);

/** Okta's HAL-style link; `hints.allow` names the methods the target accepts. */
export const Link = z.object({
  href: z.url(),
  hints: z.object({ allow: z.array(HttpMethod) }).optional(),
});

/** Okta links whichever lifecycle operation applies to the object's current status. */
const lifecycleLinks = { activate: Link.optional(), deactivate: Link.optional() };

// ---- errors ----

/** Okta's summaries for the codes Warden answers with (`src/errors.ts`). */
const ErrorCode = described<ApiErrorCode>({
  E0000001: "API validation failed (400)",
  E0000003: "The request body was not well-formed (400)",
  E0000004: "Authentication failed (401)",
  E0000005: "Invalid session (403)",
  E0000006: "You do not have permission to perform the requested action (403)",
  E0000007: "Not found (404)",
  E0000009: "Internal Server Error (500)",
  E0000011: "Invalid token provided (401)",
  E0000016: "Activation failed because the user is already active (403)",
  E0000022: "The endpoint does not support the provided HTTP method (405)",
  E0000031: "Invalid search criteria (400)",
  E0000032: "Unlock is not allowed for this user (403)",
  E0000033: "Can't specify a search query and filter in the same request (400)",
  E0000038: "This operation is not allowed in the user's current status (403)",
  E0000047: "API call exceeded rate limit (429)",
  E0000060: "Unsupported operation (400)",
  E0000090: "Duplicate role assignment exception: the user holds the role already (409)",
});

export const OktaError = z.object({
  errorCode: ErrorCode,
  errorSummary: z.string(),
  errorLink: z.string(),
  errorId: z.string().meta({ description: "Unique per response, for support requests." }),
  errorCauses: z
    .array(z.object({ errorSummary: z.string() }))
    .meta({ description: "One per invalid field: `path: message`." }),
});

// ---- authorization servers and what they own ----

const Signing = AuthorizationServer.shape.credentials.unwrap().shape.signing.unwrap();

export const AuthorizationServerView = AuthorizationServer.extend({
  issuer: z.url(),
  credentials: z.object({
    signing: Signing.extend({
      lastRotated: Instant.nullable(),
      nextRotation: Instant.nullable(),
      kid: z.string().nullable().meta({ description: "The ACTIVE signing key." }),
    }),
  }),
  _links: z.object({
    self: Link,
    scopes: Link,
    claims: Link,
    policies: Link,
    keys: Link,
    rotateKey: Link,
    metadata: z.array(z.object({ name: z.string(), href: z.url() })),
    ...lifecycleLinks,
  }),
});

const SelfLink = z.object({ self: Link });

export const ScopeView = Scope.extend({
  // The route answers the name when no display name was set.
  displayName: Scope.shape.displayName.unwrap(),
  _links: SelfLink,
});

export const ClaimView = z.object(Claim.shape).extend({ _links: SelfLink });

/** The rules are their own resource (`…/policies/{policyId}/rules`), never embedded. */
export const PolicyView = Policy.omit({ rules: true }).extend({
  _links: z.object({ self: Link, rules: Link, ...lifecycleLinks }),
});

export const RuleView = Rule.extend({ _links: z.object({ self: Link, ...lifecycleLinks }) });

const KeyState = described<KeyStatus>({
  NEXT: "published in the JWKS, signing from its activation",
  ACTIVE: "signing",
  EXPIRED: "published until every token it signed has expired",
  REVOKED: "withdrawn in an emergency: never published or used again",
});

/** A signing key's public JWK (RFC 7517) with Okta's `status`. */
export const KeyView = z.object(ClientJwk.shape).extend({
  kid: z.string(),
  alg: SigningAlg,
  use: Signing.shape.use.unwrap(),
  status: KeyState,
  created: Instant.meta({ description: "Warden: when the key vault generated the key." }),
  activatesAt: Instant.nullable().meta({
    description: "Warden: when the key signs (NEXT) or began signing; null until dated.",
  }),
  _links: SelfLink,
});

// ---- Token Preview ----

// The trace's own wording (`describeSkip`), as the logs show it.
const SkipReason = described<PolicySkipReason | RuleSkipReason>(
  {
    inactive: "",
    client_not_included: "",
    no_rule_matched: "",
    grant_type_not_included: "",
    user_not_included: "",
    user_excluded: "",
    group_excluded: "",
    scopes_not_covered: "",
  },
  describeSkip,
);

// Why a policy or rule was never looked at (`describeNotEvaluated`).
const NotEvaluatedReason = described<RuleNotEvaluatedReason>(
  { request_refused: "", earlier_match: "", policy_skipped: "" },
  describeNotEvaluated,
);

const TraceEntry = z.object({
  kind: z.enum(["policy", "rule"]),
  policyId: ObjectId.optional().meta({ description: "For a rule: its policy." }),
  id: ObjectId,
  name: z.string(),
  outcome: z.enum(["matched", "skipped", "not_evaluated"]),
  reason: z.union([SkipReason, NotEvaluatedReason]).optional(),
});

const Named = z.object({ id: ObjectId, name: z.string() });

const elapsedMs = z.number().min(0);

/**
 * What the rule's token inline hook did: a preview calls it as a real request would. A failed call
 * shows only a coarse reason, never the hook's status, a connection error or its timing: the
 * particulars are in the Worker's log (`token_preview.inline_hook_failed`).
 */
const HookOutcome = z.discriminatedUnion("outcome", [
  z.object({ id: ObjectId, called: z.literal(false), outcome: z.literal("inactive") }),
  z.object({
    id: ObjectId,
    called: z.literal(true),
    outcome: z.literal("applied"),
    operations: z.int().min(0).meta({ description: "The patch operations applied." }),
    elapsedMs,
  }),
  z.object({
    id: ObjectId,
    called: z.boolean(),
    outcome: z.literal("failed"),
    reason: described<PreviewHookFailure>({
      refused_target:
        "the URI is not a target Warden calls (loopback, private, link-local or another non-public address or name; plain http); nothing was sent",
      call_failed:
        "the call produced no usable reply: no connection, no answer in time, a status outside 2xx or a reply that is not a token inline hook reply (one reason for all of these, on purpose)",
      patch_rejected: "the reply's commands were refused (see `rejection`)",
      hook_not_found: "no published inline hook has this id",
      secret_unavailable: "the hook's secret could not be unsealed",
    }),
    rejection: described<PatchRejection>({
      malformed_commands: "`commands` is not a list of commands",
      unsupported_command: "a command other than `com.okta.access.patch`",
      unsupported_operation:
        "an operation other than add, replace or remove (or not replace on the lifetime)",
      invalid_path: "a path that names no claim, or is malformed",
      reserved_claim: "a change to a claim the token itself owns",
      missing_target: "a path whose target does not exist",
      invalid_value: "a value that cannot be a claim",
      lifetime_out_of_range: "a lifetime outside the allowed range",
    }).optional(),
  }),
  z.object({
    id: ObjectId,
    called: z.literal(true),
    outcome: z.literal("error"),
    errorSummary: z
      .string()
      .meta({ description: "The hook's `error`: the request fails with server_error." }),
    elapsedMs,
  }),
]);

const OAuthErrorBody = z.object({
  error: described<OAuthErrorCode>({
    invalid_request: "RFC 6749 §5.2",
    invalid_client: "the client is unknown or deactivated",
    invalid_grant: "RFC 6749 §5.2",
    unauthorized_client: "the client may not use this grant type",
    unsupported_grant_type: "RFC 6749 §5.2",
    invalid_scope: "a requested scope is not defined on the server",
    access_denied: "no policy rule matched",
    server_error: "the rule's inline hook answered an error",
    temporarily_unavailable: "RFC 6749 §4.1.2.1",
    authorization_pending: "RFC 8628 §3.5: the user has not decided yet",
    slow_down: "RFC 8628 §3.5: polled faster than the interval",
    expired_token: "RFC 8628 §3.5: the device code expired",

    invalid_target: "RFC 8693 §2.2.2: a token exchange's audience or resource is not this server's",
  }),
  error_description: z.string(),
});

export const TokenPreviewView = z.discriminatedUnion("result", [
  z.object({
    result: z.literal("ALLOW"),
    accessToken: z.object({
      header: z.object({ alg: SigningAlg, kid: z.string().nullable(), typ: z.string().optional() }),
      payload: z.record(z.string(), z.unknown()).meta({ description: "The claims, unsigned." }),
    }),
    idToken: z
      .object({
        header: z.object({ alg: SigningAlg, kid: z.string().nullable() }),
        payload: z
          .record(z.string(), z.unknown())
          .meta({ description: "The claims, unsigned, without `at_hash`." }),
      })
      .nullable()
      .meta({
        description:
          "The ID token issued beside the access token (a user grant with `openid` granted), or null. No `at_hash`: nothing is signed.",
      }),
    policy: Named,
    rule: Named,
    inlineHook: HookOutcome.nullable().meta({ description: "Null when the rule names no hook." }),
    trace: z.array(TraceEntry),
    claimFailures: z.array(
      z.object({
        claim: z.string(),
        reason: described<ClaimFailureReason>({
          compile_failed: "the claim's expression no longer compiles",
          evaluation_failed: "the expression failed for this request",
          not_a_claim_value: "the expression's value cannot be a claim",
          regex_budget: "the group filter's regex exceeded its budget",
        }),
        message: z.string(),
      }),
    ),
  }),
  z.object({
    result: z.literal("DENY"),
    status: z.int().meta({ description: "The HTTP status the token endpoint would answer." }),
    error: z
      .union([OAuthErrorBody, OktaError.omit({ errorId: true })])
      .meta({ description: "The token endpoint's body: RFC 6749's, or Okta's 404 for an inactive server." }),
    trace: z.array(TraceEntry),
    inlineHook: HookOutcome.optional(),
  }),
]);

/** A trusted origin as Warden shows it: the origin in the browser's serialization. */
export const TrustedOriginBody = z.object({
  name: z.string(),
  origin: z.string().meta({ description: "scheme://host[:port], as a browser sends it in `Origin`." }),
  scopes: z.array(z.object({ type: TrustedOriginScopeType })),
  status: Status,
});

// ---- apps (OAuth clients) ----

const client = Client.shape;

/** Okta's OIDC app envelope: the only app type Warden has. */
export const oidcEnvelope = {
  name: z.literal("oidc_client"),
  signOnMode: z.literal("OPENID_CONNECT"),
};

export const ResponseType = z.enum(["code", "token", "id_token"]);

export const AppView = z.object({
  id: client.client_id.meta({ description: "The app's client_id." }),
  ...oidcEnvelope,
  label: client.client_name,
  status: Status,
  credentials: z.object({
    oauthClient: z.object({
      client_id: client.client_id,
      client_secret: z
        .string()
        .optional()
        .meta({ description: "Only in the response that created the app; stored hashed." }),
      token_endpoint_auth_method: client.token_endpoint_auth_method,
      autoKeyRotation: z.boolean(),
      pkce_required: z.boolean(),
    }),
  }),
  settings: z.object({
    oauthClient: z.object({
      grant_types: client.grant_types,
      redirect_uris: client.redirect_uris,
      post_logout_redirect_uris: client.redirect_uris,
      response_types: z.array(ResponseType).meta({ description: "Given, or derived from grant_types." }),
      application_type: client.application_type.unwrap(),
      consent_method: client.consent_method.unwrap(),
      initiate_login_uri: client.initiate_login_uri,
      refresh_token: z
        .object({
          rotation_type: client.refresh_token.unwrap().shape.rotation_type.unwrap(),
          leeway: z.number().int(),
        })
        .optional()
        .meta({ description: "For apps with the refresh_token grant." }),
      jwks: client.jwks,
      jwks_uri: client.jwks_uri,
    }),
  }),
  _links: z.object({ self: Link, secrets: Link, ...lifecycleLinks }),
});

export const ClientSecretView = z.object({
  id: ClientSecret.shape.id,
  status: Status,
  client_secret: z
    .string()
    .optional()
    .meta({ description: "Only in the response that created the secret; stored hashed." }),
  created: Instant,
  lastUpdated: Instant,
  _links: z.object({ ...lifecycleLinks, delete: Link.optional() }),
});

/** Okta answers an app's lifecycle operations with an empty object. */
export const EmptyObject = z.object({});

// ---- inline hooks and API tokens ----

const hookConfig = InlineHook.shape.channel.shape.config.shape;

export const InlineHookView = InlineHook.extend({
  channel: InlineHook.shape.channel.extend({
    config: z.object(hookConfig).extend({
      authScheme: InlineHookAuthScheme.omit({ value: true })
        .nullable()
        .meta({ description: "The secret (`value`) is write-only: never in a response." }),
    }),
  }),
  created: Instant,
  lastUpdated: Instant,
  _links: z.object({ self: Link, ...lifecycleLinks }),
});

export const ApiTokenView = z.object({
  id: z.string(),
  name: ApiTokenInput.shape.name,
  userId: ApiTokenInput.shape.userId.unwrap().nullable(),
  clientName: z.string(),
  created: Instant,
  lastUpdated: Instant,
  expiresAt: Instant.nullable(),
  token: z
    .string()
    .optional()
    .meta({ description: "The value, only in the response that created it; stored as its SHA-256." }),
  scopes: z.array(OktaScope).nullable().meta({
    description:
      "Warden: the okta.* scopes the token may use, at most its creator's; null on a token created before tokens recorded their rights (refused).",
  }),
  owner: z
    .union([
      z.object({ type: z.literal("BOOTSTRAP") }),
      z.object({ type: z.enum(["API_TOKEN", "CLIENT"]), id: z.string() }),
    ])
    .nullable()
    .meta({
      description:
        "Warden: who created the token (the bootstrap token, an API token, an org-server client); its rights end with the owner's.",
    }),
  _links: z.object({ self: Link, user: z.array(z.object({ href: z.url() })).optional() }),
});

// ---- config as code ----

export const ImportSummaryView = z.object({
  servers: z.array(z.object({ id: ObjectId, version: z.number().int() })),
  clients: z.array(z.object({ client_id: client.client_id, created: z.boolean() })),
  generatedSecrets: z
    .record(z.string(), z.string())
    .meta({ description: "client_id → a secret Warden generated in this call, shown once." }),
  inlineHooks: z.array(z.object({ id: ObjectId, created: z.boolean() })),
  trustedOrigins: z.array(z.object({ id: z.string(), origin: z.string(), created: z.boolean() })),
  deleted: z
    .object({
      authorizationServers: z.array(z.string()),
      clients: z.array(z.string()),
      inlineHooks: z.array(z.string()),
      trustedOrigins: z.array(z.string()).meta({ description: "Trusted origin ids." }),
    })
    .meta({ description: "What `prune` deleted (or, in a dry run, would delete)." }),
}) satisfies z.ZodType<ImportSummary>;

/** The live configuration as an import would restate it: never a secret. */
export const ExportDocumentView = z.object({
  authorizationServers: z.array(ServerConfig),
  clients: z.array(z.object(client).omit({ secrets: true })),
  inlineHooks: z.array(InlineHook),
  trustedOrigins: z.array(TrustedOriginBody),
}) satisfies z.ZodType<ExportDocument>;

// ---- trusted origins ----

export const TrustedOriginView = TrustedOriginBody.extend({
  id: z.string().meta({ description: "`tos…`" }),
  created: Instant,
  createdBy: z.string().meta({ description: "The admin who created it, as the system log names them." }),
  lastUpdated: Instant,
  lastUpdatedBy: z.string(),
  _links: z.object({ self: Link, ...lifecycleLinks }),
});

// ---- system log ----

const LogEntity = z.object({
  id: z.string(),
  type: z.string(),
  alternateId: z.string().nullable(),
  displayName: z.string().nullable(),
  detailEntry: z.record(z.string(), z.string()).nullable(),
});

/** Okta's LogEvent (src/log/event.ts). Counted events carry `debugData.aggregated` and `count`. */
export const LogEventView = z
  .object({
    uuid: z.string(),
    published: z.string(),
    eventType: z.string(),
    version: z.literal("0"),
    severity: z.enum(["DEBUG", "INFO", "WARN", "ERROR"]),
    legacyEventType: z.null(),
    displayMessage: z.string(),
    actor: LogEntity,
    client: z.object({
      ipAddress: z.string().nullable(),
      userAgent: z.object({ rawUserAgent: z.string().nullable() }).nullable(),
      zone: z.string().nullable(),
      device: z.string().nullable(),
      id: z.string().nullable(),
    }),
    outcome: z.object({
      result: z.enum(["SUCCESS", "FAILURE", "SKIPPED", "ALLOW", "DENY", "CHALLENGE", "UNKNOWN"]),
      reason: z.string().nullable(),
    }),
    target: z.array(LogEntity),
    transaction: z.object({
      type: z.enum(["WEB", "JOB"]),
      id: z.string().nullable(),
      detail: z.record(z.string(), z.unknown()),
    }),
    debugContext: z.object({ debugData: z.record(z.string(), z.unknown()) }),
    authenticationContext: z.object({
      authenticationStep: z.literal(0),
      externalSessionId: z.string().nullable(),
    }),
    securityContext: z.object({}),
    request: z.object({ ipChain: z.array(z.object({ ip: z.string() })) }),
  })
  .meta({ description: "One System Log event (Okta's LogEvent)." }) satisfies z.ZodType<LogEvent>;

// ---- users (src/directory/user-view.ts) ----

const UserStatus = z.enum(USER_STATUSES);
const UserProfileScalar = z.union([z.string(), z.number(), z.boolean()]);
const UserLink = z.object({ href: z.url(), method: z.literal("POST") });

export const UserView = z.object({
  id: z.string(),
  status: UserStatus,
  transitioningToStatus: UserStatus.optional(),
  created: Instant,
  activated: Instant.nullable(),
  statusChanged: Instant.nullable(),
  lastLogin: Instant.nullable(),
  lastUpdated: Instant,
  passwordChanged: Instant.nullable(),
  profile: z
    .object({ login: z.string(), email: z.string(), firstName: z.string(), lastName: z.string() })
    .catchall(z.union([UserProfileScalar, z.array(UserProfileScalar)])),
  credentials: z.object({
    password: z.object({}).optional().meta({ description: "Present, empty, when the user has a password." }),
    provider: z.object({ type: z.literal("OKTA"), name: z.literal("OKTA") }),
  }),
  _links: z
    .object({
      self: z.object({ href: z.url() }),
      activate: UserLink.optional(),
      deactivate: UserLink.optional(),
      suspend: UserLink.optional(),
      unsuspend: UserLink.optional(),
      unlock: UserLink.optional(),
    })
    .meta({ description: "`self`, and the lifecycle operations the user's status allows." }),
});

// ---- groups, members and app assignments (src/directory/group-view.ts, src/admin/app-assignments.ts) ----

const AttributeValue = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])),
]);
const NamedLink = z.object({ name: z.string(), href: z.url(), type: z.string().optional() });

/** Okta's Group (`okta:user_group`); Everyone is the one BUILT_IN group. */
export const GroupView = z.object({
  id: z.string(),
  created: Instant,
  lastUpdated: Instant,
  lastMembershipUpdated: Instant,
  objectClass: z.array(z.literal("okta:user_group")),
  type: z.enum(["OKTA_GROUP", "BUILT_IN"]),
  profile: z
    .object({ name: z.string(), description: z.string().nullable().optional() })
    .catchall(AttributeValue),
  _links: z.object({
    logo: z.array(NamedLink),
    users: Link,
    apps: Link,
    self: Link,
  }),
});

/** Okta's AppUser for an SSO app: assigned directly (`USER`) or through a group (`GROUP`). */
export const AppUserView = z.object({
  id: z.string().meta({ description: "The user's id." }),
  externalId: z.null(),
  created: Instant,
  lastUpdated: Instant,
  scope: z.enum(["USER", "GROUP"]),
  status: z.literal("ACTIVE"),
  statusChanged: Instant,
  passwordChanged: z.null(),
  syncState: z.literal("DISABLED"),
  lastSync: z.null(),
  credentials: z.object({ userName: z.string() }),
  profile: z.record(z.string(), AttributeValue).meta({ description: "The app user profile (`appuser.*`)." }),
  _links: z.object({
    self: Link,
    app: Link,
    user: Link,
    group: NamedLink.optional().meta({ description: "The group of a GROUP assignment." }),
  }),
});

/** Okta's ApplicationGroupAssignment. */
export const AppGroupView = z.object({
  id: z.string().meta({ description: "The group's id." }),
  lastUpdated: Instant,
  priority: z
    .int()
    .min(0)
    .meta({ description: "0 first: a user in several assigned groups gets the first one's profile." }),
  profile: z.record(z.string(), AttributeValue),
  _links: z.object({ self: Link, app: Link, group: Link }),
});

// ---- Sign-in (src/signin/authn.ts): public routes for apps with their own sign-in form ----

/** Okta's authentication transaction, in the one state Warden answers: SUCCESS. */
export const AuthnTransactionView = z.object({
  expiresAt: Instant.meta({ description: "When the sessionToken expires (5 minutes)." }),
  status: z.literal("SUCCESS"),
  sessionToken: z.string().meta({
    description: "Single use: `/oauth2/{authServerId}/v1/authorize?sessionToken=…` trades it for a session.",
  }),
  _embedded: z.object({
    user: z.object({
      id: z.string(),
      profile: z.object({
        login: z.string(),
        firstName: z.string().nullable(),
        lastName: z.string().nullable(),
        locale: z.string(),
        timeZone: z.string(),
      }),
    }),
  }),
});

/** Okta's Session, for the browser's `sid` cookie. */
export const SessionView = z.object({
  id: z.string(),
  userId: z.string(),
  login: z.string(),
  createdAt: Instant,
  expiresAt: Instant.meta({
    description: "The idle expiry; each authorization moves it, up to a day after sign-in.",
  }),
  status: z.literal("ACTIVE"),
  lastPasswordVerification: Instant,
  lastFactorVerification: z.null(),
  amr: z.array(z.string()),
  idp: z.object({ id: z.string(), type: z.literal("OKTA") }),
  mfaActive: z.literal(false),
  _links: z.object({ self: Link, user: Link }),
});

// ---- Consent grants (src/admin/user-grants.ts) ----

const HrefTitle = z.object({ href: z.url(), title: z.string().optional() });

/** Okta's OAuth2ScopeConsentGrant: one user's consent to one scope of one server, for one app. */
export const ConsentGrantView = z.object({
  id: z.string().meta({ description: "`oag…`" }),
  status: z.enum(["ACTIVE", "REVOKED"]),
  created: Instant,
  lastUpdated: Instant,
  issuer: z.string().meta({ description: "The issuer of the authorization server the scope belongs to." }),
  clientId: z.string(),
  userId: z.string(),
  scopeId: z.string(),
  source: z.enum(["END_USER", "ADMIN"]),
  createdBy: z.object({ id: z.string(), type: z.literal("User") }),
  _embedded: z
    .object({
      scope: z.object({
        id: z.string(),
        name: z.string(),
        displayName: z.string().optional(),
        description: z.string().optional(),
      }),
    })
    .optional()
    .meta({ description: "With `expand=scope`." }),
  _links: z.object({
    app: HrefTitle,
    client: HrefTitle,
    scope: HrefTitle,
    self: Link,
    user: HrefTitle,
    authorizationServer: HrefTitle,
  }),
});

// ---- Admin role assignments (src/admin/user-roles.ts) ----

/** Okta's role assignment of a standard role to a user. */
export const RoleAssignmentView = z.object({
  id: z.string().meta({ description: "`ra…`" }),
  label: z.enum(Object.values(ADMIN_ROLE_LABELS) as [string, ...string[]]),
  type: z.enum(ADMIN_ROLE_TYPES),
  status: z.literal("ACTIVE"),
  created: Instant,
  lastUpdated: Instant,
  assignmentType: z.literal("USER"),
  _links: z.object({ assignee: z.object({ href: z.url() }) }),
});

// ---- Refresh tokens (src/admin/refresh-tokens.ts) ----

/** Okta's OAuth2Client: an app holding refresh tokens, as the token APIs list it. */
export const OAuth2ClientView = z.object({
  client_id: z.string(),
  client_name: z.string(),
  client_uri: z.null(),
  logo_uri: z.null(),
  _links: z.object({
    grants: Link.optional().meta({
      description: "The user's consent grants for the app (user routes only).",
    }),
    tokens: Link,
  }),
});

/** Okta's OAuth2RefreshToken: one grant's refresh-token family. */
export const RefreshTokenView = z.object({
  id: z.string().meta({ description: "`oar…`" }),
  status: z.enum(["ACTIVE", "REVOKED"]),
  created: Instant,
  lastUpdated: Instant,
  expiresAt: Instant.nullable().meta({
    description: "The family's absolute end; null when the rule sets none.",
  }),
  issuer: z.string(),
  clientId: z.string(),
  userId: z.string(),
  scopes: z.array(z.string()),
  _embedded: z
    .object({
      scopes: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          displayName: z.string().optional(),
          description: z.string().optional(),
          _links: z.object({ scope: HrefTitle }),
        }),
      ),
    })
    .optional()
    .meta({ description: "With `expand=scope`." }),
  _links: z.object({
    app: HrefTitle,
    self: Link,
    revoke: z.object({ href: z.url(), hints: z.object({ allow: z.array(z.literal("DELETE")) }) }),
    client: HrefTitle,
    user: HrefTitle,
    authorizationServer: HrefTitle,
  }),
});
