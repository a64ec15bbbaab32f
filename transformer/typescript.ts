/**
 * The TypeScript host: `automemo/typescript`. The default export is a ts-patch
 * program transformer (`compilerOptions.plugins: [{ "transform": "automemo/typescript" }]`);
 * `automemoTransformer()` is the same transform as a plain `customTransformers.before`
 * factory for ts-loader, ts-jest and `program.emit`. Both use the host's TypeScript
 * (never a second copy), plan with the shared core from `sf.text`, and rewrite with
 * `ctx.factory`, keeping each original body node. Only JS emit changes: `.d.ts`
 * output is untouched because declarations are emitted without `before` transformers.
 *
 * @example
 * ```json
 * // tsconfig.json (build with `tspc`, from ts-patch)
 * { "compilerOptions": { "plugins": [{ "transform": "automemo/typescript" }] } }
 * ```
 */
import { createRequire } from "node:module";
import path from "node:path";
import type * as TS from "typescript";
import {
  createTypeScriptDependencyResolver,
  mightContainTags,
  planModule,
  projectRelativePath,
  TransformError,
  type ModulePlan,
  type PlanDiagnostic,
  type PlanOptions,
} from "./core/index.ts";
import { parseHostOptions, type HostOptions } from "./hosts/options.ts";
import { TsPlanEmitter } from "./hosts/typescript-emitter.ts";

export type AutomemoTransformerOptions = HostOptions;

/** What ts-patch passes a "program" transformer (only the parts used here). */
export interface TsPatchExtras {
  readonly ts: typeof TS;
  addDiagnostic(diagnostic: TS.Diagnostic): number;
}

/** Keys of a tsconfig plugin entry that belong to ts-patch, not to automemo. */
const TS_PATCH_KEYS = ["transform", "type", "import", "isEsm", "after", "afterDeclarations", "transformProgram", "resolvePathAliases", "tsConfig", "name"];

/** Diagnostic code `tspc` prints as `error TS90401`; the automemo code is in the message. */
export const AUTOMEMO_DIAGNOSTIC_CODE = 90401;

type ReportProblems = (sourceFile: TS.SourceFile, diagnostics: readonly PlanDiagnostic[]) => void;

/**
 * ts-patch entry. Misuse of a tag becomes a real TypeScript error diagnostic, so
 * `tspc` prints it with file:line like any type error and exits non-zero.
 */
export default function automemoProgramTransformer(program: TS.Program, pluginConfig: unknown, extras: TsPatchExtras): TS.TransformerFactory<TS.SourceFile> {
  const options = parseHostOptions(pluginConfig, `the "automemo/typescript" entry of compilerOptions.plugins`, TS_PATCH_KEYS);
  const { ts } = extras;
  return createAutomemoFactory(ts, planSettings(ts, program, options), (sourceFile, diagnostics) => {
    for (const problem of diagnostics) {
      extras.addDiagnostic({
        file: sourceFile,
        start: problem.range.start,
        length: Math.max(0, problem.range.end - problem.range.start),
        messageText: `${problem.message} (${problem.code})`,
        category: ts.DiagnosticCategory.Error,
        code: AUTOMEMO_DIAGNOSTIC_CODE,
        source: "automemo",
      });
    }
  });
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

function loadHostTypeScript(program: TS.Program | undefined): typeof TS {
  const from = path.join(program?.getCurrentDirectory() ?? process.cwd(), "package.json");
  return createRequire(from)("typescript") as typeof TS;
}

/** Ids are relative to the tsconfig folder, so they do not depend on where `tspc` is started. */
function projectRoot(program: TS.Program | undefined, options: HostOptions): string {
  if (options.root) return path.resolve(options.root);
  const configFile = program?.getCompilerOptions().configFilePath;
  if (typeof configFile === "string") return path.dirname(configFile);
  return program?.getCurrentDirectory() ?? process.cwd();
}

/** Everything `planModule` needs but the file name, fixed per program. */
type PlanSettings = Omit<PlanOptions, "filename">;

/**
 * With a program, dependency hashes resolve imports exactly as the program does
 * (tsconfig `paths` included) and read files from it; without one, from disk.
 */
function planSettings(ts: typeof TS, program: TS.Program | undefined, options: HostOptions): PlanSettings {
  const dependencies = options.dependencies === false ? false : program ? createTypeScriptDependencyResolver(ts, program) : undefined;
  return { root: projectRoot(program, options), runtimeModule: options.runtimeModule, dependencies, dependencyCache: options.dependencyCache };
}

function createAutomemoFactory(ts: typeof TS, settings: PlanSettings, report: ReportProblems): TS.TransformerFactory<TS.SourceFile> {
  return (context) => (sourceFile) => {
    if (sourceFile.isDeclarationFile || !mightContainTags(sourceFile.text)) return sourceFile;
    const plan: ModulePlan = planModule(sourceFile.text, { ...settings, filename: sourceFile.fileName });
    const problems = [...plan.diagnostics, ...moduleKindProblems(ts, context.getCompilerOptions(), sourceFile, plan)];
    if (problems.length > 0) {
      report(sourceFile, problems);
      return sourceFile;
    }
    if (plan.functions.length === 0) return sourceFile;
    const runtimeAccess = plan.moduleFormat === "cjs" || emitsCommonJs(ts, context.getCompilerOptions(), sourceFile) ? "require" : "import";
    const emitted = new TsPlanEmitter(ts, context, sourceFile, plan, runtimeAccess).emit();
    if ("file" in emitted) return emitted.file;
    report(sourceFile, emitted.problems);
    return sourceFile;
  };
}

interface ModuleFormatApi {
  /** Internal in TypeScript 5.6+ (present in 5.9 and 6.0); the exact rule tsc uses per file. */
  getEmitModuleFormatOfFileWorker?(sourceFile: TS.SourceFile, options: TS.CompilerOptions): TS.ModuleKind;
}

function emitModuleFormat(ts: typeof TS, options: TS.CompilerOptions, sourceFile: TS.SourceFile): TS.ModuleKind {
  const exact = (ts as unknown as ModuleFormatApi).getEmitModuleFormatOfFileWorker;
  return exact ? exact(sourceFile, options) : (options.module ?? ts.ModuleKind.ESNext);
}

/**
 * TypeScript's CommonJS transform does not rewrite references to names a `before`
 * transformer imported (they have no symbol), so CommonJS output gets the require form.
 */
function emitsCommonJs(ts: typeof TS, options: TS.CompilerOptions, sourceFile: TS.SourceFile): boolean {
  return emitModuleFormat(ts, options, sourceFile) === ts.ModuleKind.CommonJS;
}

function moduleKindProblems(ts: typeof TS, options: TS.CompilerOptions, sourceFile: TS.SourceFile, plan: ModulePlan): PlanDiagnostic[] {
  if (plan.functions.length === 0) return [];
  const format = emitModuleFormat(ts, options, sourceFile);
  const unsupported = [ts.ModuleKind.AMD, ts.ModuleKind.UMD, ts.ModuleKind.System];
  if (!unsupported.includes(format)) return [];
  const first = plan.functions[0]!;
  return [
    {
      code: "AUTOMEMO_UNSUPPORTED_MODULE_KIND",
      message:
        `[automemo] ${first.meta.id} cannot be cached when TypeScript emits "module": "${ts.ModuleKind[format]}": ` +
        `automemo imports its runtime as an ES module or with require(). Set "module" to "CommonJS", "NodeNext" or "ESNext".`,
      range: first.tag,
    },
  ];
}
