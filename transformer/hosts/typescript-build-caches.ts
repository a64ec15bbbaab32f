/**
 * Keeps TypeScript's own build caches (`incremental`, `tsc -b`, `--watch`) from keeping an
 * old code hash. The builder re-emits a file only when its *version* (a hash of its text)
 * changed, or when a file it imports changed its *signature* (its declarations). Editing
 * a helper's body changes neither for the file whose tagged function calls it, so that
 * file would keep its old hash. automemo's program transformer appends the digest of the
 * file's planned hashes to its version: the builder then sees the file as changed exactly
 * when its emitted hashes would change, and re-emits it (only it: its declarations stay).
 */
import { createHash } from "node:crypto";
import type * as TS from "typescript";
import { mightContainTags } from "../core/index.ts";
import { splitWarnings, type TypeCheckRun } from "../type-checks/index.ts";
import { createAutomemoFactory, memoizedPlanner, toTsDiagnostic, type PlanSettings, type PlanSourceFile } from "./typescript-transform.ts";

/** Separates TypeScript's own version from the digest automemo appends. */
const VERSION_MARK = "+automemo:";

/** Programs whose emit already runs automemo, so a plain `transform` entry next to the program entry adds nothing. */
const programsEmittingAutomemo = new WeakSet<TS.Program>();

export function emitsAutomemo(program: TS.Program): boolean {
  return programsEmittingAutomemo.has(program);
}

/** `SourceFile.version` is internal API: set by the hosts that feed TypeScript's builder. */
interface VersionedSourceFile {
  version?: string;
}

/**
 * Keys every tagged file's version on its planned hashes and makes the program's
 * emit apply automemo with the same plans (each file is planned once per program).
 * `checkTypes` adds the type-aware checks of each emitted tagged file to the emit's diagnostics.
 */
export function trackHashesInBuildCaches(ts: typeof TS, program: TS.Program, settings: PlanSettings, checkTypes?: TypeCheckRun): TS.Program {
  const planFor = memoizedPlanner(settings);
  for (const sourceFile of program.getSourceFiles()) {
    if (sourceFile.isDeclarationFile || !mightContainTags(sourceFile.text)) continue;
    keyVersionOnHashes(sourceFile as TS.SourceFile & VersionedSourceFile, planFor);
  }
  emitWithAutomemo(ts, program, settings, planFor, checkTypes);
  programsEmittingAutomemo.add(program);
  return program;
}

function keyVersionOnHashes(sourceFile: TS.SourceFile & VersionedSourceFile, planFor: PlanSourceFile): void {
  if (sourceFile.version === undefined) return; // no builder reads it: a plain, non-incremental program
  const plan = planFor(sourceFile);
  // A file with a tag problem gets a version that never repeats, so every build reports the problem again.
  const planned = plan.diagnostics.length > 0 ? `problems ${process.pid} ${performance.now()}` : plan.functions.map((fn) => fn.meta.hash).join(",");
  const digest = createHash("sha256").update(planned).digest("hex").slice(0, 16);
  const textVersion = sourceFile.version.split(VERSION_MARK)[0];
  sourceFile.version = `${textVersion}${VERSION_MARK}${digest}`;
}

type Emit = TS.Program["emit"];

function emitWithAutomemo(ts: typeof TS, program: TS.Program, settings: PlanSettings, planFor: PlanSourceFile, checkTypes: TypeCheckRun | undefined): void {
  const emit: Emit = program.emit.bind(program);
  program.emit = (targetSourceFile, writeFile, cancellationToken, emitOnlyDtsFiles, customTransformers, ...rest) => {
    const problems: TS.Diagnostic[] = [];
    const planAndCheck: PlanSourceFile = (sourceFile) => {
      const plan = planFor(sourceFile);
      if (checkTypes) problems.push(...splitWarnings(ts, checkTypes(sourceFile, plan)));
      return plan;
    };
    const automemo = createAutomemoFactory(ts, settings, (sourceFile, found) => problems.push(...found.map((problem) => toTsDiagnostic(ts, sourceFile, problem))), planAndCheck);
    const transformers = { ...customTransformers, before: [automemo, ...(customTransformers?.before ?? [])] };
    const result = (emit as (...args: unknown[]) => TS.EmitResult)(targetSourceFile, writeFile, cancellationToken, emitOnlyDtsFiles, transformers, ...rest);
    return problems.length === 0 ? result : { ...result, diagnostics: [...result.diagnostics, ...problems] };
  };
}
