import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { finishSegment, pushBytes, pushBytesFrom, wordCount } from "../../runtime/hash/mix.ts";
import { goldenDigests } from "./golden-values.ts";

/**
 * Pinned digests: they key the disk and Redis stores, so an accidental algorithm
 * change must fail here. After a deliberate change, regenerate with
 * `npx tsx test/hash/golden-values.ts` and paste the output (persisted caches of
 * users then miss once).
 */
const GOLDEN: Record<string, string> = {
  "int 1": "6820e09b0808fda8884c085ff170eb55",
  "negative float": "160d0d39e460c031de4456b9a91af228",
  NaN: "25f4db2d3eafda3f66d8d869cf331fab",
  string: "e869844ae9e69ff91fa781c63231d648",
  "long string": "dd47aa9e195772fe30375e421f2274f9",
  bigint: "fdb41f31edfbe56c6ba2e6b35a39217c",
  symbol: "b3daa101d6c2450afda64ffac0b5f5f4",
  "null and undefined": "bc94fa44659b716c92f3bf35565fbbb9",
  "sparse array": "8a6a679621e7977cae0bddbc4ba0fd0d",
  "small object": "90fd0856814c4e75215b11e99ca5b6fe",
  map: "03f563361c7884fa7673782f2d675de4",
  set: "28775fd575fa172bf577626684e5c244",
  date: "d6c92c237b79a7e563b4623209a0af92",
  regexp: "18b4514ca3902faa81a8046037960594",
  url: "6f9ca065b73528f8d596927fc8f423f9",
  "search params": "75130fd2073632ae8ed12264a9271d47",
  bytes: "a07c1519049e5f0837cfc654682de643",
  floats: "316daed8679468e017f08f42fd3835a2",
  cycle: "9ee28187126ad5645e8e08877c3da02f",
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
  function digestWith(push: () => void): string {
    const out = new Uint32Array(4);
    const start = wordCount;
    push();
    finishSegment(start, out);
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
    const fast = digestWith(() => pushBytes(view.buffer, view.byteOffset, view.byteLength, size));
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    expect(digestWith(() => pushBytesFrom(bytes, size, true))).toBe(fast);
    expect(digestWith(() => pushBytesFrom(asBigEndianMemory(view), size, false))).toBe(fast);
  });

  it("the portable path handles inputs longer than one scratch chunk", () => {
    const big = Float64Array.from({ length: 20_000 }, (_, i) => Math.sin(i));
    const fast = digestWith(() => pushBytes(big.buffer, 0, big.byteLength, 8));
    expect(digestWith(() => pushBytesFrom(asBigEndianMemory(big), 8, false))).toBe(fast);
  });
});
