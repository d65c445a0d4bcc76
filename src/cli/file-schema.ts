/**
 * The config-as-code file (`warden.yaml`), built from the control plane's own schemas so a field
 * means exactly what it means to the management API. What the file changes, and why:
 * - an authorization server is flat: its fields next to its `scopes`, `claims` and `policies`;
 * - `priority` is optional: list order is evaluation order unless every item of the list gives one;
 * - clients never carry secrets (Warden generates them; `apply` prints new ones once).
 */
import * as z from "zod";
import { withOidcDefaults } from "../config/oidc-app";
import {
  AuthorizationServer,
  Claim,
  ClientFields,
  InlineHook,
  Policy,
  Rule,
  Scope,
  ServerConfig,
  TrustedOriginFields,
} from "../config/schemas";

const priority = Rule.shape.priority.optional().meta({
  description:
    "Evaluation order, 1 first. Optional: without it the list order is the order. Give it on every item of the list or on none; only the ranks matter (10, 20 is the same as 1, 2).",
});

export const FileRule = Rule.extend({ priority });
export type FileRule = z.infer<typeof FileRule>;

export const FilePolicy = Policy.extend({
  priority,
  rules: z
    .array(FileRule)
    .default([])
    .meta({ description: "The policy's rules, first match wins (Okta semantics)." }),
});
export type FilePolicy = z.infer<typeof FilePolicy>;

export const FileServer = AuthorizationServer.extend({
  scopes: z
    .array(Scope)
    .default([])
    .meta({ description: "Every custom scope of the server; one missing here is deleted by apply." }),
  claims: z
    .array(Claim)
    .default([])
    .meta({ description: "Every custom claim of the server; one missing here is deleted by apply." }),
  policies: z
    .array(FilePolicy)
    .default([])
    .meta({ description: "Access policies in evaluation order; one missing here is deleted by apply." }),
  trustedServers: ServerConfig.shape.trustedServers.meta({
    description:
      "Token exchange (RFC 8693): the ids of the other authorization servers whose access tokens this one accepts as a subject token (Okta's trusted servers).",
  }),
});
export type FileServer = z.infer<typeof FileServer>;

/**
 * A client as the file holds it: every field of a stored client but its (hashed) secrets, with the
 * OIDC defaults filled in as the control plane fills them, so a default never reads as a change.
 */
export const FileClient = ClientFields.omit({ secrets: true }).overwrite(withOidcDefaults);
export type FileClient = z.infer<typeof FileClient>;

/**
 * Each kind of object by its own fields (a policy without its rules), keyed by the plan's object
 * kinds: what judges which members only repeat a default, both in the lean file `warden export`
 * writes and in the fields a planned create shows.
 */
export const OBJECT_FIELDS = {
  authorizationServer: AuthorizationServer,
  scope: Scope,
  claim: Claim,
  policy: Policy.omit({ rules: true }),
  rule: Rule,
  client: FileClient,
  inlineHook: InlineHook,
  trustedOrigin: TrustedOriginFields,
} as const;

export const WardenFile = z
  .object({
    /** JSON editors (VS Code) read the schema from here; YAML uses a `yaml-language-server` comment. */
    $schema: z.string().optional().meta({ description: "Path or URL of this JSON Schema, for editors." }),
    authorizationServers: z.array(FileServer).default([]),
    clients: z
      .array(FileClient)
      .default([])
      .meta({ description: "OAuth clients (Okta apps), without secrets." }),
    inlineHooks: z.array(InlineHook).default([]).meta({
      description:
        "Token inline hooks. authScheme.value is write-only: the export never has it, and a hook that omits it keeps its stored secret while its header and its URI's origin stay the same.",
    }),
    trustedOrigins: z.array(TrustedOriginFields).default([]).meta({
      description:
        "Okta's trusted origins, keyed by origin: CORS lets that web page read the token endpoints' answers; REDIRECT allows it after sign-out.",
    }),
  })
  .meta({
    title: "Warden configuration",
    description:
      "Authorization servers, clients, inline hooks and trusted origins of a Warden, as `warden apply` takes them.",
  });
export type WardenFile = z.infer<typeof WardenFile>;
export type WardenFileInput = z.input<typeof WardenFile>;

export { ImportDocument, type ImportDocumentInput } from "../config/schemas";

/** What `GET /api/v1/warden/export` returns, read leniently: extra fields (timestamps, secrets) are dropped. */
export const ExportDocument = z.object({
  authorizationServers: z.array(ServerConfig).default([]),
  clients: z.array(FileClient).default([]),
  inlineHooks: z.array(InlineHook).default([]),
  trustedOrigins: z.array(TrustedOriginFields).default([]),
});
export type ExportDocument = z.infer<typeof ExportDocument>;
