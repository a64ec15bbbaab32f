/**
 * The process-wide memory budget, `configure({ maxBytes })`: every memo cache together
 * stays under it, the least recently used entry of ALL functions goes first, and
 * `stats()` counts the memory an entry really takes (key and bookkeeping included).
 */
import { afterEach, describe, expect, it } from "vitest";
import { clearAll, configure, memo, stats } from "../../runtime/index.ts";
import { resetSettingsForTesting } from "../../runtime/handle/configure.ts";
import { uniqueId } from "./helpers.ts";

afterEach(async () => {
  await clearAll();
  resetSettingsForTesting();
});

/** Results of one size whatever n is. */
function text(n: number) {
  return "x".repeat(2000) + String(n).padStart(4, "0");
}

describe("configure({ maxBytes }): one budget for every memo function", () => {
  it("evicts the least recently used entry across functions first", () => {
    const computed: string[] = [];
    const f = memo((n: number) => (computed.push(`f${n}`), text(n)), { id: uniqueId("budget-f"), params: ["n"] });
    const g = memo((n: number) => (computed.push(`g${n}`), text(n)), { id: uniqueId("budget-g"), params: ["n"] });
    f(1);
    const one = stats(f).bytes;
    // Room for three entries, not four.
    configure({ maxBytes: one * 3 + one / 2 });
    g(1);
    f(2);
    f(1); // a hit: f(1) is now the most recently used, g(1) the least
    expect(computed).toEqual(["f1", "g1", "f2"]);
    g(2); // over budget: g(1) goes, the oldest entry of all
    expect(stats(f).entries + stats(g).entries).toBe(3);
    f(3); // over budget again: f(2) is now the oldest of all
    expect(stats(f)).toMatchObject({ entries: 2, evictions: 1 });
    expect(stats(g)).toMatchObject({ entries: 1, evictions: 1 });
    computed.length = 0;
    f(1);
    g(2);
    f(3);
    expect(computed).toEqual([]);
    g(1);
    f(2);
    expect(computed).toEqual(["g1", "f2"]);
    expect(stats().bytes).toBeLessThanOrEqual(one * 3 + one / 2);
  });

  it("applies to functions that existed before it was set, and to entries of async functions", async () => {
    const f = memo(async (n: number) => text(n), { id: uniqueId("budget-async"), params: ["n"] });
    for (let n = 0; n < 10; n++) await f(n);
    const per = stats(f).bytes / 10;
    configure({ maxBytes: per * 4 });
    expect(stats(f).entries).toBe(4);
    for (let n = 10; n < 20; n++) await f(n);
    expect(stats(f).entries).toBe(4);
    expect(stats().bytes).toBeLessThanOrEqual(per * 4);
  });

  it("keeps everything when no budget is set (the default), and a function's own maxBytes still bounds it alone", () => {
    const free = memo((n: number) => n, { id: uniqueId("unbounded"), params: ["n"] });
    const own = memo((n: number) => text(n), { id: uniqueId("own-bound"), params: ["n"], options: { maxBytes: "8KB" } });
    for (let n = 0; n < 5000; n++) free(n);
    for (let n = 0; n < 10; n++) own(n);
    expect(stats(free)).toMatchObject({ entries: 5000, evictions: 0 });
    expect(stats(own).bytes).toBeLessThanOrEqual(8 * 1024);
  });
});

describe("stats().bytes", () => {
  it("counts what an entry takes in memory, not only its result (a number result is not 8 bytes)", () => {
    const f = memo((n: number) => n * 2, { id: uniqueId("per-entry"), params: ["n"] });
    for (let n = 0; n < 1000; n++) f(n + 0.5);
    // Measured on Node 20: about 270 bytes per entry keyed by a number.
    expect(stats(f).bytes / 1000).toBeGreaterThanOrEqual(200);
    expect(stats(f).bytes / 1000).toBeLessThanOrEqual(400);
    expect(stats().functions[Object.keys(stats().functions).find((id) => id.includes("per-entry"))!]!.bytes).toBe(stats(f).bytes);
  });
});
