/**
 * `persist`: a store under the in-memory cache of a memo function. On a memory
 * miss the store is read; on a store miss the function runs and its result is
 * written. Stores with `readSync` serve sync and async functions alike; stores that
 * only read asynchronously (Redis) need the function to return a promise, and
 * `computeOnce` (when the store has it) keeps one computation per key across
 * processes for async functions (known as such when `compute` is an async function:
 * the transform emits `async () => BODY` for them, and by-hand wrappers do the same).
 *
 * What is written is `{ async, value }`, so a value read back in a fresh process is
 * returned the way the function returns it (a promise for async functions).
 */
import { SyncStoreUnsupportedError, UnknownStoreError } from "../errors.ts";
import { digestHex, hashKeyComponents } from "../hash/index.ts";
import { getStore } from "../stores/index.ts";
import type { CacheStore, StoreFunction } from "../stores/store.ts";
import type { Miss } from "./miss.ts";

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value instanceof Promise || (typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function");
}

/** What the persistence path needs from a handle. */
export interface PersistingHandle {
  readonly id: string;
  readonly hash: string;
  readonly persist: string | undefined;
  readonly storeFunction: StoreFunction;
  storeKeyNames(count: number): readonly string[];
  storeValue(miss: Miss, value: unknown, isAsync: boolean): void;
  settleAsync(miss: Miss, result: PromiseLike<unknown>): Promise<unknown>;
  /** Calls `compute`, timing it and announcing it (see CacheHandle#runCompute). */
  runCompute(compute: () => unknown): unknown;
  countStoreHit(): void;
}

interface PersistedRecord {
  readonly async: boolean;
  readonly value: unknown;
}

function isPersistedRecord(value: unknown): value is PersistedRecord {
  return typeof value === "object" && value !== null && typeof (value as PersistedRecord).async === "boolean" && "value" in value;
}

function warnWriteFailed(handle: PersistingHandle, error: unknown): void {
  const reason = error instanceof Error ? error.message : String(error);
  console.warn(`[automemo] Writing a result of ${handle.id} to the "${handle.persist}" store failed: ${reason}. The result stays cached in memory.`);
}

function storeKeyOf(handle: PersistingHandle, components: unknown[]): string {
  hashKeyComponents(components, handle.storeKeyNames(components.length), handle.id);
  return digestHex();
}

function writeRecord(handle: PersistingHandle, store: CacheStore, key: string, record: PersistedRecord): void {
  try {
    if (store.writeSync !== undefined) store.writeSync(handle.storeFunction, key, record);
    else store.write(handle.storeFunction, key, record).catch((error) => warnWriteFailed(handle, error));
  } catch (error) {
    warnWriteFailed(handle, error);
  }
}

/** `clear(fn)` / `clear(fn, ...args)` of a persisted function also forgets the stored entries (every version). */
export async function deleteStored(handle: PersistingHandle, components?: unknown[]): Promise<void> {
  let store: CacheStore;
  try {
    store = getStore(handle.persist!);
  } catch (error) {
    if (error instanceof UnknownStoreError) return; // nothing can have been written to it
    throw error;
  }
  await store.delete(handle.storeFunction, components === undefined ? undefined : storeKeyOf(handle, components));
}

const AsyncFunction = (async () => {}).constructor;

/** `async` functions (the emitted compute of an async function is an async arrow) can take the fully async path. */
export function isAsyncFunction(fn: unknown): boolean {
  return fn instanceof AsyncFunction;
}

export function settleWithStore(handle: PersistingHandle, miss: Miss, compute: () => unknown): unknown {
  const store = getStore(handle.persist!);
  const key = storeKeyOf(handle, miss.components ?? []);
  // Known-async computations read asynchronously and get the store's cross-process
  // single flight; others need a synchronous read, since they may return a plain value.
  if (store.readSync !== undefined && !(isAsyncFunction(compute) && store.computeOnce !== undefined)) {
    if (store.computeOnceSync !== undefined) {
      const settled = settleOnceAcrossProcesses(handle, store, miss, key, compute);
      if (settled !== FOREIGN_RECORD) return settled;
    }
    const hit = store.readSync(handle.storeFunction, key);
    if (hit !== undefined && isPersistedRecord(hit.value)) {
      const { async, value } = hit.value;
      handle.countStoreHit();
      handle.storeValue(miss, value, async);
      return async ? Promise.resolve(value) : value;
    }
    const result = handle.runCompute(compute);
    if (isPromiseLike(result)) {
      return handle.settleAsync(
        miss,
        Promise.resolve(result).then((value) => {
          writeRecord(handle, store, key, { async: true, value });
          return value;
        }),
      );
    }
    handle.storeValue(miss, result, false);
    writeRecord(handle, store, key, { async: false, value: result });
    return result;
  }
  return handle.settleAsync(miss, readThenCompute(handle, store, key, compute));
}

/** Thrown out of the store's lock when a sync-looking function returned a promise. */
const PROMISE_RESULT = Symbol("automemo.promiseResult");
/** The store answered with something that is not an automemo record: take the plain read/compute path. */
const FOREIGN_RECORD = Symbol("automemo.foreignRecord");

/**
 * Sync computations with a store that has a synchronous single flight (disk): one
 * process computes while the others wait and read the stored record.
 */
function settleOnceAcrossProcesses(handle: PersistingHandle, store: CacheStore, miss: Miss, key: string, compute: () => unknown): unknown {
  let computed: { readonly result: unknown } | undefined;
  let record: unknown;
  try {
    record = store.computeOnceSync!(handle.storeFunction, key, () => {
      const result = handle.runCompute(compute);
      computed = { result };
      // A promise cannot be stored synchronously: release the lock and settle it below.
      if (isPromiseLike(result)) throw PROMISE_RESULT;
      return { async: false, value: result } satisfies PersistedRecord;
    });
  } catch (error) {
    if (error !== PROMISE_RESULT) throw error;
    const pending = Promise.resolve(computed!.result as PromiseLike<unknown>);
    return handle.settleAsync(
      miss,
      pending.then((value) => {
        writeRecord(handle, store, key, { async: true, value });
        return value;
      }),
    );
  }
  if (computed !== undefined) {
    handle.storeValue(miss, computed.result, false);
    return computed.result;
  }
  if (!isPersistedRecord(record)) return FOREIGN_RECORD;
  handle.countStoreHit();
  handle.storeValue(miss, record.value, record.async);
  return record.async ? Promise.resolve(record.value) : record.value;
}

/** Async-only stores: read, else compute (once across processes when the store can) and write. */
async function readThenCompute(handle: PersistingHandle, store: CacheStore, key: string, compute: () => unknown): Promise<unknown> {
  const hit = await store.read(handle.storeFunction, key);
  if (hit !== undefined && isPersistedRecord(hit.value)) {
    handle.countStoreHit();
    return hit.value.value;
  }
  let computedHere = false;
  const computeAsync = async () => {
    computedHere = true;
    const result = handle.runCompute(compute);
    if (!isPromiseLike(result)) throw new SyncStoreUnsupportedError({ functionId: handle.id, store: handle.persist! });
    const value = await result;
    return { async: true, value } satisfies PersistedRecord;
  };
  if (store.computeOnce !== undefined) {
    const record = await store.computeOnce(handle.storeFunction, key, computeAsync);
    // Another process computed it meanwhile: this one read it from the store.
    if (!computedHere) handle.countStoreHit();
    return record.value;
  }
  const record = await computeAsync();
  await store.write(handle.storeFunction, key, record).catch((error) => warnWriteFailed(handle, error));
  return record.value;
}
