import { posix } from "node:path";
import type { DependencyNode } from "./digest-graph.ts";
import { type ModuleBindings, moduleBindingsOf, releaseReparsed, saveSummaryOf } from "./module-bindings.ts";
import type { DependencyResolver, ResolvedImport } from "./resolver.ts";
import { mightContainTags } from "../tags.ts";
import { hashText } from "./dependency-store.ts";

/** One resolution a build session made: part of what a saved plan record is checked against. */
export interface ResolutionFact {
  readonly fromFile: string;
  readonly specifier: string;
  readonly target: ResolvedImport | null;
}

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
  private readonly resolutions = new Map<string, ResolutionFact>();
  /** Text hashes of files a saved plan record was checked against (`textHashOfFile`). */
  private readonly textHashes = new Map<string, string>();
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
    return this.resolution(specifier, fromFile).target;
  }

  /** How `specifier` resolves from `fromFile` in this session, resolved once. */
  resolution(specifier: string, fromFile: string): ResolutionFact {
    const key = `${fromFile}\u0000${specifier}`;
    let fact = this.resolutions.get(key);
    if (fact === undefined) {
      let resolved: ResolvedImport | null;
      try {
        resolved = this.resolver.resolve(specifier, fromFile);
      } catch {
        // A resolver that throws must not break the build: count the import by its text.
        resolved = null;
      }
      if (resolved?.kind === "file") resolved = { kind: "file", path: posix.normalize(resolved.path.replaceAll("\\", "/")) };
      fact = { fromFile, specifier, target: resolved };
      this.resolutions.set(key, fact);
    }
    return fact;
  }

  /**
   * The file an earlier answer named is gone: a resolver that caches has forgotten
   * it by now, so ask once more; null when the answer is the same (or none).
   */
  resolveAgain(specifier: string, fromFile: string): ResolutionFact | null {
    const key = `${fromFile}\u0000${specifier}`;
    const gone = this.resolutions.get(key)?.target;
    this.resolutions.delete(key);
    const fact = this.resolution(specifier, fromFile);
    const target = fact.target;
    return target?.kind === "file" && !(gone?.kind === "file" && gone.path === target.path) ? fact : null;
  }

  /** The hash of `path`'s text as this session reads it ("" when unreadable), without parsing it. */
  textHashOfFile(path: string): string {
    const module = this.files.get(path);
    if (module !== undefined) return module?.textHash() ?? "";
    let key = this.textHashes.get(path);
    if (key === undefined) {
      // Not kept: when every record holds, nothing else reads the file. Should the file
      // change before `file` reads it, a record made later lists the key of what was read.
      const text = this.readText(path);
      key = text === undefined ? "" : hashText(text);
      this.textHashes.set(path, key);
    }
    return key;
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

  private readText(path: string): string | undefined {
    try {
      return this.resolver.readFile(path);
    } catch {
      return undefined;
    }
  }

  private read(path: string): ModuleBindings | null {
    const text = this.readText(path);
    if (text === undefined) return null;
    const module = moduleBindingsOf(path, text);
    saveSummaryOf(module);
    if (!module.astDropped && !mightContainTags(text)) this.unreleased.push(module);
    return module;
  }
}
