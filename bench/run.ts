/**
 * `npm run bench`: every figure is measured in this run, on this machine.
 *   1. cache-hit cost per call, automemo against memoizee, moize, micro-memoize,
 *      fast-memoize, lodash.memoize and a raw Map (bench/hit-path.ts);
 *   2. key-hashing throughput (bench/hashing.ts) and copy-on-hit cost against
 *      structuredClone (bench/copy.ts), when those files are present.
 * Ratios are peer / automemo (emitted shape): above 1 means automemo is faster.
 */
import { fork } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { HIT_CASES, type HitRow } from "./hit-path.ts";

const quick = process.argv.includes("--quick");
const roundMs = quick ? 20 : 80;

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function printHitTable(title: string, rows: readonly HitRow[]): void {
  const reference = rows[0].nsPerHit!;
  console.log(`\n${title}`);
  console.log(`  ${pad("library", 42)} ${pad("ns/hit", 10, true)} ${pad("peer/automemo", 14, true)}`);
  for (const row of rows) {
    const ns = row.nsPerHit === undefined ? "n/a" : row.nsPerHit.toFixed(1);
    const ratio = row.nsPerHit === undefined || row === rows[0] ? "" : `${(row.nsPerHit / reference).toFixed(2)}x`;
    console.log(`  ${pad(row.library, 42)} ${pad(ns, 10, true)} ${pad(ratio, 14, true)}`);
  }
  const beaten = rows.slice(2).filter((row) => row.byValue && row.nsPerHit !== undefined && row.nsPerHit < reference && !row.library.startsWith("raw"));
  console.log(beaten.length === 0 ? "  automemo is the fastest by-value cache here." : `  faster than automemo here: ${beaten.map((row) => row.library).join(", ")}`);
}

/** Runs one hit case in a fresh Node process (same flags, so tsx keeps loading TypeScript). */
function measureInChild(caseIndex: number): Promise<HitRow[]> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL("./hit-path.ts", import.meta.url)), ["--hit-case", String(caseIndex), "--round-ms", String(roundMs)], {
      execArgv: process.execArgv,
    });
    let rows: HitRow[] | undefined;
    child.on("message", (message) => (rows = message as HitRow[]));
    child.on("error", reject);
    child.on("exit", (code) => (rows ? resolve(rows) : reject(new Error(`hit case ${caseIndex} exited with code ${code}`))));
  });
}

async function optionalSection(file: string, exportName: string): Promise<void> {
  const path = new URL(file, import.meta.url);
  if (!existsSync(path)) {
    console.log(`\n(${file} not present: section skipped)`);
    return;
  }
  const module = (await import(path.href)) as Record<string, unknown>;
  const run = module[exportName];
  if (typeof run !== "function") {
    console.log(`\n(${file} has no ${exportName}(): section skipped)`);
    return;
  }
  await run({ quick });
}

console.log(`automemo benchmark: Node ${process.version}, ${process.platform}/${process.arch}${quick ? " (quick)" : ""}`);
console.log("Cache-hit cost per call; (c) passes a fresh-but-equal object on every call.");
for (const [index, hitCase] of HIT_CASES.entries()) {
  const label = `${hitCase.name === "number" ? "(a) one number" : hitCase.name === "two strings" ? "(b) two strings" : "(c) one small object {a: 1, b: [1, 2, 3], c: \"x\"}"}, ${hitCase.liveKeys} live key${hitCase.liveKeys === 1 ? "" : "s"}`;
  printHitTable(label, await measureInChild(index));
}
await optionalSection("./hashing.ts", "benchHashing");
await optionalSection("./copy.ts", "benchCopy");
