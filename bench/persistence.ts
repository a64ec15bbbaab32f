/**
 * Persistent-store hit latency, every figure measured in this run:
 *   - disk: `readSync` and `read` of a 1 KB and a 10 MB value (file read + checksum + v8.deserialize);
 *   - Redis: `RedisStore.read` against a raw node-redis GET of the same bytes (the ratio is
 *     what the store adds: envelope check + deserialize + timeout bookkeeping), the two
 *     taking turns round by round so both see the same machine load.
 * Redis runs against a throwaway `redis-server` on a loopback port (skipped with a note if absent).
 * Standalone: `npx tsx bench/persistence.ts`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, RESP_TYPES } from "redis";
import { encodeEntry } from "../runtime/stores/codec.ts";
import { DiskStore } from "../runtime/stores/disk.ts";
import { RedisStore } from "../runtime/stores/redis.ts";
import type { StoreFunction } from "../runtime/stores/store.ts";
import { RedisServer, redisAvailability } from "../test/stores/helpers/redis-server.ts";
import { cpuMs, formatRatio, measureNsPerOp, median, printTable, type BenchRow } from "./table.ts";

const KEY = "0123456789abcdef0123456789abcdef";

interface Payload {
  readonly label: string;
  readonly value: unknown;
}

/** Table-like data, the typical thing a cached loader returns. */
function rows(count: number): { id: number; name: string; score: number; tags: string[] }[] {
  return Array.from({ length: count }, (_, id) => ({ id, name: `user-${id}`, score: id * 0.5, tags: ["a", "b"] }));
}

const PAYLOADS: readonly Payload[] = [
  { label: "1 KB", value: rows(14) },
  { label: "10 MB rows", value: rows(150_000) },
  // Bytes deserialize with one copy, so this row shows the I/O + checksum cost alone.
  { label: "10 MB bytes", value: new Uint8Array(10 << 20).map((_, index) => index * 31) },
];

function sizeNote(fn: StoreFunction, value: unknown): string {
  const bytes = encodeEntry(fn.id, value, { createdAt: 0, expiresAt: 0 }).length;
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB entry` : `${(bytes / 1024).toFixed(1)} KiB entry`;
}

let timeScale = 1;

/** Wall-clock and CPU µs per awaited call (CPU: this process only, so not the server's time or other processes' load). */
interface AsyncCost {
  readonly wallUs: number;
  readonly cpuUs: number;
}

/**
 * Median cost per awaited call of each function, the functions taking turns round by round
 * (a baseline and the thing compared to it see the same machine load).
 */
async function measureAlternating(fns: readonly (() => Promise<unknown>)[], { minMs = 200, rounds = 9 } = {}): Promise<AsyncCost[]> {
  const results = fns.map(() => [] as AsyncCost[]);
  for (const fn of fns) for (let warm = 0; warm < 20; warm++) await fn();
  for (let round = 0; round < rounds; round++) {
    for (const [i, fn] of fns.entries()) results[i]!.push(await measureAsyncRound(fn, minMs * timeScale));
  }
  return results.map((costs) => ({ wallUs: median(costs.map((cost) => cost.wallUs)), cpuUs: median(costs.map((cost) => cost.cpuUs)) }));
}

async function measureAsyncRound(fn: () => Promise<unknown>, minMs: number): Promise<AsyncCost> {
  let calls = 0;
  const cpuStart = cpuMs();
  const start = performance.now();
  do {
    await fn();
    calls++;
  } while (performance.now() - start < minMs);
  return { wallUs: ((performance.now() - start) * 1000) / calls, cpuUs: ((cpuMs() - cpuStart) * 1000) / calls };
}

/** Median µs per awaited call over a few timed rounds. */
async function measureAsyncUs(fn: () => Promise<unknown>, { minMs = 200, rounds = 5 } = {}): Promise<number> {
  for (let warm = 0; warm < 3; warm++) await fn();
  const results: number[] = [];
  for (let round = 0; round < rounds; round++) results.push((await measureAsyncRound(fn, minMs * timeScale)).wallUs);
  return median(results);
}

async function benchDisk(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "automemo-bench-"));
  const out: BenchRow[] = [];
  try {
    const store = new DiskStore({ dir });
    for (const payload of PAYLOADS) {
      const fn: StoreFunction = { id: `bench.ts#load${payload.label}`, version: "1" };
      store.writeSync(fn, KEY, payload.value);
      const big = payload.label !== "1 KB";
      const syncUs = measureNsPerOp(() => store.readSync(fn, KEY), { minMs: (big ? 300 : 100) * timeScale, rounds: 5, warmupMs: 50 }) / 1000;
      const asyncUs = await measureAsyncUs(() => store.read(fn, KEY), { minMs: big ? 300 : 100 });
      const note = sizeNote(fn, payload.value);
      out.push({ group: "disk hit", name: `readSync ${payload.label}`, value: syncUs, unit: "µs/op", note });
      out.push({ group: "disk hit", name: `read (async) ${payload.label}`, value: asyncUs, unit: "µs/op", ratio: formatRatio(asyncUs, syncUs), note: "ratio: async / sync" });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

async function benchRedis(): Promise<BenchRow[]> {
  const availability = redisAvailability();
  if (!availability.available) return [{ group: "redis hit", name: "skipped", value: 0, unit: "-", note: availability.reason }];
  const server = await RedisServer.start();
  const out: BenchRow[] = [];
  const store = new RedisStore({ url: server.url, timeoutMs: 10_000 });
  const raw = createClient({ url: server.url }).withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  await raw.connect();
  try {
    for (const payload of PAYLOADS) {
      const fn: StoreFunction = { id: `bench.ts#load${payload.label}`, version: "1" };
      await store.write(fn, KEY, payload.value);
      const redisKey = store.entryKey(fn, KEY);
      const big = payload.label !== "1 KB";
      const [rawCost, storeCost] = await measureAlternating([() => raw.get(redisKey), () => store.read(fn, KEY)], { minMs: big ? 300 : 100 });
      const note = sizeNote(fn, payload.value);
      out.push({ group: "redis hit", name: `raw client GET ${payload.label}`, value: rawCost!.wallUs, unit: "µs/op", note: `${note}, same bytes, no decode; client CPU ${rawCost!.cpuUs.toFixed(1)} µs` });
      out.push({
        group: "redis hit",
        name: `RedisStore.read ${payload.label}`,
        value: storeCost!.wallUs,
        unit: "µs/op",
        ratio: formatRatio(storeCost!.wallUs, rawCost!.wallUs),
        note: `ratio: store / raw GET, wall clock (incl. deserialize; target <= 1.20x); client CPU ${storeCost!.cpuUs.toFixed(1)} µs, ${formatRatio(storeCost!.cpuUs, rawCost!.cpuUs)}`,
      });
    }
  } finally {
    await raw.close();
    await store.close();
    await server.kill();
  }
  return out;
}

/** `quick` shortens every timed round (same cases, noisier figures). */
export async function benchPersistence({ quick = false }: { quick?: boolean } = {}): Promise<BenchRow[]> {
  timeScale = quick ? 0.25 : 1;
  return [...(await benchDisk()), ...(await benchRedis())];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printTable(await benchPersistence({ quick: process.argv.includes("--quick") }));
}
