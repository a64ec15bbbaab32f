/**
 * Which built-in data types automemo treats as plain data, recognised by their
 * exact prototype. Both the key hasher and the result copier dispatch on this one
 * table, so "hashable" and "copyable" can never drift apart.
 *
 * Matching the exact prototype (not `instanceof`) is deliberate: a subclass such as
 * `class Cache extends Map` may carry state beyond its entries, so it is treated as a
 * class instance (it needs an escape hatch), not silently hashed as a Map.
 */

export const KIND_MAP = 1;
export const KIND_SET = 2;
export const KIND_DATE = 3;
export const KIND_REGEXP = 4;
export const KIND_URL = 5;
export const KIND_URL_SEARCH_PARAMS = 6;
export const KIND_ARRAY_BUFFER = 7;
export const KIND_DATA_VIEW = 8;
/** Built-in Error prototypes: copyable results, never hashable keys. */
export const KIND_ERROR = 9;
/** Typed arrays are `KIND_TYPED_ARRAY + index in TYPED_ARRAY_NAMES`, so the element type is part of the kind. */
export const KIND_TYPED_ARRAY = 16;
/** Node's Buffer (bytes like a Uint8Array, its own class): after every TYPED_ARRAY_NAMES index there will ever be. */
export const KIND_BUFFER = KIND_TYPED_ARRAY + 15;

/** Element types in a fixed order: the index is mixed into digests, so never reorder, only append. */
export const TYPED_ARRAY_NAMES = [
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
  "Float16Array",
] as const;

export const ERROR_NAMES = ["Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError", "AggregateError"];

type AnyConstructor = abstract new (...args: never[]) => unknown;

const globals = globalThis as unknown as Record<string, AnyConstructor | undefined>;

/** Prototype -> kind. Types missing on a platform (URL in an old worker, Float16Array) are simply absent. */
export const kindByPrototype = new Map<object, number>();

/**
 * Another realm's built-in prototypes, mapped to this realm's. Node's `v8.deserialize` builds
 * values in Node's main realm; under Jest (or any `vm` sandbox) the runtime runs in a context
 * of its own, where such values would fail every prototype check and every disk or Redis hit
 * would be refused. The stores register the host's prototypes when they first decode
 * (`adoptForeignPrototypes`); copies of decoded values are then built in this realm.
 */
const localPrototypes = new Map<object, object>();

/** `Object.getPrototypeOf`, with a registered foreign built-in prototype replaced by this realm's. */
export function prototypeOf(value: object): object | null {
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null ? null : (localPrototypes.get(proto) ?? proto);
}

function constructorNameOf(proto: object): unknown {
  return (Object.getOwnPropertyDescriptor(proto, "constructor")?.value as { name?: unknown } | undefined)?.name;
}

/** Registers, for each local sample, the prototype its `roundTrip` (another realm's copy) has. */
export function adoptForeignPrototypes(samples: readonly object[], roundTrip: (sample: object) => unknown): void {
  for (const sample of samples) {
    const local = Object.getPrototypeOf(sample) as object;
    const copied = roundTrip(sample);
    const foreign = typeof copied === "object" && copied !== null ? (Object.getPrototypeOf(copied) as object | null) : null;
    // Only the same built-in of another realm: a round trip may also change the type (V8 writes an AggregateError as an Error).
    if (foreign !== null && foreign !== local && constructorNameOf(foreign) === constructorNameOf(local)) localPrototypes.set(foreign, local);
  }
}

type ViewConstructor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => ArrayBufferView;

/** The constructor of each typed-array kind, for copying. */
const typedArrayConstructors: ViewConstructor[] = [];

/** Node's Buffer prototype when running on Node (no `node:buffer` import: the runtime must bundle for browsers). */
export const bufferPrototype: object | undefined = globals.Buffer?.prototype as object | undefined;

function register(name: string, kind: number): void {
  const constructor = globals[name];
  if (typeof constructor === "function") kindByPrototype.set(constructor.prototype as object, kind);
}

register("Map", KIND_MAP);
register("Set", KIND_SET);
register("Date", KIND_DATE);
register("RegExp", KIND_REGEXP);
register("URL", KIND_URL);
register("URLSearchParams", KIND_URL_SEARCH_PARAMS);
register("ArrayBuffer", KIND_ARRAY_BUFFER);
register("DataView", KIND_DATA_VIEW);
for (const name of ERROR_NAMES) register(name, KIND_ERROR);
TYPED_ARRAY_NAMES.forEach((name, index) => {
  register(name, KIND_TYPED_ARRAY + index);
  typedArrayConstructors[index] = globals[name] as unknown as ViewConstructor;
});

/**
 * A view of binary-data `kind` (a typed array, Buffer or DataView) over `buffer`:
 * how copies rebuild a view onto their copy of its buffer. `length` counts elements
 * (bytes for a DataView or Buffer).
 */
export function viewOnto(kind: number, buffer: ArrayBuffer, byteOffset: number, length: number): ArrayBufferView {
  if (kind === KIND_DATA_VIEW) return new DataView(buffer, byteOffset, length);
  if (kind === KIND_BUFFER) return (globals.Buffer as unknown as { from(buffer: ArrayBuffer, byteOffset: number, length: number): ArrayBufferView }).from(buffer, byteOffset, length);
  return new typedArrayConstructors[kind - KIND_TYPED_ARRAY](buffer, byteOffset, length);
}

/** Element count of a view (byte count for a DataView), the `length` viewOnto takes. */
export function viewLength(view: ArrayBufferView): number {
  return (view as { length?: number }).length ?? view.byteLength;
}
// A Buffer is a kind of its own: a function may answer differently for a Buffer and a Uint8Array of the same bytes.
if (bufferPrototype) kindByPrototype.set(bufferPrototype, KIND_BUFFER);

/** The constructor name of a value's prototype, mixed into escape-hatch digests so two classes returning the same data differ. */
export function constructorName(value: object): string {
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null;
  const name = proto?.constructor?.name;
  return typeof name === "string" ? name : "";
}
