/** The diagnostics_channel events: the "automemo:compute" TracingChannel and the hit, miss, evict, invalidate and store-error channels. */
import diagnostics from "node:diagnostics_channel";
import { AsyncLocalStorage } from "node:async_hooks";
import { afterEach, describe, expect, it } from "vitest";
import { CHANNEL_NAMES, clear, clearAll, configure, memo, singleton, stats, type ComputeContext } from "../../runtime/index.ts";
import { RedisStore } from "../../runtime/stores/redis.ts";
import { manualClock, uniqueId } from "./helpers.ts";

afterEach(() => clearAll());

type Event = readonly [string, unknown];

/** Subscribes to every channel for the duration of `body`; returns what was published, in order. */
async function recordEvents(body: () => unknown): Promise<Event[]> {
  const events: Event[] = [];
  const plain = [CHANNEL_NAMES.hit, CHANNEL_NAMES.miss, CHANNEL_NAMES.evict, CHANNEL_NAMES.invalidate, CHANNEL_NAMES.storeError];
  const listeners = plain.map((name) => [name, (message: unknown) => events.push([name, { ...(message as object) }])] as const);
  for (const [name, listener] of listeners) diagnostics.subscribe(name, listener);
  const tracing = diagnostics.tracingChannel(CHANNEL_NAMES.compute);
  const record = (phase: string) => (message: unknown) => events.push([`compute:${phase}`, { ...(message as object) }]);
  const handlers = { start: record("start"), end: record("end"), asyncStart: record("asyncStart"), asyncEnd: record("asyncEnd"), error: record("error") };
  tracing.subscribe(handlers);
  try {
    await body();
  } finally {
    for (const [name, listener] of listeners) diagnostics.unsubscribe(name, listener);
    tracing.unsubscribe(handlers);
  }
  return events;
}

describe("automemo:compute (TracingChannel)", () => {
  it("traces a sync computation with start and end, carrying id, key digest, store and result; hits are not computations", async () => {
    const id = uniqueId("traced-sync");
    const square = memo((n: number) => n * n, { id, params: ["n"] });
    const events = await recordEvents(() => {
      square(3);
      square(3);
    });
    const compute = events.filter(([name]) => name.startsWith("compute:"));
    expect(compute.map(([name]) => name)).toEqual(["compute:start", "compute:end"]);
    expect(compute[1]![1]).toMatchObject({ id, kind: "memo", store: "memory", result: 9 });
    expect((compute[0]![1] as ComputeContext).key).toMatch(/^[0-9a-f]{32}$/);
    expect(events.map(([name]) => name)).toEqual([CHANNEL_NAMES.miss, "compute:start", "compute:end", CHANNEL_NAMES.hit]);
  });

  it("traces async computations to asyncEnd, and failures through error (sync and async)", async () => {
    const id = uniqueId("traced-async");
    const load = memo(async (n: number) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (n < 0) throw new Error("negative");
      return n + 1;
    }, { id, params: ["n"] });
    const failing = memo((n: number) => {
      throw new Error(`sync ${n}`);
    }, { id: uniqueId("traced-throw"), params: ["n"] });
    const events = await recordEvents(async () => {
      expect(await load(1)).toBe(2);
      await expect(load(-1)).rejects.toThrow("negative");
      expect(() => failing(1)).toThrow("sync 1");
    });
    const phases = events.filter(([name]) => name.startsWith("compute:")).map(([name, message]) => `${name}${(message as ComputeContext).error ? "!" : ""}`);
    expect(phases).toEqual([
      "compute:start", "compute:end", "compute:asyncStart", "compute:asyncEnd",
      "compute:start", "compute:end", "compute:error!", "compute:asyncStart!", "compute:asyncEnd!",
      "compute:start", "compute:error!", "compute:end!",
    ]);
    expect(events.find(([name]) => name === "compute:asyncEnd")![1]).toMatchObject({ id, result: 2 });
    expect(stats(load).errors).toBe(1);
    expect(stats(failing).errors).toBe(1);
  });

  it("binds subscribers' AsyncLocalStorage around the computation (how tracers parent spans)", async () => {
    const storage = new AsyncLocalStorage<string>();
    const tracing = diagnostics.tracingChannel(CHANNEL_NAMES.compute);
    tracing.start.bindStore(storage, (context) => `span for ${(context as ComputeContext).id}`);
    const id = uniqueId("traced-store");
    try {
      const seen = memo(async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return storage.getStore();
      }, { id });
      expect(await seen()).toBe(`span for ${id}`);
    } finally {
      tracing.start.unbindStore(storage);
    }
  });
});

describe("the hit, miss, evict, invalidate and store-error channels", () => {
  it("publishes evictions by capacity, ttl and validate, and every clear", async () => {
    const clock = manualClock();
    try {
      const id = uniqueId("evicting");
      const bounded = memo((n: number) => ({ n }), { id, params: ["n"], options: { maxEntries: 1, ttl: "1s" } });
      const pool = singleton(() => ({ open: true }), { id: uniqueId("validated") });
      configure(pool, { validate: (value: { open: boolean }) => value.open });
      const events = await recordEvents(async () => {
        bounded(1);
        bounded(2);
        clock.advance(2_000);
        bounded(2);
        pool().open = false;
        pool();
        await clear(bounded, 2);
        await clear(bounded);
        await clearAll();
      });
      expect(events.filter(([name]) => name === CHANNEL_NAMES.evict).map(([, message]) => message)).toEqual([
        { id, reason: "capacity" },
        { id, reason: "expired" },
        { id: expect.stringContaining("validated"), reason: "invalid" },
      ]);
      expect(events.filter(([name]) => name === CHANNEL_NAMES.invalidate).map(([, message]) => message)).toEqual([
        { id, scope: "call", source: "local" },
        { id, scope: "function", source: "local" },
        { id: null, scope: "all", source: "local" },
      ]);
    } finally {
      clock.restore();
    }
  });

  it("publishes hits of every kind (shortcut, checked, in flight) and misses, and nothing without subscribers", async () => {
    const id = uniqueId("lookups");
    const add = memo((a: number, b: number) => a + b, { id, params: ["a", "b"] });
    const slow = memo(async (n: number) => n, { id: uniqueId("in-flight"), params: ["n"] });
    const events = await recordEvents(async () => {
      add(1, 2);
      add(1, 2);
      add(2, 2);
      add(1, 2);
      await Promise.all([slow(1), slow(1)]);
    });
    const lookups = events.filter(([name]) => name === CHANNEL_NAMES.hit || name === CHANNEL_NAMES.miss).map(([name]) => name.slice("automemo:".length));
    expect(lookups).toEqual(["miss", "hit", "miss", "hit", "miss", "hit"]);
    expect(events.find(([name]) => name === CHANNEL_NAMES.hit)![1]).toEqual({ id, kind: "memo" });
    // Unsubscribed: nothing recorded, counters still count.
    const before = stats(add).hits;
    add(1, 2);
    expect(stats(add).hits).toBe(before + 1);
  });

  it("publishes store failures, with the store, the function and the operation", async () => {
    const store = new RedisStore({ url: "redis://127.0.0.1:1", timeoutMs: 200, warn: () => {} });
    const fn = { id: uniqueId("store-error"), version: "1" };
    try {
      const events = await recordEvents(() => store.read(fn, "0".repeat(32)));
      const failures = events.filter(([name]) => name === CHANNEL_NAMES.storeError).map(([, message]) => message as { store: string; id: string; operation: string; error: unknown });
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({ store: "redis", id: fn.id, operation: "read" });
      expect(failures[0]!.error).toBeInstanceOf(Error);
    } finally {
      await store.close();
    }
  });
});
