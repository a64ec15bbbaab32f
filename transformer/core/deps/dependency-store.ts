import { hash } from "node:crypto";
import { join } from "node:path";
import { type FactSet, factSetId, factSetsReachedFrom, type PlanRecord } from "./plan-records.ts";
import { SavedMap, type SavedMapCodec } from "./saved-map.ts";

/**
 * What dependency hashing learned about one file's text: its module-level names,
 * imports and exports, and each binding's own-code hash and references computed so
 * far. A function of the text alone (and of this code: see `fingerprint`), so a
 * later build that meets the same text uses it instead of parsing and walking the
 * file again. Arrays of pairs, never objects keyed by names (`__proto__` is a name).
 */
export interface BindingsSummary {
  readonly esm: boolean;
  readonly names: readonly string[];
  /** [local, specifier, imported] */
  readonly imports: readonly (readonly [string, string, string])[];
  /** [exported, local] or [exported, specifier, imported] */
  readonly exports: readonly (readonly [string, string] | readonly [string, string, string])[];
  readonly stars: readonly string[];
  /** [binding, own-code hash] */
  readonly own: readonly (readonly [string, string])[];
  /** [binding, [name, members or null][], specifiers] */
  readonly refs: readonly (readonly [string, readonly (readonly [string, readonly string[] | null])[], readonly string[]])[];
  readonly whole: string | null;
  readonly wholeSpecifiers: readonly string[] | null;
}

/** A file whose summary can be saved: a `ModuleBindings`, seen from here. */
export interface Summarizable {
  readonly path: string;
  /** Identifies the text (hash and length). */
  textHash(): string;
  /** Null for files with nothing worth saving (not code, or not parsable). */
  summary(): BindingsSummary | null;
  /** Something was computed since the summary was loaded or last saved. */
  summaryChanged: boolean;
}

/** Module summaries (`BindingsSummary`), by absolute path. */
export const SUMMARY_FILE = "module-summaries.json";
/** Plan records (`PlanRecord`), by planned file: read by every build, so kept apart from the larger summaries. */
export const PLAN_FILE = "plan-records.json";
/** The fact sets plan records reach (`FactSet`), by id. */
export const FACT_FILE = "fact-sets.json";
/**
 * Part of every store's fingerprint (`storeFingerprint`): with the package version and
 * what a sample module and a sample planning produce, which catch changes to hashing,
 * to the parser's AST and to the closure rules the samples exercise. Bump it when what
 * a summary or record holds, or how references are found, changes in a way the samples
 * may not show, and whenever saved data from an earlier build of the source must go.
 */
export const SUMMARY_FORMAT = 2;
/** Past this many files, a save keeps only the files this process used. */
const MAX_ENTRIES = 50_000;
/** A long-lived process (a watcher) saves this long after its last new entry; one-shot builds save at exit. */
const SAVE_DELAY_MS = 3000;

interface StoredSummary {
  readonly textHash: string;
  readonly summary: BindingsSummary;
}

/**
 * What dependency tracking saves across builds, in one cache folder (by default
 * `node_modules/.cache/automemo` under the project root): module summaries keyed by
 * path and checked against the text's key, and plan records checked against every
 * file and resolution they list, so a stale entry is never used. Each lives in a
 * `SavedMap` file, loaded only when first asked for.
 */
export class DependencyStore {
  private readonly summaries: SavedMap<StoredSummary>;
  private readonly plans: SavedMap<PlanRecord>;
  readonly factSets: SavedMap<FactSet>;
  private readonly touched = new Map<string, Summarizable>();
  private saveTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly directory: string,
    fingerprint: string,
    /** A folder that must still exist for a save to happen (the project's), so a save at exit never recreates a deleted project. */
    anchor: string,
  ) {
    this.summaries = new SavedMap(join(directory, SUMMARY_FILE), fingerprint, SUMMARY_CODEC, anchor);
    this.plans = new SavedMap(join(directory, PLAN_FILE), fingerprint, PLAN_RECORD_CODEC, anchor);
    this.factSets = new SavedMap(join(directory, FACT_FILE), fingerprint, FACT_SET_CODEC, anchor);
  }

  /** The saved summary of `path` if it was made from text with this key. */
  lookup(path: string, textHash: string): BindingsSummary | undefined {
    const entry = this.summaries.get(path);
    return entry?.textHash === textHash ? entry.summary : undefined;
  }

  /** The saved plan record of `path` (to check with `planRecordHolds`). */
  planRecord(path: string): PlanRecord | undefined {
    return this.plans.get(path);
  }

  rememberPlan(path: string, record: PlanRecord): void {
    this.plans.set(path, record);
    this.saveLater();
  }

  /** `module` is part of this build: its summary is saved (if anything new was computed) at exit or after a pause. */
  touch(module: Summarizable): void {
    this.touched.set(module.path, module);
    this.saveLater();
  }

  /** Writes what is new now. */
  save(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    for (const module of this.touched.values()) {
      if (!module.summaryChanged) continue;
      module.summaryChanged = false;
      const summary = module.summary();
      if (summary) this.summaries.set(module.path, { textHash: module.textHash(), summary });
    }
    const usedHere = (path: string) => this.touched.has(path);
    this.summaries.save(MAX_ENTRIES, usedHere);
    // A replaced record may leave fact sets nobody reaches.
    if (this.plans.hasChanges) this.factSets.markChanged();
    this.plans.save(MAX_ENTRIES, usedHere);
    // After the records (merged with other processes'): only fact sets a record reaches
    // stay. Nothing new (a later build of unchanged files) means nothing to walk.
    if (this.factSets.hasChanges) {
      const reached = factSetsReachedFrom([...this.plans.allValues()].flatMap((record) => record.facts), this.factSets);
      this.factSets.save(MAX_ENTRIES, () => false, (id) => reached.has(id));
    }
    // Everything touched is saved: a long-lived process must not hold every file it ever
    // read (their texts, and the ASTs of files nobody released) for this.
    this.touched.clear();
  }

  private saveLater(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.save(), SAVE_DELAY_MS);
    this.saveTimer.unref?.();
  }
}

const SUMMARY_CODEC: SavedMapCodec<StoredSummary> = {
  encode: (entries) => entries.map(([path, { textHash, summary }]) => [path, textHash, summary]),
  decode(payload) {
    const entries = new Map<string, StoredSummary>();
    if (!Array.isArray(payload)) return entries;
    for (const item of payload as unknown[]) {
      if (Array.isArray(item) && item.length === 3 && isString(item[0]) && isString(item[1]) && isSummary(item[2])) {
        entries.set(item[0], { textHash: item[1], summary: item[2] });
      }
    }
    return entries;
  },
};

const PLAN_RECORD_CODEC: SavedMapCodec<PlanRecord> = {
  encode: (entries) => entries.map(([path, { textHash, root, digests, facts }]) => [path, textHash, root, digests, facts]),
  decode(payload) {
    const plans = new Map<string, PlanRecord>();
    if (!Array.isArray(payload)) return plans;
    for (const item of payload as unknown[]) {
      if (!Array.isArray(item) || item.length !== 5) continue;
      const [path, textHash, root, digests, facts] = item as unknown[];
      if (isString(path) && isString(textHash) && isString(root) && isDigestList(digests) && isStringArray(facts)) plans.set(path, { textHash, root, digests, facts });
    }
    return plans;
  },
};

const FACT_SET_CODEC: SavedMapCodec<FactSet> = {
  encode: (entries) => entries.map(([id, { files, resolutions, children }]) => [id, files, resolutions, children]),
  decode(payload) {
    const factSets = new Map<string, FactSet>();
    if (!Array.isArray(payload)) return factSets;
    for (const item of payload as unknown[]) {
      if (!Array.isArray(item) || item.length !== 4) continue;
      const [id, files, resolutions, children] = item as unknown[];
      const valid =
        isString(id) &&
        Array.isArray(files) &&
        files.every((file) => isTupleOf(file, [2])) &&
        Array.isArray(resolutions) &&
        resolutions.every((resolution) => isTupleOf(resolution, [3])) &&
        isStringArray(children);
      if (!valid) continue;
      const facts = { files, resolutions, children } as unknown as FactSet;
      // Content-addressed: an entry edited after it was saved no longer matches its id.
      if (factSetId(facts) === id) factSets.set(id, facts);
    }
    return factSets;
  },
};

/** [start offset, own hash, digest] triples, flattened. */
function isDigestList(value: unknown): value is (number | string)[] {
  if (!Array.isArray(value) || value.length % 3 !== 0) return false;
  for (let index = 0; index < value.length; index += 3) {
    if (!Number.isInteger(value[index]) || !isString(value[index + 1]) || !isString(value[index + 2])) return false;
  }
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const isString = (value: unknown): value is string => typeof value === "string";
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);
const isTupleOf = (value: unknown, lengths: readonly number[]): value is string[] => isStringArray(value) && lengths.includes(value.length);

/** A hand-edited or foreign entry is skipped, never trusted into a hash. */
function isSummary(value: unknown): value is BindingsSummary {
  if (!isRecord(value)) return false;
  const { esm, names, imports, exports, stars, own, refs, whole, wholeSpecifiers } = value;
  return (
    typeof esm === "boolean" &&
    isStringArray(names) &&
    Array.isArray(imports) &&
    imports.every((item) => isTupleOf(item, [3])) &&
    Array.isArray(exports) &&
    exports.every((item) => isTupleOf(item, [2, 3])) &&
    isStringArray(stars) &&
    Array.isArray(own) &&
    own.every((item) => isTupleOf(item, [2])) &&
    Array.isArray(refs) &&
    refs.every(isStoredReferences) &&
    (whole === null || isString(whole)) &&
    (wholeSpecifiers === null || isStringArray(wholeSpecifiers))
  );
}

function isStoredReferences(value: unknown): boolean {
  if (!Array.isArray(value) || value.length !== 3 || !isString(value[0]) || !Array.isArray(value[1]) || !isStringArray(value[2])) return false;
  return value[1].every((item: unknown) => Array.isArray(item) && item.length === 2 && isString(item[0]) && (item[1] === null || isStringArray(item[1])));
}

/**
 * Identifies a text for `lookup` and plan records: its SHA-1 and length. The one-shot
 * native `crypto.hash` (Node 20.12+) hashes a 2 KB source about 4 times as fast as the
 * code hasher (and twice as fast as a `createHash` object), and every file a build reads
 * or plans is hashed.
 */
export function hashText(text: string): string {
  return `${hash("sha1", text, "base64")}:${text.length}`;
}

const stores = new Map<string, DependencyStore>();

/** One-shot builds end with their process: what they learned is saved then. */
export function saveDependencyStores(): void {
  for (const store of stores.values()) store.save();
}

/** The one store of `directory` in this process (`anchor`: see `DependencyStore`). */
export function dependencyStoreIn(directory: string, anchor: string, fingerprint: () => string): DependencyStore {
  let store = stores.get(directory);
  if (!store) {
    if (stores.size === 0) process.once("exit", saveDependencyStores);
    stores.set(directory, (store = new DependencyStore(directory, fingerprint(), anchor)));
  }
  return store;
}

/** Saves and forgets every store (`clearDependencyCaches`: the next use loads from disk, as a new process would). */
export function closeDependencyStores(): void {
  saveDependencyStores();
  stores.clear();
  process.removeListener("exit", saveDependencyStores);
}
