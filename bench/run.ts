/**
 * `npm run bench`: every figure is measured in this run, on this machine.
 *   1. cache-hit cost per call, automemo against memoizee, moize, micro-memoize,
 *      fast-memoize, lodash.memoize (p-memoize for async) and the floor structure for
 *      each argument shape and access pattern (bench/hit-path.ts), one fresh Node
 *      process per case, and the memory per cached entry;
 *   2. key-hashing throughput (bench/hashing.ts) and copy-on-hit cost against
 *      structuredClone (bench/copy.ts);
 *   3. disk and Redis hit latency, Redis against a raw client GET (bench/persistence.ts);
 *   4. transform overhead of the bundler and Babel hosts on a generated 500-file
 *      project (bench/transform-overhead.ts) and the cost of dependency tracking
 *      (bench/deps-overhead.ts: the transform alone; bench/deps-builds.ts: whole Vite,
 *      Rollup, Babel and TypeScript builds), each against the same build without it;
 *   5. one very large module: 10,000 tagged functions, and a 5 MB file (bench/big-files.ts),
 *      against Babel alone and the oxc parse floor;
 *   6. fleet load: 4 processes x 200 callers on one Redis, results and single flight checked,
 *      hit/miss latency beside a raw GET (bench/fleet-load.ts; skipped without redis-server).
 * `--only hit,hashing,persistence,transform,deps,deps-builds,big-files,fleet` runs a subset.
 * Hit ratios are contender / fastest peer and contender / floor: below 1 is faster.
 * `--quick` shortens every round (a smoke run; the figures get noisier).
 */
import { fork } from "node:child_process";
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { benchCopy } from "./copy.ts";
import { benchDepsBuilds } from "./deps-builds.ts";
import { benchBigFiles } from "./big-files.ts";
import { benchDepsOverhead } from "./deps-overhead.ts";
import { benchFleetLoad } from "./fleet-load.ts";
import { benchPersistence } from "./persistence.ts";
import { benchTransformOverhead } from "./transform-overhead.ts";
import { benchHashing } from "./hashing.ts";
import { HIT_CASES, writeSubjects, type HitCase, type HitRow, type MemoryRow } from "./hit-path.ts";
import { formatRatio, printTable, resultFromChild, type BenchRow } from "./table.ts";

const quick = process.argv.includes("--quick");
const roundMs = quick ? 15 : 40;
const onlyFlag = process.argv.indexOf("--only");
const sections = new Set(onlyFlag === -1 ? ["hit", "hashing", "persistence", "transform", "deps", "deps-builds", "big-files", "fleet"] : process.argv[onlyFlag + 1].split(","));
const hitScript = fileURLToPath(new URL("./hit-path.ts", import.meta.url));

/** Runs one hit case in a fresh Node process, so no case inherits JIT feedback from another. */
function measureInChild(caseIndex: number, subjects: string): Promise<HitRow[]> {
  return resultFromChild(hitScript, ["--hit-case", String(caseIndex), "--subjects", subjects, "--round-ms", String(roundMs)], `hit case ${caseIndex}`);
}

function hitTableRows(hitCase: HitCase, rows: readonly HitRow[]): BenchRow[] {
  const fastestPeer = Math.min(...rows.filter((row) => row.kind === "peer").map((row) => row.nsPerHit));
  const floor = rows.find((row) => row.kind === "floor")!.nsPerHit;
  const memoizee = rows.find((row) => row.library.startsWith("memoizee"));
  return rows.map((row) => ({
    group: `${hitCase.shape}, ${hitCase.pattern}`,
    name: row.library,
    value: row.nsPerHit,
    unit: "ns/hit",
    ratio: `${formatRatio(row.nsPerHit, fastestPeer)} peer, ${formatRatio(row.nsPerHit, floor)} floor`,
    note: [row.note, row.library === "automemo" && row.note?.startsWith("copy") && memoizee ? `${formatRatio(row.nsPerHit, memoizee.nsPerHit)} memoizee` : undefined].filter(Boolean).join("; "),
  }));
}

/** One line per shape, one column per pattern: automemo's ns/hit, then its ratio to the fastest peer and to the floor. */
function printHitSummary(results: readonly { hitCase: HitCase; rows: readonly HitRow[] }[]): void {
  const patterns = [...new Set(results.map((result) => result.hitCase.pattern))];
  console.log(`| shape | ${patterns.join(" | ")} |`);
  console.log(`| --- | ${patterns.map(() => "---:").join(" | ")} |`);
  for (const shape of new Set(results.map((result) => result.hitCase.shape))) {
    const cells = patterns.map((pattern) => {
      const rows = results.find((result) => result.hitCase.shape === shape && result.hitCase.pattern === pattern)!.rows;
      const ours = rows.find((row) => row.library === "automemo")!.nsPerHit;
      const fastestPeer = Math.min(...rows.filter((row) => row.kind === "peer").map((row) => row.nsPerHit));
      const floor = rows.find((row) => row.kind === "floor")!.nsPerHit;
      return `${ours.toFixed(ours < 10 ? 1 : 0)} ns (${(ours / fastestPeer).toFixed(2)}x / ${(ours / floor).toFixed(2)}x)`;
    });
    console.log(`| ${shape} | ${cells.join(" | ")} |`);
  }
}

console.log(`automemo benchmark: Node ${process.version}, ${process.platform}/${process.arch}${quick ? " (quick)" : ""}`);
if (sections.has("hit")) {
  console.log("Cache hits: CPU time per call, median of 9 rounds (contenders alternate order) in one fresh process per case.");
  console.log("ratio = contender / fastest peer, and contender / floor (the fastest plain structure for the key): below 1.00x is faster.\n");
  const subjects = writeSubjects();
  const hitRows: BenchRow[] = [];
  const results: { hitCase: HitCase; rows: HitRow[] }[] = [];
  for (const [index, hitCase] of HIT_CASES.entries()) {
    const rows = await measureInChild(index, subjects);
    results.push({ hitCase, rows });
    hitRows.push(...hitTableRows(hitCase, rows));
  }
  printTable(hitRows);
  console.log("\nSummary: automemo ns/hit (x fastest peer / x floor)\n");
  printHitSummary(results);
  const memory = await new Promise<MemoryRow[]>((resolve, reject) => {
    const child = fork(hitScript, ["--hit-memory", "--subjects", subjects], { execArgv: [...process.execArgv, "--expose-gc"] });
    let result: MemoryRow[] | undefined;
    child.on("message", (message) => (result = message as MemoryRow[]));
    child.on("error", reject);
    child.on("exit", (code) => (result !== undefined ? resolve(result) : reject(new Error(`hit memory exited with code ${code}`))));
  });
  console.log("\nMemory per cached entry (heapUsed after GC, 50,000 keys; maxEntries: 4,096 keys)\n");
  console.log("| shape | automemo (B/entry) | floor structure (B/entry) | overhead | with maxEntries (B/entry) |");
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const row of memory) {
    console.log(`| ${row.shape} | ${row.automemoBytes.toFixed(0)} | ${row.mapBytes.toFixed(0)} | ${(row.automemoBytes - row.mapBytes).toFixed(0)} | ${row.boundedBytes?.toFixed(0) ?? ""} |`);
  }
  rmSync(dirname(subjects), { recursive: true, force: true });
  console.log("");
}
if (sections.has("hashing")) {
  printTable([...(await benchHashing({ quick })), ...(await benchCopy({ quick }))]);
  console.log("");
}
if (sections.has("persistence")) {
  printTable(await benchPersistence({ quick }));
  console.log("");
}
if (sections.has("transform")) {
  printTable(await benchTransformOverhead({ quick }));
  console.log("");
}
if (sections.has("deps")) {
  printTable(await benchDepsOverhead({ quick }));
  console.log("");
}
if (sections.has("deps-builds")) {
  printTable(await benchDepsBuilds({ quick }));
  console.log("");
}
if (sections.has("big-files")) {
  printTable(await benchBigFiles({ quick }));
  console.log("");
}
if (sections.has("fleet")) printTable(await benchFleetLoad({ quick }));
