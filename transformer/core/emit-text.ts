import MagicString, { type SourceMap } from "magic-string";
import { TransformError } from "./errors.ts";
import type { EmittedNames } from "./emitted-names.ts";
import { type ModulePlan, type PlannedFunction, type PlanOptions, type SiblingShape } from "./plan.ts";
import { planModule, projectRelativePath } from "./planner.ts";
import { mightContainTags } from "./tags.ts";

/**
 * The text emitter: applies a plan as magic-string edits at original offsets, so
 * the rest of the file (types included) is untouched and maps 1:1. Used by the
 * bundler plugins and the Node loader, whose later steps strip types.
 */

export interface TransformSourceOptions extends PlanOptions {
  /** Generate a source map (only then; maps cost time). */
  readonly sourceMap?: boolean;
}

export interface TransformSourceResult {
  readonly code: string;
  readonly map: SourceMap | null;
  /**
   * Absolute paths of the other project files the embedded hashes were computed from
   * (`ModulePlan.dependencyFiles`). A host with a watch mode re-transforms this module
   * when one of them changes (`this.addWatchFile` in bundlers), or its hashes go stale.
   */
  readonly dependencyFiles: readonly string[];
}


/**
 * Rewrites the annotated functions of one module. Returns null when there is
 * nothing to do (no tags, or output of an earlier run); throws `TransformError`
 * with a code frame on misuse or a syntax error.
 *
 * @example
 * const out = transformSource(code, { filename: "/app/src/db.ts", root: "/app", sourceMap: true });
 * if (out) emit(out.code, out.map);
 */
export function transformSource(source: string, options: TransformSourceOptions): TransformSourceResult | null {
  if (!mightContainTags(source)) return null;
  const plan = planModule(source, options);
  if (plan.diagnostics.length > 0) {
    throw new TransformError(projectRelativePath(options.filename, options.root), source, plan.diagnostics);
  }
  if (plan.functions.length === 0) return null;
  const text = new Insertions();
  const ordered = [...plan.functions].sort((a, b) => b.node.start - a.node.start);
  // Innermost first, so closings that share an offset nest correctly.
  for (const fn of ordered) {
    if (fn.sibling) declareWrapperBeside(text, source, fn, fn.sibling, plan.names);
    else wrapBody(text, source, fn, plan.names);
  }
  for (const fn of ordered) {
    const binding = fn.bindFunction;
    if (binding && binding.insertAt !== "preamble") {
      const semicolon = source[binding.insertAt - 1] === ";" ? "" : ";";
      text.appendLeft(binding.insertAt, `${semicolon}\n${indentationAt(source, binding.insertAt)}${bindingStatement(fn, binding.name, plan.names)}`);
    }
  }
  const preamble = preambleLines(plan).join("\n");
  text.appendLeft(plan.preambleAt, plan.preambleAt === 0 ? `${preamble}\n` : `\n${preamble}`);
  const result = (code: string, map: SourceMap | null): TransformSourceResult => ({
    code,
    map,
    // Read from the plan on first use: gathering the files costs a walk of every closure, and only watch modes need them.
    get dependencyFiles() {
      return plan.dependencyFiles ?? [];
    },
  });
  if (!options.sourceMap) return result(text.apply(source), null);
  const edited = text.toMagicString(source);
  return result(edited.toString(), edited.generateMap({ hires: "boundary", source: projectRelativePath(options.filename, options.root), includeContent: true }));
}

/**
 * Text inserted at original offsets, `appendLeft` style: insertions at one offset
 * keep their call order. Without a source map the result is built with plain string
 * slices (a MagicString costs more to set up than this whole emit); with one, the
 * same calls are replayed on a MagicString, which gives the identical text.
 */
class Insertions {
  private readonly offsets: number[] = [];
  private readonly texts: string[] = [];

  private readonly ends: number[] = [];

  appendLeft(offset: number, text: string): void {
    this.replace(offset, offset, text);
  }

  /** Replaces `[start, end)` of the source with `text` (ranges never overlap; an empty range inserts). */
  replace(start: number, end: number, text: string): void {
    this.offsets.push(start);
    this.ends.push(end);
    this.texts.push(text);
  }

  apply(source: string): string {
    const { offsets, texts } = this;
    // Array#sort is stable, so equal offsets stay in call order.
    const order = offsets.map((_, index) => index).sort((a, b) => offsets[a] - offsets[b]);
    let result = "";
    let copied = 0;
    for (const index of order) {
      result += source.slice(copied, offsets[index]) + texts[index];
      copied = Math.max(copied, this.ends[index]);
    }
    return result + source.slice(copied);
  }

  toMagicString(source: string): MagicString {
    const text = new MagicString(source);
    this.offsets.forEach((offset, index) => {
      if (this.ends[index] > offset) text.update(offset, this.ends[index], this.texts[index]);
      else text.appendLeft(offset, this.texts[index]);
    });
    return text;
  }
}

/** Runtime import (unless present), handle declarations, then bindings of hoisted declarations. */
function preambleLines(plan: ModulePlan): string[] {
  const lines: string[] = [];
  if (!plan.hasRuntimeImport) lines.push(runtimeImportStatement(plan));
  for (const fn of plan.functions) lines.push(handleDeclaration(fn, plan.names));
  for (const fn of plan.functions) {
    if (fn.bindFunction?.insertAt === "preamble") lines.push(bindingStatement(fn, fn.bindFunction.name, plan.names));
  }
  return lines;
}

function runtimeImportStatement(plan: ModulePlan): string {
  const module = JSON.stringify(plan.runtimeModule);
  const { cacheHandle, miss } = plan.names;
  return plan.moduleFormat === "esm"
    ? `import { cacheHandle as ${cacheHandle}, MISS as ${miss} } from ${module};`
    : `const { cacheHandle: ${cacheHandle}, MISS: ${miss} } = require(${module});`;
}

function handleDeclaration(fn: PlannedFunction, names: EmittedNames): string {
  const { id, hash, params, key, options } = fn.meta;
  const meta = literalText({ id, hash, params, key, options });
  return `const ${fn.handleName} = ${names.cacheHandle}(${JSON.stringify(fn.kind)}, ${meta});`;
}

function bindingStatement(fn: PlannedFunction, name: string, names: EmittedNames): string {
  return `${fn.handleName}.${names.bindFunction}(${name});`;
}

/** `get0()` ... `get3(a, b, c)`, then `getN([a, b, c, d])`: arity-specialised so a hit allocates nothing. */
function lookupCall(fn: PlannedFunction): string {
  const args = fn.keyExpressions;
  const call = args.length <= 3 ? `get${args.length}(${args.join(", ")})` : `getN([${args.join(", ")}])`;
  return `${fn.handleName}.${call}`;
}

/** The three statements that start a wrapped body; the original body follows inside `settle`. */
function lookupStatements(fn: PlannedFunction, names: EmittedNames): [string, string, string] {
  const result = names.lookupResult;
  return [
    `const ${result} = ${lookupCall(fn)};`,
    `if (${result} !== ${names.miss}) return ${result};`,
    `return ${fn.handleName}.settle(${fn.isAsync ? "async " : ""}() => `,
  ];
}

function wrapBody(text: Insertions, source: string, fn: PlannedFunction, names: EmittedNames): void {
  const [lookup, hitReturn, settle] = lookupStatements(fn, names);
  if (fn.conciseBody) {
    text.appendLeft(fn.bodyInsertAt, `{ ${lookup} ${hitReturn} ${settle}(`);
    text.appendLeft(fn.body.end, `)); }`);
    return;
  }
  const closeBrace = fn.body.end - 1;
  const inner = source.slice(fn.bodyInsertAt, closeBrace);
  if (!inner.includes("\n")) {
    text.appendLeft(fn.bodyInsertAt, ` ${lookup} ${hitReturn} ${settle}{`);
    text.appendLeft(closeBrace, `}); `);
    return;
  }
  const closingLineStart = source.lastIndexOf("\n", closeBrace - 1) + 1;
  const beforeClose = source.slice(closingLineStart, closeBrace);
  const braceOnOwnLine = /^[ \t]*$/.test(beforeClose);
  const outer = braceOnOwnLine ? beforeClose : indentationAt(source, fn.body.start);
  const step = outer.includes("\t") ? "\t" : "  ";
  const indent = outer + step;
  text.appendLeft(fn.bodyInsertAt, `\n${indent}${lookup}\n${indent}${hitReturn}\n${indent}${settle}{`);
  text.appendLeft(closeBrace, braceOnOwnLine ? `${step}});\n${outer}` : ` });\n${outer}`);
}

/**
 * `function f(a = 1) { BODY }` => `function f(a = 1) { lookup; return h.settleCall(__am_f0, void 0, a); } function __am_f0(a) { BODY }`
 * on the same line, so the body keeps its lines and its nesting depth (`sibling-shape.ts`).
 */
function declareWrapperBeside(text: Insertions, source: string, fn: PlannedFunction, sibling: SiblingShape, names: EmittedNames): void {
  const [lookup, hitReturn] = lookupStatements(fn, names);
  const header = source.slice(fn.node.start, fn.body.start);
  text.appendLeft(fn.node.start, `${header}{ ${lookup} ${hitReturn} return ${fn.handleName}.settleCall(${settleCallArguments(sibling)}); } `);
  text.replace(sibling.name.start, sibling.name.end, sibling.name.start === sibling.name.end ? ` ${sibling.computeName}` : sibling.computeName);
  text.replace(sibling.params.start, sibling.params.end, sibling.computeParamsText);
}

/** `__am_f0, void 0, a, b` (`this` when the body reads it): no closure over the parameters, so a hit allocates nothing. */
function settleCallArguments(sibling: SiblingShape): string {
  return [sibling.computeName, sibling.passesThis ? "this" : "void 0", ...sibling.paramNames].join(", ");
}

/** Leading whitespace of the line that contains `offset`. */
function indentationAt(source: string, offset: number): string {
  const lineStart = source.lastIndexOf("\n", offset - 1) + 1;
  return /^[ \t]*/.exec(source.slice(lineStart))![0];
}

/** Literal values as compact JS source: `{ ttl: "1h", tags: ["a"] }`. */
function literalText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(literalText).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).map(([name, item]) => {
      const key = /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
      return `${key}: ${literalText(item)}`;
    });
    return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
  }
  return JSON.stringify(value);
}
