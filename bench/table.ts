/**
 * Shared bench plumbing: one row type, CPU timing, a robust ns/op measurement, a
 * fresh-process runner and a table printer. Every figure in a table is measured in
 * the same run.
 */
import { fork } from "node:child_process";
export interface BenchRow {
  group: string;
  name: string;
  value: number;
  unit: string;
  ratio?: string;
  note?: string;
}

export interface MeasureOptions {
  /** Minimum CPU time per round, in ms. */
  minMs?: number;
  /** Timed rounds; the median is reported. */
  rounds?: number;
  /** Untimed warm-up (CPU ms), so the optimizing compiler has settled. */
  warmupMs?: number;
}

/** CPU time of this process in ms: unlike wall time it does not count time other processes took the core. */
export function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** CPU ms that one call of `work` took. */
export function cpuMsOf(work: () => void): number {
  const started = cpuMs();
  work();
  return cpuMs() - started;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Runs `script` in a fresh Node process (same flags, so tsx keeps loading TypeScript)
 * and resolves with the last message it sends; `what` names it in the error if it sends none.
 */
export function resultFromChild<T>(script: string, args: readonly string[], what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(script, args, { execArgv: process.execArgv });
    let result: T | undefined;
    child.on("message", (message) => (result = message as T));
    child.on("error", reject);
    child.on("exit", (code) => (result !== undefined ? resolve(result) : reject(new Error(`${what} exited with code ${code}`))));
  });
}

/**
 * Median CPU nanoseconds per call of `fn` over several rounds. Each round repeats `fn`
 * in batches until `minMs` of CPU time has passed, so timer resolution does not
 * matter; the median discards rounds disturbed by GC. CPU time rather than wall time
 * keeps figures meaningful on a shared, busy machine.
 */
export function measureNsPerOp(fn: () => unknown, { minMs = 100, rounds = 7, warmupMs = 100 }: MeasureOptions = {}): number {
  let batch = 1;
  const warmupEnd = cpuMs() + warmupMs;
  while (cpuMs() < warmupEnd) {
    for (let i = 0; i < batch; i++) fn();
    if (batch < 1 << 20) batch *= 2;
  }
  const results: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let calls = 0;
    const start = cpuMs();
    let elapsed = 0;
    do {
      for (let i = 0; i < batch; i++) fn();
      calls += batch;
      elapsed = cpuMs() - start;
    } while (elapsed < minMs);
    results.push((elapsed * 1e6) / calls);
  }
  results.sort((a, b) => a - b);
  return results[results.length >> 1];
}

/** `a / b` as "2.41x" (how many times more `a` costs than `b`). */
export function formatRatio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}x`;
}

function formatValue(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Prints rows as an aligned Markdown table (paste-ready for the README). */
export function printTable(rows: readonly BenchRow[]): void {
  const header = ["group", "case", "value", "unit", "ratio", "note"];
  const cells = rows.map((row) => [row.group, row.name, formatValue(row.value), row.unit, row.ratio ?? "", row.note ?? ""]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column].length)));
  const line = (values: string[]) => `| ${values.map((value, column) => (column === 2 ? value.padStart(widths[column]) : value.padEnd(widths[column]))).join(" | ")} |`;
  console.log(line(header));
  console.log(`| ${widths.map((width, column) => (column === 2 ? "-".repeat(width - 1) + ":" : "-".repeat(width))).join(" | ")} |`);
  for (const values of cells) console.log(line(values));
}
