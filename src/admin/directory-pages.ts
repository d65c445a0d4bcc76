/**
 * The list parameters the directory's routes share (groups, members, app assignments): each given
 * at most once, `limit` as every list takes it, `after` an id-shaped cursor, `q` bounded; and Okta's
 * `Link` header (RFC 8288) whose `self` and `next` keep every other parameter of the request
 * (`filter`, `search`, `q`), so an SDK following `next` stays in the same query.
 */
import type { Context } from "hono";
import { DIRECTORY_Q_MAX_LENGTH } from "../config/defaults";
import type { AppEnv } from "../context";
import { adminOrigin, pageLimit, validationFailed } from "./responses";

/** Ids the directory stores (`00u…`, `00g…`) and the cursors made of them. */
const CURSOR = /^[A-Za-z0-9_-]{1,64}$/;

export interface PageParams {
  limit: number;
  after?: string;
  q?: string;
}

/** The page parameters of `c`; a repeated parameter, a bad limit, cursor or `q` is 400 E0000001. */
export function pageParams(c: Context<AppEnv>, limits: { default: number; max: number }): PageParams {
  const params = new URL(c.req.url).searchParams;
  for (const name of new Set(params.keys())) {
    if (params.getAll(name).length > 1) {
      throw validationFailed([{ path: name, message: "must be given at most once" }]);
    }
  }
  const limit = pageLimit(params.get("limit") ?? undefined, limits);
  const after = params.get("after") ?? undefined;
  if (after !== undefined && !CURSOR.test(after)) {
    throw validationFailed([{ path: "after", message: "is not a cursor this API returned" }]);
  }
  const q = params.get("q") ?? undefined;
  if (q !== undefined && q.length > DIRECTORY_Q_MAX_LENGTH) {
    throw validationFailed([{ path: "q", message: `must be at most ${DIRECTORY_Q_MAX_LENGTH} characters` }]);
  }
  return { limit, ...(after === undefined ? {} : { after }), ...(q === undefined ? {} : { q }) };
}

/** `Link: <…>; rel="self"` and, while more remain, `rel="next"` with the next cursor. */
export function setDirectoryLinks(c: Context<AppEnv>, path: string, limit: number, next?: string): void {
  const self = new URL(`${adminOrigin(c)}${path}`);
  for (const [name, value] of new URL(c.req.url).searchParams) self.searchParams.set(name, value);
  self.searchParams.set("limit", String(limit));
  const links = [`<${self.href}>; rel="self"`];
  if (next !== undefined) {
    const following = new URL(self.href);
    following.searchParams.set("after", next);
    links.push(`<${following.href}>; rel="next"`);
  }
  c.header("Link", links.join(", "));
}
