/**
 * Tags and the invalidation bus on a real 3-master Redis Cluster: tag sets and their
 * members live in different slots, so invalidateTag must delete members one command each
 * (no script touching undeclared keys), and PUBLISH through a cluster client must reach a
 * subscriber on any node (a URL list subscribes on one node, a passed cluster client
 * through its duplicate()).
 */
import { createCluster } from "redis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cacheTag, clearAll, configure, invalidateTag, memo } from "../../runtime/index.ts";
import { sharedRuntime } from "../../runtime/handle/shared.ts";
import { closeStores } from "../../runtime/stores/index.ts";
import { RedisStore } from "../../runtime/stores/redis.ts";
import type { Invalidation, StoreFunction } from "../../runtime/stores/store.ts";
import { RedisClusterFixture } from "../stores/helpers/redis-cluster.ts";
import { redisTestsEnabled } from "../stores/helpers/redis-tests.ts";

const TIMEOUT_MS = 1000;
const keyOf = (index: number) => index.toString(16).padStart(32, "0");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!redisTestsEnabled("the Redis Cluster tag tests"))("tags and the bus on a Redis Cluster", () => {
  let cluster: RedisClusterFixture;
  let stores: RedisStore[];
  let warnings: string[];
  let counter = 0;
  let fn: StoreFunction;
  let prefix: string;

  function newStore(options: Partial<ConstructorParameters<typeof RedisStore>[0]> = {}): RedisStore {
    const store = new RedisStore({ url: cluster.urls.join(","), prefix, timeoutMs: TIMEOUT_MS, warn: (message) => warnings.push(message), ...options });
    stores.push(store);
    return store;
  }

  async function connectedCluster(): Promise<ReturnType<typeof createCluster>> {
    const client = createCluster({ rootNodes: cluster.urls.map((url) => ({ url })) });
    client.on("error", () => {});
    await client.connect();
    return client;
  }

  beforeAll(async () => {
    cluster = await RedisClusterFixture.start(3);
  }, 30_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  beforeEach(() => {
    stores = [];
    warnings = [];
    counter++;
    prefix = `ctags${counter}`;
    fn = { id: `src/cluster-tags.ts#load${counter}`, version: "v1", ttlMs: 60_000 };
  });
  afterEach(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await clearAll();
    await closeStores();
  });

  it("invalidates tagged entries spread over every master, from another store, keeping other tags' entries", async () => {
    const writer = newStore();
    const keys = Array.from({ length: 30 }, (_, index) => keyOf(index));
    for (const [index, key] of keys.entries()) {
      await writer.tagEntry(fn, key, ["all", `parity:${index % 2}`]);
      await writer.write(fn, key, index);
    }
    const masters = new Set(await Promise.all(keys.map(async (key) => (await cluster.nodeOf(writer.entryKey(fn, key))).port)));
    expect(masters.size).toBe(3);

    const other = newStore();
    await other.deleteTagged(["parity:0"]);
    const read = async () => Promise.all(keys.map(async (key) => (await writer.read(fn, key))?.value));
    expect(await read()).toEqual(keys.map((_, index) => (index % 2 === 0 ? undefined : index)));
    await other.deleteTagged(["all", "never-used"]);
    expect(await read()).toEqual(keys.map(() => undefined));
    // Left: only the index of the tag never invalidated (its members are gone; it expires with their ttl).
    const left = (await Promise.all(cluster.nodes.map((node) => cluster.keysOn(node, `${prefix}:*`)))).flat();
    expect(left).toEqual([`${prefix}:#tag:parity:1`]);
    expect(warnings).toEqual([]);
  });

  it("keeps an entry indexed when it is tagged again after an invalidation read the set", async () => {
    const store = newStore();
    await store.tagEntry(fn, keyOf(1), ["t"]);
    await store.write(fn, keyOf(1), "old");
    await store.deleteTagged(["t"]);
    await store.tagEntry(fn, keyOf(1), ["t"]);
    await store.write(fn, keyOf(1), "new");
    expect(await store.read(fn, keyOf(1))).toEqual({ value: "new" });
    await store.deleteTagged(["t"]);
    expect(await store.read(fn, keyOf(1))).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it("carries bus messages between a store on a URL list and one on a passed cluster client, both ways", async () => {
    const client = await connectedCluster();
    try {
      const byUrl = newStore();
      const byClient = newStore({ client });
      const received = { byUrl: [] as Invalidation[], byClient: [] as Invalidation[] };
      const resync = () => {};
      await byUrl.invalidationBus().listen({ apply: (message) => void received.byUrl.push(message), resync });
      await byClient.invalidationBus().listen({ apply: (message) => void received.byClient.push(message), resync });
      // Channel names of several slots: whatever node PUBLISH is routed to, every node's subscribers hear it.
      await byClient.invalidationBus().publish({ kind: "tags", tags: ["users"] });
      await byUrl.invalidationBus().publish({ kind: "clear", id: fn.id, key: keyOf(3) });
      for (let waited = 0; (received.byUrl.length === 0 || received.byClient.length === 0) && waited < 2_000; waited += 20) await sleep(20);
      expect(received.byUrl).toEqual([{ kind: "tags", tags: ["users"] }]);
      expect(received.byClient).toEqual([{ kind: "clear", id: fn.id, key: keyOf(3) }]);
      await byClient.close();
      expect(client.isOpen).toBe(true);
    } finally {
      client.destroy();
    }
  });

  it("runs cacheTag and invalidateTag through configure({ redisUrl: [nodes] })", async () => {
    process.env.AUTOMEMO_CYCLE_CHECK = "1";
    configure({ redisUrl: cluster.urls, redisTimeoutMs: TIMEOUT_MS, redisPrefix: prefix });
    let calls = 0;
    const id = `test/cluster-tags.ts#user${counter}`;
    const load = memo(
      async (n: number) => {
        cacheTag(`user:${n}`);
        return [n, ++calls];
      },
      { id, hash: "h1", params: ["n"], options: { persist: "redis", ttl: "1h", tags: ["users"] } },
    );
    const ns = [1, 2, 3, 4, 5, 6];
    for (const n of ns) expect(await load(n)).toEqual([n, n]);
    await sleep(50);
    const forgetMemory = () => sharedRuntime().handles.get(id)!.clear(false, false);
    await forgetMemory();
    // Read back from the cluster, no recomputation.
    expect((await Promise.all(ns.map((n) => load(n)))).map(([, call]) => call)).toEqual([1, 2, 3, 4, 5, 6]);
    await invalidateTag("user:2");
    await forgetMemory();
    expect(await load(2)).toEqual([2, 7]);
    expect(await load(3)).toEqual([3, 3]);
    await invalidateTag("users");
    await forgetMemory();
    expect((await Promise.all(ns.map((n) => load(n)))).map(([, call]) => call).sort((a, b) => a - b)).toEqual([8, 9, 10, 11, 12, 13]);
  });
});
