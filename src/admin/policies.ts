/**
 * Okta's access policies and their rules: `/api/v1/authorizationServers/{id}/policies[/{pid}]`
 * and `…/policies/{pid}/rules[/{rid}]`, each with list, create, get, replace, delete and
 * `lifecycle/activate|deactivate`. Priorities follow Okta (`priorities.ts`): a new policy or rule
 * goes last unless a priority is given, and placing one at a priority shifts the others.
 */
import { Hono } from "hono";
import { ADMIN_BODY_MAX_BYTES, JSON_MAX_DEPTH } from "../config/defaults";
import type { Policy, Rule } from "../config/schemas";
import type { AppEnv } from "../context";
import type { ServerChange } from "../control-plane/server-changes";
import { newObjectId } from "../crypto/object-id";
import { readJsonBody } from "../http/json-body";
import { controlPlane, notFound } from "./control-plane-client";
import { adminOrigin, inServer, LIFECYCLE, lifecycleLinks, written } from "./responses";

/** Okta's AuthorizationServerPolicy: the rules are their own resource, never embedded. */
function policyView(origin: string, serverId: string, policy: Policy) {
  const self = `${origin}/api/v1/authorizationServers/${serverId}/policies/${policy.id}`;
  return {
    type: policy.type,
    id: policy.id,
    status: policy.status,
    name: policy.name,
    description: policy.description,
    priority: policy.priority,
    system: policy.system,
    conditions: policy.conditions,
    _links: {
      self: { href: self, hints: { allow: ["GET", "PUT", "DELETE"] } },
      rules: { href: `${self}/rules`, hints: { allow: ["GET"] } },
      ...lifecycleLinks(self, policy.status),
    },
  };
}

/** Okta's AuthorizationServerPolicyRule. */
function ruleView(origin: string, serverId: string, policyId: string, rule: Rule) {
  const self = `${origin}/api/v1/authorizationServers/${serverId}/policies/${policyId}/rules/${rule.id}`;
  return {
    ...rule,
    _links: {
      self: { href: self, hints: { allow: ["GET", "PUT", "DELETE"] } },
      ...lifecycleLinks(self, rule.status),
    },
  };
}

export function policiesRouter() {
  const router = new Hono<AppEnv>();
  const change = (c: { env: AppEnv["Bindings"] }, id: string, body: ServerChange) =>
    controlPlane(c.env).changeServer(id, body);

  async function policiesOf(env: AppEnv["Bindings"], id: string): Promise<Policy[]> {
    const config = await controlPlane(env).getServerConfig(id);
    return config ? config.policies : notFound(id);
  }

  async function policyOf(env: AppEnv["Bindings"], id: string, policyId: string): Promise<Policy> {
    return (await policiesOf(env, id)).find((p) => p.id === policyId) ?? notFound(policyId, "Policy");
  }

  // ---- policies ----

  router.get("/:id/policies", async (c) => {
    const id = c.req.param("id");
    const origin = adminOrigin(c);
    return c.json((await policiesOf(c.env, id)).map((p) => policyView(origin, id, p)));
  });

  router.post("/:id/policies", async (c) => {
    const id = c.req.param("id");
    const body = await readJsonBody(c.req.raw, { maxDepth: JSON_MAX_DEPTH, maxBytes: ADMIN_BODY_MAX_BYTES });
    const result = written(
      await change(c, id, { type: "createPolicy", id: newObjectId("00p"), policy: body }),
      inServer(id, "Policy"),
    );
    return c.json(policyView(adminOrigin(c), id, result.object as Policy), 201);
  });

  router.get("/:id/policies/:policyId", async (c) => {
    const { id, policyId } = c.req.param();
    return c.json(policyView(adminOrigin(c), id, await policyOf(c.env, id, policyId)));
  });

  router.put("/:id/policies/:policyId", async (c) => {
    const { id, policyId } = c.req.param();
    const body = await readJsonBody(c.req.raw, { maxDepth: JSON_MAX_DEPTH, maxBytes: ADMIN_BODY_MAX_BYTES });
    const result = written(
      await change(c, id, { type: "replacePolicy", policyId, policy: body }),
      inServer(id, "Policy"),
    );
    return c.json(policyView(adminOrigin(c), id, result.object as Policy));
  });

  router.delete("/:id/policies/:policyId", async (c) => {
    const { id, policyId } = c.req.param();
    written(await change(c, id, { type: "deletePolicy", policyId }), inServer(id, "Policy"));
    return c.body(null, 204);
  });

  // ---- rules ----

  router.get("/:id/policies/:policyId/rules", async (c) => {
    const { id, policyId } = c.req.param();
    const origin = adminOrigin(c);
    const policy = await policyOf(c.env, id, policyId);
    return c.json(policy.rules.map((r) => ruleView(origin, id, policyId, r)));
  });

  router.post("/:id/policies/:policyId/rules", async (c) => {
    const { id, policyId } = c.req.param();
    const body = await readJsonBody(c.req.raw, { maxDepth: JSON_MAX_DEPTH, maxBytes: ADMIN_BODY_MAX_BYTES });
    const result = written(
      await change(c, id, { type: "createRule", policyId, id: newObjectId("0pr"), rule: body }),
      inServer(id, "PolicyRule", { [policyId]: "Policy" }),
    );
    return c.json(ruleView(adminOrigin(c), id, policyId, result.object as Rule), 201);
  });

  router.get("/:id/policies/:policyId/rules/:ruleId", async (c) => {
    const { id, policyId, ruleId } = c.req.param();
    const policy = await policyOf(c.env, id, policyId);
    const rule = policy.rules.find((r) => r.id === ruleId) ?? notFound(ruleId, "PolicyRule");
    return c.json(ruleView(adminOrigin(c), id, policyId, rule));
  });

  router.put("/:id/policies/:policyId/rules/:ruleId", async (c) => {
    const { id, policyId, ruleId } = c.req.param();
    const body = await readJsonBody(c.req.raw, { maxDepth: JSON_MAX_DEPTH, maxBytes: ADMIN_BODY_MAX_BYTES });
    const result = written(
      await change(c, id, { type: "replaceRule", policyId, ruleId, rule: body }),
      inServer(id, "PolicyRule", { [policyId]: "Policy" }),
    );
    return c.json(ruleView(adminOrigin(c), id, policyId, result.object as Rule));
  });

  router.delete("/:id/policies/:policyId/rules/:ruleId", async (c) => {
    const { id, policyId, ruleId } = c.req.param();
    written(
      await change(c, id, { type: "deleteRule", policyId, ruleId }),
      inServer(id, "PolicyRule", {
        [policyId]: "Policy",
      }),
    );
    return c.body(null, 204);
  });

  // ---- lifecycle: 204 No Content, as Okta answers ----

  for (const [action, status] of LIFECYCLE) {
    router.post(`/:id/policies/:policyId/lifecycle/${action}`, async (c) => {
      const { id, policyId } = c.req.param();
      written(await change(c, id, { type: "setPolicyStatus", policyId, status }), inServer(id, "Policy"));
      return c.body(null, 204);
    });
    router.post(`/:id/policies/:policyId/rules/:ruleId/lifecycle/${action}`, async (c) => {
      const { id, policyId, ruleId } = c.req.param();
      written(
        await change(c, id, { type: "setRuleStatus", policyId, ruleId, status }),
        inServer(id, "PolicyRule", {
          [policyId]: "Policy",
        }),
      );
      return c.body(null, 204);
    });
  }

  return router;
}
