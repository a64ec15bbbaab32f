/**
 * The digest words of large binary data (typed arrays, Buffers, ArrayBuffers, DataViews
 * of BULK_BYTES or more): NH, the universal hash of UMAC, four times over with
 * Toeplitz-shifted keys, per 4 KiB block. Every byte counts. mix.ts absorbs the eight
 * 32-bit words of each block into its lanes, in order, so the blocks' order counts too.
 *
 * Why NH: it multiplies 32-bit words into 64-bit sums, which SIMD does 4 words at a
 * time, so one pass runs near memory speed (the JavaScript absorber manages a fraction
 * of that); and it comes with a collision bound: for a random key, two different
 * blocks of equal length agree in one instance with probability at most 2^-32, in all
 * four (the shifted keys) at most 2^-128. The key here is fixed (digests must be the same
 * in every process), so the bound holds for data chosen without regard to the key,
 * which is what cache keys are; nothing here is meant to resist crafted collisions
 * (neither is the rest of the hasher).
 *
 * The kernel is WebAssembly (nh-wasm.ts), compiled at the first large input; where
 * WebAssembly SIMD is missing or refused (a strict Content-Security-Policy, a big-endian
 * host) the same sums are computed in JavaScript, equal but about 10x slower (~0.7 GB/s
 * against ~7 on the bench machine; the striped absorber it replaces ran at ~2.5).
 */
import { BLOCK_GROUPS, CHUNK_BYTES, DATA_OFFSET, KEY_OFFSET, KEY_WORDS, nhModuleBytes, OUT_OFFSET } from "./nh-wasm.ts";

/** From this byte length on, binary data is hashed here (below it, mix.ts's striped absorber is cheaper). Part of every such digest: never change. */
export const BULK_BYTES = 2048;
const BLOCK_BYTES = BLOCK_GROUPS * 32;
/** Digest words per block: four 64-bit sums. */
const BLOCK_WORDS = 8;
const CHUNK_WORDS = (CHUNK_BYTES / BLOCK_BYTES) * BLOCK_WORDS;

/** The NH key: a counter through murmur3's finaliser (fixed, well spread, no zero words to speak of). */
const key = new Uint32Array(KEY_WORDS);
for (let i = 0; i < KEY_WORDS; i++) {
  let h = Math.imul(i + 1, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  key[i] = h ^ (h >>> 16);
}

interface Kernel {
  readonly memory: Uint8Array;
  /** The block sums of the last call, as little-endian words (the kernel is only used on little-endian hosts). */
  readonly sums: Uint32Array;
  readonly nh: (data: number, groups: number, out: number) => void;
}

/** undefined: not tried yet; null: unavailable here, use the JavaScript path. */
let kernel: Kernel | null | undefined;

function loadKernel(): Kernel | null {
  const wasm = (globalThis as { WebAssembly?: typeof WebAssembly }).WebAssembly;
  if (wasm === undefined || new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) return null;
  try {
    const instance = new wasm.Instance(new wasm.Module(nhModuleBytes()));
    const buffer = (instance.exports.memory as WebAssembly.Memory).buffer;
    new Uint32Array(buffer, KEY_OFFSET, KEY_WORDS).set(key);
    return { memory: new Uint8Array(buffer), sums: new Uint32Array(buffer, OUT_OFFSET, CHUNK_WORDS), nh: instance.exports.nh as Kernel["nh"] };
  } catch {
    // No SIMD, or compiling code at run time is forbidden here.
    return null;
  }
}

/** Whether the WebAssembly kernel runs here (tests check it is not silently skipped). */
export function hasBulkKernel(): boolean {
  if (kernel === undefined) kernel = loadKernel();
  return kernel !== null;
}

/**
 * Calls `absorb` with the digest words of `bytes` (little-endian data, at least
 * BULK_BYTES long), a chunk at a time: `words[0..count)`, valid only during the call.
 * `useKernel: false` forces the JavaScript path (tests compare the two).
 */
export function forEachBulkDigestChunk(bytes: Uint8Array, absorb: (words: Uint32Array, count: number) => void, useKernel = true): void {
  const active = useKernel && hasBulkKernel() ? kernel! : null;
  const length = bytes.length;
  for (let start = 0; start < length; start += CHUNK_BYTES) {
    const chunkLength = Math.min(CHUNK_BYTES, length - start);
    const groups = Math.ceil(chunkLength / 32);
    const count = Math.ceil(groups / BLOCK_GROUPS) * BLOCK_WORDS;
    const chunk = bytes.subarray(start, start + chunkLength);
    if (active !== null) {
      active.memory.set(chunk, DATA_OFFSET);
      // The last group is zero-padded (the byte length, in the header, tells the padding from data).
      active.memory.fill(0, DATA_OFFSET + chunkLength, DATA_OFFSET + groups * 32);
      active.nh(DATA_OFFSET, groups, OUT_OFFSET);
      absorb(active.sums, count);
    } else {
      nhChunkInJavaScript(chunk, groups);
      absorb(fallbackSums, count);
    }
  }
}

// ---- the JavaScript path ----

const fallbackBytes = new Uint8Array(CHUNK_BYTES);
const fallbackView = new DataView(fallbackBytes.buffer);
const fallbackWords = new Uint32Array(fallbackBytes.buffer);
const fallbackSums = new Uint32Array(CHUNK_WORDS);
const NATIVE_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The high halves of the four instances' sums (the low halves stay in locals). */
const high = new Float64Array(4);

/**
 * Adds x * y (32-bit words) to instance t's 64-bit sum, kept as two exact doubles (low
 * and high halves, carried at the end): 16-bit pieces keep every partial product exact,
 * and a block adds at most 512 terms below 2^34 to each half. Returns the new low half.
 */
function addProduct(low: number, t: number, x: number, y: number): number {
  const xl = x & 0xffff;
  const xh = x >>> 16;
  const yl = y & 0xffff;
  const yh = y >>> 16;
  const crossA = xh * yl;
  const crossB = xl * yh;
  high[t] += xh * yh + (crossA >>> 16) + (crossB >>> 16);
  return low + xl * yl + ((crossA & 0xffff) + (crossB & 0xffff)) * 0x10000;
}

/** The kernel's sums for one chunk, exactly. */
function nhChunkInJavaScript(chunk: Uint8Array, groups: number): void {
  fallbackBytes.set(chunk);
  fallbackBytes.fill(0, chunk.length, groups * 32);
  let out = 0;
  for (let first = 0; first < groups; first += BLOCK_GROUPS) {
    const blockGroups = Math.min(BLOCK_GROUPS, groups - first);
    let low0 = 0;
    let low1 = 0;
    let low2 = 0;
    let low3 = 0;
    high.fill(0);
    for (let g = 0; g < blockGroups; g++) {
      const word = (first + g) * 8;
      for (let i = 0; i < 4; i++) {
        const m = NATIVE_LITTLE_ENDIAN ? fallbackWords[word + i]! : fallbackView.getUint32(4 * (word + i), true);
        const n = NATIVE_LITTLE_ENDIAN ? fallbackWords[word + 4 + i]! : fallbackView.getUint32(4 * (word + 4 + i), true);
        const k = 8 * g + i;
        low0 = addProduct(low0, 0, (m + key[k]!) >>> 0, (n + key[k + 4]!) >>> 0);
        low1 = addProduct(low1, 1, (m + key[k + 4]!) >>> 0, (n + key[k + 8]!) >>> 0);
        low2 = addProduct(low2, 2, (m + key[k + 8]!) >>> 0, (n + key[k + 12]!) >>> 0);
        low3 = addProduct(low3, 3, (m + key[k + 12]!) >>> 0, (n + key[k + 16]!) >>> 0);
      }
    }
    const lows = [low0, low1, low2, low3];
    for (let t = 0; t < 4; t++) {
      fallbackSums[out + 2 * t] = lows[t]! >>> 0;
      fallbackSums[out + 2 * t + 1] = (high[t]! + Math.floor(lows[t]! / 0x100000000)) >>> 0;
    }
    out += BLOCK_WORDS;
  }
}
