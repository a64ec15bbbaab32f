// Two ways to get oxc's AST into JavaScript, the same AST either way:
// - raw transfer (Node 22+ on 64-bit): JavaScript reads the AST out of the parser's
//   buffer directly, about twice as fast as the JSON route on a 10 KB file;
// - elsewhere (Node 20), the native binding and oxc-parser's own JSON decoding, instead
//   of `parseSync`: its wrapper converts the whole module record (imports, exports) to
//   JS objects on every call, a fifth of the parse, and all the planner wants from it
//   is `hasModuleSyntax`, which the program usually answers.
// Both subpaths are public in oxc-parser's exports.
import { parseSync as parseWithRawTransfer, rawTransferSupported } from "oxc-parser";
import { parseSync as parseNative } from "oxc-parser/src-js/bindings";
import { jsonParseAst } from "oxc-parser/src-js/wrap";
import type { Program } from "oxc-parser";
import type { AstComment } from "./ast.ts";
import type { PlanDiagnostic } from "./plan.ts";

export interface ParsedModule {
  readonly program: Program;
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

// Deno 2.9 cannot load raw transfer's lazily required CommonJS files from oxc-parser's ESM
// wrapper ("Cannot resolve module ../generated/constants.js"); the JSON route works there.
const useRawTransfer = rawTransferSupported() && !("Deno" in globalThis);

interface NativeParse {
  readonly program: Program;
  readonly comments: unknown;
  readonly errors: readonly { readonly severity: string; readonly message: string; readonly labels: readonly { readonly start: number; readonly end: number }[] }[];
  readonly module: { readonly hasModuleSyntax: boolean };
}

function parseWithOxc(filename: string, source: string, options: { lang: Lang; sourceType: "module" | "commonjs" | "unambiguous"; preserveParens: boolean }): NativeParse {
  // The option is read by oxc-parser's JavaScript wrapper but missing from its typings.
  if (useRawTransfer) return parseWithRawTransfer(filename, source, { ...options, experimentalRawTransfer: true } as typeof options) as unknown as NativeParse;
  const result = parseNative(filename, source, options);
  return { program: jsonParseAst(result.program) as Program, comments: result.comments, errors: result.errors, module: result.module };
}

/** Parses with oxc-parser; syntax errors become diagnostics instead of exceptions. */
export function parseModule(source: string, filename: string, displayName: string): ParsedModule {
  const extensionFormat = formatFromExtension(filename);
  const sourceType = extensionFormat === "esm" ? "module" : extensionFormat === "cjs" ? "commonjs" : "unambiguous";
  const result = parseWithOxc(filename, source, { lang: languageOf(filename), sourceType, preserveParens: true });
  const program = result.program;
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
    program,
    comments: result.comments as unknown as AstComment[],
    hasModuleSyntax: hasValueImportOrExport(program) || result.module.hasModuleSyntax,
    diagnostics,
  };
}

/**
 * A top-level value `import` / `export` statement is module syntax for oxc too; only
 * without one (scripts, CommonJS, type-only imports) is oxc's module record read for
 * the full answer (`import.meta` counts as well).
 */
function hasValueImportOrExport(program: Program): boolean {
  for (const statement of program.body) {
    switch (statement.type) {
      case "ImportDeclaration":
        if (statement.importKind !== "type") return true;
        break;
      case "ExportNamedDeclaration":
      case "ExportAllDeclaration":
        if (statement.exportKind !== "type") return true;
        break;
      case "ExportDefaultDeclaration":
        return true;
    }
  }
  return false;
}
