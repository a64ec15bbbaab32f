import { afterEach, describe, expect, it } from "vitest";
import { clearAll, memo, singleton, stats } from "../../runtime/index.ts";
import { deferred, uniqueId } from "./helpers.ts";

afterEach(() => clearAll());

describe("async memo", () => {
  it("runs one computation for N concurrent callers; each gets an equal, distinct copy", async () => {
    let calls = 0;
    const gate = deferred<void>();
    const load = memo(async (table: string) => {
      calls++;
      await gate.promise;
      return { table, rows: [1, 2, 3] };
    }, { id: uniqueId("dedup"), params: ["table"] });
    const pending = Array.from({ length: 8 }, () => load("users"));
    gate.resolve();
    const results = await Promise.all(pending);
    expect(calls).toBe(1);
    for (const result of results) expect(result).toEqual({ table: "users", rows: [1, 2, 3] });
    expect(new Set(results).size).toBe(8);
    results[1].rows.push(4);
    expect(await load("users")).toEqual({ table: "users", rows: [1, 2, 3] });
    expect(stats(load)).toMatchObject({ misses: 1, hits: 8, entries: 1 });
  });

  it("returns promises on hits too, and caches the resolved value", async () => {
    let calls = 0;
    const twice = memo(async (n: number) => (calls++, n * 2), { id: uniqueId("resolved"), params: ["n"] });
    expect(await twice(2)).toBe(4);
    const hit = twice(2);
    expect(hit).toBeInstanceOf(Promise);
    expect(await hit).toBe(4);
    expect(calls).toBe(1);
  });

  it("never caches a rejection, and every waiter gets it", async () => {
    let calls = 0;
    const gate = deferred<void>();
    const flaky = memo(async (n: number) => {
      calls++;
      if (calls === 1) await gate.promise;
      return n;
    }, { id: uniqueId("reject"), params: ["n"] });
    const waiters = [flaky(1), flaky(1), flaky(1)];
    gate.reject(new Error("gate"));
    const settled = await Promise.allSettled(waiters);
    expect(settled.map((s) => s.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(settled.map((s) => (s as PromiseRejectedResult).reason.message)).toEqual(["gate", "gate", "gate"]);
    expect(calls).toBe(1);
    expect(stats(flaky).entries).toBe(0);
    expect(await flaky(1)).toBe(1);
    expect(calls).toBe(2);
  });

  it("removes the in-flight entry when the resolved value cannot be copied", async () => {
    const f = memo(async () => ({ fn: () => 1 }), { id: uniqueId("async-unserializable"), params: [] });
    await expect(f()).rejects.toThrow(/cannot be copied/);
    expect(stats(f).entries).toBe(0);
  });

  it("handles a non-async function that returns a promise", async () => {
    let calls = 0;
    const f = memo((n: number) => (calls++, Promise.resolve({ n })), { id: uniqueId("promise-returning"), params: ["n"] });
    const [a, b] = await Promise.all([f(1), f(1)]);
    expect(a).toEqual({ n: 1 });
    expect(b).toEqual({ n: 1 });
    expect(a).not.toBe(b);
    expect(calls).toBe(1);
  });
});

describe("async singleton", () => {
  it("is created once for concurrent callers, who all get the identical object", async () => {
    let created = 0;
    const gate = deferred<void>();
    const connect = singleton(async (url: string) => {
      created++;
      await gate.promise;
      return { url };
    }, { id: uniqueId("connect"), params: ["url"] });
    const pending = Array.from({ length: 5 }, () => connect("db://a"));
    gate.resolve();
    const clients = await Promise.all(pending);
    expect(created).toBe(1);
    expect(new Set(clients).size).toBe(1);
    expect(await connect("db://a")).toBe(clients[0]);
    expect(await connect("db://b")).not.toBe(clients[0]);
  });

  it("does not cache a rejected creation", async () => {
    let attempts = 0;
    const connect = singleton(async () => {
      attempts++;
      if (attempts === 1) throw new Error("refused");
      return { ok: true };
    }, { id: uniqueId("refused"), params: [] });
    const both = await Promise.allSettled([connect(), connect()]);
    expect(both.map((s) => s.status)).toEqual(["rejected", "rejected"]);
    expect(await connect()).toEqual({ ok: true });
    expect(attempts).toBe(2);
  });
});
