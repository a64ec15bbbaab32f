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
 *
 * What a store returns is not trusted (anyone who can write the cache directory or the
 * Redis database chose it): a record of the wrong shape, one whose `async` does not fit
 * the function, or a value the result copier refuses (not plain data) is a miss, with
 * one warning per store. A function that is not an `async` function only gets a stored
 * promise once it has returned a promise itself in this process, so a function that
 * returns plain values never gets a Promise from the store.
 */
import { snapshotResult, type ResultSnapshot } from "../copy/index.ts";
import { SyncStoreUnsupportedError, UnknownStoreError } from "../errors.ts";
import { digestHex, hashKeyComponents } from "../hash/index.ts";
import { prototypeOf } from "../hash/kinds.ts";
import { getStore } from "../stores/index.ts";
import { publishStoreError, storeReadFailures } from "../observe/channels.ts";
import { EXPLAIN_OFF, explaining, REASON_CODE_CHANGED, REASON_FIRST_CALL, REASON_NONE, REASON_STORE_MISS, REASON_STORE_UNAVAILABLE } from "./explain.ts";
import type { CacheStore, StoreFunction } from "../stores/store.ts";
import { joinBus } from "../fleet/fleet.ts";
import { entryTags } from "../fleet/tags.ts";
import { SLOT_DIGEST, type Entry } from "./entry.ts";
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
  readonly options: { readonly tags?: readonly string[] };
  storeKeyNames(count: number): readonly string[];
  storeValue(miss: Miss, value: unknown, isAsync: boolean, snapshot?: ResultSnapshot): void;
  settleAsync(miss: Miss, result: PromiseLike<unknown>): Promise<unknown>;
  /** Calls `compute` as the computation of `miss`, timing it and announcing it (see MissSettler#runCompute in settle.ts); `storeKey` names the key in tracing contexts. */
  runCompute(compute: () => unknown, miss: Miss, storeKey?: string): unknown;
  countStoreHit(): void;
}

interface PersistedRecord {
  readonly async: boolean;
  readonly value: unknown;
  /** Static and cacheTag() tags, so a process reading the entry can drop it on invalidateTag. Only when there are some. */
  readonly tags?: readonly string[];
}

function isTagList(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((tag) => typeof tag === "string");
}

/** Exactly `{ async: boolean, value }` or `{ async, value, tags: string[] }`, a plain object with these own properties and nothing else. */
function isPersistedRecord(value: unknown): value is PersistedRecord {
  if (typeof value !== "object" || value === null || prototypeOf(value) !== Object.prototype) return false;
  const keys = Reflect.ownKeys(value);
  const tagged = keys.length === 3 && isTagList((value as PersistedRecord).tags);
  return (keys.length === 2 || tagged) && Object.hasOwn(value, "value") && typeof (value as PersistedRecord).async === "boolean";
}

/** The record written for a computed value: with its tags (static and cacheTag()), when it has any. */
function recordOf(handle: PersistingHandle, miss: Miss, async: boolean, value: unknown): PersistedRecord {
  const tags = entryTags(handle.options.tags, miss.tags);
  return tags === null ? { async, value } : { async, value, tags };
}

/** Tags found in a stored record become the tags of the memory entry made from it. */
function adoptTags(miss: Miss, record: PersistedRecord): void {
  if (record.tags !== undefined) miss.tags = [...record.tags];
}

/** Records the tags in the store's index before the entry is written (a dangling index line is harmless, a missing one is not). */
async function indexTags(store: CacheStore, fn: StoreFunction, key: string, record: PersistedRecord): Promise<void> {
  if (record.tags !== undefined) await store.tagEntry?.(fn, key, record.tags);
}

function indexTagsSync(store: CacheStore, fn: StoreFunction, key: string, record: PersistedRecord): void {
  if (record.tags !== undefined) store.tagEntrySync?.(fn, key, record.tags);
}

/** Stores whose unusable values were reported: one warning per store per process. */
const warnedStores = new Set<string>();
/** Functions seen returning a promise without being `async` functions: their stored async records are believed. */
const returnsPromises = new WeakSet<PersistingHandle>();

function warnRefused(handle: PersistingHandle, reason: string): void {
  const store = handle.persist ?? "";
  if (warnedStores.has(store)) return;
  warnedStores.add(store);
  console.warn(
    `[automemo] Ignoring a value read from the "${store}" store for ${handle.id}: ${reason}. It is recomputed and overwritten. ` +
      `Further unusable values from this store are not reported.`,
  );
}

/** The record when it can answer this call; else why not (both are misses; "doubted" is decided by the computation). */
type RecordCheck = PersistedRecord | "refused" | "doubted";

/**
 * Whether a stored record fits the function: `async` functions need an async record; others
 * a sync one, or an async one once they returned a promise here ("doubted" until then).
 */
function checkRecord(handle: PersistingHandle, raw: unknown, computeIsAsync: boolean): RecordCheck {
  if (!isPersistedRecord(raw)) {
    warnRefused(handle, "it is not an automemo record ({ async, value })");
    return "refused";
  }
  if (raw.async === computeIsAsync || (raw.async && returnsPromises.has(handle))) return raw;
  if (raw.async) return "doubted";
  warnRefused(handle, "it was stored as the result of a synchronous function, and this function is async");
  return "refused";
}

function notCopyable(error: unknown): string {
  return `its value cannot be a result (${error instanceof Error ? error.message.replace(/^\[automemo\] /, "") : String(error)})`;
}

/** Whether the result copier accepts the stored value (its plain-data check is the one the first call passed). */
function isCopyable(handle: PersistingHandle, value: unknown): boolean {
  try {
    snapshotResult(value, handle.id);
    return true;
  } catch (error) {
    warnRefused(handle, notCopyable(error));
    return false;
  }
}

/** Caches a record read from the store for the key of `miss`; false (a miss) when its value is not copyable. */
function keepStoredRecord(handle: PersistingHandle, miss: Miss, record: PersistedRecord): boolean {
  adoptTags(miss, record);
  try {
    // storeValue takes the copy the cache keeps: the copier's plain-data check refuses what does not fit, before anything is filed.
    handle.storeValue(miss, record.value, record.async);
  } catch (error) {
    warnRefused(handle, notCopyable(error));
    return false;
  }
  handle.countStoreHit();
  return true;
}

/** After a doubted async record was not used: the computation shows whether the doubt was right. */
function learnFromResult(handle: PersistingHandle, result: unknown, doubted: boolean): void {
  if (isPromiseLike(result)) returnsPromises.add(handle);
  else if (doubted) warnRefused(handle, "it claims a promise result, and this function returns plain values");
}

function warnWriteFailed(handle: PersistingHandle, error: unknown): void {
  publishStoreError({ store: handle.persist ?? "", id: handle.id, operation: "write", error });
  const reason = error instanceof Error ? error.message : String(error);
  console.warn(`[automemo] Writing a result of ${handle.id} to the "${handle.persist}" store failed: ${reason}. The result stays cached in memory.`);
}

export function storeKeyOf(handle: PersistingHandle, components: unknown[]): string {
  hashKeyComponents(components, handle.storeKeyNames(components.length), handle.id);
  return digestHex();
}

const HEX_DIGITS = "0123456789abcdef";

/** The store key of a memory entry of the root table: its digest, or the hash of its exact components. */
export function entryStoreKey(handle: PersistingHandle, entry: Entry): string {
  if (entry.slot !== SLOT_DIGEST) return storeKeyOf(handle, [entry.keyPart0, entry.keyPart1, entry.keyPart2].slice(0, entry.slot));
  let out = "";
  for (const word of [entry.keyPart0, entry.keyPart1, entry.keyPart2, entry.keyPart3] as number[]) {
    for (let shift = 28; shift >= 0; shift -= 4) out += HEX_DIGITS[(word >>> shift) & 15];
  }
  return out;
}

function writeRecord(handle: PersistingHandle, store: CacheStore, key: string, record: PersistedRecord): void {
  try {
    if (store.writeSync !== undefined) {
      indexTagsSync(store, handle.storeFunction, key, record);
      store.writeSync(handle.storeFunction, key, record);
    } else {
      indexTags(store, handle.storeFunction, key, record)
        .then(() => store.write(handle.storeFunction, key, record))
        .catch((error) => warnWriteFailed(handle, error));
    }
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

/**
 * While explaining (explain.ts): the store had nothing usable for the key of `miss`, which
 * is computed now. A failed read (since `failuresBefore`) makes it `store unavailable`; an
 * entry of another code version `code changed`; a first call here `store miss`.
 */
function explainStoreMiss(handle: PersistingHandle, store: CacheStore, miss: Miss, key: string, failuresBefore: number): void {
  if (miss.reason === REASON_NONE || explaining.mode === EXPLAIN_OFF) return;
  if (storeReadFailures.count !== failuresBefore) miss.reason = REASON_STORE_UNAVAILABLE;
  else if (store.hasOtherVersion?.(handle.storeFunction, key)) miss.reason = REASON_CODE_CHANGED;
  else if (miss.reason === REASON_FIRST_CALL) miss.reason = REASON_STORE_MISS;
}

export function settleWithStore(handle: PersistingHandle, miss: Miss, compute: () => unknown): unknown {
  const store = getStore(handle.persist!);
  const subscribing = joinBus(store);
  const key = storeKeyOf(handle, miss.components ?? []);
  // Known-async computations read asynchronously and get the store's cross-process
  // single flight; others need a synchronous read, since they may return a plain value.
  if (store.readSync !== undefined && !(isAsyncFunction(compute) && store.computeOnce !== undefined)) {
    const computeIsAsync = isAsyncFunction(compute);
    const failuresBefore = storeReadFailures.count;
    if (store.computeOnceSync !== undefined) {
      const settled = settleOnceAcrossProcesses(handle, store, miss, key, compute, computeIsAsync, failuresBefore);
      if (settled !== FOREIGN_RECORD) return settled;
    }
    const hit = store.readSync(handle.storeFunction, key);
    const checked = hit === undefined ? undefined : checkRecord(handle, hit.value, computeIsAsync);
    if (typeof checked === "object" && keepStoredRecord(handle, miss, checked)) {
      return checked.async ? Promise.resolve(checked.value) : checked.value;
    }
    explainStoreMiss(handle, store, miss, key, failuresBefore);
    const result = handle.runCompute(compute, miss, key);
    learnFromResult(handle, result, checked === "doubted");
    if (isPromiseLike(result)) {
      return handle.settleAsync(
        miss,
        Promise.resolve(result).then((value) => {
          writeRecord(handle, store, key, recordOf(handle, miss, true, value));
          return value;
        }),
      );
    }
    // The cache's private copy is what is written: the encoder need not walk what its snapshot found exact.
    const snapshot = snapshotResult(result, handle.id);
    handle.storeValue(miss, result, false, snapshot);
    writeRecord(handle, store, key, recordOf(handle, miss, false, snapshot.value));
    return result;
  }
  return handle.settleAsync(miss, readThenCompute(handle, store, key, compute, miss, subscribing));
}

/** A staleWhileRevalidate refresh of an async function: the value through the store (one computation per fleet), filed by the caller. */
export function refreshThroughStore(handle: PersistingHandle, miss: Miss, compute: () => unknown): Promise<unknown> {
  const store = getStore(handle.persist!);
  return readThenCompute(handle, store, storeKeyOf(handle, miss.components ?? []), compute, miss, joinBus(store));
}

/** Thrown out of the store's lock when a sync-looking function returned a promise. */
const PROMISE_RESULT = Symbol("automemo.promiseResult");
/** The store answered with something that is not an automemo record: take the plain read/compute path. */
const FOREIGN_RECORD = Symbol("automemo.foreignRecord");

/**
 * Sync computations with a store that has a synchronous single flight (disk): one
 * process computes while the others wait and read the stored record.
 */
function settleOnceAcrossProcesses(
  handle: PersistingHandle,
  store: CacheStore,
  miss: Miss,
  key: string,
  compute: () => unknown,
  computeIsAsync: boolean,
  failuresBefore: number,
): unknown {
  let computed: { readonly result: unknown; snapshot?: ResultSnapshot } | undefined;
  let record: unknown;
  try {
    record = store.computeOnceSync!(handle.storeFunction, key, () => {
      explainStoreMiss(handle, store, miss, key, failuresBefore);
      const result = handle.runCompute(compute, miss, key);
      learnFromResult(handle, result, false);
      computed = { result };
      // A promise cannot be stored synchronously: release the lock and settle it below.
      if (isPromiseLike(result)) throw PROMISE_RESULT;
      // Snapshot before writing: a refused result is never written, and the private copy
      // is written (the encoder skips walking what the snapshot found exact).
      computed.snapshot = snapshotResult(result, handle.id);
      const written = recordOf(handle, miss, false, computed.snapshot.value);
      indexTagsSync(store, handle.storeFunction, key, written);
      return written;
    });
  } catch (error) {
    if (error !== PROMISE_RESULT) throw error;
    const pending = Promise.resolve(computed!.result as PromiseLike<unknown>);
    return handle.settleAsync(
      miss,
      pending.then((value) => {
        writeRecord(handle, store, key, recordOf(handle, miss, true, value));
        return value;
      }),
    );
  }
  if (computed !== undefined) {
    handle.storeValue(miss, computed.result, false, computed.snapshot);
    return computed.result;
  }
  // Anything unusable goes the plain way: read again, refuse it, compute and overwrite it.
  const checked = checkRecord(handle, record, computeIsAsync);
  if (typeof checked !== "object" || !keepStoredRecord(handle, miss, checked)) return FOREIGN_RECORD;
  return checked.async ? Promise.resolve(checked.value) : checked.value;
}

/** Async-only stores: read, else compute (once across processes when the store can) and write. */
async function readThenCompute(
  handle: PersistingHandle,
  store: CacheStore,
  key: string,
  compute: () => unknown,
  miss: Miss,
  subscribing: Promise<void> | undefined,
): Promise<unknown> {
  // The first read of a store with a bus waits for the subscription (bounded by the store's timeout).
  if (subscribing !== undefined) await subscribing;
  const failuresBefore = storeReadFailures.count;
  // Here the function returns a promise (else SyncStoreUnsupportedError below): only async records fit.
  const hit = await store.read(handle.storeFunction, key);
  const checked = hit === undefined ? undefined : checkRecord(handle, hit.value, true);
  if (typeof checked === "object" && isCopyable(handle, checked.value)) {
    handle.countStoreHit();
    adoptTags(miss, checked);
    return checked.value;
  }
  let computedHere = false;
  const computeAsync = async () => {
    computedHere = true;
    explainStoreMiss(handle, store, miss, key, failuresBefore);
    const result = handle.runCompute(compute, miss, key);
    if (!isPromiseLike(result)) throw new SyncStoreUnsupportedError({ functionId: handle.id, store: handle.persist! });
    const record = recordOf(handle, miss, true, await result);
    await indexTags(store, handle.storeFunction, key, record);
    return record;
  };
  if (store.computeOnce !== undefined) {
    // The read above missed (or found an unusable record): the store re-reads only under its lock.
    const record: unknown = await store.computeOnce(handle.storeFunction, key, computeAsync, { justMissed: true });
    if (computedHere) return (record as PersistedRecord).value;
    // Another process computed it meanwhile: this one read it from the store.
    const stored = checkRecord(handle, record, true);
    if (typeof stored === "object" && isCopyable(handle, stored.value)) {
      handle.countStoreHit();
      adoptTags(miss, stored);
      return stored.value;
    }
  }
  const record = await computeAsync();
  await store.write(handle.storeFunction, key, record).catch((error) => warnWriteFailed(handle, error));
  return record.value;
}
