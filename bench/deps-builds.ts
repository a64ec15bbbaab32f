/**
 * Dependency tracking in whole builds (hashing the code each function reaches): the generated 500-file projects of
 * deps-overhead.ts built by Vite, Rollup + esbuild, Babel and the TypeScript
 * compiler API, with automemo's `dependencies` option on and off. The ratio is
 * best(on) / best(off) over the rounds, in CPU time (noise only adds time); the ratio
 * of medians is in the note. Target: within 10% (1.10x).
 *
 * Every build runs in a fresh Node process, like a one-shot `vite build` or `tsc`:
 * automemo's caches and the JIT start cold, and nothing one build parsed helps the
 * next, except what automemo saves in `node_modules/.cache/automemo` (the "later"
 * rows; "first" starts without it). The plugins are loaded from dist/ (what users install; `npm run bench`
 * builds it first), so the figures are of the shipped code. The two modes alternate
 * round by round, so drift in machine speed hits both alike.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { folderOf, SHAPES, type Shape, shapesFromArguments, writeProject } from "./deps-overhead.ts";
import { cpuMs, formatRatio, median, resultFromChild, type BenchRow } from "./table.ts";

const TARGET = 1.1;
const DIST = fileURLToPath(new URL("../dist/", import.meta.url));
const require = createRequire(import.meta.url);

type Build = (root: string, dependencies: boolean) => Promise<unknown> | unknown;
/** Loads a host's modules (not timed: a build's own work is what is compared) and returns its build. */
type LoadBuild = () => Promise<Build>;

/** The built plugin entry `name` (dist/<name>.js), as a user's build imports `automemo/<name>`. */
async function fromDist<T>(name: string): Promise<T> {
  const file = join(DIST, `${name}.js`);
  if (!existsSync(file)) throw new Error(`bench/deps-builds.ts: ${file} is missing; run \`npm run build\` first (\`npm run bench\` does).`);
  return (await import(pathToFileURL(file).href)) as T;
}

function sourceFiles(root: string): string[] {
  const src = join(root, "src");
  return readdirSync(src)
    .filter((name) => name.endsWith(".ts"))
    .map((name) => join(src, name));
}

const viteBuild: LoadBuild = async () => {
  const { build } = await import("vite");
  const { default: automemo } = await fromDist<{ default: (options: object) => never }>("vite");
  return (root, dependencies) => build({
    root,
    configFile: false,
    logLevel: "silent",
    plugins: [automemo({ dependencies })],
    build: { write: false, minify: false, lib: { entry: join(root, "src/index.ts"), formats: ["es"], fileName: "index" }, rollupOptions: { external: ["automemo"] } },
  });
};

/**
 * Rollup with TypeScript stripped per module by esbuild (as rollup-plugin-esbuild does);
 * `./x.js` imports find `./x.ts`. esbuild works in a service process of its own, so its
 * CPU time is not counted (alike with and without tracking).
 */
const rollupBuild: LoadBuild = async () => {
  const { rollup } = await import("rollup");
  const { transform } = await import("esbuild");
  const { default: automemo } = await fromDist<{ default: (options: object) => never }>("rollup");
  return async (root, dependencies) => {
  const stripTypes = {
    name: "esbuild-strip-types",
    resolveId(specifier: string, importer: string | undefined): string | null {
      if (!importer || !specifier.startsWith(".")) return null;
      const path = join(dirname(importer), specifier);
      return path.endsWith(".js") && !existsSync(path) ? `${path.slice(0, -3)}.ts` : path;
    },
    async transform(code: string, id: string): Promise<{ code: string; map: null } | null> {
      return id.endsWith(".ts") ? { code: (await transform(code, { loader: "ts", sourcefile: id })).code, map: null } : null;
    },
  };
  const bundle = await rollup({ input: join(root, "src/index.ts"), plugins: [automemo({ root, dependencies }), stripTypes], external: ["automemo"], logLevel: "silent" });
  await bundle.generate({ format: "es" });
  await bundle.close();
  };
};

interface BabelCore {
  transformSync(code: string, options: Record<string, unknown>): unknown;
}

const babelBuild: LoadBuild = async () => {
  const babel = require("@babel/core") as BabelCore;
  const { default: automemo } = await fromDist<{ default: unknown }>("babel");
  return (root, dependencies) => {
  for (const filename of sourceFiles(root)) {
    babel.transformSync(readFileSync(filename, "utf8"), {
      filename,
      babelrc: false,
      configFile: false,
      presets: [["@babel/preset-typescript", { allowDeclareFields: true }]],
      plugins: [[automemo, { root, dependencies }]],
    });
  }
  };
};

/** `tsc`-style emit of the whole program (no type-check pass), automemo as a `before` transformer resolving imports with the checker. */
const typescriptBuild: LoadBuild = async () => {
  const ts = require("typescript") as typeof import("typescript");
  const { automemoTransformer } = await fromDist<{ automemoTransformer: (program: unknown, options: object, ts: unknown) => never }>("typescript");
  return (root, dependencies) => {
  const program = ts.createProgram(sourceFiles(root), {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    skipLibCheck: true,
    types: [],
  });
  program.emit(undefined, () => {}, undefined, false, { before: [automemoTransformer(program, { root, dependencies }, ts)] });
  };
};

const HOSTS = {
  "vite build": viteBuild,
  "rollup + esbuild": rollupBuild,
  "babel transformSync": babelBuild,
  "typescript emit": typescriptBuild,
} satisfies Record<string, LoadBuild>;
type HostName = keyof typeof HOSTS;

/** The project of `shape` under `root`, plus the `src/index.ts` entry the bundlers start from. */
function writeBuildProject(root: string, shape: Shape): void {
  const files = writeProject(root, shape);
  // As in a real project: tracking then saves what it learned in node_modules/.cache/automemo.
  mkdirSync(join(root, "node_modules"));
  writeFileSync(join(root, "src/index.ts"), files.map((file) => `export * from "./${file.slice(file.lastIndexOf("/") + 1, -3)}.js";`).join("\n") + "\n");
}

/**
 * CPU ms (every thread of the process: Rolldown's too) of one build in a fresh process.
 * Wall time swung by 15% between identical builds on this shared 2-core machine.
 */
function buildInChild(host: HostName, root: string, dependencies: boolean): Promise<number> {
  return resultFromChild(fileURLToPath(import.meta.url), ["--deps-build", host, root, String(dependencies)], `${host} build`);
}

/** off: no tracking; first: tracking, nothing saved by earlier builds; later: tracking after `first` saved its records, fact sets and summaries. */
type Mode = "off" | "first" | "later";

export async function benchDepsBuilds({ quick = false, shapes = SHAPES, rounds = quick ? 3 : 5 }: { quick?: boolean; shapes?: readonly Shape[]; rounds?: number } = {}): Promise<BenchRow[]> {
  const workspace = mkdtempSync(join(tmpdir(), "automemo-deps-builds-"));
  const rows: BenchRow[] = [];
  try {
    for (const shape of shapes) {
      const root = join(workspace, folderOf(shape));
      writeBuildProject(root, shape);
      for (const host of Object.keys(HOSTS) as HostName[]) {
        const samples: Record<Mode, number[]> = { off: [], first: [], later: [] };
        // One untimed round first: the OS file cache and Node's compile cache settle.
        for (let round = -1; round < rounds; round++) {
          // `later` follows `first` (it uses what `first` saved); `off` moves so drift hits all alike.
          for (const mode of round % 2 === 0 ? (["off", "first", "later"] as const) : (["first", "later", "off"] as const)) {
            if (mode === "first") rmSync(join(root, "node_modules/.cache"), { recursive: true, force: true });
            const ms = await buildInChild(host, root, mode !== "off");
            if (round >= 0) samples[mode].push(ms);
          }
        }
        // Identical builds here varied by up to 1.7x in CPU time, far more than the effect
        // measured; noise only ever adds time, so the best build of each mode is the
        // figure (as for the hit benchmarks), with the ratio of medians beside it.
        const off = Math.min(...samples.off);
        for (const mode of ["first", "later"] as const) {
          const on = Math.min(...samples[mode]);
          rows.push({
            group: `dependency tracking in whole builds (500 generated .ts files, ${shape}, one-shot build per process)`,
            name: `${host}, ${mode === "first" ? "first build (nothing saved)" : "later build (unchanged files saved)"}`,
            value: on,
            unit: "CPU ms",
            ratio: formatRatio(on, off),
            note: `best / best without tracking (${off.toFixed(0)} ms) of ${rounds}; medians ${formatRatio(median(samples[mode]), median(samples.off))}; target <= ${TARGET.toFixed(2)}x`,
          });
        }
      }
    }
    return rows;
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

const buildFlag = process.argv.indexOf("--deps-build");
if (buildFlag !== -1 && process.send) {
  const [host, root, dependencies] = process.argv.slice(buildFlag + 1) as [HostName, string, string];
  const build = await HOSTS[host]();
  const started = cpuMs();
  await build(root, dependencies === "true");
  // automemo saves what a build learned when the process exits: count that too.
  process.emit("exit", 0);
  process.send(cpuMs() - started);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const { printTable } = await import("./table.ts");
  const roundsFlag = process.argv.indexOf("--rounds");
  const rounds = roundsFlag === -1 ? undefined : Number(process.argv[roundsFlag + 1]);
  if (rounds !== undefined && !(Number.isInteger(rounds) && rounds > 0)) throw new Error(`--rounds: expected a positive whole number of rounds, got ${process.argv[roundsFlag + 1]}.`);
  printTable(await benchDepsBuilds({ quick: process.argv.includes("--quick"), shapes: shapesFromArguments(), rounds }));
}
