/**
 * State shared by every copy of the runtime in one process (ESM + CJS builds, two
 * bundles): the handle registry, the function -> handle map, the global settings
 * and the `MISS` token. It lives on `globalThis` under a registered symbol and a
 * protocol version, holds only plain containers, and each copy talks to the handles
 * in it through the small method set below, so copies of different builds agree.
 */
import type { CacheStore } from "../stores/store.ts";
import type { NormalizedDefaults } from "../options.ts";
import type { ComputeTimesSnapshot } from "../observe/compute-times.ts";

/** Any function (a cached function, a by-hand wrapper, a method): every function accepts `never` arguments. */
export type AnyFunction = (...args: never[]) => unknown;

const REGISTRY_SYMBOL = Symbol.for("automemo.registry");
// 2: lookups answer the shared MISS token and `settle(compute)` is called on the handle (1: Miss instances).
const PROTOCOL_VERSION = 2;

/** Counters returned by `stats()`. */
export interface CacheStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
  evictions: number;
  /** Misses answered by the persistent store (counted in `misses` too: memory missed, nothing was computed). */
  storeHits: number;
  /** Total time spent computing misses, in ms (async: until the promise settled). */
  computeMs: number;
  /** Computations that threw or rejected (never cached). */
  errors: number;
  /** The persistent store under the memory cache ("disk", "redis", a registered name), if any. */
  store?: string;
  /** Expired values answered within staleWhileRevalidate, or instead of a failed recomputation within staleIfError. */
  staleHits?: number;
  /** Background refreshes started (staleWhileRevalidate). */
  refreshes?: number;
  /** Background refreshes that failed (the stale value stayed). */
  refreshErrors?: number;
}

/** `configure(fn, { validate, dispose })`; `T` is what the singleton returns (awaited). */
export interface Lifecycle<T = unknown> {
  readonly validate?: (value: T) => boolean;
  readonly dispose?: (value: T) => unknown;
}

/** What any runtime copy may call on a handle created by any other copy (protocol version 2). */
export interface RegisteredHandle {
  readonly id: string;
  readonly hash: string;
  readonly kind: "memo" | "singleton";
  /** Code hash, kind, key layout and options: a handle is reused on re-evaluation only when this is unchanged. */
  readonly signature: string;
  /** Lookups for the emitted code: the cached value, or the `MISS` token. */
  get0(): unknown;
  get1(a: unknown): unknown;
  get2(a: unknown, b: unknown): unknown;
  get3(a: unknown, b: unknown, c: unknown): unknown;
  getN(values: ArrayLike<unknown>): unknown;
  /** Right after a lookup answered `MISS`: computes, caches and returns the value for that key. */
  settle(compute: () => unknown): unknown;
  /** `settle(() => fn.apply(self, args))`, the closure built only on a miss (what the sibling shape emits). Optional: older copies lack it. */
  settleCall?(fn: AnyFunction, self: unknown, ...args: unknown[]): unknown;
  bindFunction(fn: AnyFunction): void;
  /**
   * Drops every entry (singletons are released; persisted entries deleted unless `includeStore` is false); resolves when done.
   * `announce` (default: `includeStore`) also tells the other processes of the fleet (runtime/fleet).
   */
  clear(includeStore?: boolean, announce?: boolean): Promise<void>;
  /** Drops the memory entry whose store key is `key` (an invalidation from another process). Optional: older copies lack it. */
  forgetStoreKey?(key: string): Promise<void>;
  /** Drops the memory entries carrying any of `tags` (all of them when the function's static tags do). Optional. */
  dropTagged?(tags: ReadonlySet<string>): Promise<void>;
  /** Drops the entry of one call; `args` are positional call arguments. */
  clearCall(args: ArrayLike<unknown>): Promise<void>;
  stats(): CacheStats;
  setLifecycle(lifecycle: Lifecycle): void;
  /** Re-reads the shared settings (defaults, disabled). */
  refreshSettings(): void;
  /** The use stamp of this handle's least recently used entry (Infinity: none); budget eviction across functions. Optional: older copies lack it. */
  oldestUse?(): number;
  /** Evicts this handle's least recently used entry (budget eviction across functions). */
  evictOldest?(): void;
  /** The compute-time histogram (metricsText). Optional: older copies lack it. */
  computeTimes?(): ComputeTimesSnapshot;
}

export interface SharedSettings {
  defaults: NormalizedDefaults;
  /** `configure({ disabled })`; undefined falls back to AUTOMEMO_DISABLE. */
  disabled: boolean | undefined;
  cacheDir: string | undefined;
  /** `[Class, hasher]` pairs; a hasher is only ever given instances of its class (`never`: any class, any argument type). */
  hashers: ReadonlyArray<readonly [abstract new (...args: never[]) => unknown, (value: never) => unknown]>;
  /** Bumped on every hashers change, so each runtime copy re-installs them into its own hasher. */
  hashersVersion: number;
  stores: Map<string, CacheStore>;
  /** `configure({ defaultPersist })`; undefined falls back to AUTOMEMO_DEFAULT_PERSIST. */
  defaultPersist?: string | false;
}

/**
 * The process-wide memory budget, `configure({ maxBytes })`: `used` is the summed size of
 * every memo entry of every handle; `clock` stamps each use of an entry (Entry.usedAt) so
 * that the least recently used entry across all functions can be found (entry-book.ts).
 */
export interface SharedMemory {
  limit: number;
  used: number;
  clock: number;
}

export interface SharedRuntime {
  readonly protocol: number;
  /** Added after protocol 2 shipped: created by the first copy that knows it (sharedMemory). */
  memory?: SharedMemory;
  readonly handles: Map<string, RegisteredHandle>;
  readonly byFunction: WeakMap<AnyFunction, RegisteredHandle>;
  readonly settings: SharedSettings;
  /** The `MISS` token every runtime copy answers misses with (miss.ts). */
  missToken?: object;
}

type RegistryRoot = Record<string, SharedRuntime>;

let cached: SharedRuntime | undefined;

/** The shared state of this protocol version, created by the first runtime copy that asks. */
export function sharedRuntime(): SharedRuntime {
  if (cached !== undefined) return cached;
  const holder = globalThis as unknown as Record<symbol, RegistryRoot | undefined>;
  const root = (holder[REGISTRY_SYMBOL] ??= Object.create(null) as RegistryRoot);
  const key = `v${PROTOCOL_VERSION}`;
  cached = root[key] ??= {
    protocol: PROTOCOL_VERSION,
    handles: new Map(),
    byFunction: new WeakMap(),
    settings: { defaults: {}, disabled: undefined, cacheDir: undefined, hashers: [], hashersVersion: 0, stores: new Map() },
  };
  return cached;
}

/** The process-wide memory budget and its accounting (see SharedMemory). */
export function sharedMemory(): SharedMemory {
  return (sharedRuntime().memory ??= { limit: Infinity, used: 0, clock: 0 });
}

/** `AUTOMEMO_DISABLE=1` (read without assuming a Node `process`). */
function disabledByEnvironment(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const flag = env?.AUTOMEMO_DISABLE;
  return flag === "1" || flag === "true";
}

export function isDisabled(settings: SharedSettings): boolean {
  return settings.disabled ?? disabledByEnvironment();
}

/** Values of AUTOMEMO_DEFAULT_PERSIST that mean "no default store". */
const NO_DEFAULT_PERSIST = new Set(["", "0", "false", "none", "off"]);

/**
 * The store a @memo function without its own `persist` uses: `configure({ defaultPersist })`,
 * else AUTOMEMO_DEFAULT_PERSIST (set by `automemo run`), else none.
 */
export function defaultPersist(settings: SharedSettings): string | undefined {
  const configured = settings.defaultPersist;
  if (configured !== undefined) return configured === false ? undefined : configured;
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const fromEnv = env?.AUTOMEMO_DEFAULT_PERSIST?.trim();
  return fromEnv === undefined || NO_DEFAULT_PERSIST.has(fromEnv.toLowerCase()) ? undefined : fromEnv;
}
