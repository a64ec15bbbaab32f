/**
 * The Babel host: `automemo/babel`, for @babel/core 7.22+ and 8. It plans the
 * module with the shared core (from the original source text, so ids and hashes
 * match every other host) and applies the plan to Babel's AST with the host's own
 * `types`, keeping each original body node so locations and source maps survive.
 *
 * @example
 * ```json
 * // babel.config.json
 * { "presets": ["@babel/preset-typescript"], "plugins": ["automemo/babel"] }
 * ```
 */
import type * as BabelTypes from "@babel/types";
import { ARGUMENT_COUNT_KEY, holdsOffset, locate, mightContainTags, planModule, type EmittedNames, type ModulePlan, type PlanDiagnostic, type PlannedFunction } from "./core/index.ts";
import { handleMetaEntries, lookupShape, runtimeBindings } from "./hosts/emit-shape.ts";
import { parseHostOptions, type HostOptions } from "./hosts/options.ts";

type Types = typeof BabelTypes;

/** A key that needs no quotes in an object literal (anything else is printed as a string key). */
const IDENTIFIER_NAME = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u;
type FunctionNode = BabelTypes.Function;

/**
 * The parts of Babel's plugin API this plugin uses. Structural and free of Babel's
 * own types, so Babel 7 and 8 both fit and the published `.d.ts` needs no Babel package.
 */
export interface BabelApi {
  readonly version: string;
  /** `@babel/types` of the running Babel. */
  readonly types: object;
  assertVersion(range: string): void;
  /** Babel 7.17+ and 8: a file the output depends on, reported with each result (`result.externalDependencies`). */
  readonly addExternalDependency?: (file: string) => void;
  readonly cache?: { never(): void };
  /** Who runs Babel (babel-loader, Next.js, Jest...), as the integration reports it. */
  readonly caller?: <T>(read: (caller: { readonly name?: string } | undefined) => T) => T;
}

/** Next.js's own Babel loader (webpack and Turbopack) reads no external dependencies and keeps transformed files in its build cache. */
const NEXT_BABEL_LOADER = "next-babel-turbo-loader";
let warnedAboutNext = false;

/**
 * Next.js's Babel loader caches a transformed file by its own text only, so after an edit of a
 * helper in another file it can keep serving the old code hash: say so loudly, once per process.
 */
function warnUnderNextBabelLoader(api: BabelApi): void {
  if (warnedAboutNext || api.caller?.((caller) => caller?.name) !== NEXT_BABEL_LOADER) return;
  warnedAboutNext = true;
  console.warn(
    "[automemo] Next.js's Babel loader re-runs a file only when the file itself changes, so after an edit of a helper in another file " +
      "its build cache can keep an old code hash and old cached results would be served. Use automemo/webpack in next.config.mjs with " +
      "`next build --webpack` (docs/nextjs.md), or delete .next/cache after editing helpers.",
  );
}

interface NodePathLike<N> {
  readonly node: N;
}

interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

interface BabelFile {
  readonly code: string;
  readonly opts: { readonly filename?: string | null; readonly root?: string; readonly cwd?: string };
  buildCodeFrameError(node: { loc: { start: SourcePosition; end: SourcePosition } }, message: string): Error;
}

interface ProgramVisitor {
  readonly Program: { enter(path: NodePathLike<BabelTypes.Program>, state: { file: BabelFile; filename?: string }): void };
}

/** What Babel receives: a named plugin with a visitor. */
export interface AutomemoBabelPlugin {
  readonly name: "automemo";
  readonly visitor: object;
}

export default function automemoBabelPlugin(api: BabelApi, rawOptions?: unknown): AutomemoBabelPlugin {
  api.assertVersion("^7.22.0 || ^8.0.0");
  const options: HostOptions = parseHostOptions(rawOptions, "the options of the automemo/babel plugin");
  const t = api.types as Types;
  // Before dependencyReporter: reading the caller configures Babel's plugin cache, which must come before `cache.never()`.
  warnUnderNextBabelLoader(api);
  const reportDependencies = dependencyReporter(api);

  const visitor: ProgramVisitor = {
    // Program enter runs before preset-typescript / preset-env touch the AST, so
    // node offsets still match the source text the plan was computed from.
    Program: {
      enter(programPath, state) {
        const file = state.file;
        reportDependencies?.([]);
        if (!mightContainTags(file.code)) return;
        const filename = state.filename ?? file.opts.filename ?? "unknown.js";
        const plan = planModule(file.code, {
          filename,
          root: options.root ?? file.opts.root ?? file.opts.cwd ?? process.cwd(),
          runtimeModule: options.runtimeModule,
          dependencies: options.dependencies,
          dependencyCache: options.dependencyCache,
          // A script (sourceType "script", or "unambiguous" without ESM syntax) cannot hold an import.
          moduleFormat: programPath.node.sourceType === "script" ? "cjs" : undefined,
        });
        const [firstProblem] = plan.diagnostics;
        if (firstProblem) throw buildPlanError(file, firstProblem);
        if (plan.functions.length === 0) return;
        reportDependencies?.(plan.dependencyFiles ?? []);

        const emitter = new BabelPlanEmitter(t, plan.names);
        const sites = findPlanSites(t, programPath.node, plan, file);
        const besides: StatementEdit[] = [];
        for (const [planned, fn] of sites.functions) {
          const declared = planned.sibling ? sites.declarations.get(fn) : undefined;
          if (declared && t.isFunctionDeclaration(fn)) besides.push(emitter.declareWrapperBeside(fn, planned, declared));
          else emitter.wrapBody(fn, planned);
        }
        // The preamble first: it goes before the first original statement at or after its offset, and wrappers have no offsets.
        emitter.insertPreamble(programPath.node, plan);
        emitter.editStatements([...besides, ...sites.bindings.map((site) => emitter.bindingEdit(site))]);
        // No `scope.crawl()` afterwards (it would cost a third of this plugin): the new
        // names stay unregistered, which every later transform handles. preset-typescript
        // keeps an import it has no binding for (a registered binding with no recorded
        // references is what it would elide), the CommonJS transform rewrites any
        // reference to an imported name that no scope shadows, and scopes of the new
        // functions are built when the traversal reaches them.
      },
    },
  };
  return { name: "automemo", visitor };
}

/**
 * Reports the files a file's hashes were computed from (helpers' files, imported
 * packages' package.json, tsconfig files) as Babel external dependencies, so integrations
 * that honour them (babel-loader's `cacheDirectory` and webpack's caches, `@babel/cli
 * --watch`) transform the file again when one changes. Babel has no per-file API for this
 * (babel/babel#16016): `addExternalDependency` is called when the plugin is created. But
 * Babel builds each result's list after the transform, flattening nested arrays, so the
 * plugin hands it one array and fills it for the file at hand; `cache.never()` gives every
 * transform its own plugin instance, so concurrent transforms never share the array.
 * Null on Babel before 7.17.
 */
function dependencyReporter(api: BabelApi): ((files: readonly string[]) => void) | null {
  if (typeof api.addExternalDependency !== "function" || !api.cache) return null;
  api.cache.never();
  const reported: string[] = [];
  api.addExternalDependency(reported as unknown as string);
  return (files) => {
    // A host that shares one plugin instance between files (Next.js) keeps only the last file's list.
    reported.length = 0;
    reported.push(...files);
  };
}

function buildPlanError(file: BabelFile, problem: PlanDiagnostic): Error {
  const start = locate(file.code, problem.range.start);
  const end = locate(file.code, Math.max(problem.range.start, problem.range.end));
  const error = file.buildCodeFrameError({ loc: { start, end } }, problem.message);
  return Object.assign(error, { code: problem.code });
}

/** Where a function's body starts in the source; Babel keeps `(` of a parenthesized concise body in `extra`. */
function bodyStart(fn: FunctionNode): number | null | undefined {
  const extra = fn.body.extra as { parenthesized?: boolean; parenStart?: number } | undefined;
  return extra?.parenthesized ? extra.parenStart : fn.body.start;
}

/** A statement list and the statement the `bindFunction` calls go right after. */
interface BindingSite {
  readonly container: BabelTypes.Statement[];
  readonly after: BabelTypes.Statement;
  readonly functions: PlannedFunction[];
}

/** A function declaration's place: the statement list and the statement (the declaration, or the export holding it). */
interface DeclarationSite {
  readonly container: BabelTypes.Statement[];
  readonly statement: BabelTypes.Statement;
}

/** Statements to insert after `after` in `container`, and what replaces `after` itself (if anything). */
interface StatementEdit {
  readonly container: BabelTypes.Statement[];
  readonly after: BabelTypes.Statement;
  readonly replaceWith?: BabelTypes.Statement;
  readonly insert: BabelTypes.Statement[];
}

interface PlanSites {
  readonly functions: Map<PlannedFunction, FunctionNode>;
  readonly bindings: BindingSite[];
  /** Where each function declaration of a statement list sits (for the sibling shape). */
  readonly declarations: Map<FunctionNode, DeclarationSite>;
}

/**
 * Finds each planned function (by the start offset of its body) and each statement a
 * `bindFunction` call follows (by its end offset). Walks the nodes, not paths, and only
 * into nodes whose range holds one of those offsets (or that have no range: inserted by
 * an earlier plugin), so a file costs a few dozen node visits instead of a traversal.
 */
function findPlanSites(t: Types, program: BabelTypes.Program, plan: ModulePlan, file: BabelFile): PlanSites {
  const byBodyStart = new Map(plan.functions.map((planned) => [planned.body.start, planned]));
  const bindAfter = new Map<number, PlannedFunction[]>();
  for (const planned of plan.functions) {
    const at = planned.bindFunction?.insertAt;
    if (typeof at === "number") bindAfter.set(at, [...(bindAfter.get(at) ?? []), planned]);
  }
  const offsets = [...byBodyStart.keys(), ...bindAfter.keys()].sort((a, b) => a - b);
  const mayHoldSite = (node: BabelTypes.Node): boolean => node.start == null || node.end == null || holdsOffset(offsets, node.start, node.end);
  const functions = new Map<PlannedFunction, FunctionNode>();
  const bindings: BindingSite[] = [];
  const declarations = new Map<FunctionNode, DeclarationSite>();
  // Pre-order with an explicit stack: nesting as deep as the code never deepens our stack.
  const pending: BabelTypes.Node[] = [program];
  for (let node = pending.pop(); node; node = pending.pop()) {
    const children: BabelTypes.Node[] = [];
    if (t.isFunction(node)) {
      const start = bodyStart(node);
      const planned = start == null ? undefined : (byBodyStart.get(start) ?? byBodyStart.get(node.body.start ?? -1));
      if (planned && !functions.has(planned)) functions.set(planned, node);
    }
    for (const key of t.VISITOR_KEYS[node.type] ?? []) {
      const child = (node as unknown as Record<string, unknown>)[key];
      if (!Array.isArray(child)) {
        if (t.isNode(child) && mayHoldSite(child)) children.push(child);
        continue;
      }
      for (const item of child as (BabelTypes.Node | null)[]) {
        if (!item || !mayHoldSite(item)) continue;
        const planned = item.end == null ? undefined : bindAfter.get(item.end);
        if (planned && t.isStatement(item)) {
          bindAfter.delete(item.end!);
          bindings.push({ container: child as BabelTypes.Statement[], after: item, functions: planned });
        }
        const declared = t.isFunctionDeclaration(item) ? item : (t.isExportNamedDeclaration(item) || t.isExportDefaultDeclaration(item)) && t.isFunctionDeclaration(item.declaration) ? item.declaration : null;
        if (declared) declarations.set(declared, { container: child as BabelTypes.Statement[], statement: item as BabelTypes.Statement });
        children.push(item);
      }
    }
    for (let index = children.length - 1; index >= 0; index--) pending.push(children[index]);
  }
  const missing = plan.functions.find((planned) => !functions.has(planned));
  if (missing) {
    // Only happens when a plugin that ran before automemo already replaced the function.
    throw buildPlanError(file, {
      code: "AUTOMEMO_HOST_MISMATCH",
      message:
        `[automemo] Could not find ${missing.meta.id} in Babel's AST: another plugin rewrote it before automemo ran. ` +
        `Put "automemo/babel" first in your Babel plugins.`,
      range: missing.tag,
    });
  }
  return { functions, bindings, declarations };
}

/**
 * Inserts `statements` before `list[index]`. Babel attaches a comment between two
 * statements to both, and the generator prints it where it first meets it, which
 * would put the next function's JSDoc above the inserted code; keep it on the next one.
 */
function insertBetween(list: BabelTypes.Statement[], index: number, statements: BabelTypes.Statement[], next: BabelTypes.Statement | undefined = list[index]): void {
  const previous = list[index - 1];
  const nextComments = new Set(next?.leadingComments?.map((comment) => comment.start));
  if (previous?.trailingComments) previous.trailingComments = previous.trailingComments.filter((comment) => !nextComments.has(comment.start));
  list.splice(index, 0, ...statements);
}

/** Builds the emitted statements with the host Babel's own `types`. */
class BabelPlanEmitter {
  constructor(
    private readonly t: Types,
    private readonly names: EmittedNames,
  ) {}

  /** Replaces the function's body with the lookup; the original body node moves, untouched, into the compute arrow. */
  wrapBody(fn: FunctionNode, planned: PlannedFunction): void {
    const { t } = this;
    const original = fn.body;
    let directives: BabelTypes.Directive[] = [];
    if (t.isBlockStatement(original)) {
      directives = original.directives;
      original.directives = [];
    }
    const compute = t.arrowFunctionExpression([], original, planned.isAsync);
    fn.body = t.blockStatement(
      [...this.lookupStatements(planned), t.returnStatement(t.callExpression(t.memberExpression(t.identifier(planned.handleName), t.identifier("settle")), [compute]))],
      directives,
    );
    if (t.isArrowFunctionExpression(fn) && "expression" in fn) fn.expression = false;
  }

  /** `const __am_r = lookup; if (__am_r !== MISS) return __am_r;` */
  private lookupStatements(planned: PlannedFunction): BabelTypes.Statement[] {
    const { t, names } = this;
    return [
      t.variableDeclaration("const", [t.variableDeclarator(t.identifier(names.lookupResult), this.lookupCall(planned))]),
      t.ifStatement(t.binaryExpression("!==", t.identifier(names.lookupResult), t.identifier(names.miss)), t.returnStatement(t.identifier(names.lookupResult))),
    ];
  }

  insertPreamble(program: BabelTypes.Program, plan: ModulePlan): void {
    const statements: BabelTypes.Statement[] = plan.hasRuntimeImport ? [] : [this.runtimeImport(plan)];
    for (const planned of plan.functions) statements.push(this.handleDeclaration(planned));
    for (const planned of plan.functions) if (planned.bindFunction?.insertAt === "preamble") statements.push(this.bindStatement(planned));
    const found = program.body.findIndex((statement) => statement.start != null && statement.start >= plan.preambleAt);
    insertBetween(program.body, found === -1 ? program.body.length : found, statements);
  }

  /**
   * The sibling shape (core/sibling-shape.ts): the declaration keeps its body, renamed and with
   * plain parameters; a wrapper with the original name, parameters, `async` and comments takes
   * its place, and the declaration follows right after it (or after the export holding it).
   */
  declareWrapperBeside(fn: BabelTypes.FunctionDeclaration, planned: PlannedFunction, site: DeclarationSite): StatementEdit {
    const { t } = this;
    const sibling = planned.sibling!;
    const args = sibling.paramNames.map((name) => t.identifier(name));
    // `h.settleCall(__am_f0, void 0, a, b)`: no closure over the parameters, so a hit allocates nothing.
    const self = sibling.passesThis ? t.thisExpression() : t.unaryExpression("void", t.numericLiteral(0));
    const settle = t.callExpression(t.memberExpression(t.identifier(planned.handleName), t.identifier("settleCall")), [t.identifier(sibling.computeName), self, ...args]);
    const wrapper = t.functionDeclaration(fn.id, fn.params, t.blockStatement([...this.lookupStatements(planned), t.returnStatement(settle)]), false, fn.async);
    wrapper.returnType = fn.returnType;
    wrapper.typeParameters = fn.typeParameters;
    // Source maps: the wrapper's header maps to the original's.
    wrapper.loc = fn.loc;
    // The compute's types are never checked (Babel strips them): plain parameters, no annotations.
    fn.id = t.identifier(sibling.computeName);
    fn.params = sibling.paramNames.map((name) => t.identifier(name));
    fn.returnType = null;
    fn.typeParameters = null;
    if (site.statement !== fn) {
      (site.statement as BabelTypes.ExportNamedDeclaration | BabelTypes.ExportDefaultDeclaration).declaration = wrapper;
      return { container: site.container, after: site.statement, insert: [fn] };
    }
    wrapper.leadingComments = fn.leadingComments;
    fn.leadingComments = null;
    return { container: site.container, after: fn, replaceWith: wrapper, insert: [fn] };
  }

  bindingEdit(site: BindingSite): StatementEdit {
    return { container: site.container, after: site.after, insert: site.functions.map((planned) => this.bindStatement(planned)) };
  }

  /** Replacements and insertions after statements, each statement list rebuilt once (one splice per site would be quadratic in a long module). */
  editStatements(edits: readonly StatementEdit[]): void {
    const byContainer = new Map<BabelTypes.Statement[], Map<BabelTypes.Statement, StatementEdit[]>>();
    for (const edit of edits) {
      const after = byContainer.get(edit.container) ?? new Map<BabelTypes.Statement, StatementEdit[]>();
      after.set(edit.after, [...(after.get(edit.after) ?? []), edit]);
      byContainer.set(edit.container, after);
    }
    for (const [container, after] of byContainer) {
      const original = container.splice(0, container.length);
      original.forEach((statement, index) => {
        const here = after.get(statement);
        container.push(here?.find((edit) => edit.replaceWith)?.replaceWith ?? statement);
        if (here) insertBetween(container, container.length, here.flatMap((edit) => edit.insert), original[index + 1]);
      });
    }
  }

  /** `__am_0.bindFunction(name);` lets `stats(fn)` / `clear(fn)` find the handle from the function. */
  private bindStatement(planned: PlannedFunction): BabelTypes.Statement {
    const { t } = this;
    const name = planned.bindFunction!.name;
    const callee = t.memberExpression(t.identifier(planned.handleName), t.identifier(this.names.bindFunction));
    return t.expressionStatement(t.callExpression(callee, [t.identifier(name)]));
  }

  private lookupCall(planned: PlannedFunction): BabelTypes.CallExpression {
    const { t } = this;
    const shape = lookupShape(planned.keyExpressions.length);
    const components = planned.keyExpressions.map((expression) => this.keyExpression(expression));
    const callee = t.memberExpression(t.identifier(planned.handleName), t.identifier(shape.method));
    return t.callExpression(callee, shape.packed ? [t.arrayExpression(components)] : components);
  }

  /** Key expressions are `this`, names in scope (parameters, captured variables) or `arguments.length`. */
  private keyExpression(text: string): BabelTypes.Expression {
    if (text === ARGUMENT_COUNT_KEY) return this.t.memberExpression(this.t.identifier("arguments"), this.t.identifier("length"));
    return text === "this" ? this.t.thisExpression() : this.t.identifier(text);
  }

  private runtimeImport(plan: ModulePlan): BabelTypes.Statement {
    const { t } = this;
    const bindings = runtimeBindings(this.names);
    const source = t.stringLiteral(plan.runtimeModule);
    if (plan.moduleFormat === "esm") {
      return t.importDeclaration(
        bindings.map(([imported, local]) => t.importSpecifier(t.identifier(local), t.identifier(imported))),
        source,
      );
    }
    const pattern = t.objectPattern(bindings.map(([imported, local]) => t.objectProperty(t.identifier(imported), t.identifier(local))));
    return t.variableDeclaration("const", [t.variableDeclarator(pattern, t.callExpression(t.identifier("require"), [source]))]);
  }

  /**
   * Tag options and metadata are literals only (strings, numbers, booleans, null, arrays, plain
   * objects). Built directly: `t.valueToNode` checks every value for kinds these never are,
   * which cost a tenth of this plugin on a module with 10,000 tagged functions.
   */
  private literal(value: unknown): BabelTypes.Expression {
    const { t } = this;
    if (typeof value === "string") return t.stringLiteral(value);
    if (typeof value === "boolean") return t.booleanLiteral(value);
    if (value === null) return t.nullLiteral();
    if (typeof value === "number") {
      const magnitude = t.numericLiteral(Math.abs(value));
      return value < 0 || Object.is(value, -0) ? t.unaryExpression("-", magnitude) : magnitude;
    }
    if (Array.isArray(value)) return t.arrayExpression(value.map((item) => this.literal(item)));
    if (typeof value === "object") {
      return t.objectExpression(
        Object.entries(value).map(([key, item]) => t.objectProperty(IDENTIFIER_NAME.test(key) ? t.identifier(key) : t.stringLiteral(key), this.literal(item))),
      );
    }
    throw new TypeError(`[automemo] internal: cannot emit ${typeof value} as a literal`);
  }

  private handleDeclaration(planned: PlannedFunction): BabelTypes.Statement {
    const { t } = this;
    const meta = t.objectExpression(handleMetaEntries(planned.meta).map(([key, value]) => t.objectProperty(t.identifier(key), this.literal(value))));
    const create = t.callExpression(t.identifier(this.names.cacheHandle), [t.stringLiteral(planned.kind), meta]);
    return t.variableDeclaration("const", [t.variableDeclarator(t.identifier(planned.handleName), create)]);
  }
}
