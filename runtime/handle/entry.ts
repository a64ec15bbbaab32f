/**
 * One cached result. A single class with every field initialised in the
 * constructor keeps entries on one hidden class, so the hit path stays monomorphic.
 */
import type { ResultSnapshot } from "../copy/index.ts";
import type { Table } from "./table.ts";

/** How an entry is addressed inside its table. */
export const SLOT_NONE = 0;
export const SLOT_MAP1 = 1;
export const SLOT_MAP2 = 2;
export const SLOT_MAP3 = 3;
export const SLOT_DIGEST = 4;

/** The computation is still running; `promise` is the shared in-flight promise. */
export const STATE_PENDING = 0;
export const STATE_READY = 1;
/** Removed from its table (evicted, expired, cleared); a late settlement must not store into it. */
export const STATE_REMOVED = 2;

/** What the finalization callback of an entry in a weak scope needs, without holding the entry. */
export interface WeakEntryRecord {
  readonly ref: WeakRef<Entry>;
  bytes: number;
}

export class Entry {
  state = STATE_PENDING;
  /** Memo: the snapshot's value (plain data); singleton: the live object. */
  value: unknown = undefined;
  /** Memo only: what `copySnapshot` copies on a hit; null for primitives (returned as is). */
  snapshot: ResultSnapshot | null = null;
  /** Pending: the shared in-flight promise. Ready async singleton: the resolved promise handed to every caller. */
  promise: Promise<unknown> | null = null;
  /** Ready memo entries of async functions return promises; primitives reuse one resolved promise. */
  isAsync = false;
  /** What a ready hit returns when no copy is needed: the value, or for async functions its resolved promise. */
  hitValue: unknown = undefined;
  bytes = 0;
  expiresAt = Infinity;
  /** Next entry with the same 30-bit digest bucket. */
  chain: Entry | null = null;
  /** Intrusive LRU links (only used when the handle is bounded). */
  newer: Entry | null = null;
  older: Entry | null = null;
  /** Stamp of the last use (SharedMemory.clock), set with the LRU links: compared across functions by the memory budget. */
  usedAt = 0;
  weakRecord: WeakEntryRecord | null = null;
  /** Tags added by cacheTag() while it was computed (static tags live on the handle), or null. */
  tags: readonly string[] | null = null;
  /** Expired within staleWhileRevalidate and a background refresh is running (freshness.ts). */
  refreshing = false;

  constructor(
    readonly table: Table,
    readonly slot: number,
    /**
     * Where the entry is filed inside its table: for the SLOT_MAP slots the exact
     * (primitive) key components, undefined past the key's length (keyPart3 always);
     * for SLOT_DIGEST the four 32-bit words of the key's 128-bit digest. One set of
     * fields for both, since an entry is only ever one of them.
     */
    readonly keyPart0: unknown,
    readonly keyPart1: unknown,
    readonly keyPart2: unknown,
    readonly keyPart3: unknown,
  ) {}
}
