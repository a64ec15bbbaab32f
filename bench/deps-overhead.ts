/**
 * Compile-time cost of dependency tracking (hashing the code each function reads): plan (and transform) every file
 * of a generated 500-file project with dependency-aware hashes and with
 * `dependencies: false`, interleaved round by round in the same process; the ratio
 * is median(with tracking) / median(without), in CPU time. Target: within 10% (1.10x).
 * The core is the shipped bundle (shipped-core.ts), not tsx-compiled source.
 *
 * "cold" clears the parsed-file cache before each round (a one-shot build in a new
 * process); "warm" keeps it (a watch-mode rebuild). The "deep chain" project is the
 * worst case: every tagged function calls the one in the previous file, so the last
 * function depends on all 500 files.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadShippedCore, type ShippedCore } from "./shipped-core.ts";
import { cpuMsOf, formatRatio, median, type BenchRow } from "./table.ts";

const FILE_COUNT = 500;
/** `--no-session`: plan without a host build session (Babel's hosts), so every file checks what it reaches again. */
const PER_FILE_SESSIONS = process.argv.includes("--no-session");
const TARGET = 1.1;

/** The generated projects, worst cases first: each one's name (in table rows), project folder and file generator. */
const PROJECTS = {
  "1-2 imported helpers per file": { folder: "helpers", module: helperModule },
  "deep chain (file i calls file i-1)": { folder: "chain", module: chainModule },
  "typical app (1 file in 10 has a cached function)": { folder: "app", module: appModule },
} as const;

export type Shape = keyof typeof PROJECTS;
export const SHAPES = Object.keys(PROJECTS) as readonly Shape[];

export function folderOf(shape: Shape): string {
  return PROJECTS[shape].folder;
}

/** `--shapes helpers,chain,app` on a bench's command line picks shapes by folder name; all by default. */
export function shapesFromArguments(argv: readonly string[] = process.argv): readonly Shape[] {
  const flag = argv.indexOf("--shapes");
  if (flag === -1) return SHAPES;
  const names = (argv[flag + 1] ?? "").split(",");
  const unknown = names.filter((name) => !SHAPES.some((shape) => folderOf(shape) === name));
  if (unknown.length > 0) throw new Error(`--shapes: unknown shape ${unknown.join(", ")}; use any of ${SHAPES.map(folderOf).join(", ")}, comma-separated.`);
  return SHAPES.filter((shape) => names.includes(folderOf(shape)));
}

/** File i: local helpers, a helper imported from one or two other files, and one tagged function using them. */
function helperModule(index: number): string {
  const first = (index + 1) % FILE_COUNT;
  const second = (index * 7 + 3) % FILE_COUNT;
  const imports = [`import { shared${first} } from "./mod${first}.js";`];
  if (index % 2 === 0 && second !== first && second !== index) imports.push(`import { shared${second} } from "./mod${second}.js";`);
  const importedCalls = imports.length === 2 ? `shared${first}(n) + shared${second}(n)` : `shared${first}(n)`;
  return `${imports.join("\n")}
import type { Options${first} } from "./mod${first}.js";

export interface Options${index} {
  readonly scale: number;
  readonly label?: string;
}

const FACTOR_${index} = ${(index % 9) + 1};

function clamp${index}(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** Used by other files: depends on a local helper only. */
export function shared${index}(n: number): number {
  return clamp${index}(n * FACTOR_${index}, 0, 1000);
}

export class Accumulator${index} {
  private total = 0;
  add(value: number): this {
    this.total += clamp${index}(value, 0, 100);
    return this;
  }
  get value(): number {
    return this.total;
  }
}

/** @memo */
export function compute${index}(n: number, options: Options${index} | Options${first}): number {
  const accumulator = new Accumulator${index}();
  for (let step = 0; step < n; step++) accumulator.add(step * options.scale);
  return accumulator.value + ${importedCalls};
}

export function unrelated${index}(values: readonly number[]): string {
  return values.map((value) => value.toFixed(2)).join(", ");
}
`;
}

function chainModule(index: number): string {
  const previous = index > 0 ? `import { compute${index - 1} } from "./mod${index - 1}.js";\n` : "";
  return `${previous}
function local${index}(n: number): number {
  return n * ${(index % 7) + 1};
}

/** @memo */
export function compute${index}(n: number): number {
  return local${index}(n) + ${index > 0 ? `compute${index - 1}(n - 1)` : "0"};
}
`;
}

/**
 * A more usual project: 1 file in 10 is a data loader with a cached function; the others
 * are plain modules (types, utilities, a class) that import one another and hold no
 * cached function, so a build without tracking never parses them. A loader's function
 * reaches two imported helpers, and some helpers one more file.
 */
function appModule(index: number): string {
  const deeper = (index * 3 + 1) % FILE_COUNT;
  // Never the file a loader imports `normalize` from already (index + 1).
  const reachesFurther = index % 4 === 0 && deeper !== index && deeper !== (index + 1) % FILE_COUNT;
  const helpers = `${reachesFurther ? `import { normalize${deeper} } from "./mod${deeper}.js";\n` : ""}
export interface Row${index} {
  readonly id: number;
  readonly label: string;
  readonly tags?: readonly string[];
}

const LIMIT_${index} = ${(index % 13) * 100 + 50};

export function normalize${index}(value: number): number {
  return Math.min(LIMIT_${index}, Math.abs(value))${reachesFurther ? ` + (normalize${deeper}(value) % 3)` : ""};
}

export function score${index}(value: number): number {
  return value * ${(index % 5) + 2} + 1;
}

export class Formatter${index} {
  constructor(private readonly prefix: string) {}
  format(row: Row${index}): string {
    return \`\${this.prefix}\${row.id}: \${row.label}\${row.tags?.length ? \` [\${row.tags.join(", ")}]\` : ""}\`;
  }
}

export function render${index}(rows: readonly Row${index}[]): string {
  const formatter = new Formatter${index}("#");
  return rows.map((row) => formatter.format(row)).join("\\n");
}
`;
  if (index % 10 !== 0) return helpers;
  const first = (index + 1) % FILE_COUNT;
  const second = (index * 7 + 3) % FILE_COUNT;
  return `import { normalize${first} } from "./mod${first}.js";
import { score${second} } from "./mod${second}.js";
${helpers}
const PAGE_SIZE_${index} = ${(index % 7) + 3};

/** @memo { ttl: "1h" } */
export async function loadReport${index}(table: string, limit: number): Promise<number[]> {
  const rows: number[] = [];
  for (let page = 0; page * PAGE_SIZE_${index} < limit; page++) rows.push(score${second}(normalize${first}(table.length + page)));
  return rows;
}
`;
}

/** Writes the generated project; returns the file paths. */
export function writeProject(root: string, shape: Shape): string[] {
  const src = join(root, "src");
  mkdirSync(src, { recursive: true });
  const files: string[] = [];
  for (let index = 0; index < FILE_COUNT; index++) {
    const filename = join(src, `mod${index}.ts`);
    writeFileSync(filename, PROJECTS[shape].module(index));
    files.push(filename);
  }
  return files;
}

type Step = "planModule" | "transformSource";

/**
 * CPU milliseconds (user + system, all threads) to plan or transform every file.
 * CPU time rather than wall time: other processes on a shared 2-core machine then
 * disturb the comparison much less.
 */
function buildAll(core: ShippedCore, step: Step, root: string, sources: ReadonlyMap<string, string>, mode: Mode): number {
  const dependencies = mode !== "off";
  const dependencyCache = summaryFolder(root);
  return cpuMsOf(() => {
    // One session per build, as hosts with a build start pass; `--no-session`: Babel's default, each file its own.
    const session = PER_FILE_SESSIONS ? undefined : core.createBuildSession();
    for (const [filename, source] of sources) {
      if (step === "planModule") core.planModule(source, { filename, root, dependencies, dependencyCache, session });
      else core.transformSource(source, { filename, root, dependencies, dependencyCache, session });
    }
    // A one-shot build ends with its process, which saves the summaries (`cold`) or finds nothing new (`saved`).
    if (mode === "cold" || mode === "saved") core.clearDependencyCaches();
  });
}

/**
 * - off: no tracking (the baseline);
 * - cold: a one-shot build in a new process, nothing saved from earlier builds;
 * - saved: a one-shot build in a new process after an earlier build saved its records, fact sets and summaries;
 * - warm: a rebuild in the same process (watch mode).
 */
type Mode = "off" | "cold" | "saved" | "warm";

function summaryFolder(root: string): string {
  return join(root, ".automemo-cache");
}

/**
 * The least work any tracking that hashes syntax trees has to add: one hash walk and one
 * reference walk over every top-level statement (what the bench's functions reach is
 * most of each file), on files already parsed. Reported as (planning without tracking +
 * this) / planning without tracking: a floor for the cold ratio under this hash format.
 */
function leastTrackingWork(core: ShippedCore, shape: Shape, sources: ReadonlyMap<string, string>, off: number, rounds: number): BenchRow {
  const programs = [...sources].map(([filename, source]) => core.parseModule(source, filename, filename).program);
  const samples: number[] = [];
  for (let round = -1; round < rounds; round++) {
    const ms = cpuMsOf(() => {
      for (const program of programs) {
        for (const statement of program.body) {
          new core.CodeHasher().addNode(statement).digest();
          core.collectReferences(statement);
        }
      }
    });
    if (round >= 0) samples.push(ms);
  }
  const work = median(samples);
  return {
    group: `dependency tracking overhead (${FILE_COUNT} generated .ts files, ${shape})`,
    name: "floor: one hash walk + one reference walk of every top-level statement",
    value: work,
    unit: "CPU ms",
    ratio: formatRatio(off + work, off),
    note: `(planning without tracking + this) / planning without tracking (${off.toFixed(0)} ms), median of ${rounds}`,
  };
}

const MODE_NAMES = {
  cold: "one-shot build, nothing saved (first build)",
  saved: "one-shot build, data saved by an earlier build (later build)",
  warm: "rebuild in the same process (watch mode)",
} as const;

/** One row per (shape, step, cache state): median time with tracking and its ratio to the same build without. */
export async function benchDepsOverhead({ quick = false, shapes = SHAPES }: { quick?: boolean; shapes?: readonly Shape[] } = {}): Promise<BenchRow[]> {
  const rounds = quick ? 5 : 11;
  const core = await loadShippedCore();
  const workspace = mkdtempSync(join(tmpdir(), "automemo-deps-bench-"));
  const rows: BenchRow[] = [];
  try {
    for (const shape of shapes) {
      const root = join(workspace, folderOf(shape));
      // Sources are read once up front: hosts hand the transform the text they already have.
      const sources = new Map(writeProject(root, shape).map((file) => [file, readFileSync(file, "utf8")]));
      for (const step of ["planModule", "transformSource"] as const) {
        const samples: Record<Mode, number[]> = { off: [], cold: [], saved: [], warm: [] };
        for (let round = -1; round < rounds; round++) {
          // Alternate the order so drift in machine speed hits both sides alike (`saved` reuses what `cold` saved).
          const order: Mode[] = round % 2 === 0 ? ["off", "cold", "saved", "warm"] : ["warm", "cold", "saved", "off"];
          for (const mode of order) {
            core.clearDependencyCaches();
            if (mode === "cold") rmSync(summaryFolder(root), { recursive: true, force: true });
            if (mode === "warm") buildAll(core, step, root, sources, mode);
            const ms = buildAll(core, step, root, sources, mode);
            if (round >= 0) samples[mode].push(ms);
          }
        }
        const off = median(samples.off);
        if (step === "planModule") rows.push(leastTrackingWork(core, shape, sources, off, rounds));
        for (const mode of ["cold", "saved", "warm"] as const) {
          const value = median(samples[mode]);
          rows.push({
            group: `dependency tracking overhead (${FILE_COUNT} generated .ts files, ${shape})`,
            name: `${step}, ${MODE_NAMES[mode]}`,
            value,
            unit: "CPU ms",
            ratio: formatRatio(value, off),
            note: `with / without tracking (${off.toFixed(0)} ms), median of ${rounds}; target <= ${TARGET.toFixed(2)}x`,
          });
        }
      }
    }
    return rows;
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printTable } = await import("./table.ts");
  printTable(await benchDepsOverhead({ quick: process.argv.includes("--quick"), shapes: shapesFromArguments() }));
}
