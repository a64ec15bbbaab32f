/**
 * Key-hashing throughput, each figure against a baseline measured in the same run:
 *   - a Float64Array of 1 KB, 64 KB, 1 MB and 64 MB, in GB/s, against copying the same
 *     bytes (`Uint8Array.prototype.set`, the memory-speed floor of anything that reads
 *     every byte);
 *   - a ~1 MB JSON-like object (size = JSON.stringify length), against JSON.stringify;
 *   - the small object the hit-path benchmark uses, against JSON.stringify and a
 *     micro-memoize deep-equal hit on the same value (the hash must stay well below
 *     that hit for our whole hit to beat it).
 * Hash and baseline alternate round by round (medians), so a busy machine slows both alike.
 * Run alone with `npx tsx bench/hashing.ts` (`--quick` for short rounds).
 */
import { memoize as microMemoize } from "micro-memoize";
import { hashKeyComponents } from "../runtime/hash/index.ts";
import { measureNsPerOp, median, printTable, type BenchRow, type MeasureOptions } from "./table.ts";

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

/** Median ns per call of each function, measured in alternating rounds. */
function measureAlternating(fns: readonly (() => unknown)[], rounds: number, options: MeasureOptions): number[] {
  const results = fns.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    // Each round warms up again (briefly): the batch size that hides the timer's cost is found during warm-up.
    fns.forEach((fn, i) => results[i]!.push(measureNsPerOp(fn, { ...options, rounds: 1, warmupMs: round === 0 ? options.warmupMs : 10 })));
  }
  return results.map(median);
}

const SIZES = [
  { label: "1 KB", bytes: 1 << 10 },
  { label: "64 KB", bytes: 1 << 16 },
  { label: "1 MB", bytes: 1 << 20 },
  { label: "64 MB", bytes: 64 << 20 },
];

/** `quick` (from `npm run bench -- --quick`) shortens every measurement. */
export async function benchHashing({ quick = false }: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const bulk: MeasureOptions = quick ? { minMs: 40, warmupMs: 50 } : { minMs: 150, warmupMs: 100 };
  const rounds = quick ? 3 : 7;
  const rows: BenchRow[] = [];

  for (const size of SIZES) {
    const floats = new Float64Array(size.bytes / 8).map((_, i) => Math.sin(i));
    const source = new Uint8Array(floats.buffer);
    const target = new Uint8Array(size.bytes);
    const args = [floats];
    const [hashNs, copyNs] = measureAlternating([() => hashKeyComponents(args, NAMES, "bench#floats"), () => target.set(source)], rounds, bulk);
    rows.push({
      group: "key hashing",
      name: `Float64Array, ${size.label}`,
      value: size.bytes / hashNs,
      unit: "GB/s",
      ratio: `${(copyNs / hashNs).toFixed(2)}x copy speed`,
      note: `copy: ${(size.bytes / copyNs).toFixed(1)} GB/s; target >= 5 GB/s`,
    });
  }

  const json = jsonLikeObject();
  const jsonArgs = [json.value];
  const [jsonNs, stringifyNs] = measureAlternating([() => hashKeyComponents(jsonArgs, NAMES, "bench#json"), () => JSON.stringify(json.value)], rounds, bulk);
  rows.push({
    group: "key hashing",
    name: `JSON-like object, ${(json.bytes / (1 << 20)).toFixed(2)} MB`,
    value: json.bytes / (1 << 20) / (jsonNs / 1e9),
    unit: "MB/s",
    ratio: `${(stringifyNs / jsonNs).toFixed(2)}x JSON.stringify speed`,
    note: "target >= 1.00x",
  });

  // Fresh-but-equal objects, cycled, as in the hit-path benchmark: nothing can be keyed by identity.
  const smalls = Array.from({ length: 1024 }, () => [{ a: 1, b: [1, 2, 3], c: "x" }]);
  let next = 0;
  const smallOptions: MeasureOptions = quick ? { minMs: 20, warmupMs: 20 } : { minMs: 100, warmupMs: 100 };
  const deepHit = microMemoize((value: unknown) => typeof value, { isKeyItemEqual: "deep" });
  const [smallNs, smallStringifyNs, deepHitNs] = measureAlternating(
    [() => hashKeyComponents(smalls[next++ & 1023]!, NAMES, "bench#small"), () => JSON.stringify(smalls[next++ & 1023]![0]), () => deepHit(smalls[next++ & 1023]![0])],
    rounds,
    smallOptions,
  );
  rows.push({
    group: "key hashing",
    name: "small object {a, b: [1,2,3], c}",
    value: smallNs,
    unit: "ns/hash",
    ratio: `${(smallStringifyNs / smallNs).toFixed(2)}x JSON.stringify speed`,
    note: `${((100 * smallNs) / deepHitNs).toFixed(0)}% of a micro-memoize deep hit (${deepHitNs.toFixed(0)} ns)`,
  });
  return rows;
}

if (import.meta.url === (await import("node:url")).pathToFileURL(process.argv[1] ?? "").href) printTable(await benchHashing({ quick: process.argv.includes("--quick") }));
