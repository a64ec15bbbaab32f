import { SyncStoreUnsupportedError, UnknownStoreError } from "../errors.ts";
// The browser build swaps built-in.ts for built-in.browser.ts (see tsup.config.ts).
import { createBuiltInStore } from "./built-in.ts";
import { forgetRegisteredStores, registeredStore, registeredStores, registerStore } from "./registry.ts";
import type { CacheStore, StoreConfig } from "./store.ts";

export type { CacheStore, StoreConfig, StoreFunction, StoreHit } from "./store.ts";
export type { RedisClientLike } from "./redis-connection.ts";
export type { RedisClusterLike } from "./redis-cluster.ts";
export { DiskStore, type DiskStoreOptions } from "./disk.ts";
export { RedisStore, type RedisStoreOptions } from "./redis.ts";

const BUILT_IN_STORES = ["disk", "redis"] as const;

let config: StoreConfig = {};
/** The built-in stores created so far with the current settings, by name. */
const builtIns = new Map<string, CacheStore>();

/**
 * The store behind `persist: name`: one registered through any runtime copy of the
 * process (registry.ts), else "disk" and "redis", created on first use with the
 * current configuration (built-in.ts; the browser build throws NodeOnlyFeatureError
 * for them instead).
 */
export function getStore(name: string): CacheStore {
  const custom = registeredStore(name);
  if (custom !== undefined) return custom;
  const existing = builtIns.get(name);
  if (existing !== undefined) return existing;
  const created = createBuiltInStore(name, config);
  if (created === undefined) {
    throw new UnknownStoreError({ store: name, known: [...new Set([...BUILT_IN_STORES, ...registeredStores().keys()])] });
  }
  builtIns.set(name, created);
  return created;
}

/** `configure({ stores })`: add or replace custom stores by name ("disk" and "redis" may be replaced too). */
export function registerStores(stores: Readonly<Record<string, CacheStore>>): void {
  for (const [name, store] of Object.entries(stores)) registerStore(name, store);
}

/**
 * `configure({ cacheDir, redisUrl, ... })`: merged into the current settings. Built-in
 * stores already created are dropped (a Redis connection is closed in the background)
 * so the next `getStore` uses the new settings.
 */
export function setStoreConfig(update: StoreConfig): void {
  config = { ...config, ...update };
  const old = [...builtIns.values()];
  builtIns.clear();
  for (const store of old) void store.close?.();
}

/** Forget registered stores and settings, closing connections (what resetting `configure()` means for stores). */
export async function resetStores(): Promise<void> {
  await closeStores();
  forgetRegisteredStores();
  setStoreConfig({});
  config = {};
}

/** Close every store's connections (tests, graceful shutdown). */
export async function closeStores(): Promise<void> {
  const stores = new Set<CacheStore>([...registeredStores().values(), ...builtIns.values()]);
  await Promise.all([...stores].map((store) => store.close?.()));
}

/** The error a memo handle throws when a synchronous function uses a store without `readSync`/`writeSync`. */
export function assertStoreSupportsSync(store: CacheStore, functionId: string): void {
  if (typeof store.readSync !== "function" || typeof store.writeSync !== "function") {
    throw new SyncStoreUnsupportedError({ functionId, store: store.name });
  }
}
