/**
 * What a lookup answers when the value must be computed: the one `MISS` token. The
 * emitted code compares the lookup's answer with it (`r !== MISS`, a pointer
 * compare: `instanceof` on a hit value cost more than the rest of the hit) and then
 * calls `handle.settle(compute)`, which consumes the `Miss` record the lookup left on
 * the handle. No user code runs between the two calls, so one pending record per
 * handle is enough, recursion included (settle takes the record before computing).
 *
 * Every copy of the runtime loaded in one process (ESM and CJS, two bundles) must
 * hand out the SAME token, because a handle from the shared registry may have been
 * created by another copy: the first copy publishes it on the shared registry.
 */
import type { Entry } from "./entry.ts";
import type { Table } from "./table.ts";
import { NOT_COPIED } from "./recent-key.ts";
import { sharedRuntime } from "./shared.ts";

/**
 * Where a missed key goes once computed: the table and slot, the exact components or
 * the digest. One class for every miss record, so the handle code reading them stays
 * monomorphic.
 */
export class Miss {
  /** Every key component, kept only when a persistent store needs a full key. */
  components: unknown[] | null = null;
  /** A private copy of a single small plain-data key for the recent-key shortcut (recent-key.ts), or NOT_COPIED. */
  keyCopy: unknown = NOT_COPIED;
  /** Tags given to cacheTag() while this miss was computed (runtime/fleet/tags.ts), or read with a stored record. */
  tags: string[] | null = null;
  /** The expired entry of this key, kept for staleWhileRevalidate / staleIfError (freshness.ts). */
  stale: Entry | null = null;
  /** Why this key missed when the lookup knew it (REASON_EXPIRED), else REASON_NONE until explained (explain.ts). */
  reason = 0;

  constructor(
    readonly table: Table | null,
    readonly slot: number,
    /** As `Entry.keyPart0..3`: exact components for the SLOT_MAP slots, the digest's words (keyDigest at lookup) for SLOT_DIGEST. */
    readonly keyPart0: unknown,
    readonly keyPart1: unknown,
    readonly keyPart2: unknown,
    readonly keyPart3: unknown,
  ) {}
}

/**
 * The pending miss of every lookup while `clear(fn, ...args)` captures a key: the
 * emitted code settles it as usual, and settling never runs the computation.
 */
export const KEY_CAPTURED = new Miss(null, 0, undefined, undefined, undefined, undefined);
/** The pending miss of a disabled handle: settling just runs the computation. */
export const PASS_THROUGH = new Miss(null, 0, undefined, undefined, undefined, undefined);

/** The token's class: a name in debuggers and a readable `String(MISS)`. */
class MissToken {
  toString(): string {
    return "[automemo MISS]";
  }
}

const shared = sharedRuntime();
/** The answer of a lookup that missed (see the file comment). */
export const MISS: object = (shared.missToken ??= Object.freeze(new MissToken())) as object;
