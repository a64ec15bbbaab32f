/**
 * The Redis miss path of a cached function, counted on a real server through a wrapped
 * client: a miss reads the key once, takes the lock, and reads once more under it (the
 * read that matters, since another process may have written meanwhile), never a third
 * time. Single flight across stores still holds.
 */
import { afterEach, describe, expect, it } from "vitest";
import { clearAll, configure, memo } from "../../runtime/index.ts";
import { sharedRuntime } from "../../runtime/handle/shared.ts";
import { closeStores } from "../../runtime/stores/index.ts";
import { RedisStore } from "../../runtime/stores/redis.ts";
import type { RedisClientLike } from "../../runtime/stores/redis-connection.ts";
import { redisTestsEnabled, startRedisForSuite, type RawRedisClient } from "./helpers/redis-tests.ts";

/** The raw client with every command it sends recorded (its duplicate(), used by the bus, is not). */
function countingClient(raw: RawRedisClient): { client: RedisClientLike; commands: string[][] } {
  const commands: string[][] = [];
  const client = new Proxy(raw, {
    get(target, property) {
      if (property === "sendCommand") {
        return (args: readonly (string | Buffer)[], options?: object) => {
          commands.push(args.map(String));
          return target.sendCommand(args as string[], options);
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { client: client as unknown as RedisClientLike, commands };
}

let nextId = 0;

describe.skipIf(!redisTestsEnabled("the Redis miss path tests"))("Redis miss path", () => {
  let raw: RawRedisClient;
  startRedisForSuite((_server, client) => {
    raw = client;
  });
  afterEach(async () => {
    await clearAll();
    await closeStores();
  });

  it("sends two GETs per miss (one before the lock, one under it) and one per store hit", async () => {
    const { client, commands } = countingClient(raw);
    configure({ redisClient: client, redisPrefix: "misspath" });
    const id = `test/redis-miss-path.ts#square${nextId++}`;
    let computed = 0;
    const square = memo(async (n: number) => (computed++, n * n), { id, params: ["n"], options: { persist: "redis" } });
    const gets = () => commands.filter(([command]) => command === "GET").length;
    expect(await square(3)).toBe(9);
    expect(computed).toBe(1);
    expect(gets()).toBe(2);
    expect(commands.filter(([command, , , nx]) => command === "SET" && nx === "NX")).toHaveLength(1);
    // A process with an empty memory tier reads it back with one GET.
    await sharedRuntime().handles.get(id)!.clear(false, false);
    let before = gets();
    expect(await square(3)).toBe(9);
    expect(gets() - before).toBe(1);
    before = gets();
    expect(await square(4)).toBe(16);
    expect(gets() - before).toBe(2);
    expect(computed).toBe(2);
  });

  it("keeps one computation per key when stores race for the lock after missing", async () => {
    const stores = [0, 1, 2].map(() => new RedisStore({ client: raw, prefix: "missrace" }));
    const fn = { id: `test/redis-miss-path.ts#race${nextId++}`, version: "1" };
    let computations = 0;
    const compute = async () => {
      computations++;
      await new Promise((resolve) => setTimeout(resolve, 30));
      return "value";
    };
    const results = await Promise.all(stores.map((store) => store.computeOnce(fn, "k".repeat(32), compute, { justMissed: true })));
    expect(results).toEqual(["value", "value", "value"]);
    expect(computations).toBe(1);
    await Promise.all(stores.map((store) => store.close()));
  });
});
