import { afterEach, describe, expect, it, vi } from "vitest";
import { cacheHandle, clear, clearAll, configure, explain, invalidateTag, memo, MISS } from "../../runtime/index.ts";
import { resetSettingsForTesting } from "../../runtime/handle/configure.ts";
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
