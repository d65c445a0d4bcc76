/**
 * `MemoRouter` (src/http/memo-router.ts): the trie router's answers, remembered. Every answer equals
 * the trie's own; remembered ones are handed out again as they are; the memory is bounded (long
 * paths never kept, a full memory starts again) and forgets everything when a route is added.
 */
import { TrieRouter } from "hono/router/trie-router";
import { describe, expect, it } from "vitest";
import { ROUTE_MATCH_CACHE_ENTRIES, ROUTE_MATCH_CACHE_MAX_PATH } from "../../src/config/defaults";
import { MemoRouter } from "../../src/http/memo-router";

const ROUTES: [string, string, string][] = [
  ["POST", "/oauth2/v1/token", "org token"],
  ["ALL", "/oauth2/:as/v1/token", "token"],
  ["GET", "/oauth2/:as/v1/keys", "keys"],
  ["GET", "/oauth2/:as/v1/authorize", "authorize"],
  ["POST", "/api/v1/authn", "authn"],
  ["ALL", "/api/v1/*", "admin"],
];

function routers() {
  const trie = new TrieRouter<string>();
  const memo = new MemoRouter(new TrieRouter<string>(), {
    entries: ROUTE_MATCH_CACHE_ENTRIES,
    maxPath: ROUTE_MATCH_CACHE_MAX_PATH,
  });
  for (const [method, path, handler] of ROUTES) {
    trie.add(method, path, handler);
    memo.add(method, path, handler);
  }
  return { trie, memo };
}

const PATHS: [string, string][] = [
  ["POST", "/oauth2/v1/token"],
  ["POST", "/oauth2/aus1/v1/token"],
  ["GET", "/oauth2/aus1/v1/token"],
  ["GET", "/oauth2/aus%2F1/v1/keys"],
  ["GET", "/oauth2/aus1/v1/authorize"],
  ["POST", "/api/v1/authn"],
  ["GET", "/api/v1/users/00u1"],
  ["GET", "/nowhere"],
];

describe("MemoRouter", () => {
  it("answers what the trie router answers, the first time and every time after", () => {
    const { trie, memo } = routers();
    for (let round = 0; round < 3; round++) {
      for (const [method, path] of PATHS)
        expect(memo.match(method, path), `${method} ${path}`).toEqual(trie.match(method, path));
    }
  });

  it("hands a remembered answer out again as it is, per method and path", () => {
    const { memo } = routers();
    const first = memo.match("POST", "/oauth2/aus1/v1/token");
    expect(memo.match("POST", "/oauth2/aus1/v1/token")).toBe(first);
    expect(memo.match("GET", "/oauth2/aus1/v1/token")).not.toBe(first);
    expect(memo.match("POST", "/oauth2/aus2/v1/token")).not.toBe(first);
    expect(memo.match("POST", "/oauth2/aus2/v1/token")[0][0]?.[1]).toEqual({ as: "aus2" });
  });

  it("never keeps a path longer than the bound, and still answers it", () => {
    const { trie, memo } = routers();
    const long = `/oauth2/${"a".repeat(ROUTE_MATCH_CACHE_MAX_PATH)}/v1/token`;
    const first = memo.match("POST", long);
    expect(first).toEqual(trie.match("POST", long));
    expect(memo.match("POST", long)).not.toBe(first);
  });

  it("a flood of new paths: the memory starts again empty when full, and answers stay right", () => {
    const { trie, memo } = routers();
    const hot = memo.match("POST", "/oauth2/hot/v1/token");
    for (let i = 0; i < ROUTE_MATCH_CACHE_ENTRIES; i++) memo.match("POST", `/oauth2/guess${i}/v1/token`);
    const after = memo.match("POST", "/oauth2/hot/v1/token");
    expect(after).not.toBe(hot);
    expect(after).toEqual(trie.match("POST", "/oauth2/hot/v1/token"));
  });

  it("forgets every answer when a route is added", () => {
    const { memo } = routers();
    expect(memo.match("GET", "/late")[0]).toEqual([]);
    memo.add("GET", "/late", "late");
    expect(memo.match("GET", "/late")[0].map(([handler]) => handler)).toEqual(["late"]);
  });
});
