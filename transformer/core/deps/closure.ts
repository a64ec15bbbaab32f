import { CodeHasher } from "../hash.ts";
import { completeDigests, DependencyNode, nodesReachedFrom } from "./digest-graph.ts";
import type { ImportedBinding, ModuleBindings } from "./module-bindings.ts";
import type { ResolvedImport } from "./resolver.ts";
import type { ClosureSession, DigestMemo } from "./session.ts";

/**
 * What one planned module's hashes are computed from. Qualified names are
 * project-relative (`src/a.ts#helper`, `npm:lodash@4.17.21`, `node:fs`), so two
 * machines agree on every hash.
 */
export interface ModuleSource {
  readonly root: string;
  /** The module being planned, from the host's text (it may differ from the disk). */
  readonly current: ModuleBindings;
  /** What the current build session already knows (files, resolutions). */
  readonly session: ClosureSession;
  /** Module-level nodes already hashed (`session.memoFor(current)`). */
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
  addModuleName(module: ModuleBindings, name: string, members: ReadonlySet<string> | null): void {
    if (module.hasBinding(name)) this.addBinding(module, name);
    else {
      const imported = module.imports.get(name);
      if (imported) this.addImport(module, imported, members);
    }
  }

  addBinding(module: ModuleBindings, name: string): void {
    this.link(this.source.memo.binding(module, name) ?? this.bindingNode(module, name));
  }

  /** The node of a binding the memo does not have yet: this graph's, else a new one. */
  private bindingNode(module: ModuleBindings, name: string): DependencyNode {
    const key = `${this.relative(module)}#${name}`;
    const memo = this.source.memo;
    return (
      this.nodes.get(key) ??
      this.added(
        new DependencyNode(
          key,
          module.ownHash(name),
          () => {
            const references = module.references(name);
            for (const [used, members] of references.names) this.addModuleName(module, used, members);
            for (const specifier of references.specifiers) this.addSpecifier(module, specifier);
          },
          (node) => memo.rememberBinding(module, name, node),
        ),
      )
    );
  }

  /** `require("x")` / `import("x")`: the whole module. */
  addSpecifier(module: ModuleBindings, specifier: string): void {
    this.addImport(module, { specifier, imported: "*" }, null);
  }

  addImport(module: ModuleBindings, binding: ImportedBinding, members: ReadonlySet<string> | null): void {
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
  addExport(module: ModuleBindings, name: string): void {
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

  private addExportOnce(module: ModuleBindings, name: string): void {
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
  addNamespace(module: ModuleBindings, members: ReadonlySet<string> | null): void {
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
  private addWholeFile(module: ModuleBindings): void {
    const memo = this.source.memo;
    const key = this.relative(module);
    this.link(
      memo.wholeFile(module) ??
        this.nodes.get(key) ??
        this.added(
          new DependencyNode(
            key,
            module.wholeFileHash(),
            () => {
              for (const specifier of module.wholeFileSpecifiers()) this.addSpecifier(module, specifier);
            },
            (node) => memo.rememberWholeFile(module, node),
          ),
        ),
    );
  }

  private exportsName(module: ModuleBindings, name: string, seen: Set<string>): boolean {
    if (module.exports.has(name)) return true;
    if (seen.has(module.path)) return false;
    seen.add(module.path);
    return module.starExports.some((specifier) => {
      const target = this.resolve(specifier, module.path);
      const file = target?.kind === "file" ? this.load(target.path) : null;
      return file !== null && this.exportsName(file, name, seen);
    });
  }

  private exportNames(module: ModuleBindings, seen: Set<string>): Set<string> {
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

  private loadAfterResolvingAgain(specifier: string, fromFile: string): ModuleBindings | null {
    const fact = this.source.session.resolveAgain(specifier, fromFile);
    if (fact === null) return null;
    this.expanding.resolved.push(fact);
    return this.load((fact.target as { path: string }).path);
  }

  /** Resolves through the session, noted as a resolution the node being expanded depends on (`plan-records.ts`). */
  private resolve(specifier: string, fromFile: string): ResolvedImport | null {
    const fact = this.source.session.resolution(specifier, fromFile);
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
  private load(path: string): ModuleBindings | null {
    const { current, session } = this.source;
    this.expanding.loaded.push(path);
    return path === current.path ? current : session.file(path);
  }

  private relative(module: ModuleBindings): string {
    return module.relativePath(this.source.root);
  }
}
