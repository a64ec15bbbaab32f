/**
 * The mixing core of the key hasher. The structural walk (structural.ts) appends
 * tagged 32-bit words to one growable buffer; a *segment* of that buffer is then
 * digested by four independent 32-bit lanes (xor-multiply-rotate absorbers with their
 * own multiplier, rotation and seed) kept in registers, and finished with a
 * murmur-style avalanche. Collecting words first keeps the lanes in local variables
 * (state in memory would cost a store-to-load round trip per word) and makes every
 * hash allocation-free once the buffer has grown to fit.
 *
 * Digests key the disk and Redis stores, so they must be identical on every platform:
 * binary data is always read as little-endian words (a big-endian host takes a slower,
 * byte-wise path) and floats are split into their IEEE-754 words the same way.
 */

let words = new Int32Array(1024);
/** Words collected so far; a segment is `[start, wordCount)`. */
export let wordCount = 0;

// The lane multipliers (written as literals in addSegmentDigest) are odd with
// well-spread bits (golden-ratio and prime constants); the rotations differ per lane
// so a difference that survives one lane does not line up in the others.
const P1 = 0x9e3779b1 | 0;
const P2 = 0x85ebca77 | 0;
const P3 = 0xc2b2ae3d | 0;
const P4 = 0x27d4eb2f | 0;

export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

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

/** Strings from this length on are digested by the 4-way striped absorber, not word by word. */
const STRIPED_TEXT_LENGTH = 24;

function grow(): void {
  const grown = new Int32Array(words.length * 2);
  grown.set(words);
  words = grown;
}

export function truncateWords(count: number): void {
  wordCount = count;
  // A one-off huge key should not pin megabytes for the life of the process.
  if (count === 0 && words.length > 1 << 18) words = new Int32Array(1024);
}

export function pushWord(w: number): void {
  if (wordCount === words.length) grow();
  words[wordCount++] = w;
}

/**
 * A tag together with a count (string length, array length, member count). Counts
 * below 2^24 share one word with the tag; larger ones follow in two more words.
 */
export function pushHeader(tag: number, count: number): void {
  if (count < 0x1000000) {
    pushWord((count << 8) | tag);
  } else {
    pushWord(LONG_COUNT | tag);
    pushWord(count >>> 0);
    pushWord((count / 0x100000000) | 0);
  }
}

/**
 * Numbers follow SameValueZero: -0 is an int32 equal to 0 and takes the integer path,
 * and every NaN hashes alike whatever its payload.
 */
export function pushNumber(value: number): void {
  if ((value | 0) === value) {
    if (value >= -0x800000 && value < 0x800000) {
      pushWord((value << 8) | TAG_SMALL_INT);
    } else {
      pushWord(TAG_INT);
      pushWord(value);
    }
  } else if (value !== value) {
    pushWord(TAG_NAN);
  } else {
    floatScratch[0] = value;
    pushWord(TAG_FLOAT);
    pushWord(floatWords[FLOAT_LOW]);
    pushWord(floatWords[FLOAT_HIGH]);
  }
}

/** Every UTF-16 code unit counts (lone surrogates too), two per word. */
export function pushString(tag: number, text: string): void {
  const length = text.length;
  pushHeader(tag, length);
  if (length >= STRIPED_TEXT_LENGTH) {
    pushStripedText(text);
    return;
  }
  const pairsEnd = length & ~1;
  for (let i = 0; i < pairsEnd; i += 2) pushWord(text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16));
  if (pairsEnd !== length) pushWord(text.charCodeAt(pairsEnd));
}

// ---- segments ------------------------------------------------------------------------

/** Murmur3's 32-bit finaliser constants, written as signed literals so V8 keeps them int32. */
function avalanche(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, -2048144789); // 0x85ebca6b
  h ^= h >>> 13;
  h = Math.imul(h, -1028477387); // 0xc2b2ae35
  return h ^ (h >>> 16);
}

/**
 * Digests the segment `[start, wordCount)`, adds it into `sums[at..at+3]` and drops
 * it. Used per member of an order-independent container (an object property, a Map
 * entry, a Set element): addition mod 2^32 is commutative, so member order cannot
 * matter, and unlike xor it keeps duplicates (two equal Set members).
 *
 * Per word and lane: xor, multiply, rotate. The constants are literals on purpose:
 * bundlers turn module `const`s into `var`s, which V8 then reloads on every
 * iteration of this, the hottest loop of a cache hit.
 */
export function addSegmentDigest(start: number, sums: Int32Array, at: number): void {
  let a = 0x243f6a88; // seeds: digits of pi
  let b = -2052912941; // 0x85a308d3
  let c = 0x13198a2e;
  let d = 0x03707344;
  const end = wordCount;
  for (let i = start; i < end; i++) {
    const w = words[i];
    a = Math.imul(a ^ w, -1640531535); // 0x9e3779b1
    a = (a << 15) | (a >>> 17);
    b = Math.imul(b ^ w, -2048144777); // 0x85ebca77
    b = (b << 13) | (b >>> 19);
    c = Math.imul(c ^ w, -1028477379); // 0xc2b2ae3d
    c = (c << 17) | (c >>> 15);
    d = Math.imul(d ^ w, 0x27d4eb2f);
    d = (d << 11) | (d >>> 21);
  }
  sums[at] = (sums[at] + avalanche(a)) | 0;
  sums[at + 1] = (sums[at + 1] + avalanche(b)) | 0;
  sums[at + 2] = (sums[at + 2] + avalanche(c)) | 0;
  sums[at + 3] = (sums[at + 3] + avalanche(d)) | 0;
  wordCount = start;
}

const finalLanes = new Int32Array(4);

/** Digests the segment `[start, wordCount)` into `out` with a cross-lane finish, then drops it. */
export function finishSegment(start: number, out: Uint32Array): void {
  finalLanes[0] = 0;
  finalLanes[1] = 0;
  finalLanes[2] = 0;
  finalLanes[3] = 0;
  addSegmentDigest(start, finalLanes, 0);
  let a = finalLanes[0];
  let b = finalLanes[1];
  let c = finalLanes[2];
  let d = finalLanes[3];
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
 * Long strings and binary data are too long to push word by word. Four accumulators
 * take two words per 8-byte stripe, each word feeding two of them with different
 * multipliers, so changing any word changes at least two 32-bit accumulators (a
 * 64-bit collision bound per word) while the four chains run in parallel. The
 * accumulators (plus the loose words and tail bytes) are then pushed into the segment.
 */
const stripe = new Int32Array(4);

function startStripes(): void {
  stripe[0] = 0x61c88647;
  stripe[1] = 0x3243f6a8;
  stripe[2] = 0x7f4a7c15 | 0;
  stripe[3] = 0x2545f491;
}

function pushStripes(): void {
  pushWord(stripe[0]);
  pushWord(stripe[1]);
  pushWord(stripe[2]);
  pushWord(stripe[3]);
}

/** `count` is even: words are consumed in pairs. */
function absorbStripes(source: Uint32Array, count: number): void {
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

function pushStripedText(text: string): void {
  const length = text.length;
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
  pushWord(TAG_LONG_TEXT);
  pushWord(v0);
  pushWord(v1);
  pushWord(v2);
  pushWord(v3);
  for (let i = stripedEnd; i < length; i++) pushWord(text.charCodeAt(i));
}

const CHUNK_BYTES = 1 << 16;
const scratchBuffer = new ArrayBuffer(CHUNK_BYTES);
const scratchBytes = new Uint8Array(scratchBuffer);
const scratchWords = new Uint32Array(scratchBuffer);

function readWordLE(bytes: Uint8Array, at: number): number {
  return bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24);
}

/** Loose words after the last full stripe, then the last 1-3 bytes as one word (the byte length in the header tells them from zeros). */
function pushRest(bytes: Uint8Array, from: number): void {
  const byteLength = bytes.length;
  let i = from;
  for (; i + 4 <= byteLength; i += 4) pushWord(readWordLE(bytes, i));
  let tail = 0;
  for (let shift = 0; i < byteLength; i++, shift += 8) tail |= bytes[i] << shift;
  pushWord(tail);
}

/**
 * Pushes the digest of `byteLength` bytes read as little-endian 32-bit words. Every
 * byte counts (no sampling); the caller pushes the tag and byte length.
 */
export function pushBytes(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, elementSize: number): void {
  const bytes = new Uint8Array(buffer, byteOffset, byteLength);
  if (!LITTLE_ENDIAN) {
    pushBytesFrom(bytes, elementSize, false);
    return;
  }
  const stripedBytes = byteLength & ~7;
  startStripes();
  if ((byteOffset & 3) === 0) {
    absorbStripes(new Uint32Array(buffer, byteOffset, stripedBytes >>> 2), stripedBytes >>> 2);
  } else {
    // Unaligned views (Buffer slices, subarrays) go through an aligned scratch buffer:
    // word boundaries must follow the data, not the address, or equal bytes would hash differently.
    for (let start = 0; start < stripedBytes; start += CHUNK_BYTES) {
      const length = Math.min(CHUNK_BYTES, stripedBytes - start);
      scratchBytes.set(bytes.subarray(start, start + length));
      absorbStripes(scratchWords, length >>> 2);
    }
  }
  pushStripes();
  pushRest(bytes, stripedBytes);
}

/**
 * The portable path: `bytes` holds elements of `elementSize` bytes in the given byte
 * order; each element is hashed as its little-endian encoding. Big-endian hosts use it
 * for all binary data; it is exported so tests can prove it agrees with the fast path.
 */
export function pushBytesFrom(bytes: Uint8Array, elementSize: number, sourceLittleEndian: boolean): void {
  const byteLength = bytes.length;
  const last = sourceLittleEndian ? 0 : elementSize - 1;
  const normalized = new Uint8Array(byteLength);
  for (let i = 0; i < byteLength; i++) {
    const inElement = i % elementSize;
    normalized[i] = bytes[i - inElement + (last === 0 ? inElement : last - inElement)];
  }
  const stripedBytes = byteLength & ~7;
  const chunk = new Uint32Array(CHUNK_BYTES >>> 2);
  startStripes();
  for (let start = 0; start < stripedBytes; start += CHUNK_BYTES) {
    const count = Math.min(CHUNK_BYTES, stripedBytes - start) >>> 2;
    for (let j = 0; j < count; j++) chunk[j] = readWordLE(normalized, start + (j << 2));
    absorbStripes(chunk, count);
  }
  pushStripes();
  pushRest(normalized, stripedBytes);
}
