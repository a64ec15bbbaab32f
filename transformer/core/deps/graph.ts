import type { ClassElement, ObjectPropertyKind } from "oxc-parser";
import type { SyntaxNode } from "../ast.ts";
import { boundNames, isFunctionNode, isNode } from "../ast.ts";
import { CodeHasher } from "../hash.ts";
import { completeDigests, DependencyNode, nodesReachedFrom } from "./digests.ts";
import { collectReferences, functionDeclarations, hoistedVars, lexicalDeclarations, type References } from "./references.ts";
import type { ResolvedImport } from "./resolver.ts";
import type { BuildSession, DigestMemo } from "./session.ts";
import type { BindingSource, ImportedBinding, ModuleSummary } from "./summary.ts";

/**
 * Stage 3, the graph: the bindings a cached function reaches, across files. The
 * function is the root; its successors are what it reads (helpers of enclosing
 * functions, sibling members through `this`, module-level bindings, imports
 * followed through re-exports to the binding that declares them, packages by name
 * and version). Nodes are created as the digest walk (`digests.ts`) enters them.
 */

/**
 * What one planned module's hashes are computed from. Qualified names are
 * project-relative (`src/a.ts#helper`, `npm:lodash@4.17.21`, `node:fs`), so two
 * machines agree on every hash.
 */
export interface ModuleSource {
  readonly root: string;
  /** The module being planned, from the host's text (it may differ from the disk). */
  readonly current: ModuleSummary;
  /** Where the planned module's bindings are in the planner's tree. */
  readonly currentSource: BindingSource;
  /** What the current build session already knows (files, resolutions). */
  readonly session: BuildSession;
  /** Module-level nodes already hashed (the session's, or the planning's own when the host's text is not the session's). */
  readonly memo: DigestMemo;
  /** The graph root of each function hashed so far (what `filesReachedFrom` starts from). */
  readonly hashedRoots: DependencyNode[];
}

/**
 * The dependency graph below one cached function. The function is the root node;
 * `expandRoot` adds what it reads (through `addNode`, `addModuleName`, ...), and
 * every other node is expanded when the digest walk first enters it, so each
 * `add*` call adds a successor to the node being expanded. Module-level nodes come
 * from (and go to) the memo, so a build hashes each of them once.
 */
export class DependencyClosure {
  private readonly root: DependencyNode;
  /** Nodes of this graph by key (a name reached twice is one node). */
  private readonly nodes = new Map<string, DependencyNode>();
  private expanding: DependencyNode;
  /** Exports being followed (`addExport`), to stop circular re-exports. */
  private readonly exporting = new Set<string>();

  constructor(
    private readonly source: ModuleSource,
    ownHash: string,
    expandRoot: () => void,
  ) {
    this.root = this.expanding = new DependencyNode("", ownHash, expandRoot);
  }

  /** `ownHash` extended with the digests of everything the function references; `ownHash` itself when it references nothing. */
  digest(): string {
    this.complete();
    return this.root.digest!;
  }

  /** The sorted qualified names the function reaches (for diagnostics and tests). */
  names(): string[] {
    this.complete();
    return [...nodesReachedFrom(this.root.successors)]
      .map((node) => node.key)
      .sort();
  }

  /** Adds the node `key` as a successor, created with `hash` and `expand` unless the graph has it. */
  addNode(key: string, hash: () => string, expand?: () => void): void {
    this.link(this.nodes.get(key) ?? this.added(new DependencyNode(key, hash(), expand ?? null)));
  }

  /** A name read at module level of `module`: a declaration, an import, or a global (nothing). */
  addModuleName(module: ModuleSummary, name: string, members: ReadonlySet<string> | null): void {
    if (module.names.has(name)) this.addBinding(module, name);
    else {
      const imported = module.imports.get(name);
      if (imported) this.addImport(module, imported, members);
    }
  }

  addBinding(module: ModuleSummary, name: string): void {
    this.link(this.source.memo.binding(module, name) ?? this.bindingNode(module, name));
  }

  /** The node of a binding the memo does not have yet: this graph's, else a new one. */
  private bindingNode(module: ModuleSummary, name: string): DependencyNode {
    const key = `${this.relative(module)}#${name}`;
    const memo = this.source.memo;
    return (
      this.nodes.get(key) ??
      this.added(
        new DependencyNode(
          key,
          this.bindingOf(module, name).own,
          () => {
            const binding = this.bindingOf(module, name);
            for (const [used, members] of binding.names) this.addModuleName(module, used, members);
            for (const specifier of binding.specifiers) this.addSpecifier(module, specifier);
          },
          (node) => memo.rememberBinding(module, name, node),
        ),
      )
    );
  }

  /** `require("x")` / `import("x")`: the whole module. */
  addSpecifier(module: ModuleSummary, specifier: string): void {
    this.addImport(module, { specifier, imported: "*" }, null);
  }

  addImport(module: ModuleSummary, binding: ImportedBinding, members: ReadonlySet<string> | null): void {
    const target = this.resolve(binding.specifier, module.path);
    if (!target) {
      this.addExternal(`unresolved:${binding.specifier}`);
      return;
    }
    if (target.kind === "package") this.addExternal(`npm:${target.name}@${target.version}`);
    else if (target.kind === "builtin") this.addExternal(target.name);
    else {
      const file = this.load(target.path) ?? this.loadAfterResolvingAgain(binding.specifier, module.path);
      if (!file) this.addExternal(`unresolved:${binding.specifier}`);
      else if (binding.imported === "*") this.addNamespace(file, members);
      else this.addExport(file, binding.imported);
    }
  }

  /** What `module` exports as `name`, following re-exports and `export *`. */
  addExport(module: ModuleSummary, name: string): void {
    // `export { a } from "./b"` with `export * from "./a"` in b: a circular re-export,
    // which JavaScript rejects at link time. Counted as missing instead of recursing forever.
    const key = `${module.path}\u0000${name}`;
    if (this.exporting.has(key)) {
      this.addExternal(`missing:${this.relative(module)}#${name}`);
      return;
    }
    this.exporting.add(key);
    try {
      this.addExportOnce(module, name);
    } finally {
      this.exporting.delete(key);
    }
  }

  private addExportOnce(module: ModuleSummary, name: string): void {
    const entry = module.exports.get(name);
    if (entry) {
      if ("local" in entry) this.addModuleName(module, entry.local, null);
      else this.addImport(module, entry, null);
      return;
    }
    if (name !== "default") {
      for (const specifier of module.starExports) {
        const target = this.resolve(specifier, module.path);
        if (target?.kind !== "file") continue;
        const file = this.load(target.path);
        if (file && this.exportsName(file, name, new Set())) {
          this.addExport(file, name);
          return;
        }
      }
      // A star re-export of a package or an unresolvable module may provide it.
      for (const specifier of module.starExports) {
        if (this.resolve(specifier, module.path)?.kind !== "file") this.addSpecifier(module, specifier);
      }
    }
    if (!module.isEsm) this.addWholeFile(module);
    else this.addExternal(`missing:${this.relative(module)}#${name}`);
  }

  /** `import * as ns`: the exports read as `ns.x`, or all of them when `ns` is used as a value. */
  addNamespace(module: ModuleSummary, members: ReadonlySet<string> | null): void {
    if (!module.isEsm) {
      this.addWholeFile(module);
      return;
    }
    for (const name of members ?? this.exportNames(module, new Set())) this.addExport(module, name);
  }

  /** Hashes the graph (once), then records its root for `files()`. */
  private complete(): void {
    if (this.root.digest !== null) return;
    completeDigests(this.root, (node) => {
      this.expanding = node;
      node.expand!();
    });
    this.source.hashedRoots.push(this.root);
  }

  /** Adds `node` as a successor of the node being expanded. */
  private link(node: DependencyNode): void {
    this.expanding.successors.push(node);
  }

  /** `node`, now known to this graph by its key. */
  private added(node: DependencyNode): DependencyNode {
    this.nodes.set(node.key, node);
    return node;
  }

  private addExternal(key: string): void {
    this.addNode(key, () => new CodeHasher().add(key).digest());
  }

  /** A CommonJS module, an asset or an unparsable file: one node, plus whatever it requires. */
  private addWholeFile(module: ModuleSummary): void {
    const memo = this.source.memo;
    const key = this.relative(module);
    this.link(
      memo.wholeFile(module) ??
        this.nodes.get(key) ??
        this.added(
          new DependencyNode(
            key,
            module.wholeFile(this.sourceOf(module)).hash,
            () => {
              for (const specifier of module.wholeFile(this.sourceOf(module)).specifiers) this.addSpecifier(module, specifier);
            },
            (node) => memo.rememberWholeFile(module, node),
          ),
        ),
    );
  }

  private exportsName(module: ModuleSummary, name: string, seen: Set<string>): boolean {
    if (module.exports.has(name)) return true;
    if (seen.has(module.path)) return false;
    seen.add(module.path);
    return module.starExports.some((specifier) => {
      const target = this.resolve(specifier, module.path);
      const file = target?.kind === "file" ? this.load(target.path) : null;
      return file !== null && this.exportsName(file, name, seen);
    });
  }

  private exportNames(module: ModuleSummary, seen: Set<string>): Set<string> {
    const names = new Set(module.exports.keys());
    if (seen.has(module.path)) return names;
    seen.add(module.path);
    for (const specifier of module.starExports) {
      const target = this.resolve(specifier, module.path);
      const file = target?.kind === "file" ? this.load(target.path) : null;
      if (file) for (const name of this.exportNames(file, seen)) if (name !== "default") names.add(name);
    }
    return names;
  }

  private loadAfterResolvingAgain(specifier: string, fromFile: string): ModuleSummary | null {
    const fact = this.source.session.resolutions.resolveAgain(specifier, fromFile);
    if (fact === null) return null;
    this.expanding.resolved.push(fact);
    return this.load((fact.target as { path: string }).path);
  }

  /** Resolves through the session, noted as a resolution the node being expanded depends on (`plan-records.ts`). */
  private resolve(specifier: string, fromFile: string): ResolvedImport | null {
    const fact = this.source.session.resolutions.resolve(specifier, fromFile);
    this.expanding.resolved.push(fact);
    // The version is in the digest; the manifest is listed with the files read, for hosts' caches and watchers.
    if (fact.target?.kind === "package" && fact.target.manifest) this.expanding.loaded.push(fact.target.manifest);
    return fact.target;
  }

  /**
   * The version of `path` the planning uses (the host's text for the planned
   * module), noted as read by the node being expanded (the planned module too: a
   * memoised node that reads it is reused by plannings of other modules).
   */
  private load(path: string): ModuleSummary | null {
    const { current, session } = this.source;
    this.expanding.loaded.push(path);
    return path === current.path ? current : session.file(path);
  }

  private bindingOf(module: ModuleSummary, name: string) {
    return module.binding(name, this.sourceOf(module));
  }

  /** The planner's tree for the planned module; other files are summarized without one. */
  private sourceOf(module: ModuleSummary): BindingSource | undefined {
    return module === this.source.current ? this.source.currentSource : undefined;
  }

  private relative(module: ModuleSummary): string {
    return module.relativePath(this.source.root);
  }
}

/** A scope enclosing the cached function, below module level, with what it declares (null: a parameter-like value). */
interface EnclosingScope {
  readonly declarations: ReadonlyMap<string, SyntaxNode | null>;
}

/** Class body or object literal holding the cached method: `this.x` reads its members. */
interface MemberContainer {
  readonly members: readonly (ClassElement | ObjectPropertyKind)[];
  readonly selfName: string | null;
  readonly superClass: SyntaxNode | null;
}

/**
 * Adds what one cached function reads: names of enclosing function scopes
 * (closure-captured helpers), module-level names, and for methods the sibling
 * members read through `this` or the class name.
 */
export class FunctionContext {
  private readonly scopes: EnclosingScope[];
  private readonly container: MemberContainer | null;

  constructor(
    private readonly closure: DependencyClosure,
    private readonly module: ModuleSummary,
    private readonly moduleSource: BindingSource,
    private readonly fn: SyntaxNode,
  ) {
    const ancestors = ancestorsOf(moduleSource.program, fn);
    this.scopes = ancestors.flatMap(scopeOf).reverse();
    this.container = containerOf(ancestors);
  }

  addFunction(): void {
    const references = collectReferences(this.fn);
    this.addReferences(references, 0);
    if (this.container) this.addMemberReferences(references);
  }

  /** Resolves `references` from `scopes[depth]` outwards; the cached function's own binding is left out. */
  private addReferences(references: References, depth: number): void {
    for (const [name, members] of references.names) {
      if (this.container?.selfName === name && members !== null) continue;
      const local = this.findLocal(name, depth);
      if (local) {
        const { index, declaration } = local;
        if (declaration && !contains(declaration, this.fn)) this.addLocal(name, index, declaration);
      } else if (!(this.module.names.has(name) && contains(this.moduleSource.declarations.get(name)!, this.fn))) {
        this.closure.addModuleName(this.module, name, members);
      }
    }
    for (const specifier of references.specifiers) this.closure.addSpecifier(this.module, specifier);
  }

  private findLocal(name: string, depth: number): { index: number; declaration: SyntaxNode | null } | null {
    for (let index = depth; index < this.scopes.length; index++) {
      const declarations = this.scopes[index]!.declarations;
      if (declarations.has(name)) return { index, declaration: declarations.get(name)! };
    }
    return null;
  }

  /** A helper declared in an enclosing function: keyed by its distance from module level, so the key is stable. */
  private addLocal(name: string, index: number, declaration: SyntaxNode): void {
    this.closure.addNode(
      `local:${this.scopes.length - index}:${name}`,
      () => new CodeHasher().addNode(declaration).digest(),
      () => this.addReferences(collectReferences(declaration), index),
    );
  }

  private addMemberReferences(references: References): void {
    const container = this.container!;
    const names = new Set(references.thisMembers);
    const viaSelf = container.selfName ? references.names.get(container.selfName) : undefined;
    for (const name of viaSelf ?? []) names.add(name);
    if (references.usesThisWhole) for (const member of container.members) names.add(memberName(member) ?? "");
    for (const name of names) this.addMember(name);
    if (container.superClass) this.addReferences(collectReferences(container.superClass), 0);
  }

  /** Sibling members named `name`, or the constructor when no member has that name (it sets the field). */
  private addMember(name: string): void {
    const container = this.container!;
    let members = container.members.filter((member) => memberName(member) === name && !contains(member, this.fn));
    if (members.length === 0 && !container.members.some((member) => memberName(member) === name)) {
      members = container.members.filter((member) => memberName(member) === "constructor");
    }
    if (members.length === 0) return;
    this.closure.addNode(
      `member:${memberName(members[0]!)}`,
      () => members.reduce((hasher, member) => hasher.addNode(member), new CodeHasher()).digest(),
      () => {
        for (const member of members) {
          const references = collectReferences(member);
          this.addReferences(references, 0);
          this.addMemberReferences(references);
        }
      },
    );
  }
}

function memberName(member: ClassElement | ObjectPropertyKind): string | null {
  // Static blocks, spreads and index signatures have no key.
  if (!("key" in member) || member.computed) return null;
  if (member.key.type === "Identifier") return member.key.name;
  if (member.key.type === "PrivateIdentifier") return `#${member.key.name}`;
  return member.key.type === "Literal" ? String(member.key.value) : null;
}

function contains(outer: SyntaxNode, inner: SyntaxNode): boolean {
  return outer.start <= inner.start && inner.end <= outer.end;
}

/**
 * The nodes from the program (excluded) down to `target` (excluded). Each step finds
 * the child holding `target` by binary search in child lists (they are in source
 * order), so a file of 10,000 tagged functions costs a logarithm per function, not a
 * walk over every top-level statement.
 */
function ancestorsOf(program: SyntaxNode, target: SyntaxNode): SyntaxNode[] {
  const path: SyntaxNode[] = [];
  for (let current = childHolding(program, target); current && current !== target; current = childHolding(current, target)) path.push(current);
  return path;
}

function holds(node: SyntaxNode, target: SyntaxNode): boolean {
  return node.start <= target.start && target.end <= node.end;
}

/** The first child (in key order) whose range holds `target`, or null. */
function childHolding(node: SyntaxNode, target: SyntaxNode): SyntaxNode | null {
  // Read generically, key by key, like `forEachChild`.
  const fields = node as unknown as Readonly<Record<string, unknown>>;
  for (const key in fields) {
    const field = fields[key];
    if (typeof field !== "object" || field === null || key === "range" || key === "loc" || key === "parent") continue;
    if (!Array.isArray(field)) {
      if (isNode(field) && holds(field, target)) return field;
      continue;
    }
    const value: readonly unknown[] = field;
    // Binary search for the last item starting at or before `target` (holes are skipped linearly).
    let low = 0;
    let high = value.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      const item = value[middle];
      if (!isNode(item)) {
        low = 0;
        high = 0;
        break;
      }
      if (item.start <= target.start) low = middle + 1;
      else high = middle;
    }
    for (let index = low - 1; index >= 0 && index >= low - 2; index--) {
      const item = value[index];
      if (isNode(item) && holds(item, target)) return item;
    }
    if (high === 0 && low === 0) for (const item of value) if (isNode(item) && holds(item, target)) return item;
  }
  return null;
}

function scopeOf(node: SyntaxNode): EnclosingScope[] {
  const declarations = new Map<string, SyntaxNode | null>();
  if (isFunctionNode(node)) return [{ declarations: functionDeclarations(node) }];
  switch (node.type) {
    case "BlockStatement":
    case "TSModuleBlock":
      lexicalDeclarations(node.body, declarations);
      break;
    case "StaticBlock":
      hoistedVars(node, declarations);
      lexicalDeclarations(node.body, declarations);
      break;
    case "SwitchStatement":
      lexicalDeclarations(node.cases.flatMap((item) => item.consequent), declarations);
      break;
    case "ForStatement":
    case "ForInStatement":
    case "ForOfStatement": {
      const head = node.type === "ForStatement" ? node.init : node.left;
      if (head?.type === "VariableDeclaration") for (const declarator of head.declarations) for (const name of boundNames(declarator.id)) declarations.set(name, null);
      break;
    }
    case "CatchClause":
      for (const name of boundNames(node.param)) declarations.set(name, null);
      break;
    default:
      return [];
  }
  return [{ declarations }];
}

function containerOf(ancestors: readonly SyntaxNode[]): MemberContainer | null {
  const holder = ancestors[ancestors.length - 1];
  const parent = ancestors[ancestors.length - 2];
  if (!holder || !parent) return null;
  if (parent.type === "ClassBody") {
    const classNode = ancestors[ancestors.length - 3];
    if (classNode?.type !== "ClassDeclaration" && classNode?.type !== "ClassExpression") return null;
    return { members: parent.body, selfName: classNode.id?.name ?? null, superClass: classNode.superClass ?? null };
  }
  if (parent.type === "ObjectExpression" && holder.type === "Property") return { members: parent.properties, selfName: null, superClass: null };
  return null;
}
