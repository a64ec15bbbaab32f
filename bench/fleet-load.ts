/**
 * Fleet load (`npm run bench -- --only fleet`; needs redis-server): 4 processes x 200
 * concurrent callers of one `@memo({ persist: "redis" })` async function over 10,000 keys
 * drawn from a Zipf distribution (s = 1), with a small share of `clear(fn, key)` calls and
 * of `invalidateTag("bucket:<n>")` (each key is tagged with its bucket, key % 100, by
 * `cacheTag`), against one Redis. Checks, not just timings:
 *   - every result is the right value for its key;
 *   - exactly one computation per key per version: a key's version is the number of its
 *     clears and of its bucket's tag invalidations, each counted before (`begun`) and after
 *     (`done`) the `clear(fn, key)` / `invalidateTag`; each computation records itself in
 *     Redis under the version it started in (`HINCRBY <prefix>:computations:<key>
 *     <clears>.<invalidations> 1`), or under "during-clear" when a clear or invalidation of
 *     its key was under way (its value may be the one that deletes). A count above 1 for
 *     any version fails the run.
 * Reports p50/p99 latency of memory hits and of memory misses (Redis read, waiting for
 * another process's computation, or computing), beside a raw node-redis GET measured in
 * the same processes under the same load.
 */
import { fork } from "node:child_process";
import diagnostics from "node:diagnostics_channel";
import { fileURLToPath } from "node:url";
import { createClient } from "redis";
import { cacheTag, CHANNEL_NAMES, clear, configure, invalidateTag, memo } from "../runtime/index.ts";
import { RedisServer, redisAvailability } from "../test/stores/helpers/redis-server.ts";
import type { BenchRow } from "./table.ts";

const PROCESSES = 4;
const CALLERS = 200;
const KEYS = 10_000;
const ZIPF_S = 1;
/** Share of operations that clear one key (everywhere: memory of this process and Redis). */
const CLEAR_SHARE = 0.002;
/** Share of operations that invalidate one bucket's tag (every key of the bucket, everywhere). */
const TAG_SHARE = 0.001;
/** Each key carries the tag of its bucket, `bucket:<key % BUCKETS>`. */
const BUCKETS = 100;
/** Every this many operations a caller also times a raw GET, the round-trip floor. */
const RAW_GET_EVERY = 20;
/** Simulated work of one computation, besides its Redis bookkeeping. */
const COMPUTE_MS = 2;
const PREFIX = "fleetbench";
const DURING_CLEAR = "during-clear";

interface WorkerReport {
  readonly hitMs: number[];
  readonly missMs: number[];
  readonly rawGetMs: number[];
  wrong: number;
  calls: number;
  clears: number;
  tagInvalidations: number;
  readonly failures: string[];
}

/** The value a key must have, whoever computed it. */
function expectedValue(key: number): { key: number; value: number } {
  return { key, value: (key * 2_654_435_761) % 4_294_967_291 };
}

/** Zipf(s) over 0..n-1 by inverse CDF (binary search over the cumulative weights). */
function zipfSampler(n: number, s: number): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let rank = 0; rank < n; rank++) cumulative[rank] = total += 1 / (rank + 1) ** s;
  return () => {
    const target = Math.random() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (cumulative[middle]! < target) low = middle + 1;
      else high = middle;
    }
    return low;
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** One process of the fleet: CALLERS concurrent loops of `opsPerCaller` operations each. */
async function runWorker(url: string, opsPerCaller: number): Promise<WorkerReport> {
  configure({ redisUrl: url, redisPrefix: PREFIX, redisTimeoutMs: 10_000 });
  const raw = createClient({ url });
  raw.on("error", () => {});
  await raw.connect();
  const load = memo(
    async (key: number) => {
      // Before the first await: cacheTag needs no async context tracking there.
      cacheTag(`bucket:${key % BUCKETS}`);
      const bucket = key % BUCKETS;
      const [begun, done, tagsBegun, tagsDone] = await raw.mGet([
        `${PREFIX}:clears-begun:${key}`,
        `${PREFIX}:clears-done:${key}`,
        `${PREFIX}:tags-begun:${bucket}`,
        `${PREFIX}:tags-done:${bucket}`,
      ]);
      const version = begun === done && tagsBegun === tagsDone ? `${begun ?? "0"}.${tagsBegun ?? "0"}` : DURING_CLEAR;
      await raw.hIncrBy(`${PREFIX}:computations:${key}`, version, 1);
      await new Promise((resolve) => setTimeout(resolve, COMPUTE_MS));
      return expectedValue(key);
    },
    { id: "bench/fleet-load.ts#load", hash: "1", params: ["key"], options: { persist: "redis" } },
  );

  // Which way the synchronous part of the last call went: hits and misses publish before the call returns.
  let lastLookup: "hit" | "miss" | undefined;
  const onHit = () => (lastLookup = "hit");
  const onMiss = () => (lastLookup = "miss");
  diagnostics.subscribe(CHANNEL_NAMES.hit, onHit);
  diagnostics.subscribe(CHANNEL_NAMES.miss, onMiss);

  const report: WorkerReport = { hitMs: [], missMs: [], rawGetMs: [], wrong: 0, calls: 0, clears: 0, tagInvalidations: 0, failures: [] };
  const nextKey = zipfSampler(KEYS, ZIPF_S);
  const caller = async () => {
    for (let op = 0; op < opsPerCaller; op++) {
      const key = nextKey();
      if (Math.random() < CLEAR_SHARE) {
        await raw.incr(`${PREFIX}:clears-begun:${key}`);
        await clear(load, key);
        await raw.incr(`${PREFIX}:clears-done:${key}`);
        report.clears++;
        continue;
      }
      if (Math.random() < TAG_SHARE) {
        const bucket = key % BUCKETS;
        await raw.incr(`${PREFIX}:tags-begun:${bucket}`);
        await invalidateTag(`bucket:${bucket}`);
        await raw.incr(`${PREFIX}:tags-done:${bucket}`);
        report.tagInvalidations++;
        continue;
      }
      lastLookup = undefined;
      const started = performance.now();
      const pending = load(key);
      const lookup = lastLookup;
      const result = await pending;
      const elapsed = performance.now() - started;
      (lookup === "hit" ? report.hitMs : report.missMs).push(elapsed);
      report.calls++;
      const expected = expectedValue(key);
      if (result.key !== expected.key || result.value !== expected.value) report.wrong++;
      if (op % RAW_GET_EVERY === 0) {
        const rawStarted = performance.now();
        await raw.get(`${PREFIX}:clears-done:${key}`);
        report.rawGetMs.push(performance.now() - rawStarted);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: CALLERS }, caller));
  } catch (error) {
    report.failures.push(error instanceof Error ? error.message : String(error));
  }
  diagnostics.unsubscribe(CHANNEL_NAMES.hit, onHit);
  diagnostics.unsubscribe(CHANNEL_NAMES.miss, onMiss);
  await raw.close();
  return report;
}

function startWorker(url: string, opsPerCaller: number): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ["--fleet-worker", url, String(opsPerCaller)], { execArgv: process.execArgv });
    let report: WorkerReport | undefined;
    child.on("message", (message) => (report = message as WorkerReport));
    child.on("error", reject);
    child.on("exit", (code) => (report !== undefined ? resolve(report) : reject(new Error(`fleet worker exited with code ${code}`))));
  });
}

/** The bench section: rows for bench/run.ts's table. Throws when a result is wrong or a key was computed twice in one version. */
export async function benchFleetLoad({ quick = false } = {}): Promise<BenchRow[]> {
  const availability = redisAvailability();
  if (!availability.available) return [{ group: "fleet load", name: "skipped", value: 0, unit: "-", note: availability.reason }];
  const server = await RedisServer.start();
  const raw = createClient({ url: server.url });
  raw.on("error", () => {});
  await raw.connect();
  try {
    const opsPerCaller = quick ? 25 : 100;
    const started = performance.now();
    const reports = await Promise.all(Array.from({ length: PROCESSES }, () => startWorker(server.url, opsPerCaller)));
    const seconds = (performance.now() - started) / 1000;

    let computations = 0;
    let versionsComputedTwice = 0;
    let keysComputed = 0;
    let duringClear = 0;
    for (let cursor = "0"; ; ) {
      const reply = await raw.scan(cursor, { MATCH: `${PREFIX}:computations:*`, COUNT: 1000 });
      for (const hashKey of reply.keys) {
        keysComputed++;
        for (const [version, count] of Object.entries(await raw.hGetAll(hashKey))) {
          computations += Number(count);
          if (version === DURING_CLEAR) duringClear += Number(count);
          else if (Number(count) > 1) versionsComputedTwice++;
        }
      }
      cursor = String(reply.cursor);
      if (cursor === "0") break;
    }
    const failures = reports.flatMap((report) => report.failures);
    const wrong = reports.reduce((sum, report) => sum + report.wrong, 0);
    if (failures.length > 0 || wrong > 0 || versionsComputedTwice > 0) {
      throw new Error(`fleet load failed: ${wrong} wrong results, ${versionsComputedTwice} key versions computed more than once, errors: ${failures.join("; ") || "none"}`);
    }
    const sorted = (pick: (report: WorkerReport) => number[]) => reports.flatMap(pick).sort((a, b) => a - b);
    const hits = sorted((report) => report.hitMs);
    const misses = sorted((report) => report.missMs);
    const rawGets = sorted((report) => report.rawGetMs);
    const calls = reports.reduce((sum, report) => sum + report.calls, 0);
    const clears = reports.reduce((sum, report) => sum + report.clears, 0);
    const tagInvalidations = reports.reduce((sum, report) => sum + report.tagInvalidations, 0);
    const setting = `${PROCESSES} processes x ${CALLERS} callers, ${KEYS} Zipf keys`;
    const row = (name: string, values: readonly number[], p: number, note: string): BenchRow => ({
      group: "fleet load (redis)",
      name: `${name} p${p}`,
      value: percentile(values, p),
      unit: "ms",
      note,
    });
    return [
      row("memory hit", hits, 50, `${hits.length} hits`),
      row("memory hit", hits, 99, ""),
      row("memory miss", misses, 50, `${misses.length} misses: Redis read, wait or compute (${COMPUTE_MS} ms work)`),
      row("memory miss", misses, 99, ""),
      row("raw client GET", rawGets, 50, "same processes, same load"),
      row("raw client GET", rawGets, 99, ""),
      {
        group: "fleet load (redis)",
        name: "throughput",
        value: Math.round(calls / seconds),
        unit: "calls/s",
        note: `${setting}; ${clears} clears, ${tagInvalidations} tag invalidations; ${computations} computations of ${keysComputed} keys (${duringClear} during a clear or invalidation of their key), none twice per version; all results correct`,
      },
    ];
  } finally {
    await raw.close().catch(() => {});
    await server.kill();
  }
}

const workerFlag = process.argv.indexOf("--fleet-worker");
if (workerFlag !== -1 && typeof process.send === "function") {
  const report = await runWorker(process.argv[workerFlag + 1]!, Number(process.argv[workerFlag + 2]));
  process.send(report, () => process.exit(0));
}
