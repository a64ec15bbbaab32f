import { afterEach, describe, expect, it } from "vitest";
import { clear, clearAll, configure, memo, stats, SyncStoreUnsupportedError, type CacheStore, type StoreFunction, type StoreHit } from "../../runtime/index.ts";
import { sharedRuntime } from "../../runtime/handle/shared.ts";
import { uniqueId } from "./helpers.ts";

afterEach(() => clearAll());

/** A real store kept in a Map (JSON round trip, as a remote store would), with or without sync access. */
class MemoryStore implements CacheStore {
  readonly data = new Map<string, string>();
  writes = 0;
  readSync?: (fn: StoreFunction, key: string) => StoreHit | undefined;
  writeSync?: (fn: StoreFunction, key: string, value: unknown) => void;

  constructor(readonly name: string, sync: boolean) {
    if (sync) {
      this.readSync = (fn, key) => this.get(fn, key);
      this.writeSync = (fn, key, value) => this.set(fn, key, value);
    }
  }
  private slot(fn: StoreFunction, key: string) {
    return `${fn.id}@${fn.version}/${key}`;
  }
  private get(fn: StoreFunction, key: string): StoreHit | undefined {
    const text = this.data.get(this.slot(fn, key));
    return text === undefined ? undefined : { value: JSON.parse(text) };
  }
  private set(fn: StoreFunction, key: string, value: unknown) {
    this.writes++;
    this.data.set(this.slot(fn, key), JSON.stringify(value));
  }
  async read(fn: StoreFunction, key: string) {
    return this.get(fn, key);
  }
  async write(fn: StoreFunction, key: string, value: unknown) {
    this.set(fn, key, value);
  }
  async delete(fn: StoreFunction, key?: string) {
    for (const slot of [...this.data.keys()]) {
      if (key === undefined ? slot.startsWith(`${fn.id}@`) : slot === this.slot(fn, key)) this.data.delete(slot);
    }
  }
}

/** A fresh process: the in-memory handle is gone, the store is not. */
function forgetInMemory(id: string) {
  sharedRuntime().handles.delete(id);
}

describe("persist", () => {
  it("reads a sync store on a memory miss, for a sync function", () => {
    const store = new MemoryStore(`mem-${Math.random()}`.replace(".", ""), true);
    configure({ stores: { [store.name]: store } });
    const id = uniqueId("persist-sync");
    let calls = 0;
    const meta = { id, hash: "v1", params: ["table"], options: { persist: store.name } };
    const load = memo((table: string) => (calls++, { table, rows: [1, 2] }), meta);
    expect(load("users")).toEqual({ table: "users", rows: [1, 2] });
    expect(store.writes).toBe(1);
    forgetInMemory(id);
    const reloaded = memo((table: string) => (calls++, { table, rows: [] as number[] }), meta);
    expect(reloaded("users")).toEqual({ table: "users", rows: [1, 2] });
    expect(reloaded("users")).toEqual({ table: "users", rows: [1, 2] });
    expect(calls).toBe(1);
    expect(stats(reloaded)).toMatchObject({ entries: 1, hits: 1, misses: 1 });
  });

  it("returns a promise for an async function read back from a sync store", async () => {
    const store = new MemoryStore("memsync2", true);
    configure({ stores: { memsync2: store } });
    const id = uniqueId("persist-sync-async");
    const meta = { id, hash: "v1", params: ["n"], options: { persist: "memsync2" } };
    const twice = memo(async (n: number) => n * 2, meta);
    expect(await twice(2)).toBe(4);
    forgetInMemory(id);
    const reloaded = memo(async (_n: number) => -1, meta);
    const result = reloaded(2);
    expect(result).toBeInstanceOf(Promise);
    expect(await result).toBe(4);
  });

  it("works with an async-only store for async functions, one computation for concurrent callers", async () => {
    const store = new MemoryStore("memasync", false);
    configure({ stores: { memasync: store } });
    const id = uniqueId("persist-async");
    let calls = 0;
    const meta = { id, hash: "v1", params: ["n"], options: { persist: "memasync" } };
    const load = memo(async (n: number) => (calls++, { n }), meta);
    const [a, b] = await Promise.all([load(1), load(1)]);
    expect(a).toEqual({ n: 1 });
    expect(b).toEqual({ n: 1 });
    expect(calls).toBe(1);
    expect(store.writes).toBe(1);
    forgetInMemory(id);
    const reloaded = memo(async (n: number) => (calls++, { n: -n }), meta);
    expect(await reloaded(1)).toEqual({ n: 1 });
    expect(calls).toBe(1);
  });

  it("rejects a sync function on an async-only store with a clear error", async () => {
    const store = new MemoryStore("memasync2", false);
    configure({ stores: { memasync2: store } });
    const id = uniqueId("persist-sync-on-async");
    const load = memo((n: number) => n, { id, params: ["n"], options: { persist: "memasync2" } });
    const outcome = load(1) as unknown as Promise<number>;
    await expect(outcome).rejects.toThrow(SyncStoreUnsupportedError);
    await expect(load(1) as unknown as Promise<number>).rejects.toThrow(/make the function async/);
    expect(stats(load).entries).toBe(0);
  });

  it("never hands out entries of another code version, and clear(fn) deletes stored entries", async () => {
    const store = new MemoryStore("memversions", true);
    configure({ stores: { memversions: store } });
    const id = uniqueId("persist-version");
    let calls = 0;
    const v1 = memo((n: number) => (calls++, n), { id, hash: "v1", params: ["n"], options: { persist: "memversions" } });
    v1(1);
    v1(2);
    const v2 = memo((n: number) => (calls++, n * 10), { id, hash: "v2", params: ["n"], options: { persist: "memversions" } });
    expect(v2(1)).toBe(10);
    expect(calls).toBe(3);
    await clear(v2, 1);
    expect(store.data.size).toBe(2);
    await clear(v2);
    expect(store.data.size).toBe(0);
  });

  it("routes async functions through the store's computeOnce (cross-process single flight)", async () => {
    const store = new MemoryStore("memonce", true) as MemoryStore & { computeOnce: CacheStore["computeOnce"] };
    const flights: string[] = [];
    store.computeOnce = async <T>(fn: StoreFunction, key: string, compute: () => Promise<T>): Promise<T> => {
      flights.push(key);
      const value = await compute();
      await store.write(fn, key, value);
      return value;
    };
    configure({ stores: { memonce: store } });
    const id = uniqueId("persist-once");
    const meta = { id, hash: "v1", params: ["n"], options: { persist: "memonce" } };
    let calls = 0;
    const load = memo(async (n: number) => (calls++, { n }), meta);
    const sync = memo((n: number) => (calls++, n), { ...meta, id: uniqueId("persist-once-sync") });
    expect(await load(1)).toEqual({ n: 1 });
    expect(sync(1)).toBe(1);
    expect(flights).toHaveLength(1);
    forgetInMemory(id);
    const reloaded = memo(async (n: number) => (calls++, { n: -n }), meta);
    expect(await reloaded(1)).toEqual({ n: 1 });
    expect(calls).toBe(2);
  });

  it("passes cacheDir through to the built-in disk store", async () => {
    const { mkdtempSync, readdirSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "automemo-runtime-"));
    try {
      configure({ cacheDir: dir });
      const id = uniqueId("persist-disk");
      let calls = 0;
      const meta = { id, hash: "v1", params: ["n"], options: { persist: "disk" } };
      const square = memo((n: number) => (calls++, { n: n * n }), meta);
      expect(square(4)).toEqual({ n: 16 });
      expect(readdirSync(dir, { recursive: true }).length).toBeGreaterThan(0);
      forgetInMemory(id);
      const reloaded = memo((n: number) => (calls++, { n: -n }), meta);
      expect(reloaded(4)).toEqual({ n: 16 });
      expect(calls).toBe(1);
      await clear(reloaded);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses persist on instance methods", () => {
    expect(() => memo(function (this: object, n: number) { return n; }, { id: uniqueId("persist-this"), params: ["n"], key: ["this", "n"], options: { persist: "disk" } }))
      .toThrow(/Invalid option 'persist'.*keyed by the identity of 'this'/);
  });
});
