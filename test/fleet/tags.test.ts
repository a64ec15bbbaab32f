import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { CacheTagError, cacheTag, clearAll, configure, invalidateTag, memo, singleton, stats } from "../../runtime/index.ts";
import { sharedRuntime } from "../../runtime/handle/shared.ts";
import { validateOptions } from "../../runtime/options.ts";
import { closeStores, resetStores } from "../../runtime/stores/index.ts";
import { redisTestsEnabled, startRedisForSuite, type RawRedisClient } from "../stores/helpers/redis-tests.ts";
import { makeTempDir } from "../stores/helpers/temp-dir.ts";

beforeAll(() => {
  // cacheTag() after an await needs async context tracking (on by default from Node 24).
  process.env.AUTOMEMO_CYCLE_CHECK = "1";
});

let nextId = 0;
const uniqueId = (name: string) => `test/tags.ts#${name}${nextId++}`;

/** What a restart leaves: nothing in memory (the store keeps its entries and tag index). */
async function forgetMemory(id: string): Promise<void> {
  await sharedRuntime().handles.get(id)!.clear(false, false);
}

afterEach(async () => {
  await clearAll();
  await closeStores();
  await resetStores();
});

describe("tags in memory", () => {
  it("invalidateTag drops the entries cacheTag tagged (in sync code and after awaits), and only those", async () => {
    let calls = 0;
    const load = memo(
      async (kind: string, id: number) => {
        calls++;
        if (kind === "user") cacheTag(`user:${id}`);
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (kind === "user") cacheTag("users");
        return `${kind}${id}#${calls}`;
      },
      { id: uniqueId("load"), params: ["kind", "id"] },
    );
    await Promise.all([load("user", 1), load("user", 2), load("team", 1)]);
    expect(calls).toBe(3);
    await invalidateTag("user:1");
    await Promise.all([load("user", 1), load("user", 2), load("team", 1)]);
    expect(calls).toBe(4);
    await invalidateTag("users");
    await Promise.all([load("user", 1), load("user", 2), load("team", 1)]);
    expect(calls).toBe(6);
    expect(stats(load).entries).toBe(3);
  });

  it("static tags drop every entry of the function; singletons are released", async () => {
    let calls = 0;
    const list = memo((page: number) => [page, ++calls], { id: uniqueId("list"), params: ["page"], options: { tags: ["users"] } });
    const released: string[] = [];
    const connect = singleton(
      (name: string) => {
        cacheTag("connections");
        return { name, [Symbol.dispose]: () => void released.push(name) };
      },
      { id: uniqueId("connect"), params: ["name"] },
    );
    list(1);
    list(2);
    connect("db");
    await invalidateTag("users", "connections");
    expect(stats(list).entries).toBe(0);
    expect(released).toEqual(["db"]);
    list(1);
    expect(calls).toBe(3);
  });

  it("cacheTag outside a computation throws CacheTagError; invalid tags are refused", () => {
    expect(() => cacheTag("x")).toThrow(CacheTagError);
    expect(() => cacheTag("x")).toThrow(/^\[automemo\] cacheTag\(\) was called outside the computation of a cached function/);
    const tagWith = memo((tag: unknown) => (cacheTag(tag as string), 1), { id: uniqueId("bad"), params: ["tag"] });
    expect(() => tagWith("")).toThrow(CacheTagError);
    expect(() => tagWith(7)).toThrow(/invalid tag/);
    expect(() => validateOptions({ tags: "users" }, "memo", "a.ts:1")).toThrow(/tags.*not an array/s);
    expect(validateOptions({ tags: ["a", "a", "b"] }, "memo", "a.ts:1").tags).toEqual(["a", "b"]);
  });

  it("a cached function called inside another is tagged on its own (tags do not flow outward)", async () => {
    const inner = memo(async () => (cacheTag("inner"), 1), { id: uniqueId("inner"), params: [] });
    let outerCalls = 0;
    const outer = memo(async () => (await inner()) + ++outerCalls, { id: uniqueId("outer"), params: [] });
    await outer();
    await invalidateTag("inner");
    expect(stats(inner).entries).toBe(0);
    expect(stats(outer).entries).toBe(1);
  });
});

describe("tags on disk", () => {
  it("survive a restart through the tag index (a file per tagged entry)", async () => {
    const temp = makeTempDir("tags-disk");
    try {
      configure({ cacheDir: temp.path });
      let calls = 0;
      const id = uniqueId("disk");
      const make = (hash: string) =>
        memo(
          (n: number) => {
            cacheTag(`n:${n}`);
            return [n, ++calls];
          },
          { id, hash, params: ["n"], options: { persist: "disk", tags: ["numbers"] } },
        );
      const v1 = make("h1");
      v1(1);
      v1(2);
      await forgetMemory(id);
      expect(v1(1)).toEqual([1, 1]); // read back from disk
      await forgetMemory(id);
      await invalidateTag("n:1");
      expect(v1(1)).toEqual([1, 3]);
      expect(v1(2)).toEqual([2, 2]);
      await forgetMemory(id);
      await invalidateTag("numbers");
      expect(v1(2)).toEqual([2, 4]);
    } finally {
      temp.remove();
    }
  });
});

describe.skipIf(!redisTestsEnabled("the tag tests with Redis"))("tags in Redis", () => {
  let url = "";
  let raw: RawRedisClient;
  startRedisForSuite((server, client) => {
    url = server.url;
    raw = client;
  });

  it("index every tagged entry in a set per tag that expires with its longest-lived entry, and invalidateTag deletes them", async () => {
    configure({ redisUrl: url, redisPrefix: "tags" });
    let calls = 0;
    const id = uniqueId("redis");
    const load = memo(
      async (n: number) => {
        cacheTag(`n:${n}`);
        return [n, ++calls];
      },
      { id, hash: "h1", params: ["n"], options: { persist: "redis", ttl: "1h", tags: ["numbers"] } },
    );
    await load(1);
    await load(2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await raw.sMembers("tags:#tag:numbers")).toHaveLength(2);
    expect(await raw.pTTL("tags:#tag:n:1")).toBeGreaterThan(3_500_000);
    await forgetMemory(id);
    expect(await load(1)).toEqual([1, 1]);
    await forgetMemory(id);
    await invalidateTag("n:1");
    expect(await raw.exists("tags:#tag:n:1")).toBe(0);
    expect(await load(1)).toEqual([1, 3]);
    expect(await load(2)).toEqual([2, 2]);
  });
});
