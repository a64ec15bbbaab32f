import type { RedisClusterLike } from "./redis-cluster.ts";
import type { RedisClientLike } from "./redis-connection.ts";

/**
 * A persistent layer under the in-memory cache of a `@memo` function
 * (`persist: "disk" | "redis" | <registered name>`). Singletons are never persisted.
 */
export interface StoreFunction {
  /** The function id from its metadata. */
  readonly id: string;
  /** The code hash; entries of other versions are never returned. */
  readonly version: string;
  readonly ttlMs?: number;
  readonly maxEntries?: number;
  readonly maxBytes?: number;
}

/**
 * What one process tells the others of a fleet (runtime/fleet): drop the memory entries
 * of a function (`key`: only the entry with this store key), of every function, or every
 * entry carrying one of `tags`.
 */
export type Invalidation =
  | { readonly kind: "clear"; readonly id: string; readonly key?: string }
  | { readonly kind: "clear-all" }
  | { readonly kind: "tags"; readonly tags: readonly string[] };

export interface BusListener {
  /** A message published by another process. */
  apply(message: Invalidation): void;
  /** Subscribed again (or for the first time): messages may have been missed meanwhile. */
  resync(): void;
}

/** A publish/subscribe channel shared by every process using one store (Redis pub/sub). */
export interface InvalidationBus {
  /**
   * Starts listening (once; later calls change nothing). Must not keep the process alive.
   * Resolves when the first subscription attempt is done (subscribed, or failed and retrying).
   */
  listen(listener: BusListener): Promise<void>;
  /** Sends to every other listening process; never rejects (an outage is reported by the store). */
  publish(message: Invalidation): Promise<void>;
  /** True once its store was closed: it neither listens nor publishes any more. */
  readonly closed: boolean;
}

export interface StoreHit {
  readonly value: unknown;
}

export interface CacheStore {
  readonly name: string;
  /** Synchronous read; stores that cannot read synchronously leave it out (then only promise-returning functions may use them). */
  readSync?(fn: StoreFunction, key: string): StoreHit | undefined;
  writeSync?(fn: StoreFunction, key: string, value: unknown): void;
  read(fn: StoreFunction, key: string): Promise<StoreHit | undefined>;
  write(fn: StoreFunction, key: string, value: unknown): Promise<void>;
  /** Remove one entry, or every entry of the function (all versions) when `key` is omitted. */
  delete(fn: StoreFunction, key?: string): Promise<void>;
  /**
   * Cross-process single flight: run `compute` in at most one process at a time for
   * this key; the others wait and read the stored result. Optional. The store writes
   * the computed value itself (callers must not write it again); a value already stored
   * is returned without computing; a failed `compute` stores nothing.
   */
  computeOnce?<T>(fn: StoreFunction, key: string, compute: () => Promise<T>, options?: ComputeOnceOptions): Promise<T>;
  /** `computeOnce` for synchronous functions (stores with `readSync`; the disk store has it). Optional. */
  computeOnceSync?<T>(fn: StoreFunction, key: string, compute: () => T): T;
  /** The fleet invalidation bus of this store (created on first call), if it has one. Optional. */
  invalidationBus?(): InvalidationBus;
  /**
   * Records that the entry `key` of `fn` carries `tags`, before it is written, so
   * `deleteTagged` finds it (in every process and after restarts). Optional: stores
   * without it keep tags in memory only.
   */
  tagEntry?(fn: StoreFunction, key: string, tags: readonly string[]): Promise<void>;
  /** `tagEntry` for synchronous writers (stores with `writeSync`). */
  tagEntrySync?(fn: StoreFunction, key: string, tags: readonly string[]): void;
  /** Deletes every entry tagged with any of `tags` (every function, every code version), and the tags' indexes. */
  deleteTagged?(tags: readonly string[]): Promise<void>;
  close?(): Promise<void>;
  /** Whether another code version of `fn` has an entry for `key` (why a call missed: explain(fn)). Optional. */
  hasOtherVersion?(fn: StoreFunction, key: string): boolean;
}

/** The store settings `configure()` accepts; every field is optional and falls back to its environment variable or default. */
export interface StoreConfig {
  /** Disk cache root (else AUTOMEMO_CACHE_DIR, else node_modules/.cache/automemo). */
  readonly cacheDir?: string;
  /** Redis URL, or the comma-separated nodes of a Redis Cluster (else AUTOMEMO_REDIS_URL, else redis://127.0.0.1:6379). */
  readonly redisUrl?: string;
  /** A connected node-redis client (`createClient()` or `createCluster()`) to use instead of a URL. */
  readonly redisClient?: RedisClientLike | RedisClusterLike;
  /** Key prefix in Redis. Default "automemo". */
  readonly redisPrefix?: string;
  /** Bound on each Redis command and on connecting. Default 1000 ms. */
  readonly redisTimeoutMs?: number;
  /** How long a computation lock its holder stopped refreshing blocks other processes. Default: Redis 5 s, disk 30 s. */
  readonly lockTimeoutMs?: number;
  /** HMAC key signing every disk and Redis entry (else AUTOMEMO_SIGNING_KEY, else unsigned). */
  readonly signingKey?: string;
  /** Use a cache directory owned by another user or writable by others (else AUTOMEMO_TRUST_CACHE_DIR=1, else refused). */
  readonly trustCacheDir?: boolean;
}

export interface ComputeOnceOptions {
  /**
   * The caller has just read the key and found nothing: the store may skip its own first
   * read and go straight to the lock (it must still read under the lock, since another
   * process may have written in between).
   */
  readonly justMissed?: boolean;
}
