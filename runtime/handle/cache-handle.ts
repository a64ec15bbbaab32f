/**
 * The cache of one annotated function: lookups for the emitted code, settling of
 * misses, eviction and release. One class for memo and singleton handles (a `kind`
 * flag, not subclasses) so every lookup site and the hit path stay monomorphic.
 *
 * Hit path for the common case (no identity components, not disabled, all-primitive
 * key): one Map lookup per component, a couple of field checks, no allocation.
 */
import { copySnapshot, snapshotResult, type ResultSnapshot } from "../copy/index.ts";
import { ClearKeyError, ComputeCycleError, InvalidOptionError, SettleWithoutMissError } from "../errors.ts";
import { keyDigest } from "../hash/index.ts";
import type { CacheKind, FunctionMeta } from "../meta.ts";
import { validateOptions, type NormalizedOptions } from "../options.ts";
import { coarseNow } from "./clock.ts";
import { Entry, SLOT_DIGEST, SLOT_MAP1, SLOT_MAP2, SLOT_MAP3, SLOT_NONE, STATE_PENDING, STATE_READY } from "./entry.ts";
import { announce } from "../fleet/fleet.ts";
import { carriesAny, computeFor } from "../fleet/tags.ts";
import { KEEP_FOR_ERRORS, SERVE_STALE, staleUse, usableAfterError } from "./freshness.ts";
import { hashComponents, keyLayout, type KeyLayout } from "./key-layout.ts";
import { MISS, Miss } from "./miss.ts";
import { copyKeyValue, NOT_COPIED, sameKeyValue } from "./recent-key.ts";
import { computeChannel, type ComputeChannel } from "./compute-events.ts";
import { computeChain, cycleThrough } from "./compute-chain.ts";
import { deleteStored, entryStoreKey, isAsyncFunction, isPromiseLike, refreshThroughStore, settleWithStore, storeKeyOf } from "./persist.ts";
import { defaultPersist, isDisabled, sharedRuntime, type AnyFunction, type CacheStats, type Lifecycle, type RegisteredHandle } from "./shared.ts";
import { IdentityScope, type Table } from "./table.ts";
import { EntryBook } from "./entry-book.ts";
import { getStore } from "../stores/index.ts";
import type { StoreFunction } from "../stores/store.ts";

const shared = sharedRuntime();

function clearScratch(values: unknown[]): void {
  for (let i = 0; i < values.length; i++) values[i] = undefined;
}

function isPrimitiveKey(value: unknown): boolean {
  const type = typeof value;
  // Symbols take the hashed path: only registered ones are hashable, and the hasher says so.
  // So does -0: a Map key is SameValueZero (-0 would find 0's entry), the hasher is SameValue.
  return value === null || (type !== "object" && type !== "function" && type !== "symbol" && !Object.is(value, -0));
}

const noop = () => {};

function settleInChain(handle: CacheHandle, miss: Miss, compute: () => unknown): unknown {
  return handle.settleNow(miss, compute);
}

/**
 * What one memo entry holds besides its result: the Entry object, its Map slot and the
 * key (measured on Node 20: about 270 bytes per entry keyed by a number, result included),
 * so that `stats().bytes` and the budgets count the memory an entry really takes.
 */
const ENTRY_OVERHEAD_BYTES = 256;

/** Failed compares in a row after which a handle stops trying its recent key (recent-key.ts). */
const RECENT_KEY_PATIENCE = 16;

/**
 * The pending miss of every lookup while `clear(fn, ...args)` captures a key: the
 * emitted code settles it as usual, and settling never runs the computation.
 */
const KEY_CAPTURED = new Miss(null, 0, undefined, undefined, undefined, 0, 0, 0, 0);
/** The pending miss of a disabled handle: settling just runs the computation. */
const PASS_THROUGH = new Miss(null, 0, undefined, undefined, undefined, 0, 0, 0, 0);

/** Code hash, kind, key layout and options: what must match for a re-evaluated module to keep a handle. */
export function handleSignature(kind: CacheKind, meta: FunctionMeta): string {
  return JSON.stringify([meta.hash ?? "", kind, meta.params ?? null, meta.key ?? null, meta.options ?? {}]);
}

export class CacheHandle extends EntryBook implements RegisteredHandle {
  readonly hash: string;
  readonly kind: CacheKind;
  readonly options: NormalizedOptions;
  readonly layout: KeyLayout;
  /** Compared by the registry: same id + signature keeps the handle (and its entries) on re-evaluation. */
  readonly signature: string;
  /** The store under the memory cache: the `persist` option, else the default store (refreshSettings). */
  persist: string | undefined;
  /** `persist` came from the default (configure / AUTOMEMO_DEFAULT_PERSIST), not from the function's options. */
  persistIsDefault = false;

  /** How long past `ttl` an expired entry is answered while it refreshes / instead of a failed recomputation (freshness.ts). */
  private staleWhileRevalidateMs = 0;
  private staleIfErrorMs = 0;

  /** What a persistent store is told about this function (persist only). */
  storeFunction: StoreFunction = { id: "", version: "" };

  // Lookup cursor: where the last `locate` filed the key (fields, so locating allocates nothing).
  private cursorSlot = SLOT_NONE;
  private cursorK1: unknown = undefined;
  private cursorK2: unknown = undefined;
  private cursorK3: unknown = undefined;
  private readonly scratch: unknown[][] = [[], [undefined], [undefined, undefined], [undefined, undefined, undefined]];
  /** The first function bound to this handle: emitted code (or a by-hand wrapper) whose first step is the lookup. */
  private boundFunction: AnyFunction | undefined = undefined;
  /** Set while `clear(fn, ...args)` calls `boundFunction` to capture the key its lookup receives. */
  private capturing = false;
  private capturedKey: unknown[] | null = null;
  /** What the last lookup that answered MISS left for `settle` (see miss.ts). */
  private pendingMiss: Miss | null = null;

  constructor(kind: CacheKind, meta: FunctionMeta) {
    super(meta.id, kind === "memo");
    this.hash = meta.hash ?? "";
    this.kind = kind;
    this.options = validateOptions(meta.options, kind, meta.id);
    this.layout = keyLayout(meta, this.options);
    this.signature = handleSignature(kind, meta);
    // A store name (persist: false is no store; the effective store is set in refreshSettings).
    if (this.options.persist && (this.layout.identityDepth > 0 || this.layout.identityAll)) {
      throw new InvalidOptionError({
        option: "persist",
        where: this.id,
        problem: "an instance method is keyed by the identity of 'this', which cannot be stored across processes",
        fix: "Make it a static method or a plain function that takes the data it needs as arguments.",
      });
    }
    this.refreshSettings();
  }

  // ---- lookups called by the emitted code (arguments in the order of meta.key) ----

  get0(): unknown {
    if (this.fastPath) {
      const entry = this.root.slot;
      if (entry !== undefined) return this.hit(entry);
      this.misses++;
      return this.missed(new Miss(this.root, SLOT_NONE, undefined, undefined, undefined, 0, 0, 0, 0));
    }
    return this.lookup(this.scratch[0], 0);
  }

  get1(a: unknown): unknown {
    // See `recent1`: === on the key, plus the sign of a zero (-0 === 0, and its key is never -0).
    const recent = this.recent1;
    if (recent !== null && recent.k1 === a && (a !== 0 || !Object.is(a, -0))) {
      this.hits++;
      return recent.hitValue;
    }
    return this.find1(a);
  }

  private find1(a: unknown): unknown {
    if (this.fastPath) {
      if (isPrimitiveKey(a)) {
        const map = this.root.map1;
        const entry = map === null ? undefined : map.get(a);
        if (entry !== undefined) return this.hit(entry);
        this.misses++;
        return this.missed(new Miss(this.root, SLOT_MAP1, a, undefined, undefined, 0, 0, 0, 0));
      }
      const recent = this.recentKeyEntry;
      if (recent !== null) {
        if (sameKeyValue(a, this.recentKey)) {
          if (this.recentKeyFailures !== 0) this.recentKeyFailures = 0;
          return this.hit(recent);
        }
        // Calls spread over many keys: stop paying for the compare until the next new key is filed.
        if (++this.recentKeyFailures === RECENT_KEY_PATIENCE) this.forgetRecentKey();
      }
    }
    const values = this.scratch[1];
    values[0] = a;
    return this.lookup(values, 1);
  }

  get2(a: unknown, b: unknown): unknown {
    const recent = this.recent2;
    if (recent !== null && recent.k1 === a && recent.k2 === b && (a !== 0 || !Object.is(a, -0)) && (b !== 0 || !Object.is(b, -0))) {
      this.hits++;
      return recent.hitValue;
    }
    return this.find2(a, b);
  }

  private find2(a: unknown, b: unknown): unknown {
    if (this.fastPath && isPrimitiveKey(a) && isPrimitiveKey(b)) {
      const outer = this.root.map2;
      const inner = outer === null ? undefined : outer.get(a);
      const entry = inner === undefined ? undefined : inner.get(b);
      if (entry !== undefined) return this.hit(entry);
      this.misses++;
      return this.missed(new Miss(this.root, SLOT_MAP2, a, b, undefined, 0, 0, 0, 0));
    }
    const values = this.scratch[2];
    values[0] = a;
    values[1] = b;
    return this.lookup(values, 2);
  }

  get3(a: unknown, b: unknown, c: unknown): unknown {
    const values = this.scratch[3];
    values[0] = a;
    values[1] = b;
    values[2] = c;
    return this.lookup(values, 3);
  }

  getN(values: ArrayLike<unknown>): unknown {
    return this.lookup(values, values.length);
  }

  /** Records `fn -> this handle` so `clear(fn)`, `stats(fn)` and `configure(fn, ...)` find it. Idempotent. */
  bindFunction(fn: AnyFunction): void {
    shared.byFunction.set(fn, this);
    // The first: a by-hand memo() binds its wrapper, then the raw function, which must never be called to capture a key.
    this.boundFunction ??= fn;
  }

  // ---- general lookup ----

  private lookup(values: ArrayLike<unknown>, count: number): unknown {
    const ownScratch = values === this.scratch[count];
    if (this.capturing) {
      this.capturedKey = Array.from(values);
      if (ownScratch) clearScratch(values as unknown[]);
      return this.missed(KEY_CAPTURED);
    }
    if (this.disabled) {
      if (ownScratch) clearScratch(values as unknown[]);
      return this.missed(PASS_THROUGH);
    }
    let table: Table;
    let entry: Entry | undefined;
    let components: unknown[] | null = null;
    let keyCopy: unknown = NOT_COPIED;
    try {
      table = this.locate(values, count, true)!;
      entry = this.find(table);
      // Only hashed-key misses copy their key (for the store, for the recent-key shortcut), so hits allocate nothing.
      if (entry === undefined && this.cursorSlot === SLOT_DIGEST) {
        if (this.persist !== undefined) components = Array.from(values);
        if (count === 1 && this.fastPath) keyCopy = copyKeyValue(values[0]);
      }
    } finally {
      // Scratch arrays must not keep key objects alive (identity keys die with their objects).
      if (ownScratch) clearScratch(values as unknown[]);
    }
    if (entry !== undefined) return this.hit(entry);
    this.misses++;
    const miss = this.missAtCursor(table);
    miss.components = components;
    miss.keyCopy = keyCopy;
    return this.missed(miss);
  }

  /** Leaves `miss` for the `settle` call the emitted code makes next, and answers MISS. */
  private missed(miss: Miss): object {
    this.pendingMiss = miss;
    return MISS;
  }

  private missAtCursor(table: Table): Miss {
    return new Miss(table, this.cursorSlot, this.cursorK1, this.cursorK2, this.cursorK3, keyDigest[0], keyDigest[1], keyDigest[2], keyDigest[3]);
  }

  /** Resolves identity components to a table and sets the cursor to the key inside it. */
  private locate(values: ArrayLike<unknown>, count: number, create: boolean): Table | undefined {
    const depth = this.layout.identityAll ? count : this.layout.identityDepth;
    let table: Table | undefined = this.root;
    if (depth > 0) {
      const scope = (this.scopes[depth] ??= new IdentityScope(depth));
      table = depth === 1 ? scope.resolve1(values[0], create) : scope.resolve(values, create);
      if (table === undefined) return undefined;
    }
    const remaining = count - depth;
    this.cursorK1 = this.cursorK2 = this.cursorK3 = undefined;
    if (remaining === 0) {
      this.cursorSlot = SLOT_NONE;
      return table;
    }
    if (remaining <= 3) {
      let primitive = true;
      for (let i = depth; i < count; i++) primitive &&= isPrimitiveKey(values[i]);
      if (primitive) {
        this.cursorSlot = remaining;
        this.cursorK1 = values[depth];
        if (remaining > 1) this.cursorK2 = values[depth + 1];
        if (remaining > 2) this.cursorK3 = values[depth + 2];
        return table;
      }
    }
    hashComponents(this.layout, this.id, values, depth, count, this.scratch[remaining]);
    this.cursorSlot = SLOT_DIGEST;
    return table;
  }

  private find(table: Table): Entry | undefined {
    switch (this.cursorSlot) {
      case SLOT_NONE:
        return table.slot;
      case SLOT_MAP1:
        return table.map1?.get(this.cursorK1);
      case SLOT_MAP2:
        return table.map2?.get(this.cursorK1)?.get(this.cursorK2);
      case SLOT_MAP3:
        return table.map3?.get(this.cursorK1)?.get(this.cursorK2)?.get(this.cursorK3);
      default:
        return table.findDigest(keyDigest[0] >>> 2, keyDigest[0], keyDigest[1], keyDigest[2], keyDigest[3]);
    }
  }

  // ---- hits ----

  private hit(entry: Entry): unknown {
    if (this.plainHits && entry.state === STATE_READY) {
      this.hits++;
      const snapshot = entry.snapshot;
      return snapshot === null ? entry.hitValue : this.copyOut(entry, snapshot);
    }
    return this.checkedHit(entry);
  }

  private copyOut(entry: Entry, snapshot: ResultSnapshot): unknown {
    const copy = copySnapshot(snapshot);
    return entry.isAsync ? Promise.resolve(copy) : copy;
  }

  /** A hit that needs more than a counter: in flight, ttl, LRU bookkeeping or validate. */
  private checkedHit(entry: Entry): unknown {
    if (entry.state !== STATE_READY) return this.hitPending(entry);
    if (this.ttlMs !== 0 && coarseNow() >= entry.expiresAt) return this.expired(entry);
    if (this.bounded) this.lru.touch(entry);
    if (this.validateHook !== undefined && !this.validateHook(entry.value)) return this.removeAndMiss(entry);
    this.hits++;
    const snapshot = entry.snapshot;
    return snapshot === null ? entry.hitValue : this.copyOut(entry, snapshot);
  }

  /** A concurrent caller of an in-flight computation: memo waiters each get their own copy. */
  private hitPending(entry: Entry): unknown {
    // Awaited from inside its own computation, the entry could never settle (compute-chain.ts).
    const cycle = cycleThrough(this, entry);
    if (cycle !== undefined) return Promise.reject(new ComputeCycleError({ cycle }));
    this.hits++;
    if (this.isMemo) return (entry.promise as Promise<ResultSnapshot>).then(copySnapshot);
    return entry.promise;
  }

  /** Past its ttl: a stale hit (refreshing), a miss that starts the refresh in settle(), a miss that may fall back to it, or a plain miss. */
  private expired(entry: Entry): unknown {
    const use = staleUse(entry, this.staleWhileRevalidateMs, this.staleIfErrorMs);
    if (use === SERVE_STALE && entry.refreshing) {
      this.staleHits++;
      return this.readyValue(entry);
    }
    if (use === SERVE_STALE) {
      // Only settle() has the compute function to refresh with: the entry stays filed meanwhile.
      const miss = this.missOfEntry(entry);
      miss.stale = entry;
      return this.missed(miss);
    }
    return this.removeAndMiss(entry, use === KEEP_FOR_ERRORS);
  }

  private readyValue(entry: Entry): unknown {
    const snapshot = entry.snapshot;
    return snapshot === null ? entry.hitValue : this.copyOut(entry, snapshot);
  }

  private missOfEntry(entry: Entry): Miss {
    return new Miss(entry.table, entry.slot, entry.k1, entry.k2, entry.k3, entry.d0, entry.d1, entry.d2, entry.d3);
  }

  /** The entry's key missed (expired, failed validate): removes it and answers MISS, with a pending miss filing into the same place. */
  private removeAndMiss(entry: Entry, keepForErrors = false): object {
    // The recent key's entry hands its key copy on, so the shortcut survives a ttl expiry.
    const keyCopy = entry === this.recentKeyEntry ? this.recentKey : NOT_COPIED;
    this.removeEntry(entry, true);
    this.misses++;
    const miss = this.missOfEntry(entry);
    miss.keyCopy = keyCopy;
    if (keepForErrors) miss.stale = entry;
    return this.missed(miss);
  }

  // ---- settling a miss ----

  /**
   * Called by the emitted code right after a lookup answered MISS: computes the value
   * for that lookup's key, caches it and returns the original to this caller.
   */
  settle(compute: () => unknown): unknown {
    const miss = this.pendingMiss;
    if (miss === null) {
      throw new SettleWithoutMissError({ functionId: this.id });
    }
    // Taken before computing: the computation may look this handle up again (recursion).
    this.pendingMiss = null;
    if (miss === PASS_THROUGH) return compute();
    if (miss === KEY_CAPTURED) return undefined;
    return this.settleMiss(miss, compute);
  }

  private settleMiss(miss: Miss, compute: () => unknown): unknown {
    const stale = miss.stale;
    if (stale !== null && stale.state === STATE_READY) {
      // Within staleWhileRevalidate (still filed): see refreshInBackground. A sync function
      // cannot refresh without blocking its caller, so it recomputes now, like a miss.
      if (isAsyncFunction(compute)) {
        this.staleHits++;
        this.refreshInBackground(miss, stale, compute);
        return this.readyValue(stale);
      }
      this.removeEntry(stale, true);
      this.misses++;
    }
    // Async computations run inside a link of the compute chain, so awaiting themselves is detected.
    if (isAsyncFunction(compute)) {
      const chain = computeChain();
      if (chain !== null) return chain.run({ handle: this, miss, parent: chain.getStore() }, settleInChain, this, miss, compute);
    }
    return this.settleNow(miss, compute);
  }

  /** One refresh per key in this process (`refreshing`); with a store, one per fleet through its computeOnce. */
  private refreshInBackground(miss: Miss, stale: Entry, compute: () => unknown): void {
    stale.refreshing = true;
    this.refreshes++;
    miss.stale = null;
    const run = () =>
      this.persist !== undefined && this.usesStoreFor(compute) && this.fillStoreComponents(miss)
        ? refreshThroughStore(this, miss, compute)
        : Promise.resolve(this.runCompute(compute, miss));
    // Its own compute-chain link: cacheTag() after an await must tag this refresh, not the caller's computation.
    const chain = computeChain();
    const refreshed = chain === null ? run() : chain.run({ handle: this, miss, parent: undefined }, run);
    refreshed.then(
      (value) => {
        // Cleared meanwhile: the refreshed value is not kept either.
        if (stale.state === STATE_READY) this.storeValue(miss, value, true);
      },
      (error: unknown) => {
        stale.refreshing = false;
        this.refreshErrors++;
        const channel = computeChannel();
        if (channel !== null && channel.hasSubscribers) channel.publish({ id: this.id, phase: "refresh-error", error });
      },
    ).catch((error: unknown) => {
      // storeValue refused the value (not copyable): the stale entry stays, as for a failed refresh.
      stale.refreshing = false;
      this.refreshErrors++;
      void error;
    });
  }

  /**
   * A recomputation failed with `error`: within staleIfError, the expired entry goes back
   * in its place (with its old expiry, so the next call tries again) and is the answer;
   * otherwise the error is thrown on.
   */
  private fallBackToStale(miss: Miss, error: unknown): Entry {
    const stale = miss.stale;
    if (!usableAfterError(stale, this.staleIfErrorMs)) throw error;
    miss.stale = null;
    this.staleHits++;
    const entry = this.entryFor(miss);
    entry.value = stale.value;
    entry.snapshot = stale.snapshot;
    entry.bytes = stale.bytes;
    entry.tags = stale.tags;
    entry.isAsync = stale.isAsync;
    entry.promise = stale.isAsync && stale.snapshot === null ? Promise.resolve(stale.value) : null;
    this.markReady(entry);
    entry.expiresAt = stale.expiresAt;
    this.file(entry);
    return entry;
  }

  /** settleMiss without the chain link (called inside it for async computations). */
  settleNow(miss: Miss, compute: () => unknown): unknown {
    if (miss.stale === null) return this.settleComputed(miss, compute);
    // Within staleIfError: a sync failure answers the stale value (async ones: settleAsync).
    try {
      return this.settleComputed(miss, compute);
    } catch (error) {
      return this.readyValue(this.fallBackToStale(miss, error));
    }
  }

  private settleComputed(miss: Miss, compute: () => unknown): unknown {
    if (this.persist !== undefined && this.usesStoreFor(compute) && this.fillStoreComponents(miss)) return settleWithStore(this, miss, compute);
    const result = this.runCompute(compute, miss);
    if (isPromiseLike(result)) return this.settleAsync(miss, result);
    this.storeValue(miss, result, false);
    return result;
  }

  /**
   * The full key the store needs. Misses of exact (primitive) keys carry it in k1..k3:
   * those of the fast path and of expired entries. A hashed key kept only its digest:
   * when its components were not copied at lookup (a store applied in between), false,
   * and the value stays in memory only.
   */
  private fillStoreComponents(miss: Miss): boolean {
    if (miss.components !== null) return true;
    switch (miss.slot) {
      case SLOT_NONE:
        miss.components = [];
        return true;
      case SLOT_MAP1:
        miss.components = [miss.k1];
        return true;
      case SLOT_MAP2:
        miss.components = [miss.k1, miss.k2];
        return true;
      case SLOT_MAP3:
        miss.components = [miss.k1, miss.k2, miss.k3];
        return true;
      default:
        return false;
    }
  }

  /**
   * A default store that cannot read synchronously (Redis) is used by async functions
   * only: a sync function keeps its results in memory rather than failing. A store the
   * function names itself always applies (and explains the problem if it cannot).
   */
  private usesStoreFor(compute: () => unknown): boolean {
    return !this.persistIsDefault || isAsyncFunction(compute) || getStore(this.persist!).readSync !== undefined;
  }

  /** Runs one computation, timing it (async: until it settles) and announcing it on the compute channel. */
  runCompute(compute: () => unknown, miss: Miss): unknown {
    const channel = computeChannel();
    // Build no message when nobody listens.
    const announced = channel !== null && channel.hasSubscribers;
    if (announced) channel.publish({ id: this.id, phase: "start" });
    const started = performance.now();
    let result: unknown;
    try {
      result = computeFor(miss, compute);
    } catch (error) {
      this.computeFinished(started, announced ? channel : null);
      throw error;
    }
    if (!isPromiseLike(result)) {
      this.computeFinished(started, announced ? channel : null);
      return result;
    }
    return Promise.resolve(result).then(
      (value) => {
        this.computeFinished(started, announced ? channel : null);
        return value;
      },
      (error: unknown) => {
        this.computeFinished(started, announced ? channel : null);
        throw error;
      },
    );
  }

  private computeFinished(started: number, channel: ComputeChannel | null): void {
    const durationMs = performance.now() - started;
    this.computeMs += durationMs;
    channel?.publish({ id: this.id, phase: "end", durationMs });
  }

  /** A memory miss answered by the persistent store. */
  countStoreHit(): void {
    this.storeHits++;
  }

  /** Caches a value computed (or read from a store) for the key of `miss`; `snapshot`: of `value`, when the caller already took it. */
  storeValue(miss: Miss, value: unknown, isAsync: boolean, snapshot?: ResultSnapshot): void {
    const entry = this.entryFor(miss);
    entry.tags = miss.tags;
    if (this.isMemo) this.fillMemo(entry, snapshot ?? snapshotResult(value, this.id));
    else entry.value = value;
    entry.isAsync = isAsync;
    if (isAsync) entry.promise = entry.snapshot === null ? Promise.resolve(entry.value) : null;
    this.markReady(entry);
    this.file(entry);
  }

  /**
   * One shared in-flight entry per key: concurrent callers wait on it; the resolved
   * value replaces it; a rejection removes it and reaches every waiter.
   */
  settleAsync(miss: Miss, result: PromiseLike<unknown>): Promise<unknown> {
    const entry = this.entryFor(miss);
    entry.isAsync = true;
    this.file(entry);
    if (this.isMemo) {
      let original: unknown;
      const snapshotPromise = Promise.resolve(result).then(
        (value) => {
          original = value;
          entry.tags = miss.tags;
          try {
            const snapshot = snapshotResult(value, this.id);
            this.resolveMemo(entry, snapshot);
            return snapshot;
          } catch (error) {
            this.removeEntry(entry, false);
            throw error;
          }
        },
        (error) => {
          this.removeEntry(entry, false);
          const stale = this.fallBackToStale(miss, error);
          const snapshot = stale.snapshot ?? snapshotResult(stale.value, this.id);
          original = copySnapshot(snapshot);
          return snapshot;
        },
      );
      snapshotPromise.catch(noop);
      entry.promise = snapshotPromise;
      return snapshotPromise.then(() => original);
    }
    const valuePromise = Promise.resolve(result).then(
      (value) => {
        if (entry.state === STATE_PENDING) {
          entry.tags = miss.tags;
          entry.value = value;
          this.markReady(entry);
          this.rememberRecent(entry);
        }
        return value;
      },
      (error) => {
        this.removeEntry(entry, false);
        return this.fallBackToStale(miss, error).value;
      },
    );
    valuePromise.catch(noop);
    entry.promise = valuePromise;
    return valuePromise;
  }

  private resolveMemo(entry: Entry, snapshot: ResultSnapshot): void {
    if (entry.state !== STATE_PENDING) return; // cleared or evicted meanwhile: the result is not kept
    this.fillMemo(entry, snapshot);
    entry.promise = entry.snapshot === null ? Promise.resolve(entry.value) : null;
    this.addBytes(entry.bytes);
    if (entry.weakRecord !== null) entry.weakRecord.bytes = entry.bytes;
    this.markReady(entry);
    this.rememberRecent(entry);
    if (this.bounded) this.evictOverflow();
  }

  private fillMemo(entry: Entry, snapshot: ResultSnapshot): void {
    const value = snapshot.value;
    entry.bytes = snapshot.bytes + ENTRY_OVERHEAD_BYTES;
    entry.value = value;
    // Primitives are immutable: hand them out without a copy.
    entry.snapshot = (typeof value === "object" && value !== null) || typeof value === "function" ? snapshot : null;
  }

  // ---- control API (protocol shared by runtime copies) ----

  async clear(includeStore = true, announceIt = includeStore): Promise<void> {
    const releases: Promise<void>[] = [];
    if (includeStore && this.persist !== undefined) releases.push(deleteStored(this));
    for (const entry of this.liveEntries()) {
      const released = this.removeEntry(entry, true);
      if (released !== undefined) releases.push(released);
    }
    // The tables stay: a miss being settled right now still files into them, and counts right.
    await Promise.all(releases);
    // After the store: another process that drops its copy must not read the old one back.
    if (announceIt) await announce({ kind: "clear", id: this.id }, [this.persist]);
  }

  async clearCall(args: ArrayLike<unknown>): Promise<void> {
    const components = this.boundFunction !== undefined && !this.layout.names?.includes("this") ? this.keyOfCall(args) : this.layout.componentsFromCall(args, this.id);
    const table = this.locate(components, components.length, false);
    const entry = table === undefined ? undefined : this.find(table);
    const stored = this.persist !== undefined ? deleteStored(this, components) : undefined;
    if (entry !== undefined) await this.removeEntry(entry, true);
    await stored;
    // Identity keys mean nothing in another process.
    if (this.layout.identityDepth === 0 && !this.layout.identityAll) await announce({ kind: "clear", id: this.id, key: storeKeyOf(this, components) }, [this.persist]);
  }

  async forgetStoreKey(key: string): Promise<void> {
    await this.removeEntriesWhere((entry) => entry.table === this.root && entryStoreKey(this, entry) === key);
  }

  async dropTagged(tags: ReadonlySet<string>): Promise<void> {
    if (carriesAny(this.options.tags, tags)) await this.clear(false, false);
    else await this.removeEntriesWhere((entry) => carriesAny(entry.tags, tags));
  }

  /**
   * The key one call with `args` would look up, built by the function itself: it is
   * called with every lookup answering KEY_CAPTURED, so its parameter list applies
   * destructuring, defaults and rest exactly as in a real call (metadata lists bound
   * names, not call positions), and its body never runs.
   */
  private keyOfCall(args: ArrayLike<unknown>): unknown[] {
    const fastPath = this.fastPath;
    // Route every lookup, the shortcuts included, through lookup().
    this.fastPath = false;
    this.recent1 = this.recent2 = null;
    this.capturing = true;
    this.capturedKey = null;
    let failure: unknown;
    try {
      const returned: unknown = Reflect.apply(this.boundFunction!, undefined, Array.from(args));
      if (isPromiseLike(returned)) Promise.resolve(returned).catch(noop);
    } catch (error) {
      failure = error;
    } finally {
      this.capturing = false;
      this.fastPath = fastPath;
    }
    const key = this.capturedKey;
    this.capturedKey = null;
    if (key === null) {
      const why = failure instanceof Error ? `: ${failure.message}` : "";
      throw new ClearKeyError({ functionId: this.id, reason: `its parameters could not be bound to these arguments${why}` });
    }
    return key;
  }

  stats(): CacheStats {
    // No WeakRef.deref() here: a deref keeps its target alive until the end of the
    // current job, so polling stats would keep collected entries from ever dying.
    return {
      hits: this.hits,
      misses: this.misses,
      entries: this.entryCount,
      bytes: this.byteCount,
      evictions: this.evictions,
      storeHits: this.storeHits,
      computeMs: this.computeMs,
      store: this.persist,
      staleHits: this.staleHits,
      refreshes: this.refreshes,
      refreshErrors: this.refreshErrors,
    };
  }

  setLifecycle(lifecycle: Lifecycle): void {
    this.lifecycle = { ...this.lifecycle, ...lifecycle };
    this.validateHook = this.lifecycle.validate;
    this.updateQuickHits();
  }

  refreshSettings(): void {
    const defaults = shared.settings.defaults;
    this.disabled = isDisabled(shared.settings);
    this.ttlMs = this.options.ttlMs ?? defaults.ttlMs ?? 0;
    this.staleWhileRevalidateMs = this.options.staleWhileRevalidateMs ?? 0;
    this.staleIfErrorMs = Math.max(this.options.staleIfErrorMs ?? 0, this.staleWhileRevalidateMs);
    this.maxEntries = this.options.maxEntries ?? defaults.maxEntries ?? Infinity;
    this.maxBytes = this.isMemo ? (this.options.maxBytes ?? Infinity) : Infinity;
    // Under a process-wide budget every memo handle keeps LRU order, so the oldest entry of all can be found.
    const bounded = this.maxEntries !== Infinity || this.maxBytes !== Infinity || (this.isMemo && this.memory.limit !== Infinity);
    if (bounded !== this.bounded) {
      this.bounded = bounded;
      this.lru.clear();
      for (const entry of this.liveEntries()) {
        entry.linked = false;
        entry.newer = entry.older = null;
        if (bounded) this.lru.touch(entry);
      }
    }
    if (bounded) this.evictOverflow();
    this.storeFunction = {
      id: this.id,
      version: this.hash,
      ttlMs: this.ttlMs === 0 ? undefined : this.ttlMs,
      maxEntries: this.maxEntries === Infinity ? undefined : this.maxEntries,
      maxBytes: this.maxBytes === Infinity ? undefined : this.maxBytes,
    };
    // The store named by the tag; else, for a memo that a store can key (not `persist: false`,
    // not keyed by identity), the default store (`automemo run`, `configure`); singletons never persist.
    const takesDefault = this.options.persist === undefined && this.isMemo && this.layout.identityDepth === 0 && !this.layout.identityAll;
    this.persist = takesDefault ? defaultPersist(shared.settings) : this.options.persist || undefined;
    this.persistIsDefault = takesDefault && this.persist !== undefined;
    this.fastPath = !this.disabled && this.layout.identityDepth === 0 && !this.layout.identityAll;
    this.updateQuickHits();
  }

  private updateQuickHits(): void {
    this.plainHits = this.ttlMs === 0 && !this.bounded && this.validateHook === undefined;
    this.quickHits = this.plainHits && this.fastPath;
    if (!this.quickHits) this.recent1 = this.recent2 = null;
  }

  storeKeyNames(count: number): readonly string[] {
    return this.layout.hashNames(0, count);
  }

}

