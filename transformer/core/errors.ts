import { AutomemoError } from "../../runtime/errors.ts";
import type { PlanDiagnostic, SourceRange } from "./plan.ts";

/** 1-based line, 0-based column (the convention of Babel and source maps). */
export interface SourceLocation {
  readonly line: number;
  readonly column: number;
}

export function locate(source: string, offset: number): SourceLocation {
  return createLocator(source)(offset);
}

/** A `locate` for many offsets in one source: the line starts are indexed once, then binary-searched. */
export function createLocator(source: string): (offset: number) => SourceLocation {
  const lineStarts = [0];
  for (let index = source.indexOf("\n"); index !== -1; index = source.indexOf("\n", index + 1)) lineStarts.push(index + 1);
  return (offset) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (lineStarts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - lineStarts[low] };
  };
}

const CONTEXT_LINES = 2;

/**
 * A Babel-style code frame: the lines around `range`, a `>` on the first marked
 * line and carets under the marked columns, with `message` after the carets.
 *
 * @example formatCodeFrame("let a = 1;\nfoo(;", { start: 15, end: 16 }, "Unexpected ';'")
 */
export function formatCodeFrame(source: string, range: SourceRange, message: string): string {
  const lines = source.split(/\r?\n/);
  const from = locate(source, range.start);
  const to = locate(source, Math.max(range.start, range.end));
  const first = Math.max(1, from.line - CONTEXT_LINES);
  const last = Math.min(lines.length, to.line + CONTEXT_LINES);
  const gutterWidth = String(last).length;
  const out: string[] = [];
  for (let lineNumber = first; lineNumber <= last; lineNumber++) {
    const text = lines[lineNumber - 1] ?? "";
    const marked = lineNumber >= from.line && lineNumber <= to.line;
    const gutter = String(lineNumber).padStart(gutterWidth);
    out.push(`${marked ? ">" : " "} ${gutter} |${text ? ` ${text}` : ""}`.trimEnd());
    if (!marked) continue;
    const startColumn = lineNumber === from.line ? from.column : text.length - text.trimStart().length;
    const endColumn = lineNumber === to.line ? to.column : text.length;
    const carets = "^".repeat(Math.max(1, endColumn - startColumn));
    const isLastMarked = lineNumber === to.line;
    const padding = text.slice(0, startColumn).replace(/[^\t]/g, " ");
    out.push(`  ${" ".repeat(gutterWidth)} | ${padding}${carets}${isLastMarked && message ? ` ${message}` : ""}`);
  }
  return out.join("\n");
}

/**
 * A compile-time misuse of `@memo` / `@singleton` (or unparsable input), thrown by
 * `transformSource` and by hosts that have no diagnostic channel of their own.
 * `diagnostics` holds every problem found in the file; the message shows the first.
 */
export class TransformError extends AutomemoError {
  /** Where the first problem is (1-based line, 0-based column). */
  readonly loc: SourceLocation;
  /** Code frame of the first problem. */
  readonly frame: string;
  readonly filename: string;
  readonly diagnostics: readonly PlanDiagnostic[];

  constructor(filename: string, source: string, diagnostics: readonly PlanDiagnostic[]) {
    const first = diagnostics[0];
    if (!first) throw new TypeError("TransformError needs at least one diagnostic");
    const loc = locate(source, first.range.start);
    const frame = formatCodeFrame(source, first.range, "");
    const more = diagnostics.length > 1 ? `\n(and ${diagnostics.length - 1} more problem${diagnostics.length > 2 ? "s" : ""} in this file)` : "";
    const text = first.message.replace(/^\[automemo\] /, "");
    super(first.code, `${text}\n  at ${filename}:${loc.line}:${loc.column + 1}\n\n${frame}${more}`);
    this.loc = loc;
    this.frame = frame;
    this.filename = filename;
    this.diagnostics = diagnostics;
  }
}
