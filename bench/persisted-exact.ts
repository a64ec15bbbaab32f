/**
 * Cost of exact persisted results (a disk hit must be an exact copy of the value
 * returned, never an approximation), through the public API: a `@memo`
 * with `persist: "disk"` returning a 1 MB value, first call (compute, snapshot, write)
 * and a disk hit in a fresh runtime (read, decode, fixups, copy), median of 22 rounds.
 * ROOT (default: this checkout) selects the automemo checkout whose runtime/ is
 * measured, so two checkouts can be compared:
 *   npx tsx bench/persisted-exact.ts
 *   ROOT=/path/to/other/checkout npx tsx bench/persisted-exact.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = process.env.ROOT ?? fileURLToPath(new URL("..", import.meta.url));
const { memo, configure } = (await import(join(root, "runtime/index.ts"))) as typeof import("../runtime/index.ts");
const { sharedRuntime } = (await import(join(root, "runtime/handle/shared.ts"))) as typeof import("../runtime/handle/shared.ts");

const rows = (count: number) => Array.from({ length: count }, (_, id) => ({ id, name: `user-${id}`, score: id * 0.5, tags: ["a", "b"] }));
const VALUES: readonly [string, unknown][] = [
  ["1 MB JSON-like rows", rows(14_000)],
  ["1 MB null-prototype rows (fixups)", rows(14_000).map((row) => Object.assign(Object.create(null) as object, row))],
];

function timeMs(run: () => unknown): number {
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];

const dir = mkdtempSync(join(tmpdir(), "automemo-bench-exact-"));
configure({ cacheDir: dir });
try {
  for (const [label, value] of VALUES) {
    const writes: number[] = [];
    const hits: number[] = [];
    for (let round = 0; round < 25; round++) {
      const id = `bench/persisted-exact.ts#${label.length}_${round}`;
      const make = () => memo(() => value, { id, hash: "v1", params: [], options: { persist: "disk" } }) as () => unknown;
      const write = timeMs(make());
      sharedRuntime().handles.delete(id); // what a new process sees: nothing in memory
      const hit = timeMs(make());
      if (round < 3) continue; // warm-up
      writes.push(write);
      hits.push(hit);
    }
    console.log(`${label}: first call (compute + write) ${median(writes).toFixed(1)} ms, disk hit in a fresh runtime ${median(hits).toFixed(1)} ms`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
