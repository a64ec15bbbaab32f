/**
 * Key-hashing throughput: an 8 MB Float64Array and a ~1 MB JSON-like object (size =
 * JSON.stringify length), plus the per-call cost for the small object the hit-path
 * benchmark uses, against JSON.stringify and a micro-memoize deep-equal hit on the
 * same value (the hash must stay well below that hit for our whole hit to beat it).
 * Run alone with `npx tsx bench/hashing.ts`.
 */
import { memoize as microMemoize } from "micro-memoize";
import { hashKeyComponents } from "../runtime/hash/index.ts";
import { measureNsPerOp, printTable, type BenchRow } from "./table.ts";

const NAMES = ["value"];

/** Records shaped like typical API data, about 1 MB once serialised. */
export function jsonLikeObject(targetBytes = 1 << 20): { value: unknown; bytes: number } {
  const rows: unknown[] = [];
  const value = { generatedAt: "2026-01-01T00:00:00Z", page: 1, rows };
  let bytes = 0;
  for (let i = 0; bytes < targetBytes; i++) {
    rows.push({
      id: i,
      name: `user-${i}`,
      email: `user${i}@example.com`,
      active: i % 3 !== 0,
      score: i * 1.25,
      tags: ["alpha", "beta", i % 7 === 0 ? "gamma" : "delta"],
      address: { city: i % 2 ? "Lisbon" : "Osaka", zip: String(10000 + i), geo: [38.7 + i / 1e4, -9.1] },
    });
    if (i % 256 === 0) bytes = JSON.stringify(value).length;
  }
  return { value, bytes: JSON.stringify(value).length };
}

function megabytesPerSecond(bytes: number, nsPerOp: number): number {
  return bytes / (1 << 20) / (nsPerOp / 1e9);
}

/** `quick` (from `npm run bench -- --quick`) shortens every measurement. */
export async function benchHashing({ quick = false }: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const bulk = quick ? { minMs: 50, rounds: 3, warmupMs: 50 } : { minMs: 200, rounds: 5 };
  const floats = new Float64Array(1 << 20).map((_, i) => Math.sin(i));
  const floatArgs = [floats];
  const floatNs = measureNsPerOp(() => hashKeyComponents(floatArgs, NAMES, "bench#floats"), bulk);

  const json = jsonLikeObject();
  const jsonArgs = [json.value];
  const jsonNs = measureNsPerOp(() => hashKeyComponents(jsonArgs, NAMES, "bench#json"), bulk);
  const stringifyNs = measureNsPerOp(() => JSON.stringify(json.value), bulk);

  // Fresh-but-equal objects, cycled, as in the hit-path benchmark: nothing can be keyed by identity.
  const smalls = Array.from({ length: 1024 }, () => [{ a: 1, b: [1, 2, 3], c: "x" }]);
  let next = 0;
  const smallOptions = quick ? { minMs: 20, rounds: 3, warmupMs: 20 } : {};
  const smallNs = measureNsPerOp(() => hashKeyComponents(smalls[next++ & 1023], NAMES, "bench#small"), smallOptions);
  const smallStringifyNs = measureNsPerOp(() => JSON.stringify(smalls[next++ & 1023][0]), smallOptions);
  const deepHit = microMemoize((value: unknown) => typeof value, { isKeyItemEqual: "deep" });
  const deepHitNs = measureNsPerOp(() => deepHit(smalls[next++ & 1023][0]), smallOptions);

  return [
    { group: "key hashing", name: "Float64Array, 8 MB", value: megabytesPerSecond(floats.byteLength, floatNs), unit: "MB/s", note: "target >= 1000" },
    {
      group: "key hashing",
      name: `JSON-like object, ${(json.bytes / (1 << 20)).toFixed(2)} MB`,
      value: megabytesPerSecond(json.bytes, jsonNs),
      unit: "MB/s",
      ratio: `${(stringifyNs / jsonNs).toFixed(2)}x JSON.stringify speed`,
      note: "target >= 150",
    },
    {
      group: "key hashing",
      name: "small object {a, b: [1,2,3], c}",
      value: smallNs,
      unit: "ns/hash",
      ratio: `${(smallStringifyNs / smallNs).toFixed(2)}x JSON.stringify speed`,
      note: `${((100 * smallNs) / deepHitNs).toFixed(0)}% of a micro-memoize deep hit (${deepHitNs.toFixed(0)} ns)`,
    },
  ];
}

if (import.meta.url === (await import("node:url")).pathToFileURL(process.argv[1] ?? "").href) printTable(await benchHashing());
