/**
 * A Hono router that remembers its answers. Warden's routes need Hono's trie router (src/app.ts), which
 * walks its tree on every request: 2 % of the ES256 token endpoint's CPU in the bench's profile, for a
 * path that is the same on every request of a client (`POST /oauth2/{as}/v1/token`). A match depends
 * only on the method, the path and the routes, and Hono reads a match without changing it (the
 * handlers and the path parameters it decodes per request), so the same answer can be handed out
 * again.
 *
 * Bounded: at most `entries` answers for paths of at most `maxPath` characters (src/app.ts passes
 * ROUTE_MATCH_CACHE_* from src/config/defaults.ts); when full it starts again empty, so a client sending a new path on every request costs
 * a trie walk and a Map insert each, and memory stays bounded. Adding a route forgets every answer.
 */
import type { Result, Router } from "hono/router";

/** How much a `MemoRouter` keeps: answers at most, and the longest path it keeps one for. */
export interface MemoBounds {
  entries: number;
  maxPath: number;
}

export class MemoRouter<T> implements Router<T> {
  readonly name: string;
  readonly #inner: Router<T>;
  readonly #answers = new Map<string, Result<T>>();
  readonly #bounds: MemoBounds;

  constructor(inner: Router<T>, bounds: MemoBounds) {
    this.#inner = inner;
    this.#bounds = bounds;
    this.name = `Memo(${inner.name})`;
  }

  add(method: string, path: string, handler: T): void {
    this.#answers.clear();
    this.#inner.add(method, path, handler);
  }

  match(method: string, path: string): Result<T> {
    if (path.length > this.#bounds.maxPath) return this.#inner.match(method, path);
    const key = `${method} ${path}`;
    let answer = this.#answers.get(key);
    if (answer === undefined) {
      answer = this.#inner.match(method, path);
      if (this.#answers.size >= this.#bounds.entries) this.#answers.clear();
      this.#answers.set(key, answer);
    }
    return answer;
  }
}
