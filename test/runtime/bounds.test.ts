import { afterEach, describe, expect, it } from "vitest";
import { cacheHandle, clearAll, configure, memo, stats } from "../../runtime/index.ts";
import type { CacheHandle as HandleImpl } from "../../runtime/handle/cache-handle.ts";
import { resetSettingsForTesting } from "../../runtime/handle/configure.ts";
import { manualClock, uniqueId } from "./helpers.ts";

afterEach(async () => {
  resetSettingsForTesting();
  await clearAll();
});

describe("maxEntries (LRU)", () => {
  it("evicts the least recently used entry; a hit refreshes an entry", () => {
    let calls = 0;
    const id = uniqueId("lru");
    const f = memo((n: number) => (calls++, n), { id, params: ["n"], options: { maxEntries: 3 } });
    f(1);
    f(2);
    f(3);
    f(1); // 1 is now the most recent: 2 is the oldest
    f(4);
    const handle = cacheHandle("memo", { id, params: ["n"], options: { maxEntries: 3 } }) as unknown as HandleImpl;
    expect(handle.lruOrder()).toEqual([4, 1, 3]);
    expect(stats(f)).toMatchObject({ entries: 3, evictions: 1 });
    calls = 0;
    f(1);
    f(3);
    expect(calls).toBe(0);
    f(2);
    expect(calls).toBe(1);
  });

  it("counts hashed (object) keys and exact keys alike", () => {
    const f = memo((key: unknown) => key, { id: uniqueId("lru-mixed"), params: ["key"], options: { maxEntries: 2 } });
    f({ a: 1 });
    f("a");
    f([1]);
    expect(stats(f)).toMatchObject({ entries: 2, evictions: 1 });
  });
});

describe("maxBytes", () => {
  it("bounds the summed snapshot size, evicting least recently used results", () => {
    const f = memo((n: number) => "x".repeat(1000) + n, { id: uniqueId("bytes"), params: ["n"], options: { maxBytes: "5KB" } });
    f(1);
    const one = stats(f).bytes;
    expect(one).toBeGreaterThanOrEqual(1000);
    f(2);
    expect(stats(f)).toMatchObject({ entries: 2, bytes: 2 * one });
    f(3);
    expect(stats(f)).toMatchObject({ entries: 2, evictions: 1 });
    expect(stats(f).bytes).toBeLessThanOrEqual(5120);
  });

  it("does not keep a single result larger than the bound", () => {
    const f = memo(() => new Float64Array(1024), { id: uniqueId("too-big"), params: [], options: { maxBytes: 1024 } });
    expect(f()).toHaveLength(1024);
    expect(stats(f)).toMatchObject({ entries: 0, evictions: 1, bytes: 0 });
  });
});

describe("ttl", () => {
  it("expires entries after the ttl", () => {
    const clock = manualClock();
    try {
      let calls = 0;
      const f = memo((n: number) => (calls++, n), { id: uniqueId("ttl"), params: ["n"], options: { ttl: "1h30m" } });
      f(1);
      clock.advance(90 * 60_000 - 1);
      f(1);
      expect(calls).toBe(1);
      clock.advance(1);
      f(1);
      expect(calls).toBe(2);
      expect(stats(f)).toMatchObject({ entries: 1, hits: 1, misses: 2 });
    } finally {
      clock.restore();
    }
  });

  it("starts the ttl of an async result when it resolves", async () => {
    const clock = manualClock();
    try {
      let calls = 0;
      let release!: () => void;
      const f = memo(async () => {
        calls++;
        await new Promise<void>((resolve) => (release = resolve));
        return calls;
      }, { id: uniqueId("ttl-async"), params: [], options: { ttl: 1 } });
      const first = f();
      clock.advance(5_000);
      release();
      expect(await first).toBe(1);
      clock.advance(999);
      expect(await f()).toBe(1);
      clock.advance(1);
      const second = f();
      release();
      expect(await second).toBe(2);
    } finally {
      clock.restore();
    }
  });

  it("expires with the real clock too", async () => {
    let calls = 0;
    const f = memo((n: number) => (calls++, n), { id: uniqueId("ttl-real"), params: ["n"], options: { ttl: "20ms" } });
    f(1);
    f(1);
    await new Promise((resolve) => setTimeout(resolve, 40));
    f(1);
    expect(calls).toBe(2);
  });
});

describe("configure() defaults", () => {
  it("applies default ttl / maxEntries / maxBytes to functions without their own, including existing ones", () => {
    const own = memo((n: number) => n, { id: uniqueId("own"), params: ["n"], options: { maxEntries: 5 } });
    const plain = memo((n: number) => n, { id: uniqueId("plain"), params: ["n"] });
    for (let n = 0; n < 4; n++) {
      own(n);
      plain(n);
    }
    configure({ maxEntries: 2 });
    expect(stats(plain)).toMatchObject({ entries: 2, evictions: 2 });
    expect(stats(own)).toMatchObject({ entries: 4, evictions: 0 });
    plain(10);
    expect(stats(plain)).toMatchObject({ entries: 2, evictions: 3 });
  });

  it("rejects unknown settings with a hint and leaves settings unchanged on error", () => {
    expect(() => configure({ maxEntry: 3 } as never)).toThrow("[automemo] Invalid option 'maxEntry' in configure(): this setting does not exist. Did you mean 'maxEntries'?");
    expect(() => configure({ ttl: "1h", maxBytes: "lots" })).toThrow(/Invalid option 'maxBytes' in configure\(\): "lots" is not a size/);
    const f = memo((n: number) => n, { id: uniqueId("unchanged"), params: ["n"] });
    const clock = manualClock();
    try {
      f(1);
      clock.advance(3_600_000 * 2);
      f(1);
      expect(stats(f).hits).toBe(1);
    } finally {
      clock.restore();
    }
  });
});
