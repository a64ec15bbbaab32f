/**
 * An intrusive doubly linked list of entries, most recently used at the head.
 * O(1) touch / unlink / evict, and no allocation: the links live on the entries.
 * Only handles with `maxEntries` or `maxBytes` use it, so unbounded caches pay nothing.
 */
import type { Entry } from "./entry.ts";
import type { SharedMemory } from "./shared.ts";

export class LruList {
  /** Its clock stamps every use, so the lists of different functions can be compared (the memory budget). */
  constructor(private readonly memory: SharedMemory) {}

  private head: Entry | null = null;
  private tail: Entry | null = null;

  /** Inserts or moves an entry to the most-recently-used end. */
  touch(entry: Entry): void {
    entry.usedAt = ++this.memory.clock;
    if (this.has(entry)) {
      if (this.head === entry) return;
      this.unlink(entry);
    }
    entry.older = this.head;
    entry.newer = null;
    if (this.head !== null) this.head.newer = entry;
    this.head = entry;
    if (this.tail === null) this.tail = entry;
  }

  /** Whether `entry` is in the list (no flag on the entry: an unlinked one has no neighbours and is not the head). */
  has(entry: Entry): boolean {
    return entry.newer !== null || entry.older !== null || this.head === entry;
  }

  unlink(entry: Entry): void {
    if (!this.has(entry)) return;
    if (entry.newer !== null) entry.newer.older = entry.older;
    else this.head = entry.older;
    if (entry.older !== null) entry.older.newer = entry.newer;
    else this.tail = entry.newer;
    entry.newer = entry.older = null;
  }

  /** The least recently used entry (the next to evict). */
  oldest(): Entry | null {
    return this.tail;
  }

  /** Most recent first; for tests and for listing. */
  *entries(): IterableIterator<Entry> {
    for (let entry = this.head; entry !== null; entry = entry.older) yield entry;
  }

  clear(): void {
    this.head = this.tail = null;
  }
}
