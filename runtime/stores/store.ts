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
  computeOnce?<T>(fn: StoreFunction, key: string, compute: () => Promise<T>): Promise<T>;
  /** `computeOnce` for synchronous functions (stores with `readSync`; the disk store has it). Optional. */
  computeOnceSync?<T>(fn: StoreFunction, key: string, compute: () => T): T;
  close?(): Promise<void>;
}

/** The store settings `configure()` accepts; every field is optional and falls back to its environment variable or default. */
export interface StoreConfig {
  /** Disk cache root (else AUTOMEMO_CACHE_DIR, else node_modules/.cache/automemo). */
  readonly cacheDir?: string;
  /** Redis URL (else AUTOMEMO_REDIS_URL, else redis://127.0.0.1:6379). */
  readonly redisUrl?: string;
  /** A connected node-redis client to use instead of a URL. */
  readonly redisClient?: RedisClientLike;
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
