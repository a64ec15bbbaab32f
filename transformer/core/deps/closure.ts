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
  /** Every file read while hashing the module (so hosts can re-run when one changes). */
  readonly filesRead: Set<string>;
  /** The module being planned, from the host's text (it may differ from the disk). */
  readonly current: ModuleBindings;
  /** What the current build session already knows (files, resolutions, closures of bindings). */
  readonly session: ClosureSession;
}

/**
 * The transitive closure of one module-level binding, computed once per build
 * session and reused by every function that reaches it. `files` are the versions
 * of the files it was computed from: it is only reused while `load` still gives
 * exactly those (the host's text of the planned module can differ from the disk).
 */
interface BindingClosure {
  /** Qualified names, sorted as `Array.prototype.sort` sorts them, and their hashes (same order). */
  readonly keys: readonly string[];
  readonly hashes: readonly string[];
  readonly files: ReadonlyMap<string, ModuleBindings | null>;
}

/**
 * State shared by the modules planned in one build session: each file is read
 * (and checked against the disk) once, each import resolved once, and each
 * binding's closure computed once. The session owner decides when it ends.
 */
export class ClosureSession {
  /** Files read from the resolver (null: unreadable). */
  readonly files = new Map<string, ModuleBindings | null>();
  readonly resolutions = new Map<string, ResolvedImport | null>();
  readonly closures = new WeakMap<ModuleBindings, Map<string, BindingClosure>>();
  /** Bindings whose closure is being computed (a cycle reaching one expands it inline instead). */
  readonly computing = new Set<string>();
}

const EMPTY_CLOSURE: BindingClosure = { keys: [], hashes: [], files: new Map() };

/** Index of `key` in the sorted `keys`, or -1. */
function sortedIndexOf(keys: readonly string[], key: string): number {
  let low = 0;
  let high = keys.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const probe = keys[middle]!;
    if (probe === key) return middle;
    if (probe < key) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

/** Nested closure computations allowed before expanding inline (keeps deep import chains off the stack). */
const MAX_NESTED_CLOSURES = 48;

export class DependencyClosure {
  /**
   * The largest memoised closure merged so far, kept as is (not copied): in deep
   * import chains one binding's closure holds nearly everything a function reaches.
   */
  private base: BindingClosure | null = null;
  /** Nodes not (known to be) in `base`, by qualified name. */
  private readonly hashes = new Map<string, string>();
  /** Expansion is iterative: import chains hundreds of files deep must not overflow the stack. */
  private readonly work: (() => void)[] = [];
  /** For a closure computed for the session: the version of every file it covers (the planned module included). */
  private readonly files = new Map<string, ModuleBindings | null>();

  constructor(
    private readonly source: ModuleSource,
    private readonly nesting = 0,
  ) {}

  /** Adds the node `key` unless present, and queues `expand` to add what it references. */
  addNode(key: string, hash: () => string, expand?: () => void): void {
    if (this.has(key)) return;
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
    const key = `${this.relative(module)}#${name}`;
    if (this.has(key)) return;
    const memo = this.bindingClosure(module, name, key);
    if (memo) this.merge(memo);
    else this.expandBinding(module, name, key);
  }

  private expandBinding(module: ModuleBindings, name: string, key: string): void {
    this.addNode(
      key,
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

  /** Runs queued expansions until the closure is complete. */
  private complete(): void {
    for (let expand = this.work.pop(); expand; expand = this.work.pop()) expand();
  }

  /**
   * The session's closure of binding `name` of `module`, computed now when missing
   * or out of date; null when it cannot be memoised here (a cycle back to a
   * binding being computed, or nesting too deep): the caller then expands inline.
   */
  private bindingClosure(module: ModuleBindings, name: string, key: string): BindingClosure | null {
    const session = this.source.session;
    let byName = session.closures.get(module);
    const known = byName?.get(name);
    if (known && this.isCurrent(known)) return known;
    if (this.nesting >= MAX_NESTED_CLOSURES || session.computing.has(key)) return null;
    session.computing.add(key);
    try {
      const nested = new DependencyClosure(this.source, this.nesting + 1);
      nested.expandBinding(module, name, key);
      nested.complete();
      const memo = nested.toBindingClosure();
      if (!byName) session.closures.set(module, (byName = new Map()));
      byName.set(name, memo);
      return memo;
    } finally {
      session.computing.delete(key);
    }
  }

  /** Whether every file `memo` covers still loads as the version it was computed from (in-memory checks only). */
  private isCurrent(memo: BindingClosure): boolean {
    for (const [path, module] of memo.files) if (this.peek(path) !== module) return false;
    return true;
  }

  private merge(memo: BindingClosure): void {
    for (const [path, module] of memo.files) this.recordFile(path, module);
    if (memo === this.base) return;
    let added = memo;
    if (!this.base || memo.keys.length > this.base.keys.length) {
      added = this.base ?? EMPTY_CLOSURE;
      this.base = memo;
    }
    for (let index = 0; index < added.keys.length; index++) {
      const key = added.keys[index]!;
      if (!this.has(key)) this.hashes.set(key, added.hashes[index]!);
    }
  }

  private has(key: string): boolean {
    return this.hashes.has(key) || (this.base !== null && sortedIndexOf(this.base.keys, key) !== -1);
  }

  /**
   * Visits the complete closure in sorted order: `base` and the other nodes merged
   * on the fly (a name in both holds the same hash in both), without building a list.
   */
  private forEachSorted(visit: (key: string, hash: string) => void): void {
    this.complete();
    const extraKeys = [...this.hashes.keys()].sort();
    const baseKeys = this.base?.keys ?? [];
    const baseHashes = this.base?.hashes ?? [];
    let extra = 0;
    let inBase = 0;
    while (extra < extraKeys.length || inBase < baseKeys.length) {
      const fromExtra = extraKeys[extra];
      const fromBase = baseKeys[inBase];
      if (fromBase === undefined || (fromExtra !== undefined && fromExtra < fromBase)) {
        visit(fromExtra!, this.hashes.get(fromExtra!)!);
        extra++;
      } else {
        if (fromExtra === fromBase) extra++;
        visit(fromBase, baseHashes[inBase]!);
        inBase++;
      }
    }
  }

  private toBindingClosure(): BindingClosure {
    const keys: string[] = [];
    const hashes: string[] = [];
    this.forEachSorted((key, hash) => {
      keys.push(key);
      hashes.push(hash);
    });
    return { keys, hashes, files: this.files };
  }

  /** Runs queued expansions until the closure is complete, then hashes it with `ownHash`. */
  digest(ownHash: string): string {
    const hasher = new CodeHasher().addHash(ownHash);
    let empty = true;
    this.forEachSorted((key, hash) => {
      hasher.add(key).addHash(hash);
      empty = false;
    });
    return empty ? ownHash : hasher.digest();
  }

  /** The sorted qualified names in the closure (for diagnostics and tests). */
  names(): string[] {
    const keys: string[] = [];
    this.forEachSorted((key) => keys.push(key));
    return keys;
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
    const resolutions = this.source.session.resolutions;
    let resolved = resolutions.get(key);
    if (resolved === undefined) {
      try {
        resolved = this.source.resolver.resolve(specifier, fromFile);
      } catch {
        // A resolver that throws must not break the build: count the import by its text.
        resolved = null;
      }
      if (resolved?.kind === "file") resolved = { kind: "file", path: posix.normalize(resolved.path.replaceAll("\\", "/")) };
      resolutions.set(key, resolved);
    }
    return resolved;
  }

  /** The file an earlier answer named is gone: a resolver that caches has forgotten it by now, so ask once more. */
  private loadAfterResolvingAgain(specifier: string, fromFile: string): ModuleBindings | null {
    const key = `${fromFile}\u0000${specifier}`;
    const gone = this.source.session.resolutions.get(key);
    this.source.session.resolutions.delete(key);
    const target = this.resolve(specifier, fromFile);
    const retry = target?.kind === "file" && !(gone?.kind === "file" && gone.path === target.path);
    return retry ? this.load(target.path) : null;
  }

  private load(path: string): ModuleBindings | null {
    const module = this.peek(path);
    this.recordFile(path, module);
    return module;
  }

  /**
   * A closure computed for the session keeps the files it covers; the planned
   * function's own closure only reports them to the host (`filesRead`).
   */
  private recordFile(path: string, module: ModuleBindings | null): void {
    if (this.nesting > 0) this.files.set(path, module);
    else if (path !== this.source.current.path) this.source.filesRead.add(path);
  }

  /** The version of `path` this session uses: the host's text for the planned module, else one read per session. */
  private peek(path: string): ModuleBindings | null {
    if (path === this.source.current.path) return this.source.current;
    const files = this.source.session.files;
    const loaded = files.get(path);
    if (loaded !== undefined) return loaded;
    const module = this.read(path);
    files.set(path, module);
    return module;
  }

  private read(path: string): ModuleBindings | null {
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


