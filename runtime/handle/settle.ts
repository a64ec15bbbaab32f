/**
 * Settling a miss: after a lookup answered MISS, the emitted code calls
 * `handle.settle(compute)`, which runs the computation for the key that lookup left
 * (see miss.ts), caches the result and returns the original to the caller. Async
 * results are shared while in flight (one entry per key that every concurrent caller
 * waits on); memo results are kept as snapshots (copied on every hit).
 */
import { copySnapshot, snapshotResult, type ResultSnapshot } from "../copy/index.ts";
import { computeFor } from "../fleet/tags.ts";
import { SettleWithoutMissError } from "../errors.ts";
import { getStore } from "../stores/index.ts";
import { computeChain } from "./compute-chain.ts";
import { computeChannel } from "./compute-events.ts";
import { digestHex, hashKeyComponents } from "../hash/index.ts";
import { ComputeTimes, type ComputeTimesSnapshot } from "../observe/compute-times.ts";
import { runComputation } from "../observe/compute-run.ts";
import { SLOT_DIGEST, SLOT_MAP1, SLOT_MAP2, SLOT_MAP3, SLOT_NONE, STATE_PENDING, STATE_READY, type Entry } from "./entry.ts";
import { usableAfterError } from "./freshness.ts";
import { HandleSettings } from "./handle-settings.ts";
import { KEY_CAPTURED, Miss, PASS_THROUGH } from "./miss.ts";
import { NOT_COPIED } from "./recent-key.ts";
import { EXPLAIN_OFF, explaining } from "./explain.ts";
import { isAsyncFunction, isPromiseLike, refreshThroughStore, settleWithStore } from "./persist.ts";

const noop = () => {};

function settleInChain(handle: MissSettler, miss: Miss, compute: () => unknown): unknown {
  return handle.settleNow(miss, compute);
}

/**
 * What one memo entry holds besides its result: the Entry object, its Map slot and the
 * key (measured on Node 20: about 270 bytes per entry keyed by a number, result included),
 * so that `stats().bytes` and the budgets count the memory an entry really takes.
 */
const ENTRY_OVERHEAD_BYTES = 256;

export abstract class MissSettler extends HandleSettings {
  /** What the last lookup that answered MISS left for `settle` (see miss.ts). */
  protected pendingMiss: Miss | null = null;
  /** How long computed misses took (metricsText's histogram). */
  private readonly computeTimesRecorded = new ComputeTimes();
  /** Why it missed (lookups.ts, explain.ts): called only while explaining is on. */
  protected abstract explainMiss(miss: Miss): void;
  protected abstract recordMiss(miss: Miss): void;

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
    if (explaining.mode !== EXPLAIN_OFF) this.explainMiss(miss);
    // Async computations run inside a link of the compute chain, so awaiting themselves is detected.
    if (isAsyncFunction(compute)) {
      // The emitted code passes an async computation only from an async function (by-hand wrappers re-wrap their hits).
      this.asyncWrapper = true;
      const chain = computeChain();
      if (chain !== null) return chain.run({ handle: this, miss, parent: chain.getStore() }, settleInChain, this, miss, compute);
    }
    return this.settleNow(miss, compute);
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
   * The full key the store needs. Misses of exact (primitive) keys carry it in
   * keyPart0..keyPart2: those of the fast path and of expired entries. A hashed key kept
   * only its digest: when its components were not copied at lookup (a store applied in
   * between), false, and the value stays in memory only.
   */
  private fillStoreComponents(miss: Miss): boolean {
    if (miss.components !== null) return true;
    switch (miss.slot) {
      case SLOT_NONE:
        miss.components = [];
        return true;
      case SLOT_MAP1:
        miss.components = [miss.keyPart0];
        return true;
      case SLOT_MAP2:
        miss.components = [miss.keyPart0, miss.keyPart1];
        return true;
      case SLOT_MAP3:
        miss.components = [miss.keyPart0, miss.keyPart1, miss.keyPart2];
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

  /**
   * Runs one computation of `miss` (tags attach to it: fleet/tags.ts), timing it (async:
   * until it settles) and announcing it on the compute channels (runtime/observe);
   * `storeKey` names the key in tracing contexts when the caller has one.
   */
  runCompute(compute: () => unknown, miss: Miss, storeKey?: string): unknown {
    if (this.missLog !== null && miss.reason !== 0) this.recordMiss(miss);
    return runComputation(this, () => computeFor(miss, compute), () => storeKey ?? this.keyDigestOf(miss), isPromiseLike);
  }

  computeSettled(durationMs: number, failed: boolean): void {
    this.computeMs += durationMs;
    this.computeTimesRecorded.record(durationMs);
    if (failed) this.errors++;
  }

  computeTimes(): ComputeTimesSnapshot {
    return this.computeTimesRecorded.snapshot();
  }

  /** For tracing contexts only: the hex digest of a miss's key (exact keys are hashed here, as for a store). */
  private keyDigestOf(miss: Miss | undefined): string {
    if (miss === undefined) return "";
    if (miss.slot === SLOT_DIGEST) {
      return ([miss.keyPart0, miss.keyPart1, miss.keyPart2, miss.keyPart3] as number[]).map((word) => (word >>> 0).toString(16).padStart(8, "0")).join("");
    }
    const components = [miss.keyPart0, miss.keyPart1, miss.keyPart2].slice(0, miss.slot === SLOT_NONE ? 0 : miss.slot);
    hashKeyComponents(components, this.storeKeyNames(components.length), this.id);
    return digestHex();
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
    this.file(entry, miss.keyCopy);
  }

  /**
   * One shared in-flight entry per key: concurrent callers wait on it; the resolved
   * value replaces it; a rejection removes it and reaches every waiter.
   */
  settleAsync(miss: Miss, result: PromiseLike<unknown>): Promise<unknown> {
    const entry = this.entryFor(miss);
    entry.isAsync = true;
    // Pending: the key copy waits in `miss` until the entry is ready.
    this.file(entry, NOT_COPIED);
    if (this.isMemo) {
      let original: unknown;
      const snapshotPromise = Promise.resolve(result).then(
        (value) => {
          original = value;
          entry.tags = miss.tags;
          try {
            const snapshot = snapshotResult(value, this.id);
            this.resolveMemo(entry, snapshot, miss.keyCopy);
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
          this.rememberRecent(entry, miss.keyCopy);
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

  // ---- past ttl (freshness.ts) ----

  protected copyOut(entry: Entry, snapshot: ResultSnapshot): unknown {
    const copy = copySnapshot(snapshot);
    return entry.isAsync ? Promise.resolve(copy) : copy;
  }

  /** What a hit on the ready `entry` answers: its value, or a copy of it. */
  protected readyValue(entry: Entry): unknown {
    const snapshot = entry.snapshot;
    return snapshot === null ? entry.hitValue : this.copyOut(entry, snapshot);
  }

  protected missOfEntry(entry: Entry): Miss {
    return new Miss(entry.table, entry.slot, entry.keyPart0, entry.keyPart1, entry.keyPart2, entry.keyPart3);
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
    const failed = (error: unknown) => {
      stale.refreshing = false;
      this.refreshErrors++;
      const channel = computeChannel();
      if (channel !== null && channel.hasSubscribers) channel.publish({ id: this.id, phase: "refresh-error", error });
    };
    refreshed
      .then((value) => {
        // Cleared meanwhile: the refreshed value is not kept either. storeValue may refuse it (not copyable): failed.
        if (stale.state === STATE_READY) this.storeValue(miss, value, true);
      })
      .catch(failed);
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
    this.file(entry, NOT_COPIED);
    return entry;
  }

  private resolveMemo(entry: Entry, snapshot: ResultSnapshot, keyCopy: unknown): void {
    if (entry.state !== STATE_PENDING) return; // cleared or evicted meanwhile: the result is not kept
    this.fillMemo(entry, snapshot);
    entry.promise = entry.snapshot === null ? Promise.resolve(entry.value) : null;
    this.addBytes(entry.bytes);
    if (entry.weakRecord !== null) entry.weakRecord.bytes = entry.bytes;
    this.markReady(entry);
    this.rememberRecent(entry, keyCopy);
    if (this.bounded) this.evictOverflow();
  }

  private fillMemo(entry: Entry, snapshot: ResultSnapshot): void {
    const value = snapshot.value;
    entry.bytes = snapshot.bytes + ENTRY_OVERHEAD_BYTES;
    entry.value = value;
    // Primitives are immutable: hand them out without a copy.
    entry.snapshot = (typeof value === "object" && value !== null) || typeof value === "function" ? snapshot : null;
  }
}
