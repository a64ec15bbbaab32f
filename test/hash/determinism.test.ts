import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { absorbBytes, absorbBytesFrom, finishDigest, openFrame, startDigest } from "../../runtime/hash/mix.ts";
import { goldenDigests } from "./golden-values.ts";

/**
 * Pinned digests: they key the disk and Redis stores, so an accidental algorithm
 * change must fail here. After a deliberate change, regenerate with
 * `npx tsx test/hash/golden-values.ts` and paste the output (persisted caches of
 * users then miss once).
 */
const GOLDEN: Record<string, string> = {
  "int 1": "85c77305f584f8a65089acc964ff4320",
  "negative float": "ddbd416698bf8a32273674b6e51eaa19",
  NaN: "10c237f6c95293c2461123e2f5e0f9e7",
  string: "0fb1381c869fe54a4fa0d19108a59551",
  "long string": "49b2079bbec3bf84c4c9dc6bb5516ac2",
  bigint: "9c3072994b4665f2410e6b866c5dcabe",
  symbol: "fbaf02bf7f64150395027cbe4d85bba8",
  "null and undefined": "67b2133746b4114db5b4b50c2f033d66",
  "sparse array": "da877ec47195dc02f38cd3bc1425567e",
  "small object": "b227b5839345e699d3f3a7f3c3b009c4",
  map: "603d98bff804d76bec8f4de040ab20df",
  set: "3ad1c44a2be2406fdca8f8a2a8fa8685",
  date: "a5e33da8a4df86c02cb75192f35fb2c0",
  regexp: "7d7ee5daac6868ae9448cb3ee7031eec",
  url: "3f6c23b9526f34aeb35740dbb3c45566",
  "search params": "516a40b683dace00573c10806950d761",
  bytes: "0d8883dbe949ccb28c87bfa424dce397",
  floats: "bbbfe182ae5549c14602bbd7226479d5",
  "large floats": "d011f417289ebf3c0941db5076713370",
  cycle: "710ff17269727139414bd11b711e959d",
  "negative zero": "2c98a18c6f4b60cf1fe2b7c189abcfb8",
  "registered-symbol key": "9333fc30b9f6901ab7461e6c4f558e02",
  arguments: "6ce6796759eef39056c66315f977e8cb",
  buffer: "81a9ec64166c528a9490461245b87c91",
  "null-prototype object": "a87363fe20d9a7b9ccbfaeca5d48a215",
};

describe("digest determinism", () => {
  it("matches the golden table", async () => {
    expect(await goldenDigests()).toEqual(GOLDEN);
  });

  it("is the same in a fresh process", async () => {
    const script = fileURLToPath(new URL("./golden-values.ts", import.meta.url));
    const output = execFileSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8", cwd: fileURLToPath(new URL("../..", import.meta.url)) });
    expect(JSON.parse(output)).toEqual(await goldenDigests());
  });
});

describe("binary data on big-endian hosts", () => {
  function digestWith(absorb: () => void): string {
    const out = new Uint32Array(4);
    const frame = openFrame(0);
    startDigest();
    absorb();
    finishDigest(frame, out);
    return Array.from(out, (word) => word.toString(16)).join(".");
  }

  /** The same elements as a big-endian machine would hold them in memory. */
  function asBigEndianMemory(view: ArrayBufferView & { BYTES_PER_ELEMENT: number }): Uint8Array {
    const size = view.BYTES_PER_ELEMENT;
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    return bytes.map((_, i) => bytes[i - (i % size) + (size - 1 - (i % size))]);
  }

  it.each([
    ["Uint8Array", Uint8Array.from({ length: 37 }, (_, i) => i * 11)],
    ["Uint16Array", Uint16Array.from({ length: 19 }, (_, i) => i * 4099)],
    ["Float64Array", Float64Array.from({ length: 13 }, (_, i) => i / 7)],
    ["BigInt64Array", BigInt64Array.from({ length: 5 }, (_, i) => BigInt(i) * -(2n ** 40n))],
  ] as const)("the portable path agrees with the fast path for %s", (_label, view) => {
    const size = view.BYTES_PER_ELEMENT;
    const fast = digestWith(() => absorbBytes(view.buffer, view.byteOffset, view.byteLength, size));
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    expect(digestWith(() => absorbBytesFrom(bytes, size, true))).toBe(fast);
    expect(digestWith(() => absorbBytesFrom(asBigEndianMemory(view), size, false))).toBe(fast);
  });

  it("the portable path handles inputs longer than one scratch chunk", () => {
    const big = Float64Array.from({ length: 20_000 }, (_, i) => Math.sin(i));
    const fast = digestWith(() => absorbBytes(big.buffer, 0, big.byteLength, 8));
    expect(digestWith(() => absorbBytesFrom(asBigEndianMemory(big), 8, false))).toBe(fast);
  });
});
