import { afterEach, describe, expect, it } from "vitest";
import { RedisStore } from "../../runtime/stores/redis.ts";
import type { Invalidation } from "../../runtime/stores/store.ts";
import { redisTestsEnabled, startRedisForSuite, type RawRedisClient } from "../stores/helpers/redis-tests.ts";

describe.skipIf(!redisTestsEnabled("the Redis bus tests"))("RedisStore invalidation bus", () => {
  let url = "";
  let raw: RawRedisClient;
  startRedisForSuite((server, client) => {
    url = server.url;
    raw = client;
  });
  const stores: RedisStore[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });

  function listenOn(store: RedisStore): { received: Invalidation[]; resyncs: number[]; ready: Promise<void> } {
    const state = { received: [] as Invalidation[], resyncs: [] as number[], ready: Promise.resolve() };
    state.ready = store.invalidationBus().listen({ apply: (message) => void state.received.push(message), resync: () => void state.resyncs.push(Date.now()) });
    return state;
  }

  it("delivers to other subscribers, not to the sender; a passed client is duplicated for the subscription and closed with the store", async () => {
    const withClient = new RedisStore({ client: raw, prefix: "bus1" });
    const withUrl = new RedisStore({ url, prefix: "bus1" });
    const otherPrefix = new RedisStore({ url, prefix: "bus2" });
    stores.push(withClient, withUrl, otherPrefix);
    const a = listenOn(withClient);
    const b = listenOn(withUrl);
    const c = listenOn(otherPrefix);
    await Promise.all([a.ready, b.ready, c.ready]);
    const subscribers = async () => Number((await raw.sendCommand(["PUBSUB", "NUMSUB", "bus1:#invalidations"]) as [string, number])[1]);
    expect(await subscribers()).toBe(2);
    await withClient.invalidationBus().publish({ kind: "tags", tags: ["users"] });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(b.received).toEqual([{ kind: "tags", tags: ["users"] }]);
    expect(a.received).toEqual([]);
    expect(c.received).toEqual([]);
    // The first subscription cannot have missed anything: no resync.
    expect([a.resyncs, b.resyncs]).toEqual([[], []]);
    await withClient.close();
    expect(withClient.invalidationBus().closed).toBe(true);
    expect(await subscribers()).toBe(1);
    expect(raw.isReady).toBe(true);
  });

  it("resubscribes after the connection is cut and tells the listener to resync", async () => {
    const store = new RedisStore({ url, prefix: "bus3" });
    stores.push(store);
    const listening = listenOn(store);
    await listening.ready;
    await raw.sendCommand(["CLIENT", "KILL", "TYPE", "pubsub"]);
    for (let waited = 0; listening.resyncs.length === 0 && waited < 3_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(listening.resyncs).toHaveLength(1);
    const publisher = new RedisStore({ url, prefix: "bus3" });
    stores.push(publisher);
    await publisher.invalidationBus().publish({ kind: "clear-all" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(listening.received).toEqual([{ kind: "clear-all" }]);
  });
});
