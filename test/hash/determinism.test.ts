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
  "int 1": "6820e09b0808fda8884c085ff170eb55",
  "negative float": "160d0d39e460c031de4456b9a91af228",
  NaN: "25f4db2d3eafda3f66d8d869cf331fab",
  string: "e19d133b56afc18f17c6c9343c69ddcf",
  "long string": "dd47aa9e195772fe30375e421f2274f9",
  bigint: "e86dbec2bcd89bce8f555c398176d0b1",
  symbol: "8c1ac73ccef826a43c2faa308e4d1557",
  "null and undefined": "bc94fa44659b716c92f3bf35565fbbb9",
  "sparse array": "8a6a679621e7977cae0bddbc4ba0fd0d",
  "small object": "08db1b1d1314a4b1c65907dccf267eb6",
  map: "6af8c660510304583fe1981f0a1c940b",
  set: "8841f0ec143ee7a7639d5129e16e88b0",
  date: "d6c92c237b79a7e563b4623209a0af92",
  regexp: "15c03edd7d9a64a6f5752994868b1281",
  url: "6f9ca065b73528f8d596927fc8f423f9",
  "search params": "c62c72d74c1ddbfc839a3a5c789a8522",
  bytes: "a07c1519049e5f0837cfc654682de643",
  floats: "316daed8679468e017f08f42fd3835a2",
  cycle: "b04d606d82bc583ec40912986c9fe274",
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
