import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { threadId } from "node:worker_threads";

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
 * break a build.
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
      parsed = JSON.parse(readFileSync(this.file, "utf8"));
    } catch {
      return new Map();
    }
    const valid = typeof parsed === "object" && parsed !== null && (parsed as { fingerprint?: unknown }).fingerprint === this.fingerprint;
    return valid ? this.codec.decode((parsed as { payload?: unknown }).payload) : new Map();
  }

  private write(values: Map<string, V>): void {
    if (!isDirectory(this.anchor)) return;
    // Unique per thread too: the loader's hooks thread shares the process id.
    const temporary = `${this.file}.${process.pid}-${threadId}-${Math.random().toString(36).slice(2)}.tmp`;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      writeFileSync(temporary, JSON.stringify({ fingerprint: this.fingerprint, payload: this.codec.encode([...values]) }));
      renameSync(temporary, this.file);
      this.loadedStamp = this.stampOnDisk();
    } catch {
      // A read-only checkout, a full disk, a file where a folder should be: the next
      // build recomputes what was not saved.
      try {
        rmSync(temporary, { force: true });
      } catch {
        // Nothing was written.
      }
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

function isDirectory(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}
