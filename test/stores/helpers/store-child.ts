/**
 * A separate process using a store, for the restart and concurrency tests:
 * `node --import tsx store-child.ts '<json>'`. Prints one JSON line with the result.
 */
import { appendFileSync } from "node:fs";
import { DiskStore } from "../../../runtime/stores/disk.ts";
import { RedisStore } from "../../../runtime/stores/redis.ts";
import type { CacheStore, StoreFunction } from "../../../runtime/stores/store.ts";

interface Instructions {
  readonly store: "disk" | "redis";
  readonly dir?: string;
  readonly url?: string;
  readonly lockTtlMs?: number;
  readonly fn: StoreFunction;
  readonly key: string;
  readonly action: "write-sync" | "read-sync" | "compute-once" | "compute-once-sync";
  readonly value?: unknown;
  /** compute-once(-sync): append our pid here when we compute (O_APPEND: safe across processes). */
  readonly marker?: string;
  readonly computeMs?: number;
  /** compute-once: die with SIGKILL in the middle of the computation, like a crash. */
  readonly crashWhileComputing?: boolean;
}

const input = JSON.parse(process.argv[2]!) as Instructions;
const store: CacheStore =
  input.store === "disk" ? new DiskStore({ dir: input.dir, lockStaleMs: input.lockTtlMs }) : new RedisStore({ url: input.url, lockTtlMs: input.lockTtlMs });

async function main(): Promise<unknown> {
  switch (input.action) {
    case "write-sync":
      store.writeSync!(input.fn, input.key, input.value);
      return { written: true };
    case "read-sync":
      return { hit: store.readSync!(input.fn, input.key) ?? null };
    case "compute-once":
      return {
        value: await store.computeOnce!(input.fn, input.key, async () => {
          appendFileSync(input.marker!, `${process.pid}\n`);
          if (input.crashWhileComputing) process.kill(process.pid, "SIGKILL");
          await new Promise((resolve) => setTimeout(resolve, input.computeMs ?? 0));
          return { computedBy: process.pid, payload: "x".repeat(1000) };
        }),
      };
    case "compute-once-sync":
      return {
        value: (store as DiskStore).computeOnceSync(input.fn, input.key, () => {
          appendFileSync(input.marker!, `${process.pid}\n`);
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, input.computeMs ?? 0);
          return { computedBy: process.pid, payload: "x".repeat(1000) };
        }),
      };
  }
}

const result = await main();
await store.close?.();
console.log(JSON.stringify(result));
