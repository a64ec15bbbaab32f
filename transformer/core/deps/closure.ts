import { posix } from "node:path";
import { CodeHasher } from "../hash.ts";
import { type ImportedBinding, type ModuleBindings, moduleBindingsOf } from "./module-bindings.ts";
import type { DependencyResolver, ResolvedImport } from "./resolver.ts";

/**
 * The transitive closure of the code one cached function depends on, as a set of
 * (qualified name, own hash) pairs. The set is built first and hashed sorted, so
 * the result does not depend on traversal order and cycles simply stop at nodes
 * already in the set. Qualified names are project-relative (`src/a.ts#helper`,
 * `npm:lodash@4.17.21`, `node:fs`), so two machines agree on every hash.
 */
export interface ModuleSource {
  readonly resolver: DependencyResolver;
  readonly root: string;
  /** Resolver answers within one planned module: several functions share imports. */
  readonly resolutions: Map<string, ResolvedImport | null>;
  /** Every file read while hashing the module (so hosts can re-run when one changes). */
  readonly filesRead: Set<string>;
  /** Files already read for this module (null: unreadable). */
  readonly loaded: Map<string, ModuleBindings | null>;
  /** The module being planned, from the host's text (it may differ from the disk). */
  readonly current: ModuleBindings;
}

export class DependencyClosure {
  private readonly hashes = new Map<string, string>();
  /** Expansion is iterative: import chains hundreds of files deep must not overflow the stack. */
  private readonly work: (() => void)[] = [];

  constructor(private readonly source: ModuleSource) {}

  /** Adds the node `key` unless present, and queues `expand` to add what it references. */
  addNode(key: string, hash: () => string, expand?: () => void): void {
    if (this.hashes.has(key)) return;
    this.hashes.set(key, hash());
    if (expand) this.work.push(expand);
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
    this.addNode(
      `${this.relative(module)}#${name}`,
      () => module.ownHash(name),
      () => {
        const references = module.references(name);
        for (const [used, members] of references.names) this.addModuleName(module, used, members);
        for (const specifier of references.specifiers) this.addSpecifier(module, specifier);
      },
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

  /** Runs queued expansions until the closure is complete, then hashes it with `ownHash`. */
  digest(ownHash: string): string {
    for (let expand = this.work.pop(); expand; expand = this.work.pop()) expand();
    if (this.hashes.size === 0) return ownHash;
    const hasher = new CodeHasher().addHash(ownHash);
    for (const key of [...this.hashes.keys()].sort()) hasher.add(key).addHash(this.hashes.get(key)!);
    return hasher.digest();
  }

  /** The sorted qualified names in the closure (for diagnostics and tests). */
  names(): string[] {
    for (let expand = this.work.pop(); expand; expand = this.work.pop()) expand();
    return [...this.hashes.keys()].sort();
  }

  private addExternal(key: string): void {
    this.addNode(key, () => new CodeHasher().add(key).digest());
  }

  /** A CommonJS module, an asset or an unparsable file: one node, plus whatever it requires. */
  private addWholeFile(module: ModuleBindings): void {
    this.addNode(
      this.relative(module),
      () => module.wholeFileHash(),
      () => {
        for (const specifier of module.wholeFileSpecifiers()) this.addSpecifier(module, specifier);
      },
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

  private resolve(specifier: string, fromFile: string): ResolvedImport | null {
    const key = `${fromFile}\u0000${specifier}`;
    let resolved = this.source.resolutions.get(key);
    if (resolved === undefined) {
      try {
        resolved = this.source.resolver.resolve(specifier, fromFile);
      } catch {
        // A resolver that throws must not break the build: count the import by its text.
        resolved = null;
      }
      if (resolved?.kind === "file") resolved = { kind: "file", path: posix.normalize(resolved.path.replaceAll("\\", "/")) };
      this.source.resolutions.set(key, resolved);
    }
    return resolved;
  }

  /** The file an earlier answer named is gone: a resolver that caches has forgotten it by now, so ask once more. */
  private loadAfterResolvingAgain(specifier: string, fromFile: string): ModuleBindings | null {
    this.source.resolutions.delete(`${fromFile}\u0000${specifier}`);
    const target = this.resolve(specifier, fromFile);
    return target?.kind === "file" && !this.source.loaded.has(target.path) ? this.load(target.path) : null;
  }

  private load(path: string): ModuleBindings | null {
    if (path === this.source.current.path) return this.source.current;
    // One read per file per planned module, however many functions and paths reach it.
    const loaded = this.source.loaded.get(path);
    if (loaded !== undefined) return loaded;
    const module = this.read(path);
    this.source.loaded.set(path, module);
    return module;
  }

  private read(path: string): ModuleBindings | null {
    this.source.filesRead.add(path);
    let text: string | undefined;
    try {
      text = this.source.resolver.readFile(path);
    } catch {
      text = undefined;
    }
    return text === undefined ? null : moduleBindingsOf(path, text);
  }

  private relative(module: ModuleBindings): string {
    return module.relativePath(this.source.root);
  }
}


