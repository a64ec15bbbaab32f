/**
 * The Redis store across a real 3-master Redis Cluster: values and locks spread over
 * every slot, SCAN over every master (delete, `automemo cache`), a passed createCluster()
 * client, and a master stopped mid-run (bounded calls, correct local results, sharing
 * resumes once it is back).
 */
import { createCluster } from "redis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clearAll, configure, memo } from "../../runtime/index.ts";
import { RedisInventory } from "../../runtime/stores/redis-inventory.ts";
import { RedisStore } from "../../runtime/stores/redis.ts";
import type { StoreFunction } from "../../runtime/stores/store.ts";
import { RedisClusterFixture } from "./helpers/redis-cluster.ts";
import { redisTestsEnabled } from "./helpers/redis-tests.ts";

const TIMEOUT_MS = 1000;
const keyOf = (index: number) => index.toString(16).padStart(32, "0");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!redisTestsEnabled("the Redis Cluster tests"))("the Redis store on a Redis Cluster", () => {
  let cluster: RedisClusterFixture;
  let stores: RedisStore[];
  let warnings: string[];
  let counter = 0;
  let fn: StoreFunction;

  function newStore(options: Partial<ConstructorParameters<typeof RedisStore>[0]> = {}): RedisStore {
    const store = new RedisStore({ url: cluster.urls.join(","), timeoutMs: TIMEOUT_MS, warn: (message) => warnings.push(message), ...options });
    stores.push(store);
    return store;
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
    fn = { id: `src/cluster.ts#load${++counter}`, version: "v1" };
  });
  afterEach(async () => {
    await Promise.all(stores.map((store) => store.close()));
  });

  it("shares values and computes each key once across two processes, with keys on every master", async () => {
    const [first, second] = [newStore(), newStore()];
    const computations = new Map<string, number>();
    const compute = (key: string) => async () => {
      computations.set(key, (computations.get(key) ?? 0) + 1);
      await sleep(20);
      return `value of ${key}`;
    };
    const keys = Array.from({ length: 60 }, (_, index) => keyOf(index));
    const results = await Promise.all(keys.flatMap((key) => [first.computeOnce(fn, key, compute(key)), second.computeOnce(fn, key, compute(key))]));
    expect(results).toEqual(keys.flatMap((key) => [`value of ${key}`, `value of ${key}`]));
    expect([...computations.values()].every((count) => count === 1)).toBe(true);
    expect(computations.size).toBe(keys.length);
    for (const node of cluster.nodes) expect(await cluster.keyCount(node)).toBeGreaterThan(0);
    expect(warnings).toEqual([]);
  });

  it("keeps each key's lock in its value's slot (hash tag), so one node decides a key's single flight", async () => {
    const store = newStore();
    for (let index = 0; index < 12; index++) {
      const valueNode = await cluster.nodeOf(`automemo:${fn.id}:v1:${keyOf(index)}`);
      let lockNodes: number[] = [];
      await store.computeOnce(fn, keyOf(index), async () => {
        const counts = await Promise.all(cluster.nodes.map((node) => cluster.keysOn(node, "*.lock")));
        lockNodes = cluster.nodes.filter((_, at) => counts[at]!.length > 0).map((node) => node.port);
        return index;
      });
      expect(lockNodes).toEqual([valueNode.port]);
    }
  });

  it("deletes a function's keys and lists and clears the inventory on every master", async () => {
    const store = newStore({ prefix: "inventory" });
    const keys = Array.from({ length: 30 }, (_, index) => keyOf(index));
    await Promise.all(keys.map((key) => store.write(fn, key, key)));
    const inventory = new RedisInventory(cluster.urls.join(","), { prefix: "inventory" });
    try {
      const listed = await inventory.list();
      expect(listed.find((entry) => entry.id === fn.id)?.versions[0]?.entries).toBe(30);
      await store.delete(fn, keys[0]);
      expect(await store.read(fn, keys[0]!)).toBeUndefined();
      await store.delete(fn);
      expect((await Promise.all(keys.map((key) => store.read(fn, key)))).every((hit) => hit === undefined)).toBe(true);
      await Promise.all(keys.map((key) => store.write(fn, key, key)));
      expect((await inventory.clear(fn.id)).entries).toBe(30);
      expect(await inventory.list()).toEqual([]);
    } finally {
      await inventory.close();
    }
    expect(warnings).toEqual([]);
  });

  it("uses a node-redis cluster client passed in (and leaves it open)", async () => {
    const client = createCluster({ rootNodes: cluster.urls.map((url) => ({ url })) });
    client.on("error", () => {});
    await client.connect();
    try {
      const store = newStore({ client });
      await store.write(fn, keyOf(1), { shared: true });
      expect(await newStore().read(fn, keyOf(1))).toEqual({ value: { shared: true } });
      await store.delete(fn);
      expect(await store.read(fn, keyOf(1))).toBeUndefined();
      await store.close();
      expect(client.isOpen).toBe(true);
    } finally {
      client.destroy();
    }
  });

  it("runs @memo functions with configure({ redisUrl: [nodes] })", async () => {
    configure({ redisUrl: cluster.urls, redisTimeoutMs: TIMEOUT_MS, redisPrefix: `memo${counter}` });
    let computed = 0;
    const square = memo(async (n: number) => (computed++, n * n), { id: fn.id, params: ["n"], options: { persist: "redis" } });
    const inventory = new RedisInventory(cluster.urls.join(","), { prefix: `memo${counter}` });
    try {
      expect(await Promise.all([1, 2, 3, 4, 5, 6].map((n) => square(n)))).toEqual([1, 4, 9, 16, 25, 36]);
      expect(computed).toBe(6);
      // Written in the background after each computation.
      for (let attempt = 0; attempt < 50 && (await inventory.list())[0]?.versions[0]?.entries !== 6; attempt++) await sleep(20);
      expect((await inventory.list())[0]?.versions[0]?.entries).toBe(6);
      await clearAll();
      expect(await inventory.list()).toEqual([]);
    } finally {
      await inventory.close();
      configure({ redisUrl: "redis://127.0.0.1:1", redisPrefix: "automemo" });
    }
    expect(() => configure({ redisUrl: [] })).toThrow(/redisUrl.*non-empty list of Redis URLs/);
  });

  it("keeps calls bounded and results correct while a master is down, and shares again once it is back", async () => {
    const [first, second] = [newStore(), newStore()];
    const keys = Array.from({ length: 40 }, (_, index) => keyOf(1000 + index));
    await Promise.all(keys.map((key) => first.read(fn, key)));
    const victim = cluster.nodes[1]!;
    const onVictim = new Set<string>();
    for (const key of keys) if ((await cluster.nodeOf(`automemo:${fn.id}:v1:${key}`)) === victim) onVictim.add(key);
    expect(onVictim.size).toBeGreaterThan(0);
    expect(onVictim.size).toBeLessThan(keys.length);

    await victim.kill();
    let computedBySecond = 0;
    const slowest = { ms: 0 };
    for (const key of keys) {
      await first.computeOnce(fn, key, async () => `first ${key}`);
      const started = performance.now();
      const value = await second.computeOnce(fn, key, async () => (computedBySecond++, `second ${key}`));
      slowest.ms = Math.max(slowest.ms, performance.now() - started);
      // A live slot shares the first process's value; a dead one is computed locally.
      expect(value, warnings.join("\n")).toBe(onVictim.has(key) ? `second ${key}` : `first ${key}`);
    }
    expect(computedBySecond).toBe(onVictim.size);
    expect(slowest.ms).toBeLessThan(TIMEOUT_MS + 200);
    // Once per store and outage, although the other slots kept answering in between.
    expect(warnings.filter((message) => /unavailable/.test(message)).length).toBeGreaterThan(0);
    expect(warnings.filter((message) => /unavailable/.test(message)).length).toBeLessThanOrEqual(2);

    await victim.restart();
    await cluster.waitUntilHealthy();
    const revived = [...onVictim][0]!;
    const deadline = Date.now() + 10_000;
    let shared = false;
    for (let round = 0; !shared && Date.now() < deadline; round++) {
      const written = await first.computeOnce(fn, revived, async () => `round ${round}`);
      shared = written === `round ${round}` && (await second.read(fn, revived))?.value === written;
      if (!shared) await sleep(100);
    }
    expect(shared).toBe(true);
  }, 30_000);
});
