/**
 * Copy-on-hit cost: copySnapshot against structuredClone of the same value, both
 * measured in this run. Run alone with `npx tsx bench/copy.ts`.
 */
import { copySnapshot, snapshotResult } from "../runtime/copy/index.ts";
import { formatRatio, measureNsPerOp, printTable, type BenchRow } from "./table.ts";

function rows(count: number): unknown[] {
  return Array.from({ length: count }, (_, i) => ({ id: i, name: `row ${i}`, tags: ["red", "green", `t${i % 10}`] }));
}

function compare(name: string, value: unknown, minMs: number, quick: boolean): BenchRow[] {
  const snapshot = snapshotResult(value, "bench#copy");
  const options = quick ? { minMs: minMs / 4, rounds: 3, warmupMs: 20 } : { minMs };
  const copyNs = measureNsPerOp(() => copySnapshot(snapshot), options);
  const cloneNs = measureNsPerOp(() => structuredClone(value), options);
  return [
    { group: "copy on hit", name: `${name}: copySnapshot`, value: copyNs, unit: "ns/copy", ratio: formatRatio(cloneNs, copyNs), note: "ratio = structuredClone / ours" },
    { group: "copy on hit", name: `${name}: structuredClone`, value: cloneNs, unit: "ns/copy" },
  ];
}

/** `quick` (from `npm run bench -- --quick`) shortens every measurement. */
export async function benchCopy({ quick = false }: { quick?: boolean } = {}): Promise<BenchRow[]> {
  return [
    ...compare("small object {a, b: [1,2,3], c}", { a: 1, b: [1, 2, 3], c: "x" }, 100, quick),
    ...compare("1,000 rows {id, name, tags}", rows(1000), 200, quick),
  ];
}

if (import.meta.url === (await import("node:url")).pathToFileURL(process.argv[1] ?? "").href) printTable(await benchCopy());
