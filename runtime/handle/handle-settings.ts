/**
 * What a handle is configured with: the function's code hash, kind, key layout and
 * validated options, and the settings derived from them and from `configure`
 * (ttl, bounds, the store, whether the exact-key fast path and the plain hit apply).
 * `refreshSettings` recomputes them whenever the process-wide settings change, so the
 * lookups read plain fields and never the settings themselves.
 */
import { InvalidOptionError } from "../errors.ts";
import type { CacheKind, FunctionMeta } from "../meta.ts";
import { validateOptions, type NormalizedOptions } from "../options.ts";
import type { StoreFunction } from "../stores/store.ts";
import { EntryBook } from "./entry-book.ts";
import { keyLayout, type KeyLayout } from "./key-layout.ts";
import { defaultPersist, isDisabled, sharedRuntime, type CacheStats, type Lifecycle } from "./shared.ts";

const shared = sharedRuntime();

/** Code hash, kind, key layout and options: what must match for a re-evaluated module to keep a handle. */
export function handleSignature(kind: CacheKind, meta: FunctionMeta): string {
  return JSON.stringify([meta.hash ?? "", kind, meta.params ?? null, meta.key ?? null, meta.options ?? {}]);
}

export abstract class HandleSettings extends EntryBook {
  readonly hash: string;
  readonly kind: CacheKind;
  readonly options: NormalizedOptions;
  readonly layout: KeyLayout;
  /** Compared by the registry: same id + signature keeps the handle (and its entries) on re-evaluation. */
  readonly signature: string;
  /** The store under the memory cache: the `persist` option, else the default store (refreshSettings). */
  persist: string | undefined;
  /** `persist` came from the default (configure / AUTOMEMO_DEFAULT_PERSIST), not from the function's options. */
  persistIsDefault = false;

  /** How long past `ttl` an expired entry is answered while it refreshes / instead of a failed recomputation (freshness.ts). */
  protected staleWhileRevalidateMs = 0;
  protected staleIfErrorMs = 0;

  /** What a persistent store is told about this function (persist only). */
  storeFunction: StoreFunction = { id: "", version: "" };

  /** Validates the options and the key layout; the final class calls `refreshSettings` once its own fields exist. */
  constructor(kind: CacheKind, meta: FunctionMeta) {
    super(meta.id, kind === "memo");
    this.hash = meta.hash ?? "";
    this.kind = kind;
    this.options = validateOptions(meta.options, kind, meta.id);
    this.layout = keyLayout(meta, this.options);
    this.signature = handleSignature(kind, meta);
    // A store name (persist: false is no store; the effective store is set in refreshSettings).
    if (this.options.persist && (this.layout.identityDepth > 0 || this.layout.identityAll)) {
      throw new InvalidOptionError({
        option: "persist",
        where: this.id,
        problem: "an instance method is keyed by the identity of 'this', which cannot be stored across processes",
        fix: "Make it a static method or a plain function that takes the data it needs as arguments.",
      });
    }
  }

  stats(): CacheStats {
    // No WeakRef.deref() here: a deref keeps its target alive until the end of the
    // current job, so polling stats would keep collected entries from ever dying.
    return {
      hits: this.hits,
      misses: this.misses,
      entries: this.entryCount,
      bytes: this.byteCount,
      evictions: this.evictions,
      storeHits: this.storeHits,
      computeMs: this.computeMs,
      errors: this.errors,
      store: this.persist,
      staleHits: this.staleHits,
      refreshes: this.refreshes,
      refreshErrors: this.refreshErrors,
    };
  }

  setLifecycle(lifecycle: Lifecycle): void {
    this.lifecycle = { ...this.lifecycle, ...lifecycle };
    this.validateHook = this.lifecycle.validate;
    this.updateQuickHits();
  }

  refreshSettings(): void {
    const defaults = shared.settings.defaults;
    this.disabled = isDisabled(shared.settings);
    this.ttlMs = this.options.ttlMs ?? defaults.ttlMs ?? 0;
    this.staleWhileRevalidateMs = this.options.staleWhileRevalidateMs ?? 0;
    this.staleIfErrorMs = Math.max(this.options.staleIfErrorMs ?? 0, this.staleWhileRevalidateMs);
    this.maxEntries = this.options.maxEntries ?? defaults.maxEntries ?? Infinity;
    this.maxBytes = this.isMemo ? (this.options.maxBytes ?? Infinity) : Infinity;
    // Under a process-wide budget every memo handle keeps LRU order, so the oldest entry of all can be found.
    const bounded = this.maxEntries !== Infinity || this.maxBytes !== Infinity || (this.isMemo && this.memory.limit !== Infinity);
    if (bounded !== this.bounded) {
      this.bounded = bounded;
      this.lru.clear();
      for (const entry of this.liveEntries()) {
        entry.newer = entry.older = null;
        if (bounded) this.lru.touch(entry);
      }
    }
    if (bounded) this.evictOverflow();
    this.storeFunction = {
      id: this.id,
      version: this.hash,
      ttlMs: this.ttlMs === 0 ? undefined : this.ttlMs,
      maxEntries: this.maxEntries === Infinity ? undefined : this.maxEntries,
      maxBytes: this.maxBytes === Infinity ? undefined : this.maxBytes,
    };
    // The store named by the tag; else, for a memo that a store can key (not `persist: false`,
    // not keyed by identity), the default store (`automemo run`, `configure`); singletons never persist.
    const takesDefault = this.options.persist === undefined && this.isMemo && this.layout.identityDepth === 0 && !this.layout.identityAll;
    this.persist = takesDefault ? defaultPersist(shared.settings) : this.options.persist || undefined;
    this.persistIsDefault = takesDefault && this.persist !== undefined;
    this.fastPath = !this.disabled && this.layout.identityDepth === 0 && !this.layout.identityAll;
    this.updateQuickHits();
  }

  private updateQuickHits(): void {
    this.plainHits = this.ttlMs === 0 && !this.bounded && this.validateHook === undefined;
    const quickHits = this.plainHits && this.fastPath;
    if (quickHits !== this.quickHits || !quickHits) {
      this.quickHits = quickHits;
      this.resetQuickValues();
    }
    if (!quickHits) this.recent1 = this.recent2 = null;
  }

  storeKeyNames(count: number): readonly string[] {
    return this.layout.hashNames(0, count);
  }
}
