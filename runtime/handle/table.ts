/**
 * Where a handle's entries live. A `Table` holds the entries of one value-keyed
 * space: primitive keys go into exact `Map`s (1 component: one Map; 2-3: nested
 * Maps; SameValueZero, so NaN matches NaN: -0 never gets here, see isPrimitiveKey in
 * lookups.ts), anything else is hashed and filed under a 30-bit slice of the digest (a small integer, so the Map
 * key never allocates) with the full 128-bit digest checked on a hit.
 *
 * Identity-keyed components ("this", and singleton arguments with key: "identity")
 * are resolved first through an `IdentityScope`: a WeakMap level per component for
 * objects (entries die with the object) and a Map for primitives, ending in a Table.
 */
import { Entry, SLOT_DIGEST, SLOT_MAP1, SLOT_MAP2, SLOT_MAP3, SLOT_NONE } from "./entry.ts";

export class Table {
  slot: Entry | undefined = undefined;
  map1: Map<unknown, Entry> | null = null;
  map2: Map<unknown, Map<unknown, Entry>> | null = null;
  map3: Map<unknown, Map<unknown, Map<unknown, Entry>>> | null = null;
  digests: Map<number, Entry> | null = null;

  /** True when the table hangs under a WeakMap: its entries are tracked weakly. */
  constructor(readonly weak: boolean) {}

  /** Digest lookup: `bucket` is the Map key, the lanes confirm the match. */
  findDigest(bucket: number, word0: number, word1: number, word2: number, word3: number): Entry | undefined {
    if (this.digests === null) return undefined;
    let entry = this.digests.get(bucket);
    while (entry !== undefined) {
      if (entry.keyPart0 === word0 && entry.keyPart1 === word1 && entry.keyPart2 === word2 && entry.keyPart3 === word3) return entry;
      entry = entry.chain ?? undefined;
    }
    return undefined;
  }

  /** Files an entry under its key; returns the entry it replaced, if any. */
  insert(entry: Entry): Entry | undefined {
    let previous: Entry | undefined;
    switch (entry.slot) {
      case SLOT_NONE:
        previous = this.slot;
        this.slot = entry;
        break;
      case SLOT_MAP1: {
        const map = (this.map1 ??= new Map());
        previous = map.get(entry.keyPart0);
        map.set(entry.keyPart0, entry);
        break;
      }
      case SLOT_MAP2: {
        const outer = (this.map2 ??= new Map());
        let inner = outer.get(entry.keyPart0);
        if (inner === undefined) outer.set(entry.keyPart0, (inner = new Map()));
        previous = inner.get(entry.keyPart1);
        inner.set(entry.keyPart1, entry);
        break;
      }
      case SLOT_MAP3: {
        const outer = (this.map3 ??= new Map());
        let middle = outer.get(entry.keyPart0);
        if (middle === undefined) outer.set(entry.keyPart0, (middle = new Map()));
        let inner = middle.get(entry.keyPart1);
        if (inner === undefined) middle.set(entry.keyPart1, (inner = new Map()));
        previous = inner.get(entry.keyPart2);
        inner.set(entry.keyPart2, entry);
        break;
      }
      case SLOT_DIGEST: {
        const map = (this.digests ??= new Map());
        const bucket = (entry.keyPart0 as number) >>> 2;
        previous = this.findDigest(bucket, entry.keyPart0 as number, entry.keyPart1 as number, entry.keyPart2 as number, entry.keyPart3 as number);
        if (previous !== undefined) this.removeFromChain(bucket, previous);
        entry.chain = map.get(bucket) ?? null;
        map.set(bucket, entry);
        break;
      }
    }
    return previous;
  }

  /** Unfiles an entry if it is still the one filed under its key. */
  remove(entry: Entry): void {
    switch (entry.slot) {
      case SLOT_NONE:
        if (this.slot === entry) this.slot = undefined;
        break;
      case SLOT_MAP1:
        if (this.map1?.get(entry.keyPart0) === entry) this.map1.delete(entry.keyPart0);
        break;
      case SLOT_MAP2: {
        const inner = this.map2?.get(entry.keyPart0);
        if (inner?.get(entry.keyPart1) !== entry) break;
        inner.delete(entry.keyPart1);
        if (inner.size === 0) this.map2!.delete(entry.keyPart0);
        break;
      }
      case SLOT_MAP3: {
        const middle = this.map3?.get(entry.keyPart0);
        const inner = middle?.get(entry.keyPart1);
        if (inner?.get(entry.keyPart2) !== entry) break;
        inner.delete(entry.keyPart2);
        if (inner.size === 0) middle!.delete(entry.keyPart1);
        if (middle!.size === 0) this.map3!.delete(entry.keyPart0);
        break;
      }
      case SLOT_DIGEST:
        this.removeFromChain((entry.keyPart0 as number) >>> 2, entry);
        break;
    }
  }

  private removeFromChain(bucket: number, target: Entry): void {
    const map = this.digests;
    if (map === null) return;
    let previous: Entry | null = null;
    let entry = map.get(bucket) ?? null;
    while (entry !== null && entry !== target) {
      previous = entry;
      entry = entry.chain;
    }
    if (entry === null) return;
    if (previous === null) {
      if (target.chain === null) map.delete(bucket);
      else map.set(bucket, target.chain);
    } else {
      previous.chain = target.chain;
    }
    target.chain = null;
  }

  forEach(visit: (entry: Entry) => void): void {
    if (this.slot !== undefined) visit(this.slot);
    this.map1?.forEach(visit);
    this.map2?.forEach((inner) => inner.forEach(visit));
    this.map3?.forEach((middle) => middle.forEach((inner) => inner.forEach(visit)));
    this.digests?.forEach((head) => {
      for (let entry: Entry | null = head; entry !== null; entry = entry.chain) visit(entry);
    });
  }
}

/**
 * Identity levels in front of the value tables. Level i maps the i-th identity
 * component to the next level (or, at the last level, to a Table): objects through
 * a WeakMap, primitives through a Map.
 */
export class IdentityScope {
  private weakRoot = new WeakMap<object, unknown>();
  private strongRoot = new Map<unknown, unknown>();

  constructor(private readonly depth: number) {}

  /** The table for these identity components; `create` false returns undefined instead of creating it. */
  resolve(components: ArrayLike<unknown>, create: boolean): Table | undefined {
    let weakLevel: WeakMap<object, unknown> = this.weakRoot;
    let strongLevel: Map<unknown, unknown> = this.strongRoot;
    let underWeak = false;
    for (let i = 0; i < this.depth; i++) {
      const component = components[i];
      const last = i === this.depth - 1;
      const isObject = (typeof component === "object" && component !== null) || typeof component === "function";
      underWeak ||= isObject;
      let next = isObject ? weakLevel.get(component as object) : strongLevel.get(component);
      if (next === undefined) {
        if (!create) return undefined;
        next = last ? new Table(underWeak) : new ScopeLevel();
        if (isObject) weakLevel.set(component as object, next);
        else strongLevel.set(component, next);
      }
      if (last) return next as Table;
      weakLevel = (next as ScopeLevel).weak;
      strongLevel = (next as ScopeLevel).strong;
    }
    return undefined;
  }

  /** The one component case ("this", or a one-argument identity singleton) without an array. */
  resolve1(component: unknown, create: boolean): Table | undefined {
    const isObject = (typeof component === "object" && component !== null) || typeof component === "function";
    let table = (isObject ? this.weakRoot.get(component as object) : this.strongRoot.get(component)) as Table | undefined;
    if (table === undefined && create) {
      table = new Table(isObject);
      if (isObject) this.weakRoot.set(component as object, table);
      else this.strongRoot.set(component, table);
    }
    return table;
  }

  /** Tables reachable through primitive components only (weakly held ones are enumerated through their entries). */
  forEachStrongTable(visit: (table: Table) => void): void {
    const walk = (level: Map<unknown, unknown>, remaining: number) => {
      level.forEach((next) => {
        if (remaining === 1) visit(next as Table);
        else walk((next as ScopeLevel).strong, remaining - 1);
      });
    };
    walk(this.strongRoot, this.depth);
  }
}

class ScopeLevel {
  readonly weak = new WeakMap<object, unknown>();
  readonly strong = new Map<unknown, unknown>();
}
