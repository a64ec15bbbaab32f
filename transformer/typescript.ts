/**
 * The TypeScript host: `automemo/typescript`. The default export is the ts-patch plugin
 * (`compilerOptions.plugins: [{ "transform": "automemo/typescript", "transformProgram": true }]`);
 * `automemoTransformer()` is the same transform as a plain `customTransformers.before`
 * factory for ts-loader, ts-jest and `program.emit`. Both use the host's TypeScript
 * (never a second copy), plan with the shared core from `sf.text`, and rewrite with
 * `ctx.factory`, keeping each original body node. Only JS emit changes: `.d.ts`
 * output is untouched because declarations are emitted without `before` transformers.
 *
 * @example
 * ```json
 * // tsconfig.json (build with `tspc`, from ts-patch)
 * { "compilerOptions": { "plugins": [{ "transform": "automemo/typescript", "transformProgram": true }] } }
 * ```
 */
import type * as TS from "typescript";
import { planModule, projectRelativePath, TransformError } from "./core/index.ts";
import { parseHostOptions, type HostOptions } from "./hosts/options.ts";
import { emitsAutomemo, trackHashesInBuildCaches } from "./hosts/typescript-build-caches.ts";
import { AUTOMEMO_DIAGNOSTIC_CODE, createAutomemoFactory, loadHostTypeScript, planSettings, toTsDiagnostic, type PlanSourceFile } from "./hosts/typescript-transform.ts";
import { assertTypeScriptRunsTransformers } from "./hosts/typescript-version.ts";
import { createTypeCheckRun, HASHABLE_OPTION, parseHashable, splitWarnings, type TypeCheckRun } from "./type-checks/index.ts";

export { AUTOMEMO_DIAGNOSTIC_CODE };
export { UnsupportedTypeScriptError } from "./hosts/typescript-version.ts";

export type AutomemoTransformerOptions = HostOptions;

/** What ts-patch passes a "program" transformer (only the parts used here). */
export interface TsPatchExtras {
  readonly ts: typeof TS;
  addDiagnostic(diagnostic: TS.Diagnostic): number;
}

/** What ts-patch passes a `"transformProgram": true` entry. */
export interface TsPatchProgramExtras {
  readonly ts: typeof TS;
}

/** Keys of a tsconfig plugin entry that belong to ts-patch (and `hashable`, the type checks' own), not to the shared host options. */
const TS_PATCH_KEYS = ["transform", "type", "import", "isEsm", "after", "afterDeclarations", "transformProgram", "resolvePathAliases", "tsConfig", "name", HASHABLE_OPTION];

const ENTRY = `the "automemo/typescript" entry of compilerOptions.plugins`;

/**
 * ts-patch entry, in both of ts-patch's shapes:
 * - `{ "transform": "automemo/typescript", "transformProgram": true }` (recommended): a
 *   program transformer that applies automemo at emit and keys each tagged file's version
 *   in TypeScript's build caches on its code hashes, so `incremental`, `tsc -b` and
 *   `--watch` re-emit a file whose helpers changed;
 * - `{ "transform": "automemo/typescript" }`: a source transformer (no build-cache keying;
 *   it warns when the build uses those caches).
 * Misuse of a tag becomes a real TypeScript error diagnostic, so `tspc` prints it with
 * file:line like any type error and exits non-zero.
 */
export default function automemoTsPatchPlugin(program: TS.Program, pluginConfig: unknown, extras: TsPatchExtras): TS.TransformerFactory<TS.SourceFile>;
export default function automemoTsPatchPlugin(program: TS.Program, host: TS.CompilerHost, pluginConfig: unknown, extras: TsPatchProgramExtras): TS.Program;
export default function automemoTsPatchPlugin(
  program: TS.Program,
  second: unknown,
  third: unknown,
  fourth?: TsPatchProgramExtras,
): TS.TransformerFactory<TS.SourceFile> | TS.Program {
  if (fourth !== undefined) {
    assertTypeScriptRunsTransformers(fourth.ts, "the TypeScript ts-patch loaded");
    const options = parseHostOptions(third, ENTRY, TS_PATCH_KEYS);
    const checkTypes = typeChecksFor(fourth.ts, program, third);
    warnAboutBuildModePackageUpdates();
    return trackHashesInBuildCaches(fourth.ts, program, planSettings(fourth.ts, program, options), checkTypes);
  }
  const extras = third as TsPatchExtras;
  const { ts } = extras;
  assertTypeScriptRunsTransformers(ts, "the TypeScript ts-patch loaded");
  const options = parseHostOptions(second, ENTRY, TS_PATCH_KEYS);
  if (emitsAutomemo(program)) return () => (sourceFile) => sourceFile;
  const checkTypes = typeChecksFor(ts, program, second);
  warnWhenBuildCachesCanGoStale(program);
  const settings = planSettings(ts, program, options);
  const planAndCheck: PlanSourceFile = (sourceFile) => {
    const plan = planModule(sourceFile.text, { ...settings, filename: sourceFile.fileName });
    for (const diagnostic of splitWarnings(ts, checkTypes(sourceFile, plan))) extras.addDiagnostic(diagnostic);
    return plan;
  };
  return createAutomemoFactory(
    ts,
    settings,
    (sourceFile, diagnostics) => {
      for (const problem of diagnostics) extras.addDiagnostic(toTsDiagnostic(ts, sourceFile, problem));
    },
    planAndCheck,
  );
}

/** The type-aware checks of the program's tagged files, with the entry's `hashable` names. */
function typeChecksFor(ts: typeof TS, program: TS.Program, pluginConfig: unknown): TypeCheckRun {
  const hashable = parseHashable((pluginConfig as Record<string, unknown> | undefined)?.[HASHABLE_OPTION], ENTRY);
  return createTypeCheckRun(ts, program, { hashable });
}

/**
 * Warnings go to stderr once per process, not through diagnostics: any diagnostic,
 * a warning too, makes tsc exit non-zero.
 */
const printedWarnings = new Set<string>();

function warnOnce(message: string): void {
  if (printedWarnings.has(message)) return;
  printedWarnings.add(message);
  process.stderr.write(`${message}\n`);
}

/** A source-transformer entry cannot key TypeScript's build caches on code hashes. */
function warnWhenBuildCachesCanGoStale(program: TS.Program): void {
  const options = program.getCompilerOptions();
  if (!(options.incremental || options.composite || options.watch || isBuildMode())) return;
  warnOnce(
    `[automemo] This build uses TypeScript's build cache (incremental, composite, tsc -b or --watch), which re-emits only the files it thinks changed: ` +
      `after an edit to a helper in another file, a cached function would keep its old code hash and serve old results. ` +
      `Fix it: add "transformProgram": true to the "automemo/typescript" entry of compilerOptions.plugins in ${options.configFilePath ?? "your tsconfig"}.`,
  );
}

/** `tsc -b` takes `-b` / `--build` as its first argument. */
function isBuildMode(): boolean {
  return ["-b", "--build"].includes(process.argv[2] ?? "");
}

/**
 * What `tsc -b` cannot be told: its up-to-date check reads only the project's own files
 * and tsconfig, so after a package update it builds nothing and no plugin runs.
 */
function warnAboutBuildModePackageUpdates(): void {
  if (!isBuildMode()) return;
  warnOnce(
    `[automemo] tspc -b decides that a project is up to date from its own files and tsconfig only, so it does not see an updated package: ` +
      `functions that import it would keep their old code hash. After npm install / npm update, run tspc -b --force once.`,
  );
}

/**
 * The transform as a `customTransformers.before` factory. Misuse throws a
 * `TransformError` with a code frame. `ts` defaults to the `typescript` package
 * resolved from the program's directory (the copy ts-loader / ts-jest use).
 *
 * @example
 * ```ts
 * program.emit(undefined, undefined, undefined, false, { before: [automemoTransformer(program)] });
 * ```
 */
export function automemoTransformer(program?: TS.Program, options?: AutomemoTransformerOptions, ts?: typeof TS): TS.TransformerFactory<TS.SourceFile> {
  const parsed = parseHostOptions(options, "the options of automemoTransformer()");
  if (ts) assertTypeScriptRunsTransformers(ts, "the TypeScript passed to automemoTransformer()");
  const hostTs = ts ?? loadHostTypeScript(program);
  const settings = planSettings(hostTs, program, parsed);
  return createAutomemoFactory(hostTs, settings, (sourceFile, diagnostics) => {
    throw new TransformError(projectRelativePath(sourceFile.fileName, settings.root), sourceFile.text, diagnostics);
  });
}

/** The part of ts-jest's compiler instance an `astTransformers` module receives. */
export interface TsJestCompilerInstance {
  readonly configSet: { readonly compilerModule: typeof TS };
  readonly program?: TS.Program;
}

/** ts-jest `astTransformers` contract, so `{ before: ["automemo/typescript"] }` works as is. */
export const name = "automemo";
/** Bump when the emitted code changes, so Jest does not reuse files transformed by an older automemo. */
export const version = 1;

export function factory(compiler: TsJestCompilerInstance, options?: AutomemoTransformerOptions): TS.TransformerFactory<TS.SourceFile> {
  return automemoTransformer(compiler.program, options, compiler.configSet.compilerModule);
}
