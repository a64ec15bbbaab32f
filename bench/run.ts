/**
 * `npm run bench`: every figure is measured in this run, on this machine.
 *   1. cache-hit cost per call, automemo against memoizee, moize, micro-memoize,
 *      fast-memoize, lodash.memoize and a raw Map (bench/hit-path.ts), each case in
 *      fresh Node processes (the best of three per library);
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
 * Hit ratios are peer / automemo (emitted shape): above 1 means automemo is faster.
 * `--quick` shortens every round (a smoke run; the figures get noisier).
 */
import { fileURLToPath } from "node:url";
import { benchCopy } from "./copy.ts";
import { benchDepsBuilds } from "./deps-builds.ts";
import { benchBigFiles } from "./big-files.ts";
import { benchDepsOverhead } from "./deps-overhead.ts";
import { benchFleetLoad } from "./fleet-load.ts";
import { benchPersistence } from "./persistence.ts";
import { benchTransformOverhead } from "./transform-overhead.ts";
import { benchHashing } from "./hashing.ts";
import { HIT_CASES, type HitCase, type HitRow } from "./hit-path.ts";
import { formatRatio, printTable, resultFromChild, type BenchRow } from "./table.ts";

const quick = process.argv.includes("--quick");
const roundMs = quick ? 20 : 80;
const HIT_PROCESSES = quick ? 1 : 3;
const onlyFlag = process.argv.indexOf("--only");
const sections = new Set(onlyFlag === -1 ? ["hit", "hashing", "persistence", "transform", "deps", "deps-builds", "big-files", "fleet"] : process.argv[onlyFlag + 1].split(","));

/** Runs one hit case in a fresh Node process. */
function measureInChild(caseIndex: number): Promise<HitRow[]> {
  const script = fileURLToPath(new URL("./hit-path.ts", import.meta.url));
  return resultFromChild(script, ["--hit-case", String(caseIndex), "--round-ms", String(roundMs)], `hit case ${caseIndex}`);
}

/**
 * Each library's best figure over several fresh processes: what the optimizing compiler
 * makes of a call site varies from process to process (by more than the gaps measured
 * here), and like a slow round, an unlucky compile only ever adds time.
 */
async function bestOfProcesses(caseIndex: number): Promise<HitRow[]> {
  let best: HitRow[] | undefined;
  for (let run = 0; run < HIT_PROCESSES; run++) {
    const rows = await measureInChild(caseIndex);
    best = best?.map((row, i) => (rows[i]!.nsPerHit! < row.nsPerHit! ? rows[i]! : row)) ?? rows;
  }
  return best!;
}

function caseLabel(hitCase: HitCase): string {
  const what = hitCase.name === "number" ? "(a) one number" : hitCase.name === "two strings" ? "(b) two strings" : "(c) small object";
  return `hit ${what}, ${hitCase.liveKeys} live key${hitCase.liveKeys === 1 ? "" : "s"}`;
}

function hitTableRows(hitCase: HitCase, rows: readonly HitRow[]): BenchRow[] {
  const reference = rows[0].nsPerHit!;
  const slower = rows.filter((row) => row.library.startsWith("automemo") === false && row.byValue && !row.library.startsWith("raw") && row.nsPerHit! < reference);
  return rows.map((row, index) => ({
    group: caseLabel(hitCase),
    name: row.library,
    value: row.nsPerHit!,
    unit: "ns/hit",
    ratio: index === 0 ? "" : formatRatio(row.nsPerHit!, reference),
    note: index === 0 ? (slower.length === 0 ? "fastest by-value cache" : `beaten by ${slower.map((r) => r.library).join(", ")}`) : "",
  }));
}

console.log(`automemo benchmark: Node ${process.version}, ${process.platform}/${process.arch}${quick ? " (quick)" : ""}`);
console.log(`Cache hits: CPU time per call, best of 7 rounds in each of ${HIT_PROCESSES} fresh processes; (c) passes a fresh-but-equal {a: 1, b: [1, 2, 3], c: "x"} on every call.`);
console.log("ratio = peer / automemo (emitted shape): above 1.00x automemo is faster.\n");
if (sections.has("hit")) {
  const hitRows: BenchRow[] = [];
  for (const [index, hitCase] of HIT_CASES.entries()) hitRows.push(...hitTableRows(hitCase, await bestOfProcesses(index)));
  printTable(hitRows);
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
