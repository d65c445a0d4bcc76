import { describe, expect, it } from "vitest";
import { IsolateCache } from "../../src/config/isolate-cache";

function cache(now: { t: number }, maxEntries = 10) {
  return new IsolateCache<string>({ ttlMs: 1000, negativeTtlMs: 100, maxEntries, now: () => now.t });
}

describe("IsolateCache", () => {
  it("serves a value until its TTL ends, then loads again", async () => {
    const now = { t: 0 };
    const c = cache(now);
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect(await c.get("k", load)).toBe("v1");
    now.t = 999;
    expect(await c.get("k", load)).toBe("v1");
    now.t = 1000;
    expect(await c.get("k", load)).toBe("v2");
  });

  it("caches a miss for the shorter negative TTL", async () => {
    const now = { t: 0 };
    const c = cache(now);
    let loads = 0;
    const load = async () => {
      loads++;
      return undefined;
    };
    await c.get("k", load);
    await c.get("k", load);
    expect(loads).toBe(1);
    now.t = 100;
    await c.get("k", load);
    expect(loads).toBe(2);
  });

  it("never hands one caller another's in-flight load: concurrent misses each load", async () => {
    // A promise carries the I/O of the request that made it (see isolate-cache.ts); only values are shared.
    const c = cache({ t: 0 });
    let loads = 0;
    const releases: ((v: string) => void)[] = [];
    const load = () => {
      loads++;
      return new Promise<string>((r) => releases.push(r));
    };
    const all = Promise.all([c.get("k", load), c.get("k", load), c.get("k", load)]);
    releases.forEach((release, i) => {
      release(`v${i}`);
    });
    expect(await all).toEqual(["v0", "v1", "v2"]);
    expect(loads).toBe(3);
    expect(await c.get("k", load)).toBe("v2");
    expect(loads).toBe(3);
  });

  it("does not cache a failed load", async () => {
    const c = cache({ t: 0 });
    await expect(c.get("k", () => Promise.reject(new Error("kv down")))).rejects.toThrow("kv down");
    expect(await c.get("k", async () => "v")).toBe("v");
  });

  it("evicts the oldest entry beyond its bound", async () => {
    const c = cache({ t: 0 }, 2);
    let loads = 0;
    const load = async () => `v${++loads}`;
    await c.get("a", load);
    await c.get("b", load);
    await c.get("c", load);
    expect(await c.get("b", load)).toBe("v2");
    expect(await c.get("a", load)).toBe("v4");
  });
});
