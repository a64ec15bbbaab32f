/**
 * The lookups the emitted code calls (`get0`..`get3`, `getN`, arguments in the order
 * of meta.key) and what a hit returns. A lookup either answers the cached value or
 * the MISS token, leaving a `Miss` record for the `settle` call that follows.
 *
 * Hit path for the common case (no identity components, not disabled, all-primitive
 * key): one Map lookup per component, a couple of field checks, no allocation.
 */
import { copySnapshot, type ResultSnapshot } from "../copy/index.ts";
import { ComputeCycleError } from "../errors.ts";
import { keyDigest } from "../hash/index.ts";
import { observers, type EvictMessage, type LookupMessage } from "../observe/channels.ts";
import { coarseNow } from "./clock.ts";
import { cycleThrough } from "./compute-chain.ts";
import { Entry, SLOT_DIGEST, SLOT_MAP1, SLOT_MAP2, SLOT_MAP3, SLOT_NONE, STATE_READY } from "./entry.ts";
import { hashComponents } from "./key-layout.ts";
import { KEY_CAPTURED, MISS, Miss, PASS_THROUGH } from "./miss.ts";
import { copyKeyValue, NOT_COPIED, sameKeyValue } from "./recent-key.ts";
import { KEEP_FOR_ERRORS, SERVE_STALE, staleUse } from "./freshness.ts";
import { isQuickIndex } from "./quick-values.ts";
import { MissSettler } from "./settle.ts";
import {
  EXPLAIN_OFF,
  explaining,
  keyText,
  MissLog,
  REASON_CODE_CHANGED,
  REASON_EXPIRED,
  REASON_FIRST_CALL,
  REASON_NEW_ARGUMENTS,
  REASON_NONE,
  type ExplainedMiss,
  type MissReason,
} from "./explain.ts";
import { IdentityScope, type Table } from "./table.ts";

function clearScratch(values: unknown[]): void {
  for (let i = 0; i < values.length; i++) values[i] = undefined;
}

function isPrimitiveKey(value: unknown): boolean {
  const type = typeof value;
  // Symbols take the hashed path: only registered ones are hashable, and the hasher says so.
  // So does -0: a Map key is SameValueZero (-0 would find 0's entry), the hasher is SameValue.
  return value === null || (type !== "object" && type !== "function" && type !== "symbol" && !Object.is(value, -0));
}

/** Failed compares in a row after which a handle stops trying its recent key (recent-key.ts). */
const RECENT_KEY_PATIENCE = 16;

export abstract class HandleLookups extends MissSettler {
  // Lookup cursor: where the last `locate` filed the key (fields, so locating allocates nothing).
  private cursorSlot = SLOT_NONE;
  private cursorFirstKey: unknown = undefined;
  private cursorSecondKey: unknown = undefined;
  private cursorThirdKey: unknown = undefined;
  private readonly scratch: unknown[][] = [[], [undefined], [undefined, undefined], [undefined, undefined, undefined]];
  /** Set while `clear(fn, ...args)` calls the bound function to capture the key its lookup receives (cache-handle.ts). */
  protected capturing = false;
  protected capturedKey: unknown[] | null = null;
  /** The diagnostics channels tested on every hit and miss (SILENT where there are none). */
  private readonly hitChannel = observers().hit;
  private readonly missChannel = observers().miss;

  get0(): unknown {
    if (this.fastPath) {
      const entry = this.root.slot;
      if (entry !== undefined) return this.hit(entry);
      this.misses++;
      return this.missed(new Miss(this.root, SLOT_NONE, undefined, undefined, undefined, undefined));
    }
    return this.lookup(this.scratch[0], 0);
  }

  get1(a: unknown): unknown {
    // See `recent1`: === on the key, plus the sign of a zero (-0 === 0, and its key is never -0).
    const recent = this.recent1;
    if (recent !== null && recent.keyPart0 === a && (a !== 0 || !Object.is(a, -0))) {
      this.hits++;
      if (this.hitChannel.hasSubscribers) this.announceHit();
      return recent.hitValue;
    }
    // See quick-values.ts: NaN finds NaN, 1 is not "1", and -0 would find 0's value.
    const quick = this.quickValues;
    if (quick !== null) {
      const value = isQuickIndex(a) ? quick.byIndex[a] : quick.byKey.get(a);
      if (value !== undefined && (a !== 0 || !Object.is(a, -0))) {
        this.hits++;
        if (this.hitChannel.hasSubscribers) this.announceHit();
        return value;
      }
    }
    return this.find1(a);
  }

  private find1(a: unknown): unknown {
    if (this.fastPath) {
      if (isPrimitiveKey(a)) {
        const map = this.root.map1;
        const entry = map === null ? undefined : map.get(a);
        if (entry !== undefined) return this.hit(entry);
        this.misses++;
        return this.missed(new Miss(this.root, SLOT_MAP1, a, undefined, undefined, undefined));
      }
      const recent = this.recentKeyEntry;
      if (recent !== null) {
        if (sameKeyValue(a, this.recentKey)) {
          if (this.recentKeyFailures !== 0) this.recentKeyFailures = 0;
          return this.hit(recent);
        }
        // Calls spread over many keys: stop paying for the compare until the next new key is filed.
        if (++this.recentKeyFailures === RECENT_KEY_PATIENCE) this.forgetRecentKey();
      }
    }
    const values = this.scratch[1];
    values[0] = a;
    return this.lookup(values, 1);
  }

  get2(a: unknown, b: unknown): unknown {
    const recent = this.recent2;
    if (recent !== null && recent.keyPart0 === a && recent.keyPart1 === b && (a !== 0 || !Object.is(a, -0)) && (b !== 0 || !Object.is(b, -0))) {
      this.hits++;
      if (this.hitChannel.hasSubscribers) this.announceHit();
      return recent.hitValue;
    }
    return this.find2(a, b);
  }

  private find2(a: unknown, b: unknown): unknown {
    if (this.fastPath && isPrimitiveKey(a) && isPrimitiveKey(b)) {
      const outer = this.root.map2;
      const inner = outer === null ? undefined : outer.get(a);
      const entry = inner === undefined ? undefined : inner.get(b);
      if (entry !== undefined) return this.hit(entry);
      this.misses++;
      return this.missed(new Miss(this.root, SLOT_MAP2, a, b, undefined, undefined));
    }
    const values = this.scratch[2];
    values[0] = a;
    values[1] = b;
    return this.lookup(values, 2);
  }

  get3(a: unknown, b: unknown, c: unknown): unknown {
    if (this.fastPath && isPrimitiveKey(a) && isPrimitiveKey(b) && isPrimitiveKey(c)) {
      const outer = this.root.map3;
      const middle = outer === null ? undefined : outer.get(a);
      const inner = middle === undefined ? undefined : middle.get(b);
      const entry = inner === undefined ? undefined : inner.get(c);
      if (entry !== undefined) return this.hit(entry);
      this.misses++;
      return this.missed(new Miss(this.root, SLOT_MAP3, a, b, c, undefined));
    }
    const values = this.scratch[3];
    values[0] = a;
    values[1] = b;
    values[2] = c;
    return this.lookup(values, 3);
  }

  getN(values: ArrayLike<unknown>): unknown {
    return this.lookup(values, values.length);
  }

  // ---- general lookup ----

  private lookup(values: ArrayLike<unknown>, count: number): unknown {
    const ownScratch = values === this.scratch[count];
    if (this.capturing) {
      this.capturedKey = Array.from(values);
      if (ownScratch) clearScratch(values as unknown[]);
      return this.missed(KEY_CAPTURED);
    }
    if (this.disabled) {
      if (ownScratch) clearScratch(values as unknown[]);
      return this.missed(PASS_THROUGH);
    }
    let table: Table;
    let entry: Entry | undefined;
    let components: unknown[] | null = null;
    let keyCopy: unknown = NOT_COPIED;
    try {
      table = this.locate(values, count, true)!;
      entry = this.find(table);
      // Only hashed-key misses copy their key (for the store, for the recent-key shortcut), so hits allocate nothing.
      if (entry === undefined && this.cursorSlot === SLOT_DIGEST) {
        if (this.persist !== undefined || explaining.mode !== EXPLAIN_OFF) components = Array.from(values);
        if (count === 1 && this.fastPath) keyCopy = copyKeyValue(values[0]);
      }
    } finally {
      // Scratch arrays must not keep key objects alive (identity keys die with their objects).
      if (ownScratch) clearScratch(values as unknown[]);
    }
    if (entry !== undefined) return this.hit(entry);
    this.misses++;
    const miss = this.missAtCursor(table);
    miss.components = components;
    miss.keyCopy = keyCopy;
    return this.missed(miss);
  }

  /** Leaves `miss` for the `settle` call the emitted code makes next, and answers MISS. */
  private missed(miss: Miss): object {
    this.pendingMiss = miss;
    // Captured keys and disabled pass-throughs (no table) are not lookups.
    if (this.missChannel.hasSubscribers && miss.table !== null) this.missChannel.publish({ id: this.id, kind: this.kind } satisfies LookupMessage);
    return MISS;
  }

  private missAtCursor(table: Table): Miss {
    if (this.cursorSlot === SLOT_DIGEST) return new Miss(table, SLOT_DIGEST, keyDigest[0], keyDigest[1], keyDigest[2], keyDigest[3]);
    return new Miss(table, this.cursorSlot, this.cursorFirstKey, this.cursorSecondKey, this.cursorThirdKey, undefined);
  }

  /** Resolves identity components to a table and sets the cursor to the key inside it. */
  protected locate(values: ArrayLike<unknown>, count: number, create: boolean): Table | undefined {
    const depth = this.layout.identityAll ? count : this.layout.identityDepth;
    let table: Table | undefined = this.root;
    if (depth > 0) {
      const scope = (this.scopes[depth] ??= new IdentityScope(depth));
      table = depth === 1 ? scope.resolve1(values[0], create) : scope.resolve(values, create);
      if (table === undefined) return undefined;
    }
    const remaining = count - depth;
    this.cursorFirstKey = this.cursorSecondKey = this.cursorThirdKey = undefined;
    if (remaining === 0) {
      this.cursorSlot = SLOT_NONE;
      return table;
    }
    if (remaining <= 3) {
      let primitive = true;
      for (let i = depth; i < count; i++) primitive &&= isPrimitiveKey(values[i]);
      if (primitive) {
        this.cursorSlot = remaining;
        this.cursorFirstKey = values[depth];
        if (remaining > 1) this.cursorSecondKey = values[depth + 1];
        if (remaining > 2) this.cursorThirdKey = values[depth + 2];
        return table;
      }
    }
    hashComponents(this.layout, this.id, values, depth, count, this.scratch[remaining]);
    this.cursorSlot = SLOT_DIGEST;
    return table;
  }

  /** The entry filed where the last `locate` put the cursor, if any. */
  protected find(table: Table): Entry | undefined {
    switch (this.cursorSlot) {
      case SLOT_NONE:
        return table.slot;
      case SLOT_MAP1:
        return table.map1?.get(this.cursorFirstKey);
      case SLOT_MAP2:
        return table.map2?.get(this.cursorFirstKey)?.get(this.cursorSecondKey);
      case SLOT_MAP3:
        return table.map3?.get(this.cursorFirstKey)?.get(this.cursorSecondKey)?.get(this.cursorThirdKey);
      default:
        return table.findDigest(keyDigest[0] >>> 2, keyDigest[0], keyDigest[1], keyDigest[2], keyDigest[3]);
    }
  }

  // ---- hits ----

  private hit(entry: Entry): unknown {
    if (this.plainHits && entry.state === STATE_READY) {
      this.hits++;
      if (this.hitChannel.hasSubscribers) this.announceHit();
      const snapshot = entry.snapshot;
      return snapshot === null ? entry.hitValue : this.copyOut(entry, snapshot);
    }
    return this.checkedHit(entry);
  }

  /** Out of the hit path's way: only called while someone subscribes to "automemo:hit". */
  private announceHit(): void {
    this.hitChannel.publish({ id: this.id, kind: this.kind } satisfies LookupMessage);
  }

  /** A hit that needs more than a counter: in flight, ttl, LRU bookkeeping or validate. */
  private checkedHit(entry: Entry): unknown {
    if (entry.state !== STATE_READY) return this.hitPending(entry);
    if (this.ttlMs !== 0 && coarseNow() >= entry.expiresAt) return this.expired(entry);
    if (this.bounded) this.lru.touch(entry);
    if (this.validateHook !== undefined && !this.validateHook(entry.value)) return this.removeAndMiss(entry, "invalid");
    this.hits++;
    if (this.hitChannel.hasSubscribers) this.announceHit();
    const snapshot = entry.snapshot;
    return snapshot === null ? entry.hitValue : this.copyOut(entry, snapshot);
  }

  /** A concurrent caller of an in-flight computation: memo waiters each get their own copy. */
  private hitPending(entry: Entry): unknown {
    // Awaited from inside its own computation, the entry could never settle (compute-chain.ts).
    const cycle = cycleThrough(this, entry);
    if (cycle !== undefined) return Promise.reject(new ComputeCycleError({ cycle }));
    this.hits++;
    if (this.hitChannel.hasSubscribers) this.announceHit();
    if (this.isMemo) return (entry.promise as Promise<ResultSnapshot>).then(copySnapshot);
    return entry.promise;
  }

  /** Past its ttl: a stale hit (refreshing), a miss whose settle() starts the refresh, a miss that may fall back to it, or a plain miss. */
  private expired(entry: Entry): unknown {
    const use = staleUse(entry, this.staleWhileRevalidateMs, this.staleIfErrorMs);
    if (use === SERVE_STALE && entry.refreshing) {
      this.staleHits++;
      return this.readyValue(entry);
    }
    if (use === SERVE_STALE) {
      // Only settle() has the compute function to refresh with: the entry stays filed meanwhile (settle.ts).
      const miss = this.missOfEntry(entry);
      miss.stale = entry;
      miss.reason = REASON_EXPIRED;
      return this.missed(miss);
    }
    return this.removeAndMiss(entry, "expired", use === KEEP_FOR_ERRORS);
  }

  /** The entry's key missed (expired, failed validate): removes it and answers MISS, with a pending miss filing into the same place. */
  private removeAndMiss(entry: Entry, reason: EvictMessage["reason"], keepForErrors = false): object {
    // The recent key's entry hands its key copy on, so the shortcut survives a ttl expiry.
    const keyCopy = entry === this.recentKeyEntry ? this.recentKey : NOT_COPIED;
    this.removeEntry(entry, true);
    this.announceEviction(reason);
    this.misses++;
    const miss = this.missOfEntry(entry);
    miss.keyCopy = keyCopy;
    if (keepForErrors) miss.stale = entry;
    if (reason === "expired") miss.reason = REASON_EXPIRED;
    return this.missed(miss);
  }

  // ---- why it missed (explain.ts; only while explaining is on) ----

  /** Decides the reason of `miss` before it is computed, and what differs from the nearest computed key. */
  protected explainMiss(miss: Miss): void {
    const table = miss.table;
    if (table === null) return;
    const log = (this.missLog ??= new MissLog());
    const text = keyText(miss.slot, miss.keyPart0, miss.keyPart1, miss.keyPart2, miss.keyPart3);
    let reason = miss.reason;
    if (reason === REASON_NONE) reason = log.takeRemoval(table, text);
    if (reason === REASON_NONE && log.previousVersion?.has(text)) reason = REASON_CODE_CHANGED;
    const depth = this.layout.identityAll ? 0 : this.layout.identityDepth;
    const components = miss.components !== null ? miss.components.slice(depth) : [miss.keyPart0, miss.keyPart1, miss.keyPart2].slice(0, miss.slot === SLOT_NONE ? 0 : miss.slot);
    const changes = miss.slot === SLOT_DIGEST && miss.components === null ? undefined : log.changesFrom(this.layout.hashNames(depth, components.length), components);
    if (reason === REASON_NONE) reason = this.misses <= 1 && log.previousVersion === null ? REASON_FIRST_CALL : REASON_NEW_ARGUMENTS;
    miss.reason = reason;
    if (reason === REASON_NEW_ARGUMENTS && changes !== undefined) log.pendingChanges.set(miss, changes);
  }

  /** The miss is computed now: its reason goes into the log (and is printed with AUTOMEMO_EXPLAIN=1). */
  protected recordMiss(miss: Miss): void {
    const log = this.missLog!;
    log.record(this.id, miss.reason, log.pendingChanges.get(miss));
  }

  /** The previous code version's keys (the registry replaces this handle): their misses are `code changed`. */
  liveKeyTexts(): Set<string> {
    const texts = new Set<string>();
    for (const entry of this.liveEntries()) texts.add(keyText(entry.slot, entry.keyPart0, entry.keyPart1, entry.keyPart2, entry.keyPart3));
    return texts;
  }

  /** Set by the registry on the handle of a new code version (explain.ts). */
  succeed(previousKeys: Set<string>): void {
    (this.missLog ??= new MissLog()).previousVersion = previousKeys;
  }

  /** `explain(fn)`: the recent misses, oldest first. */
  explainMisses(): ExplainedMiss[] {
    return this.missLog?.misses() ?? [];
  }

  /** The most frequent miss reason, when misses were explained. */
  mainMissReason(): MissReason | undefined {
    return this.missLog?.mainReason();
  }
}
