/**
 * Orders API: a second Worker whose routes accept only Warden access tokens. `wardenAuth` verifies the
 * bearer token (JWKS cached by its Cache-Control, in memory and in the Cache API); `requireScopes`
 * guards each route. Refusals are RFC 6750 responses; the typed reason is logged here.
 */
import { Hono } from "hono";
import { requireScopes, type WardenVariables, wardenAuth } from "warden/verify";

interface Bindings {
  /** The authorization server's issuer, e.g. `http://127.0.0.1:8787/oauth2/default` for `npm start`. */
  WARDEN_ISSUER: string;
  /** This API's audience on that server (the demo server's is `api://default`). */
  WARDEN_AUDIENCE: string;
  /** Optional service binding to the Warden Worker: JWKS requests then never leave Cloudflare. */
  WARDEN?: Fetcher;
}

interface Order {
  id: string;
  item: string;
  quantity: number;
  createdBy: string;
}

/** Per-isolate demo storage; a real API would use D1, KV or a Durable Object. */
const orders: Order[] = [{ id: "ord-1", item: "espresso beans", quantity: 2, createdBy: "seed" }];

const app = new Hono<{ Bindings: Bindings; Variables: WardenVariables }>();

app.get("/", (c) => c.json({ service: "orders-api", issuer: c.env.WARDEN_ISSUER }));

app.use(
  "/orders/*",
  wardenAuth((env: Bindings) => ({
    issuer: env.WARDEN_ISSUER,
    audience: env.WARDEN_AUDIENCE,
    ...(env.WARDEN
      ? { fetch: (url: string, init: RequestInit) => (env.WARDEN as Fetcher).fetch(url, init) }
      : {}),
    onError: (failure, c) => {
      console.warn(`refused ${c.req.method} ${c.req.path}: ${failure.reason}`);
      return undefined; // keep the standard RFC 6750 response
    },
  })),
);

app.get("/orders", requireScopes("orders:read"), (c) => c.json({ orders }));

app.post("/orders", requireScopes("orders:write"), async (c) => {
  const body = await c.req
    .json<{ item?: unknown; quantity?: unknown }>()
    .catch(() => ({}) as Record<string, unknown>);
  if (typeof body.item !== "string" || !Number.isInteger(body.quantity)) {
    return c.json({ error: "item (string) and quantity (integer) are required" }, 400);
  }
  const order = {
    id: `ord-${crypto.randomUUID()}`,
    item: body.item,
    quantity: body.quantity as number,
    createdBy: c.get("token").clientId,
  };
  orders.push(order);
  return c.json(order, 201);
});

export default app;
