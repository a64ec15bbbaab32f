/**
 * Transform overhead: the same build of a generated 500-file TypeScript project with
 * and without automemo, for a Vite build (Rolldown), a Rollup build (types stripped by
 * esbuild) and a Babel build (preset-typescript), with (a) no tags at all and (b) one
 * `@memo` tag in every file. Every configuration runs in the same process, interleaved
 * round by round so machine noise hits all of them alike; the ratio is
 * median(with plugin) / median(without). Targets: (a) within 3%, (b) within 15%.
 *
 * For (b) a probe plugin that only parses each tagged file (no planning, no edit)
 * measures the floor that the parse alone puts under any oxc-based transform.
 */
import { fork } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { transform as esbuildTransform } from "esbuild";
import { rollup } from "rollup";
import { build } from "vite";
import automemoBabel from "../transformer/babel.ts";
import automemoRollup from "../transformer/bundlers/rollup.ts";
import automemoVite from "../transformer/bundlers/vite.ts";
import { clearDependencyCaches } from "../transformer/core/index.ts";
import { parseModule } from "../transformer/core/parse.ts";
import { formatRatio, type BenchRow } from "./table.ts";

const FILE_COUNT = 500;

/** The slice of @babel/core this bench calls (Babel ships no types of its own). */
interface BabelCore {
  transformSync(code: string, options: Record<string, unknown>): { code?: string | null } | null;
}
const babel = createRequire(import.meta.url)("@babel/core") as BabelCore;

type Variant = "no tags" | "one tag per file";

/**
 * One module of the generated project: types, a class, helpers, and one function that
 * is tagged in variant (b). Modules import their predecessor (a 500-deep module graph
 * for the bundler) and a shared helper; the tagged function calls a local helper and
 * the shared one, as typical code does.
 */
function moduleSource(index: number, tagged: boolean): string {
  const previous = index > 0 ? `import { chained${index - 1} } from "./mod${index - 1}.ts";\n` : "";
  return `import { scale } from "./shared.ts";
${previous}
export interface Row${index} {
  readonly id: number;
  readonly label: string;
  readonly weights: readonly number[];
}

export class Table${index} {
  private readonly rows: Row${index}[] = [];

  add(row: Row${index}): this {
    this.rows.push(row);
    return this;
  }

  heaviest(): Row${index} | undefined {
    return [...this.rows].sort((a, b) => weight${index}(b) - weight${index}(a))[0];
  }
}

function weight${index}(row: Row${index}): number {
  return row.weights.reduce((sum, value) => sum + value, 0);
}

${tagged ? "/** @memo */\n" : "/** Sums the scaled weights of every row. */\n"}export function total${index}(rows: readonly Row${index}[]): number {
  let sum = 0;
  for (const row of rows) sum += scale(weight${index}(row)) * ${(index % 7) + 1};
  return sum;
}

export function chained${index}(depth: number): number {
  return depth <= 0 ? ${index} : ${index > 0 ? `chained${index - 1}(depth - 1)` : "0"} + 1;
}

export const describe${index} = (row: Row${index}): string => \`\${row.label} (\${weight${index}(row)})\`;
`;
}

export function writeProject(root: string, tagged: boolean): void {
  const src = join(root, "src");
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, "shared.ts"), "export function scale(value: number): number {\n  return value * 2;\n}\n");
  for (let index = 0; index < FILE_COUNT; index++) writeFileSync(join(src, `mod${index}.ts`), moduleSource(index, tagged));
  const exports = Array.from({ length: FILE_COUNT }, (_, index) => `export * from "./mod${index}.ts";`).join("\n");
  writeFileSync(join(src, "index.ts"), `${exports}\n`);
}

/**
 * What runs in the build besides the bundler or Babel: nothing, the automemo plugin,
 * or a probe that only parses each tagged file with the parser automemo uses and
 * changes nothing. The probe is the floor for any transform built on that parser.
 */
type PluginMode = "without" | "automemo" | "parse only";

const TAG_IN_SOURCE = /@(?:memo|singleton)\b/;

/** Bundler plugin for the probe: same filter as automemo's, then a parse and no edit. */
const parseOnlyPlugin = {
  name: "parse-only-probe",
  enforce: "pre" as const,
  transform: {
    filter: { id: /\.ts$/, code: TAG_IN_SOURCE },
    handler(code: string, id: string): null {
      parseModule(code, id, id);
      return null;
    },
  },
};

/** Babel plugin for the probe: parses the file's text when it mentions a tag. */
function parseOnlyBabelPlugin(): { visitor: Record<string, never>; pre(file: { code: string; opts: { filename: string } }): void } {
  return {
    visitor: {},
    pre(file) {
      if (TAG_IN_SOURCE.test(file.code)) parseModule(file.code, file.opts.filename, file.opts.filename);
    },
  };
}

async function viteBuild(root: string, mode: PluginMode): Promise<void> {
  await build({
    root,
    configFile: false,
    logLevel: "silent",
    plugins: mode === "automemo" ? [automemoVite()] : mode === "parse only" ? [parseOnlyPlugin] : [],
    build: {
      write: false,
      minify: false,
      lib: { entry: join(root, "src/index.ts"), formats: ["es"], fileName: "index" },
      rollupOptions: { external: ["automemo"] },
    },
  });
}

/**
 * Rollup (JavaScript plugin pipeline) with TypeScript stripped by esbuild per module,
 * as rollup-plugin-esbuild does; automemo runs first, like any `enforce: "pre"` plugin.
 */
const stripTypesWithEsbuild = {
  name: "esbuild-strip-types",
  resolveId(specifier: string, importer: string | undefined): string | null {
    return importer && specifier.startsWith(".") ? join(dirname(importer), specifier) : null;
  },
  async transform(code: string, id: string): Promise<{ code: string; map: null } | null> {
    if (!id.endsWith(".ts")) return null;
    return { code: (await esbuildTransform(code, { loader: "ts", sourcefile: id })).code, map: null };
  },
};

async function rollupBuild(root: string, mode: PluginMode): Promise<void> {
  const first = mode === "automemo" ? [automemoRollup({ root })] : mode === "parse only" ? [parseOnlyPlugin] : [];
  const bundle = await rollup({ input: join(root, "src/index.ts"), plugins: [...first, stripTypesWithEsbuild], external: ["automemo"], logLevel: "silent" });
  await bundle.generate({ format: "es" });
  await bundle.close();
}

function babelBuild(root: string, mode: PluginMode): void {
  const src = join(root, "src");
  const plugins = mode === "automemo" ? [[automemoBabel, { root }]] : mode === "parse only" ? [parseOnlyBabelPlugin] : [];
  for (const name of readdirSync(src)) {
    const filename = join(src, name);
    babel.transformSync(readFileSync(filename, "utf8"), {
      filename,
      babelrc: false,
      configFile: false,
      presets: [["@babel/preset-typescript", { allowDeclareFields: true }]],
      plugins,
    });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function timeMs(run: () => unknown): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

/**
 * Runs the whole comparison; one row per host and variant: the median build time with
 * the plugin, and its ratio to the same build without it.
 */
const HOSTS = {
  "vite build": viteBuild,
  "rollup + esbuild": rollupBuild,
  "babel transformSync": babelBuild,
} satisfies Record<string, (root: string, mode: PluginMode) => unknown>;
type HostName = keyof typeof HOSTS;
const ROUNDS: Record<HostName, number> = { "vite build": 15, "rollup + esbuild": 7, "babel transformSync": 9 };

/** The rows of one host, measured in this process. */
async function measureHost(host: HostName, quick: boolean): Promise<BenchRow[]> {
  // Short builds need more rounds for a stable median.
  const rounds = quick ? 3 : ROUNDS[host];
  const run = HOSTS[host];
  const workspace = mkdtempSync(join(tmpdir(), "automemo-overhead-"));
  try {
    const variants: { variant: Variant; root: string; target: string }[] = [
      { variant: "no tags", root: join(workspace, "untagged"), target: "1.03x" },
      { variant: "one tag per file", root: join(workspace, "tagged"), target: "1.15x" },
    ];
    for (const { variant, root } of variants) writeProject(root, variant === "one tag per file");
    const samples = new Map<string, number[]>();
    const record = (key: string, ms: number) => samples.set(key, [...(samples.get(key) ?? []), ms]);
    // The probe is only informative where there is something to parse.
    const modesFor = (variant: Variant, round: number): PluginMode[] => {
      const modes: PluginMode[] = variant === "no tags" ? ["without", "automemo"] : ["without", "automemo", "parse only"];
      return round % 2 === 0 ? modes : modes.reverse();
    };

    // One warm-up round (JIT, file cache), then every mode in every round, in alternating order.
    for (let round = -1; round < rounds; round++) {
      for (const { variant, root } of variants) {
        for (const mode of modesFor(variant, round)) {
          // Every build starts cold, like a one-shot build in a new process: the parsed
          // files a previous round left in automemo's caches must not speed up this one.
          clearDependencyCaches();
          const ms = await timeMs(() => run(root, mode));
          if (round >= 0) record(`${variant}|${mode}`, ms);
        }
      }
    }

    return variants.flatMap(({ variant, target }) => {
      const without = median(samples.get(`${variant}|without`)!);
      const row = (mode: PluginMode, name: string, note: string): BenchRow => {
        const value = median(samples.get(`${variant}|${mode}`)!);
        return {
          group: `transform overhead (${FILE_COUNT} generated .ts files, cold caches)`,
          name,
          value,
          unit: "ms",
          ratio: formatRatio(value, without),
          note: `${note} (${without.toFixed(0)} ms), median of ${rounds}`,
        };
      };
      const rows = [row("automemo", `${host}, ${variant}`, `with / without plugin; target <= ${target}; without`)];
      if (variant === "one tag per file") {
        rows.push(row("parse only", `${host}, ${variant}: parse-only probe`, "floor: a plugin that only parses each tagged file with oxc-parser / without"));
      }
      return rows;
    });
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

/** One host in a fresh Node process (same flags, so tsx keeps loading TypeScript): no host's heap or JIT state skews another's. */
function measureHostInChild(host: HostName, quick: boolean): Promise<BenchRow[]> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ["--transform-host", host, ...(quick ? ["--quick"] : [])], { execArgv: process.execArgv });
    let rows: BenchRow[] | undefined;
    child.on("message", (message) => (rows = message as BenchRow[]));
    child.on("error", reject);
    child.on("exit", (code) => (rows ? resolve(rows) : reject(new Error(`transform overhead for ${host} exited with code ${code}`))));
  });
}

/**
 * Runs the whole comparison, each host in its own process; per host and variant a row
 * with the median build time with the plugin and its ratio to the same build without
 * it, and for (b) the parse-only probe.
 */
export async function benchTransformOverhead({ quick = false }: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const host of Object.keys(HOSTS) as HostName[]) rows.push(...(await measureHostInChild(host, quick)));
  return rows;
}

const hostFlag = process.argv.indexOf("--transform-host");
if (hostFlag !== -1 && process.send) {
  process.send(await measureHost(process.argv[hostFlag + 1] as HostName, process.argv.includes("--quick")));
}
