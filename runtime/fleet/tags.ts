/**
 * Tags: names attached to cache entries so one call drops every entry carrying them,
 * in every tier and process. Static tags come from `@memo { tags: [...] }` and tag every
 * entry of the function; `cacheTag(...)` tags the entry being computed right now.
 *
 * Which entry is "being computed": while a computation runs synchronously, the innermost
 * one on a stack pushed by the handle around each call of a compute function; after an
 * `await`, the link of the compute chain (compute-chain.ts), which exists where async
 * context is tracked (Node 24+, or AUTOMEMO_CYCLE_CHECK=1).
 */
import { CacheTagError } from "../errors.ts";
import { computeChain } from "../handle/compute-chain.ts";
import type { Miss } from "../handle/miss.ts";
import { isDisabled, sharedRuntime } from "../handle/shared.ts";
import { publishInvalidate } from "../observe/channels.ts";
import { parseTags } from "../options.ts";
import { getStore } from "../stores/index.ts";
import { registeredStores } from "../stores/registry.ts";
import type { CacheStore } from "../stores/store.ts";
import { announce } from "./fleet.ts";

/** Shared by every runtime copy of the process: the handle of one copy may run inside a computation of another's. */
const STACK_SYMBOL = Symbol.for("automemo.computingNow");
const holder = globalThis as unknown as Record<symbol, Miss[] | undefined>;
const computingNow: Miss[] = (holder[STACK_SYMBOL] ??= []);

/** Runs `compute` as the computation of `miss`: `cacheTag` calls during its synchronous part tag that miss. */
export function computeFor(miss: Miss, compute: () => unknown): unknown {
  computingNow.push(miss);
  try {
    return compute();
  } finally {
    computingNow.pop();
  }
}

function currentMiss(): Miss | undefined {
  return computingNow.length > 0 ? computingNow[computingNow.length - 1] : computeChain()?.getStore()?.miss;
}

/**
 * Tags the entry being computed, so `invalidateTag(tag)` drops it (memory, store, every
 * process). Call it from the body of a cached function while it computes; anywhere else
 * it throws CacheTagError. Tags do not flow into other cached functions that call this one.
 *
 * @example
 * async function loadUser(id: string) { // @memo
 *   cacheTag(`user:${id}`);
 *   return db.users.find(id);
 * }
 */
export function cacheTag(...tags: string[]): void {
  const where = "cacheTag()";
  let checked: readonly string[];
  try {
    checked = parseTags(tags, where);
  } catch (error) {
    throw new CacheTagError({ problem: `got an invalid tag (${(error as Error).message.replace(/^\[automemo\] /, "").split("\n")[0]})` });
  }
  const miss = currentMiss();
  if (miss === undefined) {
    // Disabled caching runs bodies without a computation to tag: tags have nothing to drop.
    if (isDisabled(sharedRuntime().settings)) return;
    throw new CacheTagError({ problem: "was called outside the computation of a cached function" });
  }
  const own = (miss.tags ??= []);
  for (const tag of checked) if (!own.includes(tag)) own.push(tag);
}

/** The stores tagged entries may sit in: those of the cached functions of this process, and every registered store. */
function storesToSearch(): { stores: Set<CacheStore>; names: Set<string> } {
  const names = new Set<string>(registeredStores().keys());
  for (const handle of sharedRuntime().handles.values()) {
    const name = handle.stats().store;
    if (name !== undefined) names.add(name);
  }
  const stores = new Set<CacheStore>();
  for (const name of names) {
    try {
      stores.add(getStore(name));
    } catch {
      // A store that cannot be created holds nothing.
    }
  }
  return { stores, names };
}

/**
 * Drops every entry carrying any of `tags`: from the stores (every function and code
 * version recorded in their tag indexes), from the memory of this process, and through
 * the invalidation bus from the memory of every other process. Resolves when the stores
 * and this process are done and the message is published.
 *
 * @example
 * await invalidateTag("users");
 */
export async function invalidateTag(...tags: string[]): Promise<void> {
  const list = parseTags(tags, "invalidateTag()");
  if (list.length === 0) return;
  const { stores, names } = storesToSearch();
  // Stores first: a call between the two steps must not refill memory from a stored entry.
  await Promise.all([...stores].map((store) => store.deleteTagged?.(list)));
  const set = new Set(list);
  await Promise.all([...sharedRuntime().handles.values()].map((handle) => handle.dropTagged?.(set)));
  await announce({ kind: "tags", tags: list }, names);
  publishInvalidate({ id: null, scope: "tags", tags: list, source: "local" });
}

/** Static tags and those added by cacheTag, or null for none. */
export function entryTags(staticTags: readonly string[] | undefined, dynamic: readonly string[] | null): readonly string[] | null {
  if (dynamic === null || dynamic.length === 0) return staticTags !== undefined && staticTags.length > 0 ? staticTags : null;
  if (staticTags === undefined || staticTags.length === 0) return dynamic;
  return [...new Set([...staticTags, ...dynamic])];
}

/** Whether any of `tags` is in `wanted`. */
export function carriesAny(tags: readonly string[] | null | undefined, wanted: ReadonlySet<string>): boolean {
  if (tags == null) return false;
  for (const tag of tags) if (wanted.has(tag)) return true;
  return false;
}
