/**
 * `automemo check [-p tsconfig.json] [--json]`: automemo's tag problems and type-aware
 * checks for a whole project, with the project's own TypeScript (5.x or 6.0), whatever
 * builds it (Babel, a bundler, the loader). Exits 1 when there is an error, so it runs in CI.
 */
import { createRequire } from "node:module";
import path from "node:path";
import type * as TS from "typescript";
import { AutomemoError } from "../runtime/errors.ts";
import { formatCodeFrame } from "../transformer/core/index.ts";
import { HASHABLE_OPTION, parseHashable, typeCheckSourceFile } from "../transformer/type-checks/index.ts";
import { count } from "./format.ts";

const CHECK_USAGE = `Usage: automemo check [-p tsconfig.json] [--json]

Type-checks every @memo / @singleton function of the project: keyed parameters whose type
can never be hashed, @memo results that are not plain data, persist on results the stores
cannot keep (and every tag problem). Uses the project's TypeScript (5.x or 6.0).

Options:
  -p, --project PATH  tsconfig.json, or the folder holding it (default: ./tsconfig.json)
  --json              print the diagnostics as JSON

Exit code: 1 when there is an error, else 0 (warnings do not fail).`;

/** Bad command line, or no TypeScript this command can use. */
class CheckCommandError extends AutomemoError {
  constructor(code: "CLI_USAGE" | "CHECK_NEEDS_TYPESCRIPT" | "CHECK_BAD_TSCONFIG", message: string) {
    super(code, message);
  }
}

interface CheckArgs {
  readonly project: string;
  readonly json: boolean;
}

function parseCheckArgs(args: readonly string[]): CheckArgs {
  let project = "tsconfig.json";
  let json = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === "--json") json = true;
    else if (arg === "-p" || arg === "--project") {
      const value = args[++index];
      if (value === undefined) throw new CheckCommandError("CLI_USAGE", `${arg} needs a path.\n\n${CHECK_USAGE}`);
      project = value;
    } else throw new CheckCommandError("CLI_USAGE", `Unknown argument '${arg}'.\n\n${CHECK_USAGE}`);
  }
  return { project, json };
}

/** The `typescript` package the project itself resolves; TypeScript 7 has no compiler API to check with. */
function loadProjectTypeScript(projectDir: string): typeof TS {
  let ts: Partial<typeof TS>;
  try {
    ts = createRequire(path.join(projectDir, "package.json"))("typescript") as typeof TS;
  } catch {
    throw new CheckCommandError(
      "CHECK_NEEDS_TYPESCRIPT",
      `automemo check needs the 'typescript' package (5.x or 6.0), and none resolves from ${projectDir}.\nFix it: npm install --save-dev typescript@6`,
    );
  }
  if (typeof ts.createProgram === "function" && typeof ts.getParsedCommandLineOfConfigFile === "function") return ts as typeof TS;
  throw new CheckCommandError(
    "CHECK_NEEDS_TYPESCRIPT",
    `automemo check reads types through TypeScript's compiler API, and the 'typescript' package resolved from ${projectDir} is TypeScript ${ts.version ?? "(unknown version)"}, ` +
      `the native compiler, which has none.\nFix it: npm install --save-dev typescript@6 (automemo check uses it; keep TypeScript 7 for your builds under another name, such as npm install --save-dev tsgo@npm:typescript@7).`,
  );
}

interface CheckedProject {
  readonly ts: typeof TS;
  readonly diagnostics: readonly TS.Diagnostic[];
  readonly taggedFiles: number;
}

function checkProject(configPath: string): CheckedProject {
  const root = path.dirname(configPath);
  const ts = loadProjectTypeScript(root);
  let configProblem: TS.Diagnostic | undefined;
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (diagnostic) => (configProblem = diagnostic) });
  const problems = configProblem ? [configProblem] : (config?.errors ?? []);
  if (!config || problems.length > 0) {
    throw new CheckCommandError("CHECK_BAD_TSCONFIG", `Cannot read ${configPath}: ${problems.map((problem) => ts.flattenDiagnosticMessageText(problem.messageText, "\n")).join("\n")}`);
  }
  const entries = (config.options.plugins ?? []) as unknown as Record<string, unknown>[];
  const entry = entries.find((plugin) => [plugin.transform, plugin.name].some((name) => typeof name === "string" && name.startsWith("automemo/typescript")));
  const hashable = parseHashable(entry?.[HASHABLE_OPTION], `the automemo/typescript entry of compilerOptions.plugins in ${configPath}`);
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, projectReferences: config.projectReferences });
  const diagnostics: TS.Diagnostic[] = [];
  let taggedFiles = 0;
  for (const sourceFile of program.getSourceFiles()) {
    if (program.isSourceFileFromExternalLibrary(sourceFile) || sourceFile.isDeclarationFile) continue;
    const found = typeCheckSourceFile(ts, program, sourceFile, { root, hashable });
    if (/@(memo|singleton)\b/.test(sourceFile.text)) taggedFiles++;
    diagnostics.push(...found);
  }
  return { ts, diagnostics, taggedFiles };
}

interface JsonDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly severity: "error" | "warning";
  readonly code: string;
  readonly tsCode: number;
  readonly message: string;
}

function toJson(checked: CheckedProject, diagnostic: TS.Diagnostic): JsonDiagnostic {
  const { ts } = checked;
  const file = diagnostic.file!;
  const { line, character } = file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
  const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
  const code = /\((AUTOMEMO_[A-Z_]+)\)$/.exec(text)?.[1] ?? "";
  return {
    file: path.relative(process.cwd(), file.fileName).split(path.sep).join("/"),
    line: line + 1,
    column: character + 1,
    severity: diagnostic.category === ts.DiagnosticCategory.Warning ? "warning" : "error",
    code,
    tsCode: diagnostic.code,
    message: code ? text.slice(0, -(code.length + 3)) : text,
  };
}

function formatText(checked: CheckedProject, diagnostics: readonly JsonDiagnostic[], originals: readonly TS.Diagnostic[]): string {
  const blocks = diagnostics.map((diagnostic, index) => {
    const original = originals[index]!;
    const start = original.start ?? 0;
    const frame = formatCodeFrame(original.file!.text, { start, end: start + (original.length ?? 0) }, "");
    return `${diagnostic.file}:${diagnostic.line}:${diagnostic.column} - ${diagnostic.severity} TS${diagnostic.tsCode}: ${diagnostic.message} (${diagnostic.code})\n\n${frame}\n`;
  });
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === "error").length;
  const summary = `automemo check: ${count(errors, "error")}, ${count(diagnostics.length - errors, "warning")} in ${count(checked.taggedFiles, "tagged file")}.`;
  return [...blocks, summary].join("\n");
}

async function runCheck(args: readonly string[]): Promise<number> {
  const options = parseCheckArgs(args);
  const given = path.resolve(options.project);
  const configPath = given.endsWith(".json") ? given : path.join(given, "tsconfig.json");
  const checked = checkProject(configPath);
  const originals = [...checked.diagnostics].sort((a, b) => a.file!.fileName.localeCompare(b.file!.fileName) || (a.start ?? 0) - (b.start ?? 0));
  const diagnostics = originals.map((diagnostic) => toJson(checked, diagnostic));
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === "error").length;
  if (options.json) process.stdout.write(`${JSON.stringify({ errors, warnings: diagnostics.length - errors, diagnostics }, null, 2)}\n`);
  else process.stdout.write(`${formatText(checked, diagnostics, originals)}\n`);
  return errors > 0 ? 1 : 0;
}

export const checkSubcommand = {
  name: "check",
  summary: "type-check @memo / @singleton functions with the project's TypeScript (for CI)",
  usage: CHECK_USAGE,
  run: runCheck,
};
