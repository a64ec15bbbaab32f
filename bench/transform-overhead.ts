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
import { transformSync, type PluginItem } from "@babel/core";
import { build } from "vite";
import automemoBabel from "../transformer/babel.ts";
import automemoVite from "../transformer/bundlers/vite.ts";
import type { BenchRow } from "./table.ts";

const FILE_COUNT = 500;
const ROUNDS = 7;

type Variant = "no tags" | "one tag per file";

function moduleSource(index: number, tagged: boolean): string {
  const previous = index > 0 ? `import { total${index - 1} } from "./mod${index - 1}.ts";\n` : "";
  const base = index > 0 ? `total${index - 1}(values.slice(1))` : "0";
  return `${previous}
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

${tagged ? "/** @memo */\n" : "/** Sums the weights of every row. */\n"}export function total${index}(values: readonly number[]): number {
  let sum = ${base};
  for (const value of values) sum += value * ${(index % 7) + 1};
  return sum;
}

export const describe${index} = (row: Row${index}): string => \`\${row.label} (\${weight${index}(row)})\`;
`;
}

function writeProject(root: string, tagged: boolean): void {
  const src = join(root, "src");
  mkdirSync(src, { recursive: true });
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
  const plugins: PluginItem[] = withPlugin ? [[automemoBabel, { root }]] : [];
  for (const name of readdirSync(src)) {
    const filename = join(src, name);
    transformSync(readFileSync(filename, "utf8"), {
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

/** Runs the whole comparison; each row is one host and variant, its value the with/without ratio. */
export async function benchTransformOverhead(): Promise<BenchRow[]> {
  const workspace = mkdtempSync(join(tmpdir(), "automemo-overhead-"));
  try {
    const variants: { variant: Variant; root: string; target: number }[] = [
      { variant: "no tags", root: join(workspace, "untagged"), target: 1.03 },
      { variant: "one tag per file", root: join(workspace, "tagged"), target: 1.15 },
    ];
    for (const { variant, root } of variants) writeProject(root, variant === "one tag per file");
    const hosts = [
      { host: "vite build", run: viteBuild },
      { host: "babel transformSync", run: babelBuild },
    ];
    const samples = new Map<string, number[]>();
    const record = (key: string, ms: number) => samples.set(key, [...(samples.get(key) ?? []), ms]);

    // One warm-up round (JIT, file cache), then alternate plugin on/off in every round.
    for (let round = -1; round < ROUNDS; round++) {
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
          name: `transform overhead: ${host}, ${FILE_COUNT} files, ${variant}`,
          value: withPlugin / without,
          unit: "x (with / without plugin)",
          target,
          detail: `median of ${ROUNDS}: ${withPlugin.toFixed(0)} ms with, ${without.toFixed(0)} ms without`,
        } satisfies BenchRow;
      }),
    );
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}
