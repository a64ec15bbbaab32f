/**
 * Test support: values built to catch a cache that approximates (a hit must be
 * exactly what the call would compute, or the value is refused). Each is
 * made fresh by a factory, so a test never shares mutable state between runs. Some are
 * meant to be refused (unique symbols, getters in results, Proxies, subclasses, boxed
 * primitives); the exactness properties accept either an exact answer or a refusal.
 */
import fc from "fast-check";
import { supportedValue } from "./supported-values.ts";

function argumentsOf(..._items: unknown[]): IArguments {
  return arguments; // eslint-disable-line prefer-rest-params
}

function sparse(length: number, at: number): unknown[] {
  const array: unknown[] = [];
  array.length = length;
  array[at] = at;
  return array;
}

function sharedViews(offset: number): object {
  const buffer = new ArrayBuffer(8);
  new Uint8Array(buffer).set([1, 2, 3, 4, 5, 6, 7, 8]);
  return { bytes: new Uint8Array(buffer, offset, 2), view: new DataView(buffer, 0, 4), buffer };
}

function withLastIndex(lastIndex: number): RegExp {
  const regexp = /a/g;
  regexp.lastIndex = lastIndex;
  return regexp;
}

class Registry extends Map<unknown, unknown> {}
class List extends Array {}
class Bytes extends Uint8Array {}

const FACTORIES: (() => unknown)[] = [
  () => 0,
  () => -0,
  () => NaN,
  () => "0",
  () => [0],
  () => [-0],
  () => ({ z: 0 }),
  () => ({ z: -0 }),
  () => JSON.parse('{"__proto__":{"isAdmin":true}}'),
  () => JSON.parse('{"__proto__":{"isAdmin":false}}'),
  () => ({ isAdmin: true }),
  () => ({ a: 1, [Symbol.for("k")]: 1 }),
  () => ({ a: 1, [Symbol.for("k")]: 2 }),
  () => ({ a: 1 }),
  () => ({ a: 1, [Symbol("unique")]: 1 }),
  () => ({ get a() { return 1; } }), // prettier-ignore
  () => Object.defineProperty({ a: 1 }, "hidden", { value: 1 }),
  () => Object.assign(Object.create(null) as object, { a: 1 }),
  () => sparse(2 ** 31, 3),
  () => sparse(2 ** 31, 4),
  () => sparse(5, 3),
  () => [undefined, undefined, undefined, 3],
  () => sharedViews(1),
  () => sharedViews(2),
  () => new Uint8Array([1, 2]),
  // Not Buffer.from: a pooled Buffer's offset is the documented exception (test/copy/exact-results.test.ts).
  () => Buffer.alloc(2, 1),
  () => new Int8Array([1, 2]),
  () => new Uint8ClampedArray([1, 2]),
  () => new DataView(new Uint8Array([1, 2]).buffer),
  () => new Uint8Array([1, 2]).buffer,
  () => new Number(1),
  () => new String("a"),
  () => Object(Symbol.for("boxed")) as object,
  () => new Registry([[1, 2]]),
  () => List.from([1, 2]),
  () => new Bytes(2),
  () => argumentsOf(1, 2),
  () => argumentsOf(),
  () => argumentsOf(undefined),
  () => ({ 0: 1, 1: 2 }),
  () => [1, 2],
  () => new Proxy({ a: 1 }, {}),
  () => new Proxy(new Map([[1, 2]]), {}),
  () => Object.assign(new Date(0), { label: "x" }),
  () => new Date(0),
  () => withLastIndex(0),
  () => withLastIndex(1),
  () => new Error("x"),
  () => new TypeError("x"),
  () => new Map<unknown, unknown>([[{ k: 1 }, -0]]),
  () => new Set([{}, { a: 1 }]),
  () => "abc".match(/b/),
];

const adversarialLeaf = fc.integer({ min: 0, max: FACTORIES.length - 1 }).map((index) => FACTORIES[index]());

/** Supported values and adversarial ones, nested in arrays, objects and Maps. */
export const adversarialValue = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    adversarialLeaf,
    supportedValue,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom("a", "b", "__proto__", "constructor"), tie("value"), { maxKeys: 3 }),
    fc.array(fc.tuple(fc.constantFrom(0, 1, "a"), tie("value")), { maxLength: 3 }).map((entries) => new Map(entries)),
  ),
})).value;
