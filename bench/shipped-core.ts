/**
 * The transformer core as it ships: bundled by esbuild the way tsup builds dist/.
 * Benches that time the core load it from here rather than from source through tsx,
 * because tsx compiles with `keepNames`, which wraps every function in a `__name`
 * call: that made planning up to 1.7x slower, and the baseline more than the code
 * under test, so ratios measured through tsx describe code nobody runs.
 */
import { mkdirSync, rmSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { buildDefines } from "../build-defines.ts";

export type ShippedCore = typeof import("./core-entry.ts");

let loaded: Promise<ShippedCore> | undefined;

export function loadShippedCore(): Promise<ShippedCore> {
  loaded ??= (async () => {
    const outdir = fileURLToPath(new URL("../node_modules/.cache/automemo-bench/", import.meta.url));
    mkdirSync(outdir, { recursive: true });
    const outfile = `${outdir}core-${process.pid}.mjs`;
    await build({
      entryPoints: [fileURLToPath(new URL("./core-entry.ts", import.meta.url))],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      define: buildDefines(),
      outfile,
      logLevel: "warning",
    });
    try {
      return (await import(pathToFileURL(outfile).href)) as ShippedCore;
    } finally {
      // Loaded now; a file per process keeps concurrent bench runs apart.
      rmSync(outfile, { force: true });
    }
  })();
  return loaded;
}
