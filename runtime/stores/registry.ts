/**
 * Stores registered with `configure({ stores: { name: store } })`: the one registry,
 * kept in the state shared by every runtime copy of the process (see handle/shared.ts),
 * so a store registered through the CJS build is found by handles of the ESM build.
 */
import { sharedRuntime } from "../handle/shared.ts";
import type { CacheStore } from "./store.ts";

/** The store registered under `name`, if any. */
export function registeredStore(name: string): CacheStore | undefined {
  return sharedRuntime().settings.stores.get(name);
}

export function registeredStores(): ReadonlyMap<string, CacheStore> {
  return sharedRuntime().settings.stores;
}

export function registerStore(name: string, store: CacheStore): void {
  sharedRuntime().settings.stores.set(name, store);
}

export function forgetRegisteredStores(): void {
  sharedRuntime().settings.stores.clear();
}
