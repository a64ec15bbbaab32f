/**
 * The exactness properties (a hit is exactly what the call would compute, or the
 * value is refused) over random and adversarial values:
 * - results: a memo either refuses a value on the first call (and on every call after)
 *   or hands out hits that a strict structural comparison (prototypes, descriptors,
 *   symbol keys, sharing) cannot tell from the value the function returned;
 * - keys: two arguments get one key exactly when everything a function could observe
 *   of them under the documented key rules is the same (`behaviour` below, written
 *   independently of the hasher), and a real handle never answers a call with the
 *   result computed for another argument, on any lookup path.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { clearAll, memo, UnhashableParamError, UnserializableReturnValueError } from "../../runtime/index.ts";
import { digestHex, hashKeyComponents } from "../../runtime/hash/index.ts";
import { uniqueId } from "../runtime/helpers.ts";
import { strictDifference } from "../support/strict-equal.ts";
import { adversarialValue } from "./adversarial-values.ts";

afterEach(() => clearAll());

/** The digest, or null when the hasher refuses the value (only ever with UnhashableParamError). */
function digestOrRefusal(value: unknown): string | null {
  try {
    hashKeyComponents([value], ["x"], "test/exactness.ts#fn");
    return digestHex();
  } catch (error) {
    expect(error).toBeInstanceOf(UnhashableParamError);
    expect((error as Error).message).toMatch(/^\[automemo\]/);
    return null;
  }
}

/**
 * What a function can observe of an accepted argument, as one string, under the key
 * rules the README states: property, Map and Set order and shared references do not
 * count; getters count by their value; named properties of arrays do not count.
 */
function behaviour(value: unknown, ancestors: unknown[] = []): string {
  switch (typeof value) {
    case "number":
      return Object.is(value, -0) ? "n:-0" : `n:${value}`;
    case "string":
      return `s:${JSON.stringify(value)}`;
    case "bigint":
      return `b:${value}`;
    case "symbol":
      return `y:${Symbol.keyFor(value)}`;
    case "object":
      if (value === null) return "null";
      break;
    default:
      return `${typeof value}:${String(value)}`;
  }
  const at = ancestors.indexOf(value);
  if (at >= 0) return `cycle:${ancestors.length - at}`;
  const inner = [...ancestors, value];
  const of = (item: unknown) => behaviour(item, inner);
  const object = value as object;
  const tag = Object.prototype.toString.call(object);
  const proto: unknown = Object.getPrototypeOf(object);
  if (tag === "[object Arguments]") return `args(${Array.from(object as IArguments, of).join(",")})`;
  if (proto === Array.prototype) {
    const array = object as unknown[];
    return `[${array.length}:${Object.keys(array).filter((key) => String(Number(key) >>> 0) === key).map((key) => `${key}=${of(array[Number(key)])}`).join(",")}]`;
  }
  if (proto === Object.prototype || proto === null) {
    const members = Object.keys(object).map((key) => `${JSON.stringify(key)}:${of((object as Record<string, unknown>)[key])}`);
    for (const symbol of Object.getOwnPropertySymbols(object)) members.push(`@${Symbol.keyFor(symbol)}:${of((object as Record<symbol, unknown>)[symbol])}`);
    return `${proto === null ? "null-proto" : "object"}{${members.sort().join(",")}}`;
  }
  if (object instanceof Map) return `Map{${[...object].map(([k, v]) => `${of(k)}=>${of(v)}`).sort().join(",")}}`;
  if (object instanceof Set) return `Set{${[...object].map(of).sort().join(",")}}`;
  if (object instanceof Date) return `Date(${of(object.getTime())})`;
  if (object instanceof RegExp) return `RegExp(${object.source},${object.flags},${object.lastIndex})`;
  if (object instanceof URL || object instanceof URLSearchParams) return `${tag}(${String(object)})`;
  const name = (proto as { constructor: { name: string } }).constructor.name;
  if (object instanceof ArrayBuffer) return `${name}(${Buffer.from(object).toString("hex")})`;
  if (ArrayBuffer.isView(object)) return `${name}(${Buffer.from(object.buffer, object.byteOffset, object.byteLength).toString("hex")})`;
  return `unexpected ${tag}`;
}

describe("results: exact hits or a refusal on the first call", () => {
  it("for random and adversarial values", () => {
    fc.assert(
      fc.property(adversarialValue, (value) => {
        const fn = memo(() => value, { id: uniqueId("exact-result"), params: [] });
        let first: unknown;
        try {
          first = fn();
        } catch (error) {
          expect(error).toBeInstanceOf(UnserializableReturnValueError);
          expect(() => fn()).toThrow(UnserializableReturnValueError);
          return;
        }
        expect(first).toBe(value);
        for (let hit = 0; hit < 2; hit++) expect(strictDifference(fn(), value)).toBeNull();
      }),
      { numRuns: 400 },
    );
  });
});

describe("keys: equal exactly for arguments that behave the same", () => {
  it("for pairs of random and adversarial values", () => {
    fc.assert(
      fc.property(adversarialValue, adversarialValue, (a, b) => {
        const digestA = digestOrRefusal(a);
        const digestB = digestOrRefusal(b);
        if (digestA === null || digestB === null) return;
        expect(digestA === digestB).toBe(behaviour(a) === behaviour(b));
      }),
      { numRuns: 600 },
    );
  });

  it("a real handle answers every call with its own argument's result, on every lookup path", () => {
    fc.assert(
      fc.property(fc.array(adversarialValue, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (values, repeats) => {
        const one = memo((x: unknown) => behaviour(x), { id: uniqueId("exact-key-1"), params: ["x"] });
        const two = memo((x: unknown, y: unknown) => [behaviour(x), behaviour(y)], { id: uniqueId("exact-key-2"), params: ["x", "y"] });
        const order = [...values.keys(), ...repeats.map((index) => index % values.length)];
        for (const index of order) {
          const value = values[index];
          let answer: unknown;
          try {
            answer = one(value);
          } catch (error) {
            expect(error).toBeInstanceOf(UnhashableParamError);
            continue;
          }
          expect(answer).toBe(behaviour(value));
          const other = values[(index + 1) % values.length];
          try {
            expect(two(value, other)).toEqual([behaviour(value), behaviour(other)]);
          } catch (error) {
            if (!(error instanceof UnhashableParamError)) throw error;
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
