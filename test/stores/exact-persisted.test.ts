/**
 * Exact results through the persistent stores: a value read back by a NEW store instance
 * (what another process sees) and handed out by the result copier must be strictly
 * equal to the value the function returned, or the value must be refused, or the read must miss (by the
 * copier on the first call, or by the store's encoder: then nothing is written and no
 * process ever reads an approximation).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { snapshotResult } from "../../runtime/copy/index.ts";
import { sharedRuntime } from "../../runtime/handle/shared.ts";
import { clearAll, configure, memo, UnserializableReturnValueError } from "../../runtime/index.ts";
import { resetStores } from "../../runtime/stores/index.ts";
import { DiskStore } from "../../runtime/stores/disk.ts";
import { RedisStore } from "../../runtime/stores/redis.ts";
import type { StoreFunction } from "../../runtime/stores/store.ts";
import { adversarialValue } from "../hash/adversarial-values.ts";
import { strictDifference } from "../support/strict-equal.ts";
import { RedisServer } from "./helpers/redis-server.ts";
import { redisTestsEnabled } from "./helpers/redis-tests.ts";
import { persistedMemoSuite } from "./helpers/persisted-suite.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

const KEY = "0123456789abcdef0123456789abcdef";
let counter = 0;
const nextFunction = (): StoreFunction => ({ id: `src/exact.ts#f${++counter}`, version: "v1" });

function withLastIndex(lastIndex: number): RegExp {
  const regexp = /a/gy;
  regexp.lastIndex = lastIndex;
  return regexp;
}

/** One value of every kind `v8.serialize` alone gets wrong, plus the kinds it gets right. */
const EXAMPLES: Record<string, () => unknown> = {
  "null prototype": () => Object.assign(Object.create(null) as object, { a: 1, nested: Object.create(null) as object }),
  "null prototype with an own __proto__ key": () => Object.defineProperty(Object.create(null) as object, "__proto__", { value: { isAdmin: true }, enumerable: true, writable: true, configurable: true }),
  "own __proto__ key": () => JSON.parse('{"__proto__":{"isAdmin":true}}'),
  "RegExp lastIndex": () => [withLastIndex(3), withLastIndex(0)],
  "Error with code and cause": () => Object.assign(new RangeError("bad", { cause: new Error("inner") }), { code: "E_BAD" }),
  "AggregateError": () => new AggregateError([new TypeError("one"), 2], "many"),
  "Error with another name": () => Object.assign(new Error("m"), { name: "CustomName" }),
  "Error with an enumerable message": () => Object.defineProperty(new Error(), "message", { value: "m", enumerable: true, writable: false, configurable: true }),
  "views sharing one buffer, with offsets": () => {
    const buffer = new ArrayBuffer(16);
    new Uint8Array(buffer).set([1, 2, 3, 4, 5, 6, 7, 8]);
    return { bytes: new Uint8Array(buffer, 3, 4), view: new DataView(buffer, 8, 4), words: new Uint16Array(buffer, 2, 3), buffer };
  },
  "one view twice": () => {
    const bytes = new Float64Array([1.5, -0]);
    return [bytes, bytes];
  },
  "a view at an offset alone": () => new Int32Array(new ArrayBuffer(32), 8, 2),
  "Buffer.alloc": () => Buffer.alloc(3, 7),
  "sparse arrays": () => {
    const holes: unknown[] = [1, , 3]; // eslint-disable-line no-sparse-arrays
    holes.length = 6;
    const long: unknown[] = [];
    long[100_000] = "far"; // longer ones (2^31) are misses: the decoded-shape bound refuses them
    return [holes, long, [undefined, undefined]];
  },
  "-0 everywhere": () => ({ n: -0, list: [-0], map: new Map([["k", -0]]) }),
  "Map and Set with object members": () => {
    const shared = { id: 1 };
    return [new Map<unknown, unknown>([[shared, shared]]), new Set([shared, { id: 2 }])];
  },
  "Date and BigInt": () => [new Date(12345), new Date(NaN), -(2n ** 70n)],
  "shared references": () => {
    const node: Record<string, unknown> = { name: "n", list: [1] };
    const error = new Error("shared");
    (error as unknown as Record<string, unknown>).owner = node;
    return { node, again: node, error, errors: [error, error] };
  },
  "a cycle at the root": () => {
    const root: Record<string, unknown> = { name: "root" };
    root.self = root;
    return root;
  },
  "an array containing itself": () => {
    const list: unknown[] = [1];
    list.push(list, [list]);
    return list;
  },
  "a cycle deep inside": () => {
    const leaf: Record<string, unknown> = { depth: 40 };
    let node: Record<string, unknown> = leaf;
    for (let depth = 39; depth >= 0; depth--) node = { depth, child: node };
    leaf.backToTop = node;
    leaf.backToMiddle = (node.child as Record<string, unknown>).child;
    return { top: node };
  },
  "cycles through Map keys, Map values and Set members": () => {
    const map = new Map<unknown, unknown>();
    const set = new Set<unknown>();
    const holder = { map, set };
    map.set(map, set).set("holder", holder).set(holder, [map]);
    set.add(set).add(holder).add(map);
    return holder;
  },
  "a null-prototype object and an error in a cycle": () => {
    const bare = Object.create(null) as Record<string, unknown>;
    const error = Object.assign(new TypeError("loop"), { bare });
    bare.error = error;
    bare.self = bare;
    return [bare, error];
  },
  "a shared subobject under many parents and a chain of diamonds": () => {
    const shared = { rows: [1, 2, 3] };
    let diamonds: object = { leaf: true };
    for (let i = 0; i < 60; i++) diamonds = { left: diamonds, right: diamonds };
    return { parents: Array.from({ length: 50 }, (_, id) => ({ id, shared })), set: new Set([shared]), diamonds };
  },
};

/** Containers the cyclic-value generator links together: plain objects, arrays, Maps and Sets of JSON-like leaves. */
const containerTree = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.oneof(fc.integer(), fc.string({ maxLength: 4 }), fc.constant(null), fc.constant(-0)),
    fc.array(tie("node"), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom("a", "b", "c", "__proto__"), tie("node"), { maxKeys: 3 }),
    fc.array(fc.tuple(fc.constantFrom(0, "k", "l"), tie("node")), { maxLength: 3 }).map((entries) => new Map(entries)),
    fc.array(tie("node"), { maxLength: 3 }).map((members) => new Set(members)),
  ),
})).node;

function containersOf(root: unknown): object[] {
  const found: object[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item !== "object" || item === null || found.includes(item)) continue;
    found.push(item);
    if (item instanceof Map) for (const [key, member] of item) pending.push(key, member);
    else if (item instanceof Set) pending.push(...item);
    else pending.push(...Object.values(item));
  }
  return found;
}

/** A random tree, then `links` extra references from one container to another (itself, an ancestor, a sibling): cycles and shared subobjects. */
const cyclicValue = fc
  .tuple(fc.array(containerTree, { minLength: 1, maxLength: 3 }), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean()), { minLength: 1, maxLength: 6 }))
  .map(([trees, links]) => {
    const root: unknown[] = trees;
    const containers = containersOf(root);
    links.forEach(([from, to, asKey], index) => {
      const holder = containers[from % containers.length];
      const target = containers[to % containers.length];
      if (holder instanceof Map) holder.set(asKey ? target : `link${index}`, asKey ? index : target);
      else if (holder instanceof Set) holder.add(target);
      else if (Array.isArray(holder)) holder.push(target);
      else Object.defineProperty(holder, `link${index}`, { value: target, enumerable: true, writable: true, configurable: true });
    });
    return root;
  });

/** What a read in a new store instance, handed out by the copier, gives (or "refused"). */
type Roundtrip = (value: unknown) => Promise<unknown>;


async function throughStore(write: (value: unknown) => Promise<void>, read: () => Promise<unknown>, value: unknown): Promise<unknown> {
  try {
    snapshotResult(value, "src/exact.ts#f");
  } catch (error) {
    expect(error).toBeInstanceOf(UnserializableReturnValueError);
    return "refused"; // refused on the first call, before anything is written
  }
  try {
    await write(value);
  } catch (error) {
    expect(error).toBeInstanceOf(UnserializableReturnValueError);
    expect((error as Error).message).toMatch(/^\[automemo\] .* cannot be copied exactly: result.* is a /);
    expect(await read()).toBeUndefined();
    return "refused";
  }
  const hit = await read();
  // A miss is allowed (the decoded-shape bound refuses oversized values: they are recomputed), a wrong value never.
  if (hit === undefined) return "miss";
  return snapshotResult((hit as { value: unknown }).value, "src/exact.ts#f").value;
}

function exactnessSuite(roundtrip: () => Roundtrip): void {
  for (const [name, make] of Object.entries(EXAMPLES)) {
    it(`${name}: exact after the round trip`, async () => {
      // Compared with the very value written (errors' stacks differ between two makes): writing never mutates it.
      const value = make();
      const persisted = await roundtrip()(value);
      expect(persisted).not.toBe("refused");
      expect(persisted).not.toBe("miss");
      expect(strictDifference(persisted, value)).toBeNull();
    });
  }

  it("URLs and registered symbols are refused by the encoder, naming the path", async () => {
    for (const value of [{ link: new URL("https://example.com/a") }, [new URLSearchParams("a=1")], { s: Symbol.for("k") }]) {
      expect(await roundtrip()(value)).toBe("refused");
    }
  });

  it("random and adversarial values: exact after the round trip, or refused", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), adversarialValue, async (seed, value) => {
        // The value is compared with itself: the round trip never mutates its input.
        const persisted = await roundtrip()(value);
        if (persisted !== "refused" && persisted !== "miss") expect(strictDifference(persisted, value)).toBeNull();
        return seed >= 0;
      }),
      { numRuns: 150 },
    );
  });

  it("random values with cycles and shared references (at the root, deep, through arrays, Maps and Sets): the same graph after the round trip", async () => {
    await fc.assert(
      fc.asyncProperty(cyclicValue, async (value) => {
        const persisted = await roundtrip()(value);
        expect(persisted).not.toBe("refused");
        expect(persisted).not.toBe("miss");
        expect(strictDifference(persisted, value)).toBeNull();
      }),
      { numRuns: 100 },
    );
  });
}

describe("disk: a new DiskStore instance reads back exact values", () => {
  const dir = makeTempDir("exact").path;
  exactnessSuite(() => async (value) => {
    const fn = nextFunction();
    return throughStore(
      async (v) => new DiskStore({ dir }).writeSync(fn, KEY, v),
      async () => new DiskStore({ dir }).readSync(fn, KEY),
      value,
    );
  });
});

describe.skipIf(!redisTestsEnabled("the exact Redis round trip"))("redis: a new RedisStore instance reads back exact values", () => {
  let server: RedisServer;
  const stores: RedisStore[] = [];
  const newStore = () => {
    const store = new RedisStore({ url: server.url, timeoutMs: 2000, warn: () => {} });
    stores.push(store);
    return store;
  };
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await server?.kill();
  });
  it("an async @memo with persist: redis: a hit in a fresh runtime is exact; a URL result is refused on every call", async () => {
    await resetStores();
    configure({ redisUrl: server.url });
    try {
      const id = `test/exact-persisted.ts#redis${++counter}`;
      const value = { ...(EXAMPLES["views sharing one buffer, with offsets"]() as object), error: EXAMPLES["Error with code and cause"](), bare: EXAMPLES["null prototype"]() };
      let calls = 0;
      const create = () => memo(async () => (calls++, value), { id, hash: "v1", params: [], options: { persist: "redis" } }) as () => Promise<unknown>;
      expect(await create()()).toBe(value);
      sharedRuntime().handles.delete(id);
      expect(strictDifference(await create()(), value)).toBeNull();
      expect(calls).toBe(1);
      const url = memo(async () => [new URL("https://example.com/")], { id: `${id}url`, hash: "v1", params: [], options: { persist: "redis" } }) as () => Promise<unknown>;
      for (let call = 0; call < 2; call++) await expect(url()).rejects.toThrow(/^\[automemo\] .* result\[0\] is a URL that cannot be written/);
    } finally {
      await clearAll();
      // Later suites' clearAll must not reach for this server once it is gone.
      for (const id of [...sharedRuntime().handles.keys()]) if (id.includes("#redis")) sharedRuntime().handles.delete(id);
      await resetStores();
    }
  });

  exactnessSuite(() => async (value) => {
    const fn = nextFunction();
    return throughStore(
      (v) => newStore().write(fn, KEY, v),
      async () => await newStore().read(fn, KEY),
      value,
    );
  });
});

describe("a persisted @memo function: a disk hit in a fresh runtime equals the first call's result", () => {
  persistedMemoSuite("exact-memo", (dir) => ({ cacheDir: dir }));

  /** Calls a sync disk-persisted function once, forgets it in memory (a new process), and calls it again. */
  function firstAndRestarted(value: unknown): { first: unknown; restarted: unknown; calls: number } {
    const id = `test/exact-persisted.ts#f${++counter}`;
    let calls = 0;
    const create = () => memo(() => (calls++, value), { id, hash: "v1", params: [], options: { persist: "disk" } }) as () => unknown;
    const first = create()();
    sharedRuntime().handles.delete(id);
    const restarted = create()();
    return { first, restarted, calls };
  }

  for (const [name, make] of Object.entries(EXAMPLES)) {
    it(`${name}`, () => {
      const value = make();
      const { first, restarted, calls } = firstAndRestarted(value);
      expect(first).toBe(value);
      expect(calls).toBe(1);
      expect(strictDifference(restarted, value)).toBeNull();
    });
  }

  it("random cyclic values: the in-memory hit and the disk hit of a fresh runtime have the same cycles and sharing", () => {
    fc.assert(
      fc.property(cyclicValue, (value) => {
        const id = `test/exact-persisted.ts#cyclic${++counter}`;
        let calls = 0;
        const create = () => memo(() => (calls++, value), { id, hash: "v1", params: [], options: { persist: "disk" } }) as () => unknown;
        const f = create();
        expect(f()).toBe(value);
        expect(strictDifference(f(), value)).toBeNull();
        sharedRuntime().handles.delete(id);
        expect(strictDifference(create()(), value)).toBeNull();
        expect(calls).toBe(1);
      }),
      { numRuns: 60 },
    );
  });

  it("JSON-like data with a null-prototype object deep inside: written exactly (the snapshot's hint does not skip it)", () => {
    const value = { rows: [{ a: 1 }, { b: [Object.assign(Object.create(null) as object, { deep: true })] }] };
    const { restarted, calls } = firstAndRestarted(value);
    expect(calls).toBe(1);
    expect(strictDifference(restarted, value)).toBeNull();
  });

  it("a URL result of a sync disk function is refused on the first call (and every call), naming the path", () => {
    const id = `test/exact-persisted.ts#url${++counter}`;
    const f = memo(() => ({ link: new URL("https://example.com/") }), { id, hash: "v1", params: [], options: { persist: "disk" } }) as () => unknown;
    for (let call = 0; call < 2; call++) {
      expect(f).toThrow(UnserializableReturnValueError);
      expect(f).toThrow(/^\[automemo\] .* result\.link is a URL that cannot be written to a persistent store exactly/);
    }
  });
});
