import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { clearAll, configure, memo, stats, InvalidOptionError } from "../../runtime/index.ts";
import { setClockForTesting } from "../../runtime/handle/clock.ts";
import { validateOptions } from "../../runtime/options.ts";
import { closeStores, resetStores } from "../../runtime/stores/index.ts";
import { redisTestsEnabled, startRedisForSuite } from "../stores/helpers/redis-tests.ts";
import { makeTempDir } from "../stores/helpers/temp-dir.ts";

let now = 1_000_000;
const tick = (ms: number) => void (now += ms);
let nextId = 0;
const uniqueId = (name: string) => `test/freshness.ts#${name}${nextId++}`;

afterEach(async () => {
  setClockForTesting(undefined);
  // The Redis suite's function stays registered: clearing it once its server is gone only warns.
  const quiet = vi.spyOn(console, "warn").mockImplementation(() => {});
  await clearAll();
  quiet.mockRestore();
});

function withClock(): void {
  now = 1_000_000;
  setClockForTesting(() => now);
}

/** Lets the background refresh settle. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("staleWhileRevalidate", () => {
  it("answers the stale value at once and refreshes it with one background computation per key", async () => {
    withClock();
    let version = 0;
    let release: () => void = () => {};
    const load = memo(
      async (key: string) => {
        version++;
        if (version > 1) await new Promise<void>((resolve) => (release = resolve));
        return `${key}@${version}`;
      },
      { id: uniqueId("load"), params: ["key"], options: { ttl: "1m", staleWhileRevalidate: "10m" } },
    );
    expect(await load("a")).toBe("a@1");
    tick(61_000);
    // Expired, within the window: three calls get the stale value, one refresh runs.
    expect(await Promise.all([load("a"), load("a"), load("a")])).toEqual(["a@1", "a@1", "a@1"]);
    expect(version).toBe(2);
    release();
    await settle();
    expect(await load("a")).toBe("a@2");
    expect(stats(load)).toMatchObject({ staleHits: 3, refreshes: 1, refreshErrors: 0, misses: 1 });
  });

  it("keeps the stale value when the refresh fails, reports it, and tries again on the next call", async () => {
    withClock();
    let failing = false;
    let calls = 0;
    const load = memo(
      async (key: string) => {
        calls++;
        if (failing) throw new Error("backend down");
        return `${key}@${calls}`;
      },
      { id: uniqueId("failing"), params: ["key"], options: { ttl: 60, staleWhileRevalidate: "10m" } },
    );
    expect(await load("a")).toBe("a@1");
    failing = true;
    tick(61_000);
    expect(await load("a")).toBe("a@1");
    await settle();
    expect(stats(load)).toMatchObject({ refreshes: 1, refreshErrors: 1 });
    expect(await load("a")).toBe("a@1");
    await settle();
    expect(stats(load)).toMatchObject({ refreshes: 2, refreshErrors: 2 });
    failing = false;
    expect(await load("a")).toBe("a@1");
    await settle();
    expect(await load("a")).toBe("a@4");
  });

  it("past the window computes as a plain miss", async () => {
    withClock();
    let calls = 0;
    const load = memo(async () => ++calls, { id: uniqueId("late"), params: [], options: { ttl: 60, staleWhileRevalidate: 60 } });
    expect(await load()).toBe(1);
    tick(121_000);
    expect(await load()).toBe(2);
    expect(stats(load).staleHits).toBe(0);
  });

  it("gives each caller its own copy of a stale object", async () => {
    withClock();
    const load = memo(async () => ({ rows: [1] }), { id: uniqueId("copy"), params: [], options: { ttl: 60, staleWhileRevalidate: "1h" } });
    await load();
    tick(61_000);
    const first = await load();
    first.rows.push(2);
    expect(await load()).toEqual({ rows: [1] });
  });

  it("recomputes a sync function synchronously (no background work behind a sync caller)", () => {
    withClock();
    let calls = 0;
    const square = memo((n: number) => (calls++, n * n), { id: uniqueId("sync"), params: ["n"], options: { ttl: 60, staleWhileRevalidate: "1h" } });
    expect(square(3)).toBe(9);
    tick(61_000);
    expect(square(3)).toBe(9);
    expect(calls).toBe(2);
    expect(stats(square)).toMatchObject({ staleHits: 0, refreshes: 0 });
  });
});

describe("staleIfError", () => {
  it("answers the last value when the recomputation fails within the window, and the error after it", async () => {
    withClock();
    let failing = false;
    const load = memo(
      async (key: string) => {
        if (failing) throw new Error("backend down");
        return { key };
      },
      { id: uniqueId("sie"), params: ["key"], options: { ttl: 60, staleIfError: "1h" } },
    );
    expect(await load("a")).toEqual({ key: "a" });
    failing = true;
    tick(61_000);
    // Concurrent callers of the failing computation get the stale value too.
    expect(await Promise.all([load("a"), load("a")])).toEqual([{ key: "a" }, { key: "a" }]);
    expect(stats(load).staleHits).toBeGreaterThanOrEqual(1);
    tick(3_600_000);
    await expect(load("a")).rejects.toThrow("backend down");
    await expect(load("b")).rejects.toThrow("backend down");
  });

  it("works for sync functions", () => {
    withClock();
    let failing = false;
    const parse = memo(
      (text: string) => {
        if (failing) throw new Error("parser crashed");
        return { text };
      },
      { id: uniqueId("sie-sync"), params: ["text"], options: { ttl: 60, staleIfError: "1h" } },
    );
    expect(parse("x")).toEqual({ text: "x" });
    failing = true;
    tick(61_000);
    expect(parse("x")).toEqual({ text: "x" });
    expect(parse("x")).toEqual({ text: "x" });
    failing = false;
    expect(parse("x")).toEqual({ text: "x" });
    expect(stats(parse).staleHits).toBe(2);
  });

  it("does not hide errors without the option", async () => {
    withClock();
    let failing = false;
    const load = memo(
      async () => {
        if (failing) throw new Error("down");
        return 1;
      },
      { id: uniqueId("plain"), params: [], options: { ttl: 60 } },
    );
    await load();
    failing = true;
    tick(61_000);
    await expect(load()).rejects.toThrow("down");
  });
});

describe("freshness options", () => {
  it("are validated: durations, and only next to a ttl", () => {
    expect(validateOptions({ ttl: "1m", staleWhileRevalidate: "10m", staleIfError: "1h" }, "memo", "a.ts:1")).toMatchObject({
      staleWhileRevalidateMs: 600_000,
      staleIfErrorMs: 3_600_000,
    });
    expect(() => validateOptions({ staleWhileRevalidate: "10m" }, "memo", "a.ts:1")).toThrow(InvalidOptionError);
    expect(() => validateOptions({ staleWhileRevalidate: "10m" }, "memo", "a.ts:1")).toThrow(/extends 'ttl'.*Add a ttl/s);
    expect(() => validateOptions({ ttl: 1, staleIfError: "soon" }, "memo", "a.ts:1")).toThrow(/staleIfError.*not a duration/s);
  });
});

describe.skipIf(!redisTestsEnabled("the freshness tests with Redis"))("freshness with persist: redis", () => {
  let url = "";
  startRedisForSuite((server) => (url = server.url));
  afterEach(async () => {
    await closeStores();
    await resetStores();
  });

  it("refreshes through the store: the refreshed value is shared, and staleIfError covers an unreachable Redis", async () => {
    configure({ redisUrl: url, redisPrefix: `fresh${nextId++}` });
    withClock();
    let calls = 0;
    let failing = false;
    const options = { ttl: 60, staleWhileRevalidate: "10m", staleIfError: "1h", persist: "redis" };
    const load = memo(
      async (key: string) => {
        calls++;
        if (failing) throw new Error("backend down");
        return `${key}@${calls}`;
      },
      { id: uniqueId("redis"), params: ["key"], options },
    );
    expect(await load("a")).toBe("a@1");
    tick(61_000);
    expect(await load("a")).toBe("a@1");
    // The refresh reads Redis first (entries expire there at ttl by Redis' own clock), then computes under the lock.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await load("a")).toMatch(/^a@\d$/);
    expect(stats(load)).toMatchObject({ refreshes: 1, refreshErrors: 0 });
    vi.spyOn(console, "warn").mockImplementation(() => {});
    failing = true;
    configure({ redisUrl: "redis://127.0.0.1:1", redisTimeoutMs: 100 });
    tick(700_000);
    // Past the SWR window, within staleIfError: Redis unreachable and the computation failing: the last value.
    expect(await load("a")).toMatch(/^a@\d$/);
    vi.restoreAllMocks();
  });
});

describe("freshness with persist: disk (real time, short ttl)", () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(async () => {
    temp = makeTempDir("freshness-disk");
    await resetStores();
    configure({ cacheDir: temp.path });
  });
  afterEach(async () => {
    await closeStores();
    temp.remove();
  });

  it("staleIfError answers the last value of a sync function whose disk entry expired too", async () => {
    let failing = false;
    let calls = 0;
    const parse = memo(
      (text: string) => {
        calls++;
        if (failing) throw new Error("parser crashed");
        return { text, calls };
      },
      { id: uniqueId("disk-sie"), params: ["text"], options: { ttl: 0.2, staleIfError: "1m", persist: "disk" } },
    );
    expect(parse("x")).toEqual({ text: "x", calls: 1 });
    failing = true;
    await sleep(300);
    expect(parse("x")).toEqual({ text: "x", calls: 1 });
    expect(calls).toBe(2);
  });

  it("staleWhileRevalidate refreshes an async function through the disk store", async () => {
    let calls = 0;
    const load = memo(async (key: string) => `${key}@${++calls}`, {
      id: uniqueId("disk-swr"),
      params: ["key"],
      options: { ttl: 0.2, staleWhileRevalidate: "1m", persist: "disk" },
    });
    expect(await load("a")).toBe("a@1");
    await sleep(300);
    expect(await load("a")).toBe("a@1");
    await sleep(50);
    expect(await load("a")).toBe("a@2");
    expect(stats(load)).toMatchObject({ staleHits: 1, refreshes: 1, refreshErrors: 0 });
  });
});
