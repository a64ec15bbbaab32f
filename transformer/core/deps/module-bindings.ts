import { posix } from "node:path";
import type { AstNode } from "../ast.ts";
import { boundNames } from "../ast.ts";
import { CodeHasher } from "../hash.ts";
import { type ParsedModule, parseModule } from "../parse.ts";
import { LruMap } from "./lru.ts";
import { collectReferences, type References } from "./references.ts";
import { type BindingsSummary, type Summarizable, type DependencyStore, hashText } from "./dependency-store.ts";

export interface ImportedBinding {
  readonly specifier: string;
  /** Export name, `default`, or `*` for a namespace import. */
  readonly imported: string;
}

export type ExportEntry = { readonly local: string } | ImportedBinding;

/**
 * One file seen as a dependency: its module-level bindings (each with an own-code
 * hash and the names it reads), what it imports and what it exports. Everything
 * here depends on the file's text alone, so it is cached per (path, text). The AST
 * may be dropped (`release`); the summaries stay, and a query that needs the AST
 * again parses the text again.
 */
export class ModuleBindings implements Summarizable {
  /** Local name => the declaration that creates it (a declarator, function, class, enum, ...); empty once the AST is dropped. */
  private readonly declarations = new Map<string, AstNode>();
  /** Every module-level binding name; kept when the AST is dropped. */
  private readonly bindingNames = new Set<string>();
  readonly imports = new Map<string, ImportedBinding>();
  readonly exports = new Map<string, ExportEntry>();
  /** `export * from "x"` specifiers, in source order. */
  readonly starExports: string[] = [];
  /**
   * Module-level statements that are not declarations (`cache.set(...)`,
   * `Foo.prototype.x = ...`), by the bindings they mention: they may change those
   * bindings, so they count as part of them.
   */
  private readonly attachedStatements = new Map<string, AstNode[]>();
  /** `const` / `let` / `var` of variable bindings: part of their code. */
  private readonly variableKinds = new Map<string, string>();
  private readonly ownHashes = new Map<string, string>();
  private readonly referenceCache = new Map<string, References>();
  private wholeHash: string | null = null;
  private wholeSpecifiers: Set<string> | null = null;
  private relativeRoot: string | null = null;
  private relative: string | null = null;

  private dropped = false;
  private textHashMemo: string | null = null;
  /** A hash or reference list was computed since the summary was loaded or saved (see `DependencyStore`). */
  summaryChanged = false;

  constructor(
    readonly path: string,
    /** Null for files that are not JavaScript / TypeScript (JSON, CSS, ...), or that do not parse. */
    private program: AstNode | null,
    readonly text: string,
    /** The file has import/export syntax; a CommonJS file counts as one unit. */
    readonly isEsm: boolean,
    /** The whole parse, kept so the planner can reuse it (`parseModuleShared`); null once the AST is dropped. */
    private parsedModule: ParsedModule | null = null,
  ) {
    if (program) this.index(program);
  }

  /**
   * The file as a saved summary describes it, without parsing: like a file whose AST
   * was dropped, a query the summary does not answer parses the text.
   */
  static fromSummary(path: string, text: string, textHash: string, summary: BindingsSummary): ModuleBindings {
    const module = new ModuleBindings(path, null, text, summary.esm);
    module.dropped = true;
    for (const name of summary.names) module.bindingNames.add(name);
    for (const [local, specifier, imported] of summary.imports) module.imports.set(local, { specifier, imported });
    for (const entry of summary.exports) module.exports.set(entry[0], entry.length === 2 ? { local: entry[1] } : { specifier: entry[1], imported: entry[2] });
    module.starExports.push(...summary.stars);
    module.applySummary(summary);
    module.textHashMemo = textHash;
    return module;
  }

  /** Takes the hashes and references a saved summary of this same text has (they depend on the text alone). */
  applySummary(summary: BindingsSummary): void {
    for (const [name, hash] of summary.own) this.ownHashes.set(name, hash);
    for (const [name, names, specifiers] of summary.refs) {
      const references: References = {
        names: new Map(names.map(([used, members]) => [used, members && new Set(members)])),
        specifiers: new Set(specifiers),
        // Never read for module-level bindings (only a cached method's own context reads them).
        thisMembers: new Set(),
        usesThisWhole: false,
        usesSuper: false,
      };
      this.referenceCache.set(name, references);
    }
    this.wholeHash = summary.whole;
    this.wholeSpecifiers = summary.wholeSpecifiers && new Set(summary.wholeSpecifiers);
  }

  /** What a later build needs to skip parsing this text; null for files that are not parsable code. */
  summary(): BindingsSummary | null {
    if (!this.program && !this.dropped) return null;
    return {
      esm: this.isEsm,
      names: [...this.bindingNames],
      imports: [...this.imports].map(([local, { specifier, imported }]) => [local, specifier, imported] as const),
      exports: [...this.exports].map(([name, entry]) => ("local" in entry ? ([name, entry.local] as const) : ([name, entry.specifier, entry.imported] as const))),
      stars: [...this.starExports],
      own: [...this.ownHashes],
      refs: [...this.referenceCache].map(([name, references]) => [name, [...references.names].map(([used, members]) => [used, members && [...members]] as const), [...references.specifiers]] as const),
      whole: this.wholeHash,
      wholeSpecifiers: this.wholeSpecifiers && [...this.wholeSpecifiers],
    };
  }

  textHash(): string {
    return (this.textHashMemo ??= hashText(this.text));
  }

  /** The caller already hashed this text (`hashText(text)`). */
  knowTextHash(textHash: string): void {
    this.textHashMemo = textHash;
  }

  get parsed(): ParsedModule | null {
    return this.parsedModule;
  }

  /** The AST is gone (the summaries stay); see `release()`. */
  get astDropped(): boolean {
    return this.dropped;
  }

  /**
   * Planning is done with this file: it joins the pool of recently used parses, and the
   * oldest file of a full pool gives up its AST (`dropAst`). A build keeps one
   * ModuleBindings per file for its whole length; holding every parsed file alive made
   * garbage collection the largest cost of dependency tracking.
   */
  release(): void {
    if (!this.program) return;
    recentParses.delete(this);
    recentParses.add(this);
    for (const oldest of recentParses) {
      if (recentParses.size <= recentParseLimit) break;
      recentParses.delete(oldest);
      oldest.dropAst();
    }
  }

  /**
   * Keeps the summaries computed so far and drops the AST. A later query for a binding
   * not summarized yet parses the text again; by then the files that import this one
   * have usually been planned (the pool holds the recent ones), so that is rare.
   */
  private dropAst(): void {
    this.dropped = true;
    this.declarations.clear();
    this.attachedStatements.clear();
    this.program = null;
    this.parsedModule = null;
  }

  private reparseIfDropped(): void {
    if (!this.dropped) return;
    // The whole parse, so the planner can reuse it if it plans this file next.
    this.adopt(parseModule(this.text, this.path, this.path));
    // Released again when the planning that needed it ends (`releaseReparsed`).
    reparsed.push(this);
  }

  /**
   * Takes a parse of this same text in place (after a drop, or when the entry was built
   * from a bare program), so the object, and every digest memoized for it, stays valid.
   */
  adopt(parsed: ParsedModule): void {
    this.program = parsed.program;
    this.parsedModule = parsed;
    this.dropped = false;
    this.declarations.clear();
    this.bindingNames.clear();
    this.attachedStatements.clear();
    this.imports.clear();
    this.exports.clear();
    this.starExports.length = 0;
    this.variableKinds.clear();
    this.index(parsed.program);
  }

  /** The project-relative path qualified names use (memoized for the last root asked). */
  relativePath(root: string): string {
    if (this.relativeRoot !== root) {
      this.relativeRoot = root;
      this.relative = posix.relative(root, this.path) || posix.basename(this.path);
    }
    return this.relative!;
  }

  hasBinding(name: string): boolean {
    return this.bindingNames.has(name);
  }

  /** The node that declares `name` (parsing the text again if the AST was dropped). */
  declarationOf(name: string): AstNode {
    this.reparseIfDropped();
    return this.declarations.get(name)!;
  }

  /** Hash of the binding's own code (plus statements attached to it); never of what it references. */
  ownHash(name: string): string {
    let hash = this.ownHashes.get(name);
    if (hash === undefined) {
      // The declaration first: a summary-built file parses its text there, which is also
      // what fills `variableKinds` (reading the kind first hashed `let` and `const` alike).
      const declaration = this.declarationOf(name);
      const hasher = new CodeHasher().add(this.variableKinds.get(name) ?? "").addNode(declaration);
      for (const statement of this.attachedStatements.get(name) ?? []) hasher.addNode(statement);
      hash = hasher.digest();
      this.ownHashes.set(name, hash);
      this.summaryChanged = true;
    }
    return hash;
  }

  references(name: string): References {
    let references = this.referenceCache.get(name);
    if (!references) {
      references = collectReferences(this.declarationOf(name));
      for (const statement of this.attachedStatements.get(name) ?? []) mergeReferences(references, collectReferences(statement));
      this.referenceCache.set(name, references);
      this.summaryChanged = true;
    }
    return references;
  }

  /** The whole file as one unit (CommonJS modules, assets, unparsable files). */
  wholeFileHash(): string {
    if (this.wholeHash === null) {
      this.reparseIfDropped();
      this.wholeHash = this.program ? new CodeHasher().addNode(this.program).digest() : new CodeHasher().add(this.text).digest();
      this.summaryChanged = true;
    }
    return this.wholeHash;
  }

  /** What the whole file loads with `require` / `import()` / `import ... from` (CommonJS and whole-file units). */
  wholeFileSpecifiers(): ReadonlySet<string> {
    if (!this.wholeSpecifiers) {
      this.reparseIfDropped();
      this.wholeSpecifiers = new Set(this.program ? collectReferences(this.program).specifiers : []);
      for (const imported of this.imports.values()) this.wholeSpecifiers.add(imported.specifier);
      this.summaryChanged = true;
    }
    return this.wholeSpecifiers;
  }

  private addDeclaration(name: string, node: AstNode): void {
    this.declarations.set(name, node);
    this.bindingNames.add(name);
  }

  private index(program: AstNode): void {
    const loose: AstNode[] = [];
    for (const statement of program.body as AstNode[]) {
      switch (statement.type) {
        case "ImportDeclaration":
          this.indexImport(statement);
          break;
        case "ExportNamedDeclaration":
          this.indexNamedExport(statement);
          break;
        case "ExportDefaultDeclaration":
          this.indexDefaultExport(statement);
          break;
        case "ExportAllDeclaration":
          if (statement.exportKind === "type") break;
          if (statement.exported) this.exports.set(exportName(statement.exported), { specifier: statement.source.value, imported: "*" });
          else this.starExports.push(statement.source.value);
          break;
        default:
          if (!this.declare(statement)) loose.push(statement);
      }
    }
    for (const statement of loose) this.attach(statement);
  }

  /** Registers a declaration statement; false for statements that declare nothing at run time. */
  private declare(statement: AstNode): boolean {
    switch (statement.type) {
      case "VariableDeclaration":
        for (const declarator of statement.declarations) {
          for (const name of boundNames(declarator.id)) {
            this.addDeclaration(name, declarator);
            this.variableKinds.set(name, statement.kind);
          }
        }
        return true;
      case "FunctionDeclaration":
      case "ClassDeclaration":
      case "TSEnumDeclaration":
        if (statement.id) this.addDeclaration(statement.id.name, statement);
        return true;
      case "TSModuleDeclaration":
        if (statement.id?.type === "Identifier") this.addDeclaration(statement.id.name, statement);
        return true;
      case "TSImportEqualsDeclaration":
        if (statement.importKind !== "type") this.addDeclaration(statement.id.name, statement);
        return true;
      case "TSDeclareFunction":
      case "TSInterfaceDeclaration":
      case "TSTypeAliasDeclaration":
      case "EmptyStatement":
        return true;
      default:
        return false;
    }
  }

  private indexImport(statement: AstNode): void {
    if (statement.importKind === "type") return;
    for (const specifier of statement.specifiers) {
      if (specifier.importKind === "type") continue;
      const imported =
        specifier.type === "ImportNamespaceSpecifier" ? "*" : specifier.type === "ImportDefaultSpecifier" ? "default" : exportName(specifier.imported);
      this.imports.set(specifier.local.name, { specifier: statement.source.value, imported });
    }
  }

  private indexNamedExport(statement: AstNode): void {
    if (statement.exportKind === "type") return;
    if (statement.declaration) {
      this.declare(statement.declaration);
      const declaration = statement.declaration;
      const names = declaration.type === "VariableDeclaration" ? declaration.declarations.flatMap((d: AstNode) => boundNames(d.id)) : declaration.id?.type === "Identifier" ? [declaration.id.name] : [];
      for (const name of names) if (this.declarations.has(name)) this.exports.set(name, { local: name });
      return;
    }
    for (const specifier of statement.specifiers) {
      if (specifier.exportKind === "type") continue;
      const exported = exportName(specifier.exported);
      const local = exportName(specifier.local);
      this.exports.set(exported, statement.source ? { specifier: statement.source.value, imported: local } : { local });
    }
  }

  private indexDefaultExport(statement: AstNode): void {
    const declaration = statement.declaration;
    const named = (declaration.type === "FunctionDeclaration" || declaration.type === "ClassDeclaration") && declaration.id;
    if (named) {
      this.declare(declaration);
      this.exports.set("default", { local: declaration.id.name });
    } else if (!declaration.type.startsWith("TSInterface")) {
      // `export default <expression>`: the expression is an anonymous binding of its own.
      this.addDeclaration("*default*", statement);
      this.exports.set("default", { local: "*default*" });
    }
  }

  private attach(statement: AstNode): void {
    for (const name of collectReferences(statement).names.keys()) {
      if (!this.declarations.has(name)) continue;
      const list = this.attachedStatements.get(name);
      if (list) list.push(statement);
      else this.attachedStatements.set(name, [statement]);
    }
  }
}

function exportName(node: AstNode): string {
  return node.type === "Literal" ? String(node.value) : node.name;
}

function mergeReferences(into: References, from: References): void {
  for (const [name, members] of from.names) {
    const existing = into.names.get(name);
    if (existing === null) continue;
    if (members === null || existing === undefined) into.names.set(name, members && new Set(members));
    else for (const member of members) existing.add(member);
  }
  for (const specifier of from.specifiers) into.specifiers.add(specifier);
}

/** Released files that still hold their AST, oldest first (see `release`). */
const recentParses = new Set<ModuleBindings>();
let recentParseLimit = 64;
/** Dropped files parsed again for a query since the last `releaseReparsed`. */
let reparsed: ModuleBindings[] = [];

/** Releases the files that had to be parsed again during the planning that just ended. */
export function releaseReparsed(): void {
  for (const module of reparsed) module.release();
  reparsed = [];
}

/** How many released files keep their AST; tests lower it to see files give theirs up. Returns the previous limit. */
export function setRecentParseLimit(limit: number): number {
  const previous = recentParseLimit;
  recentParseLimit = limit;
  return previous;
}

const CODE_FILE = /\.[cm]?[jt]sx?$/;
/**
 * Parsed files by path; an entry counts only while its text is unchanged (texts
 * are compared, not hashed: the disk resolver hands back the same string while the
 * file is unchanged, so the comparison is usually a pointer check).
 */
const moduleCache = new LruMap<string, ModuleBindings>(2000);

/** The hash of `text` (`hashText`), from the cached bindings of `path` when they hold this text: each text is hashed once. */
export function textHashReusingCache(path: string, text: string): string {
  return cachedModuleBindings(path, text)?.textHash() ?? hashText(text);
}

/** The cached bindings of `path` if they are for this exact text; never parses. */
function cachedModuleBindings(path: string, text: string): ModuleBindings | undefined {
  const cached = moduleCache.get(path);
  return cached?.text === text ? cached : undefined;
}

/**
 * The bindings of `path` with content `text`, one object per (path, content) while
 * the cache holds it; `program` is the AST when the caller already parsed this exact
 * text. (A file parsed again after its AST was dropped keeps the same object.)
 */
export function moduleBindingsOf(path: string, text: string, program?: AstNode): ModuleBindings {
  const cached = cachedModuleBindings(path, text);
  if (cached) return cached;
  let bindings: ModuleBindings;
  if (program) bindings = withSavedSummary(new ModuleBindings(path, program, text, hasModuleSyntax(program)));
  else if (!CODE_FILE.test(path) || path.endsWith(".d.ts")) bindings = new ModuleBindings(path, null, text, false);
  else {
    // Hashed once: the same hash serves the lookup and, on a miss, the parsed file.
    const textHash = dependencyStore ? hashText(text) : undefined;
    const summary = textHash === undefined ? undefined : dependencyStore!.lookup(path, textHash);
    bindings = summary ? ModuleBindings.fromSummary(path, text, textHash!, summary) : parsedBindings(path, text, textHash);
  }
  moduleCache.set(path, bindings);
  return bindings;
}

/** A dependency parsed from `text` (no saved summary has it: `textHash`, when given, was looked up already). */
function parsedBindings(path: string, text: string, textHash: string | undefined): ModuleBindings {
  const parsed = parseModule(text, path, path);
  const bindings = parsed.diagnostics.length > 0 ? new ModuleBindings(path, null, text, false) : new ModuleBindings(path, parsed.program, text, hasModuleSyntax(parsed.program), parsed);
  if (textHash !== undefined) bindings.knowTextHash(textHash);
  return bindings;
}

/** Where saved summaries are looked up and saved to; null: nowhere (see `useDependencyStore`). */
let dependencyStore: DependencyStore | null = null;

/** Dependency hashing of the planning about to start uses `store` (null: none). */
export function useDependencyStore(store: DependencyStore | null): void {
  dependencyStore = store;
}

/**
 * `module` was read from disk in this build: what is computed about it is saved. (Only
 * disk texts: a host's text that differs from the file would replace the summary a
 * dependency read of the file needs, and back again, build after build.)
 */
export function saveSummaryOf(module: ModuleBindings): void {
  dependencyStore?.touch(module);
}

/** `bindings` (parsed just now) with the hashes a saved summary of the same text already has. */
function withSavedSummary(bindings: ModuleBindings, textHash?: string): ModuleBindings {
  if (textHash !== undefined) bindings.knowTextHash(textHash);
  const summary = dependencyStore?.lookup(bindings.path, bindings.textHash());
  if (summary) bindings.applySummary(summary);
  return bindings;
}

/**
 * `parseModule` through the same cache: a file parsed earlier as another file's
 * dependency is not parsed again when the host transforms it, as long as it still
 * holds its AST (see `release`). Only clean parses are shared (error messages name the file
 * the way the planner does).
 */
export function parseModuleShared(text: string, path: string, displayName: string, textHash?: string): ParsedModule {
  const cached = cachedModuleBindings(path, text);
  if (cached?.parsed) return cached.parsed;
  const parsed = parseModule(text, path, displayName);
  if (parsed.diagnostics.length > 0) return parsed;
  // The cached entry keeps its summaries (same text, same hashes) and takes the parse in place.
  if (cached) cached.adopt(parsed);
  else moduleCache.set(path, withSavedSummary(new ModuleBindings(path, parsed.program, text, hasModuleSyntax(parsed.program), parsed), textHash));
  return parsed;
}

function hasModuleSyntax(program: AstNode): boolean {
  return (program.body as AstNode[]).some((statement) => statement.type.startsWith("Import") || statement.type.startsWith("Export") || statement.type === "TSExportAssignment");
}

/** For tests and long-lived watchers that want to drop everything. */
export function clearModuleBindingsCache(): void {
  moduleCache.clear();
  recentParses.clear();
  reparsed = [];
}
