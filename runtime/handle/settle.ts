/**
 * Settling a miss: after a lookup answered MISS, the emitted code calls
 * `handle.settle(compute)`, which runs the computation for the key that lookup left
 * (see miss.ts), caches the result and returns the original to the caller. Async
 * results are shared while in flight (one entry per key that every concurrent caller
 * waits on); memo results are kept as snapshots (copied on every hit).
 */
import { snapshotResult, type ResultSnapshot } from "../copy/index.ts";
import { SettleWithoutMissError } from "../errors.ts";
import { getStore } from "../stores/index.ts";
import { computeChain } from "./compute-chain.ts";
import { computeChannel, type ComputeChannel } from "./compute-events.ts";
import { SLOT_MAP1, SLOT_MAP2, SLOT_MAP3, SLOT_NONE, STATE_PENDING, type Entry } from "./entry.ts";
import { HandleSettings } from "./handle-settings.ts";
import { KEY_CAPTURED, PASS_THROUGH, type Miss } from "./miss.ts";
import { NOT_COPIED } from "./recent-key.ts";
import { isAsyncFunction, isPromiseLike, settleWithStore } from "./persist.ts";

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
    if (this.persist !== undefined && this.usesStoreFor(compute) && this.fillStoreComponents(miss)) return settleWithStore(this, miss, compute);
    const result = this.runCompute(compute);
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

  /** Runs one computation, timing it (async: until it settles) and announcing it on the compute channel. */
  runCompute(compute: () => unknown): unknown {
    const channel = computeChannel();
    // Build no message when nobody listens.
    const announced = channel !== null && channel.hasSubscribers;
    if (announced) channel.publish({ id: this.id, phase: "start" });
    const started = performance.now();
    let result: unknown;
    try {
      result = compute();
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
          throw error;
        },
      );
      snapshotPromise.catch(noop);
      entry.promise = snapshotPromise;
      return snapshotPromise.then(() => original);
    }
    const valuePromise = Promise.resolve(result).then(
      (value) => {
        if (entry.state === STATE_PENDING) {
          entry.value = value;
          this.markReady(entry);
          this.rememberRecent(entry, miss.keyCopy);
        }
        return value;
      },
      (error) => {
        this.removeEntry(entry, false);
        throw error;
      },
    );
    valuePromise.catch(noop);
    entry.promise = valuePromise;
    return valuePromise;
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
