/**
 * Transform overhead: the same build of a generated 500-file TypeScript project with
 * and without automemo, for a Vite build and a Babel build (preset-typescript), with
 * (a) no tags at all and (b) one `@memo` tag in every file. Every configuration runs
 * in the same process, interleaved round by round so machine noise hits all of them
 * alike; the ratio is median(with plugin) / median(without).
 * Targets: (a) within 3%, (b) within 15%.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { build } from "vite";
import automemoBabel from "../transformer/babel.ts";
import automemoVite from "../transformer/bundlers/vite.ts";
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

async function viteBuild(root: string, withPlugin: boolean): Promise<void> {
  await build({
    root,
    configFile: false,
    logLevel: "silent",
    plugins: withPlugin ? [automemoVite()] : [],
    build: {
      write: false,
      minify: false,
      lib: { entry: join(root, "src/index.ts"), formats: ["es"], fileName: "index" },
      rollupOptions: { external: ["automemo"] },
    },
  });
}

function babelBuild(root: string, withPlugin: boolean): void {
  const src = join(root, "src");
  const plugins = withPlugin ? [[automemoBabel, { root }]] : [];
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
export async function benchTransformOverhead({ quick = false }: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const rounds = quick ? 3 : 7;
  const workspace = mkdtempSync(join(tmpdir(), "automemo-overhead-"));
  try {
    const variants: { variant: Variant; root: string; target: string }[] = [
      { variant: "no tags", root: join(workspace, "untagged"), target: "1.03x" },
      { variant: "one tag per file", root: join(workspace, "tagged"), target: "1.15x" },
    ];
    for (const { variant, root } of variants) writeProject(root, variant === "one tag per file");
    const hosts = [
      { host: "vite build", run: viteBuild },
      { host: "babel transformSync", run: babelBuild },
    ];
    const samples = new Map<string, number[]>();
    const record = (key: string, ms: number) => samples.set(key, [...(samples.get(key) ?? []), ms]);

    // One warm-up round (JIT, file cache), then alternate plugin on/off in every round.
    for (let round = -1; round < rounds; round++) {
      for (const { host, run } of hosts) {
        for (const { variant, root } of variants) {
          for (const withPlugin of round % 2 === 0 ? [false, true] : [true, false]) {
            const ms = await timeMs(() => run(root, withPlugin));
            if (round >= 0) record(`${host}|${variant}|${withPlugin}`, ms);
          }
        }
      }
    }

    return hosts.flatMap(({ host }) =>
      variants.map(({ variant, target }) => {
        const without = median(samples.get(`${host}|${variant}|false`)!);
        const withPlugin = median(samples.get(`${host}|${variant}|true`)!);
        return {
          group: `transform overhead (${FILE_COUNT} generated .ts files)`,
          name: `${host}, ${variant}`,
          value: withPlugin,
          unit: "ms",
          ratio: formatRatio(withPlugin, without),
          note: `with / without plugin (${without.toFixed(0)} ms), median of ${rounds}; target <= ${target}`,
        } satisfies BenchRow;
      }),
    );
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}
