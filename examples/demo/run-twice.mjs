/* global console, process, performance, URL */
// `npm start`: runs the demo report twice with `automemo run` against a fresh disk
// cache, and shows how much faster the second run is. Needs `npm run build` first
// (npm start does it).
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const script = "examples/demo/report.ts";
const cacheDir = fileURLToPath(new URL("../../node_modules/.cache/automemo-demo", import.meta.url));

rmSync(cacheDir, { recursive: true, force: true });
const seconds = [];
for (const label of ["first run (cold cache)", "second run (disk cache)"]) {
  console.log(`\n=== ${label}: automemo run ${script}`);
  const started = performance.now();
  const run = spawnSync(process.execPath, [cli, "run", script], {
    cwd: repo,
    stdio: "inherit",
    env: { ...process.env, AUTOMEMO_CACHE_DIR: cacheDir },
  });
  if (run.status !== 0) {
    console.error(`automemo run failed (exit code ${run.status ?? run.signal})`);
    process.exit(1);
  }
  seconds.push((performance.now() - started) / 1000);
}
const [cold, warm] = seconds;
console.log(`\nfirst run ${cold.toFixed(2)} s, second run ${warm.toFixed(2)} s: ${(cold / warm).toFixed(1)}x faster`);
