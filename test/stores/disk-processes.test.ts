import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StoreFunction } from "../../runtime/stores/store.ts";
import { childOutput, runStoreChild } from "./helpers/run-child.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

const KEY = "0123456789abcdef0123456789abcdef";
const fn: StoreFunction = { id: "src/report.ts#buildReport", version: "c0de" };

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  temp = makeTempDir("disk-procs");
});
afterEach(() => temp.remove());

function computations(marker: string): string[] {
  return existsSync(marker) ? readFileSync(marker, "utf8").trim().split("\n").filter(Boolean) : [];
}

describe("DiskStore across processes", () => {
  it("keeps an entry across a restart: one process writes, a later one reads it", async () => {
    const value = { rows: [1, 2, 3], label: "from the first process" };
    childOutput(await runStoreChild({ store: "disk", dir: temp.path, fn, key: KEY, action: "write-sync", value }));
    const second = childOutput(await runStoreChild({ store: "disk", dir: temp.path, fn, key: KEY, action: "read-sync" }));
    expect(second).toEqual({ hit: { value } });
    const newVersion = childOutput(await runStoreChild({ store: "disk", dir: temp.path, fn: { ...fn, version: "other" }, key: KEY, action: "read-sync" }));
    expect(newVersion).toEqual({ hit: null });
  });

  it("finds the directory through AUTOMEMO_CACHE_DIR", async () => {
    const env = { AUTOMEMO_CACHE_DIR: temp.path };
    childOutput(await runStoreChild({ store: "disk", fn, key: KEY, action: "write-sync", value: 7 }, env));
    expect(childOutput(await runStoreChild({ store: "disk", dir: temp.path, fn, key: KEY, action: "read-sync" }))).toEqual({ hit: { value: 7 } });
  });

  it("computes once when 6 processes hammer one key, and every process gets the value", async () => {
    const marker = join(temp.path, "computations.log");
    const dir = join(temp.path, "cache");
    const results = await Promise.all(
      Array.from({ length: 6 }, () => runStoreChild({ store: "disk", dir, fn, key: KEY, action: "compute-once", marker, computeMs: 1500 })),
    );
    const outputs = results.map(childOutput);
    const computedBy = computations(marker);
    expect(computedBy).toHaveLength(1);
    for (const output of outputs) expect(output.value).toEqual({ computedBy: Number(computedBy[0]), payload: "x".repeat(1000) });
  });

  it("computes once for a synchronous function too when 4 processes hammer one key", async () => {
    const marker = join(temp.path, "computations.log");
    const dir = join(temp.path, "cache");
    const results = await Promise.all(
      Array.from({ length: 4 }, () => runStoreChild({ store: "disk", dir, fn, key: KEY, action: "compute-once-sync", marker, computeMs: 1500 })),
    );
    const outputs = results.map(childOutput);
    const computedBy = computations(marker);
    expect(computedBy).toHaveLength(1);
    for (const output of outputs) expect(output.value).toEqual({ computedBy: Number(computedBy[0]), payload: "x".repeat(1000) });
  });

  it("takes over when the computing process crashes while holding the lock", async () => {
    const marker = join(temp.path, "computations.log");
    const dir = join(temp.path, "cache");
    const crashed = await runStoreChild({ store: "disk", dir, fn, key: KEY, action: "compute-once", marker, crashWhileComputing: true });
    expect(crashed.code).not.toBe(0);
    const survivor = childOutput(await runStoreChild({ store: "disk", dir, fn, key: KEY, action: "compute-once", marker, lockTtlMs: 60_000 }));
    const computedBy = computations(marker);
    expect(computedBy).toHaveLength(2);
    expect(survivor.value.computedBy).toBe(Number(computedBy[1]));
  });
});
