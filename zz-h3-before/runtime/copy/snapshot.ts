/**
 * Taking a @memo result into the cache: one walk that validates it is plain data,
 * builds the private deep copy the cache keeps, estimates its serialized size, and
 * notes whether any object was reached twice (a cycle or a shared reference), so hits
 * can use the cheaper copier when nothing is shared.
 *
 * Copyable: everything the key hasher accepts (see ../hash/structural.ts) plus
 * built-in Error objects. Unlike the hasher, unique symbols are rejected too: a
 * result has to survive a persistent store, and a symbol's identity cannot.
 *
 * Errors: an Error (or a subclass of one) copies as the nearest built-in Error class
 * on its prototype chain, with `message`, `stack`, `name` when it differs from the
 * class default, `cause` and `errors` (AggregateError) copied, plus its other own
 * enumerable properties (`code`, `errno`, ...). Custom subclass identity is not kept.
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
import { bufferPrototype, kindByPrototype, KIND_ARRAY_BUFFER, KIND_DATA_VIEW, KIND_DATE, KIND_ERROR, KIND_MAP, KIND_REGEXP, KIND_SET, KIND_TYPED_ARRAY, KIND_URL, KIND_URL_SEARCH_PARAMS, typedArrayConstructors } from "../hash/kinds.ts";

export interface ResultSnapshot {
  readonly value: unknown;
  readonly bytes: number;
  readonly sharesReferences: boolean;
}

const STRING_OVERHEAD = 4;
const CONTAINER_OVERHEAD = 8;
const REFERENCE_BYTES = 8;

const ERROR_FIELDS = new Set(["message", "stack", "name", "cause", "errors"]);

interface Walk {
  readonly functionId: string;
  readonly path: (string | number)[];
  readonly copies: Map<object, unknown>;
  bytes: number;
  sharesReferences: boolean;
}

export function snapshotResult(value: unknown, functionId: string): ResultSnapshot {
  if (value === null || (typeof value !== "object" && typeof value !== "function" && typeof value !== "symbol")) {
    return { value, bytes: primitiveBytes(value), sharesReferences: false };
  }
  const walk: Walk = { functionId, path: [], copies: new Map(), bytes: 0, sharesReferences: false };
  const copy = copyInto(walk, value);
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

function fail(walk: Walk, value: unknown): never {
  throw new UnserializableReturnValueError({ functionId: walk.functionId, path: walk.path.slice(), value });
}

function copyInto(walk: Walk, value: unknown): unknown {
  if (typeof value === "symbol") {
    const key = Symbol.keyFor(value);
    if (key === undefined) fail(walk, value);
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
  walk.bytes += CONTAINER_OVERHEAD;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return copyObject(walk, value as Record<string, unknown>, proto as object | null);
  if (proto === Array.prototype) return copyArray(walk, value as unknown[]);
  const kind = kindByPrototype.get(proto as object);
  if (kind === undefined) return copyErrorSubclass(walk, value, proto as object);
  if (kind >= KIND_TYPED_ARRAY) {
    const view = value as ArrayBufferView;
    walk.bytes += view.byteLength;
    const copy =
      proto === bufferPrototype
        ? (globalThis as unknown as { Buffer: { from(bytes: Uint8Array): Uint8Array } }).Buffer.from(value as Uint8Array)
        : new typedArrayConstructors[kind - KIND_TYPED_ARRAY](value as ArrayLike<number>);
    return remember(walk, value, copy);
  }
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
      walk.bytes += 2 * STRING_OVERHEAD + 2 * (regexp.source.length + regexp.flags.length);
      return remember(walk, value, new RegExp(regexp.source, regexp.flags));
    }
    case KIND_URL:
      walk.bytes += STRING_OVERHEAD + 2 * (value as URL).href.length;
      return remember(walk, value, new URL((value as URL).href));
    case KIND_URL_SEARCH_PARAMS: {
      const text = (value as URLSearchParams).toString();
      walk.bytes += STRING_OVERHEAD + 2 * text.length;
      return remember(walk, value, new URLSearchParams(text));
    }
    case KIND_ARRAY_BUFFER:
      walk.bytes += (value as ArrayBuffer).byteLength;
      return remember(walk, value, (value as ArrayBuffer).slice(0));
    case KIND_DATA_VIEW: {
      const view = value as DataView;
      walk.bytes += view.byteLength;
      return remember(walk, value, new DataView(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength)));
    }
    case KIND_ERROR:
      return copyError(walk, value as Error, proto as object);
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

function copyObject(walk: Walk, object: Record<string, unknown>, proto: object | null): Record<string, unknown> {
  const copy: Record<string, unknown> = proto === null ? Object.create(null) : {};
  remember(walk, object, copy);
  for (const key in object) {
    if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
    walk.bytes += STRING_OVERHEAD + 2 * key.length;
    copy[key] = copyChild(walk, key, object[key]);
  }
  return copy;
}

function copyArray(walk: Walk, array: unknown[]): unknown[] {
  const length = array.length;
  // Built by push so a dense array stays a packed array (faster to copy on every hit);
  // a hole is kept by growing the length past it.
  const copy: unknown[] = [];
  remember(walk, array, copy);
  for (let i = 0; i < length; i++) {
    const item = array[i];
    if (item === undefined && !(i in array)) {
      walk.bytes += 1;
      copy.length = i + 1;
    } else {
      copy.push(copyChild(walk, i, item));
    }
  }
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

/** A user-defined Error subclass copies as its nearest built-in Error; any other class instance is rejected. */
function copyErrorSubclass(walk: Walk, value: object, proto: object): unknown {
  for (let ancestor: object | null = Object.getPrototypeOf(proto); ancestor !== null; ancestor = Object.getPrototypeOf(ancestor)) {
    if (kindByPrototype.get(ancestor) === KIND_ERROR) return copyError(walk, value as Error, ancestor);
  }
  return fail(walk, value);
}

function copyError(walk: Walk, error: Error, builtinProto: object): Error {
  const copy = Object.create(builtinProto) as Error & Record<string, unknown>;
  remember(walk, error, copy);
  const define = (key: string, value: unknown) =>
    Object.defineProperty(copy, key, { value, writable: true, configurable: true, enumerable: false });
  define("message", copyChild(walk, "message", String(error.message)));
  if (typeof error.stack === "string") define("stack", copyChild(walk, "stack", error.stack));
  if (error.name !== (builtinProto as Error).name) define("name", copyChild(walk, "name", String(error.name)));
  if ("cause" in error) define("cause", copyChild(walk, "cause", error.cause));
  if (Array.isArray((error as AggregateError).errors)) define("errors", copyChild(walk, "errors", (error as AggregateError).errors));
  for (const key of Object.keys(error)) {
    if (ERROR_FIELDS.has(key)) continue;
    walk.bytes += STRING_OVERHEAD + 2 * key.length;
    copy[key] = copyChild(walk, key, (error as unknown as Record<string, unknown>)[key]);
  }
  return copy;
}
