import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { digestHex, hashKeyComponents, hashKeyComponentsByWalk } from "../../runtime/hash/index.ts";
import { rebuildReordered, structurallyEqual, supportedValue } from "./supported-values.ts";

function digestOf(...values: unknown[]): string {
  hashKeyComponents(values, values.map((_, i) => `p${i}`), "test/hash.ts#fn");
  return digestHex();
}

describe("hashKeyComponents: equal values, equal digests", () => {
  it("is a pure function of the value", () => {
    fc.assert(fc.property(supportedValue, (value) => digestOf(value) === digestOf(value)), { numRuns: 400 });
  });

  it("ignores property, Map and Set order and buffer alignment", () => {
    fc.assert(
      fc.property(supportedValue, fc.integer(), (value, seed) => {
        expect(digestOf(rebuildReordered(value, seed))).toBe(digestOf(value));
      }),
      { numRuns: 400 },
    );
  });

  it("gives equal digests exactly for structurally equal values", () => {
    fc.assert(
      fc.property(supportedValue, supportedValue, (a, b) => {
        expect(digestOf(a) === digestOf(b)).toBe(structurallyEqual(a, b));
      }),
      { numRuns: 600 },
    );
  });

  it("separates values that differ in one place", () => {
    fc.assert(
      fc.property(fc.array(supportedValue, { minLength: 1, maxLength: 6 }), fc.nat(), supportedValue, (items, at, replacement) => {
        const index = at % items.length;
        fc.pre(!structurallyEqual(items[index], replacement));
        const changed = items.slice();
        changed[index] = replacement;
        expect(digestOf(changed)).not.toBe(digestOf(items));
        expect(digestOf({ wrap: changed })).not.toBe(digestOf({ wrap: items }));
      }),
      { numRuns: 300 },
    );
  });

  it("keys several components in order", () => {
    expect(digestOf(1, 2)).not.toBe(digestOf(2, 1));
    expect(digestOf([1, 2])).not.toBe(digestOf(1, 2));
    expect(digestOf(1, undefined)).not.toBe(digestOf(1));
  });
});

describe("hashKeyComponents: SameValue", () => {
  it("treats NaN as NaN and -0 apart from 0, also inside containers", () => {
    expect(digestOf(NaN)).toBe(digestOf(Number("x")));
    expect(digestOf(-0)).not.toBe(digestOf(0));
    expect(digestOf(-0)).toBe(digestOf(-0));
    expect(digestOf({ a: [-0, NaN] })).not.toBe(digestOf({ a: [0, NaN] }));
    expect(digestOf({ a: [-0, NaN] })).toBe(digestOf({ a: [-0, NaN] }));
    expect(digestOf(new Map([[1, -0]]))).not.toBe(digestOf(new Map([[1, 0]])));
    expect(digestOf(new Set([-0, 1]))).toBe(digestOf(new Set([0, 1]))); // a Set itself stores -0 as 0
    expect(digestOf(new Date(NaN))).toBe(digestOf(new Date("not a date")));
    expect(digestOf(0.1 + 0.2)).not.toBe(digestOf(0.3));
  });
});

describe("hashKeyComponents: type tags separate look-alikes", () => {
  const lookAlikes: [string, unknown, unknown][] = [
    ["number vs string", 1, "1"],
    ["number vs array", 1, [1]],
    ["array vs index object", [1], { 0: 1 }],
    ["array vs set", [1], new Set([1])],
    ["number vs bigint", 1, 1n],
    ["string vs registered symbol", "a", Symbol.for("a")],
    ["null vs undefined", null, undefined],
    ["false vs 0", false, 0],
    ["empty string vs empty array", "", []],
    ["empty object vs empty map", {}, new Map()],
    ["object vs map with the same entries", { a: 1 }, new Map([["a", 1]])],
    ["set vs map", new Set(["a"]), new Map([["a", undefined]])],
    ["hole vs undefined", [, 1], [undefined, 1]], // eslint-disable-line no-sparse-arrays
    ["string split differently", ["ab", "c"], ["a", "bc"]],
    ["nested split differently", [[1, 2], [3]], [[1], [2, 3]]],
    ["key/value boundary", { ab: "c" }, { a: "bc" }],
    ["date vs its time value", new Date(0), 0],
    ["regexp flags", /a/g, /a/i],
    ["regexp vs string", /a/, "/a/"],
    ["url vs its href", new URL("https://x.test/"), "https://x.test/"],
    ["Uint8Array vs Int8Array of the same bytes", new Uint8Array([1, 2]), new Int8Array([1, 2])],
    ["Uint8Array vs ArrayBuffer", new Uint8Array([1, 2]), new Uint8Array([1, 2]).buffer],
    ["Uint8Array vs DataView", new Uint8Array([1, 2]), new DataView(new Uint8Array([1, 2]).buffer)],
    ["trailing zero byte", new Uint8Array([1, 2]), new Uint8Array([1, 2, 0])],
    ["Float64 -0 vs 0 (bytes)", new Float64Array([-0]), new Float64Array([0])],
    ["large int vs float", 2 ** 31, 2 ** 31 + 0.5],
    ["small vs large int", 5, 5 + 2 ** 32],
    ["long string vs one character more", "x".repeat(100), "x".repeat(101)],
    ["swapped members", { a: 1, b: 2 }, { a: 2, b: 1 }],
    ["map key vs value", new Map([[1, 2]]), new Map([[2, 1]])],
    ["set duplicates by identity", new Set([{}, {}]), new Set([{}])],
  ];
  it.each(lookAlikes)("%s", (_label, a, b) => {
    expect(digestOf(a)).not.toBe(digestOf(b));
  });

  it("hashes a Buffer apart from the Uint8Array of the same bytes, and by bytes whatever its alignment", () => {
    const bytes = Uint8Array.from({ length: 100 }, (_, i) => (i * 37) & 255);
    const pool = Buffer.alloc(200);
    pool.set(bytes, 3);
    expect(digestOf(Buffer.from(bytes))).not.toBe(digestOf(bytes));
    expect(digestOf(pool.subarray(3, 103))).toBe(digestOf(Buffer.from(bytes)));
    expect(digestOf(new Uint8Array(pool.buffer, pool.byteOffset + 3, 100))).toBe(digestOf(bytes));
    expect(digestOf(pool.subarray(3, 102))).not.toBe(digestOf(Buffer.from(bytes)));
  });
});

describe("hashKeyComponents: cycles and shared references", () => {
  function selfLoop(x: number): Record<string, unknown> {
    const node: Record<string, unknown> = { x };
    node.self = node;
    return node;
  }
  function ring(length: number): Record<string, unknown> {
    const first: Record<string, unknown> = { i: 0 };
    let current = first;
    for (let i = 1; i < length; i++) current = current.next = { i };
    current.next = first;
    return first;
  }

  it("terminates and agrees for equal cyclic shapes", () => {
    expect(digestOf(selfLoop(1))).toBe(digestOf(selfLoop(1)));
    expect(digestOf(selfLoop(1))).not.toBe(digestOf(selfLoop(2)));
    expect(digestOf(ring(5))).toBe(digestOf(ring(5)));
    expect(digestOf(ring(5))).not.toBe(digestOf(ring(6)));
    expect(digestOf({ wrapped: selfLoop(1) })).toBe(digestOf({ wrapped: selfLoop(1) }));
  });

  it("handles cycles through arrays, Maps and Sets", () => {
    const make = () => {
      const list: unknown[] = [1];
      const map = new Map<unknown, unknown>([["list", list]]);
      const set = new Set<unknown>([map]);
      list.push(set);
      map.set("self", map);
      return list;
    };
    expect(digestOf(make())).toBe(digestOf(make()));
  });

  it("terminates on very deep cycles (beyond the linear ancestor scan)", () => {
    const chain = (depth: number) => {
      const head: Record<string, unknown> = {};
      let node = head;
      for (let i = 0; i < depth; i++) node = node.child = {};
      node.child = head;
      return head;
    };
    expect(digestOf(chain(500))).toBe(digestOf(chain(500)));
    expect(digestOf(chain(500))).not.toBe(digestOf(chain(501)));
  });

  it("hashes shared references by value", () => {
    const shared = { v: [1, 2] };
    expect(digestOf({ a: shared, b: shared })).toBe(digestOf({ a: { v: [1, 2] }, b: { v: [1, 2] } }));
  });
});

describe("hashKeyComponents: no sampling", () => {
  const size = 1 << 20;
  const bytes = Uint8Array.from({ length: size }, (_, i) => Math.imul(i, 2654435761) >>> 24);
  const positions = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 1000, 2047, 2048, 4095, 4096, 4097, 65535, 65536, 65537, size >> 1, size - 9, size - 8, size - 5, size - 4, size - 3, size - 2, size - 1];

  it.each([
    ["aligned Uint8Array", (b: Uint8Array) => b],
    ["Float64Array view", (b: Uint8Array) => new Float64Array(b.buffer)],
    ["unaligned subarray", (b: Uint8Array) => b.subarray(1)],
    ["odd-length tail", (b: Uint8Array) => b.subarray(0, size - 1)],
  ])("changing any single byte changes the digest (%s)", (_label, view) => {
    const original = digestOf(view(bytes));
    for (const position of positions) {
      const before = bytes[position];
      bytes[position] = before ^ 0x01;
      const changed = digestOf(view(bytes));
      bytes[position] = before;
      const inView = view(bytes);
      const viewStart = inView.byteOffset;
      const viewEnd = viewStart + inView.byteLength;
      if (position >= viewStart && position < viewEnd) expect(changed, `byte ${position}`).not.toBe(original);
    }
    expect(digestOf(view(bytes))).toBe(original);
  });
});

describe("hashKeyComponents: the plain-data fast path", () => {
  function walkDigestOf(...values: unknown[]): string {
    hashKeyComponentsByWalk(values, values.map((_, i) => `p${i}`), "test/hash.ts#fn");
    return digestHex();
  }
  const leaf = fc.oneof(
    fc.integer(),
    fc.double(),
    fc.constantFrom(0x7fffff, 0x800000, -0x800000, -0x800001, 2 ** 31, -0, NaN, undefined, null, true, false),
    fc.string({ maxLength: 30 }),
    fc.string({ unit: "binary", maxLength: 30 }),
  );
  const { plainData } = fc.letrec((tie) => ({
    plainData: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("plainData"), { maxLength: 5 }), fc.dictionary(fc.string({ maxLength: 8 }), tie("plainData"), { maxKeys: 5 })),
  }));

  it("gives exactly the general walk's digest for plain data", () => {
    fc.assert(
      fc.property(fc.array(plainData, { maxLength: 3 }), (values) => {
        expect(digestOf(...values)).toBe(walkDigestOf(...values));
      }),
      { numRuns: 400 },
    );
  });

  it("gives exactly the general walk's digest when it has to give up midway", () => {
    fc.assert(
      fc.property(supportedValue, plainData, (other, plain) => {
        expect(digestOf({ plain, other }, plain)).toBe(walkDigestOf({ plain, other }, plain));
      }),
      { numRuns: 300 },
    );
  });

  it("survives a getter that hashes other plain data mid-walk", () => {
    const make = (nested: boolean) => ({
      before: { x: [1, 2, { y: "ab" }] },
      get middle() {
        if (nested) hashKeyComponents([{ deep: [{ deeper: [7, "long ".repeat(9)] }] }, [1, [2]]], ["x", "y"], "other#fn");
        return [5, { six: 6 }];
      },
      after: [{ z: 3 }],
    });
    expect(digestOf([make(true)], 1)).toBe(digestOf([make(false)], 1));
    expect(digestOf([make(true)], 1)).toBe(walkDigestOf([make(false)], 1));
  });

  it("keeps no stale property key between objects (keys are cached by depth and position)", () => {
    const rows = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? { id: i, name: `n${i}` } : i % 3 === 1 ? { name: `n${i}`, id: i } : { idx: i, nam: `n${i}` }));
    const wide = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`key${i}`, { [`inner${i % 5}`]: i }]));
    let deep: unknown = { leaf: 1 };
    for (let i = 0; i < 20; i++) deep = { [`level${i % 3}`]: deep, same: i };
    for (const value of [rows, wide, deep, [rows, wide, deep]]) expect(digestOf(value)).toBe(walkDigestOf(value));
    // A getter that hashes an object with other keys in the same places, before its own key is absorbed.
    const withGetter = {
      first: 1,
      get second() {
        hashKeyComponents([{ other: 1, clash: 2 }], ["x"], "other#fn");
        return 2;
      },
    };
    expect(digestOf(withGetter)).toBe(digestOf({ first: 1, second: 2 }));
  });

  it("agrees on holes, null prototypes, deep nesting and long strings", () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: [1, , 3] }); // eslint-disable-line no-sparse-arrays
    let deep: unknown = "leaf";
    for (let i = 0; i < 40; i++) deep = i % 2 ? [deep] : { d: deep };
    for (const value of [bare, deep, { text: "y".repeat(1000) }, ["", "x".repeat(23), "x".repeat(24)]]) {
      expect(digestOf(value)).toBe(walkDigestOf(value));
    }
  });
});
