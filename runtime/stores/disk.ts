import { decodeEntry, DefectiveEntry, encodeEntry, entryAddress, isExpired, SERIALIZATION_TAG, SERIALIZATION_TAGS, type EntrySeal } from "./codec.ts";
import { ENTRY_SUFFIX, entryFileStem, FUNCTION_META_FILE, functionDirName, isErrnoCode, LOCK_SUFFIX, resolveCacheRoot, VERSION_DIR_PREFIX, versionDirName } from "./disk-layout.ts";
import { isHeldByThisProcess, LOCK_BUSY, LOCK_UNBREAKABLE, sleepSync, tryAcquireLockFile, type HeldLock } from "./disk-lock.ts";
import { ensureCacheRoot, ensureSubdirectory, readFileNoFollow, readFileNoFollowSync, UnsafeDirectory, writeFileAtomic, writeFileAtomicSync } from "./disk-safety.ts";
import { DiskTagIndex } from "./disk-tags.ts";
import { nodeFs, nodePath } from "./node-builtins.ts";
import { publishStoreError } from "../observe/channels.ts";
import type { CacheStore, StoreFunction, StoreHit } from "./store.ts";

export interface DiskStoreOptions {
  /** Cache root. Default: `configure({ cacheDir })`, `AUTOMEMO_CACHE_DIR`, then `node_modules/.cache/automemo`. */
  readonly dir?: string;
  /** A computation lock not refreshed for this long is considered abandoned. Default 30 s. */
  readonly lockStaleMs?: number;
  /** Where the single warning about unreadable files goes. Default `console.warn`. */
  readonly warn?: (message: string) => void;
  /**
   * Use a cache directory even when another user owns it or others can write it
   * (default false: such a directory is refused and the function caches in memory only).
   */
  readonly trustDir?: boolean;
  /** HMAC key: entries are signed, and unsigned or wrongly signed entries are misses. Default: none. */
  readonly signingKey?: string;
}

interface VersionState {
  readonly functionDir: string;
  readonly versionDir: string;
  prepared: boolean;
  /** Older versions were removed (at the first write of this version in this process). */
  tidied: boolean;
  /** The directories failed the safety checks (disk-safety.ts): this function runs memory-only. */
  unsafe: boolean;
  /** Running estimate of this version's entries, for the maxEntries/maxBytes bounds. */
  estimate: { entries: number; bytes: number } | undefined;
}

/**
 * Compute without the lock: it cannot be created (read-only or unusable directory), a
 * synchronous caller finds it held by this very process (a re-entrant call: waiting would
 * wait for ourselves), or something automemo cannot remove sits at its path past its staleness.
 */
const LOCKING_UNAVAILABLE = Symbol("locking unavailable");
/** Another process holds the lock and nothing is stored yet. */
const WAIT = Symbol("wait");

interface WriteTarget {
  readonly state: VersionState;
  readonly file: string;
}

interface EntryFileInfo {
  readonly file: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * The `persist: "disk"` store: one file per entry, survives restarts, shared safely by
 * any number of processes. See disk-layout.ts for the layout and codec.ts for the format.
 *
 * @example
 * const store = new DiskStore({ dir: "/tmp/cache" });
 * store.writeSync({ id: "a.ts#f", version: "1" }, "0123456789abcdef0123456789abcdef", { rows: 3 });
 */
export class DiskStore implements CacheStore {
  readonly name = "disk";
  readonly root: string;
  readonly #lockStaleMs: number;
  readonly #warn: (message: string) => void;
  readonly #states = new WeakMap<StoreFunction, VersionState>();
  readonly #trustDir: boolean;
  readonly #signingKey: string | undefined;
  /** The root's safety verdict, checked once (null: safe). */
  #rootProblem: UnsafeDirectory | null | undefined;
  #warned = false;
  #warnedUnsafe = false;
  readonly #tags: DiskTagIndex;

  constructor(options: DiskStoreOptions = {}) {
    this.root = resolveCacheRoot(options.dir);
    this.#lockStaleMs = options.lockStaleMs ?? 30_000;
    this.#warn = options.warn ?? ((message) => console.warn(message));
    this.#trustDir = options.trustDir ?? false;
    this.#signingKey = options.signingKey;
    this.#tags = new DiskTagIndex(this.root, this.#trustDir);
  }

  tagEntrySync(fn: StoreFunction, key: string, tags: readonly string[]): void {
    this.#tags.add(fn, key, tags);
  }

  async tagEntry(fn: StoreFunction, key: string, tags: readonly string[]): Promise<void> {
    this.#tags.add(fn, key, tags);
  }

  async deleteTagged(tags: readonly string[]): Promise<void> {
    await this.#tags.deleteTagged(tags);
  }

  readSync(fn: StoreFunction, key: string): StoreHit | undefined {
    const file = this.#readablePath(fn, key);
    if (file === undefined) return undefined;
    let bytes: Buffer;
    try {
      bytes = readFileNoFollowSync(file);
    } catch (error) {
      return this.#readFailed(file, error);
    }
    return this.#accept(fn, key, file, bytes);
  }

  async read(fn: StoreFunction, key: string): Promise<StoreHit | undefined> {
    const file = this.#readablePath(fn, key);
    if (file === undefined) return undefined;
    let bytes: Buffer;
    try {
      bytes = await readFileNoFollow(file);
    } catch (error) {
      return this.#readFailed(file, error);
    }
    return this.#accept(fn, key, file, bytes);
  }

  writeSync(fn: StoreFunction, key: string, value: unknown): void {
    const bytes = this.#encode(fn, key, value);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const target = this.#writeTarget(fn, key);
        if (target === undefined) return;
        writeFileAtomicSync(target.file, bytes);
        this.#afterWrite(fn, target.state, bytes.length);
        return;
      } catch (error) {
        if (!this.#retryAfterWriteError(fn, error, attempt)) return;
      }
    }
  }

  async write(fn: StoreFunction, key: string, value: unknown): Promise<void> {
    const bytes = this.#encode(fn, key, value);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const target = this.#writeTarget(fn, key);
        if (target === undefined) return;
        await writeFileAtomic(target.file, bytes);
        this.#afterWrite(fn, target.state, bytes.length);
        return;
      } catch (error) {
        if (!this.#retryAfterWriteError(fn, error, attempt)) return;
      }
    }
  }

  async delete(fn: StoreFunction, key?: string): Promise<void> {
    const fs = nodeFs();
    const state = this.#state(fn);
    if (key !== undefined) {
      // Only through directories that passed the checks: a planted link must not aim the unlink elsewhere.
      for (const tag of SERIALIZATION_TAGS) {
        const file = this.#readablePath(fn, key, tag);
        if (file !== undefined) await fs.promises.rm(file, { force: true });
      }
      return;
    }
    await fs.promises.rm(state.functionDir, { recursive: true, force: true });
    state.prepared = false;
    state.tidied = false;
    state.estimate = undefined;
  }

  /**
   * One computation per key across every process sharing this directory: the process
   * that creates `<key>.lock` computes and writes; the others poll for the entry.
   */
  async computeOnce<T>(fn: StoreFunction, key: string, compute: () => Promise<T>): Promise<T> {
    const lockPath = this.#lockPath(fn, key);
    const startedAt = Date.now();
    for (let delayMs = 2; ; delayMs = nextPollDelay(delayMs)) {
      const claim = this.#claim(fn, key, lockPath, Date.now() - startedAt);
      if (claim === LOCKING_UNAVAILABLE) {
        const hit = this.readSync(fn, key);
        if (hit) return hit.value as T;
        const value = await compute();
        await this.write(fn, key, value);
        return value;
      }
      if (claim === WAIT) await new Promise((resolve) => setTimeout(resolve, delayMs));
      else if ("value" in claim) return claim.value as T;
      else {
        try {
          const value = await compute();
          await this.write(fn, key, value);
          return value;
        } finally {
          claim.release();
        }
      }
    }
  }

  /**
   * `computeOnce` for synchronous functions: waiting processes block (they would block
   * computing anyway). The holder cannot refresh its lock while it computes, so a
   * computation longer than the lock timeout may run twice; a crashed holder on this
   * host is detected at once.
   */
  computeOnceSync<T>(fn: StoreFunction, key: string, compute: () => T): T {
    const lockPath = this.#lockPath(fn, key);
    const startedAt = Date.now();
    for (let delayMs = 2; ; delayMs = nextPollDelay(delayMs)) {
      // A synchronous wait for a lock this process holds would never end: the holder cannot run.
      const claim = lockPath !== undefined && isHeldByThisProcess(lockPath) ? (this.readSync(fn, key) ?? LOCKING_UNAVAILABLE) : this.#claim(fn, key, lockPath, Date.now() - startedAt);
      if (claim === LOCKING_UNAVAILABLE) {
        const hit = this.readSync(fn, key);
        if (hit) return hit.value as T;
        const value = compute();
        this.writeSync(fn, key, value);
        return value;
      }
      if (claim === WAIT) sleepSync(delayMs);
      else if ("value" in claim) return claim.value as T;
      else {
        try {
          const value = compute();
          this.writeSync(fn, key, value);
          return value;
        } finally {
          claim.release();
        }
      }
    }
  }

  /** One round of single flight: the stored value, the lock (then compute), or wait and retry. */
  #claim(fn: StoreFunction, key: string, lockPath: string | undefined, waitedMs: number): StoreHit | HeldLock | typeof WAIT | typeof LOCKING_UNAVAILABLE {
    if (lockPath === undefined) return LOCKING_UNAVAILABLE;
    const lock = this.#tryLock(lockPath, fn, waitedMs);
    if (lock === LOCKING_UNAVAILABLE) return lock;
    // Read even when we got the lock: the previous holder may have just written the value.
    const hit = this.readSync(fn, key);
    if (hit) {
      lock?.release();
      return hit;
    }
    return lock ?? WAIT;
  }

  /** Where the key's lock lives; undefined (after one warning) when the directory is unusable. */
  #lockPath(fn: StoreFunction, key: string): string | undefined {
    try {
      const state = this.#prepare(this.#state(fn), fn);
      return state && nodePath().join(state.versionDir, entryFileStem(key) + LOCK_SUFFIX);
    } catch (error) {
      // An unwritable cache directory must not stop the program: compute without the disk.
      this.#retryAfterWriteError(fn, error, 1);
      return undefined;
    }
  }

  #tryLock(lockPath: string, fn: StoreFunction, waitedMs: number): HeldLock | undefined | typeof LOCKING_UNAVAILABLE {
    try {
      const attempt = tryAcquireLockFile(lockPath, this.#lockStaleMs, waitedMs);
      if (attempt === LOCK_BUSY) return undefined;
      if (attempt !== LOCK_UNBREAKABLE) return attempt;
      this.#warnOnce(`the lock ${lockPath} is not a lock automemo can read or remove, and it is older than the lock timeout; computing without it. Remove it by hand.`);
      return LOCKING_UNAVAILABLE;
    } catch (error) {
      try {
        if (!isErrnoCode(error, "ENOENT")) throw error;
        // The version directory was removed (cache cleared) while we were waiting: recreate it.
        const state = this.#state(fn);
        state.prepared = false;
        return this.#prepare(state, fn) === undefined ? LOCKING_UNAVAILABLE : undefined;
      } catch (failure) {
        this.#retryAfterWriteError(fn, failure, 1);
        return LOCKING_UNAVAILABLE;
      }
    }
  }

  #state(fn: StoreFunction): VersionState {
    let state = this.#states.get(fn);
    if (state === undefined) {
      const path = nodePath();
      const functionDir = path.join(this.root, functionDirName(fn.id));
      state = { functionDir, versionDir: path.join(functionDir, versionDirName(fn.version)), prepared: false, tidied: false, unsafe: false, estimate: undefined };
      this.#states.set(fn, state);
    }
    return state;
  }

  /**
   * The entry file of `key` once the function's directories exist and passed the safety
   * checks; undefined when they are unsafe or cannot be prepared (a read is then a miss).
   */
  #readablePath(fn: StoreFunction, key: string, tag = SERIALIZATION_TAG): string | undefined {
    let state: VersionState | undefined;
    try {
      state = this.#prepare(this.#state(fn), fn);
    } catch (error) {
      this.#readFailed(this.#state(fn).versionDir, error);
      return undefined;
    }
    return state && state.versionDir + nodePath().sep + entryFileStem(key) + tag + ENTRY_SUFFIX;
  }

  #seal(fn: StoreFunction, key: string): EntrySeal | undefined {
    return this.#signingKey === undefined ? undefined : { secret: this.#signingKey, address: entryAddress(fn.id, fn.version, key) };
  }

  #encode(fn: StoreFunction, key: string, value: unknown): Buffer {
    const createdAt = Date.now();
    return encodeEntry(fn.id, value, { createdAt, expiresAt: fn.ttlMs === undefined ? 0 : createdAt + fn.ttlMs }, this.#seal(fn, key));
  }

  #writeTarget(fn: StoreFunction, key: string): WriteTarget | undefined {
    const state = this.#prepare(this.#state(fn), fn);
    if (state === undefined) return undefined;
    this.#tidy(state);
    return { state, file: nodePath().join(state.versionDir, entryFileStem(key) + SERIALIZATION_TAG + ENTRY_SUFFIX) };
  }

  /**
   * First use of a version in this process: create and check its directories (the root,
   * the function's, the version's: see disk-safety.ts) and write meta.json. Undefined,
   * after one warning, when a directory is unsafe to use.
   */
  #prepare(state: VersionState, fn: StoreFunction): VersionState | undefined {
    if (state.prepared) return state;
    if (state.unsafe) return undefined;
    this.#rootProblem ??= ensureCacheRoot(this.root, this.#trustDir) ?? null;
    const problem = this.#rootProblem ?? ensureSubdirectory(state.functionDir, this.#trustDir) ?? ensureSubdirectory(state.versionDir, this.#trustDir);
    if (problem !== undefined) {
      state.unsafe = true;
      this.#warnUnsafe(fn, problem);
      return undefined;
    }
    const fs = nodeFs();
    const path = nodePath();
    try {
      const metaFile = path.join(state.functionDir, FUNCTION_META_FILE);
      if (!fs.lstatSync(metaFile, { throwIfNoEntry: false })) writeFileAtomicSync(metaFile, JSON.stringify({ id: fn.id }) + "\n");
    } catch {
      // Only listings need it, and a read-only cache still serves what it holds; entry writes report an unwritable directory.
    }
    state.prepared = true;
    return state;
  }

  /** Whether another code version of `fn` still has an entry for `key` (explain.ts: `code changed`); until this version's first write removes them. */
  hasOtherVersion(fn: StoreFunction, key: string): boolean {
    const state = this.#state(fn);
    const path = nodePath();
    const current = path.basename(state.versionDir);
    try {
      for (const name of nodeFs().readdirSync(state.functionDir)) {
        if (!name.startsWith(VERSION_DIR_PREFIX) || name === current) continue;
        if (SERIALIZATION_TAGS.some((tag) => nodeFs().existsSync(path.join(state.functionDir, name, entryFileStem(key) + tag + ENTRY_SUFFIX)))) return true;
      }
    } catch {
      // No function directory yet: no other version either.
    }
    return false;
  }

  /** First write of a version in this process: remove the function's other versions. */
  #tidy(state: VersionState): void {
    if (state.tidied) return;
    state.tidied = true;
    const fs = nodeFs();
    const path = nodePath();
    const current = path.basename(state.versionDir);
    for (const name of fs.readdirSync(state.functionDir)) {
      // rm never follows a link: a planted one is removed, not its target.
      if (name.startsWith(VERSION_DIR_PREFIX) && name !== current) fs.rmSync(path.join(state.functionDir, name), { recursive: true, force: true });
    }
  }

  #warnUnsafe(fn: StoreFunction, problem: UnsafeDirectory): void {
    if (this.#warnedUnsafe) return;
    this.#warnedUnsafe = true;
    this.#warn(
      `[automemo] not using the disk cache for ${fn.id}: ${problem.describe()}. Whoever can write a cache directory can choose what ` +
        `cached functions return, so automemo refuses it and caches in memory only. If the directory is shared on purpose, ` +
        `opt in with configure({ trustCacheDir: true }) or AUTOMEMO_TRUST_CACHE_DIR=1 (links are refused even then). ` +
        `Further unsafe directories are not reported.`,
    );
  }

  #retryAfterWriteError(fn: StoreFunction, error: unknown, attempt: number): boolean {
    const state = this.#state(fn);
    if (attempt === 0 && isErrnoCode(error, "ENOENT")) {
      // Someone removed the directory (`automemo cache clear`) since we created it.
      state.prepared = false;
      state.tidied = false;
      return true;
    }
    this.#warnOnce(`could not write to the disk cache in ${state.versionDir}: ${describeError(error)}. Results are still returned; they are just not persisted.`);
    return false;
  }

  /** Enforce maxEntries/maxBytes, scanning the directory only when the running estimate crosses a bound. */
  #afterWrite(fn: StoreFunction, state: VersionState, size: number): void {
    if (fn.maxEntries === undefined && fn.maxBytes === undefined) return;
    if (state.estimate === undefined) {
      state.estimate = { entries: 0, bytes: 0 };
      for (const entry of this.#scanEntries(state.versionDir)) {
        state.estimate.entries++;
        state.estimate.bytes += entry.size;
      }
    } else {
      state.estimate.entries++;
      state.estimate.bytes += size;
    }
    const maxEntries = fn.maxEntries ?? Infinity;
    const maxBytes = fn.maxBytes ?? Infinity;
    if (state.estimate.entries <= maxEntries && state.estimate.bytes <= maxBytes) return;
    // Other processes write here too, so recount from the directory before evicting.
    const entries = this.#scanEntries(state.versionDir).sort((a, b) => a.mtimeMs - b.mtimeMs);
    let bytes = entries.reduce((sum, entry) => sum + entry.size, 0);
    let count = entries.length;
    for (const entry of entries) {
      if (count <= maxEntries && bytes <= maxBytes) break;
      nodeFs().rmSync(entry.file, { force: true });
      count--;
      bytes -= entry.size;
    }
    state.estimate = { entries: count, bytes };
  }

  #scanEntries(versionDir: string): EntryFileInfo[] {
    const fs = nodeFs();
    const path = nodePath();
    const out: EntryFileInfo[] = [];
    for (const name of fs.readdirSync(versionDir)) {
      if (!name.endsWith(ENTRY_SUFFIX)) continue;
      const file = path.join(versionDir, name);
      const stats = fs.lstatSync(file, { throwIfNoEntry: false });
      if (stats?.isFile()) out.push({ file, size: stats.size, mtimeMs: stats.mtimeMs });
    }
    return out;
  }

  #readFailed(file: string, error: unknown): undefined {
    if (!isErrnoCode(error, "ENOENT")) publishStoreError({ store: this.name, operation: "read", error });
    if (!isErrnoCode(error, "ENOENT")) this.#warnOnce(`could not read the disk cache entry ${file}: ${describeError(error)}. Treating it as a miss.`);
    return undefined;
  }

  #accept(fn: StoreFunction, key: string, file: string, bytes: Buffer): StoreHit | undefined {
    const entry = decodeEntry(bytes, this.#seal(fn, key));
    if (entry instanceof DefectiveEntry) {
      this.#warnOnce(
        `ignoring the disk cache entry ${file} (${entry.describe()}). ` +
          `The value is recomputed and the file rewritten. Further unreadable entries are not reported.`,
      );
      return undefined;
    }
    if (isExpired(entry, fn.ttlMs, Date.now())) return undefined;
    return { value: entry.value };
  }

  #warnOnce(message: string): void {
    if (this.#warned) return;
    this.#warned = true;
    this.#warn(`[automemo] ${message}`);
  }
}

/** Waiters poll quickly at first (most computations are short), then back off to 100 ms. */
function nextPollDelay(delayMs: number): number {
  return Math.min(delayMs * 1.5, 100);
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
