/**
 * "automemo:invalidate" for every kind of invalidation: invalidateTag in this process
 * (scope "tags"), and clears and tag invalidations received from another process on the
 * Redis bus (source "bus"), besides the local clears test/runtime/observability.test.ts covers.
 */
import diagnostics from "node:diagnostics_channel";
import { afterEach, describe, expect, it } from "vitest";
import { CHANNEL_NAMES, clearAll, configure, invalidateTag, memo, type InvalidateMessage } from "../../runtime/index.ts";
import { closeStores } from "../../runtime/stores/index.ts";
import { RedisStore } from "../../runtime/stores/redis.ts";
import { redisTestsEnabled, startRedisForSuite } from "../stores/helpers/redis-tests.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!redisTestsEnabled("the invalidate event tests"))("automemo:invalidate for tags and bus messages", () => {
  let url = "";
  startRedisForSuite((server) => {
    url = server.url;
  });
  const events: InvalidateMessage[] = [];
  const record = (message: unknown) => void events.push({ ...(message as InvalidateMessage) });
  afterEach(async () => {
    diagnostics.unsubscribe(CHANNEL_NAMES.invalidate, record);
    events.length = 0;
    await clearAll();
    await closeStores();
  });

  it("publishes invalidateTag locally and what other processes publish on the bus, saying where it came from", async () => {
    configure({ redisUrl: url, redisPrefix: "events" });
    const id = "test/invalidate-events.ts#load";
    const load = memo(async (n: number) => n * 2, { id, params: ["n"], options: { persist: "redis", tags: ["numbers"] } });
    // The first call joins the bus (and waits for the subscription).
    expect(await load(1)).toBe(2);
    diagnostics.subscribe(CHANNEL_NAMES.invalidate, record);

    await invalidateTag("numbers", "other");
    expect(events).toEqual([{ id: null, scope: "tags", tags: ["numbers", "other"], source: "local" }]);
    events.length = 0;

    // Another process: a store of its own on the same Redis and prefix, so its bus has another origin.
    const elsewhere = new RedisStore({ url, prefix: "events" });
    try {
      const bus = elsewhere.invalidationBus();
      await bus.publish({ kind: "tags", tags: ["numbers"] });
      await bus.publish({ kind: "clear", id, key: "0".repeat(32) });
      await bus.publish({ kind: "clear", id });
      await bus.publish({ kind: "clear-all" });
      for (let waited = 0; events.length < 4 && waited < 2_000; waited += 20) await sleep(20);
    } finally {
      await elsewhere.close();
    }
    expect(events).toEqual([
      { id: null, scope: "tags", tags: ["numbers"], source: "bus" },
      { id, scope: "call", source: "bus" },
      { id, scope: "function", source: "bus" },
      { id: null, scope: "all", source: "bus" },
    ]);
  });
});
