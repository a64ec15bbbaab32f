import { createRequire } from "node:module";
import path from "node:path";
import type * as TS from "typescript";
import { createBuildSession, createTypeScriptDependencyResolver, mightContainTags, planModule, type ModulePlan, type PlanDiagnostic, type PlanOptions } from "../core/index.ts";
import type { HostOptions } from "./options.ts";
import { TsPlanEmitter } from "./typescript-emitter.ts";
import { assertTypeScriptRunsTransformers } from "./typescript-version.ts";

/** Diagnostic code `tspc` prints as `error TS90401`; the automemo code is in the message. */
export const AUTOMEMO_DIAGNOSTIC_CODE = 90401;

export type ReportProblems = (sourceFile: TS.SourceFile, diagnostics: readonly PlanDiagnostic[]) => void;

/** Plans one file; the program transformer passes one that reuses the plans it made for the build caches. */
export type PlanSourceFile = (sourceFile: TS.SourceFile) => ModulePlan;

/** Everything `planModule` needs but the file name, fixed per program. */
export type PlanSettings = Omit<PlanOptions, "filename">;

/** The `typescript` package resolved from the program's folder (the copy ts-loader / ts-jest use). */
export function loadHostTypeScript(program: TS.Program | undefined): typeof TS {
  const from = path.join(program?.getCurrentDirectory() ?? process.cwd(), "package.json");
  const ts: unknown = createRequire(from)("typescript");
  assertTypeScriptRunsTransformers(ts, `the 'typescript' package resolved from ${path.dirname(from)}`);
  return ts;
}

/** Ids are relative to the tsconfig folder, so they do not depend on where `tspc` is started. */
function projectRoot(program: TS.Program | undefined, options: HostOptions): string {
  if (options.root) return path.resolve(options.root);
  const configFile = program?.getCompilerOptions().configFilePath;
  if (typeof configFile === "string") return path.dirname(configFile);
  return program?.getCurrentDirectory() ?? process.cwd();
}

/**
 * With a program, dependency hashes resolve imports exactly as the program does
 * (tsconfig `paths` included) and read files from it, in one build session (a program's
 * texts never change); without one, from disk, each file checking what it reaches.
 */
export function planSettings(ts: typeof TS, program: TS.Program | undefined, options: HostOptions): PlanSettings {
  const dependencies = options.dependencies === false ? false : program ? createTypeScriptDependencyResolver(ts, program) : undefined;
  const session = program ? createBuildSession() : undefined;
  return { root: projectRoot(program, options), runtimeModule: options.runtimeModule, dependencies, dependencyCache: options.dependencyCache, session };
}

/**
 * Plans each file once. Only for one program's lifetime: a file that did not change
 * can still get new hashes in a later program (its helpers changed).
 */
export function memoizedPlanner(settings: PlanSettings): PlanSourceFile {
  const plans = new Map<TS.SourceFile, ModulePlan>();
  return (sourceFile) => {
    let plan = plans.get(sourceFile);
    if (!plan) {
      plan = planModule(sourceFile.text, { ...settings, filename: sourceFile.fileName });
      plans.set(sourceFile, plan);
    }
    return plan;
  };
}

/** A plan problem as a TypeScript error, so `tspc` prints it with file:line like a type error and fails. */
export function toTsDiagnostic(ts: typeof TS, sourceFile: TS.SourceFile, problem: PlanDiagnostic): TS.Diagnostic {
  return {
    file: sourceFile,
    start: problem.range.start,
    length: Math.max(0, problem.range.end - problem.range.start),
    messageText: `${problem.message} (${problem.code})`,
    category: ts.DiagnosticCategory.Error,
    code: AUTOMEMO_DIAGNOSTIC_CODE,
    source: "automemo",
  };
}

const planEachTime = (settings: PlanSettings): PlanSourceFile => (sourceFile) => planModule(sourceFile.text, { ...settings, filename: sourceFile.fileName });

/**
 * The `before` transformer. Without `planFor` every file is planned when it is emitted:
 * ts-loader keeps one factory across watch rebuilds, so a plan must not outlive a build.
 */
export function createAutomemoFactory(ts: typeof TS, settings: PlanSettings, report: ReportProblems, planFor: PlanSourceFile = planEachTime(settings)): TS.TransformerFactory<TS.SourceFile> {
  return (context) => (sourceFile) => {
    if (sourceFile.isDeclarationFile || !mightContainTags(sourceFile.text)) return sourceFile;
    const plan = planFor(sourceFile);
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
