/**
 * A memo hit is an exact copy of the result, or the result is refused on the first
 * call (a cache must never hand out an approximation). Each case goes through a real handle (first call, then
 * hits) and, where it matters, through the store decode path.
 */
import { afterEach, describe, expect, it } from "vitest";
import { clearAll, memo, UnserializableReturnValueError } from "../../runtime/index.ts";
import { copySnapshot, snapshotResult } from "../../runtime/copy/index.ts";
import { decodeEntry, encodeEntry, type DecodedEntry } from "../../runtime/stores/codec.ts";
import { uniqueId } from "../runtime/helpers.ts";
import { strictDifference } from "../support/strict-equal.ts";

afterEach(() => clearAll());

/** The first call's value and two hits of a memo returning `make()`'s value. */
function callTwice<T>(make: () => T): { first: T; hit: T; again: T } {
  const value = make();
  const fn = memo(() => value, { id: uniqueId("result"), params: [] });
  return { first: fn(), hit: fn(), again: fn() };
}

function expectExactHits(make: () => unknown): void {
  const { first, hit, again } = callTwice(make);
  expect(strictDifference(hit, first)).toBeNull();
  expect(strictDifference(again, first)).toBeNull();
  if (typeof first === "object" && first !== null) expect(hit).not.toBe(first);
}

function expectRefused(make: () => unknown, message?: RegExp): void {
  const fn = memo(make, { id: uniqueId("refused"), params: [] });
  expect(() => fn()).toThrow(UnserializableReturnValueError);
  if (message) expect(() => fn()).toThrow(message);
}

describe("an own __proto__ key", () => {
  const injected = () => JSON.parse('{"__proto__":{"isAdmin":true},"name":"x","nested":{"__proto__":[1]}}') as Record<string, unknown>;

  it("stays an own data property on every hit; the prototype stays Object.prototype", () => {
    const { hit, again } = callTwice(injected);
    expect(Object.getPrototypeOf(hit)).toBe(Object.prototype);
    expect(hit.isAdmin).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(hit, "__proto__")?.value).toEqual({ isAdmin: true });
    expect(Object.getPrototypeOf(hit.nested)).toBe(Object.prototype);
    // Hits share nothing: changing one cannot reach the next.
    (Object.getOwnPropertyDescriptor(hit, "__proto__")!.value as Record<string, unknown>).isAdmin = false;
    expect((Object.getOwnPropertyDescriptor(again, "__proto__")!.value as Record<string, unknown>).isAdmin).toBe(true);
    expectExactHits(injected);
  });

  it("survives the disk and Redis decode path (v8 payload, then the memory snapshot and its copies)", () => {
    const decoded = decodeEntry(encodeEntry("f", injected(), { createdAt: 1, expiresAt: 0 })) as DecodedEntry;
    const snapshot = snapshotResult(decoded.value, "f");
    for (const value of [decoded.value, copySnapshot(snapshot), copySnapshot(snapshot)]) {
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect((value as Record<string, unknown>).isAdmin).toBeUndefined();
      expect(strictDifference(value, injected())).toBeNull();
    }
  });
});

describe("own keys a for...in walk does not see are refused on the first call", () => {
  it("symbol keys, registered or not", () => {
    expectRefused(() => ({ a: 1, [Symbol.for("k")]: 2 }), /Symbol\(k\)/);
    expectRefused(() => ({ a: 1, [Symbol("k")]: 2 }));
  });

  it("non-enumerable properties, and arguments objects", () => {
    expectRefused(() => Object.defineProperty({ a: 1 }, "b", { value: 2 }), /non-enumerable own property 'b'/);
    expectRefused(function (this: unknown) {
      return arguments; // eslint-disable-line prefer-rest-params
    }, /arguments object/);
  });

  it("getters and setters (a copy would freeze or drop them)", () => {
    expectRefused(() => ({ get now() { return 1; } }), /getter or setter 'now'/); // prettier-ignore
    expectRefused(() => ({ set x(_v: number) {} }));
  });

  it("extra properties on arrays and built-ins", () => {
    expectRefused(() => "abc".match(/b/), /besides its elements/);
    expectRefused(() => Object.assign([1], { [Symbol.for("x")]: 1 }));
    expectRefused(() => Object.assign(new Date(0), { label: "x" }), /own property 'label'/);
    expectRefused(() => Object.assign(new Map(), { label: "x" }));
  });

  it("boxed primitives, class instances, subclasses of built-ins, Proxies", () => {
    class Point {
      x = 1;
    }
    class Registry extends Map {}
    class NotFound extends Error {}
    for (const make of [() => new Number(1), () => new String("a"), () => new Point(), () => new Registry(), () => new NotFound("x"), () => new Proxy({ a: 1 }, {}), () => Object(1n)]) {
      expectRefused(make);
    }
  });
});

describe("exact copies", () => {
  it("typed arrays and a DataView sharing one ArrayBuffer keep sharing it, with their offsets", () => {
    expectExactHits(() => {
      const buffer = new ArrayBuffer(16);
      new Uint8Array(buffer).forEach((_, i, bytes) => (bytes[i] = i));
      return { bytes: new Uint8Array(buffer, 4, 8), view: new DataView(buffer, 2, 6), floats: new Float32Array(buffer, 8, 2), buffer };
    });
    const { hit } = callTwice(() => {
      const buffer = new ArrayBuffer(8);
      return [new Uint8Array(buffer, 6, 2), new Uint16Array(buffer, 0, 2)];
    });
    expect(hit[0].buffer).toBe(hit[1].buffer);
    hit[1][0] = 0xffff;
    expect(new Uint8Array(hit[0].buffer)[0]).toBe(0xff);
  });

  it("a view alone on its buffer keeps its bytes, class and length (a pooled Buffer does not bring its pool)", () => {
    const { first, hit } = callTwice(() => Buffer.from("abc"));
    expect(hit.constructor).toBe(Buffer);
    expect(hit.toString()).toBe("abc");
    expect(hit.byteLength).toBe(first.byteLength);
    expect(hit.buffer.byteLength).toBe(3);
  });

  it("RegExp lastIndex, null prototypes, sparse arrays, Map/Set with object members and shared references", () => {
    const re = /a/g;
    re.lastIndex = 2;
    expectExactHits(() => re);
    expectExactHits(() => Object.assign(Object.create(null) as object, { a: 1 }));
    expectExactHits(() => [1, , 3]); // eslint-disable-line no-sparse-arrays
    const member = { id: 1 };
    expectExactHits(() => ({ map: new Map([[member, [member]]]), set: new Set([member]), again: member }));
    const cycle: Record<string, unknown> = { name: "loop" };
    cycle.self = cycle;
    expectExactHits(() => cycle);
  });

  it("a sparse array of length 2^31 is copied by its elements, not its length", () => {
    const sparse: unknown[] = [];
    sparse.length = 2 ** 31;
    sparse[7] = { v: 1 };
    const started = Date.now();
    const { hit } = callTwice(() => sparse);
    expect(hit.length).toBe(2 ** 31);
    expect(hit[7]).toEqual({ v: 1 });
    expect(hit[7]).not.toBe(sparse[7]);
    expect(Object.keys(hit)).toEqual(["7"]);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("built-in errors with every own property and its attributes", () => {
    expectExactHits(() => {
      const error = Object.assign(new TypeError("bad", { cause: new Error("inner") }), { code: "E_BAD" });
      Object.defineProperty(error, "hidden", { value: [1], enumerable: false });
      return error;
    });
  });

  it("-0 and NaN, in containers and alone", () => {
    expectExactHits(() => ({ z: -0, n: NaN, list: [-0, 0], map: new Map([["k", -0]]) }));
    expect(Object.is(callTwice(() => -0).hit, -0)).toBe(true);
  });
});
