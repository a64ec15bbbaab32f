import { statSync } from "node:fs";
import { dirname } from "node:path";
import { checkCacheRoot, ensureCacheRoot, readFileNoFollowSync, writeFileAtomicSync, type UnsafeDirectory } from "../../../runtime/stores/disk-safety.ts";

/** How a `SavedMap`'s values are written to and read from its JSON file. */
export interface SavedMapCodec<V> {
  encode(entries: readonly (readonly [string, V])[]): unknown;
  /** The entries of a payload; anything malformed is left out (never trusted, never thrown). */
  decode(payload: unknown): Map<string, V>;
}

/**
 * A string-keyed map kept in one JSON file and shared by every process that uses
 * the folder: loaded on first use, saved by `save`. A save merges with what other
 * processes saved meanwhile (this process's own keys win) and replaces the file
 * atomically (write, then rename), so a reader never sees half a file. The file
 * counts only when its `fingerprint` matches; an unreadable, corrupt or foreign file
 * counts as empty, and a save that fails is dropped: it is a cache, and must never
 * break a build. The folder gets the disk store's checks (runtime/stores/disk-safety.ts):
 * one owned by another user or writable by others is neither read nor written (unless
 * AUTOMEMO_TRUST_CACHE_DIR=1), since saved summaries decide code hashes; files are
 * written under random names without following links, and read without following them.
 */
export class SavedMap<V> {
  private values: Map<string, V> | null = null;
  /** Keys set by this process. */
  private readonly own = new Set<string>();
  private changed = false;
  /** The file's stamp when loaded or last saved: a save re-reads it when another process changed it. */
  private loadedStamp = "";

  constructor(
    readonly file: string,
    private readonly fingerprint: string,
    private readonly codec: SavedMapCodec<V>,
    /** A folder that must still exist for a save to happen, so a save at exit never recreates a deleted project. */
    private readonly anchor: string,
  ) {}

  get(key: string): V | undefined {
    return this.loaded().get(key);
  }

  set(key: string, value: V): void {
    this.loaded().set(key, value);
    this.own.add(key);
    this.changed = true;
  }

  /**
   * Writes the file if anything was set since the last save. `keep` bounds its size:
   * past `limit` entries only keys it accepts (and this process's) stay. `retain`, when
   * given, is applied always: entries it refuses are dropped (unreachable ones), except
   * this process's own (what it set may be referenced again before it ends: the digest
   * graph memoizes fact set ids on its nodes).
   */
  save(limit: number, keep: (key: string) => boolean, retain?: (key: string) => boolean): void {
    if (!this.changed) return;
    this.changed = false;
    const values = this.stampOnDisk() === this.loadedStamp ? this.loaded() : this.merged();
    if (values.size > limit) for (const key of [...values.keys()]) if (!this.own.has(key) && !keep(key)) values.delete(key);
    if (retain) for (const key of [...values.keys()]) if (!this.own.has(key) && !retain(key)) values.delete(key);
    this.write(values);
  }

  /** Something was set since the last save. */
  get hasChanges(): boolean {
    return this.changed;
  }

  /** The next `save` writes even if nothing was set (its `retain` may drop entries). */
  markChanged(): void {
    this.changed = true;
  }

  /** Every value (loading the file if needed). */
  allValues(): IterableIterator<V> {
    return this.loaded().values();
  }

  private loaded(): Map<string, V> {
    if (!this.values) {
      this.loadedStamp = this.stampOnDisk();
      this.values = this.read();
    }
    return this.values;
  }

  /** What is on disk now, with this process's own entries on top. */
  private merged(): Map<string, V> {
    const onDisk = this.read();
    for (const [key, value] of this.loaded()) if (this.own.has(key) || !onDisk.has(key)) onDisk.set(key, value);
    this.values = onDisk;
    return onDisk;
  }

  private read(): Map<string, V> {
    let parsed: unknown;
    try {
      if (refused(checkCacheRoot(dirname(this.file), trustsCacheDir()))) return new Map();
      parsed = JSON.parse(readFileNoFollowSync(this.file).toString("utf8"));
    } catch {
      return new Map();
    }
    const valid = typeof parsed === "object" && parsed !== null && (parsed as { fingerprint?: unknown }).fingerprint === this.fingerprint;
    return valid ? this.codec.decode((parsed as { payload?: unknown }).payload) : new Map();
  }

  private write(values: Map<string, V>): void {
    if (!isDirectory(this.anchor)) return;
    try {
      if (refused(ensureCacheRoot(dirname(this.file), trustsCacheDir()))) return;
      writeFileAtomicSync(this.file, JSON.stringify({ fingerprint: this.fingerprint, payload: this.codec.encode([...values]) }));
      this.loadedStamp = this.stampOnDisk();
    } catch {
      // A read-only checkout, a full disk, a file where a folder should be: the next
      // build recomputes what was not saved.
    }
  }

  private stampOnDisk(): string {
    try {
      const stats = statSync(this.file, { throwIfNoEntry: false, bigint: true });
      return stats ? `${stats.size}:${stats.mtimeNs}:${stats.ino}` : "";
    } catch {
      // ENOTDIR, EACCES: there is no file to read, and the save will fail quietly too.
      return "";
    }
  }
}

function trustsCacheDir(): boolean {
  return process.env.AUTOMEMO_TRUST_CACHE_DIR === "1";
}

/** Folders already reported, so a build warns once per folder. */
const reportedFolders = new Set<string>();

/** True (after one warning per folder) when the folder must not be used. */
function refused(problem: UnsafeDirectory | undefined): boolean {
  if (problem === undefined) return false;
  if (!reportedFolders.has(problem.path)) {
    reportedFolders.add(problem.path);
    console.warn(
      `[automemo] not using the dependency cache in ${problem.describe()}. Whoever can write it could make changed code keep its old ` +
        `code hash; dependency tracking works without it. Set AUTOMEMO_TRUST_CACHE_DIR=1 to use it anyway.`,
    );
  }
  return true;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}
