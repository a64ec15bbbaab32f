import { posix } from "node:path";
import type { DependencyNode } from "./digest-graph.ts";
import { type ModuleBindings, moduleBindingsOf, releaseReparsed } from "./module-bindings.ts";
import type { DependencyResolver, ResolvedImport } from "./resolver.ts";
import { mightContainTags } from "../tags.ts";

/**
 * Hashed module-level nodes by the file version they belong to. A node's digest
 * also depends on the files it reaches, so one memo is only shared by plannings
 * that see every file as the same version (see `ClosureSession.memoFor`).
 */
export class DigestMemo {
  private readonly bindings = new Map<ModuleBindings, Map<string, DependencyNode>>();
  private readonly wholeFiles = new Map<ModuleBindings, DependencyNode>();

  binding(module: ModuleBindings, name: string): DependencyNode | undefined {
    return this.bindings.get(module)?.get(name);
  }

  rememberBinding(module: ModuleBindings, name: string, node: DependencyNode): void {
    let byName = this.bindings.get(module);
    if (!byName) this.bindings.set(module, (byName = new Map()));
    byName.set(name, node);
  }

  wholeFile(module: ModuleBindings): DependencyNode | undefined {
    return this.wholeFiles.get(module);
  }

  rememberWholeFile(module: ModuleBindings, node: DependencyNode): void {
    this.wholeFiles.set(module, node);
  }
}

/**
 * State shared by the modules planned in one build session: each file is read
 * (and checked against the disk) once, each import resolved once, and each
 * module-level node hashed once. The session owner decides when it ends.
 */
export class ClosureSession {
  /** Files read from the resolver (null: unreadable). */
  private readonly files = new Map<string, ModuleBindings | null>();
  private readonly resolutions = new Map<string, ResolvedImport | null>();
  private readonly digests = new DigestMemo();
  /** Files read that the host will not plan (no tag in their text), not yet released. */
  private unreleased: ModuleBindings[] = [];

  constructor(readonly resolver: DependencyResolver) {}

  /** The version of `path` this session uses: read once. */
  file(path: string): ModuleBindings | null {
    let module = this.files.get(path);
    if (module === undefined) {
      module = this.read(path);
      this.files.set(path, module);
    }
    return module;
  }

  /**
   * The memo for planning `current` (the host's text of the planned module). When
   * that is the very object the session reads for the file, every version agrees
   * and the session's memo is shared; otherwise (another plugin changed the text, a
   * virtual module, or the cache made a new object for the same text, which the
   * memo's nodes do not know) the planning hashes with a memo of its own.
   */
  memoFor(current: ModuleBindings): DigestMemo {
    return this.file(current.path) === current ? this.digests : new DigestMemo();
  }

  resolve(specifier: string, fromFile: string): ResolvedImport | null {
    const key = `${fromFile}\u0000${specifier}`;
    let resolved = this.resolutions.get(key);
    if (resolved === undefined) {
      try {
        resolved = this.resolver.resolve(specifier, fromFile);
      } catch {
        // A resolver that throws must not break the build: count the import by its text.
        resolved = null;
      }
      if (resolved?.kind === "file") resolved = { kind: "file", path: posix.normalize(resolved.path.replaceAll("\\", "/")) };
      this.resolutions.set(key, resolved);
    }
    return resolved;
  }

  /**
   * The file an earlier answer named is gone: a resolver that caches has forgotten
   * it by now, so ask once more; null when the answer is the same (or none).
   */
  resolveAgain(specifier: string, fromFile: string): string | null {
    const key = `${fromFile}\u0000${specifier}`;
    const gone = this.resolutions.get(key);
    this.resolutions.delete(key);
    const target = this.resolve(specifier, fromFile);
    return target?.kind === "file" && !(gone?.kind === "file" && gone.path === target.path) ? target.path : null;
  }

  /**
   * Releases (see `ModuleBindings.release`) each file read so far that the host will
   * not plan (no tag in its text), and any dropped file a query had to parse again. A
   * tagged file keeps its AST until it is planned and released then, so it is parsed
   * once either way.
   */
  releaseReadFiles(): void {
    for (const module of this.unreleased) module.release();
    this.unreleased = [];
    releaseReparsed();
  }

  private read(path: string): ModuleBindings | null {
    let text: string | undefined;
    try {
      text = this.resolver.readFile(path);
    } catch {
      text = undefined;
    }
    if (text === undefined) return null;
    const module = moduleBindingsOf(path, text);
    if (!module.astDropped && !mightContainTags(text)) this.unreleased.push(module);
    return module;
  }
}
