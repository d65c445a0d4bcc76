/**
 * What each write route of the management API accepts, derived from the schemas the control plane
 * validates with. A field the path or the server owns (an id, `system`, a policy's `rules`, a
 * status with its own lifecycle endpoints) is left out: the route ignores or refuses it.
 */
import * as z from "zod";
import {
  USER_CREATE_MAX_GROUPS,
  USER_LOGIN_MAX_LENGTH,
  USER_NAME_MAX_LENGTH,
  USER_PROFILE_MAX_BYTES,
} from "../../config/defaults";
import {
  AuthorizationServer,
  Claim,
  Client,
  InlineHook,
  ObjectId,
  Policy,
  Rule,
  Scope,
  TrustedOriginFields,
} from "../../config/schemas";
import { ApiTokenInput } from "../../control-plane/api-token-store";
import { oidcEnvelope, ResponseType } from "./views";

/** Okta generates the id (`aus…`) when none is given; Warden lets it name `/oauth2/{id}`. */
export const AuthorizationServerCreate = AuthorizationServer.omit({ status: true }).extend({
  id: AuthorizationServer.shape.id.optional(),
});

export const AuthorizationServerReplace = AuthorizationServer.omit({ id: true, status: true });

export const ScopeWrite = Scope.omit({ id: true, system: true });

// `Claim` is refined, and zod refuses `omit` on a refined object: the refinements still run in the route.
export const ClaimWrite = z.object(Claim.shape).omit({ id: true, system: true });

/** A new policy or rule goes last unless a priority is given; one given shifts the others. */
const priority = Policy.shape.priority
  .optional()
  .meta({ description: "1 first. Absent: last on create, unchanged on replace." });

export const PolicyWrite = Policy.omit({ id: true, system: true, rules: true }).extend({ priority });

export const RuleWrite = Rule.omit({ id: true, system: true }).extend({ priority });

export const KeyRotate = z.object({
  use: AuthorizationServer.shape.credentials.unwrap().shape.signing.unwrap().shape.use.unwrap(),
});

export { PreviewRequest as TokenPreviewRequest } from "../token-preview";

/** Okta's AssociatedServerMediated: the servers to trust for token exchange. */
export const AssociatedServerMediated = z.object({
  trusted: z.array(ObjectId).min(1).meta({
    description: "Authorization server ids whose access tokens this server accepts as subject tokens.",
  }),
});

const client = Client.shape;

/**
 * Okta's OIDC app body. The route maps it onto a client (`label` → `client_name`, …) and checks
 * it with the client schema, so each member here is that schema's.
 */
export const AppWrite = z.object({
  ...oidcEnvelope,
  label: client.client_name,
  credentials: z
    .object({
      oauthClient: z
        .object({
          client_id: client.client_id.optional().meta({ description: "Generated (`0oa…`) when absent." }),
          token_endpoint_auth_method: client.token_endpoint_auth_method,
          autoKeyRotation: z.boolean().optional(),
          pkce_required: client.pkce_required,
        })
        .optional(),
    })
    .optional(),
  settings: z.object({
    oauthClient: z.object({
      grant_types: client.grant_types,
      redirect_uris: client.redirect_uris,
      post_logout_redirect_uris: client.post_logout_redirect_uris,
      response_types: z.array(ResponseType).optional(),
      application_type: client.application_type,
      consent_method: client.consent_method,
      initiate_login_uri: client.initiate_login_uri,
      refresh_token: client.refresh_token,
      jwks: client.jwks,
      jwks_uri: client.jwks_uri,
    }),
  }),
});

/** Okta assigns the id (`cal…`) when none is given and creates the hook ACTIVE. */
export const InlineHookCreate = InlineHook.omit({ status: true }).extend({
  id: InlineHook.shape.id.optional(),
});

/** A replace that omits `authScheme.value` keeps the stored secret (same header, URI at the same origin). */
export const InlineHookReplace = InlineHook.omit({ id: true, status: true });

export const ApiTokenCreate = ApiTokenInput;

/** Okta creates a trusted origin ACTIVE unless `status` says otherwise; the id is Okta's (`tos…`). */
export const TrustedOriginWrite = TrustedOriginFields;

// ---- users (src/admin/users.ts, src/directory/user-profile.ts) ----

const ProfileScalar = z.union([z.string(), z.number(), z.boolean()]);
/** Custom attributes: a scalar or an array of scalars; `null` unsets one. */
const ProfileAttribute = z.union([ProfileScalar, z.array(ProfileScalar), z.null()]);

const UserProfileInput = z
  .object({
    login: z
      .string()
      .max(USER_LOGIN_MAX_LENGTH)
      .meta({ description: "In the form of an email address; unique without regard to case." }),
    email: z.string().max(USER_LOGIN_MAX_LENGTH),
    firstName: z.string().max(USER_NAME_MAX_LENGTH),
    lastName: z.string().max(USER_NAME_MAX_LENGTH),
  })
  .catchall(ProfileAttribute)
  .meta({
    description: `Okta's base attributes and custom ones (names: letters, digits, _), at most ${USER_PROFILE_MAX_BYTES} bytes as JSON.`,
  });

const UserCredentialsInput = z.object({
  password: z
    .object({ value: z.string().optional() })
    .optional()
    .meta({ description: "Checked against the password policy; stored hashed, never shown." }),
});

export const UserCreate = z.object({
  profile: UserProfileInput,
  credentials: UserCredentialsInput.optional(),
  groupIds: z
    .array(z.string())
    .max(USER_CREATE_MAX_GROUPS)
    .optional()
    .meta({ description: "OKTA_GROUP ids the user joins in the same write." }),
});

export const UserReplace = UserCreate.omit({ groupIds: true });

export const UserUpdate = z.object({
  profile: UserProfileInput.partial()
    .optional()
    .meta({ description: "The attributes to change; the others stay; `null` unsets one." }),
  credentials: UserCredentialsInput.optional(),
});

/** Okta's primary authentication request (`/api/v1/authn`): username and password only. */
export const AuthnRequest = z.object({
  username: z.string().min(1).max(100),
  password: z.string().min(1),
});
