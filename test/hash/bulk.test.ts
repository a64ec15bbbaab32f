import { describe, expect, it } from "vitest";
import { BULK_BYTES, forEachBulkDigestChunk, hasBulkKernel } from "../../runtime/hash/bulk.ts";
import { digestHex, hashKeyComponents } from "../../runtime/hash/index.ts";

/**
 * Large binary data is hashed by NH (runtime/hash/bulk.ts): a WebAssembly kernel where
 * it runs, the same sums in JavaScript elsewhere. Digests key the persistent stores,
 * so both paths must agree to the bit.
 */
function digestOf(value: unknown): string {
  hashKeyComponents([value], ["value"], "test/bulk.ts#fn");
  return digestHex();
}

function bulkWords(bytes: Uint8Array, useKernel: boolean): number[] {
  const words: number[] = [];
  forEachBulkDigestChunk(bytes, (chunk, count) => words.push(...chunk.subarray(0, count)), useKernel);
  return words;
}

function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  let state = seed;
  return Uint8Array.from({ length }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) | 0;
    return state >>> 24;
  });
}

describe("bulk hashing of large binary data", () => {
  it("runs the WebAssembly kernel under Node", () => {
    expect(hasBulkKernel()).toBe(true);
  });

  it.each([BULK_BYTES, BULK_BYTES + 1, BULK_BYTES + 31, 4095, 4096, 4097, 65535, 65536, 65536 + 33, 200_003])(
    "the kernel and the JavaScript path give the same words for %i bytes",
    (length) => {
      const bytes = pseudoRandomBytes(length, length);
      const kernel = bulkWords(bytes, true);
      expect(kernel).toHaveLength(Math.ceil(length / 4096) * 8);
      expect(bulkWords(bytes, false)).toEqual(kernel);
      // Words of all-ones data push every 64-bit sum through its carries.
      const ones = new Uint8Array(length).fill(0xff);
      expect(bulkWords(ones, false)).toEqual(bulkWords(ones, true));
    },
  );

  it("an unaligned view hashes like an aligned copy of its bytes", () => {
    const bytes = pseudoRandomBytes(100_001, 7);
    const view = bytes.subarray(3, 3 + 80_000);
    expect(digestOf(view)).toBe(digestOf(view.slice()));
    const floats = new Float64Array(bytes.buffer, 8, 10_000);
    expect(digestOf(floats)).toBe(digestOf(floats.slice()));
    const buffer = Buffer.from(bytes.buffer, 5, 90_000);
    expect(digestOf(buffer)).toBe(digestOf(Buffer.from(buffer)));
  });

  it("block order, trailing zeros and the element type all count", () => {
    const bytes = pseudoRandomBytes(3 * 4096, 11);
    const swapped = bytes.slice();
    swapped.set(bytes.subarray(4096, 8192), 0);
    swapped.set(bytes.subarray(0, 4096), 4096);
    expect(digestOf(swapped)).not.toBe(digestOf(bytes));
    const padded = new Uint8Array(bytes.length + 1);
    padded.set(bytes);
    expect(digestOf(padded)).not.toBe(digestOf(bytes));
    const kinds = [bytes, Buffer.from(bytes), new Float64Array(bytes.slice().buffer), new Uint32Array(bytes.slice().buffer), new DataView(bytes.slice().buffer), bytes.slice().buffer];
    expect(new Set(kinds.map(digestOf)).size).toBe(kinds.length);
  });

  it("keeps -0 apart from 0 in a large Float64Array", () => {
    const zeros = new Float64Array(1000);
    const negative = zeros.slice();
    negative[999] = -0;
    expect(digestOf(negative)).not.toBe(digestOf(zeros));
  });

  it("separates many arrays that differ in one word (no collision among 20,000 near neighbours)", () => {
    const base = new Uint32Array(1024);
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const variant = base.slice();
      variant[i % 1024] = Math.floor(i / 1024) + 1;
      seen.add(digestOf(variant));
    }
    expect(seen.size).toBe(20_000);
  });
});
