import { posix } from "node:path";
import type { CacheKind } from "../../runtime/meta.ts";
import { validateOptions } from "../../runtime/options.ts";
import type { Directive, Program } from "oxc-parser";
import { type FunctionNode, type SyntaxNode, boundNames } from "./ast.ts";
import { createLocator } from "./errors.ts";
import { type AnnotatedFunction, findAnnotatedFunctions } from "./find.ts";
import { CodeHasher } from "./hash.ts";
import { formatFromExtension } from "./parse.ts";
import { ANY_PREFIX, chooseEmittedNames, DEFAULT_NAMES, type EmittedNames, namesWithPrefix } from "./emitted-names.ts";
import { ARGUMENT_COUNT_KEY, type ModulePlan, type PlanDiagnostic, type PlannedFunction, type PlanOptions } from "./plan.ts";
import { isAbsolutePath, PathMemo } from "./path-memo.ts";
import { analyzeScopes } from "./scope.ts";
import { createDependencyHashing } from "./deps/index.ts";
import { siblingShapeOf } from "./sibling-shape.ts";

const DEFAULT_RUNTIME_MODULE = "automemo";
/** Names an earlier run emitted, whatever prefix it chose: `__am_0`, `__am1_cacheHandle`, `__am_r`. */
const HANDLE_NAME = new RegExp(`^${ANY_PREFIX}(\\d+)$`);
const CACHE_HANDLE_NAME = new RegExp(`^(${ANY_PREFIX})cacheHandle$`);
const LOOKUP_RESULT_NAME = new RegExp(`^${ANY_PREFIX}r$`);
const BIND_FUNCTION = DEFAULT_NAMES.bindFunction;

const relativePaths = new PathMemo((filename, root) => {
  const file = filename.replaceAll("\\", "/");
  const base = root.replaceAll("\\", "/");
  if (!isAbsolutePath(file)) return posix.normalize(file);
  return posix.relative(base, file) || posix.basename(file);
});

/** The posix path of `filename` relative to `root`, as ids embed it. */
export function projectRelativePath(filename: string, root: string): string {
  return relativePaths.get(filename, root);
}

/**
 * Computes the rewrite plan of one module from its source text: every annotated
 * function with its handle, metadata and key expressions, plus any misuse as
 * diagnostics. Hosts apply the plan to their own AST or as text edits.
 *
 * @example
 * const plan = planModule(code, { filename: "/app/src/db.ts", root: "/app" });
 * plan.functions[0].meta.id; // "src/db.ts#loadRows"
 */
export function planModule(source: string, options: PlanOptions): ModulePlan {
  const relativePath = projectRelativePath(options.filename, options.root);
  const runtimeModule = options.runtimeModule ?? DEFAULT_RUNTIME_MODULE;
  const dependencies = createDependencyHashing({
    source,
    filename: options.filename,
    root: options.root,
    dependencies: options.dependencies,
    dependencyCache: options.dependencyCache,
    session: options.session,
  });
  const parsed = dependencies.parse(source, options.filename, relativePath);
  const moduleFormat =
    options.moduleFormat ?? formatFromExtension(options.filename) ?? (parsed.hasModuleSyntax ? "esm" : undefined);
  if (parsed.diagnostics.length > 0) {
    return { functions: [], diagnostics: parsed.diagnostics, moduleFormat: moduleFormat ?? "esm", preambleAt: 0, runtimeModule, names: DEFAULT_NAMES, hasRuntimeImport: false };
  }
  const program = parsed.program;
  // Only a module of unknown format needs the whole-program walk that looks for CommonJS.
  const found = findAnnotatedFunctions(program, parsed.comments, source, { detectCommonJs: moduleFormat === undefined });
  const diagnostics: PlanDiagnostic[] = [...found.diagnostics];
  const format = moduleFormat ?? (found.usesCommonJs ? "cjs" : "esm");
  const preamble = scanPreamble(program, format);
  // Output of an earlier run keeps the names its runtime import declared; new handles continue its numbering.
  const names: EmittedNames = preamble.runtimePrefix !== null ? namesWithPrefix(preamble.runtimePrefix) : chooseEmittedNames(source);
  const scopes = found.functions.length > 0 ? analyzeScopes(program) : null;
  const ids = uniqueIds(found.functions.map((fn) => `${relativePath}#${fn.qualifiedName}`));

  const commentStartsByEnd = new Map(parsed.comments.map((comment) => [comment.end, comment.start]));
  const locate = createLocator(source);
  const functions: PlannedFunction[] = [];
  const typescript = /\.[cm]?tsx?$/.test(options.filename);
  let nextHandle = preamble.nextHandleIndex;
  found.functions.forEach((annotated, index) => {
    if (isAlreadyTransformed(annotated.fn)) return;
    const kind = annotated.tag.kind;
    const rawOptions = annotated.tag.rawOptions ?? {};
    const where = `${relativePath}:${locate(annotated.tag.range.start).line}`;
    try {
      validateOptions(rawOptions, kind, where);
    } catch (error) {
      const option = (error as { option?: string }).option;
      diagnostics.push({
        code: "AUTOMEMO_INVALID_OPTION",
        message: (error as Error).message,
        range: (option !== undefined ? annotated.tag.optionRanges[option] : undefined) ?? annotated.tag.optionsRange ?? annotated.tag.range,
      });
      return;
    }
    const params = annotated.fn.params.flatMap((param) => boundNames(param));
    const captured = scopes!.capturedNames(annotated.fn, annotated.selfNames);
    // `this` leads the key (the runtime keys a leading "this" by identity), whether the
    // function is an instance member or an arrow that captures its method's `this`.
    const key = annotated.isInstanceMember || captured.includes("this") ? ["this"] : [];
    key.push(...params.filter((name) => !name.startsWith("_")));
    for (const name of captured) if (!key.includes(name)) key.push(name);
    // A function reading its own `arguments` can tell f() from f(undefined): the count joins the key.
    if (scopes!.readsOwnArguments(annotated.fn)) key.push(ARGUMENT_COUNT_KEY);
    const handleIndex = nextHandle++;
    const sibling = siblingShapeOf(annotated.fn, annotated.inStatementList, source, typescript, `${names.computePrefix}${handleIndex}`);
    functions.push(
      planFunction(annotated, kind, commentStartsByEnd, source, {
        id: ids[index],
        hash: dependencies.hash(annotated.fn, hashAnnotated(annotated), rawOptions.deps !== false),
        params,
        key,
        options: rawOptions,
      }, `${names.handlePrefix}${handleIndex}`, sibling),
    );
  });
  diagnostics.sort((a, b) => a.range.start - b.range.start);
  dependencies.finish();
  return withLazyDependencyFiles(
    { functions, diagnostics, moduleFormat: format, preambleAt: preamble.insertAt, runtimeModule, names, hasRuntimeImport: preamble.runtimePrefix !== null },
    dependencies.files,
  );
}

/** `plan` with `dependencyFiles` gathered on first read: only hosts with a watch mode read it, and gathering walks every closure. */
function withLazyDependencyFiles(plan: Omit<ModulePlan, "dependencyFiles">, files: () => readonly string[]): ModulePlan {
  let gathered: readonly string[] | undefined;
  return {
    ...plan,
    get dependencyFiles() {
      return (gathered ??= files());
    },
  };
}

function planFunction(
  annotated: AnnotatedFunction,
  kind: CacheKind,
  commentStartsByEnd: ReadonlyMap<number, number>,
  source: string,
  meta: PlannedFunction["meta"],
  handleName: string,
  sibling: PlannedFunction["sibling"],
): PlannedFunction {
  const { fn } = annotated;
  const body = fn.body;
  const conciseBody = body.type !== "BlockStatement";
  let bodyInsertAt = conciseBody ? startOfLeadingComments(body.start, commentStartsByEnd, source) : body.start + 1;
  if (!conciseBody) {
    for (const statement of body.body) {
      if (!isDirective(statement)) break;
      bodyInsertAt = statement.end;
    }
  }
  return {
    kind,
    node: { start: fn.start, end: fn.end },
    body: { start: body.start, end: body.end },
    conciseBody,
    bodyInsertAt,
    isAsync: Boolean(fn.async),
    handleName,
    meta,
    keyExpressions: meta.key,
    tag: annotated.tag.range,
    bindFunction: annotated.binding,
    sibling,
  };
}

/**
 * A concise body's wrapper must open before the comments that lead the expression,
 * or a JSDoc tag on a nested arrow (`(a) => /** @memo *\/ (b) => ...`) would end up
 * leading the wrapper instead of the function it tags.
 */
function startOfLeadingComments(offset: number, commentStartsByEnd: ReadonlyMap<number, number>, source: string): number {
  let start = offset;
  for (;;) {
    let end = start;
    while (end > 0 && /\s/.test(source[end - 1])) end--;
    const commentStart = commentStartsByEnd.get(end);
    if (commentStart === undefined) return start;
    start = commentStart;
  }
}

/** Own code + name (+ `this`-ness and member decorators): the seed that dependency hashing extends with the hashes of what the function reads. */
function hashAnnotated(annotated: AnnotatedFunction): string {
  const hasher = new CodeHasher().add(annotated.isInstanceMember ? `instance ${annotated.ownName}` : annotated.ownName);
  for (const decorator of annotated.decorators) hasher.addNode(decorator);
  return hasher.addNode(annotated.fn).digest();
}

/** `x`, `x~2`, `x~3` in source order. */
function uniqueIds(ids: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return ids.map((id) => {
    const count = (seen.get(id) ?? 0) + 1;
    seen.set(id, count);
    return count === 1 ? id : `${id}~${count}`;
  });
}

/** A body that already starts with `const __am_r = __am_N.getK(...)` was transformed before. */
function isAlreadyTransformed(fn: FunctionNode): boolean {
  if (fn.body?.type !== "BlockStatement") return false;
  const first = fn.body.body.find((statement) => !isDirective(statement));
  const declarator = first?.type === "VariableDeclaration" ? first.declarations[0] : null;
  const callee = declarator?.init?.type === "CallExpression" ? declarator.init.callee : null;
  return (
    declarator?.id.type === "Identifier" &&
    LOOKUP_RESULT_NAME.test(declarator.id.name) &&
    callee?.type === "MemberExpression" &&
    callee.object.type === "Identifier" &&
    HANDLE_NAME.test(callee.object.name)
  );
}

interface PreambleScan {
  readonly insertAt: number;
  /** The prefix of the runtime import an earlier run emitted (`__am_`), or null when there is none. */
  readonly runtimePrefix: string | null;
  readonly nextHandleIndex: number;
}

/**
 * The leading statements the preamble goes after: the directive prologue, then (ESM)
 * the imports, then anything a previous run emitted (runtime import, handles,
 * bindings), so transforming output again finds its own preamble.
 */
/** A directive of a prologue (`"use strict";`): oxc marks it with the `directive` text. */
function isDirective(statement: SyntaxNode): statement is Directive {
  return statement.type === "ExpressionStatement" && typeof statement.directive === "string";
}

function scanPreamble(program: Program, format: "esm" | "cjs"): PreambleScan {
  let insertAt = program.hashbang ? program.hashbang.end : 0;
  let runtimePrefix: string | null = null;
  let nextHandleIndex = 0;
  for (const statement of program.body) {
    const directive = isDirective(statement);
    const isImport = format === "esm" && (statement.type === "ImportDeclaration" || statement.type === "TSImportEqualsDeclaration");
    const runtimeImport = runtimeImportPrefix(statement);
    const handleIndex = emittedHandleIndex(statement);
    if (!(directive || isImport || runtimeImport !== null || handleIndex !== null || isEmittedBinding(statement))) break;
    runtimePrefix ??= runtimeImport;
    if (handleIndex !== null) nextHandleIndex = Math.max(nextHandleIndex, handleIndex + 1);
    insertAt = statement.end;
  }
  return { insertAt, runtimePrefix, nextHandleIndex };
}

/** The prefix of the `cacheHandle` binding a runtime import (or require) of an earlier run declares, or null. */
function runtimeImportPrefix(statement: SyntaxNode): string | null {
  let names: string[] = [];
  if (statement.type === "ImportDeclaration") names = statement.specifiers.map((specifier) => specifier.local.name);
  else if (statement.type === "VariableDeclaration" && statement.declarations[0]?.id.type === "ObjectPattern") names = boundNames(statement.declarations[0].id);
  for (const name of names) {
    const match = CACHE_HANDLE_NAME.exec(name);
    if (match) return match[1];
  }
  return null;
}

function emittedHandleIndex(statement: SyntaxNode): number | null {
  if (statement.type !== "VariableDeclaration" || statement.declarations.length !== 1) return null;
  const [declarator] = statement.declarations;
  const match = declarator.id.type === "Identifier" ? HANDLE_NAME.exec(declarator.id.name) : null;
  const callee = declarator.init?.type === "CallExpression" ? declarator.init.callee : null;
  return match && callee?.type === "Identifier" && CACHE_HANDLE_NAME.test(callee.name) ? Number(match[1]) : null;
}

function isEmittedBinding(statement: SyntaxNode): boolean {
  const call = statement.type === "ExpressionStatement" ? statement.expression : null;
  const callee = call?.type === "CallExpression" ? call.callee : null;
  return (
    callee?.type === "MemberExpression" &&
    callee.object.type === "Identifier" &&
    HANDLE_NAME.test(callee.object.name) &&
    callee.property.type === "Identifier" &&
    callee.property.name === BIND_FUNCTION
  );
}
