/**
 * The hit values of a handle's count-and-return entries keyed by one primitive (see
 * `EntryBook.quickValues`), where a hit reads the value itself, not its Entry: small
 * non-negative integers as elements of a null-prototype object (what an array lookup
 * costs; no prototype can answer for a missing index), everything else in a Map.
 *
 * Exactness: the Map compares keys with SameValueZero (NaN finds NaN; 1 and "1" stay
 * apart) and the elements only take numbers, so the one key to refuse is -0, which
 * would find 0's value: the lookups test a zero's sign (-0 never gets filed here, its
 * key is hashed). `undefined` means absent on both sides, so an undefined result is
 * never filed here (its hits take the entry Map).
 */

/** Integer keys from 0 up to this limit are elements; larger ones (sparse elements cost as much as a Map) go to the Map. */
const INDEX_LIMIT = 1 << 16;

export function isQuickIndex(key: unknown): key is number {
  return typeof key === "number" && key >>> 0 === key && key < INDEX_LIMIT;
}

export class QuickValues {
  readonly byIndex: Record<number, unknown> = Object.create(null) as Record<number, unknown>;
  readonly byKey = new Map<unknown, unknown>();

  set(key: unknown, value: unknown): void {
    if (isQuickIndex(key)) this.byIndex[key] = value;
    else this.byKey.set(key, value);
  }

  delete(key: unknown): void {
    // An undefined element rather than `delete`, which can turn the elements into a dictionary.
    if (isQuickIndex(key)) this.byIndex[key] = undefined;
    else this.byKey.delete(key);
  }
}
