/**
 * The cache of one annotated function. One class for memo and singleton handles (a
 * `kind` flag, not subclasses) so every lookup site and the hit path stay monomorphic.
 * It is built in layers, one job per file, and only this final class is instantiated:
 *
 * - entry-book.ts: filing entries, LRU and eviction, ttl stamps, counters;
 * - handle-settings.ts: options, key layout and the settings derived from them;
 * - settle.ts: running the computation of a miss and caching its result;
 * - lookups.ts: the lookups the emitted code calls, and hits;
 * - here: binding the function and clearing it, all of it or the key of one call.
 */
import { ClearKeyError } from "../errors.ts";
import type { CacheKind, FunctionMeta } from "../meta.ts";
import { HandleLookups } from "./lookups.ts";
import { REASON_CLEARED, REASON_NONE, REASON_TAG } from "./explain.ts";
import { announce } from "../fleet/fleet.ts";
import { carriesAny } from "../fleet/tags.ts";
import { deleteStored, entryStoreKey, isPromiseLike, storeKeyOf } from "./persist.ts";
import { computeOfCall } from "./settle-call.ts";
import { sharedRuntime, type AnyFunction, type RegisteredHandle } from "./shared.ts";

export { handleSignature } from "./handle-settings.ts";

const shared = sharedRuntime();

const noop = () => {};

export class CacheHandle extends HandleLookups implements RegisteredHandle {
  /** The first function bound to this handle: emitted code (or a by-hand wrapper) whose first step is the lookup. */
  private boundFunction: AnyFunction | undefined = undefined;

  constructor(kind: CacheKind, meta: FunctionMeta) {
    super(kind, meta);
    this.refreshSettings();
  }

  /** Records `fn -> this handle` so `clear(fn)`, `stats(fn)` and `configure(fn, ...)` find it. Idempotent. */
  bindFunction(fn: AnyFunction): void {
    shared.byFunction.set(fn, this);
    // The first: a by-hand memo() binds its wrapper, then the raw function, which must never be called to capture a key.
    this.boundFunction ??= fn;
  }

  /** `settle(() => fn.apply(self, args))` without a closure in the caller: the emitted sibling shape's miss (settle-call.ts). */
  settleCall(fn: AnyFunction, self: unknown, ...args: unknown[]): unknown {
    return this.settle(computeOfCall(fn, self, args));
  }

  // ---- control API (protocol shared by runtime copies) ----

  async clear(includeStore = true, announceIt = includeStore): Promise<void> {
    const releases: Promise<void>[] = [];
    if (includeStore && this.persist !== undefined) releases.push(deleteStored(this));
    const reason = this.removalReason;
    this.removalReason = reason === REASON_NONE ? REASON_CLEARED : reason;
    try {
      for (const entry of this.liveEntries()) {
        const released = this.removeEntry(entry, true);
        if (released !== undefined) releases.push(released);
      }
    } finally {
      this.removalReason = reason;
    }
    // The tables stay: a miss being settled right now still files into them, and counts right.
    await Promise.all(releases);
    // After the store: another process that drops its copy must not read the old one back.
    if (announceIt) await announce({ kind: "clear", id: this.id }, [this.persist]);
  }

  async clearCall(args: ArrayLike<unknown>): Promise<void> {
    const components = this.boundFunction !== undefined && !this.layout.names?.includes("this") ? this.keyOfCall(args) : this.layout.componentsFromCall(args, this.id);
    const table = this.locate(components, components.length, false);
    const entry = table === undefined ? undefined : this.find(table);
    const stored = this.persist !== undefined ? deleteStored(this, components) : undefined;
    this.removalReason = REASON_CLEARED;
    const released = entry === undefined ? undefined : this.removeEntry(entry, true);
    this.removalReason = REASON_NONE;
    await released;
    await stored;
    // Identity keys mean nothing in another process.
    if (this.layout.identityDepth === 0 && !this.layout.identityAll) await announce({ kind: "clear", id: this.id, key: storeKeyOf(this, components) }, [this.persist]);
  }

  /** An invalidation from another process (runtime/fleet): the memory entry stored under `key`. */
  async forgetStoreKey(key: string): Promise<void> {
    await this.removeFor(REASON_CLEARED, () => this.removeEntriesWhere((entry) => entry.table === this.root && entryStoreKey(this, entry) === key));
  }

  async dropTagged(tags: ReadonlySet<string>): Promise<void> {
    if (carriesAny(this.options.tags, tags)) await this.removeFor(REASON_TAG, () => this.clear(false, false));
    else await this.removeFor(REASON_TAG, () => this.removeEntriesWhere((entry) => carriesAny(entry.tags, tags)));
  }

  /** Runs `remove`, whose removals happen before its first await, as removals for `reason` (explain.ts). */
  private removeFor(reason: number, remove: () => Promise<void>): Promise<void> {
    this.removalReason = reason;
    try {
      return remove();
    } finally {
      this.removalReason = REASON_NONE;
    }
  }

  /**
   * The key one call with `args` would look up, built by the function itself: it is
   * called with every lookup answering KEY_CAPTURED, so its parameter list applies
   * destructuring, defaults and rest exactly as in a real call (metadata lists bound
   * names, not call positions), and its body never runs.
   */
  private keyOfCall(args: ArrayLike<unknown>): unknown[] {
    const fastPath = this.fastPath;
    const quickValues = this.quickValues;
    // Route every lookup, the shortcuts included, through lookup().
    this.fastPath = false;
    this.recent1 = this.recent2 = null;
    this.quickValues = null;
    this.capturing = true;
    this.capturedKey = null;
    let failure: unknown;
    try {
      const returned: unknown = Reflect.apply(this.boundFunction!, undefined, Array.from(args));
      if (isPromiseLike(returned)) Promise.resolve(returned).catch(noop);
    } catch (error) {
      failure = error;
    } finally {
      this.capturing = false;
      this.fastPath = fastPath;
      this.quickValues = quickValues;
    }
    const key = this.capturedKey;
    this.capturedKey = null;
    if (key === null) {
      const why = failure instanceof Error ? `: ${failure.message}` : "";
      throw new ClearKeyError({ functionId: this.id, reason: `its parameters could not be bound to these arguments${why}` });
    }
    return key;
  }
}
