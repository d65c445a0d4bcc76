/**
 * `GET /api/v1/openapi.json` and `GET /api/v1/reference`: the management API's OpenAPI document and
 * its readable rendering. Public, mounted before admin authentication: they describe the API and
 * hold no data. Each is rendered once per isolate, on first request.
 */
import { Hono } from "hono";
import { OPENAPI_CACHE_MAX_AGE_SECONDS } from "../../config/defaults";
import type { AppEnv } from "../../context";

const CACHE_CONTROL = `public, max-age=${OPENAPI_CACHE_MAX_AGE_SECONDS}`;

let json: string | undefined;
let page: { html: string; csp: string } | undefined;

/**
 * The document's modules build their zod schemas when evaluated: imported on first use, so an
 * isolate starting up for the token endpoint does not build them.
 */
const documentModule = () => import("./document");

async function referencePage(): Promise<{ html: string; csp: string }> {
  if (page) return page;
  const [{ openApiDocument }, { REFERENCE_STYLE, renderReferencePage }] = await Promise.all([
    documentModule(),
    import("./reference-page"),
  ]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(REFERENCE_STYLE));
  const hash = btoa(String.fromCharCode(...new Uint8Array(digest)));
  // Nothing but the page's own inline style: no script, frame, form target or other origin.
  const csp = `default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
  page = { html: renderReferencePage(openApiDocument()), csp };
  return page;
}

export function openApiRouter() {
  const router = new Hono<AppEnv>();

  router.get("/openapi.json", async () => {
    json ??= JSON.stringify((await documentModule()).openApiDocument());
    return new Response(json, {
      headers: { "Content-Type": "application/json", "Cache-Control": CACHE_CONTROL },
    });
  });

  router.get("/reference", async () => {
    const { html, csp } = await referencePage();
    return new Response(html, {
      headers: {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": CACHE_CONTROL,
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
      },
    });
  });

  return router;
}
