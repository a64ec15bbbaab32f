/**
 * The hit path of every object-returning @memo: a fresh deep copy of a snapshot taken
 * by snapshot.ts. The snapshot is private and already validated, so this copier does
 * no checks and no size accounting. Objects and arrays are first cloned shallowly by
 * the engine (object spread and `slice` copy a whole shape at once, and `slice` keeps
 * holes), then only the members that are objects are replaced by their own copies.
 *
 * When the snapshot has no cycles or shared references (the common case) no seen-map
 * is kept at all; otherwise a Map from snapshot object to copy preserves the graph.
 */
import { kindByPrototype, KIND_ARRAY_BUFFER, KIND_DATA_VIEW, KIND_DATE, KIND_MAP, KIND_REGEXP, KIND_SET, KIND_TYPED_ARRAY, KIND_URL, KIND_URL_SEARCH_PARAMS, viewLength, viewOnto } from "../hash/kinds.ts";
import { builtinErrorWith } from "./error.ts";
import { sparseArrays, type ResultSnapshot } from "./snapshot.ts";

type Seen = Map<object, unknown> | undefined;

export function copySnapshot(snapshot: ResultSnapshot): unknown {
  const value = snapshot.value;
  if (typeof value !== "object" || value === null) return value;
  return copyObject(value, snapshot.sharesReferences ? new Map() : undefined);
}

function copyObject(source: object, seen: Seen): unknown {
  if (seen !== undefined) {
    const done = seen.get(source);
    if (done !== undefined) return done;
  }
  const proto: unknown = Object.getPrototypeOf(source);
  if (proto === Object.prototype) {
    const copy = { ...(source as Record<string, unknown>) };
    if (seen !== undefined) seen.set(source, copy);
    return deepenProperties(copy, seen);
  }
  if (proto === Array.prototype) {
    if (sparseArrays.has(source as unknown[])) return copySparse(source as unknown[], seen);
    const copy = (source as unknown[]).slice();
    if (seen !== undefined) seen.set(source, copy);
    for (let i = 0; i < copy.length; i++) {
      const item = copy[i];
      if (typeof item === "object" && item !== null) copy[i] = copyObject(item, seen);
    }
    return copy;
  }
  if (proto === null) {
    const copy = Object.assign(Object.create(null) as Record<string, unknown>, source);
    if (seen !== undefined) seen.set(source, copy);
    return deepenProperties(copy, seen);
  }
  return copyBuiltin(source, proto as object, seen);
}

/** By key: `slice` would walk every index of a length-2^31 array. */
function copySparse(source: unknown[], seen: Seen): unknown[] {
  const copy: unknown[] = [];
  copy.length = source.length;
  if (seen !== undefined) seen.set(source, copy);
  for (const key of Object.keys(source)) copy[key as unknown as number] = copyMember(source[key as unknown as number], seen);
  return copy;
}

function deepenProperties(copy: Record<string, unknown>, seen: Seen): Record<string, unknown> {
  for (const key in copy) {
    const value = copy[key];
    if (typeof value !== "object" || value === null || !Object.prototype.hasOwnProperty.call(copy, key)) continue;
    // Assigning `__proto__` would call Object.prototype's setter: an own key stays an own key.
    if (key === "__proto__") Object.defineProperty(copy, key, { value: copyObject(value, seen), writable: true, enumerable: true, configurable: true });
    else copy[key] = copyObject(value, seen);
  }
  return copy;
}

function copyBuiltin(source: object, proto: object, seen: Seen): unknown {
  const kind = kindByPrototype.get(proto);
  let copy: object;
  if (kind !== undefined && (kind >= KIND_TYPED_ARRAY || kind === KIND_DATA_VIEW)) {
    const view = source as ArrayBufferView;
    copy = viewOnto(kind, copyBuffer(view.buffer as ArrayBuffer, seen), view.byteOffset, viewLength(view));
  } else if (kind === KIND_MAP) {
    const map = new Map<unknown, unknown>();
    if (seen !== undefined) seen.set(source, map);
    for (const [key, value] of source as Map<unknown, unknown>) map.set(copyMember(key, seen), copyMember(value, seen));
    return map;
  } else if (kind === KIND_SET) {
    const set = new Set<unknown>();
    if (seen !== undefined) seen.set(source, set);
    for (const member of source as Set<unknown>) set.add(copyMember(member, seen));
    return set;
  } else if (kind === KIND_DATE) {
    copy = new Date((source as Date).getTime());
  } else if (kind === KIND_REGEXP) {
    const regexp = new RegExp(source as RegExp);
    regexp.lastIndex = (source as RegExp).lastIndex;
    copy = regexp;
  } else if (kind === KIND_URL) {
    copy = new URL((source as URL).href);
  } else if (kind === KIND_URL_SEARCH_PARAMS) {
    copy = new URLSearchParams(source as URLSearchParams);
  } else if (kind === KIND_ARRAY_BUFFER) {
    return copyBuffer(source as ArrayBuffer, seen);
  } else {
    return copyError(source as Error, proto, seen);
  }
  if (seen !== undefined) seen.set(source, copy);
  return copy;
}

/** Views sharing a buffer in the snapshot share its copy (the snapshot then shares references, so `seen` exists). */
function copyBuffer(buffer: ArrayBuffer, seen: Seen): ArrayBuffer {
  const done = seen?.get(buffer) as ArrayBuffer | undefined;
  if (done !== undefined) return done;
  const copy = buffer.slice(0);
  seen?.set(buffer, copy);
  return copy;
}

function copyMember(value: unknown, seen: Seen): unknown {
  return typeof value === "object" && value !== null ? copyObject(value, seen) : value;
}

/** Snapshot errors carry only data properties (snapshot.ts defines them): copy each with its attributes. */
function copyError(source: Error, proto: object, seen: Seen): Error {
  return builtinErrorWith(proto, (copy) => {
    if (seen !== undefined) seen.set(source, copy);
    for (const key of Object.getOwnPropertyNames(source)) {
      const descriptor = Object.getOwnPropertyDescriptor(source, key)!;
      descriptor.value = copyMember(descriptor.value, seen);
      Object.defineProperty(copy, key, descriptor);
    }
  });
}
