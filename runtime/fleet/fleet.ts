/**
 * This process as a member of a fleet: it listens on the invalidation bus of every
 * store it used that has one (Redis), applies what other processes publish to the
 * memory tier of its handles, and publishes its own clears and tag invalidations.
 * Functions whose store has no bus (memory, disk, custom stores without one) never
 * reach this module's state, so they pay nothing for it.
 */
import { getStore } from "../stores/index.ts";
import type { BusListener, CacheStore, Invalidation, InvalidationBus } from "../stores/store.ts";
import { sharedRuntime, type RegisteredHandle } from "../handle/shared.ts";
import { publishInvalidate } from "../observe/channels.ts";

/** The buses this process listens on, with the store each belongs to. */
const joined = new Map<InvalidationBus, CacheStore>();
const checkedStores = new WeakSet<CacheStore>();

/** Until the first subscription attempt of a store's bus is done: what reading that store waits for. */
const subscribing = new Map<CacheStore, Promise<void>>();

/**
 * Starts listening on `store`'s bus (once per store; a store without a bus is remembered
 * and skipped). Returns a promise while the first subscription is under way: a process
 * must not read entries from the store before it hears about their invalidation.
 */
export function joinBus(store: CacheStore): Promise<void> | undefined {
  if (checkedStores.has(store)) return subscribing.get(store);
  checkedStores.add(store);
  const bus = store.invalidationBus?.();
  if (bus === undefined || joined.has(bus)) return undefined;
  joined.set(bus, store);
  const ready = bus.listen(listenerFor(store)).finally(() => subscribing.delete(store));
  subscribing.set(store, ready);
  return ready;
}

/** The store named `name`, or undefined when it cannot be had (unknown, misconfigured): such a store has no bus either. */
function storeNamed(name: string): CacheStore | undefined {
  try {
    return getStore(name);
  } catch {
    return undefined;
  }
}

/** Joins the buses of the stores named (those of the functions concerned) and publishes on every bus joined. */
export async function announce(message: Invalidation, storeNames: Iterable<string | undefined> = []): Promise<void> {
  for (const name of storeNames) {
    const store = name === undefined ? undefined : storeNamed(name);
    // Listening starts for later messages; publishing does not wait for it.
    if (store !== undefined) void joinBus(store);
  }
  const open: InvalidationBus[] = [];
  for (const bus of joined.keys()) {
    if (bus.closed) joined.delete(bus);
    else open.push(bus);
  }
  await Promise.all(open.map((bus) => bus.publish(message)));
}

function forEachHandle(action: (handle: RegisteredHandle) => Promise<void> | undefined): void {
  for (const handle of sharedRuntime().handles.values()) {
    // A remote invalidation has no caller to report to; a failing release already warns by itself.
    action(handle)?.catch(() => {});
  }
}

/** Applies another process's message to the memory tier only (the store was handled by the sender). */
function applyInvalidation(message: Invalidation): void {
  dropFromMemory(message);
  // Published once the drop has started (a singleton's disposal may still be running).
  publishInvalidate(
    message.kind === "clear"
      ? { id: message.id, scope: message.key === undefined ? "function" : "call", source: "bus" }
      : message.kind === "clear-all"
        ? { id: null, scope: "all", source: "bus" }
        : { id: null, scope: "tags", tags: message.tags, source: "bus" },
  );
}

function dropFromMemory(message: Invalidation): void {
  switch (message.kind) {
    case "clear": {
      const handle = sharedRuntime().handles.get(message.id);
      if (handle === undefined) return;
      const done = message.key === undefined || handle.forgetStoreKey === undefined ? handle.clear(false, false) : handle.forgetStoreKey(message.key);
      done.catch(() => {});
      return;
    }
    case "clear-all":
      forEachHandle((handle) => handle.clear(false, false));
      return;
    case "tags": {
      const tags = new Set(message.tags);
      forEachHandle((handle) => handle.dropTagged?.(tags));
      return;
    }
  }
}

function listenerFor(store: CacheStore): BusListener {
  return {
    apply: applyInvalidation,
    // Messages published while this process was not subscribed are lost: what it kept in
    // memory from this store may have been cleared meanwhile, so it is dropped and re-read.
    resync: () => forEachHandle((handle) => (usesStore(handle, store) ? handle.clear(false, false) : undefined)),
  };
}

function usesStore(handle: RegisteredHandle, store: CacheStore): boolean {
  const name = handle.stats().store;
  return name !== undefined && storeNamed(name) === store;
}
