/**
 * The recent-key shortcut for a single small plain-data argument (`load({ a: 1 })`
 * called again with an equal, fresh object). Hashing such a key walks every member
 * and mixes 128 bits; comparing it with one remembered key is a fraction of that,
 * which is what a loop or a re-render calling with the same data needs.
 *
 * Soundness: `sameKeyValue(value, copy)` answers true only when the structural hash
 * (hash/structural.ts) of `value` is certainly the digest the copy was taken from:
 * the same primitives under SameValue (a 0 is copied as a marker, so `===` cannot
 * take -0 for it), arrays of the same length without holes, plain or null-prototype
 * objects (the same one of the two) with the same own keys, all enumerable strings. Anything else answers false
 * and the caller hashes as usual, so a false "no" only costs time.
 *
 * The copy is private (taken at lookup time, before the computation could mutate the
 * argument), so a caller mutating its argument after the call cannot fake a match.
 */

import { hasOnlyEnumerableStringKeys } from "../hash/own-keys.ts";

/** Past this many members a compare costs too much of a hash to be worth a try. */
const MAX_COPIED_MEMBERS = 64;
const MAX_COPIED_DEPTH = 8;

const OBJECT_PROTOTYPE: object = Object.prototype;
const ARRAY_PROTOTYPE: object = Array.prototype;

/** What `copyKeyValue` answers for a value it does not copy. */
export const NOT_COPIED: unique symbol = Symbol("automemo.notCopied");

/** Copies of 0 and -0: objects, so `===` never matches them and the compare checks the sign. */
const ZERO = Object.freeze({ zero: 0 });
const NEGATIVE_ZERO = Object.freeze({ zero: -0 });

/** A copied plain object: keys in their enumeration order, values alongside. */
class CopiedObject {
  constructor(
    readonly proto: object | null,
    readonly keys: readonly string[],
    readonly values: readonly unknown[],
  ) {}
}

let budget = 0;

/** A private copy of a small plain-data key, or NOT_COPIED. */
export function copyKeyValue(value: unknown): unknown {
  budget = MAX_COPIED_MEMBERS;
  return copyValue(value, 0);
}

function copyValue(value: unknown, depth: number): unknown {
  if (--budget < 0 || depth > MAX_COPIED_DEPTH) return NOT_COPIED;
  const type = typeof value;
  if (value === 0) return Object.is(value, -0) ? NEGATIVE_ZERO : ZERO;
  if (type === "number" || type === "string" || type === "boolean" || value === null || value === undefined) return value;
  if (type !== "object") return NOT_COPIED;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === ARRAY_PROTOTYPE) {
    const array = value as unknown[];
    const copy: unknown[] = [];
    for (let i = 0; i < array.length; i++) {
      const item = array[i];
      if (item === undefined && !(i in array)) return NOT_COPIED;
      const itemCopy = copyValue(item, depth + 1);
      if (itemCopy === NOT_COPIED) return NOT_COPIED;
      copy.push(itemCopy);
    }
    return copy;
  }
  if (proto !== OBJECT_PROTOTYPE && proto !== null) return NOT_COPIED;
  const object = value as Record<string, unknown>;
  const keys: string[] = [];
  const values: unknown[] = [];
  for (const key in object) {
    if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
    const memberCopy = copyValue(object[key], depth + 1);
    if (memberCopy === NOT_COPIED) return NOT_COPIED;
    keys.push(key);
    values.push(memberCopy);
  }
  if (!hasOnlyEnumerableStringKeys(object, keys.length)) return NOT_COPIED;
  return new CopiedObject(proto as object | null, keys, values);
}

/** Whether `value` certainly hashes like the key `copy` was copied from (see the file comment). */
export function sameKeyValue(value: unknown, copy: unknown): boolean {
  return value === copy || sameUnlessIdentical(value, copy);
}

/**
 * The rest of `sameKeyValue` once `===` said no. Containers test `===` inline before
 * calling it, so equal primitive members (the common case) cost no call.
 */
function sameUnlessIdentical(value: unknown, copy: unknown): boolean {
  if (typeof copy !== "object") return typeof copy === "number" && copy !== copy && value !== value; // NaN equals NaN
  if (copy === ZERO) return value === 0 && !Object.is(value, -0);
  if (copy === NEGATIVE_ZERO) return Object.is(value, -0);
  if (typeof value !== "object" || value === null || copy === null) return false;
  // Copies of arrays are arrays, of objects CopiedObject (a brand test: `instanceof` is slower).
  if (Array.isArray(copy)) return Object.getPrototypeOf(value) === ARRAY_PROTOTYPE && sameArray(value as unknown[], copy);
  return sameObject(value, copy as CopiedObject);
}

function sameArray(array: unknown[], copy: unknown[]): boolean {
  const length = copy.length;
  if (array.length !== length) return false;
  for (let i = 0; i < length; i++) {
    const item = array[i];
    if (item === undefined && !(i in array)) return false;
    const itemCopy = copy[i];
    if (item !== itemCopy && !sameUnlessIdentical(item, itemCopy)) return false;
  }
  return true;
}

/** Same own keys in the same order, none hidden from for...in (another order is a false "no": the caller hashes). */
function sameObject(object: object, copy: CopiedObject): boolean {
  if (Object.getPrototypeOf(object) !== copy.proto) return false;
  const keys = copy.keys;
  const values = copy.values;
  let index = 0;
  for (const key in object) {
    // `Object.prototype.hasOwnProperty.call` inside for-in is reduced by V8 to a map check; Object.hasOwn is not.
    if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
    if (index === keys.length || keys[index] !== key) return false;
    const member = (object as Record<string, unknown>)[key];
    const memberCopy = values[index];
    if (member !== memberCopy && !sameUnlessIdentical(member, memberCopy)) return false;
    index++;
  }
  return index === keys.length && hasOnlyEnumerableStringKeys(object, index);
}
