/**
 * Token exchange's trusted servers on the write side, pure (src/control-plane/server-changes.ts,
 * references.ts): Okta's `{"trusted": [...]}` adds without repeats, one is removed by id, a server
 * never trusts itself, a trusted server must exist, what trusts a server is named when it is deleted,
 * and a config stored before the field existed takes the changes as an empty list.
 */
import { describe, expect, it } from "vitest";
import { ServerConfig } from "../../src/config/schemas";
import { referenceIssues, serversTrusting } from "../../src/control-plane/references";
import { applyChange } from "../../src/control-plane/server-changes";

const config = (id: string, trustedServers?: string[]) =>
  ServerConfig.parse({
    server: { id, name: id, audiences: ["api://x"] },
    ...(trustedServers ? { trustedServers } : {}),
  });

const known = (servers: string[]) => ({
  clients: new Set<string>(),
  inlineHooks: new Set<string>(),
  groups: new Set<string>(),
  users: new Set<string>(),
  servers: new Set(servers),
});

describe("trustServers / untrustServer", () => {
  it("adds servers once, in order, and answers the whole list", () => {
    const first = applyChange(config("b"), { type: "trustServers", trusted: { trusted: ["a", "c", "a"] } });
    expect(first).toMatchObject({ ok: true, result: ["a", "c"] });
    if (!first.ok) return;
    const again = applyChange(first.config, { type: "trustServers", trusted: { trusted: ["c", "d"] } });
    expect(again).toMatchObject({ ok: true, result: ["a", "c", "d"] });
  });

  it("refuses the server itself, a body without a non-empty `trusted` list, and ids that are not ids", () => {
    for (const trusted of [
      { trusted: ["b"] },
      {},
      { trusted: [] },
      { trusted: "a" },
      null,
      { trusted: [7] },
      { trusted: ["../x"] },
    ]) {
      expect(applyChange(config("b"), { type: "trustServers", trusted }).ok, JSON.stringify(trusted)).toBe(
        false,
      );
    }
  });

  it("removes one by id; one not trusted is missing", () => {
    const removed = applyChange(config("b", ["a", "c"]), { type: "untrustServer", serverId: "a" });
    expect(removed.ok && removed.config.trustedServers).toEqual(["c"]);
    expect(applyChange(config("b", ["c"]), { type: "untrustServer", serverId: "a" })).toMatchObject({
      ok: false,
      notFound: "a",
    });
  });

  it("a config stored before the field existed", () => {
    const { trustedServers: _none, ...stored } = config("b");
    const added = applyChange(stored as ServerConfig, { type: "trustServers", trusted: { trusted: ["a"] } });
    expect(added.ok && added.config.trustedServers).toEqual(["a"]);
    expect(applyChange(stored as ServerConfig, { type: "untrustServer", serverId: "a" }).ok).toBe(false);
    expect(referenceIssues(stored as ServerConfig, known([]))).toEqual([]);
    expect(serversTrusting([stored as ServerConfig], "a")).toEqual([]);
  });
});

describe("references", () => {
  it("a trusted server must exist; what trusts a server is named", () => {
    expect(referenceIssues(config("b", ["a", "gone"]), known(["a", "b"]))).toEqual([
      { path: "trustedServers.1", message: "authorization server 'gone' does not exist" },
    ]);
    expect(serversTrusting([config("b", ["a"]), config("c", ["a"]), config("d")], "a")).toEqual([
      "authorization server 'b'",
      "authorization server 'c'",
    ]);
  });

  it("the schema refuses a server trusting itself, twice the same server, or too many", () => {
    expect(() => config("b", ["b"])).toThrow();
    expect(() => config("b", ["a", "a"])).toThrow();
    expect(() =>
      config(
        "b",
        Array.from({ length: 51 }, (_, i) => `s${i}`),
      ),
    ).toThrow();
  });
});
