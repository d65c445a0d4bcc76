/**
 * `/api/v1/trustedOrigins`, Okta's Trusted Origins API: list (`q`, `filter`, `limit` / `after` with
 * `Link` headers), create, get, replace, delete, and `lifecycle/activate|deactivate`. Every read and
 * write goes through the control plane, which publishes the ACTIVE origins for the edges' CORS
 * decisions (src/oauth/cors.ts). Rights: okta.trustedOrigins.read / manage (src/admin/auth.ts).
 */
import { type Context, Hono } from "hono";
import {
  JSON_MAX_DEPTH,
  TRUSTED_ORIGIN_BODY_MAX_BYTES,
  TRUSTED_ORIGINS_PAGE_LIMIT,
  TRUSTED_ORIGINS_QUERY_MAX_LENGTH,
} from "../config/defaults";
import type { TrustedOriginRecord } from "../config/schemas";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import { readJsonBody } from "../http/json-body";
import { adminActor } from "./audit";
import { controlPlane, notFound } from "./control-plane-client";
import {
  adminOrigin,
  LIFECYCLE,
  lifecycleLinks,
  pageLimit,
  setPageLinks,
  validationFailed,
  type WriteAnswer,
  written,
} from "./responses";
import { parseTrustedOriginFilter } from "./trusted-origin-filter";

const BASE = "/api/v1/trustedOrigins";

export function trustedOriginsRouter() {
  const router = new Hono<AppEnv>();

  router.get("/", async (c) => {
    const limit = pageLimit(c.req.query("limit"), TRUSTED_ORIGINS_PAGE_LIMIT);
    const q = boundedQuery(c, "q");
    const filter = boundedQuery(c, "filter");
    const after = c.req.query("after");
    const where = filter === undefined ? undefined : parseTrustedOriginFilter(filter);
    if (filter !== undefined && !where) {
      throw new ApiError("E0000031", "Invalid search criteria.", [
        { errorSummary: "filter: use name, origin or status with eq and a quoted value, joined by and" },
      ]);
    }
    const page = await controlPlane(c.env).listTrustedOrigins({
      limit,
      ...(q ? { q } : {}),
      ...(where ? { where } : {}),
      ...(after ? { after } : {}),
    });
    setPageLinks(c, BASE, { limit, q, filter, after, next: page.next });
    const origin = adminOrigin(c);
    return c.json(page.origins.map((o) => oktaTrustedOrigin(o, origin)));
  });

  router.post("/", async (c) => {
    const body = await readBody(c);
    const result = await controlPlane(c.env).createTrustedOrigin(body, actor(c));
    // Okta answers the creation of a trusted origin with 200.
    return c.json(oktaTrustedOrigin(written(result, answer("")), adminOrigin(c)));
  });

  router.get("/:id", async (c) => {
    const id = c.req.param("id");
    const found = (await controlPlane(c.env).getTrustedOrigin(id)) ?? notFound(id, "TrustedOrigin");
    return c.json(oktaTrustedOrigin(found, adminOrigin(c)));
  });

  router.put("/:id", async (c) => {
    const id = c.req.param("id");
    const body = await readBody(c);
    const result = await controlPlane(c.env).replaceTrustedOrigin(id, body, actor(c));
    return c.json(oktaTrustedOrigin(written(result, answer(id)), adminOrigin(c)));
  });

  router.delete("/:id", async (c) => {
    const id = c.req.param("id");
    written(await controlPlane(c.env).deleteTrustedOrigin(id), answer(id));
    return c.body(null, 204);
  });

  for (const [action, status] of LIFECYCLE) {
    // Okta answers a trusted origin's lifecycle operations with the trusted origin.
    router.post(`/:id/lifecycle/${action}`, async (c) => {
      const id = c.req.param("id");
      const result = await controlPlane(c.env).setTrustedOriginStatus(id, status, actor(c));
      return c.json(oktaTrustedOrigin(written(result, answer(id)), adminOrigin(c)));
    });
  }

  return router;
}

function readBody(c: Context<AppEnv>): Promise<unknown> {
  return readJsonBody(c.req.raw, { maxDepth: JSON_MAX_DEPTH, maxBytes: TRUSTED_ORIGIN_BODY_MAX_BYTES });
}

/** Who writes, as the system log names them: recorded as `createdBy` / `lastUpdatedBy`. */
function actor(c: Context<AppEnv>): string {
  return adminActor(c.get("admin")).id;
}

/** A search parameter, refused when longer than anyone types. */
function boundedQuery(c: Context<AppEnv>, name: string): string | undefined {
  const value = c.req.query(name);
  if (value !== undefined && value.length > TRUSTED_ORIGINS_QUERY_MAX_LENGTH) {
    throw validationFailed([
      { path: name, message: `at most ${TRUSTED_ORIGINS_QUERY_MAX_LENGTH} characters` },
    ]);
  }
  return value;
}

function answer(id: string): WriteAnswer<"trustedOrigin"> {
  return { missing: () => ({ id, kind: "TrustedOrigin" }) };
}

/** Okta's TrustedOrigin, built field by field. */
function oktaTrustedOrigin(record: TrustedOriginRecord, origin: string) {
  const self = `${origin}${BASE}/${record.id}`;
  return {
    id: record.id,
    name: record.name,
    origin: record.origin,
    scopes: record.scopes.map(({ type }) => ({ type })),
    status: record.status,
    created: record.created,
    createdBy: record.createdBy,
    lastUpdated: record.lastUpdated,
    lastUpdatedBy: record.lastUpdatedBy,
    _links: {
      // Okta deletes an ACTIVE trusted origin too.
      self: { href: self, hints: { allow: ["GET", "PUT", "DELETE"] } },
      ...lifecycleLinks(self, record.status),
    },
  };
}
