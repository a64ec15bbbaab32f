/**
 * The fast path of the key hasher, for plain data: numbers, strings, booleans, null,
 * undefined, and plain (or null-prototype) objects and arrays of them, nested up to
 * PLAIN_DEPTH. It produces exactly the digest the general walk (structural.ts) would:
 * same words (the leaf encoders in mix.ts are shared), same lane steps, same member
 * sums, same finish; test/hash/properties.test.ts checks the two agree. The recent-key
 * shortcut (handle/recent-key.ts) relies on the same rules of what is plain data:
 * change them together (test/runtime/recent-key.test.ts checks it against the hasher).
 *
 * Why it is faster: the lanes live in local variables (registers) instead of module
 * state, leaves are encoded into a scratch array and absorbed in one loop per member
 * instead of through a call per word, a property key's lanes are cached (objects of
 * one shape repeat their keys), and there is
 * no ancestor bookkeeping: anything it does not handle (typed arrays, Map/Set, Date,
 * class instances, registered symbols, bigint, holes, -0, objects with symbol or
 * non-enumerable own keys, structures deeper than
 * PLAIN_DEPTH, which includes every cycle) makes it give up, and the caller starts
 * over with the general walk. It never throws for an unhashable value, so error
 * messages and paths always come from the general walk.
 *
 * Re-entrancy: a getter may run when a property is read and may hash another key.
 * Lanes only pass through the module variables below between a store and the load
 * right after it (a call into a nested container), with no user code in between,
 * and the nested container has loaded them before it reads any property.
 */
import { avalanche, finishLanes, LEAF_WORDS_MAX, mixIntoLane0, mixIntoLane1, mixIntoLane2, mixIntoLane3, numberWords, singleWord, textWords } from "./mix.ts";
import { hasOnlyEnumerableStringKeys } from "./own-keys.ts";
import { TAG_ARRAY, TAG_FALSE, TAG_HOLE, TAG_KEY_COMPONENTS, TAG_NULL, TAG_NULL_PROTOTYPE_OBJECT, TAG_OBJECT, TAG_PROPERTY_KEY, TAG_STRING, TAG_TRUE, TAG_UNDEFINED } from "./tags.ts";

/** Deeper plain data (and every cycle) goes to the general walk, which tracks ancestors. */
const PLAIN_DEPTH = 24;
/** Counts from 2^24 on take a longer header; such sizes are not worth a fast path. */
const MAX_SHORT_COUNT = 0x1000000;

const OBJECT_PROTOTYPE: object = Object.prototype;
const ARRAY_PROTOTYPE: object = Array.prototype;

/** Own scratch for leaf words (not mix.ts's), so the two walks never share one. */
const words = new Int32Array(LEAF_WORDS_MAX);

/**
 * Lane hand-off between a container and the nested one it calls (see the module
 * comment). A typed array, not module `let`s: V8 boxes an int32 outside the small-
 * integer range stored in a variable slot, which cost an allocation per lane per call.
 */
const lanes = new Int32Array(4);

/*
 * The lane step (xor, multiply, rotate per lane, as mixIntoLane0..mixIntoLane3 in mix.ts) is written
 * out inline below on purpose: as calls, the many call sites exhaust V8's inlining
 * budget and every non-inlined call boxes its int32 result.
 */

/**
 * Words of a leaf into `words` from `at`: the index after them, `at` itself for an
 * object (not a leaf), -1 when the fast path does not handle the value.
 */
function leaf(value: unknown, at: number): number {
  if (typeof value === "number") return numberWords(value, words, at);
  if (typeof value === "string") return textWords(TAG_STRING, value, words, at);
  if (typeof value === "object") {
    if (value !== null) return at;
    words[at] = TAG_NULL;
    return at + 1;
  }
  if (typeof value === "boolean") {
    words[at] = value ? TAG_TRUE : TAG_FALSE;
    return at + 1;
  }
  if (value === undefined) {
    words[at] = TAG_UNDEFINED;
    return at + 1;
  }
  return -1;
}

/**
 * Digests the key components into `out`, or returns false (having written nothing to
 * `out`) when some value needs the general walk.
 */
export function hashPlainKey(values: ArrayLike<unknown>, out: Uint32Array): boolean {
  const count = values.length;
  if (count >= MAX_SHORT_COUNT) return false;
  let a = 0x243f6a88; // seeds: digits of pi, as in mix.ts
  let b = -2052912941;
  let c = 0x13198a2e;
  let d = 0x03707344;
  for (let i = 0; i <= count; i++) {
    let end: number;
    if (i === count) {
      words[0] = (count << 8) | TAG_KEY_COMPONENTS;
      end = 1;
    } else {
      const value = values[i];
      end = leaf(value, 0);
      if (end < 0) return false;
      if (end === 0) {
        lanes[0] = a;
        lanes[1] = b;
        lanes[2] = c;
        lanes[3] = d;
        if (!plainContainer(value as object, 1)) return false;
        a = lanes[0];
        b = lanes[1];
        c = lanes[2];
        d = lanes[3];
        continue;
      }
    }
    for (let j = 0; j < end; j++) {
      const w = words[j];
      a = Math.imul(a ^ w, -1640531535); // 0x9e3779b1
      b = Math.imul(b ^ w, -2048144777);
      c = Math.imul(c ^ w, -1028477379);
      d = Math.imul(d ^ w, 0x27d4eb2f);
      a = (a << 15) | (a >>> 17);
      b = (b << 13) | (b >>> 19);
      c = (c << 17) | (c >>> 15);
      d = (d << 11) | (d >>> 21);
    }
  }
  finishLanes(a, b, c, d, out);
  return true;
}

/** Absorbs a plain object or array into the hand-off lanes; false to give up. */
function plainContainer(value: object, depth: number): boolean {
  if (depth > PLAIN_DEPTH) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === ARRAY_PROTOTYPE) return plainArray(value as unknown[], depth);
  if (proto === OBJECT_PROTOTYPE) return plainObject(value as Record<string, unknown>, depth, TAG_OBJECT);
  if (proto === null) return plainObject(value as Record<string, unknown>, depth, TAG_NULL_PROTOTYPE_OBJECT);
  return false;
}

function plainArray(array: unknown[], depth: number): boolean {
  const length = array.length;
  if (length >= MAX_SHORT_COUNT) return false;
  let a = lanes[0];
  let b = lanes[1];
  let c = lanes[2];
  let d = lanes[3];
  // Index -1 is the array's header; then one loop absorbs every leaf.
  for (let i = -1; i < length; i++) {
    let end: number;
    if (i < 0) {
      words[0] = (length << 8) | TAG_ARRAY;
      end = 1;
    } else {
      const item = array[i];
      const single = singleWord(item, TAG_STRING);
      if (single !== 0) {
        const w = item === undefined && !(i in array) ? TAG_HOLE : single;
        a = Math.imul(a ^ w, -1640531535);
        b = Math.imul(b ^ w, -2048144777);
        c = Math.imul(c ^ w, -1028477379);
        d = Math.imul(d ^ w, 0x27d4eb2f);
        a = (a << 15) | (a >>> 17);
        b = (b << 13) | (b >>> 19);
        c = (c << 17) | (c >>> 15);
        d = (d << 11) | (d >>> 21);
        continue;
      }
      end = leaf(item, 0);
      if (end < 0) return false;
      if (end === 0) {
        lanes[0] = a;
        lanes[1] = b;
        lanes[2] = c;
        lanes[3] = d;
        if (!plainContainer(item as object, depth + 1)) return false;
        a = lanes[0];
        b = lanes[1];
        c = lanes[2];
        d = lanes[3];
        continue;
      }
    }
    for (let j = 0; j < end; j++) {
      const w = words[j];
      a = Math.imul(a ^ w, -1640531535);
      b = Math.imul(b ^ w, -2048144777);
      c = Math.imul(c ^ w, -1028477379);
      d = Math.imul(d ^ w, 0x27d4eb2f);
      a = (a << 15) | (a >>> 17);
      b = (b << 13) | (b >>> 19);
      c = (c << 17) | (c >>> 15);
      d = (d << 11) | (d >>> 21);
    }
  }
  lanes[0] = a;
  lanes[1] = b;
  lanes[2] = c;
  lanes[3] = d;
  return true;
}

/*
 * Property keys already absorbed, by nesting depth and position in their object: the
 * member lanes after the key alone (from fresh seeds) depend on nothing else, and
 * objects of one shape (rows of a table) repeat the same keys in the same places.
 * A key compares by identity first (property keys are internalized strings).
 */
const KEY_CACHE_DEPTHS = 8;
const KEY_CACHE_WIDTH = 16;
const cachedKeys: (string | undefined)[] = new Array<string | undefined>(KEY_CACHE_DEPTHS * KEY_CACHE_WIDTH).fill(undefined);
const cachedKeyLanes = new Int32Array(4 * KEY_CACHE_DEPTHS * KEY_CACHE_WIDTH);

/** Absorbs `key` from fresh seeds into the cache slot `slot`. */
function absorbPropertyKey(key: string, slot: number): void {
  const end = textWords(TAG_PROPERTY_KEY, key, words, 0);
  let a = 0x243f6a88;
  let b = -2052912941;
  let c = 0x13198a2e;
  let d = 0x03707344;
  // Once per key and cache slot, off the per-leaf loop: the shared lane steps suffice here.
  for (let j = 0; j < end; j++) {
    const w = words[j];
    a = mixIntoLane0(a, w);
    b = mixIntoLane1(b, w);
    c = mixIntoLane2(c, w);
    d = mixIntoLane3(d, w);
  }
  cachedKeyLanes[4 * slot] = a;
  cachedKeyLanes[4 * slot + 1] = b;
  cachedKeyLanes[4 * slot + 2] = c;
  cachedKeyLanes[4 * slot + 3] = d;
  cachedKeys[slot] = key;
}

/** Each member from fresh seeds, finished per lane and summed (order-independent), exactly as structural.ts does. */
function plainObject(object: Record<string, unknown>, depth: number, tag: number): boolean {
  // The enclosing lanes, taken before any property read (a getter may hash another key).
  const outerA = lanes[0];
  const outerB = lanes[1];
  const outerC = lanes[2];
  const outerD = lanes[3];
  let sumA = 0;
  let sumB = 0;
  let sumC = 0;
  let sumD = 0;
  let count = 0;
  const slotBase = (depth & (KEY_CACHE_DEPTHS - 1)) * KEY_CACHE_WIDTH;
  for (const key in object) {
    // `Object.prototype.hasOwnProperty.call` inside for-in is reduced by V8 to a map check; Object.hasOwn is not.
    if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
    const value = object[key];
    // The member's lanes after its key (from fresh seeds), cached: objects of one shape repeat their keys.
    const slot = slotBase + (count & (KEY_CACHE_WIDTH - 1));
    let a: number;
    let b: number;
    let c: number;
    let d: number;
    if (cachedKeys[slot] === key) {
      a = cachedKeyLanes[4 * slot];
      b = cachedKeyLanes[4 * slot + 1];
      c = cachedKeyLanes[4 * slot + 2];
      d = cachedKeyLanes[4 * slot + 3];
    } else {
      absorbPropertyKey(key, slot);
      a = cachedKeyLanes[4 * slot];
      b = cachedKeyLanes[4 * slot + 1];
      c = cachedKeyLanes[4 * slot + 2];
      d = cachedKeyLanes[4 * slot + 3];
    }
    // Most values are one word: no scratch.
    const valueWord = singleWord(value, TAG_STRING);
    let end = 1;
    if (valueWord === 0) {
      end = leaf(value, 0);
      if (end < 0) return false;
    } else {
      words[0] = valueWord;
    }
    for (let j = 0; j < end; j++) {
      const w = words[j];
      a = Math.imul(a ^ w, -1640531535);
      b = Math.imul(b ^ w, -2048144777);
      c = Math.imul(c ^ w, -1028477379);
      d = Math.imul(d ^ w, 0x27d4eb2f);
      a = (a << 15) | (a >>> 17);
      b = (b << 13) | (b >>> 19);
      c = (c << 17) | (c >>> 15);
      d = (d << 11) | (d >>> 21);
    }
    if (end === 0) {
      lanes[0] = a;
      lanes[1] = b;
      lanes[2] = c;
      lanes[3] = d;
      if (!plainContainer(value as object, depth + 1)) return false;
      a = lanes[0];
      b = lanes[1];
      c = lanes[2];
      d = lanes[3];
    }
    sumA = (sumA + avalanche(a)) | 0;
    sumB = (sumB + avalanche(b)) | 0;
    sumC = (sumC + avalanche(c)) | 0;
    sumD = (sumD + avalanche(d)) | 0;
    count++;
  }
  // Symbol keys, non-enumerable keys (an `arguments` object): the general walk decides.
  if (!hasOnlyEnumerableStringKeys(object, count)) return false;
  // The container's tag and member count, then each lane its own sum (as closeContainer in mix.ts).
  const header = (count << 8) | tag;
  let a = Math.imul(outerA ^ header, -1640531535);
  let b = Math.imul(outerB ^ header, -2048144777);
  let c = Math.imul(outerC ^ header, -1028477379);
  let d = Math.imul(outerD ^ header, 0x27d4eb2f);
  a = Math.imul(((a << 15) | (a >>> 17)) ^ sumA, -1640531535);
  b = Math.imul(((b << 13) | (b >>> 19)) ^ sumB, -2048144777);
  c = Math.imul(((c << 17) | (c >>> 15)) ^ sumC, -1028477379);
  d = Math.imul(((d << 11) | (d >>> 21)) ^ sumD, 0x27d4eb2f);
  lanes[0] = (a << 15) | (a >>> 17);
  lanes[1] = (b << 13) | (b >>> 19);
  lanes[2] = (c << 17) | (c >>> 15);
  lanes[3] = (d << 11) | (d >>> 21);
  return true;
}
