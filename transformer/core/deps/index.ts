import { posix } from "node:path";
import { type AstNode, boundNames, FUNCTION_TYPES, isNode } from "../ast.ts";
import { CodeHasher } from "../hash.ts";
import { DependencyClosure, type ModuleSource } from "./closure.ts";
import { type DependencyNode, filesReachedFrom } from "./digest-graph.ts";
import { createDiskResolver } from "./disk-resolver.ts";
import { PathMemo } from "../path-memo.ts";
import { clearModuleBindingsCache, moduleBindingsOf, parseModuleShared, textKeyFor, useDependencyStore } from "./module-bindings.ts";
import { storeFingerprint } from "./fingerprint.ts";
import { closeDependencyStores, saveDependencyStores, type DependencyStore, dependencyStoreIn } from "./dependency-store.ts";
import { type PlannedFile, planRecordHolds, planRecordOf, recordedDigest, recordedFiles } from "./plan-records.ts";
import { statPath } from "./file-reads.ts";
import { type ParsedModule, parseModule } from "../parse.ts";
import { collectReferences, functionDeclarations, hoistedVars, lexicalDeclarations, type References } from "./references.ts";
import { type DependencyResolver, normalizePath } from "./resolver.ts";
import { ClosureSession } from "./session.ts";

/**
 * Dependency-aware code hashes (issue 6): a cached function's hash covers its own
 * code and, transitively, every module-level function, class, variable and enum it
 * reads, in its file and in imported project files (per imported binding), plus the
 * name and installed version of each package it imports. Whitespace, comments and
 * types never count (the base `CodeHasher` skips them), nor does anything the
 * function does not reach.
 */
export { createDiskResolver } from "./disk-resolver.ts";
export { createTypeScriptDependencyResolver } from "./typescript-resolver.ts";
export type { DependencyResolver, ResolvedImport } from "./resolver.ts";

export interface DependencyHashingInput {
  /** The module's AST when the caller parsed it; otherwise hash only after `parse`. */
  readonly program?: AstNode;
  readonly source: string;
  readonly filename: string;
  readonly root: string;
  /** `false` turns tracking off for the whole build; a resolver replaces the disk resolver. Default true. */
  readonly dependencies?: boolean | DependencyResolver;
  /** Folder of the saved dependency data (records, fact sets, summaries), or `false` for none (see `PlanOptions.dependencyCache`). */
  readonly dependencyCache?: string | false;
}

export interface DependencyHashing {
  /** Parses the module (the planner's parse): call before `hash`. */
  parse(source: string, filename: string, displayName: string): ParsedModule;
  /**
   * `ownHash` extended with the closure of what `fn` depends on; `ownHash` itself
   * when tracking is off (build-wide or `enabled` false, from `@memo { deps: false }`)
   * or when the function reads nothing outside itself.
   */
  hash(fn: AstNode, ownHash: string, enabled: boolean): string;
  /** The qualified names `fn` depends on, sorted (what `hash` folds in). */
  dependencyNames(fn: AstNode): string[];
  /** Absolute paths of the other files the hashes so far were computed from, sorted. */
  files(): string[];
  /** Planning is done: the planned file and the untagged files it read go to the pool of recent parses (`ModuleBindings.release`). */
  release(): void;
}

let defaultResolver: DependencyResolver | null = null;

/**
 * How long a build session may trust what it read. Within a session each
 * dependency file is checked against the disk (and read, parsed, hashed) once, and
 * each module-level binding is hashed once, however many planned modules reach
 * them. A session ends after this long, when a module it already planned is
 * planned again (a rebuild: the host saw an edit), when the root changes, and on
 * `clearDependencyCaches()`; a new resolver starts its own. So an edit is missed
 * only when it lands during a session and a file not yet planned in that session
 * is planned within this window: a watcher then re-plans the files the edit
 * affects, which starts a new session and sees it.
 */
const SESSION_TRUST_MS = 200;

interface BuildSession {
  readonly state: ClosureSession;
  readonly root: string;
  readonly startedAt: number;
  /** Modules planned in this session. */
  readonly planned: Set<string>;
}

let sessions = new WeakMap<DependencyResolver, BuildSession>();

/** The session planning `path` with `resolver` belongs to, starting a new one when the last has ended. */
function sessionFor(resolver: DependencyResolver, root: string, path: string): ClosureSession {
  const now = performance.now();
  let session = sessions.get(resolver);
  if (!session || session.root !== root || now - session.startedAt > SESSION_TRUST_MS || session.planned.has(path)) {
    session = { state: new ClosureSession(resolver), root, startedAt: now, planned: new Set() };
    sessions.set(resolver, session);
  }
  session.planned.add(path);
  return session.state;
}

/** Writes what dependency tracking learned so far (also done at process exit, and 3 s after the last new entry). */
export function saveDependencyCaches(): void {
  saveDependencyStores();
}

/** Forgets every parsed file, build session and the default resolver's file cache (a fresh start, as in a new process); saves summaries first. */
export function clearDependencyCaches(): void {
  closeDependencyStores();
  defaultCacheFolders.clear();
  clearModuleBindingsCache();
  sessions = new WeakMap();
  defaultResolver = null;
}

const absolutePaths = new PathMemo((filename, root) => normalizePath(posix.resolve(normalizePath(root), normalizePath(filename))));

/** The absolute, normalized path dependency hashing knows a file by. */
function absolutePath(filename: string, root: string): string {
  return absolutePaths.get(filename, root);
}

/** Default summary folder by project root: `node_modules/.cache/automemo` when the root has a `node_modules` folder, else none. */
const defaultCacheFolders = new Map<string, string | null>();

/** Makes the store for this root and option the one summaries are looked up in, and returns it (null: none). */
function useDependencyStoreFor(root: string, dependencyCache: string | false | undefined): DependencyStore | null {
  let store: DependencyStore | null = null;
  if (dependencyCache !== undefined) {
    if (dependencyCache !== false) store = dependencyStoreIn(posix.resolve(root, normalizePath(dependencyCache)), root, storeFingerprint);
  } else {
    let folder = defaultCacheFolders.get(root);
    if (folder === undefined) {
      const modules = posix.join(root, "node_modules");
      folder = statPath(modules)?.isDirectory() ? posix.join(modules, ".cache", "automemo") : null;
      defaultCacheFolders.set(root, folder);
    }
    if (folder !== null) store = dependencyStoreIn(folder, posix.join(root, "node_modules"), storeFingerprint);
  }
  useDependencyStore(store);
  return store;
}

/** Shared, so a plan made with tracking off holds no reference to its module (the closures here would). */
const TRACKING_OFF: DependencyHashing = {
  parse: parseModule,
  hash: (_fn, ownHash) => ownHash,
  dependencyNames: () => [],
  files: () => [],
  release: () => {},
};

/**
 * Dependency hashing for planning one module: create it before parsing, parse
 * through it, then hash. When a saved plan record of this exact text still holds
 * (`plan-records.ts`), the digests come from it and nothing else is read or kept;
 * otherwise the parse is shared with dependency reads (each file of a build is
 * parsed once, whether first seen as a dependency or as a file to transform).
 */
export function createDependencyHashing(input: DependencyHashingInput): DependencyHashing {
  if (input.dependencies === false) return TRACKING_OFF;
  const resolver = typeof input.dependencies === "object" ? input.dependencies : (defaultResolver ??= createDiskResolver());
  const root = absolutePath(".", input.root);
  const store = useDependencyStoreFor(root, input.dependencyCache);
  const path = absolutePath(input.filename, input.root);
  const session = sessionFor(resolver, root, path);
  const planned: PlannedFile = { path, textKey: store ? textKeyFor(path, input.source) : "", root, session };
  const record = store?.planRecord(path);
  // Checked before parsing: a record that holds means this planning needs no module summaries at all.
  const saved = record && planRecordHolds(record, planned, store!.factSets) ? record : null;

  let program = input.program ?? null;
  let source: ModuleSource | null = null;
  const moduleSource = (): ModuleSource => {
    if (!source) {
      if (!program) throw new Error("automemo internal error: dependency hashing used before the module was parsed");
      const current = moduleBindingsOf(path, input.source, program);
      source = { root, current, session, memo: session.memoFor(current), hashedRoots: [] };
    }
    return source;
  };
  const closureOf = (fn: AstNode, ownHash: string): DependencyClosure => {
    const module = moduleSource();
    const closure: DependencyClosure = new DependencyClosure(module, ownHash, () => new FunctionContext(closure, module.current, program!, fn).addFunction());
    return closure;
  };
  /** [start, own hash, digest] of the digests computed (not reused) in this planning. */
  const computed: (number | string)[] = [];
  let hashedRoots: readonly DependencyNode[] = [];
  return {
    parse: (text, _filename, displayName) => {
      const parsed = saved ? parseModule(text, path, displayName) : parseModuleShared(text, path, displayName, store && text === input.source ? planned.textKey : undefined);
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
      // Before `release` the roots are still on the module source.
      const files = filesReachedFrom(source?.hashedRoots ?? hashedRoots);
      if (saved) files.push(...recordedFiles(saved, store!.factSets));
      return [...new Set(files)].filter((file) => file !== path).sort();
    },
    release: () => {
      // A planning that reused a record lists only what it computed: the record stays.
      if (store && source && computed.length > 0 && !saved) store.rememberPlan(path, planRecordOf(planned, computed, source.hashedRoots, store.factSets));
      // A shared parse (nothing reused) is in the module cache even when nothing was hashed.
      const current = source?.current ?? (program && !saved ? moduleBindingsOf(path, input.source, program) : null);
      current?.release();
      session.releaseReadFiles();
      // The plan keeps `files` (watch modes) until the host drops it; the syntax tree must
      // not live that long (whole trees surviving a scavenge made garbage collection the
      // largest cost of builds that reuse records).
      hashedRoots = source?.hashedRoots ?? [];
      source = null;
      program = null;
    },
  };
}

/** A scope enclosing the cached function, below module level, with what it declares (null: a parameter-like value). */
interface EnclosingScope {
  readonly declarations: ReadonlyMap<string, AstNode | null>;
}

/** Class body or object literal holding the cached method: `this.x` reads its members. */
interface MemberContainer {
  readonly members: readonly AstNode[];
  readonly selfName: string | null;
  readonly superClass: AstNode | null;
}

/**
 * Adds what one cached function reads: names of enclosing function scopes
 * (closure-captured helpers), module-level names, and for methods the sibling
 * members read through `this` or the class name.
 */
class FunctionContext {
  private readonly scopes: EnclosingScope[];
  private readonly container: MemberContainer | null;

  constructor(
    private readonly closure: DependencyClosure,
    private readonly module: ReturnType<typeof moduleBindingsOf>,
    program: AstNode,
    private readonly fn: AstNode,
  ) {
    const ancestors = ancestorsOf(program, fn);
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
      } else if (!(this.module.hasBinding(name) && contains(this.module.declarationOf(name), this.fn))) {
        this.closure.addModuleName(this.module, name, members);
      }
    }
    for (const specifier of references.specifiers) this.closure.addSpecifier(this.module, specifier);
  }

  private findLocal(name: string, depth: number): { index: number; declaration: AstNode | null } | null {
    for (let index = depth; index < this.scopes.length; index++) {
      const declarations = this.scopes[index]!.declarations;
      if (declarations.has(name)) return { index, declaration: declarations.get(name)! };
    }
    return null;
  }

  /** A helper declared in an enclosing function: keyed by its distance from module level, so the key is stable. */
  private addLocal(name: string, index: number, declaration: AstNode): void {
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

function memberName(member: AstNode): string | null {
  if (member.computed || !member.key) return null;
  if (member.key.type === "Identifier") return member.key.name;
  if (member.key.type === "PrivateIdentifier") return `#${member.key.name}`;
  return member.key.type === "Literal" ? String(member.key.value) : null;
}

function contains(outer: AstNode, inner: AstNode): boolean {
  return outer.start <= inner.start && inner.end <= outer.end;
}

/**
 * The nodes from the program (excluded) down to `target` (excluded). Each step finds
 * the child holding `target` by binary search in child lists (they are in source
 * order), so a file of 10,000 tagged functions costs a logarithm per function, not a
 * walk over every top-level statement.
 */
function ancestorsOf(program: AstNode, target: AstNode): AstNode[] {
  const path: AstNode[] = [];
  for (let current = childHolding(program, target); current && current !== target; current = childHolding(current, target)) path.push(current);
  return path;
}

function holds(node: AstNode, target: AstNode): boolean {
  return node.start <= target.start && target.end <= node.end;
}

/** The first child (in key order) whose range holds `target`, or null. */
function childHolding(node: AstNode, target: AstNode): AstNode | null {
  for (const key in node) {
    const value = node[key];
    if (typeof value !== "object" || value === null || key === "range" || key === "loc" || key === "parent") continue;
    if (!Array.isArray(value)) {
      if (typeof value.type === "string" && holds(value, target)) return value;
      continue;
    }
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

function scopeOf(node: AstNode): EnclosingScope[] {
  const declarations = new Map<string, AstNode | null>();
  if (FUNCTION_TYPES.has(node.type)) return [{ declarations: functionDeclarations(node) }];
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
      lexicalDeclarations(node.cases.flatMap((item: AstNode) => item.consequent), declarations);
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

function containerOf(ancestors: readonly AstNode[]): MemberContainer | null {
  const holder = ancestors[ancestors.length - 1];
  const parent = ancestors[ancestors.length - 2];
  if (!holder || !parent) return null;
  if (parent.type === "ClassBody") {
    const classNode = ancestors[ancestors.length - 3]!;
    return { members: parent.body, selfName: classNode.id?.name ?? null, superClass: classNode.superClass ?? null };
  }
  if (parent.type === "ObjectExpression" && holder.type === "Property") return { members: parent.properties, selfName: null, superClass: null };
  return null;
}
