/**
 * The generated 500-file TypeScript project of the transform-overhead bench, and one
 * build of it per host (Vite, Rollup + esbuild, Babel) with nothing, automemo, or the
 * parse-only probe added.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { transform as esbuildTransform } from "esbuild";
import { rollup } from "rollup";
import { build } from "vite";
import automemoBabel from "../transformer/babel.ts";
import automemoRollup from "../transformer/bundlers/rollup.ts";
import automemoVite from "../transformer/bundlers/vite.ts";
import { mightContainTags, TAG_PATTERN } from "../transformer/core/index.ts";
import { parseModule } from "../transformer/core/parse.ts";
import { DEFAULT_EXCLUDE, DEFAULT_INCLUDE } from "../transformer/unplugin.ts";

export const FILE_COUNT = 500;

/** The slice of @babel/core this bench calls (Babel ships no types of its own). */
interface BabelCore {
  transformSync(code: string, options: Record<string, unknown>): { code?: string | null } | null;
}
const babel = createRequire(import.meta.url)("@babel/core") as BabelCore;

export type Variant = "no tags" | "one tag per file";

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
export type PluginMode = "without" | "automemo" | "parse only";

/** Bundler plugin for the probe: automemo's filter, then a parse and no edit. */
const parseOnlyPlugin = {
  name: "parse-only-probe",
  enforce: "pre" as const,
  transform: {
    filter: { id: { include: DEFAULT_INCLUDE, exclude: DEFAULT_EXCLUDE }, code: TAG_PATTERN },
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
      if (mightContainTags(file.code)) parseModule(file.code, file.opts.filename, file.opts.filename);
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

/** Every host's build, by the name its rows carry. */
export const HOSTS = {
  "vite build": viteBuild,
  "rollup + esbuild": rollupBuild,
  "babel transformSync": babelBuild,
} satisfies Record<string, (root: string, mode: PluginMode) => unknown>;
export type HostName = keyof typeof HOSTS;
