import { hash } from "node:crypto";
import type { SyntaxNode } from "../ast.ts";
import type { DependencyNode } from "./digests.ts";
import { outcomeKey, type Resolutions } from "./resolution.ts";

/** What a plan record is made and checked against: the build session's view of files and resolutions. */
interface RecordContext {
  /** The key of `path`'s text as the session reads it ("" when unreadable). */
  textKeyOf(path: string): string;
  readonly resolutions: Resolutions;
  /** Fact sets already checked in the session, by id. */
  readonly factChecks: Map<string, boolean>;
}

/**
 * What one component of the digest graph (a node, or a cycle of nodes) read while
 * it was expanded: the key of each file's text (`""`: unreadable) and the outcome of
 * each import resolution, plus the fact sets of the components it references. Stored
 * by the hash of that content, so one id always names the same facts: a fact set
 * holds while its own facts hold and every child holds, and checking it once per
 * build session serves every record that reaches it. Records of a deep import chain
 * then share the chain instead of each listing it (which made them quadratic).
 */
export interface FactSet {
  /** [path, text key] */
  readonly files: readonly (readonly [string, string])[];
  /** [from file, specifier, outcome] */
  readonly resolutions: readonly (readonly [string, string, string])[];
  readonly children: readonly string[];
}

/**
 * The dependency digests of one planned file's functions, with the fact sets of
 * everything they were computed from. While all of those hold (and the planned text
 * is the same), the digests are too, so a later build reuses them without parsing,
 * resolving into or hashing any dependency. What the fact sets list comes from the
 * graph itself (`DependencyNode.loaded`, `.resolved`), so nothing a digest depends on
 * can be left out.
 */
export interface PlanRecord {
  /** Key of the planned file's text (the host's). */
  readonly textKey: string;
  readonly root: string;
  /** [function start offset, own hash, digest], flattened. */
  readonly digests: readonly (number | string)[];
  /** Fact sets of the graph roots the digests were computed from. */
  readonly facts: readonly string[];
}

/** Where fact sets are kept (the store's map; a plain Map in tests). */
export interface FactSets {
  get(id: string): FactSet | undefined;
  set(id: string, facts: FactSet): void;
}

export interface PlannedFile {
  readonly path: string;
  readonly textKey: string;
  readonly root: string;
  readonly session: RecordContext;
}

/** The key of `path` as the planning of `planned` saw it: the host's text for the planned file itself. */
function keyOf(planned: PlannedFile, path: string): string {
  return path === planned.path ? planned.textKey : planned.session.textKeyOf(path);
}

/** The record of `digests` (computed in this planning from the graph roots `roots`); its fact sets go to `factSets`. */
export function planRecordOf(planned: PlannedFile, digests: readonly (number | string)[], roots: readonly DependencyNode[], factSets: FactSets): PlanRecord {
  const facts = new Set<string>();
  for (const root of roots) facts.add(factSetIdOf(root, planned, factSets));
  return { textKey: planned.textKey, root: planned.root, digests, facts: [...facts] };
}

/**
 * The fact set id of `start`'s component, computing (and storing) those of the
 * components it reaches first, without recursion (chains run thousands deep). The
 * components come from the digest walk (`DependencyNode.component`), so they form a DAG.
 */
function factSetIdOf(start: DependencyNode, planned: PlannedFile, factSets: FactSets): string {
  const stack = [start];
  while (stack.length > 0) {
    const node = stack[stack.length - 1]!;
    if (node.factSet !== null) {
      stack.pop();
      continue;
    }
    const members = node.component ?? [node];
    const inside = members.length > 8 ? new Set(members) : null;
    const isMember = (other: DependencyNode) => (inside ? inside.has(other) : members.includes(other));
    let waiting = false;
    for (const member of members) {
      for (const successor of member.successors) {
        if (successor.factSet === null && !isMember(successor)) {
          stack.push(successor);
          waiting = true;
        }
      }
    }
    if (waiting) continue;
    const id = storeFactSet(members, isMember, planned, factSets);
    for (const member of members) member.factSet = id;
    stack.pop();
  }
  return start.factSet!;
}

function storeFactSet(members: readonly DependencyNode[], isMember: (node: DependencyNode) => boolean, planned: PlannedFile, factSets: FactSets): string {
  const files = new Map<string, string>();
  const resolutions = new Map<string, [string, string, string]>();
  const children = new Set<string>();
  for (const member of members) {
    for (const path of member.loaded) if (!files.has(path)) files.set(path, keyOf(planned, path));
    for (const fact of member.resolved) resolutions.set(`${fact.fromFile}\u0000${fact.specifier}`, [fact.fromFile, fact.specifier, outcomeKey(fact.target)]);
    for (const successor of member.successors) if (!isMember(successor) && successor.factSet !== "") children.add(successor.factSet!);
  }
  if (files.size === 0 && resolutions.size === 0 && children.size === 0) return "";
  const facts: FactSet = {
    files: [...files].sort(byFirst),
    resolutions: [...resolutions].sort(byFirst).map(([, resolution]) => resolution),
    children: [...children].sort(),
  };
  const id = factSetId(facts);
  if (!factSets.get(id)) factSets.set(id, facts);
  return id;
}

/** The id a fact set is stored under: the hash of its content (a saved one is only trusted when they agree). */
export function factSetId(facts: FactSet): string {
  return hash("sha1", JSON.stringify({ files: facts.files, resolutions: facts.resolutions, children: facts.children }), "base64");
}

function byFirst(a: readonly [string, unknown], b: readonly [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** Whether the planned text is the one `record` was made for and every fact set it reaches holds (this session's versions). */
export function planRecordHolds(record: PlanRecord, planned: PlannedFile, factSets: FactSets): boolean {
  if (record.textKey !== planned.textKey || record.root !== planned.root) return false;
  return record.facts.every((id) => factSetHolds(id, planned, factSets, planned.session.factChecks));
}

/**
 * Post-order over the fact sets below `start`, each checked once per session. A
 * fact set that is missing, or met again while its own children are being checked
 * (a cycle: only a corrupt file has one), does not hold.
 */
function factSetHolds(start: string, planned: PlannedFile, factSets: FactSets, checks: Map<string, boolean>): boolean {
  const inProgress = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const id = stack[stack.length - 1]!;
    if (id === "" || checks.has(id)) {
      stack.pop();
      continue;
    }
    const facts = factSets.get(id);
    if (!facts || !ownFactsHold(facts, planned)) {
      checks.set(id, false);
      stack.pop();
      continue;
    }
    const pending = facts.children.filter((child) => child !== "" && !checks.has(child));
    if (pending.length > 0 && !inProgress.has(id)) {
      inProgress.add(id);
      stack.push(...pending);
      continue;
    }
    // Children still pending here were met again in progress: a cycle.
    checks.set(id, pending.length === 0 && facts.children.every((child) => child === "" || checks.get(child) === true));
    stack.pop();
  }
  return start === "" || checks.get(start) === true;
}

function ownFactsHold(facts: FactSet, planned: PlannedFile): boolean {
  for (const [path, key] of facts.files) if (keyOf(planned, path) !== key) return false;
  for (const [from, specifier, outcome] of facts.resolutions) if (outcomeKey(planned.session.resolutions.resolve(specifier, from).target) !== outcome) return false;
  return true;
}

/** The digest `record` has for the function at `fn.start` with this own hash. */
export function recordedDigest(record: PlanRecord, fn: SyntaxNode, ownHash: string): string | undefined {
  const { digests } = record;
  for (let index = 0; index < digests.length; index += 3) {
    if (digests[index] === fn.start && digests[index + 1] === ownHash) return digests[index + 2] as string;
  }
  return undefined;
}

/** The paths of the files `record`'s digests were computed from. */
export function recordedFiles(record: PlanRecord, factSets: FactSets): string[] {
  const paths = new Set<string>();
  for (const id of factSetsReachedFrom(record.facts, factSets)) for (const [path] of factSets.get(id)!.files) paths.add(path);
  return [...paths];
}

/** The ids of the stored fact sets `from` reaches (itself included). */
export function factSetsReachedFrom(from: Iterable<string>, factSets: FactSets): Set<string> {
  const reached = new Set<string>();
  const pending = [...from];
  for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
    if (reached.has(id)) continue;
    const facts = factSets.get(id);
    if (!facts) continue;
    reached.add(id);
    pending.push(...facts.children);
  }
  return reached;
}
