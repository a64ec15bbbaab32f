import { afterEach, describe, expect, it, vi } from "vitest";
import { cacheHandle, clear, clearAll, configure, InvalidOptionError, MISS, singleton, stats } from "../../runtime/index.ts";
import { collectUntil, manualClock, uniqueId } from "./helpers.ts";

afterEach(async () => {
  await clearAll();
  vi.restoreAllMocks();
});

class Resource {
  disposed = 0;
  constructor(readonly name: string) {}
  [Symbol.dispose]() {
    this.disposed++;
  }
}

describe("singleton", () => {
  it("returns the identical object for equal arguments (keyed by value)", () => {
    const open = singleton((config: { url: string }) => new Resource(config.url), { id: uniqueId("open"), params: ["config"] });
    const first = open({ url: "a" });
    expect(open({ url: "a" })).toBe(first);
    expect(open({ url: "b" })).not.toBe(first);
  });

  it("releases values on clear, clearAll and clear of one call", async () => {
    const open = singleton((name: string) => new Resource(name), { id: uniqueId("release"), params: ["name"] });
    const a = open("a");
    const b = open("b");
    await clear(open, "a");
    expect(a.disposed).toBe(1);
    expect(b.disposed).toBe(0);
    expect(open("a")).not.toBe(a);
    await clear(open);
    expect(b.disposed).toBe(1);
    const c = open("c");
    await clearAll();
    expect(c.disposed).toBe(1);
  });

  it("awaits [Symbol.asyncDispose] and prefers a configured dispose", async () => {
    const closed: string[] = [];
    const open = singleton((name: string) => ({
      name,
      async [Symbol.asyncDispose]() {
        await new Promise((resolve) => setTimeout(resolve, 5));
        closed.push(`async ${name}`);
      },
    }), { id: uniqueId("async-dispose"), params: ["name"] });
    open("a");
    await clear(open);
    expect(closed).toEqual(["async a"]);
    configure(open, { dispose: (value: { name: string }) => closed.push(`configured ${value.name}`) });
    open("b");
    await clear(open);
    expect(closed).toEqual(["async a", "configured b"]);
  });

  it("releases the least recently used value on eviction", () => {
    const open = singleton((name: string) => new Resource(name), { id: uniqueId("evict"), params: ["name"], options: { maxEntries: 2 } });
    const a = open("a");
    const b = open("b");
    open("a");
    open("c");
    expect(b.disposed).toBe(1);
    expect(a.disposed).toBe(0);
    expect(stats(open)).toMatchObject({ entries: 2, evictions: 1 });
  });

  it("releases and recreates a value whose ttl expired", () => {
    const clock = manualClock();
    try {
      const open = singleton((name: string) => new Resource(name), { id: uniqueId("ttl"), params: ["name"], options: { ttl: "10s" } });
      const first = open("a");
      clock.advance(9_999);
      expect(open("a")).toBe(first);
      clock.advance(1);
      const second = open("a");
      expect(second).not.toBe(first);
      expect(first.disposed).toBe(1);
    } finally {
      clock.restore();
    }
  });

  it("checks validate on every hit: false releases and recreates", () => {
    const open = singleton((name: string) => new Resource(name), { id: uniqueId("validate"), params: ["name"] });
    let checks = 0;
    configure(open, { validate: (value: Resource) => (checks++, value.name !== "stale") });
    const a = open("a");
    expect(open("a")).toBe(a);
    expect(checks).toBe(1);
    const stale = open("stale");
    const fresh = open("stale");
    expect(fresh).not.toBe(stale);
    expect(stale.disposed).toBe(1);
  });

  it("reports a failing release once with console.warn and keeps going", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const id = uniqueId("dispose-throws");
    const open = singleton(() => ({ [Symbol.dispose]: () => { throw new Error("socket gone"); } }), { id, params: [] });
    open();
    await expect(clear(open)).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toContain(`[automemo] Releasing a value of ${id} failed: socket gone`);
  });

  it("rejects validate/dispose for memo functions and unknown lifecycle names", async () => {
    const { memo } = await import("../../runtime/index.ts");
    const m = memo((n: number) => n, { id: uniqueId("memo-lifecycle"), params: ["n"] });
    expect(() => configure(m, { dispose: () => {} })).toThrow(/validate and dispose apply to singletons only/);
    const s = singleton(() => 1, { id: uniqueId("s-lifecycle"), params: [] });
    expect(() => configure(s, { onRelease: () => {} } as never)).toThrow(InvalidOptionError);
  });
});

describe("singleton with key: \"identity\"", () => {
  it("keys object arguments by identity and primitives by value", () => {
    let created = 0;
    const derive = singleton((source: object, label: string) => ({ source, label, n: ++created }), {
      id: uniqueId("identity"),
      params: ["source", "label"],
      options: { key: "identity" },
    });
    const a = { x: 1 };
    const twin = { x: 1 };
    const first = derive(a, "l");
    expect(derive(a, "l")).toBe(first);
    expect(derive(twin, "l")).not.toBe(first);
    expect(derive(a, "m")).not.toBe(first);
    expect(created).toBe(3);
  });

  it("drops the entry when the argument is garbage-collected", async () => {
    const id = uniqueId("identity-gc");
    const wrap = singleton((source: object) => ({ wraps: source }), { id, params: ["source"], options: { key: "identity" } });
    let collected = false;
    const watcher = new FinalizationRegistry(() => (collected = true));
    (() => {
      const source = { big: new Array(1000).fill(1) };
      watcher.register(source, "source");
      wrap(source);
      expect(stats(id).entries).toBe(1);
    })();
    expect(await collectUntil(() => collected && stats(id).entries === 0)).toBe(true);
  });

  it("works through the emitted shape with several identity components", () => {
    const h = cacheHandle("singleton", { id: uniqueId("emitted-identity"), hash: "x", params: ["a", "b", "c", "d"], key: ["a", "b", "c", "d"], options: { key: "identity" } });
    const a = {};
    const make = (...args: unknown[]) => {
      const r = h.getN(args);
      return r !== MISS ? r : h.settle(() => ({ args }));
    };
    const first = make(a, 1, "x", null);
    expect(make(a, 1, "x", null)).toBe(first);
    expect(make({}, 1, "x", null)).not.toBe(first);
  });
});
