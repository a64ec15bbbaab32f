/**
 * The hit shortcuts for one primitive argument over many keys (`quickValues` in
 * runtime/handle/entry-book.ts: the hit value read straight from a Map) and the
 * async hits answered as plain values (`asyncWrapper`): they must answer exactly what
 * the Map of entries would, follow every removal and settings change, and stay out
 * of the way of `clear(fn, ...args)`.
 */
import { afterEach, describe, expect, it } from "vitest";
import { cacheHandle, clear, clearAll, configure, memo, MISS, singleton, stats } from "../../runtime/index.ts";
import { uniqueId } from "./helpers.ts";

afterEach(() => clearAll());

/** A memo over one argument that counts its computations. */
function counting<T>(compute: (x: unknown) => T) {
  let calls = 0;
  const fn = memo((x: unknown) => (calls++, compute(x)), { id: uniqueId("quick"), params: ["x"] });
  return { fn, calls: () => calls };
}

describe("quick values: one primitive argument over many keys", () => {
  it("keeps -0 apart from 0 when another key was filed last", () => {
    const { fn, calls } = counting((x) => 1 / (x as number));
    expect(fn(0)).toBe(Infinity);
    expect(fn(1)).toBe(1); // 0 is no longer the recent entry: its hit comes from the quick values
    expect(fn(-0)).toBe(-Infinity);
    expect(fn(0)).toBe(Infinity);
    expect(fn(1)).toBe(1);
    expect(fn(-0)).toBe(-Infinity);
    expect(calls()).toBe(3);
  });

  it("finds NaN with NaN, and keeps 1 and '1', true and 'true', null and undefined apart", () => {
    const { fn, calls } = counting((x) => `${typeof x}:${String(x)}`);
    const keys = [NaN, 1, "1", true, "true", null, undefined, "null", 65535, 65536, 2 ** 32, -1, 1.5, 0, "0", 1e21];
    for (const key of keys) fn(key);
    for (const key of [...keys].reverse()) expect(fn(key)).toBe(`${typeof key}:${String(key)}`);
    expect(calls()).toBe(keys.length);
    expect(stats(fn).hits).toBe(keys.length);
  });

  it("answers small integers from elements no prototype can fill in", () => {
    const { fn, calls } = counting((x) => `computed ${String(x)}`);
    const prototypes = [Object.prototype, Array.prototype] as unknown as Record<number, unknown>[];
    try {
      for (const prototype of prototypes) prototype[7] = "polluted";
      fn(1);
      fn(2);
      expect(fn(7)).toBe("computed 7");
      expect(fn(1)).toBe("computed 1");
      expect(calls()).toBe(3);
    } finally {
      for (const prototype of prototypes) delete prototype[7];
    }
  });

  it("hits keys whose result is undefined (left out of the quick values) and falsy results", () => {
    const { fn, calls } = counting((x) => (x === 1 ? undefined : x === 2 ? 0 : ""));
    for (let round = 0; round < 3; round++) {
      expect(fn(1)).toBeUndefined();
      expect(fn(2)).toBe(0);
      expect(fn(3)).toBe("");
    }
    expect(calls()).toBe(3);
  });

  it("forgets a key removed by clear(fn, key) and everything after clearAll()", async () => {
    const { fn, calls } = counting((x) => (x as number) * 2);
    fn(1);
    fn(2);
    await clear(fn, 1); // captures the key through the function itself: the quick values must not answer
    expect(fn(2)).toBe(4);
    expect(calls()).toBe(2);
    expect(fn(1)).toBe(2);
    expect(calls()).toBe(3);
    await clearAll();
    fn(2);
    fn(1);
    expect(calls()).toBe(5);
  });

  it("stops answering once a hit needs a check (validate), and answers again after", () => {
    let made = 0;
    const connect = singleton((url: string) => ({ url, serial: ++made }), { id: uniqueId("quick-singleton"), params: ["url"] });
    const first = connect("a");
    connect("b");
    expect(connect("a")).toBe(first);
    let valid = true;
    configure(connect, { validate: () => valid });
    valid = false;
    const second = connect("a"); // validate refuses the cached one: a new instance
    expect(second).not.toBe(first);
    valid = true;
    connect("b");
    expect(connect("a")).toBe(second);
  });
});

describe("async hits", () => {
  it("a by-hand wrapper of an async function answers every hit with a promise", async () => {
    let calls = 0;
    const load = memo(async (x: number) => (calls++, x * 2), { id: uniqueId("quick-async"), params: ["x"] });
    expect(await load(1)).toBe(2);
    await load(2);
    const hit = load(1);
    expect(hit).toBeInstanceOf(Promise);
    expect(await hit).toBe(2);
    const recent = load(2);
    expect(recent).toBeInstanceOf(Promise);
    expect(await recent).toBe(4);
    expect(calls).toBe(2);
  });

  it("an async function in the emitted shape resolves its hits to the value, objects by their own promise", async () => {
    const id = uniqueId("quick-emitted-async");
    const handle = cacheHandle("singleton", { id, hash: "h", params: ["x"], key: ["x"], options: {} });
    let calls = 0;
    // What the transform emits for `/** @singleton */ async function load(x) { ... }`.
    async function load(x: string): Promise<unknown> {
      const r = handle.get1(x);
      if (r !== MISS) return r;
      return handle.settle(async () => (calls++, x === "object" ? { x } : x.length));
    }
    handle.bindFunction(load);
    expect(await load("abc")).toBe(3);
    const object = await load("object");
    expect(await load("abc")).toBe(3);
    expect(await load("object")).toBe(object);
    expect(calls).toBe(2);
  });
});
