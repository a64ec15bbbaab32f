/**
 * One very large module, two shapes (generated code must compile as it would without
 * automemo, in comparable time): (a) 10,000 tagged functions in one file
 * and (b) a 5 MB file with a tag on one function in fifty. For each, the CPU time of
 *   - the parse-only floor: oxc parsing the file, what any oxc-based transform pays;
 *   - the text host (`transformSource`: bundlers, Node loader);
 *   - Babel with preset-typescript alone, and with automemo/babel in front of it.
 * Ratios: text / parse floor and Babel with automemo / Babel alone. Dependency tracking
 * is on (the default) and, separately, off, because its share is reported apart.
 * Each figure is the best of a few runs in one process (CPU time, so other processes
 * on the machine do not count); every run starts with cold dependency caches.
 *
 * Alone: `npx tsx bench/big-files.ts [--quick]` (quick: 2,000 functions and 1 MB).
 */
import { fileURLToPath } from "node:url";
import * as babel from "@babel/core";
import automemoBabel from "../transformer/babel.ts";
import { parseModule } from "../transformer/core/parse.ts";
import { clearDependencyCaches, transformSource } from "../transformer/core/index.ts";
import { cpuMsOf, formatRatio, printTable, type BenchRow } from "./table.ts";

const FILENAME = "/bench/src/big.ts";
const ROOT = "/bench";

/** `count` tagged functions (a third of them also with a tagged arrow beside them). */
export function manyTaggedFunctions(count: number): string {
  const parts: string[] = [];
  for (let index = 0; index < count; index++) {
    parts.push(`/** @memo */\nexport function f${index}(a: number, b: string): string {\n  const x = a * ${index} + 1;\n  return b + x;\n}\n`);
    if (index % 3 === 0) parts.push(`/** @memo */\nexport const g${index} = (n: number) => n + ${index};\n`);
  }
  return parts.join("\n");
}

/** About `bytes` of ordinary TypeScript (functions with loops and callbacks, classes), one function in fifty tagged. */
export function largeModule(bytes: number): string {
  const parts: string[] = [];
  let size = 0;
  for (let index = 0; size < bytes; index++) {
    const chunk = `${index % 50 === 0 ? "/** @memo */" : "/** Plain helper. */"}
export function h${index}(rows: { id: number; name: string }[], limit: number): string[] {
  const out: string[] = [];
  for (const row of rows) {
    if (row.id > limit) continue;
    out.push(\`\${row.name}-\${row.id}\`.toUpperCase());
  }
  return out.filter((item) => item.length > ${index % 7}).map((item, position) => item + position);
}
export class C${index} {
  private cache = new Map<string, number>();
  get(key: string): number { return this.cache.get(key) ?? ${index}; }
}
`;
    parts.push(chunk);
    size += chunk.length;
  }
  return parts.join("\n");
}

function babelCompile(code: string, withAutomemo: boolean, dependencies: boolean): void {
  const plugins = (withAutomemo ? [[automemoBabel, { root: ROOT, dependencies, dependencyCache: false }]] : []) as unknown as babel.PluginItem[];
  babel.transformSync(code, {
    babelrc: false,
    configFile: false,
    filename: FILENAME,
    compact: false,
    presets: ["@babel/preset-typescript"],
    plugins,
  });
}

function best(runs: number, work: () => void): number {
  let fastest = Infinity;
  for (let run = 0; run < runs; run++) {
    clearDependencyCaches();
    fastest = Math.min(fastest, cpuMsOf(work));
  }
  return fastest;
}

export async function benchBigFiles({ quick = false }: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const runs = quick ? 1 : 3;
  const shapes = [
    { group: `${quick ? "2,000" : "10,000"} tagged functions in one file`, code: manyTaggedFunctions(quick ? 2000 : 10_000) },
    { group: `a ${quick ? "1" : "5"} MB file, one function in 50 tagged`, code: largeModule((quick ? 1 : 5) * 1024 * 1024) },
  ];
  const rows: BenchRow[] = [];
  for (const { group, code } of shapes) {
    const parse = best(runs, () => parseModule(code, FILENAME, "big.ts"));
    const text = best(runs, () => transformSource(code, { filename: FILENAME, root: ROOT, dependencyCache: false }));
    const textNoDeps = best(runs, () => transformSource(code, { filename: FILENAME, root: ROOT, dependencies: false }));
    const babelAlone = best(runs, () => babelCompile(code, false, false));
    const babelWith = best(runs, () => babelCompile(code, true, true));
    const babelWithNoDeps = best(runs, () => babelCompile(code, true, false));
    const row = (name: string, value: number, ratio = "", note = ""): BenchRow => ({ group, name, value: Math.round(value), unit: "CPU ms", ratio, note });
    rows.push(
      row("oxc parse (floor)", parse),
      row("text host (bundlers, loader)", text, formatRatio(text, parse), "vs the parse floor"),
      row("text host, dependencies off", textNoDeps, formatRatio(textNoDeps, parse), "vs the parse floor"),
      row("babel + preset-typescript alone", babelAlone),
      row("babel + automemo", babelWith, formatRatio(babelWith, babelAlone), "vs Babel alone"),
      row("babel + automemo, dependencies off", babelWithNoDeps, formatRatio(babelWithNoDeps, babelAlone), "vs Babel alone"),
    );
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printTable(await benchBigFiles({ quick: process.argv.includes("--quick") }));
}
