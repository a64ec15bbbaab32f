/** Default persistence (configure({ defaultPersist }) / AUTOMEMO_DEFAULT_PERSIST), as `automemo run` turns it on. */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clearAll, configure, InvalidOptionError, memo, singleton, stats, type CacheStore, type StoreFunction } from "../../runtime/index.ts";
import { resetSettingsForTesting } from "../../runtime/handle/configure.ts";
import { sharedRuntime } from "../../runtime/handle/shared.ts";
import { manualClock, uniqueId } from "./helpers.ts";

/** An async-only store (like Redis) kept in a Map. */
class AsyncOnlyStore implements CacheStore {
  readonly data = new Map<string, unknown>();
  constructor(readonly name: string) {}
  async read(fn: StoreFunction, key: string) {
    const slot = `${fn.id}@${fn.version}/${key}`;
    return this.data.has(slot) ? { value: this.data.get(slot) } : undefined;
  }
  async write(fn: StoreFunction, key: string, value: unknown) {
    this.data.set(`${fn.id}@${fn.version}/${key}`, value);
  }
  async delete() {
    this.data.clear();
  }
}

/** A fresh process: the in-memory handle is gone, the store is not. */
function forgetInMemory(id: string) {
  sharedRuntime().handles.delete(id);
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "automemo-default-persist-"));
  configure({ cacheDir: dir });
});
afterEach(async () => {
  delete process.env.AUTOMEMO_DEFAULT_PERSIST;
  await clearAll();
  resetSettingsForTesting();
  rmSync(dir, { recursive: true, force: true });
});

describe("default persistence", () => {
  it("puts @memo functions without a persist option on disk when AUTOMEMO_DEFAULT_PERSIST=disk", () => {
    process.env.AUTOMEMO_DEFAULT_PERSIST = "disk";
    const id = uniqueId("default-disk");
    let calls = 0;
    const meta = { id, hash: "v1", params: ["n"] };
    expect(memo((n: number) => (calls++, { n }), meta)(3)).toEqual({ n: 3 });
    expect(readdirSync(dir, { recursive: true }).length).toBeGreaterThan(0);
    forgetInMemory(id);
    const reloaded = memo((n: number) => (calls++, { n: -n }), meta);
    expect(reloaded(3)).toEqual({ n: 3 });
    expect(calls).toBe(1);
    expect(stats(reloaded)).toMatchObject({ misses: 1, storeHits: 1, store: "disk" });
  });

  it("lets configure({ defaultPersist }) win over the environment, false included", () => {
    process.env.AUTOMEMO_DEFAULT_PERSIST = "disk";
    configure({ defaultPersist: false });
    const id = uniqueId("default-off");
    let calls = 0;
    const meta = { id, hash: "v1", params: ["n"] };
    memo((n: number) => (calls++, n), meta)(1);
    expect(readdirSync(dir)).toEqual([]);
    forgetInMemory(id);
    memo((n: number) => (calls++, n), meta)(1);
    expect(calls).toBe(2);
    expect(() => configure({ defaultPersist: "no such store!" as string })).toThrow(InvalidOptionError);
  });

  it("leaves a function with persist: false in memory, and rejects other non-names", () => {
    process.env.AUTOMEMO_DEFAULT_PERSIST = "disk";
    const id = uniqueId("persist-false");
    let calls = 0;
    const meta = { id, hash: "v1", params: ["n"], options: { persist: false as const } };
    expect(memo((n: number) => (calls++, n + 1), meta)(1)).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
    forgetInMemory(id);
    memo((n: number) => (calls++, n + 1), meta)(1);
    expect(calls).toBe(2);
    expect(() => memo((n: number) => n, { id: uniqueId("persist-true"), options: { persist: true as never } })).toThrow(/true is not a store name[\s\S]*or false to stay in memory/);
  });

  it("applies to handles created before configure() too, and never to singletons", () => {
    const id = uniqueId("default-late");
    const singletonId = uniqueId("default-singleton");
    let calls = 0;
    const meta = { id, hash: "v1", params: ["n"] };
    const square = memo((n: number) => (calls++, n * n), meta);
    const connect = singleton((url: string) => ({ url }), { id: singletonId, params: ["url"] });
    configure({ defaultPersist: "disk" });
    expect(square(4)).toBe(16);
    connect("x");
    expect(readdirSync(dir, { recursive: true }).some((name) => String(name).includes("default-singleton"))).toBe(false);
    forgetInMemory(id);
    expect(memo((n: number) => (calls++, -n), meta)(4)).toBe(16);
    expect(calls).toBe(1);
  });

  it("keeps a sync function in memory when the default store cannot read synchronously, but persists async ones", async () => {
    const store = new AsyncOnlyStore(`asynconly${Math.random().toString(36).slice(2, 8)}`);
    configure({ stores: { [store.name]: store }, defaultPersist: store.name });
    const syncId = uniqueId("default-async-store-sync");
    const sync = memo((n: number) => n + 1, { id: syncId, hash: "v1", params: ["n"] });
    expect(sync(1)).toBe(2);
    expect(sync(1)).toBe(2);
    expect(store.data.size).toBe(0);
    const asyncId = uniqueId("default-async-store-async");
    let calls = 0;
    const meta = { id: asyncId, hash: "v1", params: ["n"] };
    expect(await memo(async (n: number) => (calls++, n * 10), meta)(2)).toBe(20);
    expect(store.data.size).toBe(1);
    forgetInMemory(asyncId);
    const reloaded = memo(async (n: number) => (calls++, -n), meta);
    expect(await reloaded(2)).toBe(20);
    expect(calls).toBe(1);
    expect(stats(reloaded).storeHits).toBe(1);
  });

  it("skips methods keyed by the identity of this", () => {
    configure({ defaultPersist: "disk" });
    const method = memo(function (this: object, n: number) { return n; }, { id: uniqueId("default-this"), params: ["n"], key: ["this", "n"] });
    expect(method.call({}, 2)).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("store keys of persisted functions", () => {
  it("reads the entry of the right arguments after an in-memory entry expires", () => {
    const clock = manualClock();
    try {
      let calls = 0;
      const label = memo((n: number) => (calls++, `value of ${n}`), { id: uniqueId("expired-key"), hash: "v1", params: ["n"], options: { persist: "disk", ttl: 60 } });
      expect(label(1)).toBe("value of 1");
      expect(label(2)).toBe("value of 2");
      clock.advance(61_000);
      // Expired in memory (the runtime clock); still on disk (real time): answered from the store, by its own key.
      expect(label(1)).toBe("value of 1");
      expect(label(2)).toBe("value of 2");
      expect(calls).toBe(2);
      expect(stats(label)).toMatchObject({ misses: 4, storeHits: 2 });
    } finally {
      clock.restore();
    }
  });
});
