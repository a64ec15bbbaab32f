/**
 * automemo: Streamlit-style `memo` and `singleton` caching for TypeScript and
 * JavaScript. Annotate a function with `/** @memo *\/` or `/** @singleton *\/` and
 * let the transform (Babel, TypeScript, bundler plugin, Node loader) call the
 * handles below, or wrap functions by hand with `memo(fn, meta)` / `singleton(fn, meta)`.
 *
 * Keys: every argument except parameters starting with `_`, by value (a structural
 * hash; primitives are compared with SameValue, so NaN matches NaN and -0 does
 * not match 0). `this` of an instance method is keyed by identity, so each instance
 * has its own entries that die with it.
 */
import type { CacheKind, FunctionMeta } from "./meta.ts";
import { wrapByHand } from "./handle/by-hand.ts";
import { MISS as MISS_TOKEN } from "./handle/miss.ts";
import { cacheHandle as createCacheHandle } from "./handle/registry.ts";
import { clearEverything, clearFunction, explainFunction, statsOf, totalStats, type CachedFunctionRef, type TotalStats } from "./handle/control.ts";
import { configureFunction, configureGlobal, type GlobalSettings, type SettingsWithHashers } from "./handle/configure.ts";
import type { CacheStats, Lifecycle } from "./handle/shared.ts";

/** Any function, methods included: every function's `this` and arguments accept `never`. */
type AnyFunction = (this: never, ...args: never[]) => unknown;

export type { CacheKind, FunctionMeta } from "./meta.ts";
export type { CacheStats, Lifecycle } from "./handle/shared.ts";
export type { TotalStats, CachedFunctionRef } from "./handle/control.ts";
export type { ExplainedMiss, MissReason } from "./handle/explain.ts";
import type { ExplainedMiss } from "./handle/explain.ts";
export type { GlobalSettings, CustomHasherEntry, HasherFor, SettingsWithHashers } from "./handle/configure.ts";
export { COMPUTE_CHANNEL, type ComputeMessage } from "./handle/compute-events.ts";
export { cacheTag, invalidateTag } from "./fleet/tags.ts";
export { CHANNEL_NAMES, type ComputeContext, type EvictMessage, type InvalidateMessage, type LookupMessage, type StoreErrorMessage } from "./observe/channels.ts";
export { metricsText, METRICS_CONTENT_TYPE } from "./observe/metrics.ts";
export type { CacheStore, ComputeOnceOptions, StoreFunction, StoreHit } from "./stores/store.ts";
export type { RedisClientLike, RedisClusterLike } from "./stores/index.ts";
export {
  AutomemoError,
  CacheTagError,
  ClearKeyError,
  ComputeCycleError,
  HasherError,
  InvalidOptionError,
  SettleWithoutMissError,
  SyncStoreUnsupportedError,
  UnhashableParamError,
  UnknownFunctionError,
  UnserializableReturnValueError,
} from "./errors.ts";

/** Options of one cached function (the object after the tag: `@memo { ttl: "1h" }`). */
export interface CacheOptions {
  /** Time to live: seconds, or "250ms", "10s", "5m", "2h", "1d", "1h30m". */
  ttl?: number | string;
  /** Keep at most this many entries, dropping the least recently used. */
  maxEntries?: number;
  /** Memo only: keep at most this many bytes of results (bytes, or "512KB", "64MB", "1GB"). */
  maxBytes?: number | string;
  /**
   * Memo only: also keep results in a store ("disk", "redis", or a name registered with
   * configure({ stores })); `false` stays in memory even when a default store is set (`automemo run`).
   */
  persist?: string | false;
  /** Singleton only: "identity" keys object arguments by identity (entries die with the argument). */
  key?: "value" | "identity";
  /** Whether edits to called helpers change the code hash (transformer dependency tracking). */
  deps?: boolean;
  /** Tags of every entry of the function, dropped together by `invalidateTag(tag)` (docs/fleet.md). */
  tags?: readonly string[];
  /** Needs `ttl`; async functions: after `ttl`, for this long a call answers the stale value and one background refresh per key replaces it. */
  staleWhileRevalidate?: number | string;
  /** Needs `ttl`: after `ttl`, for this long a recomputation that fails answers the stale value instead of the error. */
  staleIfError?: number | string;
}

/** Metadata for a by-hand `memo`/`singleton`: a stable unique `id`; the rest is optional. */
export interface ByHandMeta {
  /** Stable, unique id, e.g. "src/db.ts#loadRows". Required. */
  readonly id: string;
  /** Code version: a different hash for the same id drops the old entries. */
  readonly hash?: string;
  /** Parameter names; names starting with `_` are left out of the key. Without it every argument is keyed. */
  readonly params?: readonly string[];
  /** Key component names in order (defaults to the params not starting with `_`); "this" keys the instance. */
  readonly key?: readonly string[];
  readonly options?: CacheOptions;
}

/**
 * Caches a function by hand (without the transform); results are returned by value:
 * every hit gets a fresh copy, the call that computed the value gets the original.
 * Async functions cache what their promise resolves to; concurrent calls with one
 * key share one computation; throws and rejections are never cached.
 *
 * @example
 * const loadRows = memo(async (_db: Db, table: string) => _db.query(table), {
 *   id: "src/db.ts#loadRows", params: ["_db", "table"], options: { ttl: "1h" },
 * });
 */
export function memo<F extends AnyFunction>(fn: F, meta: ByHandMeta): F {
  return wrapByHand("memo", fn, meta as FunctionMeta);
}

/**
 * Caches a function by hand and returns the identical object on every hit (a
 * connection, a model, a client). Values are released (`[Symbol.asyncDispose]`,
 * `[Symbol.dispose]` or `configure(fn, { dispose })`) when they leave the cache.
 *
 * @example
 * const connect = singleton((url: string) => new Pool(url), { id: "src/db.ts#connect" });
 */
export function singleton<F extends AnyFunction>(fn: F, meta: ByHandMeta): F {
  return wrapByHand("singleton", fn, meta as FunctionMeta);
}

/**
 * What the emitted code calls: arity-specialised lookups answering the cached value or `MISS`, then `settle`.
 * The lookups answer `any`, not `unknown`: bundler plugins rewrite TypeScript before
 * type-checking loaders (ts-loader) see it, and the emitted `return r` must check
 * against the function's declared return type.
 */
export interface CacheHandle {
  /* eslint-disable @typescript-eslint/no-explicit-any -- the emitted `return r` must check against any declared return type (see above) */
  get0(): any;
  get1(a: unknown): any;
  get2(a: unknown, b: unknown): any;
  get3(a: unknown, b: unknown, c: unknown): any;
  getN(values: ArrayLike<unknown>): any;
  /* eslint-enable @typescript-eslint/no-explicit-any */
  /**
   * Right after a lookup answered `MISS` (nothing in between): runs `compute` once,
   * caches its result (a sync value, or what the promise resolves to) and returns it
   * to this caller, the original and not a copy. A throw or rejection is passed on
   * and never cached.
   */
  settle<T>(compute: () => T): T;
  /**
   * `settle(() => fn.apply(self, args))` without a closure at the call site, so a hit allocates
   * nothing (what the transform emits for function declarations). Answers `any` like the lookups.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- checked against the function's declared return type (see above)
  settleCall(fn: AnyFunction, self: unknown, ...args: unknown[]): any;
  /** Records `fn -> handle` so `clear(fn)`, `stats(fn)` and `configure(fn, ...)` accept the function itself. */
  bindFunction(fn: AnyFunction): void;
}

/**
 * The handle of one annotated function; the transform declares one per function at
 * module level. Calling it again with the same id, code hash and options (hot
 * reload, a rerun) returns the same handle with its entries.
 *
 * @example
 * const h = cacheHandle("memo", { id: "src/a.ts#square", hash: "9f2c", params: ["n"], key: ["n"], options: {} });
 * function square(n: number) {
 *   const r = h.get1(n);
 *   if (r !== MISS) return r as number;
 *   return h.settle(() => n * n);
 * }
 * h.bindFunction(square);
 */
export function cacheHandle(kind: CacheKind, meta: FunctionMeta): CacheHandle {
  return createCacheHandle(kind, meta) as unknown as CacheHandle;
}

/**
 * What a lookup answers when the value must be computed: one token for every copy of
 * the runtime in the process, compared by identity. Call `settle` on the handle next.
 *
 * @example
 * const r = h.get1(key);
 * const value = r !== MISS ? r : h.settle(() => compute(key));
 */
export const MISS: object = MISS_TOKEN;

/**
 * Drops cached entries: `clear(fn)` every entry of one function, `clear(fn, ...args)`
 * the entry of one call. For a transformed function (or a `memo()` wrapper) the key is
 * built by the function's own parameter list, up to its cache lookup and never its
 * body: destructuring, defaults and rest parameters apply exactly as in a call (so do
 * side effects of default initializers). Arguments that cannot bind throw ClearKeyError.
 * By id, a function that was never bound (a method, a nested function) maps arguments
 * by position: defaults are not applied and destructured parameters are not found there.
 * Functions keyed by `this` or by captured variables can only be cleared as a whole
 * (ClearKeyError). Singletons are released; the
 * promise resolves when async releases finished. `fn` may also be the function id.
 *
 * @example
 * await clear(loadRows, db, "users"); // one entry (db is the skipped _db parameter)
 * await clear("src/db.ts#loadRows");   // every entry
 */
export function clear(fn: CachedFunctionRef, ...args: unknown[]): Promise<void> {
  return clearFunction(fn, args);
}

/**
 * Drops every entry of every cached function in the process (singletons released).
 *
 * @example
 * afterEach(() => clearAll());
 */
export function clearAll(): Promise<void> {
  return clearEverything();
}

/**
 * Why recent calls of `fn` missed (up to 50, oldest first), recorded while explaining is
 * on (`AUTOMEMO_EXPLAIN=1`, `configure({ explain: true })`, `automemo run`); empty otherwise.
 * A `new arguments` miss names what differs from the nearest key computed before.
 *
 * @example
 * configure({ explain: true });
 * explain(loadRows); // [{ reason: "new arguments", at: 1765158000000, changes: ['table: "users" → "orders"'] }]
 */
export function explain(fn: CachedFunctionRef): ExplainedMiss[] {
  return explainFunction(fn);
}

/**
 * Counters of one function (`stats(fn)` or `stats(id)`): hits, misses, live entries,
 * bytes of memo results (snapshot sizes), evictions (LRU), `storeHits` (misses the
 * persistent store answered), `computeMs` (time spent computing) and `errors` (computations
 * that threw or rejected). Without an argument:
 * the totals over every function plus `functions`, the numbers of each by id.
 *
 * @example
 * const { hits, misses } = stats(loadRows);
 * const all = stats(); // all.functions["src/db.ts#loadRows"].entries
 */
export function stats(): TotalStats;
export function stats(fn: CachedFunctionRef): CacheStats;
export function stats(fn?: CachedFunctionRef): CacheStats | TotalStats {
  return fn === undefined ? totalStats() : statsOf(fn);
}

/**
 * `configure(settings)`: process-wide defaults (`ttl`, `maxEntries`, used by functions that
 * do not set them), `maxBytes` (one memory budget for every @memo cache together, least
 * recently used entries of all functions evicted first), `hashers` for argument classes, named `stores`,
 * `defaultPersist` (store for @memo functions that name none), `disabled` (pass-through),
 * `cacheDir` (disk store).
 * `configure(fn, { validate, dispose })`: run-time lifecycle of one singleton:
 * `validate(value)` runs on every hit (false: release and recreate), `dispose(value)`
 * replaces `[Symbol.asyncDispose]` / `[Symbol.dispose]` when a value is released.
 *
 * @example
 * configure({ ttl: "10m", hashers: [[Money, (m) => [m.amount, m.currency]]] });
 * configure(connect, { validate: (pool) => !pool.ended, dispose: (pool) => pool.end() });
 */
export function configure<const Instances extends readonly unknown[]>(settings: SettingsWithHashers<Instances>): void;
export function configure(settings: GlobalSettings): void;
export function configure<F extends AnyFunction>(fn: F, lifecycle: Lifecycle<Awaited<ReturnType<F>>>): void;
export function configure<T = unknown>(id: string, lifecycle: Lifecycle<T>): void;
export function configure(target: GlobalSettings | CachedFunctionRef, lifecycle?: Lifecycle<never>): void {
  // The handle gives validate/dispose only values its function returned, the type the overloads checked.
  if (typeof target === "function" || typeof target === "string") configureFunction(target, lifecycle as Lifecycle);
  else configureGlobal(target);
}
