/**
 * Where a handle's entries are kept and accounted for: filing an entry (replacing
 * the one it supersedes), LRU order and eviction, ttl stamps, weak tracking of
 * entries under WeakMaps, removal with release, and the counters behind `stats()`.
 * The handle's other layers extend it (see cache-handle.ts); only `CacheHandle` is
 * ever instantiated, so all handles still share one hidden class.
 */
import { coarseNow } from "./clock.ts";
import { Entry, SLOT_MAP1, SLOT_MAP2, STATE_READY, STATE_REMOVED, type WeakEntryRecord } from "./entry.ts";
import { NOT_COPIED } from "./recent-key.ts";
import { LruList } from "./lru.ts";
import { QuickValues } from "./quick-values.ts";
import { releaseValue } from "./release.ts";
import { keyText, REASON_EVICTED, type MissLog } from "./explain.ts";
import type { Miss } from "./miss.ts";
import { sharedMemory, sharedRuntime, type Lifecycle } from "./shared.ts";
import { observers, type EvictMessage } from "../observe/channels.ts";
import { IdentityScope, Table } from "./table.ts";

/** Values an async wrapper may return as they are: `return value` in an async function resolves to it (no thenable to adopt). */
function isPrimitive(value: unknown): boolean {
  return value === null || (typeof value !== "object" && typeof value !== "function");
}

type WeakHeld = { readonly book: EntryBook; readonly record: WeakEntryRecord };
// Entries under a WeakMap (per-instance caches, identity keys) leave the counters
// when the garbage collector takes them.
const weakEntryFinalizer = new FinalizationRegistry<WeakHeld>((held) => held.book.forgetCollectedEntry(held.record));

export abstract class EntryBook {
  readonly id: string;
  protected readonly isMemo: boolean;
  protected readonly root = new Table(false);
  /** Identity levels by depth: one fixed depth, or one per arity for by-hand identity singletons without `params`. */
  protected readonly scopes: (IdentityScope | undefined)[] = [];
  protected readonly weakRecords = new Set<WeakEntryRecord>();
  /** The process-wide budget (configure({ maxBytes })), shared with every handle. */
  protected readonly memory = sharedMemory();
  protected readonly lru = new LruList(this.memory);
  protected lifecycle: Lifecycle = {};
  protected validateHook: ((value: unknown) => boolean) | undefined = undefined;

  // Settings (refreshSettings): plain fields read on every lookup.
  protected fastPath = false;
  protected disabled = false;
  protected ttlMs = 0;
  protected maxEntries = Infinity;
  protected maxBytes = Infinity;
  protected bounded = false;
  /** No ttl, no LRU, no validate: a ready hit is a counter and a return. */
  protected plainHits = true;
  /** plainHits on the exact-key fast path (not disabled): what the recent-entry shortcut requires. */
  protected quickHits = false;
  // Counters.
  protected hits = 0;
  protected misses = 0;
  protected evictions = 0;
  protected storeHits = 0;
  protected computeMs = 0;
  protected staleHits = 0;
  protected refreshes = 0;
  protected refreshErrors = 0;
  protected errors = 0;
  protected entryCount = 0;
  protected byteCount = 0;

  /**
   * The newest ready one- / two-component exact entry of the root table whose hit is
   * just "count and return" (no copy, ttl, LRU or validate; not disabled): repeated
   * calls with that primitive key skip the Map and every check. Set only when an entry
   * becomes ready (hits never write), cleared when it leaves or the settings change.
   * NaN never matches here (NaN !== NaN) and simply takes the Map path. Exact keys are
   * never -0 (it is hashed), and the lookups test a zero's sign, since -0 === 0.
   */
  protected recent1: Entry | null = null;
  protected recent2: Entry | null = null;
  /**
   * The hit values of the ready entries that `recent1` could hold (one exact component,
   * root table, count-and-return hits), keyed like `root.map1` (quick-values.ts): a hit
   * over many keys is one lookup that lands on the value itself, without reading the
   * Entry (under cache pressure, that second dependent read costs more than the lookup).
   * Kept in step with map1 by `syncQuickValue`; null whenever `quickHits` is off.
   */
  protected quickValues: QuickValues | null = null;
  /** Whether the emitted wrapper is an async function (the computation is): see `markReady`. */
  protected asyncWrapper = false;
  /**
   * The newest ready entry of the root table keyed by one small plain-data argument,
   * with a private copy of that argument (recent-key.ts): an equal argument skips the
   * hash. Its hit still goes through every check (ttl, LRU, validate, copy).
   */
  protected recentKeyEntry: Entry | null = null;
  protected recentKey: unknown = NOT_COPIED;
  /** Compares with the recent key that failed in a row; past RECENT_KEY_PATIENCE it is dropped (see HandleLookups.find1). */
  protected recentKeyFailures = 0;
  /** Why misses happen (explain.ts): created at the first miss explained, null while explaining is off. */
  protected missLog: MissLog | null = null;
  /** The reason (explain.ts) of the removals under way: eviction, clear, tag; 0 for any other removal. */
  protected removalReason = 0;

  constructor(id: string, isMemo: boolean) {
    this.id = id;
    this.isMemo = isMemo;
  }

  protected markReady(entry: Entry): void {
    entry.state = STATE_READY;
    entry.hitValue = entry.isAsync && !(this.asyncWrapper && isPrimitive(entry.value)) ? entry.promise : entry.value;
    if (this.ttlMs !== 0) entry.expiresAt = coarseNow() + this.ttlMs;
  }

  /** The newest key is the likeliest next one (a loop, a re-render). */
  protected rememberRecent(entry: Entry, keyCopy: unknown): void {
    if (keyCopy !== NOT_COPIED) {
      // Only the recent entry has a copy of its key (`keyCopy` of its miss; copies are only taken in the root table: no identity levels).
      this.recentKeyEntry = entry;
      this.recentKey = keyCopy;
      this.recentKeyFailures = 0;
      return;
    }
    if (!this.quickHits || entry.table !== this.root || entry.snapshot !== null) return;
    if (entry.slot === SLOT_MAP1) {
      this.recent1 = entry;
      if (entry.hitValue !== undefined) (this.quickValues ??= new QuickValues()).set(entry.keyPart0, entry.hitValue);
    } else if (entry.slot === SLOT_MAP2) this.recent2 = entry;
  }

  /** After `key`'s entry in root.map1 left or changed: its quick value follows what map1 now holds. */
  private syncQuickValue(key: unknown): void {
    const quick = this.quickValues!;
    const current = this.root.map1?.get(key);
    if (current !== undefined && current.state === STATE_READY && current.snapshot === null && current.hitValue !== undefined) quick.set(key, current.hitValue);
    else quick.delete(key);
  }

  /** Fills `quickValues` from root.map1 when quick hits (re)start; drops it when they stop. */
  protected resetQuickValues(): void {
    this.quickValues = null;
    if (!this.quickHits) return;
    this.root.map1?.forEach((entry) => {
      if (entry.state === STATE_READY && entry.snapshot === null && entry.hitValue !== undefined) (this.quickValues ??= new QuickValues()).set(entry.keyPart0, entry.hitValue);
    });
  }

  protected forgetRecentKey(): void {
    this.recentKeyEntry = null;
    this.recentKey = NOT_COPIED;
  }

  protected entryFor(miss: Miss): Entry {
    return new Entry(miss.table!, miss.slot, miss.keyPart0, miss.keyPart1, miss.keyPart2, miss.keyPart3);
  }

  /** Files an entry, replacing (and releasing) whatever held its key, then enforces the bounds. */
  protected file(entry: Entry, keyCopy: unknown): void {
    const previous = entry.table.insert(entry);
    if (entry.state === STATE_READY) this.rememberRecent(entry, keyCopy);
    if (previous !== undefined) this.detach(previous, previous.value !== entry.value);
    this.entryCount++;
    if (entry.state === STATE_READY) this.addBytes(entry.bytes);
    if (entry.table.weak) this.trackWeakly(entry);
    if (this.bounded) {
      this.lru.touch(entry);
      this.evictOverflow();
    }
  }

  protected trackWeakly(entry: Entry): void {
    const record: WeakEntryRecord = { ref: new WeakRef(entry), bytes: entry.bytes };
    entry.weakRecord = record;
    this.weakRecords.add(record);
    weakEntryFinalizer.register(entry, { book: this, record }, record);
  }

  /** Called by the finalizer when an entry under a WeakMap was garbage-collected. */
  forgetCollectedEntry(record: WeakEntryRecord): void {
    if (!this.weakRecords.delete(record)) return;
    this.entryCount--;
    this.addBytes(-record.bytes);
  }

  /** This handle's byte count and the process-wide one move together. */
  protected addBytes(bytes: number): void {
    this.byteCount += bytes;
    this.memory.used += bytes;
  }

  protected evictOverflow(): void {
    while (this.entryCount > this.maxEntries || this.byteCount > this.maxBytes) {
      const oldest = this.lru.oldest();
      if (oldest === null) break;
      this.evictions++;
      this.removeBecause(oldest, REASON_EVICTED);
      this.announceEviction("capacity");
    }
    if (this.memory.used > this.memory.limit) evictAcrossFunctions(this.memory);
  }

  oldestUse(): number {
    return this.lru.oldest()?.usedAt ?? Infinity;
  }

  evictOldest(): void {
    const oldest = this.lru.oldest();
    if (oldest === null) return;
    this.evictions++;
    this.removeBecause(oldest, REASON_EVICTED);
    this.announceEviction("budget");
  }

  /** "automemo:evict" (built only while someone subscribes). */
  protected announceEviction(reason: EvictMessage["reason"]): void {
    const channel = observers().evict;
    if (channel.hasSubscribers) channel.publish({ id: this.id, reason } satisfies EvictMessage);
  }

  /** removeEntry (released) of one entry, remembered as removed for `reason` while explaining. */
  private removeBecause(entry: Entry, reason: number): void {
    const previous = this.removalReason;
    this.removalReason = reason;
    try {
      this.removeEntry(entry, true);
    } finally {
      this.removalReason = previous;
    }
  }

  /** Unfiles an entry; ready singletons are released when `release` is set. */
  removeEntry(entry: Entry, release: boolean): Promise<void> | undefined {
    if (entry.state === STATE_REMOVED) return undefined;
    entry.table.remove(entry);
    if (this.missLog !== null && this.removalReason !== 0) this.missLog.forget(entry.table, keyText(entry.slot, entry.keyPart0, entry.keyPart1, entry.keyPart2, entry.keyPart3), this.removalReason);
    return this.detach(entry, release);
  }

  protected detach(entry: Entry, release: boolean): Promise<void> | undefined {
    const wasReady = entry.state === STATE_READY;
    if (this.recent1 === entry) this.recent1 = null;
    if (this.recent2 === entry) this.recent2 = null;
    if (this.quickValues !== null && entry.slot === SLOT_MAP1 && entry.table === this.root) this.syncQuickValue(entry.keyPart0);
    if (this.recentKeyEntry === entry) this.forgetRecentKey();
    entry.state = STATE_REMOVED;
    this.entryCount--;
    if (wasReady) this.addBytes(-entry.bytes);
    this.lru.unlink(entry);
    const record = entry.weakRecord;
    if (record !== null) {
      this.weakRecords.delete(record);
      weakEntryFinalizer.unregister(record);
      entry.weakRecord = null;
    }
    if (!this.isMemo && wasReady && release) return releaseValue(entry.value, this.lifecycle.dispose, this.id);
    return undefined;
  }

  /** Every live entry: strong tables by walking them, weakly held ones through their records. */
  protected liveEntries(): Entry[] {
    const entries: Entry[] = [];
    const collect = (entry: Entry) => void entries.push(entry);
    this.root.forEach(collect);
    for (const scope of this.scopes) scope?.forEachStrongTable((table) => table.forEach(collect));
    for (const record of [...this.weakRecords]) {
      const entry = record.ref.deref();
      if (entry === undefined) this.forgetCollectedEntry(record);
      else entries.push(entry);
    }
    return entries;
  }

  /** Removes (and releases) every live entry `select` picks; resolves when releases finished. */
  protected async removeEntriesWhere(select: (entry: Entry) => boolean): Promise<void> {
    const releases: Promise<void>[] = [];
    for (const entry of this.liveEntries()) {
      if (!select(entry)) continue;
      const released = this.removeEntry(entry, true);
      if (released !== undefined) releases.push(released);
    }
    await Promise.all(releases);
  }

  /** Least recently used last; for tests of the eviction order. */
  lruOrder(): unknown[] {
    return [...this.lru.entries()].map((entry) => entry.value);
  }
}

/**
 * Over the process-wide budget: evict the least recently used entry of all functions
 * (the oldest of each handle's LRU tail, by use stamp) until the total fits. A scan of
 * the handles per eviction: evictions are rare next to hits, and handles are few.
 */
function evictAcrossFunctions(memory: { used: number; limit: number }): void {
  const handles = sharedRuntime().handles;
  while (memory.used > memory.limit) {
    let victim: { evictOldest?(): void } | undefined;
    let oldest = Infinity;
    for (const handle of handles.values()) {
      const used = handle.oldestUse?.() ?? Infinity;
      if (used < oldest) {
        oldest = used;
        victim = handle;
      }
    }
    if (victim?.evictOldest === undefined) return;
    victim.evictOldest();
  }
}
