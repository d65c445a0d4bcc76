/**
 * The authorization server a sign-in is for, as /v1/authorize, the hosted forms, consent and logout
 * see it: a custom server (`/oauth2/{as}`: its access policies decide) or the org server
 * (`/oauth2/v1`: no policies; OIDC scopes for any assigned user, okta.* scopes by admin rights). One
 * sign-in code serves both (src/signin/authorize.ts); each kind supplies what differs.
 */
import type { Context } from "hono";
import { ORG_ACCESS_TOKEN_LIFETIME_SECONDS, ORG_KEYS_ID } from "../config/defaults";
import type { Client, Scope } from "../config/schemas";
import type { AppEnv, Ports } from "../context";
import type { TokenSubject } from "../directory/directory";
import { OAuthError } from "../errors";
import type { AuthorizedDecision } from "../grants/grant-port";
import { customServer } from "../oauth/custom-server";
import { decideOrgSignIn } from "../oauth/org/org-server";
import { grantOrgUserScopes } from "../oauth/org/scopes";
import { requireOrgUrl } from "../oauth/org-url";
import { evaluate } from "../policy";

type Ctx = Context<AppEnv>;

/** What the user was granted at /v1/authorize, and the decision bound into the code. */
export interface SignInDecision {
  scopes: readonly string[];
  decision: AuthorizedDecision;
}

export interface SignInServer {
  /** Binds sealed forms, codes and consent grants to this server: a custom server's id, or `$org`. */
  readonly id: string;
  readonly issuer: string;
  /** Where this server's hosted forms post (`{basePath}/signin`, `{basePath}/consent`). */
  readonly basePath: string;
  /** The keys that sign its ID tokens (logout verifies `id_token_hint` with them). */
  readonly keysetId: string;
  /** The scopes consent may be asked for (OIDC scopes on the org server are IMPLICIT: none asks). */
  readonly scopes: readonly Scope[];
  /**
   * The server's answer to scopes it does not have (or no scope and no default), before anyone is
   * asked to sign in; undefined when there is nothing to refuse yet.
   */
  unknownScopes(client: Client, scopes: readonly string[]): Promise<string | undefined>;
  /** Whom the server grants what, for an assigned ACTIVE user; throws `access_denied` / `invalid_scope`. */
  decide(client: Client, subject: TokenSubject, scopes: readonly string[]): Promise<SignInDecision>;
}

/** A custom server, from the snapshot and issuer `forServer` put on the context. */
export function customSignInServer(c: Ctx): SignInServer {
  const snapshot = c.get("snapshot");
  const issuer = c.get("issuer");
  const id = snapshot.server.id;
  return {
    id,
    issuer,
    basePath: `/oauth2/${id}`,
    keysetId: id,
    scopes: snapshot.scopes,
    async unknownScopes(client, scopes) {
      // The policy engine's own answer, which it gives before looking at any policy or user.
      const decision = evaluate(
        { clientId: client.client_id, grantType: "authorization_code", requestedScopes: scopes },
        snapshot,
      );
      return !decision.ok && decision.error === "invalid_scope" ? decision.description : undefined;
    },
    async decide(client, subject, scopes) {
      // The token endpoint's own `decide`, grant type authorization_code: Okta evaluates policy here.
      const grant = customServer(snapshot, issuer).decide({
        grantType: "authorization_code",
        client,
        requestedScopes: scopes,
        subject,
      });
      return {
        scopes: grant.scopes,
        decision: {
          policyId: grant.policy.id,
          ruleId: grant.rule.id,
          accessTokenLifetimeSeconds: grant.accessTokenLifetimeSeconds,
          inlineHookId: grant.inlineHookId,
          refreshTokenLifetimeMinutes: grant.refreshTokenLifetimeMinutes,
          refreshTokenWindowMinutes: grant.refreshTokenWindowMinutes,
        },
      };
    },
  };
}

/** No policy or rule decides at the org server: the decision bound into its codes names none. */
const ORG_DECISION: AuthorizedDecision = {
  policyId: "",
  ruleId: "",
  accessTokenLifetimeSeconds: ORG_ACCESS_TOKEN_LIFETIME_SECONDS,
};

/** The org authorization server: issuer the org URL (never the Host header, DESIGN §8). */
export function orgSignInServer(c: Ctx): SignInServer {
  const ports: Ports = c.get("ports");
  const issuer = requireOrgUrl(ports.settings, c.req.url);
  return {
    id: ORG_KEYS_ID,
    issuer,
    basePath: "/oauth2/v1",
    keysetId: ORG_KEYS_ID,
    scopes: [],
    async unknownScopes(client, scopes) {
      // The scope rules that need no user (none, unknown, not yet issued, okta.* not granted to the
      // app), checked before sign-in; okta.* rights are the user's and wait for the sign-in.
      try {
        await grantOrgUserScopes(client, scopes, async (okta) => okta);
        return undefined;
      } catch (error) {
        if (error instanceof OAuthError && error.code === "invalid_scope") return error.description;
        throw error;
      }
    },
    async decide(client, subject, scopes) {
      return { scopes: await decideOrgSignIn(ports, client, subject, scopes), decision: ORG_DECISION };
    },
  };
}

/** How a sign-in endpoint finds its server from the request. */
export type ServerOf = (c: Ctx) => SignInServer;
