import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UnserializableReturnValueError } from "../../runtime/errors.ts";
import { copySnapshot, snapshotResult } from "../../runtime/copy/index.ts";
import { structurallyEqual, supportedValue } from "../hash/supported-values.ts";

const FUNCTION_ID = "src/report.ts#build";

function roundTrip<T>(value: T): T {
  return copySnapshot(snapshotResult(value, FUNCTION_ID)) as T;
}

/** Walks two graphs side by side: no object of the copy may be an object of the original. */
function sharesNoObject(a: unknown, b: unknown, seen = new Set<unknown>()): boolean {
  if (typeof a !== "object" || a === null) return true;
  if (a === b) return false;
  if (seen.has(a)) return true;
  seen.add(a);
  if (a instanceof Map) return [...a.values()].every((v, i) => sharesNoObject(v, [...(b as Map<unknown, unknown>).values()][i], seen));
  if (a instanceof Set) return [...a].every((v, i) => sharesNoObject(v, [...(b as Set<unknown>)][i], seen));
  if (ArrayBuffer.isView(a) && !(a instanceof DataView)) return a.buffer !== (b as ArrayBufferView).buffer;
  return Object.keys(a).every((key) => sharesNoObject((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], seen));
}

describe("copySnapshot round-trips every supported type", () => {
  it("for generated values: structurally equal, same prototypes, no shared objects", () => {
    fc.assert(
      fc.property(supportedValue, (value) => {
        const snapshot = snapshotResult(value, FUNCTION_ID);
        const copy = copySnapshot(snapshot);
        expect(structurallyEqual(copy, value)).toBe(true);
        expect(sharesNoObject(copy, value)).toBe(true);
        expect(sharesNoObject(copy, snapshot.value)).toBe(true);
        if (typeof value === "object" && value !== null) expect(Object.getPrototypeOf(copy)).toBe(Object.getPrototypeOf(value));
      }),
      { numRuns: 400 },
    );
  });

  it("keeps holes, null prototypes, property order and Map/Set order", () => {
    const nullProto = Object.assign(Object.create(null), { z: 1, a: 2, 10: 3, 2: 4 });
    const value = { sparse: [1, , 3, , ], nullProto, map: new Map([["z", 1], ["a", 2]]), set: new Set(["z", "a", "m"]) }; // eslint-disable-line no-sparse-arrays
    const copy = roundTrip(value);
    expect(copy.sparse.length).toBe(4);
    expect(1 in copy.sparse).toBe(false);
    expect(3 in copy.sparse).toBe(false);
    expect(Object.getPrototypeOf(copy.nullProto)).toBeNull();
    expect(Object.keys(copy.nullProto)).toEqual(["2", "10", "z", "a"]);
    expect([...copy.map.keys()]).toEqual(["z", "a"]);
    expect([...copy.set]).toEqual(["z", "a", "m"]);
  });

  it("copies every built-in kind with its own type", () => {
    const value = {
      date: new Date(123456),
      invalid: new Date(NaN),
      regexp: /a(b)+/gimsuy,
      url: new URL("https://example.com/x?y=1"),
      query: new URLSearchParams("a=1&a=2"),
      buffer: new Uint8Array([1, 2, 3]).buffer,
      view: new DataView(new Uint8Array([9, 8, 7, 6]).buffer, 1, 2),
      floats: new Float64Array([1.5, -0, NaN]),
      bigints: new BigUint64Array([2n ** 64n - 1n]),
      clamped: new Uint8ClampedArray([255]),
      node: Buffer.from("hello"),
      big: 12345678901234567890n,
      symbol: Symbol.for("registered"),
    };
    const copy = roundTrip(value);
    expect(copy.date).toBeInstanceOf(Date);
    expect(copy.date.getTime()).toBe(123456);
    expect(Number.isNaN(copy.invalid.getTime())).toBe(true);
    expect(copy.regexp.source).toBe("a(b)+");
    expect(copy.regexp.flags).toBe("gimsuy");
    expect(copy.url).toBeInstanceOf(URL);
    expect(copy.url.href).toBe("https://example.com/x?y=1");
    expect(copy.query.getAll("a")).toEqual(["1", "2"]);
    expect(Array.from(new Uint8Array(copy.buffer))).toEqual([1, 2, 3]);
    expect(copy.view.byteLength).toBe(2);
    expect(copy.view.getUint8(0)).toBe(8);
    expect(copy.floats).toBeInstanceOf(Float64Array);
    expect(Object.is(copy.floats[1], -0)).toBe(true);
    expect(copy.bigints[0]).toBe(2n ** 64n - 1n);
    expect(copy.clamped).toBeInstanceOf(Uint8ClampedArray);
    expect(Buffer.isBuffer(copy.node)).toBe(true);
    expect(copy.node.toString()).toBe("hello");
    expect(copy.big).toBe(12345678901234567890n);
    expect(copy.symbol).toBe(Symbol.for("registered"));
  });

  it("copies a typed array view with its whole buffer, at its offset (a hit must not change view.buffer)", () => {
    const whole = Uint16Array.from([1, 2, 3, 4, 5]);
    const copy = roundTrip(whole.subarray(1, 3));
    expect(Array.from(copy)).toEqual([2, 3]);
    expect(copy.byteOffset).toBe(2);
    expect(Array.from(new Uint16Array(copy.buffer))).toEqual([1, 2, 3, 4, 5]);
  });

  it("copies built-in errors, keeping class, message, stack, cause and extra fields with their attributes", () => {
    const cause = new TypeError("inner");
    const error = Object.assign(new RangeError("missing", { cause }), { code: "E_NOT_FOUND" });
    Object.defineProperty(error, "hidden", { value: 1, enumerable: false, writable: false, configurable: true });
    const copy = roundTrip({ error, aggregate: new AggregateError([new Error("a")], "many") });
    expect(Object.getPrototypeOf(copy.error)).toBe(RangeError.prototype);
    expect(copy.error).not.toBe(error);
    expect(copy.error.message).toBe("missing");
    expect(copy.error.stack).toBe(error.stack);
    expect(copy.error.name).toBe("RangeError");
    expect((copy.error as unknown as { code: string }).code).toBe("E_NOT_FOUND");
    expect(Object.getOwnPropertyDescriptor(copy.error, "hidden")).toEqual({ value: 1, enumerable: false, writable: false, configurable: true });
    expect(Object.keys(copy.error)).toEqual(Object.keys(error));
    expect(copy.error.cause).toBeInstanceOf(TypeError);
    expect(copy.error.cause).not.toBe(cause);
    expect(copy.aggregate).toBeInstanceOf(AggregateError);
    expect(copy.aggregate.errors[0].message).toBe("a");
  });
});

describe("copy isolation", () => {
  it("mutating a copy never changes the snapshot or later copies", () => {
    fc.assert(
      fc.property(supportedValue, (value) => {
        const snapshot = snapshotResult({ value, list: [value], map: new Map([["v", value]]) }, FUNCTION_ID);
        const first = copySnapshot(snapshot) as Record<string, unknown>;
        const expected = copySnapshot(snapshot);
        scribble(first);
        expect(structurallyEqual(copySnapshot(snapshot), expected)).toBe(true);
        expect(structurallyEqual(snapshot.value, expected)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("isolates the snapshot from the original result too", () => {
    const rows = [{ id: 1, tags: ["a"] }];
    const snapshot = snapshotResult(rows, FUNCTION_ID);
    rows[0].tags.push("b");
    expect((copySnapshot(snapshot) as typeof rows)[0].tags).toEqual(["a"]);
  });

  it("never returns the stored snapshot object itself", () => {
    const snapshot = snapshotResult({ a: 1 }, FUNCTION_ID);
    expect(copySnapshot(snapshot)).not.toBe(snapshot.value);
    expect(copySnapshot(snapshot)).not.toBe(copySnapshot(snapshot));
  });

  it("returns primitives as they are, with no copy", () => {
    for (const value of [1, "text", null, undefined, true, 10n, Symbol.for("s")]) {
      const snapshot = snapshotResult(value, FUNCTION_ID);
      expect(snapshot.value).toBe(value);
      expect(copySnapshot(snapshot)).toBe(value);
      expect(snapshot.sharesReferences).toBe(false);
    }
  });
});

/** Mutates every mutable thing reachable in place. */
function scribble(value: unknown, seen = new Set<unknown>()): void {
  if (typeof value !== "object" || value === null || seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((item) => scribble(item, seen));
    value.push("extra");
  } else if (value instanceof Map) {
    [...value.values()].forEach((item) => scribble(item, seen));
    value.set("extra", 1);
  } else if (value instanceof Set) {
    value.add("extra");
  } else if (value instanceof Date) {
    value.setTime(0);
  } else if (ArrayBuffer.isView(value)) {
    new Uint8Array(value.buffer, value.byteOffset, value.byteLength).fill(0xee);
  } else if (value instanceof ArrayBuffer) {
    new Uint8Array(value).fill(0xee);
  } else if (value instanceof URLSearchParams) {
    value.append("extra", "1");
  } else if (!(value instanceof RegExp) && !(value instanceof URL)) {
    for (const key of Object.keys(value)) scribble((value as Record<string, unknown>)[key], seen);
    (value as Record<string, unknown>).extra = 1;
  }
}

describe("cycles and shared references", () => {
  it("preserves cycles", () => {
    const node: Record<string, unknown> = { name: "root", children: [] };
    (node.children as unknown[]).push({ parent: node });
    const map = new Map<string, unknown>();
    map.set("self", map);
    const snapshot = snapshotResult({ node, map }, FUNCTION_ID);
    expect(snapshot.sharesReferences).toBe(true);
    const copy = copySnapshot(snapshot) as { node: typeof node; map: typeof map };
    expect((copy.node.children as { parent: unknown }[])[0].parent).toBe(copy.node);
    expect(copy.node).not.toBe(node);
    expect(copy.map.get("self")).toBe(copy.map);
  });

  it("preserves shared references within one copy, not across copies", () => {
    const shared = { v: 1 };
    const snapshot = snapshotResult({ a: shared, b: shared, list: [shared] }, FUNCTION_ID);
    expect(snapshot.sharesReferences).toBe(true);
    const first = copySnapshot(snapshot) as { a: object; b: object; list: object[] };
    const second = copySnapshot(snapshot) as typeof first;
    expect(first.a).toBe(first.b);
    expect(first.list[0]).toBe(first.a);
    expect(second.a).not.toBe(first.a);
  });

  it("reports no sharing for a tree", () => {
    expect(snapshotResult({ a: { v: 1 }, b: { v: 1 } }, FUNCTION_ID).sharesReferences).toBe(false);
  });
});

describe("UnserializableReturnValueError", () => {
  class Connection {}
  it.each([
    ["a class instance", { rows: [0, 1, 2, { conn: new Connection() }] }, "result.rows[3].conn", "Connection"],
    ["a function", { onDone: () => 1 }, "result.onDone", "function onDone"],
    ["a promise", [Promise.resolve(1)], "result[0]", "Promise"],
    ["a unique symbol", { tag: Symbol("x") }, "result.tag", "symbol"],
    ["a WeakMap in a Map", new Map([["cache", new WeakMap()]]), "result.cache", "WeakMap"],
    ["a Set member", new Set([1, new Connection()]), "result[1]", "Connection"],
    ["the result itself", new Connection(), "result", "Connection"],
    ["a Map subclass", { registry: new (class Registry extends Map {})() }, "result.registry", "Registry"],
    ["an Error subclass", { error: new (class NotFound extends RangeError {})("x") }, "result.error", "NotFound"],
  ])("names the function, path and type for %s", (_label, value, path, type) => {
    let caught: unknown;
    try {
      snapshotResult(value, FUNCTION_ID);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UnserializableReturnValueError);
    const error = caught as UnserializableReturnValueError;
    expect(error.code).toBe("UNSERIALIZABLE_RETURN_VALUE");
    expect(error.functionId).toBe(FUNCTION_ID);
    expect(error.path).toBe(path);
    expect(error.valueType).toBe(type);
    expect(error.message).toContain(`${FUNCTION_ID} returned a value that cannot be copied exactly: ${path} is a ${type}`);
  });
});

describe("size estimate", () => {
  it("follows the documented formula", () => {
    expect(snapshotResult(1, FUNCTION_ID).bytes).toBe(8);
    expect(snapshotResult("abc", FUNCTION_ID).bytes).toBe(4 + 6);
    expect(snapshotResult(null, FUNCTION_ID).bytes).toBe(1);
    expect(snapshotResult([1, 2], FUNCTION_ID).bytes).toBe(8 + 16);
    expect(snapshotResult({ ab: 1 }, FUNCTION_ID).bytes).toBe(8 + 4 + 4 + 8);
    expect(snapshotResult(new Uint8Array(100), FUNCTION_ID).bytes).toBe(8 + 100);
    const shared = { v: 1 };
    expect(snapshotResult([shared, shared], FUNCTION_ID).bytes).toBe(8 + (8 + 4 + 2 + 8) + 8);
  });

  it("grows when content is added anywhere", () => {
    fc.assert(
      fc.property(supportedValue, supportedValue, fc.string({ minLength: 1, maxLength: 5 }), (value, extra, key) => {
        const base = snapshotResult({ value }, FUNCTION_ID).bytes;
        expect(snapshotResult({ value, [`${key}_`]: extra }, FUNCTION_ID).bytes).toBeGreaterThan(base);
        expect(snapshotResult([value, extra], FUNCTION_ID).bytes).toBeGreaterThan(snapshotResult([value], FUNCTION_ID).bytes);
        expect(snapshotResult({ value: [value, "longer text"] }, FUNCTION_ID).bytes).toBeGreaterThan(snapshotResult({ value: [value, "text"] }, FUNCTION_ID).bytes);
      }),
      { numRuns: 200 },
    );
  });
});
