/**
 * Keys are equal only for arguments a function cannot tell apart (a hit must be what
 * the call would compute):
 * through real handles, every lookup path (one, two and three primitive components,
 * the recent-key shortcuts, the hashed path), and the refusals with `[automemo]` errors.
 */
import { afterEach, describe, expect, it } from "vitest";
import { clearAll, memo, UnhashableParamError } from "../../runtime/index.ts";
import { digestHex, hashKeyComponents } from "../../runtime/hash/index.ts";
import { uniqueId } from "../runtime/helpers.ts";

afterEach(() => clearAll());

function digestOf(...values: unknown[]): string {
  hashKeyComponents(values, values.map((_, i) => `p${i}`), "test/exact-keys.ts#fn");
  return digestHex();
}

/** A memoized probe that answers what a function could observe about its arguments. */
function probe(params: string[], observe: (...args: unknown[]) => unknown = (...args) => args.map(describeValue)) {
  let calls = 0;
  const fn = memo((...args: unknown[]) => (calls++, observe(...args)), { id: uniqueId("probe"), params });
  return { fn, calls: () => calls };
}

function describeValue(value: unknown): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value !== "object" || value === null) return `${typeof value}:${String(value)}`;
  return `${Object.prototype.toString.call(value)}:${(value as { constructor?: { name?: string } }).constructor?.name}`;
}

describe("-0 and 0 are different keys, NaN matches NaN (SameValue)", () => {
  it("one primitive component: the Map path and the recent-key shortcut", () => {
    const { fn, calls } = probe(["x"], (x) => 1 / (x as number));
    expect(fn(0)).toBe(Infinity);
    expect(fn(-0)).toBe(-Infinity); // right after 0: the shortcut must not take -0 for 0
    expect(fn(0)).toBe(Infinity);
    expect(fn(-0)).toBe(-Infinity);
    expect(fn(NaN)).toBeNaN();
    expect(fn(NaN)).toBeNaN();
    expect(calls()).toBe(3);
  });

  it("-0 first, then 0", () => {
    const { fn } = probe(["x"], (x) => Object.is(x, -0));
    expect(fn(-0)).toBe(true);
    expect(fn(-0)).toBe(true);
    expect(fn(0)).toBe(false);
    expect(fn(-0)).toBe(true);
  });

  it("two and three components, and getN", () => {
    const two = probe(["a", "b"], (a, b) => [Object.is(a, -0), Object.is(b, -0)]);
    expect(two.fn(1, 0)).toEqual([false, false]);
    expect(two.fn(1, -0)).toEqual([false, true]);
    expect(two.fn(-0, 1)).toEqual([true, false]);
    expect(two.fn(0, 1)).toEqual([false, false]);
    const three = probe(["a", "b", "c"], (a, b, c) => [a, b, c].map((v) => Object.is(v, -0)));
    expect(three.fn(0, 0, 0)).toEqual([false, false, false]);
    expect(three.fn(0, -0, 0)).toEqual([false, true, false]);
    const many = probe(["a", "b", "c", "d"], (...xs) => xs.map((v) => Object.is(v, -0)));
    expect(many.fn(0, 0, 0, 0)).toEqual([false, false, false, false]);
    expect(many.fn(0, 0, 0, -0)).toEqual([false, false, false, true]);
  });

  it("inside objects, arrays and Map values, on the hashed path and the recent-key shortcut", () => {
    const { fn, calls } = probe(["x"], (x) => JSON.stringify(x, (_k, v) => (Object.is(v, -0) ? "-0" : v)));
    expect(fn({ a: 0 })).toBe('{"a":0}');
    expect(fn({ a: -0 })).toBe('{"a":"-0"}');
    expect(fn({ a: 0 })).toBe('{"a":0}');
    expect(fn([-0])).toBe('["-0"]');
    expect(fn([0])).toBe("[0]");
    expect(calls()).toBe(4);
    expect(digestOf(new Map([["k", -0]]))).not.toBe(digestOf(new Map([["k", 0]])));
    expect(digestOf({ deep: [{ v: -0 }] })).not.toBe(digestOf({ deep: [{ v: 0 }] }));
  });
});

describe("every class the hasher accepts is its own type", () => {
  it("a Buffer differs from the Uint8Array of the same bytes", () => {
    const { fn } = probe(["x"], (x) => (x as object).constructor.name);
    expect(fn(new Uint8Array([1, 2]))).toBe("Uint8Array");
    expect(fn(Buffer.from([1, 2]))).toBe("Buffer");
  });

  it("every typed-array kind, DataView and ArrayBuffer differ over the same bytes", () => {
    const bytes = new Uint8Array(16).map((_, i) => i);
    const views = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array]
      .map((View) => new View(bytes.slice().buffer))
      .concat([new DataView(bytes.slice().buffer), Buffer.from(bytes)] as never[]);
    const digests = new Set([...views.map((view) => digestOf(view)), digestOf(bytes.slice().buffer)]);
    expect(digests.size).toBe(views.length + 1);
  });

  it("refuses subclasses of the built-ins (a hit could not come back with their prototype)", () => {
    class Registry extends Map {}
    class Bytes extends Uint8Array {}
    class List extends Array {}
    const { fn } = probe(["x"]);
    for (const value of [new Registry(), new Bytes(2), new List()]) expect(() => fn(value)).toThrow(UnhashableParamError);
  });
});

describe("arguments objects", () => {
  const argumentsOf = function (..._items: unknown[]) {
    return arguments; // eslint-disable-line prefer-rest-params
  };

  it("are keyed apart from plain objects and arrays with the same entries, and alike when equal", () => {
    expect(digestOf(argumentsOf(1, "a"))).not.toBe(digestOf({ 0: 1, 1: "a" }));
    expect(digestOf(argumentsOf(1, "a"))).not.toBe(digestOf([1, "a"]));
    expect(digestOf(argumentsOf(1, "a"))).toBe(digestOf(argumentsOf(1, "a")));
    expect(digestOf(argumentsOf(1))).not.toBe(digestOf(argumentsOf(1, undefined)));
  });

  it("are refused once changed by hand", () => {
    const args = argumentsOf(1);
    (args as unknown as Record<string, unknown>).extra = 2;
    expect(() => digestOf(args)).toThrow(/arguments object does not have/);
  });
});

describe("own keys beyond enumerable strings", () => {
  it("registered-symbol keys are part of the key", () => {
    const { fn, calls } = probe(["x"], (x) => (x as Record<symbol, unknown>)[Symbol.for("k")]);
    expect(fn({ a: 1, [Symbol.for("k")]: 1 })).toBe(1);
    expect(fn({ a: 1, [Symbol.for("k")]: 2 })).toBe(2);
    expect(fn({ a: 1 })).toBeUndefined();
    expect(fn({ a: 1, [Symbol.for("k")]: 2 })).toBe(2);
    expect(calls()).toBe(3);
    expect(digestOf({ [Symbol.for("k")]: 1 })).not.toBe(digestOf({ k: 1 }));
  });

  it("unique-symbol keys are refused with the symbol named", () => {
    const { fn } = probe(["options"]);
    expect(() => fn({ a: 1, [Symbol("secret")]: 1 })).toThrow(UnhashableParamError);
    expect(() => fn({ a: 1, [Symbol("secret")]: 1 })).toThrow(/unique symbol Symbol\(secret\)/);
  });

  it("non-enumerable own properties are refused, on the fast path and the recent-key shortcut alike", () => {
    const { fn } = probe(["options"]);
    fn({ a: 1 });
    const hidden = Object.defineProperty({ a: 1 }, "b", { value: 2, enumerable: false });
    expect(() => fn(hidden)).toThrow(/\[automemo\].*non-enumerable own property 'b'/s);
    expect(() => fn({ nested: hidden })).toThrow(UnhashableParamError);
  });

  it("getters count by the value they return when the key is hashed", () => {
    const withGetter = { get a() { return 1; } }; // prettier-ignore
    expect(digestOf(withGetter)).toBe(digestOf({ a: 1 }));
  });
});

describe("built-ins carrying more than their data", () => {
  it("RegExp lastIndex is part of the key", () => {
    const sticky = /a/y;
    const later = /a/y;
    later.lastIndex = 1;
    const { fn } = probe(["re"], (re) => (re as RegExp).test("ba"));
    expect(fn(sticky)).toBe(false);
    expect(fn(later)).toBe(true);
  });

  it("a Date (or Map) with own properties is refused", () => {
    const { fn } = probe(["x"]);
    expect(() => fn(Object.assign(new Date(0), { label: "x" }))).toThrow(/own property 'label'/);
    expect(() => fn(Object.assign(new Map(), { label: "x" }))).toThrow(UnhashableParamError);
  });
});

describe("Proxies", () => {
  it("a Proxy around a built-in is an [automemo] error, not a raw TypeError", () => {
    const { fn } = probe(["x"]);
    for (const target of [new Map([[1, 2]]), new Set([1]), new Date(0), new Uint8Array(2), new URL("https://x.test/")]) {
      let caught: unknown;
      try {
        fn(new Proxy(target, {}));
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(UnhashableParamError);
      expect((caught as Error).message).toMatch(/^\[automemo\].*a Proxy\?/s);
    }
  });

  it("a Proxy around plain data is keyed through its traps, like the object it presents", () => {
    expect(digestOf(new Proxy({ a: [1, 2] }, {}))).toBe(digestOf({ a: [1, 2] }));
  });
});

describe("huge sparse arrays", () => {
  it("hash without walking their length, apart from other lengths and contents", () => {
    const sparse = (length: number, at: number) => {
      const array: unknown[] = [];
      array.length = length;
      array[at] = 1;
      return array;
    };
    const started = Date.now();
    expect(digestOf(sparse(2 ** 31, 5))).toBe(digestOf(sparse(2 ** 31, 5)));
    expect(digestOf(sparse(2 ** 31, 5))).not.toBe(digestOf(sparse(2 ** 31, 6)));
    expect(digestOf(sparse(2 ** 31, 5))).not.toBe(digestOf(sparse(2 ** 31 + 1, 5)));
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
