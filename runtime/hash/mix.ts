/**
 * The mixing core of the key hasher. The structural walk (structural.ts) and the
 * plain-data fast path (plain.ts) feed tagged 32-bit words straight into four
 * independent 32-bit lanes (xor-multiply-rotate absorbers, each with its own
 * multiplier, rotation and seed), with no intermediate word buffer. Order-independent containers (object properties, Map entries, Set
 * members) digest each member from fresh seeds, finish it with a murmur-style
 * avalanche per lane and add it into per-container sums (a frame per depth), so
 * member order cannot matter; addition, unlike xor, keeps duplicates apart.
 *
 * Digests key the disk and Redis stores, so they must be identical on every platform:
 * binary data is always read as little-endian words (a big-endian host takes a slower,
 * byte-wise path) and floats are split into their IEEE-754 words the same way.
 */

import { BULK_BYTES, forEachBulkDigestChunk } from "./bulk.ts";
import { TAG_FALSE, TAG_NULL, TAG_TRUE, TAG_UNDEFINED } from "./tags.ts";

// The lane multipliers (written as literals in absorbWord) are odd with well-spread
// bits (golden-ratio and prime constants); the rotations differ per lane so a
// difference that survives one lane does not line up in the others.
const P1 = 0x9e3779b1 | 0;
const P2 = 0x85ebca77 | 0;
const P3 = 0xc2b2ae3d | 0;
const P4 = 0x27d4eb2f | 0;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const floatScratch = new Float64Array(1);
const floatWords = new Int32Array(floatScratch.buffer);
const FLOAT_LOW = LITTLE_ENDIAN ? 0 : 1;
const FLOAT_HIGH = LITTLE_ENDIAN ? 1 : 0;

/** Tags used here; the walker owns the rest (structural.ts). Values are part of every digest: never renumber. */
const TAG_SMALL_INT = 1;
const TAG_INT = 2;
const TAG_FLOAT = 3;
const TAG_NAN = 4;
/** Marks the striped digest of a long string (the length in the string's header already implies it). */
const TAG_LONG_TEXT = 0x40;
/** Set in a header word whose count did not fit in 24 bits and follows in two more words. */
const LONG_COUNT = 0x80;

/** Added to a string tag when the header word also holds the (short) length and the first code unit. */
const SHORT_TEXT = 0x40;

/** Strings from this length on are digested by the 4-way striped absorber, not word by word. */
const STRIPED_TEXT_LENGTH = 24;

// ---- the lanes -----------------------------------------------------------------------

/**
 * The lanes of the digest being computed. A typed array, not module `let`s: V8 boxes
 * an int32 outside the small-integer range stored in a variable slot (an allocation
 * per lane per word). Seeds (digits of pi) are written as literals in startDigest.
 */
const lanes = new Int32Array(4);

/**
 * One word into one lane: xor, multiply, rotate. The constants are literals on
 * purpose: bundlers turn module `const`s into `var`s, which V8 then reloads on every
 * use in the hottest code of a cache hit. Tiny, so V8 inlines them and the plain-data
 * fast path (plain.ts) keeps its lanes in registers.
 */
export function mixIntoLane0(lane: number, word: number): number {
  lane = Math.imul(lane ^ word, -1640531535); // 0x9e3779b1
  return (lane << 15) | (lane >>> 17);
}
export function mixIntoLane1(lane: number, word: number): number {
  lane = Math.imul(lane ^ word, -2048144777); // 0x85ebca77
  return (lane << 13) | (lane >>> 19);
}
export function mixIntoLane2(lane: number, word: number): number {
  lane = Math.imul(lane ^ word, -1028477379); // 0xc2b2ae3d
  return (lane << 17) | (lane >>> 15);
}
export function mixIntoLane3(lane: number, word: number): number {
  lane = Math.imul(lane ^ word, 0x27d4eb2f);
  return (lane << 11) | (lane >>> 21);
}

export function absorbWord(w: number): void {
  lanes[0] = mixIntoLane0(lanes[0], w);
  lanes[1] = mixIntoLane1(lanes[1], w);
  lanes[2] = mixIntoLane2(lanes[2], w);
  lanes[3] = mixIntoLane3(lanes[3], w);
}

/**
 * A tag together with a count (string length, array length, member count). Counts
 * below 2^24 share one word with the tag; larger ones follow in two more words.
 */
export function absorbHeader(tag: number, count: number): void {
  absorbLeafWords(headerWords(tag, count, leafWords, 0));
}

/*
 * Leaf encoders: the words of one leaf value, written to `out` from index `at` (at
 * most 13 words), returning the index after them. The general walk and the plain-data
 * fast path (plain.ts) both encode leaves through these, so they cannot disagree. No
 * user code runs in here.
 */

/** Scratch size: a property key and a leaf value fit together (13 words each at most). */
export const LEAF_WORDS_MAX = 32;
const leafWords = new Int32Array(LEAF_WORDS_MAX);

/**
 * Numbers follow SameValue (`Object.is`): -0 is not 0 (it takes the float path, whose
 * sign bit tells it apart), and every NaN hashes alike whatever its payload.
 */
export function numberWords(value: number, out: Int32Array, at: number): number {
  // V8 reduces `Object.is(x, -0)` to one minus-zero check.
  if ((value | 0) === value && !Object.is(value, -0)) {
    if (value >= -0x800000 && value < 0x800000) {
      out[at] = (value << 8) | TAG_SMALL_INT;
      return at + 1;
    }
    out[at] = TAG_INT;
    out[at + 1] = value;
    return at + 2;
  }
  if (value !== value) {
    out[at] = TAG_NAN;
    return at + 1;
  }
  floatScratch[0] = value;
  out[at] = TAG_FLOAT;
  out[at + 1] = floatWords[FLOAT_LOW];
  out[at + 2] = floatWords[FLOAT_HIGH];
  return at + 3;
}

/**
 * Every UTF-16 code unit counts (lone surrogates too), two per word. A short string
 * packs its length and first code unit into the header word, tagged SHORT_TEXT so it
 * can never read like the header of a longer one (one word less per property key).
 */
export function textWords(tag: number, text: string, out: Int32Array, at: number): number {
  const length = text.length;
  if (length === 0 || length >= STRIPED_TEXT_LENGTH) return longTextWords(tag, text, out, at);
  out[at] = SHORT_TEXT | tag | (length << 8) | (text.charCodeAt(0) << 16);
  let n = at + 1;
  let i = 1;
  for (; i + 1 < length; i += 2) out[n++] = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16);
  if (i < length) out[n++] = text.charCodeAt(i);
  return n;
}

function headerWords(tag: number, count: number, out: Int32Array, at: number): number {
  if (count < 0x1000000) {
    out[at] = (count << 8) | tag;
    return at + 1;
  }
  out[at] = LONG_COUNT | tag;
  out[at + 1] = count >>> 0;
  out[at + 2] = (count / 0x100000000) | 0;
  return at + 3;
}

/**
 * The encoding of a leaf that takes exactly one word (a small integer, NaN, a string
 * of at most one code unit, a boolean, null, undefined: the bulk of typical keys),
 * else 0, which no word ever is (every word's low byte is a non-zero tag). Must agree
 * with numberWords/textWords; the fast path uses it to skip the scratch array.
 */
export function singleWord(value: unknown, tag: number): number {
  if (typeof value === "number") {
    if ((value | 0) === value) return value >= -0x800000 && value < 0x800000 && !Object.is(value, -0) ? (value << 8) | TAG_SMALL_INT : 0;
    return value !== value ? TAG_NAN : 0;
  }
  if (typeof value === "string") {
    const length = value.length;
    if (length === 1) return SHORT_TEXT | tag | 0x100 | (value.charCodeAt(0) << 16);
    return length === 0 ? tag : 0;
  }
  if (typeof value === "boolean") return value ? TAG_TRUE : TAG_FALSE;
  if (value === null) return TAG_NULL;
  return value === undefined ? TAG_UNDEFINED : 0;
}

export function absorbNumber(value: number): void {
  absorbLeafWords(numberWords(value, leafWords, 0));
}

export function absorbString(tag: number, text: string): void {
  absorbLeafWords(textWords(tag, text, leafWords, 0));
}

function absorbLeafWords(count: number): void {
  for (let i = 0; i < count; i++) absorbWord(leafWords[i]);
}

/** Murmur3's 32-bit finaliser constants, written as signed literals so V8 keeps them int32. */
export function avalanche(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, -2048144789); // 0x85ebca6b
  h ^= h >>> 13;
  h = Math.imul(h, -1028477387); // 0xc2b2ae35
  return h ^ (h >>> 16);
}

// ---- frames: digests started inside others ---------------------------------------------

/*
 * A frame holds the 4 lanes of the digest it interrupts and, for an order-independent
 * container, the 4 member-digest sums. Frames are indexed by walk depth, so a nested
 * digest (a member, or a whole key hashed from inside a user hasher) never touches the
 * state of the ones around it.
 */
const FRAME = 8;
let frames = new Int32Array(FRAME * 32);

/** Saves the current lanes in the frame of `depth`, zeroes its sums and returns the frame's offset. */
export function openFrame(depth: number): number {
  const at = depth * FRAME;
  if (at + FRAME > frames.length) {
    const grown = new Int32Array(Math.max(frames.length * 2, at + FRAME));
    grown.set(frames);
    frames = grown;
  }
  frames[at] = lanes[0];
  frames[at + 1] = lanes[1];
  frames[at + 2] = lanes[2];
  frames[at + 3] = lanes[3];
  frames[at + 4] = 0;
  frames[at + 5] = 0;
  frames[at + 6] = 0;
  frames[at + 7] = 0;
  return at;
}

/** Fresh lanes for a new digest (a container member, or a whole key). */
export function startDigest(): void {
  lanes[0] = 0x243f6a88; // seeds: digits of pi
  lanes[1] = -2052912941;
  lanes[2] = 0x13198a2e;
  lanes[3] = 0x03707344;
}

/** Adds the finished digest of one container member into the frame's sums. */
export function addMemberDigest(at: number): void {
  frames[at + 4] = (frames[at + 4] + avalanche(lanes[0])) | 0;
  frames[at + 5] = (frames[at + 5] + avalanche(lanes[1])) | 0;
  frames[at + 6] = (frames[at + 6] + avalanche(lanes[2])) | 0;
  frames[at + 7] = (frames[at + 7] + avalanche(lanes[3])) | 0;
}

/** Puts back the lanes the frame interrupted (also after a failed walk). */
export function restoreFrame(at: number): void {
  lanes[0] = frames[at];
  lanes[1] = frames[at + 1];
  lanes[2] = frames[at + 2];
  lanes[3] = frames[at + 3];
}

/**
 * Restores the interrupted lanes, absorbs the container's tag and member count, then
 * each lane its own member-digest sum: a lane step is a bijection of the word, so the
 * container's lanes agree exactly when all four sums agree (feeding every sum to every
 * lane would cost 12 more steps and could only add chance agreements).
 */
export function closeContainer(at: number, tag: number, count: number): void {
  restoreFrame(at);
  absorbHeader(tag, count);
  lanes[0] = mixIntoLane0(lanes[0], frames[at + 4]);
  lanes[1] = mixIntoLane1(lanes[1], frames[at + 5]);
  lanes[2] = mixIntoLane2(lanes[2], frames[at + 6]);
  lanes[3] = mixIntoLane3(lanes[3], frames[at + 7]);
}

/** Finishes the current digest into `out` with a cross-lane mix, then restores the lanes the frame interrupted. */
export function finishDigest(at: number, out: Uint32Array): void {
  finishLanes(lanes[0], lanes[1], lanes[2], lanes[3], out);
  restoreFrame(at);
}

/**
 * The cross-lane finish of a whole key digest (shared with plain.ts). Mixing the
 * lanes into each other, then one avalanche per word, is a bijection of the 128 bits,
 * so it adds no collision; every output word depends on every lane.
 */
export function finishLanes(a: number, b: number, c: number, d: number, out: Uint32Array): void {
  a = (a + b + c + d) | 0;
  b = (b + a) | 0;
  c = (c + a) | 0;
  d = (d + a) | 0;
  out[0] = avalanche(a);
  out[1] = avalanche(b);
  out[2] = avalanche(c);
  out[3] = avalanche(d);
}

// ---- bulk data: a 4-accumulator striped absorber -----------------------------------------

/*
 * Long strings and binary data below BULK_BYTES (larger data: bulk.ts) are too long to push word by word. Four accumulators
 * take two words per 8-byte stripe, each word feeding two of them with different
 * multipliers, so changing any word changes at least two 32-bit accumulators (a
 * 64-bit collision bound per word) while the four chains run in parallel. The
 * accumulators (plus the loose words and tail bytes) are then absorbed into the lanes.
 */
const stripe = new Int32Array(4);

function startStripes(): void {
  stripe[0] = 0x61c88647;
  stripe[1] = 0x3243f6a8;
  stripe[2] = 0x7f4a7c15 | 0;
  stripe[3] = 0x2545f491;
}

function absorbStripes(): void {
  absorbWord(stripe[0]);
  absorbWord(stripe[1]);
  absorbWord(stripe[2]);
  absorbWord(stripe[3]);
}

/** `count` is even: words are consumed in pairs. */
function stripeWords(source: Uint32Array, count: number): void {
  let v0 = stripe[0];
  let v1 = stripe[1];
  let v2 = stripe[2];
  let v3 = stripe[3];
  for (let i = 0; i < count; i += 2) {
    const w0 = source[i];
    const w1 = source[i + 1];
    v0 = (v0 + Math.imul(w0, P2)) | 0;
    v0 = Math.imul((v0 << 13) | (v0 >>> 19), P1);
    v1 = (v1 + Math.imul(w1, P2)) | 0;
    v1 = Math.imul((v1 << 13) | (v1 >>> 19), P1);
    v2 = (v2 + Math.imul(w0 ^ w1, P3)) | 0;
    v2 = Math.imul((v2 << 17) | (v2 >>> 15), P4);
    v3 = (v3 + Math.imul(w1, P4) + w0) | 0;
    v3 = Math.imul((v3 << 11) | (v3 >>> 21), P3);
  }
  stripe[0] = v0;
  stripe[1] = v1;
  stripe[2] = v2;
  stripe[3] = v3;
}

/** The empty string and long ones: a plain header, then (long) the striped digest and the loose code units. */
function longTextWords(tag: number, text: string, out: Int32Array, at: number): number {
  const length = text.length;
  let n = headerWords(tag, length, out, at);
  if (length === 0) return n;
  let v0 = 0x61c88647;
  let v1 = 0x3243f6a8;
  let v2 = 0x7f4a7c15 | 0;
  let v3 = 0x2545f491;
  const stripedEnd = length & ~3;
  for (let i = 0; i < stripedEnd; i += 4) {
    const w0 = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16);
    const w1 = text.charCodeAt(i + 2) | (text.charCodeAt(i + 3) << 16);
    v0 = (v0 + Math.imul(w0, P2)) | 0;
    v0 = Math.imul((v0 << 13) | (v0 >>> 19), P1);
    v1 = (v1 + Math.imul(w1, P2)) | 0;
    v1 = Math.imul((v1 << 13) | (v1 >>> 19), P1);
    v2 = (v2 + Math.imul(w0 ^ w1, P3)) | 0;
    v2 = Math.imul((v2 << 17) | (v2 >>> 15), P4);
    v3 = (v3 + Math.imul(w1, P4) + w0) | 0;
    v3 = Math.imul((v3 << 11) | (v3 >>> 21), P3);
  }
  out[n++] = TAG_LONG_TEXT;
  out[n++] = v0;
  out[n++] = v1;
  out[n++] = v2;
  out[n++] = v3;
  for (let i = stripedEnd; i < length; i++) out[n++] = text.charCodeAt(i);
  return n;
}

const CHUNK_BYTES = 1 << 16;
const scratchBuffer = new ArrayBuffer(CHUNK_BYTES);
const scratchBytes = new Uint8Array(scratchBuffer);
const scratchWords = new Uint32Array(scratchBuffer);

function readWordLE(bytes: Uint8Array, at: number): number {
  return bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24);
}

function absorbWords(words: Uint32Array, count: number): void {
  for (let i = 0; i < count; i++) absorbWord(words[i]);
}

/** Loose words after the last full stripe, then the last 1-3 bytes as one word (the byte length in the header tells them from zeros). */
function absorbRest(bytes: Uint8Array, from: number): void {
  const byteLength = bytes.length;
  let i = from;
  for (; i + 4 <= byteLength; i += 4) absorbWord(readWordLE(bytes, i));
  let tail = 0;
  for (let shift = 0; i < byteLength; i++, shift += 8) tail |= bytes[i] << shift;
  absorbWord(tail);
}

/**
 * Absorbs the digest of `byteLength` bytes read as little-endian 32-bit words: from
 * BULK_BYTES on, the NH block sums of bulk.ts, below that the striped absorber. Every
 * byte counts (no sampling); the caller absorbs the tag and byte length, which also
 * tells which of the two applies.
 */
export function absorbBytes(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, elementSize: number): void {
  const bytes = new Uint8Array(buffer, byteOffset, byteLength);
  if (!LITTLE_ENDIAN) {
    absorbBytesFrom(bytes, elementSize, false);
    return;
  }
  if (byteLength >= BULK_BYTES) {
    forEachBulkDigestChunk(bytes, absorbWords);
    return;
  }
  const stripedBytes = byteLength & ~7;
  startStripes();
  if ((byteOffset & 3) === 0) {
    stripeWords(new Uint32Array(buffer, byteOffset, stripedBytes >>> 2), stripedBytes >>> 2);
  } else {
    // Unaligned views (Buffer slices, subarrays) go through an aligned scratch buffer:
    // word boundaries must follow the data, not the address, or equal bytes would hash differently.
    for (let start = 0; start < stripedBytes; start += CHUNK_BYTES) {
      const length = Math.min(CHUNK_BYTES, stripedBytes - start);
      scratchBytes.set(bytes.subarray(start, start + length));
      stripeWords(scratchWords, length >>> 2);
    }
  }
  absorbStripes();
  absorbRest(bytes, stripedBytes);
}

/**
 * The portable path: `bytes` holds elements of `elementSize` bytes in the given byte
 * order; each element is hashed as its little-endian encoding. Big-endian hosts use it
 * for all binary data; it is exported so tests can prove it agrees with the fast path.
 */
export function absorbBytesFrom(bytes: Uint8Array, elementSize: number, sourceLittleEndian: boolean): void {
  const byteLength = bytes.length;
  const last = sourceLittleEndian ? 0 : elementSize - 1;
  const normalized = new Uint8Array(byteLength);
  for (let i = 0; i < byteLength; i++) {
    const inElement = i % elementSize;
    normalized[i] = bytes[i - inElement + (last === 0 ? inElement : last - inElement)];
  }
  if (byteLength >= BULK_BYTES) {
    forEachBulkDigestChunk(normalized, absorbWords);
    return;
  }
  const stripedBytes = byteLength & ~7;
  const chunk = new Uint32Array(CHUNK_BYTES >>> 2);
  startStripes();
  for (let start = 0; start < stripedBytes; start += CHUNK_BYTES) {
    const count = Math.min(CHUNK_BYTES, stripedBytes - start) >>> 2;
    for (let j = 0; j < count; j++) chunk[j] = readWordLE(normalized, start + (j << 2));
    stripeWords(chunk, count);
  }
  absorbStripes();
  absorbRest(normalized, stripedBytes);
}
