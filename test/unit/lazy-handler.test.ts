/** src/http/lazy-handler.ts: a handler whose module loads on its first request (issue 13 item 5). */
import { describe, expect, it } from "vitest";
import { lazyHandler } from "../../src/http/lazy-handler";

describe("lazyHandler", () => {
  it("loads once, on the first request, and shares that load with requests arriving meanwhile", async () => {
    let loads = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handler = lazyHandler(async () => {
      loads++;
      await gate;
      return (n: number) => n * 2;
    });
    expect(loads).toBe(0); // nothing at construction: that is start-up
    const pending = [handler(1), handler(2), handler(3)];
    release();
    expect(await Promise.all(pending)).toEqual([2, 4, 6]);
    expect(await handler(4)).toBe(8);
    expect(loads).toBe(1);
  });

  it("does not keep a failed load: the request fails, the next one loads again", async () => {
    let loads = 0;
    const handler = lazyHandler(async () => {
      loads++;
      if (loads === 1) throw new Error("module failed to load");
      return async (n: number) => n + 1;
    });
    await expect(handler(1)).rejects.toThrow("module failed to load");
    expect(await handler(1)).toBe(2);
    expect(loads).toBe(2);
  });
});
