/**
 * Compiles one module with each AST host the way a project would: Babel 7 and 8
 * with preset-typescript (Babel config files off), TypeScript 6.0 and 5.9 with the
 * transformer as `customTransformers.before` on a real `program.emit`. The fixture
 * runner (test/fixtures.test.ts) and the host tests share these.
 */
import { createRequire } from "node:module";
import * as babel7 from "@babel/core";
import babel7PresetTypescript from "@babel/preset-typescript";
import * as babel8 from "babel8-core";
import babel8PresetTypescript from "babel8-preset-typescript";
import type * as TS from "typescript";
import automemoBabel from "../../transformer/babel.ts";
import { automemoTransformer, type AutomemoTransformerOptions } from "../../transformer/typescript.ts";

const require = createRequire(import.meta.url);
export const typescript6 = require("typescript") as typeof TS;
export const typescript5 = require("typescript5") as typeof TS;

export type HostOptions = AutomemoTransformerOptions;

export interface BabelRun {
  readonly code: string;
  readonly map: { readonly mappings: string; readonly sources: readonly string[]; readonly names: readonly string[]; readonly version: number } | null;
}

export interface BabelCompileOptions {
  readonly sourceMaps?: boolean;
  /** Extra presets after preset-typescript (Babel 7 only), e.g. preset-env. */
  readonly presets?: readonly unknown[];
  readonly sourceType?: "module" | "script" | "unambiguous";
  /** Compile without the plugin (the baseline a fixture's "unchanged" compares with). */
  readonly withoutAutomemo?: boolean;
}

function babelOptions(filename: string, options: HostOptions, preset: unknown, extra: BabelCompileOptions) {
  return {
    babelrc: false,
    configFile: false,
    filename,
    sourceType: extra.sourceType ?? "module",
    sourceMaps: extra.sourceMaps ?? false,
    // Plain code frames whatever the terminal supports, so error texts are stable.
    highlightCode: false,
    plugins: extra.withoutAutomemo ? [] : [[automemoBabel, options]],
    presets: [preset, ...(extra.presets ?? [])],
  } as const;
}

export function compileWithBabel7(input: string, filename: string, options: HostOptions = {}, extra: BabelCompileOptions = {}): BabelRun {
  const result = babel7.transformSync(input, babelOptions(filename, options, babel7PresetTypescript, extra) as unknown as babel7.InputOptions);
  return { code: result!.code!, map: (result!.map as BabelRun["map"]) ?? null };
}

export function compileWithBabel8(input: string, filename: string, options: HostOptions = {}, extra: BabelCompileOptions = {}): BabelRun {
  const result = babel8.transformSync(input, babelOptions(filename, options, babel8PresetTypescript, extra) as unknown as babel8.InputOptions);
  return { code: result!.code!, map: (result!.map as BabelRun["map"]) ?? null };
}

export interface TscCompileOptions {
  /** Default ESNext. */
  readonly module?: TS.ModuleKind;
  readonly declaration?: boolean;
  readonly sourceMap?: boolean;
  /** Run without the automemo transformer (for the `.d.ts` comparison and baselines). */
  readonly withoutAutomemo?: boolean;
}

export interface TscRun {
  /** Emitted files by extension: `.js`, `.d.ts`, ... */
  readonly outputs: ReadonlyMap<string, string>;
  readonly js: string;
}

/**
 * A one-file program over an in-memory host, emitted with
 * `program.emit(..., { before: [automemoTransformer(program, options, ts)] })`:
 * the ts-loader / ts-jest / programmatic path.
 */
export function compileWithTsc(ts: typeof TS, input: string, filename: string, options: HostOptions = {}, extra: TscCompileOptions = {}): TscRun {
  const compilerOptions: TS.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: extra.module ?? ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    declaration: extra.declaration ?? false,
    sourceMap: extra.sourceMap ?? false,
    removeComments: false,
    // Explicit, because TypeScript 6.0 changed the defaults and both versions must print alike.
    strict: false,
    alwaysStrict: true,
    allowJs: true,
    outDir: "/emitted",
    noEmitOnError: false,
    // Emit needs no type information, and skipping lib files keeps a compile at a few ms.
    noLib: true,
    types: [],
    noResolve: true,
  };
  if (compilerOptions.module === ts.ModuleKind.CommonJS) compilerOptions.moduleResolution = ts.ModuleResolutionKind.Node10;
  const host = ts.createCompilerHost(compilerOptions);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  const outputs = new Map<string, string>();
  host.readFile = (file) => (file === filename ? input : readFile(file));
  host.fileExists = (file) => file === filename || ts.sys.fileExists(file);
  host.getSourceFile = (file, language, onError) =>
    file === filename ? ts.createSourceFile(file, input, language, true) : getSourceFile(file, language, onError);
  host.writeFile = (file, text) => {
    const extension = /(\.d\.[cm]?ts|\.[cm]?js|\.map)$/.exec(file)?.[1] ?? file;
    outputs.set(extension, text);
  };
  const program = ts.createProgram([filename], compilerOptions, host);
  const before = extra.withoutAutomemo ? [] : [automemoTransformer(program, options, ts)];
  program.emit(undefined, undefined, undefined, false, { before });
  const js = [...outputs].find(([extension]) => /^\.[cm]?js$/.test(extension))?.[1];
  if (js === undefined) throw new Error(`TypeScript emitted no JavaScript for ${filename}`);
  return { outputs, js };
}
