import { posix } from "node:path";
import type { Program } from "oxc-parser";
import type { SyntaxNode } from "../ast.ts";
import { type ParsedModule, parseModule } from "../parse.ts";
import { PathMemo } from "../path-memo.ts";
import { createDiskResolver } from "./disk-resolver.ts";
import { filesReachedFrom, type DependencyNode } from "./digests.ts";
import { storeFingerprint } from "./fingerprint.ts";
import { DependencyClosure, FunctionContext, type ModuleSource } from "./graph.ts";
import { type PlannedFile, planRecordHolds, planRecordOf, recordedDigest, recordedFiles } from "./plan-records.ts";
import { type DependencyResolver, normalizePath } from "./resolver.ts";
import type { PlanSession } from "./plan-session.ts";
import { BuildSession, DigestMemo } from "./session.ts";
import { closeDependencyStores, dependencyStoreFor, type DependencyStore, saveDependencyStores, textKeyOf } from "./store.ts";

/**
 * Dependency-aware code hashes: a cached function's hash covers its own code and,
 * transitively, every module-level function, class, variable and enum it reads, in
 * its file and in imported project files (per imported binding), plus the name and
 * installed version of each package it imports. Whitespace, comments and types
 * never count, nor does anything the function does not reach.
 *
 * The pipeline, one file per stage (docs/architecture.md draws it):
 *   text → summary.ts → resolution.ts → graph.ts → digests.ts → the plan,
 * with store.ts (and plan-records.ts for digests) persisting what is proven by content,
 * and session.ts holding what the plannings of one build share.
 */
export { createDiskResolver } from "./disk-resolver.ts";
export { createBuildSession, PlanSession } from "./plan-session.ts";
export { createTypeScriptDependencyResolver } from "./typescript-resolver.ts";
export type { DependencyResolver } from "./resolver.ts";

export interface DependencyHashingInput {
  /** The module's AST when the caller parsed it; otherwise hash only after `parse`. */
  readonly program?: Program;
  readonly source: string;
  readonly filename: string;
  readonly root: string;
  /** `false` turns tracking off for the whole build; a resolver replaces the disk resolver. Default true. */
  readonly dependencies?: boolean | DependencyResolver;
  /** Folder of the saved dependency data, or `false` for none (see `PlanOptions.dependencyCache`). */
  readonly dependencyCache?: string | false;
  /** The host's build session (`PlanOptions.session`); none: this planning checks every file it reaches. */
  readonly session?: PlanSession;
}

export interface DependencyHashing {
  /** Parses the module (the planner's parse): call before `hash`. */
  parse(source: string, filename: string, displayName: string): ParsedModule;
  /**
   * `ownHash` extended with the digests of what `fn` reads; `ownHash` itself when
   * tracking is off (build-wide, or `enabled` false from `@memo { deps: false }`) or
   * when the function reads nothing outside itself.
   */
  hash(fn: SyntaxNode, ownHash: string, enabled: boolean): string;
  /** The qualified names `fn` depends on, sorted (what `hash` folds in). */
  dependencyNames(fn: SyntaxNode): string[];
  /** Absolute paths of the other files the hashes so far were computed from, sorted. */
  files(): string[];
  /** Planning is done: saves its plan record and lets go of the syntax tree. */
  finish(): void;
}

let defaultResolver: DependencyResolver | null = null;

/**
 * The session planning `path` belongs to. Without a host session, every planning is
 * a session of its own (nothing read by an earlier planning is reused unchecked). In
 * a host's session, a new one starts when a module it planned is planned again (a
 * rebuild: the host saw an edit), when the root or store changes, and on `invalidate`.
 */
function sessionFor(host: PlanSession | undefined, resolver: DependencyResolver, root: string, path: string, store: DependencyStore): BuildSession {
  let session = host?.current(resolver) as BuildSession | undefined;
  if (!session || session.root !== root || session.summaries !== store || session.planned.has(path)) {
    session = new BuildSession(resolver, root, store);
    host?.begin(resolver, session);
  }
  session.planned.add(path);
  return session;
}

/** Writes what dependency tracking learned so far (also done at process exit, and 3 s after the last new entry). */
export function saveDependencyCaches(): void {
  saveDependencyStores();
}

/** Forgets every summary, build session and the default resolver's file cache (a fresh start, as in a new process); saves first. */
export function clearDependencyCaches(): void {
  closeDependencyStores();
  defaultResolver = null;
}

const absolutePaths = new PathMemo((filename, root) => normalizePath(posix.resolve(normalizePath(root), normalizePath(filename))));

/** Shared, so a plan made with tracking off holds no reference to its module. */
const TRACKING_OFF: DependencyHashing = {
  parse: parseModule,
  hash: (_fn, ownHash) => ownHash,
  dependencyNames: () => [],
  files: () => [],
  finish: () => {},
};

/**
 * Dependency hashing for planning one module: create it before parsing, parse
 * through it, then hash. When a saved plan record of this exact text still holds,
 * the digests come from it and no dependency is read.
 */
export function createDependencyHashing(input: DependencyHashingInput): DependencyHashing {
  if (input.dependencies === false) return TRACKING_OFF;
  const resolver = typeof input.dependencies === "object" ? input.dependencies : (defaultResolver ??= createDiskResolver());
  const root = absolutePaths.get(".", input.root);
  const store = dependencyStoreFor(root, input.dependencyCache, storeFingerprint);
  const path = absolutePaths.get(input.filename, input.root);
  const session = sessionFor(input.session, resolver, root, path, store);
  const planned: PlannedFile = { path, textKey: textKeyOf(input.source), root, session };
  const record = store.planRecord(path);
  // Checked before parsing: a record that holds means this planning reads no dependency at all.
  const saved = record && planRecordHolds(record, planned, store.factSets!) ? record : null;

  let program = input.program ?? null;
  let module: ModuleSource | null = null;
  const moduleSource = (): ModuleSource => {
    if (!module) {
      if (!program) throw new Error("automemo internal error: dependency hashing used before the module was parsed");
      const { summary, source } = session.plannedModule(path, input.source, planned.textKey, program);
      // The session's memo only when the host's text is the session's version of the file.
      const memo = session.file(path) === summary ? session.digests : new DigestMemo();
      module = { root, current: summary, currentSource: source, session, memo, hashedRoots: [] };
    }
    return module;
  };
  const closureOf = (fn: SyntaxNode, ownHash: string): DependencyClosure => {
    const source = moduleSource();
    const closure: DependencyClosure = new DependencyClosure(source, ownHash, () => new FunctionContext(closure, source.current, source.currentSource, fn).addFunction());
    return closure;
  };
  /** [start, own hash, digest] of the digests computed (not reused) in this planning. */
  const computed: (number | string)[] = [];
  let hashedRoots: readonly DependencyNode[] = [];
  return {
    parse: (text, _filename, displayName) => {
      const parsed = (text === input.source && session.takeParse(path, text, planned.textKey)) || parseModule(text, path, displayName);
      program = parsed.program;
      return parsed;
    },
    hash: (fn, ownHash, enabled) => {
      if (!enabled) return ownHash;
      let digest = saved ? recordedDigest(saved, fn, ownHash) : undefined;
      if (digest === undefined) {
        digest = closureOf(fn, ownHash).digest();
        computed.push(fn.start, ownHash, digest);
      }
      return digest;
    },
    dependencyNames: (fn) => closureOf(fn, "").names(),
    files: () => {
      const files = filesReachedFrom(module?.hashedRoots ?? hashedRoots);
      if (saved) files.push(...recordedFiles(saved, store.factSets!));
      return [...new Set(files)].filter((file) => file !== path).sort();
    },
    finish: () => {
      // Summarized while the tree is at hand, so a later planning reading this file never parses it again.
      module?.current.complete(module.currentSource);
      // A planning that reused a record lists only what it computed: the record stays.
      if (store.persistent && module && computed.length > 0 && !saved) store.rememberPlan(path, planRecordOf(planned, computed, module.hashedRoots, store.factSets!));
      // The plan keeps `files` (watch modes) until the host drops it; the syntax tree must not live that long.
      hashedRoots = module?.hashedRoots ?? [];
      module = null;
      program = null;
    },
  };
}
