import { hash } from "node:crypto";
import { join, posix } from "node:path";
import { statPath } from "./file-reads.ts";
import { LruMap } from "./lru.ts";
import { type FactSet, factSetId, factSetsReachedFrom, type PlanRecord } from "./plan-records.ts";
import { normalizePath } from "./resolver.ts";
import { SavedMap, type SavedMapCodec } from "./saved-map.ts";
import { type BindingSummary, ModuleSummary } from "./summary.ts";

/**
 * Persistence: a content-addressed cache of summaries (by path, trusted only for the
 * text whose key it was made from) and of plan records (digests, trusted only while
 * every fact they were computed from still holds: `plan-records.ts`). Nothing is
 * trusted for being recent. Summaries also stay in memory (one object per text), so
 * a rebuild in the same process reads none of them again.
 */

/** Module summaries, by absolute path. */
export const SUMMARY_FILE = "module-summaries.json";
/** Plan records (`PlanRecord`), by planned file: read by every build, so kept apart from the larger summaries. */
export const PLAN_FILE = "plan-records.json";
/** The fact sets plan records reach (`FactSet`), by id. */
export const FACT_FILE = "fact-sets.json";
/**
 * Part of every store's fingerprint (`fingerprint.ts`). Bump it when what a summary or
 * record holds, or how references are found, changes in a way the samples may not show.
 */
export const SUMMARY_FORMAT = 3;
/** Past this many files, a save keeps only the files this process used. */
const MAX_ENTRIES = 50_000;
/** A long-lived process (a watcher) saves this long after its last new entry; one-shot builds save at exit. */
const SAVE_DELAY_MS = 3000;

/**
 * Identifies a text: its SHA-1 and length. The one-shot native `crypto.hash` hashes a
 * 2 KB source about 4 times as fast as the code hasher, and every file a build reads
 * or plans is keyed.
 */
export function textKeyOf(text: string): string {
  return `${hash("sha1", text, "base64")}:${text.length}`;
}

/** Summaries by (path, text key): what a build session reads them from. */
export interface SummaryCache {
  get(path: string, text: string, textKey: string): ModuleSummary | undefined;
  /** The summary of `path` in memory when it is of exactly `text` (no text key to compute). */
  ofText(path: string, text: string): ModuleSummary | undefined;
  /** `persist`: the summary is of the disk's text, and is saved. */
  put(summary: ModuleSummary, persist: boolean): void;
}

/** A saved summary: [esm, names, imports, exports, stars, bindings, whole, complete]. */
type SavedSummary = readonly [
  esm: boolean,
  names: readonly string[],
  imports: readonly (readonly [local: string, specifier: string, imported: string])[],
  exports: readonly (readonly [string, string] | readonly [string, string, string])[],
  stars: readonly string[],
  bindings: readonly (readonly [name: string, own: string, names: readonly (readonly [string, readonly string[] | null])[], specifiers: readonly string[]])[],
  whole: readonly [hash: string, specifiers: readonly string[]] | null,
  complete: boolean,
];

interface StoredSummary {
  readonly textKey: string;
  readonly summary: SavedSummary;
}

/**
 * What dependency tracking keeps across plannings and builds, for one cache folder
 * (null: memory only). Each saved map lives in its own file, loaded when first asked.
 */
export class DependencyStore implements SummaryCache {
  private readonly memory = new LruMap<string, ModuleSummary>(4000);
  private readonly summaries: SavedMap<StoredSummary> | null;
  private readonly plans: SavedMap<PlanRecord> | null;
  readonly factSets: SavedMap<FactSet> | null;
  private readonly touched = new Map<string, ModuleSummary>();
  private saveTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(directory: string | null, fingerprint: string, anchor: string) {
    this.summaries = directory === null ? null : new SavedMap(join(directory, SUMMARY_FILE), fingerprint, SUMMARY_CODEC, anchor);
    this.plans = directory === null ? null : new SavedMap(join(directory, PLAN_FILE), fingerprint, PLAN_RECORD_CODEC, anchor);
    this.factSets = directory === null ? null : new SavedMap(join(directory, FACT_FILE), fingerprint, FACT_SET_CODEC, anchor);
  }

  get persistent(): boolean {
    return this.plans !== null;
  }

  get(path: string, text: string, textKey: string): ModuleSummary | undefined {
    const known = this.memory.get(path);
    if (known?.textKey === textKey) return known;
    const saved = this.summaries?.get(path);
    if (saved?.textKey !== textKey) return undefined;
    const summary = decodeSummary(path, text, textKey, saved.summary);
    this.memory.set(path, summary);
    return summary;
  }

  ofText(path: string, text: string): ModuleSummary | undefined {
    const known = this.memory.get(path);
    // The resolver hands back the same string while a file is unchanged: usually a pointer comparison.
    return known?.text === text ? known : undefined;
  }

  put(summary: ModuleSummary, persist: boolean): void {
    this.memory.set(summary.path, summary);
    if (!persist || !this.summaries) return;
    this.touched.set(summary.path, summary);
    this.saveLater();
  }

  /** The saved plan record of `path` (to check with `planRecordHolds`). */
  planRecord(path: string): PlanRecord | undefined {
    return this.plans?.get(path);
  }

  rememberPlan(path: string, record: PlanRecord): void {
    this.plans?.set(path, record);
    this.saveLater();
  }

  /** Writes what is new now. */
  save(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    if (!this.summaries || !this.plans || !this.factSets) return;
    for (const summary of this.touched.values()) {
      if (!summary.changed) continue;
      summary.changed = false;
      this.summaries.set(summary.path, { textKey: summary.textKey, summary: encodeSummary(summary) });
    }
    const usedHere = (path: string) => this.touched.has(path);
    this.summaries.save(MAX_ENTRIES, usedHere);
    // A replaced record may leave fact sets nobody reaches.
    if (this.plans.hasChanges) this.factSets.markChanged();
    this.plans.save(MAX_ENTRIES, usedHere);
    // After the records (merged with other processes'): only fact sets a record reaches stay.
    if (this.factSets.hasChanges) {
      const reached = factSetsReachedFrom([...this.plans.allValues()].flatMap((record) => record.facts), this.factSets);
      this.factSets.save(MAX_ENTRIES, () => false, (id) => reached.has(id));
    }
    this.touched.clear();
  }

  private saveLater(): void {
    if (this.saveTimer || !this.summaries) return;
    this.saveTimer = setTimeout(() => this.save(), SAVE_DELAY_MS);
    this.saveTimer.unref?.();
  }
}

const stores = new Map<string, DependencyStore>();
/** Default cache folder by project root (`node_modules/.cache/automemo` when the root has `node_modules`), null for none. */
const defaultFolders = new Map<string, string | null>();

/**
 * The one store of this process for a project root and `dependencyCache` option
 * (`PlanOptions.dependencyCache`): a folder relative to the root, `false` for memory
 * only, or by default `node_modules/.cache/automemo` when the root has `node_modules`.
 */
export function dependencyStoreFor(root: string, option: string | false | undefined, fingerprint: () => string): DependencyStore {
  let directory: string | null = null;
  let anchor = root;
  if (typeof option === "string") directory = posix.resolve(root, normalizePath(option));
  else if (option === undefined) {
    let folder = defaultFolders.get(root);
    if (folder === undefined) {
      const modules = posix.join(root, "node_modules");
      folder = statPath(modules)?.isDirectory() ? posix.join(modules, ".cache", "automemo") : null;
      defaultFolders.set(root, folder);
    }
    directory = folder;
    if (folder !== null) anchor = posix.join(root, "node_modules");
  }
  const key = directory ?? "";
  let store = stores.get(key);
  if (!store) {
    if (stores.size === 0) process.once("exit", saveDependencyStores);
    stores.set(key, (store = new DependencyStore(directory, directory === null ? "" : fingerprint(), anchor)));
  }
  return store;
}

/** One-shot builds end with their process: what they learned is saved then. */
export function saveDependencyStores(): void {
  for (const store of stores.values()) store.save();
}

/** Saves and forgets every store (the next use loads from disk, as a new process would). */
export function closeDependencyStores(): void {
  saveDependencyStores();
  stores.clear();
  defaultFolders.clear();
  process.removeListener("exit", saveDependencyStores);
}

function encodeSummary(summary: ModuleSummary): SavedSummary {
  return [
    summary.isEsm,
    [...summary.names],
    [...summary.imports].map(([local, { specifier, imported }]) => [local, specifier, imported] as const),
    [...summary.exports].map(([name, entry]) => ("local" in entry ? ([name, entry.local] as const) : ([name, entry.specifier, entry.imported] as const))),
    [...summary.starExports],
    [...summary.bindings].map(([name, binding]) => [name, binding.own, [...binding.names].map(([used, members]) => [used, members && [...members]] as const), [...binding.specifiers]] as const),
    summary.whole && [summary.whole.hash, [...summary.whole.specifiers]],
    summary.isComplete,
  ];
}

function decodeSummary(path: string, text: string, textKey: string, saved: SavedSummary): ModuleSummary {
  const [esm, names, imports, exports, stars, bindings, whole, complete] = saved;
  const summary = new ModuleSummary(path, text, textKey, esm);
  for (const name of names) summary.names.add(name);
  for (const [local, specifier, imported] of imports) summary.imports.set(local, { specifier, imported });
  for (const entry of exports) summary.exports.set(entry[0], entry.length === 2 ? { local: entry[1] } : { specifier: entry[1], imported: entry[2] });
  summary.starExports.push(...stars);
  for (const [name, own, used, specifiers] of bindings) {
    const binding: BindingSummary = { own, names: new Map(used.map(([usedName, members]) => [usedName, members && new Set(members)])), specifiers: new Set(specifiers) };
    summary.bindings.set(name, binding);
  }
  summary.whole = whole && { hash: whole[0], specifiers: new Set(whole[1]) };
  summary.isComplete = complete;
  return summary;
}

const isString = (value: unknown): value is string => typeof value === "string";
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);
const isTupleOf = (value: unknown, lengths: readonly number[]): value is string[] => isStringArray(value) && lengths.includes(value.length);

/** A hand-edited or foreign entry is skipped, never trusted into a hash. */
function isSavedSummary(value: unknown): value is SavedSummary {
  if (!Array.isArray(value) || value.length !== 8) return false;
  const [esm, names, imports, exports, stars, bindings, whole, complete] = value as unknown[];
  return (
    typeof esm === "boolean" &&
    typeof complete === "boolean" &&
    isStringArray(names) &&
    Array.isArray(imports) &&
    imports.every((item) => isTupleOf(item, [3])) &&
    Array.isArray(exports) &&
    exports.every((item) => isTupleOf(item, [2, 3])) &&
    isStringArray(stars) &&
    Array.isArray(bindings) &&
    bindings.every(isSavedBinding) &&
    (whole === null || (Array.isArray(whole) && whole.length === 2 && isString(whole[0]) && isStringArray(whole[1])))
  );
}

function isSavedBinding(value: unknown): boolean {
  if (!Array.isArray(value) || value.length !== 4 || !isString(value[0]) || !isString(value[1]) || !Array.isArray(value[2]) || !isStringArray(value[3])) return false;
  return value[2].every((item: unknown) => Array.isArray(item) && item.length === 2 && isString(item[0]) && (item[1] === null || isStringArray(item[1])));
}

const SUMMARY_CODEC: SavedMapCodec<StoredSummary> = {
  encode: (entries) => entries.map(([path, { textKey, summary }]) => [path, textKey, summary]),
  decode(payload) {
    const entries = new Map<string, StoredSummary>();
    if (!Array.isArray(payload)) return entries;
    for (const item of payload as unknown[]) {
      if (Array.isArray(item) && item.length === 3 && isString(item[0]) && isString(item[1]) && isSavedSummary(item[2])) entries.set(item[0], { textKey: item[1], summary: item[2] });
    }
    return entries;
  },
};

const PLAN_RECORD_CODEC: SavedMapCodec<PlanRecord> = {
  encode: (entries) => entries.map(([path, { textKey, root, digests, facts }]) => [path, textKey, root, digests, facts]),
  decode(payload) {
    const plans = new Map<string, PlanRecord>();
    if (!Array.isArray(payload)) return plans;
    for (const item of payload as unknown[]) {
      if (!Array.isArray(item) || item.length !== 5) continue;
      const [path, textKey, root, digests, facts] = item as unknown[];
      if (isString(path) && isString(textKey) && isString(root) && isDigestList(digests) && isStringArray(facts)) plans.set(path, { textKey, root, digests, facts });
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
