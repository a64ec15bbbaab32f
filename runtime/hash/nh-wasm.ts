/**
 * The WebAssembly (SIMD) kernel of the bulk-data hash in bulk.ts, assembled from the
 * opcode listing below at first use: no binary blob in the source, no build step, and
 * nothing Node-only (browsers compile the same bytes).
 *
 * Exports `memory` and `nh(data, groups, out)`: the 32-byte groups at `data` are cut
 * into blocks of BLOCK_GROUPS groups (the last one may be shorter); for each block it
 * stores at `out` four 64-bit little-endian sums, one per NH instance `t`:
 *
 *   sum over the block's groups g and i = 0..3 of
 *     (m[8g + i] + K[8g + i + 4t]) * (m[8g + 4 + i] + K[8g + 4 + i + 4t])   (mod 2^64)
 *
 * where m are the block's little-endian 32-bit words, the additions wrap at 2^32 and K
 * (the key, at KEY_OFFSET) restarts at every block. bulk.ts computes the same in plain
 * JavaScript where WebAssembly SIMD is missing; a test holds the two to each other.
 */

/** 32-byte groups per NH block (4 KiB of data, 8 digest words). */
export const BLOCK_GROUPS = 128;
/** Key words: one per data word of a block, plus the 12 the last three instances reach beyond it. */
export const KEY_WORDS = BLOCK_GROUPS * 8 + 12;
/** Memory layout (one 64 KiB page is not enough; two are): key, then the data chunk, then the block sums. */
export const KEY_OFFSET = 0;
export const DATA_OFFSET = 8192;
export const CHUNK_BYTES = 1 << 16;
export const OUT_OFFSET = DATA_OFFSET + CHUNK_BYTES;
const MEMORY_PAGES = 2;

// Value types and opcodes used below (WebAssembly core and SIMD specs).
const I32 = 0x7f;
const V128 = 0x7b;
const BLOCK = 0x02;
const LOOP = 0x03;
const EMPTY = 0x40;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const SELECT = 0x1b;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const I64_STORE = 0x37;
const I32_CONST = 0x41;
const I32_EQZ = 0x45;
const I32_LT_U = 0x49;
const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const I64_ADD = 0x7c;
const SIMD = 0xfd;
const V128_LOAD = [SIMD, 0x00];
const V128_CONST = [SIMD, 0x0c];
const I64X2_EXTRACT_LANE = [SIMD, 0x1d];
const I32X4_ADD = [SIMD, 0xae, 0x01];
const I64X2_ADD = [SIMD, 0xce, 0x01];
const I64X2_EXTMUL_LOW_I32X4_U = [SIMD, 0xde, 0x01];
const I64X2_EXTMUL_HIGH_I32X4_U = [SIMD, 0xdf, 0x01];

// Locals: the three parameters, then ours.
const DATA = 0;
const GROUPS = 1;
const OUT = 2;
const KEY = 3;
const LEFT = 4;
const A = 5;
const B = 6;
const X = 7;
const Y = 8;
const ACC = 9; // 4 accumulators: 9..12
const K = 13; // 5 key vectors: 13..17

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** Signed LEB128, for i32.const. */
function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const get = (local: number): number[] => [LOCAL_GET, local];
const set = (local: number): number[] => [LOCAL_SET, local];
const i32 = (value: number): number[] => [I32_CONST, ...sleb(value)];
/** v128.load with 16-byte alignment hint and a constant offset. */
const load = (offset: number): number[] => [...V128_LOAD, 4, ...leb(offset)];

function body(): number[] {
  const instance = (t: number): number[] => [
    ...get(ACC + t),
    ...get(A), ...get(K + t), ...I32X4_ADD, LOCAL_TEE, X,
    ...get(B), ...get(K + t + 1), ...I32X4_ADD, LOCAL_TEE, Y,
    ...I64X2_EXTMUL_LOW_I32X4_U, ...I64X2_ADD,
    ...get(X), ...get(Y), ...I64X2_EXTMUL_HIGH_I32X4_U, ...I64X2_ADD,
    ...set(ACC + t),
  ];
  const storeSum = (t: number): number[] => [
    ...get(OUT),
    ...get(ACC + t), ...I64X2_EXTRACT_LANE, 0,
    ...get(ACC + t), ...I64X2_EXTRACT_LANE, 1,
    I64_ADD,
    I64_STORE, 3, ...leb(8 * t),
  ];
  const zero = [...V128_CONST, ...new Array<number>(16).fill(0)];
  const code = [
    BLOCK, EMPTY,
    LOOP, EMPTY,
    // Done when no group is left.
    ...get(GROUPS), I32_EQZ, BR_IF, 1,
    // left = min(groups, BLOCK_GROUPS); groups -= left
    ...get(GROUPS), ...i32(BLOCK_GROUPS), ...get(GROUPS), ...i32(BLOCK_GROUPS), I32_LT_U, SELECT, ...set(LEFT),
    ...get(GROUPS), ...get(LEFT), I32_SUB, ...set(GROUPS),
    ...[0, 1, 2, 3].flatMap((t) => [...zero, ...set(ACC + t)]),
    ...i32(KEY_OFFSET), ...set(KEY),
    LOOP, EMPTY,
    ...get(DATA), ...load(0), ...set(A),
    ...get(DATA), ...load(16), ...set(B),
    ...[0, 1, 2, 3, 4].flatMap((k) => [...get(KEY), ...load(16 * k), ...set(K + k)]),
    ...[0, 1, 2, 3].flatMap(instance),
    ...get(DATA), ...i32(32), I32_ADD, ...set(DATA),
    ...get(KEY), ...i32(32), I32_ADD, ...set(KEY),
    ...get(LEFT), ...i32(1), I32_SUB, LOCAL_TEE, LEFT, BR_IF, 0,
    END,
    ...[0, 1, 2, 3].flatMap(storeSum),
    ...get(OUT), ...i32(32), I32_ADD, ...set(OUT),
    BR, 0,
    END,
    END,
    END, // function
  ];
  // Local declarations: 2 i32 (KEY, LEFT), then 13 v128 (A, B, X, Y, 4 accumulators, 5 key vectors).
  const locals = [2, ...leb(2), I32, ...leb(13), V128];
  return [...leb(locals.length + code.length), ...locals, ...code];
}

function section(id: number, content: number[]): number[] {
  return [id, ...leb(content.length), ...content];
}

function name(text: string): number[] {
  return [...leb(text.length), ...Array.from(text, (char) => char.charCodeAt(0))];
}

/** The module's bytes. */
export function nhModuleBytes(): Uint8Array<ArrayBuffer> {
  const type = [1, 0x60, 3, I32, I32, I32, 0];
  const functions = [1, 0];
  const memory = [1, 0x00, ...leb(MEMORY_PAGES)];
  const exports = [2, ...name("memory"), 0x02, 0, ...name("nh"), 0x00, 0];
  const code = [1, ...body()];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, type),
    ...section(3, functions),
    ...section(5, memory),
    ...section(7, exports),
    ...section(10, code),
  ]);
}
