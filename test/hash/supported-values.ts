/**
 * Test support for the hasher and copier: fast-check arbitraries restricted to the
 * supported value set, a reordering rebuild (same value, different property/Map/Set
 * order and buffer alignment), and an independent structural equality with the
 * hasher's semantics (SameValue for numbers, bytes for binary data).
 */
import fc from "fast-check";

const leaf = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 31) - 1, 0.5),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ minLength: 20, maxLength: 80 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.bigInt(),
  fc.constantFrom("a", "", "ab").map((key) => Symbol.for(key)),
  fc.date({ noInvalidDate: false }),
  fc.constantFrom(/a+b/g, /x/i, /x/),
  fc.constantFrom("https://example.com/a?b=1", "https://example.com/a?b=2").map((href) => new URL(href)),
  fc.constantFrom("a=1&b=2", "b=2&a=1").map((query) => new URLSearchParams(query)),
  fc.uint8Array({ maxLength: 40 }),
  fc.int16Array({ maxLength: 20 }),
  fc.float64Array({ maxLength: 10 }),
  fc.bigInt64Array({ maxLength: 5 }),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => bytes.slice().buffer),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => new DataView(bytes.slice().buffer)),
);

const primitiveKey = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.string({ maxLength: 4 }), fc.boolean(), fc.constant(null));

/** Any supported value (no cycles); Map keys and Set members are primitives so equality stays simple. */
export const supportedValue = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("value"), { maxLength: 5 }),
    fc.sparseArray(tie("value"), { maxLength: 6 }),
    fc.dictionary(fc.string({ maxLength: 5 }), tie("value"), { maxKeys: 5 }),
    fc.dictionary(fc.string({ maxLength: 5 }), tie("value"), { maxKeys: 3, noNullPrototype: false }),
    fc.array(fc.tuple(primitiveKey, tie("value")), { maxLength: 4 }).map((entries) => new Map(entries)),
    fc.array(primitiveKey, { maxLength: 5 }).map((members) => new Set(members)),
  ),
})).value;

/** A random permutation driven by the seed, so reorderings are reproducible. */
function shuffle<T>(items: T[], seed: number): T[] {
  const out = items.slice();
  let state = seed | 1;
  for (let i = out.length - 1; i > 0; i--) {
    state = Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) ^ 0x5bd1e995;
    const j = (state >>> 0) % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Copies a typed array into a fresh buffer at byte offset 1 + its alignment, to exercise unaligned views. */
function misaligned<T extends ArrayBufferView>(view: T): T {
  const constructor = view.constructor as new (buffer: ArrayBuffer, offset: number, length: number) => T;
  const perElement = (view as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  const buffer = new ArrayBuffer(view.byteLength + 2 * perElement + 8);
  const offset = perElement === 1 ? 1 : perElement;
  new Uint8Array(buffer, offset, view.byteLength).set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  return new constructor(buffer, offset, view.byteLength / perElement);
}

/** The same value rebuilt with shuffled property, Map and Set order and new (misaligned) buffers. */
export function rebuildReordered(value: unknown, seed: number): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) if (i in value) copy[i] = rebuildReordered(value[i], seed + i);
    return copy;
  }
  if (value instanceof Map) return new Map(shuffle([...value], seed).map(([k, v]) => [k, rebuildReordered(v, seed + 1)]));
  if (value instanceof Set) return new Set(shuffle([...value], seed));
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof RegExp) return new RegExp(value.source, value.flags);
  if (value instanceof URL) return new URL(value.href);
  if (value instanceof URLSearchParams) return new URLSearchParams(value.toString());
  if (value instanceof ArrayBuffer) return value.slice(0);
  if (value instanceof DataView) return new DataView(value.buffer.slice(0), value.byteOffset, value.byteLength);
  if (ArrayBuffer.isView(value)) return misaligned(value);
  const proto = Object.getPrototypeOf(value);
  const copy: Record<string, unknown> = proto === null ? Object.create(null) : {};
  for (const key of shuffle(Object.keys(value), seed)) copy[key] = rebuildReordered((value as Record<string, unknown>)[key], seed + key.length);
  return copy;
}

function bytesOf(view: ArrayBufferView | ArrayBuffer): Uint8Array {
  return view instanceof ArrayBuffer ? new Uint8Array(view) : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function kindOf(value: object): string {
  if (Array.isArray(value)) return "Array";
  const proto = Object.getPrototypeOf(value);
  if (proto === null) return "NullPrototypeObject";
  if (proto === Object.prototype) return "Object";
  return Object.prototype.toString.call(value);
}

/** Structural equality with the hasher's semantics, written independently of it. */
export function structurallyEqual(a: unknown, b: unknown): boolean {
  if (typeof a !== typeof b) return false;
  if (typeof a === "number") return Object.is(a, b);
  if (typeof a !== "object" || a === null || b === null) return a === b;
  const objectB = b as object;
  if (kindOf(a) !== kindOf(objectB)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    if (a.length !== other.length) return false;
    for (let i = 0; i < a.length; i++) {
      if (i in a !== i in other) return false;
      if (!structurallyEqual(a[i], other[i])) return false;
    }
    return true;
  }
  if (a instanceof Map) {
    const other = b as Map<unknown, unknown>;
    if (a.size !== other.size) return false;
    for (const [key, value] of a) if (!other.has(key) || !structurallyEqual(value, other.get(key))) return false;
    return true;
  }
  if (a instanceof Set) {
    const other = b as Set<unknown>;
    return a.size === other.size && [...a].every((member) => other.has(member));
  }
  if (a instanceof Date) return structurallyEqual(a.getTime(), (b as Date).getTime());
  if (a instanceof RegExp) return String(a) === String(b) && a.lastIndex === (b as RegExp).lastIndex;
  if (a instanceof URL || a instanceof URLSearchParams) return String(a) === String(b);
  if (a instanceof ArrayBuffer || ArrayBuffer.isView(a)) {
    const x = bytesOf(a);
    const y = bytesOf(b as ArrayBuffer);
    return x.length === y.length && x.every((byte, i) => byte === y[i]);
  }
  const keysA = Object.keys(a);
  const keysB = Object.keys(objectB);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => Object.prototype.hasOwnProperty.call(objectB, key) && structurallyEqual((a as Record<string, unknown>)[key], (objectB as Record<string, unknown>)[key]));
}
