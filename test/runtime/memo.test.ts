import { afterEach, describe, expect, it } from "vitest";
import { cacheHandle, clear, clearAll, memo, MISS, stats, UnhashableParamError, UnserializableReturnValueError, InvalidOptionError } from "../../runtime/index.ts";
import { uniqueId } from "./helpers.ts";

afterEach(() => clearAll());

describe("memo by hand", () => {
  it("computes once per key and counts hits and misses", () => {
    let calls = 0;
    const square = memo((n: number) => (calls++, n * n), { id: uniqueId("square"), params: ["n"] });
    expect(square(3)).toBe(9);
    expect(square(3)).toBe(9);
    expect(square(4)).toBe(16);
    expect(calls).toBe(2);
    expect(stats(square)).toEqual({ hits: 1, misses: 2, storeHits: 0, computeMs: expect.any(Number), entries: 2, bytes: expect.any(Number), evictions: 0, errors: 0, staleHits: 0, refreshes: 0, refreshErrors: 0 });
  });

  it("leaves parameters starting with _ out of the key", () => {
    let calls = 0;
    const load = memo((_db: object, table: string) => (calls++, `${table}-rows`), { id: uniqueId("load"), params: ["_db", "table"] });
    expect(load({ conn: 1 }, "users")).toBe("users-rows");
    expect(load({ conn: 2 }, "users")).toBe("users-rows");
    expect(calls).toBe(1);
    load({ conn: 1 }, "teams");
    expect(calls).toBe(2);
  });

  it("keys every argument when params are not given", () => {
    let calls = 0;
    const join = memo((...parts: unknown[]) => (calls++, parts.join("/")), { id: uniqueId("join") });
    expect(join("a")).toBe("a");
    expect(join("a", "b")).toBe("a/b");
    expect(join("a", "b", "c", "d")).toBe("a/b/c/d");
    expect(join("a", "b", "c", "d")).toBe("a/b/c/d");
    expect(join("a")).toBe("a");
    expect(calls).toBe(3);
  });

  it("keys objects by value, whatever the property order", () => {
    let calls = 0;
    const describeShape = memo((shape: object) => (calls++, Object.keys(shape).length), { id: uniqueId("shape"), params: ["shape"] });
    describeShape({ a: 1, b: [1, 2, 3], c: "x" });
    describeShape({ c: "x", b: [1, 2, 3], a: 1 });
    expect(calls).toBe(1);
    describeShape({ a: 1, b: [1, 2, 4], c: "x" });
    expect(calls).toBe(2);
  });

  it("treats NaN as NaN and -0 apart from 0 (SameValue), in the exact-key and the hashed path", () => {
    let calls = 0;
    const id = memo((x: unknown, _tag?: unknown) => (calls++, String(x)), { id: uniqueId("nan") });
    id(NaN);
    id(NaN);
    id(-0);
    id(0);
    id(-0);
    expect(calls).toBe(3);
    const wrapped = memo((x: unknown) => (calls++, String(x)), { id: uniqueId("nan-obj"), params: ["x"] });
    wrapped({ v: NaN });
    wrapped({ v: NaN });
    wrapped({ v: -0 });
    wrapped({ v: 0 });
    wrapped({ v: -0 });
    expect(calls).toBe(6);
  });

  it("separates look-alike keys: 1, '1', 1n, true, null, undefined", () => {
    let calls = 0;
    const f = memo((x: unknown) => (calls++, typeof x), { id: uniqueId("types"), params: ["x"] });
    for (const value of [1, "1", 1n, true, null, undefined]) f(value);
    for (const value of [1, "1", 1n, true, null, undefined]) f(value);
    expect(calls).toBe(6);
  });

  it("keys two and three primitive components and mixed primitive/object keys", () => {
    let calls = 0;
    const f = memo((a: unknown, b: unknown, c: unknown) => (calls++, [a, b, c]), { id: uniqueId("three"), params: ["a", "b", "c"] });
    f(1, "x", true);
    f(1, "x", true);
    f(1, "x", false);
    f(1, { y: 1 }, true);
    f(1, { y: 1 }, true);
    expect(calls).toBe(3);
    const g = memo((a: string, b: string) => (calls++, a + b), { id: uniqueId("two"), params: ["a", "b"] });
    g("ab", "c");
    g("a", "bc");
    g("ab", "c");
    expect(calls).toBe(5);
  });

  it("returns a fresh copy on every hit and the original to the computing caller", () => {
    const original = { rows: [{ id: 1 }], when: new Date(0) };
    const load = memo(() => original, { id: uniqueId("copy"), params: [] });
    const first = load();
    expect(first).toBe(original);
    const second = load();
    expect(second).not.toBe(original);
    expect(second).toEqual(original);
    second.rows[0].id = 99;
    (second.rows as unknown[]).push("mutated");
    const third = load();
    expect(third).toEqual({ rows: [{ id: 1 }], when: new Date(0) });
    expect(third).not.toBe(second);
  });

  it("caches a snapshot taken when the value was computed (later mutation of the original does not leak in)", () => {
    const load = memo(() => ({ n: 1 }), { id: uniqueId("snapshot"), params: [] });
    const original = load();
    original.n = 2;
    expect(load()).toEqual({ n: 1 });
  });

  it("does not cache a throw", () => {
    let calls = 0;
    const flaky = memo((n: number) => {
      calls++;
      if (calls === 1) throw new Error("boom");
      return n;
    }, { id: uniqueId("throw"), params: ["n"] });
    expect(() => flaky(1)).toThrow("boom");
    expect(flaky(1)).toBe(1);
    expect(flaky(1)).toBe(1);
    expect(calls).toBe(2);
  });

  it("reports an unhashable argument with function, parameter, path and fixes", () => {
    class Client {}
    const id = uniqueId("unhashable");
    const f = memo((options: object) => options, { id, params: ["options"] });
    let error: unknown;
    try {
      f({ client: new Client() });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UnhashableParamError);
    const message = (error as Error).message;
    expect(message).toMatch(/^\[automemo\] /);
    expect(message).toContain(`Cannot hash argument 'options' (position 0) of ${id}`);
    expect(message).toContain("options.client is a Client");
    expect(message).toContain("'_options'");
    expect((error as UnhashableParamError).code).toBe("UNHASHABLE_PARAM");
  });

  it("rejects a result that cannot be copied, and caches nothing", () => {
    let calls = 0;
    const id = uniqueId("unserializable");
    const f = memo(() => (calls++, { handler: () => 1 }), { id, params: [] });
    expect(() => f()).toThrow(UnserializableReturnValueError);
    expect(() => f()).toThrow(/result\.handler is a function/);
    expect(calls).toBe(2);
    expect(stats(f).entries).toBe(0);
  });

  it("needs an id", () => {
    expect(() => memo((x: number) => x, {} as never)).toThrow(InvalidOptionError);
    expect(() => memo((x: number) => x, {} as never)).toThrow(/Invalid option 'id' in memo\(fn, meta\): the metadata has no id/);
    expect(() => memo((x: number) => x, { id: uniqueId("bad"), options: { ttl: "soon" } })).toThrow(/Invalid option 'ttl'/);
  });

  it("keeps name and length, and passes this through", () => {
    const counter = {
      base: 10,
      add: memo(function add(this: { base: number }, n: number) {
        return this.base + n;
      }, { id: uniqueId("this"), params: ["n"] }),
    };
    expect(counter.add.name).toBe("add");
    expect(counter.add.length).toBe(1);
    expect(counter.add(1)).toBe(11);
  });
});

describe("clear", () => {
  it("drops one entry with the key built like a call, or every entry", async () => {
    let calls = 0;
    const load = memo((_db: unknown, table: string, page: number) => (calls++, `${table}:${page}`), { id: uniqueId("clear"), params: ["_db", "table", "page"] });
    load(null, "users", 1);
    load(null, "users", 2);
    await clear(load, "ignored db", "users", 1);
    expect(stats(load).entries).toBe(1);
    load(null, "users", 1);
    load(null, "users", 2);
    expect(calls).toBe(3);
    await clear(load);
    expect(stats(load).entries).toBe(0);
  });

  it("accepts the function id, and a transformed function bound with bindFunction", async () => {
    const id = uniqueId("emitted");
    const h = cacheHandle("memo", { id, hash: "h1", params: ["n"], key: ["n"], options: {} });
    let calls = 0;
    function double(n: number): number {
      const r = h.get1(n);
      if (r !== MISS) return r as number;
      return h.settle(() => (calls++, n * 2));
    }
    h.bindFunction(double);
    h.bindFunction(double);
    double(2);
    double(2);
    expect(calls).toBe(1);
    await clear(double, 2);
    double(2);
    expect(calls).toBe(2);
    await clear(id);
    double(2);
    expect(calls).toBe(3);
    expect(stats(id)).toMatchObject({ hits: 1, misses: 3, entries: 1 });
  });

  it("explains when a key cannot be rebuilt from call arguments", async () => {
    const id = uniqueId("captured");
    const h = cacheHandle("memo", { id, hash: "h", params: ["n"], key: ["n", "scale"], options: {} });
    await expect(clear(id, 1)).rejects.toThrow(/key component 'scale' is a variable the function captures/);
    expect(h).toBeDefined();
  });

  it("rejects functions it does not know", async () => {
    await expect(clear(() => 1)).rejects.toThrow(/not a cached function/);
    expect(() => stats("no/such#id")).toThrow(/the id "no\/such#id"/);
  });
});

describe("stats()", () => {
  it("sums every function and lists each by id", () => {
    const id = uniqueId("total");
    const f = memo((n: number) => n, { id, params: ["n"] });
    f(1);
    f(1);
    const all = stats();
    expect(all.functions[id]).toEqual(stats(f));
    expect(all.hits).toBeGreaterThanOrEqual(1);
    expect(all.entries).toBeGreaterThanOrEqual(1);
  });
});
