/**
 * A strict structural comparison for exactness tests: two values are equal only when
 * no ordinary program could tell them apart. It sees prototypes, every own property
 * (symbol keys and non-enumerable ones too) with its attributes and key order, the
 * internal data of built-ins (Map/Set entries in order, Date time, RegExp source,
 * flags and lastIndex, URL href, binary bytes with byteOffset and buffer length), and
 * the identity structure: an object reached twice in one value must be reached twice
 * at the same places in the other (a bijection), so sharing and cycles count.
 *
 * Returns the path of the first difference, or null when the values are equal.
 */
export function strictDifference(a: unknown, b: unknown): string | null {
  return compare(a, b, "value", new Map(), new Map());
}

function compare(a: unknown, b: unknown, path: string, aToB: Map<object, object>, bToA: Map<object, object>): string | null {
  const objectA = (typeof a === "object" && a !== null) || typeof a === "function";
  const objectB = (typeof b === "object" && b !== null) || typeof b === "function";
  if (!objectA || !objectB) return objectA === objectB && Object.is(a, b) ? null : path;
  const x = a as object;
  const y = b as object;
  const mappedA = aToB.get(x);
  const mappedB = bToA.get(y);
  if (mappedA !== undefined || mappedB !== undefined) return mappedA === y && mappedB === x ? null : `${path} (sharing)`;
  aToB.set(x, y);
  bToA.set(y, x);
  if (typeof x !== typeof y) return `${path} (typeof)`;
  if (typeof x === "function") return x === y ? null : `${path} (function)`;
  if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return `${path} (prototype)`;
  const tag = Object.prototype.toString.call(x);
  if (tag !== Object.prototype.toString.call(y)) return `${path} (class)`;
  const internal = compareInternal(x, y, path, aToB, bToA);
  if (internal !== null) return internal;
  return compareOwnProperties(x, y, path, aToB, bToA);
}

function compareInternal(x: object, y: object, path: string, aToB: Map<object, object>, bToA: Map<object, object>): string | null {
  if (x instanceof Map) {
    const entriesA = [...x];
    const entriesB = [...(y as Map<unknown, unknown>)];
    if (entriesA.length !== entriesB.length) return `${path} (size)`;
    for (let i = 0; i < entriesA.length; i++) {
      const difference = compare(entriesA[i][0], entriesB[i][0], `${path}<key ${i}>`, aToB, bToA) ?? compare(entriesA[i][1], entriesB[i][1], `${path}<value ${i}>`, aToB, bToA);
      if (difference !== null) return difference;
    }
    return null;
  }
  if (x instanceof Set) {
    const membersA = [...x];
    const membersB = [...(y as Set<unknown>)];
    if (membersA.length !== membersB.length) return `${path} (size)`;
    for (let i = 0; i < membersA.length; i++) {
      const difference = compare(membersA[i], membersB[i], `${path}<member ${i}>`, aToB, bToA);
      if (difference !== null) return difference;
    }
    return null;
  }
  if (x instanceof Date) return Object.is(x.getTime(), (y as Date).getTime()) ? null : `${path} (time)`;
  if (x instanceof RegExp) return x.source === (y as RegExp).source && x.flags === (y as RegExp).flags ? null : `${path} (regexp)`;
  if (x instanceof URL) return x.href === (y as URL).href ? null : `${path} (href)`;
  if (x instanceof URLSearchParams) return String(x) === String(y) ? null : `${path} (query)`;
  if (x instanceof ArrayBuffer) return sameBytes(new Uint8Array(x), new Uint8Array(y as ArrayBuffer)) ? null : `${path} (bytes)`;
  if (ArrayBuffer.isView(x)) {
    const other = y as ArrayBufferView;
    if (x.byteOffset !== other.byteOffset || x.byteLength !== other.byteLength) return `${path} (view range)`;
    return compare(x.buffer, other.buffer, `${path}.buffer`, aToB, bToA);
  }
  if (x instanceof Number || x instanceof String || x instanceof Boolean) return Object.is(x.valueOf(), (y as object).valueOf()) ? null : `${path} (boxed)`;
  return null;
}

function sameBytes(x: Uint8Array, y: Uint8Array): boolean {
  return x.length === y.length && x.every((byte, i) => byte === y[i]);
}

function compareOwnProperties(x: object, y: object, path: string, aToB: Map<object, object>, bToA: Map<object, object>): string | null {
  const keysA = Reflect.ownKeys(x);
  const keysB = Reflect.ownKeys(y);
  if (keysA.length !== keysB.length || keysA.some((key, i) => key !== keysB[i])) return `${path} (own keys ${keysA.map(String).join(",")} vs ${keysB.map(String).join(",")})`;
  for (const key of keysA) {
    const at = `${path}[${String(key)}]`;
    // An error's `stack` is an accessor on newer engines (V8 12.x+, Node 22+) and a data property
    // before; a copy keeps the string it reads (a new computation would have its own stack anyway).
    if (key === "stack" && isError(x) && isError(y)) {
      if ((x as Error).stack !== (y as Error).stack) return `${at} (stack text)`;
      continue;
    }
    const descriptorA = Object.getOwnPropertyDescriptor(x, key)!;
    const descriptorB = Object.getOwnPropertyDescriptor(y, key)!;
    if (descriptorA.enumerable !== descriptorB.enumerable || descriptorA.configurable !== descriptorB.configurable || descriptorA.writable !== descriptorB.writable) return `${at} (attributes)`;
    if ("value" in descriptorA !== "value" in descriptorB) return `${at} (data vs accessor)`;
    const difference =
      "value" in descriptorA
        ? compare(descriptorA.value, descriptorB.value, at, aToB, bToA)
        : descriptorA.get === descriptorB.get && descriptorA.set === descriptorB.set
          ? null
          : `${at} (accessor)`;
    if (difference !== null) return difference;
  }
  return null;
}

function isError(value: object): boolean {
  return Object.prototype.toString.call(value) === "[object Error]";
}
