/**
 * Stores registered with `configure({ stores: { name: store } })`, and the
 * `cacheDir` setting passed through to the built-in disk store. Both live in the
 * state shared by every runtime copy of the process (see handle/shared.ts), so a
 * store registered through the CJS build is found by handles of the ESM build.
 */
import { sharedRuntime } from "../handle/shared.ts";
import type { CacheStore } from "./store.ts";

/** The store registered under `name`, if any. */
export function registeredStore(name: string): CacheStore | undefined {
  return sharedRuntime().settings.stores.get(name);
}

export function registerStore(name: string, store: CacheStore): void {
  sharedRuntime().settings.stores.set(name, store);
}

/** `configure({ cacheDir })`, for the disk store; undefined means its default location. */
export function configuredCacheDir(): string | undefined {
  return sharedRuntime().settings.cacheDir;
}
