/**
 * Token Preview (`POST /api/v1/authorizationServers/{id}/tokenPreview`), a Warden extension of Okta's
 * console feature: the access token a request would get — header and claims — or the error it would
 * get, with the policy trace. It runs the very grant code the token endpoint runs, on the control
 * plane's current configuration, and has no side effect: nothing is signed, no hook is called.
 */
import { Hono } from "hono";
import * as z from "zod";
import { ScopeName } from "../config/schemas";
import type { AppEnv } from "../context";
import { ApiError, OAuthError } from "../errors";
import { clientCredentialsGrant } from "../oauth/grants/client-credentials";
import { controlPlane, notFound, readJsonBody } from "./control-plane-client";

const PreviewRequest = z.object({
  clientId: z.string().min(1),
  grantType: z.literal("client_credentials"),
  scopes: z.array(ScopeName).default([]),
});

export function tokenPreviewRouter(now: () => number) {
  const router = new Hono<AppEnv>();

  router.post("/:id/tokenPreview", async (c) => {
    const id = c.req.param("id");
    const parsed = PreviewRequest.safeParse(await readJsonBody(c.req.raw));
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

    const origin = (c.env.ORG_URL ?? new URL(c.req.url).origin).replace(/\/+$/, "");
    const issuer = `${origin}/oauth2/${config.server.id}`;
    const alg = config.server.credentials.signing.alg;
    try {
      if (client.status !== "ACTIVE") throw new OAuthError("invalid_client", "The client is deactivated.");
      const { token, decision, claimFailures } = clientCredentialsGrant({
        client,
        requestedScopes: [...new Set(parsed.data.scopes)],
        snapshot: config,
        issuer,
        now: Math.floor(now() / 1000),
      });
      return c.json({
        result: "ALLOW",
        accessToken: { header: { ...token.header, alg, kid: signing.kid }, payload: token.payload },
        policy: decision.policy,
        rule: decision.rule,
        inlineHook: decision.inlineHookId ? { id: decision.inlineHookId, called: false } : null,
        trace: decision.trace,
        claimFailures,
      });
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      return c.json({
        result: "DENY",
        error: { error: error.code, error_description: error.description },
        trace: error.trace ?? [],
      });
    }
  });

  return router;
}
