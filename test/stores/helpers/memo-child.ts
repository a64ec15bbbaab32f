/**
 * A program using automemo's public API (`memo` with `persist`), run as a separate
 * process by the end-to-end tests. Environment: PERSIST ("disk" | "redis"), MARKER (a
 * file each computation appends a line to), plus AUTOMEMO_CACHE_DIR / AUTOMEMO_REDIS_URL.
 */
import { appendFileSync } from "node:fs";
import { memo } from "../../../runtime/index.ts";

const persist = process.env.PERSIST!;
const marker = process.env.MARKER!;
const options = { persist };

const square = memo(
  (n: number) => {
    appendFileSync(marker, `square ${process.pid}\n`);
    // Synchronous and slow enough that concurrent programs overlap while it runs.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
    return { n, square: n * n, at: new Date(0) };
  },
  { id: "test/e2e.ts#square", hash: "h1", params: ["n"], options },
);

const slowReport = memo(
  async (name: string) => {
    appendFileSync(marker, `report ${process.pid}\n`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    return { name, rows: [1, 2, 3] };
  },
  { id: "test/e2e.ts#slowReport", hash: "h1", params: ["name"], options },
);

const result = persist === "redis" ? { report: await slowReport("weekly") } : { square: square(7), report: await slowReport("weekly") };
console.log(JSON.stringify(result));
