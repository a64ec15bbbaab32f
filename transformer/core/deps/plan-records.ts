import type { AstNode } from "../ast.ts";
import { type DependencyNode, nodesReachedFrom } from "./digest-graph.ts";
import type { ResolvedImport } from "./resolver.ts";
import type { ClosureSession, ResolutionFact } from "./session.ts";

/**
 * Strings by index, so the records of a deep import chain (where the last file's
 * functions reach every other file) store each path once, not once per record.
 */
export class StringTable {
  readonly strings: string[] = [];
  private readonly indexes = new Map<string, number>();

  constructor(strings: readonly string[] = []) {
    for (const text of strings) this.index(text);
  }

  index(text: string): number {
    let index = this.indexes.get(text);
    if (index === undefined) {
      index = this.strings.push(text) - 1;
      this.indexes.set(text, index);
    }
    return index;
  }
}

/**
 * The dependency digests of one planned file's functions, with everything they were
 * computed from: the key of each file's text the digest graph read and the outcome
 * of each import resolution it made. While all of those are unchanged (and the
 * planned text is the same), the digests are too, so a later build reuses them
 * without parsing, resolving into or hashing any dependency. Which files and
 * resolutions are listed comes from the graph itself (`DependencyNode.loaded`,
 * `.resolved`), so nothing a digest depends on can be left out.
 */
export interface PlanRecord {
  readonly table: StringTable;
  /** Key of the planned file's text (the host's). */
  readonly textKey: string;
  readonly root: string;
  /** [function start offset, own hash, digest], flattened. */
  readonly digests: readonly (number | string)[];
  /** [path, text key] table indexes, flattened; text key "" = unreadable. */
  readonly files: readonly number[];
  /** [from file, specifier, outcome] table indexes, flattened. */
  readonly resolutions: readonly number[];
}

/** A resolution's outcome as a record compares it. */
export function outcomeKey(target: ResolvedImport | null): string {
  if (!target) return "-";
  if (target.kind === "file") return `f:${target.path}`;
  return target.kind === "package" ? `p:${target.name}@${target.version}` : `b:${target.name}`;
}

export interface PlannedFile {
  readonly path: string;
  readonly textKey: string;
  readonly root: string;
  readonly session: ClosureSession;
}

/**
 * Files plus resolutions one record may list. Every record lists all its digests reach,
 * so along an import chain n files deep the records hold about n²/2 entries; past this
 * size a planning saves no record (later builds compute its digests from the saved
 * module summaries instead, without parsing unchanged files).
 */
export const MAX_RECORD_ENTRIES = 256;

/** The record of `digests` (computed in this planning from the graph roots `roots`); null when it would list too much. */
export function planRecordOf(planned: PlannedFile, digests: readonly (number | string)[], roots: readonly DependencyNode[], table: StringTable): PlanRecord | null {
  // The reach bounds sum what the nodes note along every path (never less than the
  // walk finds): within the limit, the walk is short and the record small.
  if (roots.reduce((sum, root) => sum + root.reach, 0) > MAX_RECORD_ENTRIES) return null;
  const files = new Set<string>();
  const resolutions = new Set<ResolutionFact>();
  for (const node of nodesReachedFrom(roots)) {
    for (const path of node.loaded) files.add(path);
    for (const fact of node.resolved) resolutions.add(fact);
  }
  const fileIndexes: number[] = [];
  for (const path of files) fileIndexes.push(table.index(path), table.index(path === planned.path ? planned.textKey : planned.session.textKeyOf(path)));
  const resolutionIndexes: number[] = [];
  for (const fact of resolutions) resolutionIndexes.push(table.index(fact.fromFile), table.index(fact.specifier), table.index(outcomeKey(fact.target)));
  return { table, textKey: planned.textKey, root: planned.root, digests, files: fileIndexes, resolutions: resolutionIndexes };
}

/**
 * What one build session found when checking records read with one table, by table
 * index: a path's current text key, a (from file, specifier) pair's current outcome.
 * Records share most of their files (along an import chain, the last file's record
 * lists every other file), so each is checked once per session, not once per record.
 */
interface SessionChecks {
  readonly textKeys: Map<number, string>;
  readonly outcomes: Map<number, string>;
}

const checksBySession = new WeakMap<ClosureSession, WeakMap<StringTable, SessionChecks>>();

function checksFor(session: ClosureSession, table: StringTable): SessionChecks {
  let byTable = checksBySession.get(session);
  if (!byTable) checksBySession.set(session, (byTable = new WeakMap()));
  let checks = byTable.get(table);
  if (!checks) byTable.set(table, (checks = { textKeys: new Map(), outcomes: new Map() }));
  return checks;
}

/** Whether every file and resolution `record` lists is as it was (this session's versions). */
export function planRecordHolds(record: PlanRecord, planned: PlannedFile): boolean {
  if (record.textKey !== planned.textKey || record.root !== planned.root) return false;
  const { strings } = record.table;
  const { files, resolutions } = record;
  const checks = checksFor(planned.session, record.table);
  for (let index = 0; index < files.length; index += 2) {
    const pathIndex = files[index]!;
    let now = checks.textKeys.get(pathIndex);
    if (now === undefined) {
      const path = strings[pathIndex];
      // A malformed record (an index naming no string) never holds.
      if (typeof path !== "string") return false;
      now = path === planned.path ? planned.textKey : planned.session.textKeyOf(path);
      // The planned file's own text is the host's, not the session's: not shared.
      if (path !== planned.path) checks.textKeys.set(pathIndex, now);
    }
    if (now !== strings[files[index + 1]!]) return false;
  }
  for (let index = 0; index < resolutions.length; index += 3) {
    // Table indexes stay far below 2^26, so the pair fits a double exactly.
    const from = strings[resolutions[index]!];
    const specifier = strings[resolutions[index + 1]!];
    if (typeof from !== "string" || typeof specifier !== "string") return false;
    const pair = resolutions[index]! * 0x4000000 + resolutions[index + 1]!;
    let outcome = checks.outcomes.get(pair);
    if (outcome === undefined) {
      outcome = outcomeKey(planned.session.resolve(specifier, from));
      checks.outcomes.set(pair, outcome);
    }
    if (outcome !== strings[resolutions[index + 2]!]) return false;
  }
  return true;
}

/** The digest `record` has for the function at `fn.start` with this own hash. */
export function recordedDigest(record: PlanRecord, fn: AstNode, ownHash: string): string | undefined {
  const { digests } = record;
  for (let index = 0; index < digests.length; index += 3) {
    if (digests[index] === fn.start && digests[index + 1] === ownHash) return digests[index + 2] as string;
  }
  return undefined;
}

/** The paths of the files `record`'s digests were computed from. */
export function recordedFiles(record: PlanRecord): string[] {
  const paths: string[] = [];
  for (let index = 0; index < record.files.length; index += 2) paths.push(record.table.strings[record.files[index]!]!);
  return paths;
}

/** `record` with its strings in `table` (to write records indexed into several tables as one); null when an index names no string. */
export function reindexed(record: PlanRecord, table: StringTable): PlanRecord | null {
  if (record.table === table) return record;
  const from = record.table.strings;
  const move = (indexes: readonly number[]): number[] | null => {
    const moved: number[] = [];
    for (const index of indexes) {
      const text = from[index];
      if (typeof text !== "string") return null;
      moved.push(table.index(text));
    }
    return moved;
  };
  const files = move(record.files);
  const resolutions = files && move(record.resolutions);
  return files && resolutions ? { ...record, table, files, resolutions } : null;
}
