import { parseSync } from "oxc-parser";
import type { AstComment, AstNode } from "./ast.ts";
import type { PlanDiagnostic } from "./plan.ts";

export interface ParsedModule {
  readonly program: AstNode;
  readonly comments: readonly AstComment[];
  /** oxc saw import/export syntax. */
  readonly hasModuleSyntax: boolean;
  readonly diagnostics: PlanDiagnostic[];
}

type Lang = "js" | "jsx" | "ts" | "tsx" | "dts";

function languageOf(filename: string): Lang {
  if (/\.d\.[cm]?ts$/.test(filename)) return "dts";
  if (/\.[cm]?ts$/.test(filename)) return "ts";
  if (filename.endsWith(".tsx")) return "tsx";
  // Plain .js often holds JSX in React projects; the JSX grammar accepts all plain JS.
  return "jsx";
}

/** Format implied by the extension alone (`.cjs`/`.cts`, `.mjs`/`.mts`), or null. */
export function formatFromExtension(filename: string): "esm" | "cjs" | null {
  if (/\.c[jt]s$/.test(filename)) return "cjs";
  if (/\.m[jt]s$/.test(filename)) return "esm";
  return null;
}

/** Parses with oxc-parser; syntax errors become diagnostics instead of exceptions. */
export function parseModule(source: string, filename: string, displayName: string): ParsedModule {
  const extensionFormat = formatFromExtension(filename);
  const sourceType = extensionFormat === "esm" ? "module" : extensionFormat === "cjs" ? "commonjs" : "unambiguous";
  const result = parseSync(filename, source, { lang: languageOf(filename), sourceType, preserveParens: true });
  const diagnostics: PlanDiagnostic[] = result.errors
    .filter((error) => error.severity === "Error")
    .map((error) => {
      const at = error.labels[0]?.start ?? 0;
      return {
        code: "AUTOMEMO_PARSE_ERROR",
        message: `[automemo] Cannot parse ${displayName}: ${error.message}. automemo parses every file that mentions @memo or @singleton; fix the syntax error first.`,
        range: { start: at, end: Math.max(at + 1, error.labels[0]?.end ?? at) },
      };
    });
  return {
    program: result.program as unknown as AstNode,
    comments: result.comments as unknown as AstComment[],
    hasModuleSyntax: result.module.hasModuleSyntax,
    diagnostics,
  };
}
