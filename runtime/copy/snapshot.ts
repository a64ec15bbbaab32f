/**
 * Taking a @memo result into the cache: one walk that validates it is plain data,
 * builds the private deep copy the cache keeps, estimates its serialized size, and
 * notes whether any object was reached twice (a cycle or a shared reference), so hits
 * can use the cheaper copier when nothing is shared.
 *
 * The rule: a hit must be indistinguishable from the value the function returned, so
 * what cannot be copied exactly is refused (UnserializableReturnValueError) on the
 * first call, never approximated. Copied exactly: primitives (registered symbols;
 * unique ones cannot survive a store), plain and null-prototype objects (own
 * enumerable string keys, an own `__proto__` key included, as data properties), arrays
 * (holes and length kept, sparse ones without walking their length), Map, Set, Date,
 * RegExp (with lastIndex), URL, URLSearchParams, ArrayBuffer, typed arrays, Buffer,
 * DataView, and built-in Error objects (every own property, with its attributes; the
 * stack as its string). Shared and cyclic references keep their shape, and so do views
 * sharing one ArrayBuffer (same buffer, same offsets); a view alone on its buffer is
 * copied with its own bytes only (offset 0), so a pooled Buffer does not drag (and
 * persist) its pool. Refused: getters and setters, symbol-keyed and non-enumerable
 * own properties (outside errors), extra own properties on arrays and built-ins,
 * `arguments` objects, subclasses of built-ins (Error subclasses included), class
 * instances, boxed primitives, functions, Proxies (where the platform can tell, see
 * proxy.ts), SharedArrayBuffer and resizable buffers.
 *
 * Size estimate (bytes, for `maxBytes` and stats), deliberately simple and monotonic
 * in content: undefined/null/boolean 1; number 8; bigint 8 + one per hex digit pair;
 * string and registered symbol 4 + 2 per UTF-16 code unit; Date 16; RegExp and URL
 * 8 + their strings; binary data 8 + byteLength; arrays 8 + elements (a hole 1);
 * objects 8 + per property (4 + 2 per key code unit + value); Map 8 + keys + values;
 * Set 8 + members; Error 8 + its fields; a second reference to an object already
 * counted 8.
 */
import { UnserializableReturnValueError } from "../errors.ts";
import { kindByPrototype, prototypeOf, KIND_BUFFER, KIND_ARRAY_BUFFER, KIND_DATA_VIEW, KIND_DATE, KIND_ERROR, KIND_MAP, KIND_REGEXP, KIND_SET, KIND_TYPED_ARRAY, KIND_URL, KIND_URL_SEARCH_PARAMS, viewLength, viewOnto } from "../hash/kinds.ts";
import { firstNonEnumerableKey, isArgumentsObject } from "../hash/own-keys.ts";
import { builtinErrorWith } from "./error.ts";
import { isKnownProxy } from "./proxy.ts";

export interface ResultSnapshot {
  readonly value: unknown;
  readonly bytes: number;
  readonly sharesReferences: boolean;
}

const STRING_OVERHEAD = 4;
const CONTAINER_OVERHEAD = 8;
const REFERENCE_BYTES = 8;
/** A run of this many holes (more than the elements before it) switches an array copy to copying by key. */
const SPARSE_CHECK_LENGTH = 1024;
/** Arrays up to this length are checked for named properties (see checkArrayKeys). */
const NAMED_CHECK_LENGTH = 1024;

/**
 * Snapshot arrays with fewer elements than half their length: the hit copier fills
 * them by key (`slice` on a sparse array of length 2^31 walks every index: minutes).
 */
export const sparseArrays = new WeakSet<unknown[]>();

/**
 * Snapshot copies (private to the cache, never changed) whose walk found nothing V8's
 * serializer writes inexactly (no null-prototype object, RegExp with a lastIndex, Error,
 * URL or symbol): the persistent stores' encoder (stores/exact-payload.ts) writes them
 * without walking them again.
 */
export const serializesExactly = new WeakSet<object>();

interface Walk {
  readonly functionId: string;
  readonly path: (string | number)[];
  readonly copies: Map<object, unknown>;
  /** Original buffer -> its copy, so views sharing a buffer share the copy. */
  readonly buffers: Map<ArrayBufferLike, ArrayBuffer>;
  bytes: number;
  sharesReferences: boolean;
  /** False once the walk met a kind V8 serializes inexactly (see serializesExactly). */
  serializesExactly: boolean;
}

export function snapshotResult(value: unknown, functionId: string): ResultSnapshot {
  if (value === null || (typeof value !== "object" && typeof value !== "function" && typeof value !== "symbol")) {
    return { value, bytes: primitiveBytes(value), sharesReferences: false };
  }
  const walk: Walk = { functionId, path: [], copies: new Map(), buffers: new Map(), bytes: 0, sharesReferences: false, serializesExactly: true };
  const copy = copyInto(walk, value);
  if (walk.serializesExactly && typeof copy === "object" && copy !== null) serializesExactly.add(copy);
  return { value: copy, bytes: walk.bytes, sharesReferences: walk.sharesReferences };
}

function primitiveBytes(value: unknown): number {
  switch (typeof value) {
    case "number":
      return 8;
    case "string":
      return STRING_OVERHEAD + 2 * value.length;
    case "bigint":
      return 8 + Math.ceil(value.toString(16).length / 2);
    default:
      return 1;
  }
}

function fail(walk: Walk, value: unknown, reason?: string): never {
  throw new UnserializableReturnValueError({ functionId: walk.functionId, path: walk.path.slice(), value, reason });
}

function copyInto(walk: Walk, value: unknown): unknown {
  if (typeof value === "symbol") {
    const key = Symbol.keyFor(value);
    if (key === undefined) fail(walk, value);
    walk.serializesExactly = false;
    walk.bytes += STRING_OVERHEAD + 2 * key.length;
    return value;
  }
  if (value === null || (typeof value !== "object" && typeof value !== "function")) {
    walk.bytes += primitiveBytes(value);
    return value;
  }
  const seen = walk.copies.get(value);
  if (seen !== undefined) {
    walk.sharesReferences = true;
    walk.bytes += REFERENCE_BYTES;
    return seen;
  }
  if (typeof value === "function") fail(walk, value);
  if (isKnownProxy(value)) fail(walk, value, "is a Proxy, which a copy cannot reproduce");
  walk.bytes += CONTAINER_OVERHEAD;
  const proto: unknown = prototypeOf(value);
  if (proto === Object.prototype || proto === null) return copyObject(walk, value as Record<string, unknown>, proto as object | null);
  if (proto === Array.prototype) return copyArray(walk, value as unknown[]);
  const kind = kindByPrototype.get(proto as object);
  if (kind === undefined) return fail(walk, value);
  if (kind === KIND_ERROR) {
    walk.serializesExactly = false;
    return copyError(walk, value as Error);
  }
  if (kind >= KIND_TYPED_ARRAY || kind === KIND_DATA_VIEW) {
    checkNoOwnSymbols(walk, value);
    return remember(walk, value, copyView(walk, value as ArrayBufferView, kind));
  }
  checkOwnKeys(walk, value, kind === KIND_REGEXP ? 1 : 0);
  switch (kind) {
    case KIND_MAP:
      return copyMap(walk, value as Map<unknown, unknown>);
    case KIND_SET:
      return copySet(walk, value as Set<unknown>);
    case KIND_DATE:
      walk.bytes += 8;
      return remember(walk, value, new Date((value as Date).getTime()));
    case KIND_REGEXP: {
      const regexp = value as RegExp;
      walk.bytes += 2 * STRING_OVERHEAD + 2 * (regexp.source.length + regexp.flags.length) + 8;
      const copy = new RegExp(regexp.source, regexp.flags);
      copy.lastIndex = regexp.lastIndex;
      if (!Object.is(regexp.lastIndex, 0)) walk.serializesExactly = false;
      return remember(walk, value, copy);
    }
    case KIND_URL:
      walk.serializesExactly = false;
      walk.bytes += STRING_OVERHEAD + 2 * (value as URL).href.length;
      return remember(walk, value, new URL((value as URL).href));
    case KIND_URL_SEARCH_PARAMS: {
      const text = (value as URLSearchParams).toString();
      walk.serializesExactly = false;
      walk.bytes += STRING_OVERHEAD + 2 * text.length;
      return remember(walk, value, new URLSearchParams(text));
    }
    case KIND_ARRAY_BUFFER:
      return remember(walk, value, copyWholeBuffer(walk, value as ArrayBuffer, value));
  }
  return fail(walk, value);
}

function remember<T>(walk: Walk, original: object, copy: T): T {
  walk.copies.set(original, copy);
  return copy;
}

function copyChild(walk: Walk, step: string | number, value: unknown): unknown {
  walk.path.push(step);
  const copy = copyInto(walk, value);
  walk.path.pop();
  return copy;
}

/** Built-ins carry their data in internal slots: an own property besides (RegExp: lastIndex) would be lost. */
function checkOwnKeys(walk: Walk, value: object, expected: number): void {
  const names = Object.getOwnPropertyNames(value);
  if (names.length !== expected) fail(walk, value, `has an own property '${names.find((name) => name !== "lastIndex")}' besides its data`);
  checkNoOwnSymbols(walk, value);
}

function checkNoOwnSymbols(walk: Walk, value: object): void {
  const symbols = Object.getOwnPropertySymbols(value);
  if (symbols.length !== 0) fail(walk, value, `has an own property keyed by ${String(symbols[0])}`);
}

function copyObject(walk: Walk, object: Record<string, unknown>, proto: object | null): Record<string, unknown> {
  const copy: Record<string, unknown> = proto === null ? Object.create(null) : {};
  if (proto === null) walk.serializesExactly = false;
  remember(walk, object, copy);
  let count = 0;
  for (const key in object) {
    if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(object, key)!;
    if (!("value" in descriptor)) fail(walk, object, `has a getter or setter '${key}'`);
    walk.bytes += STRING_OVERHEAD + 2 * key.length;
    const member = copyChild(walk, key, descriptor.value);
    // Assigning `__proto__` would call Object.prototype's setter: an own key stays an own key.
    if (key === "__proto__") Object.defineProperty(copy, key, { value: member, writable: true, enumerable: true, configurable: true });
    else copy[key] = member;
    count++;
  }
  if (Object.getOwnPropertyNames(object).length !== count) {
    fail(walk, object, isArgumentsObject(object) ? "is an arguments object" : `has a non-enumerable own property '${firstNonEnumerableKey(object)}'`);
  }
  checkNoOwnSymbols(walk, object);
  return copy;
}

function copyArray(walk: Walk, array: unknown[]): unknown[] {
  const length = array.length;
  // Built by push so a dense array stays a packed array (faster to copy on every hit);
  // a hole is kept by growing the length past it.
  const copy: unknown[] = [];
  remember(walk, array, copy);
  let present = 0;
  for (let i = 0; i < length; i++) {
    const item = array[i];
    if (item === undefined && !(i in array)) {
      // Mostly holes so far: copy by key instead of walking a length of up to 2^32 - 1.
      if (i - present >= SPARSE_CHECK_LENGTH && i - present > present) return copySparseArray(walk, array, copy);
      walk.bytes += 1;
      copy.length = i + 1;
    } else {
      copy.push(copyChild(walk, i, item));
      present++;
    }
  }
  if (length <= NAMED_CHECK_LENGTH) checkArrayKeys(walk, array, present);
  return copy;
}

/**
 * Own keys: the present indices and `length`; a named property (a RegExp match's
 * `index`) would be lost. Listing the keys costs a string per element, so only arrays
 * up to NAMED_CHECK_LENGTH elements are checked (a miss of a 100k-element result would
 * otherwise take 10x longer).
 */
function checkArrayKeys(walk: Walk, array: unknown[], present: number): void {
  if (Object.getOwnPropertyNames(array).length !== present + 1) fail(walk, array, "has own properties besides its elements");
  checkNoOwnSymbols(walk, array);
}

/** Continues `copy` (already holding the elements before the run of holes) by key. */
function copySparseArray(walk: Walk, array: unknown[], copy: unknown[]): unknown[] {
  const keys = Object.keys(array);
  const start = copy.length;
  copy.length = array.length;
  walk.bytes += keys.length;
  let present = 0;
  for (const key of keys) {
    const index = Number(key);
    if (!(String(index >>> 0) === key && index < array.length)) fail(walk, array, `has an own property '${key}' besides its elements`);
    present++;
    if (index >= start) copy[index] = copyChild(walk, index, array[index]);
  }
  checkArrayKeys(walk, array, present);
  sparseArrays.add(copy);
  return copy;
}

function mapStep(key: unknown): string | number {
  return typeof key === "string" || typeof key === "number" ? key : `<${typeof key} key>`;
}

function copyMap(walk: Walk, map: Map<unknown, unknown>): Map<unknown, unknown> {
  const copy = remember(walk, map, new Map<unknown, unknown>());
  for (const [key, value] of map) {
    const keyCopy = copyChild(walk, "<key>", key);
    copy.set(keyCopy, copyChild(walk, mapStep(key), value));
  }
  return copy;
}

function copySet(walk: Walk, set: Set<unknown>): Set<unknown> {
  const copy = remember(walk, set, new Set<unknown>());
  let index = 0;
  for (const member of set) copy.add(copyChild(walk, index++, member));
  return copy;
}

function checkPlainBuffer(walk: Walk, buffer: ArrayBufferLike, holder: object): void {
  if (prototypeOf(buffer) !== ArrayBuffer.prototype) fail(walk, holder, "sits on a SharedArrayBuffer, which a copy cannot share");
  if ((buffer as { resizable?: boolean }).resizable === true) fail(walk, holder, "sits on a resizable ArrayBuffer");
}

/** An ArrayBuffer of the result, or under a view: copied whole (offsets stay valid), once for every view on it. */
function copyWholeBuffer(walk: Walk, buffer: ArrayBuffer, holder: object): ArrayBuffer {
  checkPlainBuffer(walk, buffer, holder);
  const known = walk.buffers.get(buffer);
  if (known !== undefined) {
    walk.sharesReferences = true;
    return known;
  }
  walk.bytes += buffer.byteLength;
  const copy = buffer.slice(0);
  walk.buffers.set(buffer, copy);
  return copy;
}

/**
 * A view onto the copy of its whole buffer, at the same offset, except a Buffer cut
 * from Node's allocation pool: its offset there is an accident of allocation (a
 * recomputation gets another), and the rest of the pool is other code's data, which
 * must not be copied, let alone persisted. It gets a buffer of its own bytes.
 */
function copyView(walk: Walk, view: ArrayBufferView, kind: number): ArrayBufferView {
  const buffer = view.buffer as ArrayBuffer;
  if (kind === KIND_BUFFER && buffer.byteLength === bufferPoolSize() && view.byteLength < buffer.byteLength) {
    walk.bytes += view.byteLength;
    return viewOnto(kind, buffer.slice(view.byteOffset, view.byteOffset + view.byteLength), 0, view.byteLength);
  }
  return viewOnto(kind, copyWholeBuffer(walk, buffer, view), view.byteOffset, viewLength(view));
}

function bufferPoolSize(): number | undefined {
  return (globalThis as { Buffer?: { poolSize?: number } }).Buffer?.poolSize;
}

/**
 * A built-in Error (exact prototype: a subclass's identity could not be rebuilt) with
 * every own property and its attributes; `stack` (an accessor on newer engines) as
 * the string it reads.
 */
function copyError(walk: Walk, error: Error): Error {
  checkNoOwnSymbols(walk, error);
  const copy = builtinErrorWith(prototypeOf(error)!, () => {});
  remember(walk, error, copy);
  for (const key of Object.getOwnPropertyNames(error)) {
    const descriptor = Object.getOwnPropertyDescriptor(error, key)!;
    if (!("value" in descriptor)) {
      if (key !== "stack") fail(walk, error, `has a getter or setter '${key}'`);
      descriptor.value = error.stack;
      descriptor.writable = true;
      delete descriptor.get;
      delete descriptor.set;
    }
    walk.bytes += STRING_OVERHEAD + 2 * key.length;
    descriptor.value = copyChild(walk, key, descriptor.value);
    Object.defineProperty(copy, key, descriptor);
  }
  return copy;
}
