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
import { bufferPrototype, kindByPrototype, KIND_ARRAY_BUFFER, KIND_DATA_VIEW, KIND_DATE, KIND_MAP, KIND_REGEXP, KIND_SET, KIND_TYPED_ARRAY, KIND_URL, KIND_URL_SEARCH_PARAMS } from "../hash/kinds.ts";
import type { ResultSnapshot } from "./snapshot.ts";

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

function deepenProperties(copy: Record<string, unknown>, seen: Seen): Record<string, unknown> {
  for (const key in copy) {
    const value = copy[key];
    if (typeof value === "object" && value !== null && Object.prototype.hasOwnProperty.call(copy, key)) copy[key] = copyObject(value, seen);
  }
  return copy;
}

function copyBuiltin(source: object, proto: object, seen: Seen): unknown {
  const kind = kindByPrototype.get(proto);
  let copy: object;
  if (kind !== undefined && kind >= KIND_TYPED_ARRAY) {
    copy =
      proto === bufferPrototype
        ? (globalThis as unknown as { Buffer: { from(bytes: Uint8Array): Uint8Array } }).Buffer.from(source as Uint8Array)
        : (source as Uint8Array).slice();
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
    copy = new RegExp(source as RegExp);
  } else if (kind === KIND_URL) {
    copy = new URL((source as URL).href);
  } else if (kind === KIND_URL_SEARCH_PARAMS) {
    copy = new URLSearchParams(source as URLSearchParams);
  } else if (kind === KIND_ARRAY_BUFFER) {
    copy = (source as ArrayBuffer).slice(0);
  } else if (kind === KIND_DATA_VIEW) {
    const view = source as DataView;
    copy = new DataView(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
  } else {
    return copyError(source as Error, proto, seen);
  }
  if (seen !== undefined) seen.set(source, copy);
  return copy;
}

function copyMember(value: unknown, seen: Seen): unknown {
  return typeof value === "object" && value !== null ? copyObject(value, seen) : value;
}

/** Snapshot errors carry only data properties (snapshot.ts defines them): copy each with its attributes. */
function copyError(source: Error, proto: object, seen: Seen): Error {
  const copy = Object.create(proto) as Error;
  if (seen !== undefined) seen.set(source, copy);
  for (const key of Object.getOwnPropertyNames(source)) {
    const descriptor = Object.getOwnPropertyDescriptor(source, key)!;
    descriptor.value = copyMember(descriptor.value, seen);
    Object.defineProperty(copy, key, descriptor);
  }
  return copy;
}
