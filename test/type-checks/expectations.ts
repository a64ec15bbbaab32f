/**
 * The expected diagnostics of the type-check fixture project, read from the fixtures
 * themselves: a line ending in `// expect: error AUTOMEMO_X, warning AUTOMEMO_Y` must
 * get exactly those diagnostics, and every other line none.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type * as TS from "typescript";

export const fixtureProject = join(import.meta.dirname, "project");

/** `src/params.ts:45 error AUTOMEMO_UNHASHABLE_PARAM_TYPE`, sorted. */
export function expectedDiagnostics(project = fixtureProject): string[] {
  const expected: string[] = [];
  for (const name of readdirSync(join(project, "src")).sort()) {
    readFileSync(join(project, "src", name), "utf8")
      .split("\n")
      .forEach((line, index) => {
        const marker = /\/\/ expect: (.*)$/.exec(line);
        if (!marker) return;
        for (const entry of marker[1]!.split(",")) expected.push(`src/${name}:${index + 1} ${entry.trim()}`);
      });
  }
  return expected.sort();
}

/** The automemo code at the end of a diagnostic message: `... (AUTOMEMO_UNHASHABLE_PARAM_TYPE)`. */
function automemoCode(message: string): string {
  return /\((AUTOMEMO_[A-Z_]+)\)$/.exec(message)?.[1] ?? `(no automemo code) ${message}`;
}

export function describeDiagnostics(ts: typeof TS, diagnostics: readonly TS.Diagnostic[], project = fixtureProject): string[] {
  return diagnostics
    .map((diagnostic) => {
      const file = diagnostic.file!;
      const line = file.getLineAndCharacterOfPosition(diagnostic.start!).line + 1;
      const severity = diagnostic.category === ts.DiagnosticCategory.Warning ? "warning" : "error";
      return `${relative(project, file.fileName)}:${line} ${severity} ${automemoCode(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"))}`;
    })
    .sort();
}
