/**
 * The payload of a persisted entry, exact for every result the copier accepts.
 *
 * `v8.serialize` alone loses some of what the in-memory copier keeps: it writes a
 * null-prototype object as a plain one, drops a RegExp's `lastIndex`, keeps of an
 * Error only its class (AggregateError becomes Error), message, stack and cause, and
 * Node's serializer writes each typed array or DataView with its own bytes, so views
 * sharing one ArrayBuffer stop sharing it and their offsets change. So:
 *
 * - Views are written by our serializer as host objects: element kind, a reference to
 *   their ArrayBuffer (V8 keeps one copy per buffer, so sharing survives), offset and
 *   length. A Buffer cut from Node's allocation pool gets its own bytes at offset 0,
 *   as in the copier (the rest of the pool is other code's data).
 * - Null-prototype objects, RegExps with a `lastIndex` and Errors are listed in a
 *   fixup table written next to the value, `[value, fixups]` (FLAG_FIXUPS in the
 *   envelope): one flat array of `tag, target, ...operands` (0: null prototype;
 *   1: lastIndex, value; 2: error, prototype index, `[key, value, attribute bits]`s). V8 keeps object identity across both, so each fixup names its target by
 *   reference and is applied in place after decoding: prototype set to null,
 *   `lastIndex` set, an error's own properties replaced by the exact ones (data
 *   descriptors only: nothing decoded can define a getter) and its built-in prototype
 *   restored. A value with none of these is written as before, so JSON-like data pays
 *   one walk that finds nothing, or none: the memo path writes the snapshot's private
 *   copy, which copy/snapshot.ts marks when its walk found nothing.
 * - What cannot be written exactly is refused by `UnserializableReturnValueError`
 *   naming its path (URL, URLSearchParams, registered symbols, and whatever the copier
 *   would refuse too): the write fails with a warning and the value stays cached in
 *   memory only, so no process ever reads an approximation.
 *
 * Decoding trusts nothing: a fixup whose target is not of the kind it claims, or an
 * unknown tag, makes the payload undecodable (a miss), and nothing here runs code of
 * the value (no setters: properties are defined, prototypes are built-in ones).
 */
import { serializesExactly } from "../copy/snapshot.ts";
import { UnserializableReturnValueError } from "../errors.ts";
import { adoptForeignPrototypes, bufferPrototype, ERROR_NAMES, TYPED_ARRAY_NAMES, kindByPrototype, prototypeOf, KIND_ARRAY_BUFFER, KIND_BUFFER, KIND_DATA_VIEW, KIND_DATE, KIND_ERROR, KIND_MAP, KIND_REGEXP, KIND_SET, KIND_TYPED_ARRAY, viewLength, viewOnto } from "../hash/kinds.ts";
import { nodeV8 } from "./node-builtins.ts";

const FIXUP_NULL_PROTOTYPE = 0;
const FIXUP_LAST_INDEX = 1;
const FIXUP_ERROR = 2;
/** Descriptor attribute bits of an error's own property in a FIXUP_ERROR record. */
const WRITABLE = 1;
const ENUMERABLE = 2;
const CONFIGURABLE = 4;
/** A run of this many holes (more than the elements before it) switches an array walk to its keys. */
const SPARSE_CHECK_LENGTH = 1024;

/** Built-in error prototypes by index: the index is stored, so only append. */
const ERROR_PROTOTYPES: readonly (object | undefined)[] = ["Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError", "AggregateError"].map(
  (name) => (globalThis as unknown as Record<string, { prototype: object } | undefined>)[name]?.prototype,
);

export interface EncodedPayload {
  readonly bytes: Buffer;
  readonly hasFixups: boolean;
}

/** Serializes `value` exactly, or throws UnserializableReturnValueError naming what cannot be. */
export function encodePayload(functionId: string, value: unknown): EncodedPayload {
  const fixups = collectFixups(functionId, value);
  const hasFixups = fixups.length > 0;
  return { bytes: serialize(hasFixups ? [value, fixups] : value), hasFixups };
}

/** The value of a payload: throws on anything malformed (the caller makes that a miss). `check` bounds the decoded shape before fixups are walked. */
export function decodePayload(bytes: Buffer, hasFixups: boolean, check: (decoded: unknown) => boolean): { value: unknown } | undefined {
  const decoded = deserialize(bytes);
  if (!check(decoded)) return undefined;
  if (!hasFixups) return { value: decoded };
  if (!Array.isArray(decoded) || decoded.length !== 2 || !Array.isArray(decoded[1])) throw new TypeError("malformed fixup payload");
  applyFixups(decoded[1] as unknown[]);
  return { value: decoded[0] };
}

// ---- serialization with exact views ----

interface V8Serializer {
  writeHeader(): void;
  writeValue(value: unknown): boolean;
  releaseBuffer(): Buffer;
  writeUint32(value: number): void;
  writeDouble(value: number): void;
  _setTreatArrayBufferViewsAsHostObjects(flag: boolean): void;
}
interface V8Deserializer {
  readHeader(): boolean;
  readValue(): unknown;
  readUint32(): number;
  readDouble(): number;
}

let serializerClass: (new () => V8Serializer) | undefined;
let deserializerClass: (new (bytes: Buffer) => V8Deserializer) | undefined;

let serializerClassesWork: boolean | undefined;

/**
 * Engines without working V8 streaming serializer classes write views their own way: Bun's
 * `node:v8` has the classes, but their constructor throws "not yet implemented".
 */
function hasSerializerClasses(): boolean {
  if (serializerClassesWork !== undefined) return serializerClassesWork;
  const v8 = nodeV8() as unknown as { Serializer?: new () => V8Serializer; Deserializer?: unknown };
  try {
    const probe = typeof v8.Serializer === "function" && typeof v8.Deserializer === "function" ? new v8.Serializer() : undefined;
    probe?.writeHeader();
    serializerClassesWork = probe !== undefined;
  } catch {
    serializerClassesWork = false;
  }
  return serializerClassesWork;
}

function serialize(value: unknown): Buffer {
  if (!hasSerializerClasses()) return nodeV8().serialize(value);
  const Serializer = (serializerClass ??= makeSerializer());
  const serializer = new Serializer();
  serializer.writeHeader();
  serializer.writeValue(value);
  return serializer.releaseBuffer();
}

let hostPrototypesAdopted = false;

/** Built-ins of every kind a payload can hold, to learn which prototypes `v8.deserialize` gives them (see adoptForeignPrototypes). */
function prototypeSamples(): object[] {
  const constructors = globalThis as unknown as Record<string, (new (argument: number | string) => object) | undefined>;
  const instances = (names: readonly string[], argument: number | string) =>
    names.map((name) => constructors[name]).filter((constructor) => constructor !== undefined).map((constructor) => new constructor!(argument));
  return [{}, [], new Map(), new Set(), new Date(0), /sample/, new ArrayBuffer(1), new DataView(new ArrayBuffer(1)), ...instances(TYPED_ARRAY_NAMES, 1), ...instances(ERROR_NAMES, "sample")];
}

function deserialize(bytes: Buffer): unknown {
  if (!hostPrototypesAdopted) {
    hostPrototypesAdopted = true;
    const v8 = nodeV8();
    adoptForeignPrototypes(prototypeSamples(), (sample) => {
      try {
        return v8.deserialize(v8.serialize(sample));
      } catch {
        return undefined;
      }
    });
  }
  if (!hasSerializerClasses()) return nodeV8().deserialize(bytes);
  const Deserializer = (deserializerClass ??= makeDeserializer());
  const deserializer = new Deserializer(bytes);
  deserializer.readHeader();
  return deserializer.readValue();
}

function makeSerializer(): new () => V8Serializer {
  const Base = nodeV8().Serializer as unknown as new () => V8Serializer;
  return class ExactSerializer extends Base {
    constructor() {
      super();
      this._setTreatArrayBufferViewsAsHostObjects(true);
    }

    _writeHostObject(view: ArrayBufferView): void {
      const kind = kindByPrototype.get(Object.getPrototypeOf(view) as object);
      if (kind === undefined || !(kind === KIND_DATA_VIEW || kind >= KIND_TYPED_ARRAY)) throw new TypeError("not a view automemo persists");
      const pooled = kind === KIND_BUFFER && isPooledBuffer(view);
      this.writeUint32(kind);
      this.writeValue(pooled ? (view.buffer as ArrayBuffer).slice(view.byteOffset, view.byteOffset + view.byteLength) : view.buffer);
      this.writeDouble(pooled ? 0 : view.byteOffset);
      this.writeDouble(viewLength(view));
    }
  };
}

function makeDeserializer(): new (bytes: Buffer) => V8Deserializer {
  const Base = nodeV8().Deserializer as unknown as new (bytes: Buffer) => V8Deserializer;
  return class ExactDeserializer extends Base {
    _readHostObject(): ArrayBufferView {
      const kind = this.readUint32();
      const buffer = this.readValue();
      const byteOffset = this.readDouble();
      const length = this.readDouble();
      if (!(kind === KIND_DATA_VIEW || (kind >= KIND_TYPED_ARRAY && kind <= KIND_BUFFER)) || !(buffer instanceof ArrayBuffer)) throw new TypeError("malformed view");
      if (kind === KIND_BUFFER && bufferPrototype === undefined) throw new TypeError("no Buffer here");
      // Constructors would read NaN or a fraction as an integer: only the exact numbers written are accepted.
      if (!(Number.isSafeInteger(byteOffset) && Number.isSafeInteger(length) && byteOffset >= 0 && length >= 0)) throw new TypeError("malformed view");
      // Out-of-range or misaligned offsets and lengths throw a RangeError: a miss.
      return viewOnto(kind, buffer, byteOffset, length);
    }
  };
}

function isPooledBuffer(view: ArrayBufferView): boolean {
  const poolSize = (globalThis as { Buffer?: { poolSize?: number } }).Buffer?.poolSize;
  return view.buffer.byteLength === poolSize && view.byteLength < view.buffer.byteLength;
}

// ---- the fixup table ----

/**
 * One iterative walk (results nest up to MAX_DECODED_DEPTH and deeper; no recursion)
 * over what the value holds, listing fixups. On a refusal the path to the refused part
 * is searched for afterwards, so the walk itself carries no path.
 */
class Refusal {
  constructor(
    readonly part: unknown,
    readonly reason: string,
  ) {}
}

const REFUSE_OTHER = "cannot be written to a persistent store exactly (return its href or other plain data, or drop `persist`)";
const REFUSE_SYMBOL = "cannot be written to a persistent store (return a string, or drop `persist`)";

function collectFixups(functionId: string, value: unknown): unknown[] {
  const fixups: unknown[] = [];
  try {
    walkValue(value, fixups);
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    const path = pathTo(value, error.part);
    // The stores write persist's `{ async, value }` record: the function's result is its value.
    if (path[0] === "value" && isRecordShaped(value)) path.shift();
    throw new UnserializableReturnValueError({ functionId, path, value: error.part, reason: error.reason });
  }
  return fixups;
}

function isRecordShaped(value: unknown): boolean {
  return typeof value === "object" && value !== null && typeof (value as { async?: unknown }).async === "boolean" && Object.keys(value).length === 2;
}

function walkValue(root: unknown, fixups: unknown[]): void {
  const seen = new Set<object>();
  const pending: unknown[] = [];
  // Only what can hold something lossy (or be refused) is queued: JSON-like leaves cost a typeof.
  const push = (item: unknown): void => {
    if (typeof item === "object" ? item !== null && !seen.has(item) : typeof item === "symbol" || typeof item === "function") pending.push(item);
  };
  push(root);
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === "symbol") throw new Refusal(value, REFUSE_SYMBOL);
    if (typeof value !== "object" || value === null) throw new Refusal(value, "cannot be written to a persistent store");
    if (seen.has(value)) continue;
    seen.add(value);
    // A snapshot's private copy (what the memo path writes) that its walk found free of such kinds.
    if (serializesExactly.has(value)) continue;
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      if (proto === null) fixups.push(FIXUP_NULL_PROTOTYPE, value);
      const object = value as Record<string, unknown>;
      for (const key in object) push(object[key]);
      continue;
    }
    if (proto === Array.prototype) {
      forEachElement(value as unknown[], push);
      continue;
    }
    const kind = kindByPrototype.get(proto as object);
    if (kind === KIND_MAP) {
      for (const [key, member] of value as Map<unknown, unknown>) {
        push(key);
        push(member);
      }
    } else if (kind === KIND_SET) {
      for (const member of value as Set<unknown>) push(member);
    } else if (kind === KIND_REGEXP) {
      const lastIndex: unknown = (value as RegExp).lastIndex;
      if (!Object.is(lastIndex, 0)) {
        fixups.push(FIXUP_LAST_INDEX, value, lastIndex);
        push(lastIndex);
      }
    } else if (kind === KIND_ERROR) {
      fixups.push(FIXUP_ERROR, value, ERROR_PROTOTYPES.indexOf(proto as object), errorDescriptors(value as Error, push));
    } else if (!(kind === KIND_DATE || kind === KIND_ARRAY_BUFFER || kind === KIND_DATA_VIEW || (kind !== undefined && kind >= KIND_TYPED_ARRAY))) {
      throw new Refusal(value, REFUSE_OTHER);
    }
  }
}

/** Every element of an array, a sparse one by key (never walking a length of up to 2^32 - 1). */
function forEachElement(array: unknown[], visit: (item: unknown, index: number) => void): void {
  const length = array.length;
  let present = 0;
  for (let i = 0; i < length; i++) {
    const item = array[i];
    if (item !== undefined || i in array) {
      present++;
      visit(item, i);
    } else if (i - present >= SPARSE_CHECK_LENGTH && i - present > present) {
      for (const key of Object.keys(array)) if (Number(key) > i) visit(array[Number(key)], Number(key));
      return;
    }
  }
}

function errorDescriptors(error: Error, visit: (item: unknown) => void): unknown[] {
  const descriptors: unknown[] = [];
  for (const key of Object.getOwnPropertyNames(error)) {
    const descriptor = Object.getOwnPropertyDescriptor(error, key)!;
    const isData = "value" in descriptor;
    if (!isData && key !== "stack") throw new Refusal(error, `has a getter or setter '${key}'`);
    // `stack` is an accessor on newer engines: the copier keeps the string it reads, as a data property.
    const member: unknown = isData ? descriptor.value : error.stack;
    const writable = isData ? descriptor.writable === true : true;
    descriptors.push([key, member, (writable ? WRITABLE : 0) | (descriptor.enumerable === true ? ENUMERABLE : 0) | (descriptor.configurable === true ? CONFIGURABLE : 0)]);
    visit(member);
  }
  return descriptors;
}

/** Where `part` sits in `root`, for the refusal message (only ever run after a refusal). */
function pathTo(root: unknown, part: unknown): (string | number)[] {
  const parents = new Map<unknown, { parent: unknown; step: string | number }>();
  const pending: unknown[] = [root];
  const reached = (parent: unknown, step: string | number, item: unknown): void => {
    if (parents.has(item) || item === root) return;
    parents.set(item, { parent, step });
    if (typeof item === "object" && item !== null) pending.push(item);
  };
  while (pending.length > 0 && !parents.has(part)) {
    const value = pending.pop() as object;
    if (Array.isArray(value)) {
      forEachElement(value, (item, index) => reached(value, index, item));
    } else if (value instanceof Map) {
      for (const [key, member] of value) {
        reached(value, "<key>", key);
        reached(value, typeof key === "string" || typeof key === "number" ? key : `<${typeof key} key>`, member);
      }
    } else if (value instanceof Set) {
      let index = 0;
      for (const member of value) reached(value, index++, member);
    } else {
      for (const key of Object.getOwnPropertyNames(value)) {
        const descriptor = Object.getOwnPropertyDescriptor(value, key);
        if (descriptor !== undefined && "value" in descriptor) reached(value, key, descriptor.value);
      }
    }
  }
  const path: (string | number)[] = [];
  for (let at = parents.get(part); at !== undefined; at = parents.get(at.parent)) path.unshift(at.step);
  return path;
}

/** Applies the flat fixup stream: `tag, target, ...operands` per fixup (no array per fixup: a table of 10^4 null-prototype objects decodes 1.5x faster). */
function applyFixups(fixups: unknown[]): void {
  let at = 0;
  while (at < fixups.length) {
    const tag = fixups[at];
    const target = fixups[at + 1];
    if (typeof target !== "object" || target === null) throw new TypeError("malformed fixup");
    const proto: unknown = prototypeOf(target as object);
    if (tag === FIXUP_NULL_PROTOTYPE && proto === Object.prototype && !Array.isArray(target)) {
      Object.setPrototypeOf(target, null);
      at += 2;
    } else if (tag === FIXUP_LAST_INDEX && at + 2 < fixups.length && proto === RegExp.prototype) {
      Object.defineProperty(target, "lastIndex", { value: fixups[at + 2] });
      at += 3;
    } else if (tag === FIXUP_ERROR && at + 3 < fixups.length && kindByPrototype.get(proto as object) === KIND_ERROR) {
      restoreError(target, fixups[at + 2], fixups[at + 3]);
      at += 4;
    } else {
      throw new TypeError("malformed fixup");
    }
  }
}

function restoreError(error: object, protoIndex: unknown, descriptors: unknown): void {
  const proto = typeof protoIndex === "number" ? ERROR_PROTOTYPES[protoIndex] : undefined;
  if (proto === undefined || !Array.isArray(descriptors)) throw new TypeError("malformed error fixup");
  for (const key of Reflect.ownKeys(error)) Reflect.deleteProperty(error, key);
  Object.setPrototypeOf(error, proto);
  for (const entry of descriptors as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 3 || typeof entry[0] !== "string" || typeof entry[2] !== "number") throw new TypeError("malformed error fixup");
    const [key, value, bits] = entry as [string, unknown, number];
    Object.defineProperty(error, key, { value, writable: (bits & WRITABLE) !== 0, enumerable: (bits & ENUMERABLE) !== 0, configurable: (bits & CONFIGURABLE) !== 0 });
  }
}
