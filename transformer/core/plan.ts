import type { CacheKind, FunctionMeta } from "../../runtime/meta.ts";
import type { DependencyResolver } from "./deps/resolver.ts";
import type { PlanSession } from "./deps/plan-session.ts";
import type { EmittedNames } from "./emitted-names.ts";

/**
 * The host-neutral rewrite plan of one module. The core computes it from the
 * original source text (one parser for every host), and each host applies it to
 * its own AST (Babel, TypeScript) or as text edits (bundlers, Node loader), so every
 * host embeds the same ids, hashes and key components by construction.
 * All offsets are UTF-16 offsets into the original source.
 */
export interface SourceRange {
  readonly start: number;
  readonly end: number;
}

export interface PlannedFunction {
  readonly kind: CacheKind;
  /** The whole function node (declaration, expression, arrow, method). */
  readonly node: SourceRange;
  /** Block body including its braces, or the expression of a concise arrow. */
  readonly body: SourceRange;
  readonly conciseBody: boolean;
  /**
   * Where the lookup statements go: in a block body, after `{` and any directive
   * prologue; in a concise body, before the expression and any comments leading it.
   */
  readonly bodyInsertAt: number;
  readonly isAsync: boolean;
  /** Module-level handle variable, e.g. `__am_0` (`ModulePlan.names.handlePrefix` + a number). */
  readonly handleName: string;
  /** Embedded as literals in the handle declaration. */
  readonly meta: Required<FunctionMeta>;
  /** Expressions passed to the lookup, in the order of `meta.key` (`this`, parameter and captured names, ARGUMENT_COUNT_KEY). */
  readonly keyExpressions: readonly string[];
  /** The tag inside its JSDoc comment, for diagnostics. */
  readonly tag: SourceRange;
  /**
   * Where to emit `<handleName>.bindFunction(<name>);` so `clear(fn)` / `stats(fn)` find
   * the handle: `"preamble"` (after the handle declarations; module-level function
   * declarations, which hoist) or an offset (right after the `const f = ...`
   * statement). Null when no stable binding exists (methods, nested declarations,
   * anonymous functions).
   */
  readonly bindFunction: { readonly name: string; readonly insertAt: "preamble" | number } | null;
  /**
   * For a declaration in a statement list (`sibling-shape.ts`): the original declaration keeps its
   * body where it is, renamed to `computeName` and given plain parameters, and a wrapper with the
   * original name and parameter list is declared right before it. Null: the body moves into
   * `settle(() => { ... })` in place.
   */
  readonly sibling: SiblingShape | null;
}

export interface SiblingShape {
  /** The compute declaration's name (`ModulePlan.names.computePrefix` + the handle's number). */
  readonly computeName: string;
  /** Every name the parameters bind, in order: the compute's parameters, and what the wrapper passes it. */
  readonly paramNames: readonly string[];
  /** The compute's parameter list as text, with the original type annotations (for the text host). */
  readonly computeParamsText: string;
  /** The body reads `this`: the wrapper calls the compute with `.call(this, ...)`. */
  readonly passesThis: boolean;
  /** The function's name, or the empty range right after `function` of a nameless default export. */
  readonly name: SourceRange;
  /** The text between the parentheses of the parameter list. */
  readonly params: SourceRange;
}

export interface PlanDiagnostic {
  /** Stable code, e.g. `AUTOMEMO_BOTH_TAGS`. */
  readonly code: string;
  /** Starts with `[automemo]`; says what, where and how to fix. */
  readonly message: string;
  readonly range: SourceRange;
}

export interface ModulePlan {
  readonly functions: readonly PlannedFunction[];
  /** Misuse found at compile time; hosts report these as build errors. */
  readonly diagnostics: readonly PlanDiagnostic[];
  /** `esm` when the file has import/export syntax, `cjs` when it uses require/module.exports only. */
  readonly moduleFormat: "esm" | "cjs";
  /** Where the runtime import and handle declarations go (after the directive prologue and imports). */
  readonly preambleAt: number;
  /** Module specifier of the runtime (default `automemo`). */
  readonly runtimeModule: string;
  /**
   * The names the emitted code declares, free in this file (`emitted-names.ts`); every
   * host emits exactly these.
   */
  readonly names: EmittedNames;
  /** The file already imports the runtime (it is output of an earlier run): do not add the import again. */
  readonly hasRuntimeImport: boolean;
  /**
   * Absolute paths of the other project files the code hashes were computed from
   * (imported helpers, transitively; packages count by name and version, not as files).
   * A host with a watch mode should re-run the transform when one of them changes
   * (`this.addWatchFile` in bundlers, `addDependency` in loaders), or the embedded
   * hashes go stale. Empty with dependency tracking off; absent without tagged functions.
   */
  readonly dependencyFiles?: readonly string[];
}

export interface PlanOptions {
  /** Absolute path of the file being transformed. */
  readonly filename: string;
  /** Project root; ids use the posix path relative to it. */
  readonly root: string;
  /** Module specifier to import the runtime from (default `automemo`). */
  readonly runtimeModule?: string;
  /**
   * Force the runtime import style. Default: `.cjs`/`.cts` => cjs, `.mjs`/`.mts` => esm,
   * else esm when the file has import/export syntax, cjs when it uses
   * `require`/`module.exports`, esm otherwise.
   */
  readonly moduleFormat?: "esm" | "cjs";
  /**
   * Dependency tracking: a function's hash also covers the helpers, constants and
   * classes it reads (so editing one of them invalidates its cached results), in its file and in imported project files, and
   * the versions of imported packages. `false` turns it off for the build; a
   * `DependencyResolver` replaces the default disk resolver (the TypeScript host
   * passes one built on its program). Default: on, resolving from disk.
   */
  readonly dependencies?: boolean | DependencyResolver;
  /**
   * Where dependency tracking saves what it learned about each file (module-level
   * names, per-binding hashes and references, keyed by the file's text), so later
   * builds skip parsing and walking unchanged files: a folder (relative to `root`),
   * or `false` for none. Default: `node_modules/.cache/automemo` under `root` when
   * `root` has a `node_modules` folder, else none.
   */
  readonly dependencyCache?: string | false;
  /**
   * The host's build session (`createBuildSession()`): plannings in one session read and
   * check each dependency file once. Hosts that know when a build starts pass one per build
   * and `invalidate` it when told of an edit. Default: none, so each planning checks every
   * file it reaches again (by stat, and by content when the stat changed or is recent).
   */
  readonly session?: PlanSession;
}

/** The key component (and its expression) of a function that reads its own `arguments`: f() and f(undefined) differ there. */
export const ARGUMENT_COUNT_KEY = "arguments.length";
