/**
 * Token Preview (`POST /api/v1/authorizationServers/{id}/tokenPreview`), a Warden extension of Okta's
 * console feature: the access token a request would get — header and claims — and the ID token
 * beside it (a user grant with `openid`), or the error it would get, with the policy trace. It runs what the token endpoint runs, on the control plane's current
 * configuration, in the same order: the server's status, the client's, the grant, the claims, and the
 * rule's token inline hook, which is called as a real request calls it (Okta's previews call the
 * admin's service too), so a patched token or a hook's `server_error` shows here as it will for real.
 *
 * Nothing else happens: the token is never signed (no token usable anywhere), and nothing is
 * recorded (no denial, claim or hook event, no counter); what a real request would log is in the
 * response instead, except a failed hook call's particulars. Only client authentication is out of
 * scope: a preview names a client, it does not present its credentials.
 *
 * A failed hook shows as a coarse reason only (`PreviewHookFailure`): never the upstream status, a
 * connection error's text or the time the failed call took. Otherwise an admin could point a hook
 * at host:port after host:port and read, preview by preview, which ports are open. The particulars
 * go to the Worker's log (src/hooks/hook-log.ts), for whoever operates the deployment.
 */
import { Hono } from "hono";
import * as z from "zod";
import { ConfigStore } from "../config/config-store";
import { ADMIN_BODY_MAX_BYTES, JSON_MAX_DEPTH } from "../config/defaults";
import { holds } from "../config/rights";
import { ScopeName, type SigningAlg } from "../config/schemas";
import type { AppEnv, BindPorts, Ports } from "../context";
import type { TokenSubject } from "../directory/directory";
import { ApiError, OAuthError } from "../errors";
import type { HookFailureReason } from "../hooks/hook-log";
import { recordPreviewHookFailure } from "../hooks/hook-log";
import type { PatchRejection } from "../hooks/patch";
import { runTokenInlineHook, type TokenHookOutcome } from "../hooks/token-hook";
import { readJsonBody } from "../http/json-body";
import type { TokenAuthority } from "../oauth/authority";
import { AUTHENTICATION_FAILED } from "../oauth/client-auth";
import { customServer, type PolicyGrant } from "../oauth/custom-server";
import { INVALID_CODE } from "../oauth/grants/authorization-code";
import type { Grant, GrantRequest } from "../oauth/grants/grant";
import { INVALID_CREDENTIALS, NOT_ASSIGNED, passwordGrantFor } from "../oauth/grants/password";
import { grantFor, type SupportedGrantType } from "../oauth/grants/registry";
import { INVALID_SUBJECT_TOKEN, TOKEN_EXCHANGE, tokenExchangeFor } from "../oauth/grants/token-exchange";
import { parseScopeParam } from "../oauth/scope-param";
import { issueClaims } from "../oauth/token";
import type { TraceEntry } from "../policy";
import type { IdTokenClaims } from "../tokens/id-token";
import { controlPlane, notFound } from "./control-plane-client";
import { adminOrigin } from "./responses";

/**
 * The user grants a preview can run: each previewed as the grant it is for a user who is signed in
 * (`userId`), without redeeming anything (no code, refresh token, device code or subject token is
 * asked for or used): the client, the user and the scopes, evaluated by policy with that grant type,
 * and the token that would be issued. The refresh_token and device_code modules need not be
 * registered for their previews: policy and the claim set depend only on the grant type's name.
 */
export const PREVIEW_USER_GRANT_TYPES = [
  "password",
  "authorization_code",
  "refresh_token",
  "urn:ietf:params:oauth:grant-type:device_code",
  TOKEN_EXCHANGE,
] as const;
type PreviewUserGrantType = (typeof PREVIEW_USER_GRANT_TYPES)[number];

/**
 * What Token Preview takes: the client, the grant and the scopes a real request would name, and for
 * a user grant the user (`userId`) whose token it would be; no password, code or subject token: a
 * preview shows what the user would get once signed in (for token exchange: what an exchange of a
 * valid token of that user would produce).
 */
export const PreviewRequest = z.discriminatedUnion("grantType", [
  z.object({
    clientId: z.string().min(1),
    grantType: z.literal("client_credentials"),
    scopes: z.array(ScopeName).default([]),
    /** A client_credentials token has no user: naming one is a mistake, not something to ignore. */
    userId: z.never().optional(),
  }),
  z.object({
    clientId: z.string().min(1),
    grantType: z.enum(PREVIEW_USER_GRANT_TYPES),
    scopes: z.array(ScopeName).default([]),
    /** The user (`00u…`) whose token it would be. */
    userId: z.string().min(1).max(100),
  }),
]);

export function tokenPreviewRouter(now: () => number, bind: BindPorts) {
  const router = new Hono<AppEnv>();

  router.post("/:id/tokenPreview", async (c) => {
    const id = c.req.param("id");
    const parsed = PreviewRequest.safeParse(
      await readJsonBody(c.req.raw, { maxDepth: JSON_MAX_DEPTH, maxBytes: ADMIN_BODY_MAX_BYTES }),
    );
    if (!parsed.success) {
      throw new ApiError(
        "E0000001",
        `Api validation failed: ${parsed.error.issues.map((i) => i.path.join(".")).join(", ")}`,
        parsed.error.issues.map((i) => ({ errorSummary: `${i.path.join(".") || "body"}: ${i.message}` })),
      );
    }
    const plane = controlPlane(c.env);
    const [config, client, signing] = await Promise.all([
      plane.getServerConfig(id),
      plane.getClientRecord(parsed.data.clientId),
      plane.signingStatus(id),
    ]);
    if (!config || !signing) notFound(id);
    if (!client) notFound(parsed.data.clientId, "App");
    const userId = parsed.data.grantType === "client_credentials" ? undefined : parsed.data.userId;
    // A user's preview shows their profile, app profile and groups through the claims (whose
    // expressions the same admin may write): it needs the right to read users, or a narrow
    // authorization-server right would grow into reading the directory (DESIGN §8).
    if (userId !== undefined && !holds(c.get("admin").rights, "okta.users.read")) {
      throw new ApiError("E0000006", "You do not have permission to perform the requested action");
    }
    // The user, its groups and its assignment to the client, as the password grant reads them.
    const subject =
      userId === undefined ? undefined : await bind(c.env).directory.subject(userId, client.client_id);
    if (subject === null) notFound(userId ?? "", "User");

    // The token endpoint answers an inactive server exactly as an unknown one (oauth/server-context.ts).
    if (config.server.status !== "ACTIVE") {
      return c.json({
        result: "DENY",
        status: 404,
        error: {
          errorCode: "E0000007",
          errorSummary: `Not found: Resource not found: ${config.server.id} (AuthorizationServer)`,
          errorLink: "E0000007",
          errorCauses: [],
        },
        trace: [],
      });
    }

    const issuer = `${adminOrigin(c)}/oauth2/${config.server.id}`;
    const alg = config.server.credentials.signing.alg;
    const issuedAt = Math.floor(now() / 1000);
    // Uncached: the hook as the edges will read it, not as this isolate last saw it.
    const ports: Ports = { ...bind(c.env), config: new ConfigStore(now).source(c.env) };
    const authority = customServer(config, issuer);
    const scopes = [...new Set(parsed.data.scopes)];
    const params = new Map(scopes.length > 0 ? [["scope", scopes.join(" ")]] : []);
    try {
      // Client authentication refuses a deactivated client with the one message every failure gets.
      if (client.status !== "ACTIVE") throw new OAuthError("invalid_client", AUTHENTICATION_FAILED);
      const grant =
        parsed.data.grantType === "client_credentials" || !subject
          ? grantFor(parsed.data.grantType, authority.grantTypes)
          : previewUserGrant(parsed.data.grantType, subject);
      const { request, decision, token, claimFailures } = await issueClaims(grant, authority, {
        client,
        params,
        ports,
        now: issuedAt,
      });
      const hooked = await runTokenInlineHook({
        token,
        decision,
        client,
        grantType: request.grantType,
        requestedScopes: request.requestedScopes,
        snapshot: config,
        issuer,
        // What the hook is told about the request: the token endpoint's, as for a real one.
        request: new Request(`${issuer}/v1/token`, { method: "POST" }),
        config: ports.config,
        secrets: ports.hookSecrets,
        allowLoopback: ports.settings.localDevelopment,
        now: issuedAt,
      });
      if (hooked.outcome.kind === "failed") {
        recordPreviewHookFailure({ serverId: config.server.id, clientId: client.client_id }, hooked.outcome);
      }
      const inlineHook = hookView(hooked.outcome);
      if (hooked.outcome.kind === "error") {
        return c.json(
          denied(new OAuthError("server_error", hooked.outcome.errorSummary), decision.trace, inlineHook),
        );
      }
      const idToken = await previewIdToken(authority, request, decision, alg, issuedAt);
      return c.json({
        result: "ALLOW",
        accessToken: {
          header: { ...hooked.token.header, alg, kid: signing.kid },
          payload: hooked.token.payload,
        },
        idToken: idToken
          ? { header: { ...idToken.header, alg, kid: signing.kid }, payload: idToken.payload }
          : null,
        policy: decision.policy,
        rule: decision.rule,
        inlineHook,
        trace: decision.trace,
        claimFailures,
      });
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      return c.json(denied(error, error.trace ?? [], null));
    }
  });

  return router;
}

/**
 * The ID token the token endpoint would issue beside the access token (OIDC Core §3.1.3.3: to a
 * user, with `openid` granted), built by the same code. Its `at_hash` is half a hash of the signed
 * access token (§3.1.3.6); a preview signs nothing, so it has none rather than one of no token.
 */
async function previewIdToken(
  authority: TokenAuthority<PolicyGrant>,
  request: GrantRequest,
  decision: PolicyGrant,
  alg: SigningAlg,
  now: number,
): Promise<IdTokenClaims | undefined> {
  const claims = await authority.buildIdToken?.(request, decision, { accessToken: "", alg, now });
  if (!claims) return undefined;
  const { at_hash: _unsigned, ...payload } = claims.payload;
  return { header: claims.header, payload };
}

/**
 * The grant a user preview runs: the request's own once its proof (password, code, refresh token,
 * device code, subject token) has held, from the user read above. A user who could not have signed
 * in (locked, suspended, not active) gets what the real grant answers them, whatever the proof.
 */
function previewUserGrant(grantType: PreviewUserGrantType, subject: TokenSubject): Grant {
  if (subject.user.status !== "ACTIVE") throw new OAuthError("invalid_grant", INACTIVE_USER[grantType]);
  switch (grantType) {
    case "password":
      return passwordGrantFor(subject);
    case TOKEN_EXCHANGE:
      // The exchanging client acts for the user (`act`); no assignment to it is asked for.
      return tokenExchangeFor(subject);
    case "authorization_code":
    case "refresh_token":
    case "urn:ietf:params:oauth:grant-type:device_code":
      return signedInGrant(grantType, subject);
  }
}

/** What each grant answers for a user who is not ACTIVE (Okta's words for its own proof). */
const INACTIVE_USER: Record<PreviewUserGrantType, string> = {
  password: INVALID_CREDENTIALS,
  authorization_code: INVALID_CODE,
  refresh_token: "The refresh token is invalid or expired.",
  "urn:ietf:params:oauth:grant-type:device_code": "The device code is invalid or has expired.",
  [TOKEN_EXCHANGE]: INVALID_SUBJECT_TOKEN,
};

/**
 * A grant a user started by signing in to the client (a code, the refresh family it began, a device
 * code): policy evaluated as /v1/authorize (or /activate) evaluates it, with this grant type, for an
 * assigned user (Okta issues user tokens only to users assigned to the app).
 */
function signedInGrant(grantType: PreviewUserGrantType, subject: TokenSubject): Grant {
  return {
    // The refresh and device modules add their names to `SupportedGrantType` when they land; the
    // preview needs only the name (for policy, the client's registration and the hook).
    type: grantType as SupportedGrantType,
    resolve: ({ client, params }): GrantRequest => {
      if (!subject.assigned) throw new OAuthError("access_denied", NOT_ASSIGNED);
      return {
        grantType: grantType as SupportedGrantType,
        client,
        requestedScopes: parseScopeParam(params.get("scope")),
        subject,
      };
    },
  };
}

/** The error a real request would get, with the HTTP status the token endpoint would answer. */
function denied(error: OAuthError, trace: readonly TraceEntry[], inlineHook: HookView | null) {
  return {
    result: "DENY" as const,
    status: error.status,
    error: { error: error.code, error_description: error.description },
    trace,
    ...(inlineHook ? { inlineHook } : {}),
  };
}

/**
 * Why a previewed hook changed nothing, as an admin reads it: a closed set, deliberately coarser
 * than the log's `HookFailureReason`. Every way a call can fail to produce a usable reply (no
 * connection, a timeout, a status outside 2xx, a reply that is not a hook reply) is one reason,
 * `call_failed`, so a closed port, a filtered one and an open one that is not a hook all read alike.
 */
export type PreviewHookFailure =
  /** The URI is not a target Warden calls (src/http/outbound-url.ts); nothing was sent. */
  | "refused_target"
  /** The call produced no usable reply; the Worker's log says why. */
  | "call_failed"
  /** The hook replied, and its commands were refused (see `rejection`). */
  | "patch_rejected"
  | "hook_not_found"
  | "secret_unavailable";

export function previewHookFailure(reason: HookFailureReason): PreviewHookFailure {
  switch (reason) {
    case "timeout":
    case "network":
    case "http_status":
    case "invalid_reply":
      return "call_failed";
    case "refused_target":
    case "patch_rejected":
    case "hook_not_found":
    case "secret_unavailable":
      return reason;
  }
}

type HookView =
  | { id: string; called: false; outcome: "inactive" }
  | { id: string; called: true; outcome: "applied"; operations: number; elapsedMs: number }
  | { id: string; called: true; outcome: "error"; errorSummary: string; elapsedMs: number }
  | {
      id: string;
      called: boolean;
      outcome: "failed";
      reason: PreviewHookFailure;
      rejection?: PatchRejection;
    };

/**
 * What the rule's hook did, as an admin reads it; null when the rule names none. A hook that
 * replied shows what it replied and how long it took; a failed one only the coarse reason.
 */
function hookView(outcome: TokenHookOutcome): HookView | null {
  switch (outcome.kind) {
    case "none":
      return null;
    case "inactive":
      return { id: outcome.hookId, called: false, outcome: "inactive" };
    case "applied":
      return {
        id: outcome.hookId,
        called: true,
        outcome: "applied",
        operations: outcome.operations,
        elapsedMs: outcome.elapsedMs,
      };
    case "error":
      return {
        id: outcome.hookId,
        called: true,
        outcome: "error",
        errorSummary: outcome.errorSummary,
        elapsedMs: outcome.elapsedMs,
      };
    case "failed":
      return {
        id: outcome.hookId,
        called: outcome.called,
        outcome: "failed",
        reason: previewHookFailure(outcome.reason),
        ...(outcome.reason === "patch_rejected" && outcome.rejection ? { rejection: outcome.rejection } : {}),
      };
  }
}
