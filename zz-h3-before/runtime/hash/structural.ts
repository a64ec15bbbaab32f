/**
 * The structural walk of the key hasher: turns any supported value into a stream of
 * tagged words for the lanes in mix.ts.
 *
 * Key semantics are SameValueZero, the same as the Map-based fast path the caches use
 * for primitive arguments: NaN equals NaN and -0 equals 0. Every value is type-tagged
 * and every variable-length part carries its length, so `1`, `"1"`, `[1]`, `{0: 1}`,
 * `new Set([1])` and `1n` all differ, and `["ab", "c"]` differs from `["a", "bc"]`.
 *
 * What counts, per type (and what deliberately does not):
 * - plain and null-prototype objects: own enumerable string keys with their values,
 *   order-independent; symbol keys and the prototype (plain vs null) do not count;
 * - arrays: length and elements in order; a hole differs from `undefined`; extra
 *   non-index properties do not count;
 * - Map (entries) and Set (members): order-independent;
 * - Date: time value (an invalid date is NaN); RegExp: source and flags; URL: href;
 *   URLSearchParams: its serialisation;
 * - ArrayBuffer, DataView, typed arrays: every byte, with the element type in the tag
 *   (a Buffer hashes like the Uint8Array of the same bytes; Float64Array([-0]) and
 *   Float64Array([0]) differ, because binary data hashes by bytes, not by value);
 * - registered symbols by their key; bigint by value;
 * - a back-edge of a cycle hashes as its distance to the ancestor it points to, so
 *   equal cyclic shapes hash equal wherever they sit; shared (non-cyclic)
 *   references hash by value, as if the structure were a tree.
 * Anything else (class instances, functions, Promises, WeakMap/WeakSet/WeakRef, Error,
 * boxed primitives, unique symbols, subclasses of the built-ins) needs an escape hatch:
 * a `[Symbol.for("automemo.hash")]()` method or a hasher registered with
 * `setCustomHashers`; their result is hashed with the class name mixed in.
 */
import { constructorName, kindByPrototype, KIND_ARRAY_BUFFER, KIND_DATA_VIEW, KIND_DATE, KIND_ERROR, KIND_MAP, KIND_REGEXP, KIND_SET, KIND_TYPED_ARRAY, KIND_URL, KIND_URL_SEARCH_PARAMS } from "./kinds.ts";
import { addSegmentDigest, pushBytes, pushHeader, pushNumber, pushString, pushWord, wordCount } from "./mix.ts";

// Tags 1-4 are the number tags in mix.ts. Values are part of every digest: never renumber.
const TAG_UNDEFINED = 5;
const TAG_NULL = 6;
const TAG_FALSE = 7;
const TAG_TRUE = 8;
const TAG_STRING = 9;
const TAG_BIGINT = 10;
const TAG_SYMBOL = 11;
const TAG_ARRAY = 12;
const TAG_HOLE = 13;
const TAG_OBJECT = 14;
const TAG_MAP = 15;
const TAG_SET = 16;
const TAG_DATE = 17;
const TAG_REGEXP = 18;
const TAG_URL = 19;
const TAG_URL_SEARCH_PARAMS = 20;
const TAG_ARRAY_BUFFER = 21;
const TAG_DATA_VIEW = 22;
const TAG_BACK_REFERENCE = 23;
const TAG_CUSTOM = 24;
const TAG_PROPERTY_KEY = 25;
const TAG_TYPED_ARRAY = 32;
export const TAG_KEY_COMPONENTS = 64;

// Cached: a global lookup plus a property load per object showed up in profiles. The
// functions (Object.getPrototypeOf, hasOwnProperty) are deliberately not cached: V8
// reduces those calls to map checks only when it sees the builtin itself.
const OBJECT_PROTOTYPE: object = Object.prototype;
const ARRAY_PROTOTYPE: object = Array.prototype;

export const HASH_METHOD: unique symbol = Symbol.for("automemo.hash") as never;

export type CustomHasher = readonly [abstract new (...args: any[]) => unknown, (value: any) => unknown];

let customHashers: readonly CustomHasher[] = [];

export function setCustomHasherList(hashers: readonly CustomHasher[]): void {
  customHashers = hashers.slice();
}

/** Why a walk stopped; the path is collected while the exception unwinds (innermost step first). */
export class HashFailure {
  readonly path: (string | number)[] = [];
  constructor(
    readonly value: unknown,
    /** Set when a user hasher threw (HasherError); absent for an unhashable value. */
    readonly hasherThrew: boolean,
    readonly cause?: unknown,
  ) {}
}

function withStep(error: unknown, step: string | number): unknown {
  if (error instanceof HashFailure) error.path.push(step);
  return error;
}

// ---- ancestors (cycle detection) and per-depth slots ---------------------------------

/** Ancestors scanned linearly up to this depth (cheap for real data); deeper ones are also indexed in a Map. */
const LINEAR_DEPTH = 32;
const ancestors: unknown[] = new Array(LINEAR_DEPTH).fill(undefined);
let deepAncestors: Map<unknown, number> | undefined;
/** Where the current walk's ancestors start: above 0 only for a hash started from inside a user hasher. */
export let baseDepth = 0;
/** Per depth: the 4 member-digest sums of the order-independent container open at that depth. */
let slots = new Int32Array(4 * LINEAR_DEPTH);

export function setBaseDepth(depth: number): void {
  baseDepth = depth;
}

function findAncestor(value: unknown, depth: number): number {
  const linearEnd = depth < LINEAR_DEPTH ? depth : LINEAR_DEPTH;
  for (let i = baseDepth; i < linearEnd; i++) if (ancestors[i] === value) return i;
  if (depth > LINEAR_DEPTH && deepAncestors !== undefined) {
    const found = deepAncestors.get(value);
    if (found !== undefined && found >= baseDepth && found < depth) return found;
  }
  return -1;
}

function enter(value: unknown, depth: number): void {
  if (depth < LINEAR_DEPTH) {
    ancestors[depth] = value;
  } else {
    deepAncestors ??= new Map();
    if (!deepAncestors.has(value)) deepAncestors.set(value, depth);
  }
}

function leave(value: unknown, depth: number): void {
  if (depth < LINEAR_DEPTH) ancestors[depth] = undefined;
  else if (deepAncestors!.get(value) === depth) deepAncestors!.delete(value);
}

/** After a failed walk: drop references the abandoned frames left behind. */
export function forgetAncestorsFrom(depth: number): void {
  if (depth < LINEAR_DEPTH) ancestors.fill(undefined, depth);
  if (deepAncestors !== undefined) for (const [value, at] of deepAncestors) if (at >= depth) deepAncestors.delete(value);
}

function openSlot(depth: number): number {
  const at = depth << 2;
  if (at + 4 > slots.length) {
    const grown = new Int32Array(slots.length * 2);
    grown.set(slots);
    slots = grown;
  }
  slots[at] = 0;
  slots[at + 1] = 0;
  slots[at + 2] = 0;
  slots[at + 3] = 0;
  return at;
}

/** The container's tag and member count, then its member-digest sums. */
function closeSlot(at: number, tag: number, count: number): void {
  pushHeader(tag, count);
  pushWord(slots[at]);
  pushWord(slots[at + 1]);
  pushWord(slots[at + 2]);
  pushWord(slots[at + 3]);
}

// ---- the walk ----------------------------------------------------------------------

export function hashValue(value: unknown, depth: number): void {
  switch (typeof value) {
    case "number":
      pushNumber(value);
      return;
    case "string":
      pushString(TAG_STRING, value);
      return;
    case "boolean":
      pushWord(value ? TAG_TRUE : TAG_FALSE);
      return;
    case "undefined":
      pushWord(TAG_UNDEFINED);
      return;
    case "object":
      if (value === null) pushWord(TAG_NULL);
      else hashObject(value, depth);
      return;
    case "bigint":
      pushString(TAG_BIGINT, value.toString(16));
      return;
    case "symbol": {
      const key = Symbol.keyFor(value);
      if (key === undefined) throw new HashFailure(value, false);
      pushString(TAG_SYMBOL, key);
      return;
    }
    default:
      // Functions have no by-value hash of their own, but may carry an escape hatch.
      hashObject(value as object, depth);
  }
}

function hashObject(value: object, depth: number): void {
  const ancestor = findAncestor(value, depth);
  if (ancestor >= 0) {
    pushHeader(TAG_BACK_REFERENCE, depth - ancestor);
    return;
  }
  enter(value, depth);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === OBJECT_PROTOTYPE || proto === null) hashPlainObject(value as Record<string, unknown>, depth);
  else if (proto === ARRAY_PROTOTYPE) hashArray(value as unknown[], depth);
  else hashBuiltinOrCustom(value, proto as object, depth);
  leave(value, depth);
}

function hashPlainObject(object: Record<string, unknown>, depth: number): void {
  const at = openSlot(depth);
  let count = 0;
  for (const key in object) {
    // `Object.prototype.hasOwnProperty.call` inside for-in is reduced by V8 to a map check; Object.hasOwn is not.
    if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
    const start = wordCount;
    pushString(TAG_PROPERTY_KEY, key);
    try {
      hashValue(object[key], depth + 1);
    } catch (error) {
      throw withStep(error, key);
    }
    addSegmentDigest(start, slots, at);
    count++;
  }
  closeSlot(at, TAG_OBJECT, count);
}

function hashArray(array: unknown[], depth: number): void {
  const length = array.length;
  pushHeader(TAG_ARRAY, length);
  let i = 0;
  try {
    for (; i < length; i++) {
      const item = array[i];
      if (item === undefined && !(i in array)) pushWord(TAG_HOLE);
      else hashValue(item, depth + 1);
    }
  } catch (error) {
    throw withStep(error, i);
  }
}

/** How a Map entry shows in an error path: its key when that reads well, else its type. */
function mapStep(key: unknown): string | number {
  return typeof key === "string" || typeof key === "number" ? key : `<${typeof key} key>`;
}

function hashMap(map: Map<unknown, unknown>, depth: number): void {
  const at = openSlot(depth);
  let step: string | number = "";
  try {
    for (const [key, value] of map) {
      step = "<key>";
      const start = wordCount;
      hashValue(key, depth + 1);
      step = mapStep(key);
      hashValue(value, depth + 1);
      addSegmentDigest(start, slots, at);
    }
  } catch (error) {
    throw withStep(error, step);
  }
  closeSlot(at, TAG_MAP, map.size);
}

function hashSet(set: Set<unknown>, depth: number): void {
  const at = openSlot(depth);
  let index = 0;
  try {
    for (const member of set) {
      const start = wordCount;
      hashValue(member, depth + 1);
      addSegmentDigest(start, slots, at);
      index++;
    }
  } catch (error) {
    throw withStep(error, index);
  }
  closeSlot(at, TAG_SET, set.size);
}

function hashBuiltinOrCustom(value: object, proto: object, depth: number): void {
  const kind = kindByPrototype.get(proto);
  if (kind === undefined || kind === KIND_ERROR) {
    hashCustom(value, depth);
    return;
  }
  if (kind >= KIND_TYPED_ARRAY) {
    const view = value as ArrayBufferView & { BYTES_PER_ELEMENT: number };
    pushHeader(TAG_TYPED_ARRAY + kind - KIND_TYPED_ARRAY, view.byteLength);
    pushBytes(view.buffer, view.byteOffset, view.byteLength, view.BYTES_PER_ELEMENT);
    return;
  }
  switch (kind) {
    case KIND_MAP:
      hashMap(value as Map<unknown, unknown>, depth);
      return;
    case KIND_SET:
      hashSet(value as Set<unknown>, depth);
      return;
    case KIND_DATE:
      pushWord(TAG_DATE);
      pushNumber((value as Date).getTime());
      return;
    case KIND_REGEXP:
      pushString(TAG_REGEXP, (value as RegExp).source);
      pushString(TAG_STRING, (value as RegExp).flags);
      return;
    case KIND_URL:
      pushString(TAG_URL, (value as URL).href);
      return;
    case KIND_URL_SEARCH_PARAMS:
      pushString(TAG_URL_SEARCH_PARAMS, (value as URLSearchParams).toString());
      return;
    case KIND_ARRAY_BUFFER:
      pushHeader(TAG_ARRAY_BUFFER, (value as ArrayBuffer).byteLength);
      pushBytes(value as ArrayBuffer, 0, (value as ArrayBuffer).byteLength, 1);
      return;
    case KIND_DATA_VIEW: {
      const view = value as DataView;
      pushHeader(TAG_DATA_VIEW, view.byteLength);
      pushBytes(view.buffer, view.byteOffset, view.byteLength, 1);
      return;
    }
  }
}

/** Depth a hash started from inside a user hasher begins at, so it cannot clobber the outer walk. */
export let reentryDepth = 0;

function hashCustom(value: object, depth: number): void {
  let hasher: ((value: any) => unknown) | undefined;
  const method = (value as { [HASH_METHOD]?: unknown })[HASH_METHOD];
  if (typeof method === "function") {
    hasher = method as (value: unknown) => unknown;
  } else {
    for (const [constructor, registered] of customHashers) {
      if (value instanceof constructor) {
        hasher = registered;
        break;
      }
    }
  }
  if (hasher === undefined) throw new HashFailure(value, false);
  const replacement = callUserHasher(hasher, value, depth);
  pushString(TAG_CUSTOM, constructorName(value));
  hashValue(replacement, depth + 1);
}

/** User code may itself call a memoized function (a nested hash): keep this walk's frames out of its way (its words sit below the nested segment). */
function callUserHasher(hasher: (value: unknown) => unknown, value: object, depth: number): unknown {
  const savedReentry = reentryDepth;
  const savedBase = baseDepth;
  reentryDepth = depth + 1;
  try {
    return hasher.call(value, value);
  } catch (cause) {
    throw new HashFailure(value, true, cause);
  } finally {
    reentryDepth = savedReentry;
    baseDepth = savedBase;
  }
}
