/**
 * The recent-key shortcut (runtime/handle/recent-key.ts): a single small plain-data
 * argument equal to the last one filed skips the hash. It must never answer for a
 * key the hash would file elsewhere, and its copy must be private.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { clear, clearAll, memo, singleton, stats, UnhashableParamError } from "../../runtime/index.ts";
import { copyKeyValue, NOT_COPIED, sameKeyValue } from "../../runtime/handle/recent-key.ts";
import { digestHex, hashKeyComponents } from "../../runtime/hash/index.ts";
import { supportedValue } from "../hash/supported-values.ts";
import { findHandle } from "../../runtime/handle/control.ts";
import { uniqueId } from "./helpers.ts";

/** Whether `fn`'s handle holds a recent key to compare with (the shortcut is on); reads a protected field. */
function hasShortcut(fn: (...args: never[]) => unknown): boolean {
  return (findHandle(fn, "test") as unknown as { recentKeyEntry: unknown }).recentKeyEntry !== null;
}


function digestOf(value: unknown): string {
  hashKeyComponents([value], ["x"], "test/recent-key.ts#fn");
  return digestHex();
}

/** A memo over one argument that counts its computations. */
function countingMemo(options: Record<string, unknown> = {}) {
  const counter = { calls: 0 };
  const fn = memo(
    (x: unknown) => {
      counter.calls++;
      return JSON.stringify(x);
    },
    { id: uniqueId("counting"), params: ["x"], options },
  );
  return { fn, counter };
}

/** Whether two hash-equal plain values list some object's keys in a different order. */
function keyOrderDiffers(a: unknown, b: unknown): boolean {
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (!Array.isArray(a) && keysA.join() !== keysB.join()) return true;
  return keysA.some((key) => keyOrderDiffers((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

afterEach(() => clearAll());

describe("sameKeyValue against copyKeyValue", () => {
  it("matches only values the hash files under the same digest", () => {
    fc.assert(
      fc.property(supportedValue, supportedValue, (a, b) => {
        const copy = copyKeyValue(a);
        if (copy === NOT_COPIED) return;
        expect(sameKeyValue(a, copy)).toBe(true);
        if (sameKeyValue(b, copy)) expect(digestOf(b)).toBe(digestOf(a));
      }),
      { numRuns: 1500 },
    );
  });

  it("agrees with the hash on look-alikes drawn from a tiny domain (so near-equal pairs are common)", () => {
    const tiny = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.constantFrom(0, -0, 1, NaN, "", "a", "1", null, undefined, true, false),
        fc.array(tie("value"), { maxLength: 2 }),
        fc.dictionary(fc.constantFrom("a", "b", "0"), tie("value"), { maxKeys: 2 }),
      ),
    })).value;
    let matches = 0;
    fc.assert(
      fc.property(tiny, tiny, (a, b) => {
        const copy = copyKeyValue(a);
        expect(copy).not.toBe(NOT_COPIED);
        const same = sameKeyValue(b, copy);
        if (same) matches++;
        // Sound: a match means the same digest. Useful: equal JSON-like twins in the same key order match.
        if (same) expect(digestOf(b)).toBe(digestOf(a));
        else if (digestOf(b) === digestOf(a)) expect(keyOrderDiffers(a, b)).toBe(true);
      }),
      { numRuns: 3000 },
    );
    expect(matches).toBeGreaterThan(30);
  });

  it("follows the hash's SameValue, holes, prototypes and hidden keys", () => {
    expect(sameKeyValue({ n: NaN }, copyKeyValue({ n: NaN }))).toBe(true);
    expect(sameKeyValue({ n: -0 }, copyKeyValue({ n: 0 }))).toBe(false);
    expect(sameKeyValue({ n: 0 }, copyKeyValue({ n: -0 }))).toBe(false);
    expect(sameKeyValue([0, -0], copyKeyValue([0, -0]))).toBe(true);
    expect(sameKeyValue(-0, copyKeyValue(0))).toBe(false);
    expect(sameKeyValue({ a: 1, [Symbol.for("k")]: 1 }, copyKeyValue({ a: 1 }))).toBe(false);
    expect(copyKeyValue({ a: 1, [Symbol.for("k")]: 1 })).toBe(NOT_COPIED);
    expect(sameKeyValue(Object.defineProperty({ a: 1 }, "b", { value: 2 }), copyKeyValue({ a: 1 }))).toBe(false);
    expect(sameKeyValue({ a: 1 }, copyKeyValue(Object.assign(Object.create(null), { a: 1 })))).toBe(false);
    expect(sameKeyValue(Object.assign(Object.create(null), { a: 1 }), copyKeyValue(Object.assign(Object.create(null), { a: 1 })))).toBe(true);
    expect(sameKeyValue({ a: undefined }, copyKeyValue({}))).toBe(false);
    expect(sameKeyValue({}, copyKeyValue({ a: undefined }))).toBe(false);
    const withHole = [1, 2, 3];
    delete withHole[1];
    expect(sameKeyValue(withHole, copyKeyValue([1, undefined, 3]))).toBe(false);
    expect(copyKeyValue(withHole)).toBe(NOT_COPIED);
    expect(sameKeyValue({ 0: 1 }, copyKeyValue([1]))).toBe(false);
    expect(sameKeyValue([1], copyKeyValue({ 0: 1 }))).toBe(false);
    class Point {
      constructor(readonly x: number) {}
    }
    expect(sameKeyValue(new Point(1), copyKeyValue({ x: 1 }))).toBe(false);
    class Items extends Array<number> {}
    expect(sameKeyValue(Items.from([1, 2]), copyKeyValue([1, 2]))).toBe(false);
  });

  it("does not copy values it cannot compare cheaply", () => {
    expect(copyKeyValue(new Map())).toBe(NOT_COPIED);
    expect(copyKeyValue({ when: new Date(0) })).toBe(NOT_COPIED);
    expect(copyKeyValue({ big: 1n })).toBe(NOT_COPIED);
    expect(copyKeyValue({ rows: Array.from({ length: 100 }, (_, i) => i) })).toBe(NOT_COPIED);
    expect(copyKeyValue({ a: { b: { c: { d: { e: { f: { g: { h: { i: { j: 1 } } } } } } } } } })).toBe(NOT_COPIED);
  });
});

describe("memo with one small object argument", () => {
  it("hits for an equal fresh object, in either key order", () => {
    const { fn, counter } = countingMemo();
    expect(fn({ a: 1, b: [1, 2, 3], c: "x" })).toBe('{"a":1,"b":[1,2,3],"c":"x"}');
    expect(fn({ a: 1, b: [1, 2, 3], c: "x" })).toBe('{"a":1,"b":[1,2,3],"c":"x"}');
    expect(fn({ c: "x", b: [1, 2, 3], a: 1 })).toBe('{"a":1,"b":[1,2,3],"c":"x"}');
    expect(counter.calls).toBe(1);
    expect(stats(fn)).toMatchObject({ hits: 2, misses: 1 });
    expect(hasShortcut(fn)).toBe(true);
  });

  it("keeps a private copy: mutating the argument after the call makes the next call miss", () => {
    const { fn, counter } = countingMemo();
    const argument = { a: 1, list: [1, 2] };
    fn(argument);
    argument.list.push(3);
    expect(fn(argument)).toBe('{"a":1,"list":[1,2,3]}');
    argument.a = 2;
    expect(fn(argument)).toBe('{"a":2,"list":[1,2,3]}');
    expect(counter.calls).toBe(3);
  });

  it("keys by the argument as it was at the call, even when the computation mutates it", () => {
    let calls = 0;
    const fn = memo(
      (options: { seen?: boolean; n: number }) => {
        calls++;
        options.seen = true;
        return options.n * 2;
      },
      { id: uniqueId("mutating"), params: ["options"] },
    );
    expect(fn({ n: 2 })).toBe(4);
    expect(fn({ n: 2 })).toBe(4);
    expect(calls).toBe(1);
    expect(fn({ n: 2, seen: true })).toBe(4);
    expect(calls).toBe(2);
  });

  it("still throws for a class instance that looks like the remembered key", () => {
    const { fn } = countingMemo();
    fn({ x: 1 });
    class Point {
      constructor(readonly x: number) {}
    }
    expect(() => fn(new Point(1))).toThrow(UnhashableParamError);
  });

  it("forgets the shortcut when the entry is cleared or expires", async () => {
    const { fn, counter } = countingMemo({ ttl: "30ms" });
    fn({ a: 1 });
    fn({ a: 1 });
    expect(counter.calls).toBe(1);
    await clear(fn);
    fn({ a: 1 });
    expect(counter.calls).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 60));
    fn({ a: 1 });
    expect(counter.calls).toBe(3);
  });

  it("keeps the shortcut across a ttl expiry: the recomputed entry takes over the key copy", async () => {
    const { fn, counter } = countingMemo({ ttl: "20ms" });
    fn({ a: 1 });
    expect(hasShortcut(fn)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fn({ a: 1 })).toBe('{"a":1}');
    expect(counter.calls).toBe(2);
    expect(hasShortcut(fn)).toBe(true);
    expect(fn({ a: 1 })).toBe('{"a":1}');
    expect(counter.calls).toBe(2);
  });

  it("stays correct when calls spread over many keys make it give up the shortcut, and takes it up again for a new key", () => {
    const { fn, counter } = countingMemo();
    for (let n = 0; n < 20; n++) fn({ n });
    // The newest key is { n: 19 }: forty calls with other keys fail the compare far past its patience.
    for (let round = 0; round < 2; round++) for (let n = 0; n < 19; n++) expect(fn({ n })).toBe(`{"n":${n}}`);
    expect(hasShortcut(fn)).toBe(false);
    expect(fn({ n: 19 })).toBe('{"n":19}');
    expect(counter.calls).toBe(20);
    expect(fn({ n: 20 })).toBe('{"n":20}');
    expect(hasShortcut(fn)).toBe(true);
    expect(fn({ n: 20 })).toBe('{"n":20}');
    expect(counter.calls).toBe(21);
    expect(stats(fn)).toMatchObject({ hits: 40, misses: 21 });
  });

  it("returns a fresh copy of an object result on every shortcut hit", () => {
    const fn = memo((query: { table: string }) => ({ rows: [query.table] }), { id: uniqueId("copies"), params: ["query"] });
    const first = fn({ table: "t" });
    const second = fn({ table: "t" });
    const third = fn({ table: "t" });
    expect(second).toEqual(first);
    expect(second).not.toBe(third);
    second.rows.push("changed");
    expect(fn({ table: "t" })).toEqual({ rows: ["t"] });
  });

  it("returns the one shared object for a singleton", () => {
    const connect = singleton((config: { url: string }) => ({ url: config.url }), { id: uniqueId("singleton"), params: ["config"] });
    expect(connect({ url: "a" })).toBe(connect({ url: "a" }));
    expect(connect({ url: "b" })).not.toBe(connect({ url: "a" }));
  });
});
