/**
 * The type-aware checks as TypeScript diagnostics, for a program's files: what the ts-patch
 * host reports at emit, `automemo check` prints and the language-service plugin shows.
 *
 * @example
 * ```ts
 * const diagnostics = typeCheckSourceFile(ts, program, sourceFile, { root: ".", hashable: ["Decimal"] });
 * ```
 */
import type * as TS from "typescript";
import { InvalidOptionError } from "../../runtime/errors.ts";
import { mightContainTags, planModule, type ModulePlan } from "../core/index.ts";
import { checkTaggedFunctions, toTypeCheckDiagnostic, type TypeCheckOptions } from "./check-functions.ts";
import { toTsDiagnostic } from "../hosts/typescript-transform.ts";

export { TYPE_CHECK_CODES, type TypeCheckOptions } from "./check-functions.ts";

export interface FileCheckOptions extends TypeCheckOptions {
  /** Function ids in messages are relative to this folder. */
  readonly root: string;
}

/** The key of the tsconfig plugin entry that lists registered hashers. */
export const HASHABLE_OPTION = "hashable";

/** Validates the `hashable` option of a plugin entry: a list of class or interface names. */
export function parseHashable(value: unknown, where: string): readonly string[] {
  if (value === undefined) return [];
  if (Array.isArray(value) && value.every((name) => typeof name === "string" && /^[A-Za-z_$][\w$]*$/.test(name))) return value as string[];
  throw new InvalidOptionError({
    option: HASHABLE_OPTION,
    where,
    problem: `expected a list of class or interface names, got ${JSON.stringify(value)}`,
    fix: `List the names of the classes you register with configure({ hashers }), such as "hashable": ["Decimal"].`,
  });
}

/**
 * Tag problems and type findings of one file. `plan` is reused when the caller planned
 * the file already; planning here skips dependency hashes (only ids and keys matter).
 */
export function typeCheckSourceFile(ts: typeof TS, program: TS.Program, sourceFile: TS.SourceFile, options: FileCheckOptions, plan?: ModulePlan): TS.Diagnostic[] {
  if (sourceFile.isDeclarationFile || !mightContainTags(sourceFile.text)) return [];
  const planned = plan ?? planModule(sourceFile.text, { filename: sourceFile.fileName, root: options.root, dependencies: false, dependencyCache: false });
  const problems = planned.diagnostics.map((problem) => toTsDiagnostic(ts, sourceFile, problem));
  const findings = checkTaggedFunctions(ts, program.getTypeChecker(), sourceFile, planned, options);
  return [...problems, ...findings.map((finding) => toTypeCheckDiagnostic(ts, sourceFile, finding))];
}

/** Type findings per file for one program's lifetime (each file is checked once, whoever asks first). */
export type TypeCheckRun = (sourceFile: TS.SourceFile, plan: ModulePlan) => readonly TS.Diagnostic[];

export function createTypeCheckRun(ts: typeof TS, program: TS.Program, options: TypeCheckOptions): TypeCheckRun {
  const done = new Map<TS.SourceFile, readonly TS.Diagnostic[]>();
  return (sourceFile, plan) => {
    let diagnostics = done.get(sourceFile);
    if (!diagnostics) {
      diagnostics = checkTaggedFunctions(ts, program.getTypeChecker(), sourceFile, plan, options).map((finding) => toTypeCheckDiagnostic(ts, sourceFile, finding));
      done.set(sourceFile, diagnostics);
    }
    return diagnostics;
  };
}

/**
 * tsc exits non-zero on any diagnostic, a warning too, so a build prints warnings to
 * stderr (in tsc's `file(line,col): warning TS90405: ...` format) and reports errors only.
 */
export function splitWarnings(ts: typeof TS, diagnostics: readonly TS.Diagnostic[]): TS.Diagnostic[] {
  const errors = diagnostics.filter((diagnostic) => diagnostic.category !== ts.DiagnosticCategory.Warning);
  const warnings = diagnostics.filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Warning);
  if (warnings.length > 0) {
    const host: TS.FormatDiagnosticsHost = { getCanonicalFileName: (name) => name, getCurrentDirectory: () => process.cwd(), getNewLine: () => "\n" };
    process.stderr.write(ts.formatDiagnostics(warnings, host));
  }
  return errors;
}
