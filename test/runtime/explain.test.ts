import { afterEach, describe, expect, it, vi } from "vitest";
import { cacheHandle, clear, clearAll, configure, explain, invalidateTag, memo, MISS } from "../../runtime/index.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resetSettingsForTesting } from "../../runtime/handle/configure.ts";
import { sharedRuntime } from "../../runtime/handle/shared.ts";
import { manualClock, uniqueId } from "./helpers.ts";

afterEach(async () => {
  configure({ explain: false });
  resetSettingsForTesting();
  await clearAll();
});

const reasons = (fn: Parameters<typeof explain>[0]) => explain(fn).map((miss) => miss.reason);

describe("explain(fn): why each miss happened (memory)", () => {
  it("records nothing while explaining is off", () => {
    const f = memo((n: number) => n, { id: uniqueId("off"), params: ["n"] });
    f(1);
    f(2);
    expect(explain(f)).toEqual([]);
  });

  it("first call, then new arguments naming the parameter and path that differ from the nearest key", () => {
    configure({ explain: true });
    const load = memo((table: string, options: { limit: number; where: { id: number }[] }) => `${table}${options.limit}`, { id: uniqueId("args"), params: ["table", "options"] });
    load("users", { limit: 10, where: [{ id: 7 }] });
    load("users", { limit: 10, where: [{ id: 7 }] }); // hit: not a miss
    load("users", { limit: 20, where: [{ id: 7 }] });
    load("users", { limit: 20, where: [{ id: 8 }] });
    load("orders", { limit: 20, where: [{ id: 8 }] });
    const misses = explain(load);
    expect(misses.map((miss) => miss.reason)).toEqual(["first call", "new arguments", "new arguments", "new arguments"]);
    expect(misses.slice(1).map((miss) => miss.changes)).toEqual([["options.limit: 10 → 20"], ["options.where[0].id: 7 → 8"], ['table: "users" → "orders"']]);
  });

  it("new arguments on exact (primitive) keys name the parameter", () => {
    configure({ explain: true });
    const f = memo((a: number, b: string) => a + b, { id: uniqueId("exact"), params: ["a", "b"] });
    f(1, "x");
    f(2, "x");
    expect(explain(f)[1]).toMatchObject({ reason: "new arguments", changes: ["a: 1 → 2"] });
  });

  it("expired (ttl)", () => {
    configure({ explain: true });
    const clock = manualClock();
    try {
      const f = memo((n: number) => n, { id: uniqueId("ttl"), params: ["n"], options: { ttl: 1 } });
      f(1);
      clock.advance(2000);
      f(1);
      expect(reasons(f)).toEqual(["first call", "expired"]);
    } finally {
      clock.restore();
    }
  });

  it("evicted (maxEntries)", () => {
    configure({ explain: true });
    const f = memo((n: number) => n, { id: uniqueId("lru"), params: ["n"], options: { maxEntries: 1 } });
    f(1);
    f(2);
    f(1);
    expect(reasons(f)).toEqual(["first call", "new arguments", "evicted"]);
  });

  it("cleared: clear(fn), clear(fn, ...args), clearAll()", async () => {
    configure({ explain: true });
    const f = memo((n: number) => n, { id: uniqueId("clear"), params: ["n"] });
    f(1);
    await clear(f);
    f(1);
    await clear(f, 1);
    f(1);
    await clearAll();
    f(1);
    expect(reasons(f)).toEqual(["first call", "cleared", "cleared", "cleared"]);
  });

  it("invalidated by tag", async () => {
    configure({ explain: true });
    const f = memo((n: number) => n, { id: uniqueId("tag"), params: ["n"], options: { tags: ["rows"] } });
    f(1);
    await invalidateTag("rows");
    f(1);
    expect(reasons(f)).toEqual(["first call", "invalidated by tag"]);
  });

  it("code changed: a new code version of the function re-registered in the process", () => {
    configure({ explain: true });
    const id = uniqueId("version");
    const call = (hash: string, n: number) => {
      const handle = cacheHandle("memo", { id, hash, params: ["n"] });
      const hit = handle.get1(n);
      return hit !== MISS ? hit : handle.settle(() => n * 2);
    };
    call("v1", 1);
    call("v2", 1);
    call("v2", 2);
    expect(reasons(id)).toEqual(["code changed", "new arguments"]);
  });

  it("AUTOMEMO_EXPLAIN=1 / explain: \"print\" prints one line per miss", () => {
    configure({ explain: "print" });
    const printed = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const id = uniqueId("print");
      const f = memo((table: string) => table, { id, params: ["table"] });
      f("users");
      f("orders");
      expect(printed.mock.calls.map((call) => call[0])).toEqual([`[automemo] miss ${id}: first call`, `[automemo] miss ${id}: new arguments (table: "users" → "orders")`]);
    } finally {
      printed.mockRestore();
    }
  });
});

describe("explain(fn) on persisted functions", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  function diskCache(): void {
    const dir = mkdtempSync(join(tmpdir(), "automemo-explain-"));
    dirs.push(dir);
    configure({ cacheDir: dir, explain: true });
  }
  /** One call of version `hash` of the function `id`, persisted on disk, as emitted code makes it. */
  function callVersion(id: string, hash: string, n: number): unknown {
    const handle = cacheHandle("memo", { id, hash, params: ["n"], options: { persist: "disk" } });
    const hit = handle.get1(n);
    return hit !== MISS ? hit : handle.settle(() => n * 2);
  }
  /** A fresh process, as far as memory goes: the registry forgets the function's handle. */
  function forgetInMemory(id: string): void {
    sharedRuntime().handles.delete(id);
  }

  it("store miss: the disk has no entry for the key; a store hit is no miss", () => {
    diskCache();
    const id = uniqueId("disk-miss");
    callVersion(id, "v1", 1);
    forgetInMemory(id);
    callVersion(id, "v1", 1); // answered by the disk
    callVersion(id, "v1", 2);
    expect(reasons(id)).toEqual(["new arguments"]);
    forgetInMemory(id);
    callVersion(id, "v1", 3);
    expect(reasons(id)).toEqual(["store miss"]);
  });

  it("code changed: the disk holds the key under another code version", () => {
    diskCache();
    const id = uniqueId("disk-version");
    callVersion(id, "v1", 1);
    forgetInMemory(id);
    callVersion(id, "v2", 1);
    expect(reasons(id)).toEqual(["code changed"]);
  });

  it("store unavailable: Redis cannot be reached", async () => {
    configure({ explain: true, redisUrl: "redis://127.0.0.1:1", redisTimeoutMs: 200 });
    const warned = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const f = memo(async (n: number) => n, { id: uniqueId("redis-down"), params: ["n"], options: { persist: "redis" } });
      expect(await f(1)).toBe(1);
      expect(reasons(f)).toEqual(["store unavailable"]);
    } finally {
      warned.mockRestore();
    }
  });
});
