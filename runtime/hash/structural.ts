/**
 * The structural walk of the key hasher: feeds any supported value, as a stream of
 * tagged words, into the lanes in mix.ts.
 *
 * Key semantics are SameValue (`Object.is`): NaN equals NaN, -0 differs from 0 (the
 * caches' Map fast path sends -0 here for that reason). Every value is type-tagged
 * and every variable-length part carries its length, so `1`, `"1"`, `[1]`, `{0: 1}`,
 * `new Set([1])` and `1n` all differ, and `["ab", "c"]` differs from `["a", "bc"]`.
 *
 * What counts, per type (and what deliberately does not):
 * - plain and null-prototype objects: own enumerable string keys and registered-symbol
 *   keys with their values, order-independent; a getter counts by the value it returns
 *   when the key is hashed; a null-prototype object differs from a plain one. A
 *   non-enumerable own property or a unique-symbol key is refused;
 * - `arguments` objects: tagged apart from arrays and plain objects, elements in order;
 * - arrays: length and elements in order; a hole differs from `undefined`; extra
 *   non-index properties do not count; from length 2^24 on, only present elements are
 *   walked (with their index), so a sparse array of length 2^31 hashes at once;
 * - Map (entries) and Set (members): order-independent;
 * - Date: time value (an invalid date is NaN); RegExp: source, flags and lastIndex;
 *   URL: href; URLSearchParams: its serialisation. These (and ArrayBuffer, DataView)
 *   are refused when they carry own properties of their own (`date.label = ...`);
 * - ArrayBuffer, DataView, typed arrays, Buffer: every byte, with the exact class in
 *   the tag (a Buffer differs from the Uint8Array of the same bytes; Float64Array([-0])
 *   and Float64Array([0]) differ, because binary data hashes by bytes);
 * - registered symbols by their key; bigint by value;
 * - a back-edge of a cycle hashes as its distance to the ancestor it points to, so
 *   equal cyclic shapes hash equal wherever they sit; shared (non-cyclic)
 *   references hash by value, as if the structure were a tree.
 * Anything else (class instances, functions, Promises, WeakMap/WeakSet/WeakRef, Error,
 * boxed primitives, unique symbols, subclasses of the built-ins) needs an escape hatch:
 * a `[Symbol.for("automemo.hash")]()` method or a hasher registered with
 * `setCustomHashers`; their result is hashed with the class name mixed in. A Proxy is
 * hashed through its traps, like the object it presents; one around a built-in whose
 * methods reject it (a Map, a Date) is refused.
 */
import { firstNonEnumerableKey, hasOnlyEnumerableStringKeys, isArgumentsObject } from "./own-keys.ts";
import { constructorName, kindByPrototype, KIND_ARRAY_BUFFER, KIND_DATA_VIEW, KIND_DATE, KIND_ERROR, KIND_MAP, KIND_REGEXP, KIND_SET, KIND_TYPED_ARRAY, KIND_URL, KIND_URL_SEARCH_PARAMS } from "./kinds.ts";
import { TAG_ARGUMENTS, TAG_LONG_ARRAY, TAG_SYMBOL_PROPERTY_KEY, TAG_ARRAY, TAG_ARRAY_BUFFER, TAG_BACK_REFERENCE, TAG_BIGINT, TAG_CUSTOM, TAG_DATA_VIEW, TAG_DATE, TAG_FALSE, TAG_HOLE, TAG_MAP, TAG_NULL, TAG_NULL_PROTOTYPE_OBJECT, TAG_OBJECT, TAG_PROPERTY_KEY, TAG_REGEXP, TAG_SET, TAG_STRING, TAG_SYMBOL, TAG_TRUE, TAG_TYPED_ARRAY, TAG_UNDEFINED, TAG_URL, TAG_URL_SEARCH_PARAMS } from "./tags.ts";
import { absorbBytes, absorbHeader, absorbNumber, absorbString, absorbWord, addMemberDigest, closeContainer, openFrame, restoreFrame, startDigest } from "./mix.ts";


// Cached: a global lookup plus a property load per object showed up in profiles. The
// functions (Object.getPrototypeOf, hasOwnProperty) are deliberately not cached: V8
// reduces those calls to map checks only when it sees the builtin itself.
const OBJECT_PROTOTYPE: object = Object.prototype;
const ARRAY_PROTOTYPE: object = Array.prototype;

const HASH_METHOD: unique symbol = Symbol.for("automemo.hash") as never;

/** A class (any constructor accepts `never[]`) and what gives plain data for its instances (it accepts them, so `never` here). */
export type CustomHasher = readonly [abstract new (...args: never[]) => unknown, (value: never) => unknown];

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
    /** Why a value of an otherwise hashable type is refused (`has a non-enumerable own property 'x'`). */
    readonly reason?: string,
  ) {}
}

function withStep(error: unknown, step: string | number): unknown {
  if (error instanceof HashFailure) error.path.push(step);
  return error;
}

// ---- ancestors (cycle detection) ---------------------------------

/** Ancestors scanned linearly up to this depth (cheap for real data); deeper ones are also indexed in a Map. */
const LINEAR_DEPTH = 32;
const ancestors: unknown[] = new Array(LINEAR_DEPTH).fill(undefined);
let deepAncestors: Map<unknown, number> | undefined;
/** Where the current walk's ancestors start: above 0 only for a hash started from inside a user hasher. */
export let baseDepth = 0;

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

// ---- the walk ----------------------------------------------------------------------

export function hashValue(value: unknown, depth: number): void {
  switch (typeof value) {
    case "number":
      absorbNumber(value);
      return;
    case "string":
      absorbString(TAG_STRING, value);
      return;
    case "boolean":
      absorbWord(value ? TAG_TRUE : TAG_FALSE);
      return;
    case "undefined":
      absorbWord(TAG_UNDEFINED);
      return;
    case "object":
      if (value === null) absorbWord(TAG_NULL);
      else hashObject(value, depth);
      return;
    case "bigint":
      absorbString(TAG_BIGINT, value.toString(16));
      return;
    case "symbol": {
      const key = Symbol.keyFor(value);
      if (key === undefined) throw new HashFailure(value, false);
      absorbString(TAG_SYMBOL, key);
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
    absorbHeader(TAG_BACK_REFERENCE, depth - ancestor);
    return;
  }
  enter(value, depth);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === OBJECT_PROTOTYPE || proto === null) hashPlainObject(value as Record<string, unknown>, depth, proto === null ? TAG_NULL_PROTOTYPE_OBJECT : TAG_OBJECT);
  else if (proto === ARRAY_PROTOTYPE) hashArray(value as unknown[], depth);
  else hashBuiltinOrCustom(value, proto as object, depth);
  leave(value, depth);
}

function hashPlainObject(object: Record<string, unknown>, depth: number, tag: number): void {
  const at = openFrame(depth);
  let count = 0;
  for (const key in object) {
    // `Object.prototype.hasOwnProperty.call` inside for-in is reduced by V8 to a map check; Object.hasOwn is not.
    if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
    startDigest();
    absorbString(TAG_PROPERTY_KEY, key);
    try {
      hashValue(object[key], depth + 1);
    } catch (error) {
      throw withStep(error, key);
    }
    addMemberDigest(at);
    count++;
  }
  if (!hasOnlyEnumerableStringKeys(object, count)) {
    if (isArgumentsObject(object)) {
      restoreFrame(at);
      hashArguments(object as unknown as IArguments, depth);
      return;
    }
    count += hashSymbolMembers(object, at, depth);
  }
  closeContainer(at, tag, count);
}

/** The registered-symbol members of an object (after its string ones), or the reason it is refused; returns how many. */
function hashSymbolMembers(object: Record<PropertyKey, unknown>, at: number, depth: number): number {
  const hidden = firstNonEnumerableKey(object);
  if (hidden !== undefined) throw new HashFailure(object, false, undefined, `has a non-enumerable own property '${hidden}'`);
  let count = 0;
  for (const symbol of Object.getOwnPropertySymbols(object)) {
    // automemo's own escape-hatch method is a protocol, not data (plain objects are hashed structurally anyway).
    if (symbol === HASH_METHOD) continue;
    const key = Symbol.keyFor(symbol);
    const name = String(symbol);
    if (key === undefined) throw new HashFailure(object, false, undefined, `has an own property keyed by the unique symbol ${name}`);
    if (!Object.prototype.propertyIsEnumerable.call(object, symbol)) throw new HashFailure(object, false, undefined, `has a non-enumerable own property [${name}]`);
    startDigest();
    absorbString(TAG_SYMBOL_PROPERTY_KEY, key);
    try {
      hashValue(object[symbol], depth + 1);
    } catch (error) {
      throw withStep(error, `[${name}]`);
    }
    addMemberDigest(at);
    count++;
  }
  return count;
}

/** Elements like an array's, under a tag of its own; `callee` (and the strict-mode accessor) does not count. */
function hashArguments(args: IArguments, depth: number): void {
  const length = args.length;
  // Own keys: the indices, `length`, `callee` and Symbol.iterator; anything else was added by hand.
  if (typeof length !== "number" || Object.getOwnPropertyNames(args).length !== length + 2 || Object.getOwnPropertySymbols(args).length !== 1) {
    throw new HashFailure(args, false, undefined, "has properties an arguments object does not have (added, deleted or redefined)");
  }
  absorbHeader(TAG_ARGUMENTS, length);
  let i = 0;
  try {
    for (; i < length; i++) hashValue(args[i], depth + 1);
  } catch (error) {
    throw withStep(error, i);
  }
}

/** From this length on an array is hashed by its present elements (hashLongArray). */
const LONG_ARRAY_LENGTH = 0x1000000;

function hashArray(array: unknown[], depth: number): void {
  const length = array.length;
  if (length >= LONG_ARRAY_LENGTH) {
    hashLongArray(array, depth);
    return;
  }
  absorbHeader(TAG_ARRAY, length);
  let i = 0;
  try {
    for (; i < length; i++) {
      const item = array[i];
      if (item === undefined && !(i in array)) absorbWord(TAG_HOLE);
      else hashValue(item, depth + 1);
    }
  } catch (error) {
    throw withStep(error, i);
  }
}

function hashLongArray(array: unknown[], depth: number): void {
  absorbHeader(TAG_LONG_ARRAY, array.length);
  let index = 0;
  try {
    for (const key of Object.keys(array)) {
      index = Number(key);
      // Named properties of an array do not count (as in hashArray).
      if (String(index >>> 0) !== key || index >= array.length) continue;
      absorbNumber(index);
      hashValue(array[index], depth + 1);
    }
  } catch (error) {
    throw withStep(error, index);
  }
}

/** How a Map entry shows in an error path: its key when that reads well, else its type. */
function mapStep(key: unknown): string | number {
  return typeof key === "string" || typeof key === "number" ? key : `<${typeof key} key>`;
}

function hashMap(map: Map<unknown, unknown>, depth: number): void {
  const at = openFrame(depth);
  let step: string | number = "";
  try {
    for (const [key, value] of map) {
      step = "<key>";
      startDigest();
      hashValue(key, depth + 1);
      step = mapStep(key);
      hashValue(value, depth + 1);
      addMemberDigest(at);
    }
  } catch (error) {
    throw withStep(error, step);
  }
  closeContainer(at, TAG_MAP, map.size);
}

function hashSet(set: Set<unknown>, depth: number): void {
  const at = openFrame(depth);
  let index = 0;
  try {
    for (const member of set) {
      startDigest();
      hashValue(member, depth + 1);
      addMemberDigest(at);
      index++;
    }
  } catch (error) {
    throw withStep(error, index);
  }
  closeContainer(at, TAG_SET, set.size);
}

function hashBuiltinOrCustom(value: object, proto: object, depth: number): void {
  const kind = kindByPrototype.get(proto);
  if (kind === undefined || kind === KIND_ERROR) {
    hashCustom(value, depth);
    return;
  }
  // A Proxy around a built-in passes the prototype test, then its methods reject it.
  try {
    hashBuiltin(value, kind, depth);
  } catch (error) {
    if (error instanceof HashFailure || !(error instanceof TypeError)) throw error;
    throw new HashFailure(value, false, undefined, `is not a genuine ${constructorName(value) || "built-in"} (a Proxy?): ${error.message}`);
  }
}

/** Own keys each built-in kind has by itself: RegExp its lastIndex, the others none (typed arrays: not checked, their indices are own keys). */
function checkNoOwnProperties(value: object, kind: number): void {
  const names = Object.getOwnPropertyNames(value);
  const expected = kind === KIND_REGEXP ? 1 : 0;
  if (names.length === expected && Object.getOwnPropertySymbols(value).length === 0) return;
  const extra = names.find((name) => kind !== KIND_REGEXP || name !== "lastIndex") ?? String(Object.getOwnPropertySymbols(value)[0]);
  throw new HashFailure(value, false, undefined, `has an own property '${extra}' besides its ${constructorName(value)} data`);
}

function hashBuiltin(value: object, kind: number, depth: number): void {
  if (kind >= KIND_TYPED_ARRAY) {
    const view = value as ArrayBufferView & { BYTES_PER_ELEMENT: number };
    absorbHeader(TAG_TYPED_ARRAY + kind - KIND_TYPED_ARRAY, view.byteLength);
    absorbBytes(view.buffer, view.byteOffset, view.byteLength, view.BYTES_PER_ELEMENT);
    return;
  }
  checkNoOwnProperties(value, kind);
  switch (kind) {
    case KIND_MAP:
      hashMap(value as Map<unknown, unknown>, depth);
      return;
    case KIND_SET:
      hashSet(value as Set<unknown>, depth);
      return;
    case KIND_DATE:
      absorbWord(TAG_DATE);
      absorbNumber((value as Date).getTime());
      return;
    case KIND_REGEXP:
      absorbString(TAG_REGEXP, (value as RegExp).source);
      absorbString(TAG_STRING, (value as RegExp).flags);
      // exec/test on a global or sticky RegExp start at lastIndex: it changes what they answer.
      hashValue((value as RegExp).lastIndex, depth + 1);
      return;
    case KIND_URL:
      absorbString(TAG_URL, (value as URL).href);
      return;
    case KIND_URL_SEARCH_PARAMS:
      absorbString(TAG_URL_SEARCH_PARAMS, (value as URLSearchParams).toString());
      return;
    case KIND_ARRAY_BUFFER:
      absorbHeader(TAG_ARRAY_BUFFER, (value as ArrayBuffer).byteLength);
      absorbBytes(value as ArrayBuffer, 0, (value as ArrayBuffer).byteLength, 1);
      return;
    case KIND_DATA_VIEW: {
      const view = value as DataView;
      absorbHeader(TAG_DATA_VIEW, view.byteLength);
      absorbBytes(view.buffer, view.byteOffset, view.byteLength, 1);
      return;
    }
  }
}

/** Depth a hash started from inside a user hasher begins at, so it cannot clobber the outer walk. */
export let reentryDepth = 0;

function hashCustom(value: object, depth: number): void {
  let hasher: ((value: object) => unknown) | undefined;
  const method = (value as { [HASH_METHOD]?: unknown })[HASH_METHOD];
  if (typeof method === "function") {
    hasher = method as (value: unknown) => unknown;
  } else {
    for (const [constructor, registered] of customHashers) {
      if (value instanceof constructor) {
        // Registered for this class, so it accepts the instance.
        hasher = registered as (value: object) => unknown;
        break;
      }
    }
  }
  if (hasher === undefined) throw new HashFailure(value, false);
  const replacement = callUserHasher(hasher, value, depth);
  absorbString(TAG_CUSTOM, constructorName(value));
  hashValue(replacement, depth + 1);
}

/** User code may itself call a memoized function (a nested hash): keep this walk's frames out of its way (the nested hash saves and restores the lanes). */
function callUserHasher(hasher: (value: object) => unknown, value: object, depth: number): unknown {
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
