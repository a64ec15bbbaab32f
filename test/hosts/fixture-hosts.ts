/**
 * The Babel and TypeScript rows of the shared fixture runner (test/fixtures.test.ts).
 * Babel and tsc always reprint the file and strip types, so "unchanged" means: the
 * output equals the same compile without automemo (then the row returns null).
 */
import type * as TS from "typescript";
import { FIXTURE_ROOT, type FixtureOptions } from "../support/fixtures.ts";
import { compileWithBabel7, compileWithBabel8, compileWithTsc, typescript5, typescript6, type BabelRun } from "./compile.ts";

export interface AstFixtureHost {
  readonly name: string;
  readonly outputFile: string;
  readonly errorFile?: string;
  transform(input: string, filename: string, options: FixtureOptions): string | null;
  formatError?(error: unknown): string;
}

type BabelCompile = typeof compileWithBabel7;

function babelRow(name: string, compile: BabelCompile): AstFixtureHost {
  return {
    name,
    outputFile: "output.babel.js",
    // Babel prints its own code frame (filename prefix, gutter), so it has its own error file.
    errorFile: "error.babel.txt",
    transform(input, filename, options) {
      // A forced CommonJS fixture is what Babel sees as a script.
      const sourceType = options.moduleFormat === "cjs" ? "script" : "module";
      const run = (withAutomemo: boolean): BabelRun =>
        compile(input, filename, { root: FIXTURE_ROOT, runtimeModule: options.runtimeModule }, { sourceType, withoutAutomemo: !withAutomemo });
      const output = run(true).code;
      return output === run(false).code ? null : `${output}\n`;
    },
  };
}

function tscRow(name: string, ts: typeof TS): AstFixtureHost {
  return {
    name,
    outputFile: "output.tsc.js",
    // customTransformers throw the core's TransformError, so the shared error.txt applies.
    transform(input, filename, options) {
      const module = options.moduleFormat === "cjs" ? ts.ModuleKind.CommonJS : ts.ModuleKind.ESNext;
      const compile = (withoutAutomemo: boolean) =>
        compileWithTsc(ts, input, filename, { root: FIXTURE_ROOT, runtimeModule: options.runtimeModule }, { module, withoutAutomemo }).js;
      const output = compile(false);
      return output === compile(true) ? null : output;
    },
  };
}

export const AST_FIXTURE_HOSTS: readonly AstFixtureHost[] = [
  babelRow("babel 7 (automemo/babel)", compileWithBabel7),
  babelRow("babel 8 (automemo/babel)", compileWithBabel8),
  tscRow("tsc 6.0 (automemo/typescript)", typescript6),
  tscRow("tsc 5.9 (automemo/typescript)", typescript5),
];
