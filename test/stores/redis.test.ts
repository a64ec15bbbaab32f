import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { RESP_TYPES } from "redis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RedisStore } from "../../runtime/stores/redis.ts";
import type { StoreFunction } from "../../runtime/stores/store.ts";
import { RedisServer, freeLoopbackPort } from "./helpers/redis-server.ts";
import { redisTestsEnabled, startRedisForSuite, type RawRedisClient } from "./helpers/redis-tests.ts";
import { childOutput, runStoreChild } from "./helpers/run-child.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

const KEY = "0123456789abcdef0123456789abcdef";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!redisTestsEnabled("the Redis store tests"))("RedisStore against a real redis-server", () => {
  let server: RedisServer;
  let raw: RawRedisClient;
  let stores: RedisStore[];
  let warnings: string[];
  let counter = 0;
  let fn: StoreFunction;

  function newStore(options: Partial<ConstructorParameters<typeof RedisStore>[0]> = {}): RedisStore {
    const store = new RedisStore({ url: server.url, timeoutMs: 300, warn: (message) => warnings.push(message), ...options });
    stores.push(store);
    return store;
  }

  startRedisForSuite((started, client) => {
    server = started;
    raw = client;
  });
  beforeEach(() => {
    stores = [];
    warnings = [];
    fn = { id: `src/api.ts#fetchUser${++counter}`, version: "v1" };
  });
  afterEach(async () => {
    await Promise.all(stores.map((store) => store.close()));
  });

  /** After a test that killed the server: make sure it runs and the raw client has reconnected. */
  async function ensureServerUp(): Promise<void> {
    await server.restart();
    for (let attempt = 0; !raw.isReady && attempt < 100; attempt++) await sleep(50);
  }

  it("stores values as binary under <prefix>:<id>:<version>:<key>, with ttl as Redis expiry", async () => {
    const store = newStore();
    const value = { bytes: Buffer.from(Array.from({ length: 256 }, (_, index) => index)), text: "héllo ☃", when: new Date(1) };
    await store.write({ ...fn, ttlMs: 60_000 }, KEY, value);
    const hit = await store.read(fn, KEY);
    expect(Buffer.from((hit!.value as { bytes: Uint8Array }).bytes)).toEqual(value.bytes);
    expect((hit!.value as typeof value).text).toBe(value.text);
    const redisKey = `automemo:${fn.id}:v1:${KEY}`;
    const ttl = await raw.pTTL(redisKey);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    const bytes = await raw.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get(redisKey);
    expect(bytes!.subarray(0, 6).toString("latin1")).toBe("AMEMO\0");
    expect(await store.read({ ...fn, version: "v2" }, KEY)).toBeUndefined();
  });

  it("expires entries through Redis", async () => {
    const store = newStore();
    await store.write({ ...fn, ttlMs: 100 }, KEY, "short");
    expect(await store.read(fn, KEY)).toEqual({ value: "short" });
    await sleep(200);
    expect(await store.read(fn, KEY)).toBeUndefined();
  });

  it("uses a custom prefix and deletes one key or every version of a function", async () => {
    const store = newStore({ prefix: "team-a" });
    await store.write(fn, KEY, 1);
    await store.write(fn, "f".repeat(32), 2);
    const other = { id: `${fn.id}x`, version: "v1" };
    await store.write(other, KEY, "other function");
    expect(await raw.exists(`team-a:${fn.id}:v1:${KEY}`)).toBe(1);
    await store.delete(fn, KEY);
    expect(await store.read(fn, KEY)).toBeUndefined();
    expect(await store.read(fn, "f".repeat(32))).toEqual({ value: 2 });
    await store.delete(fn);
    expect(await raw.keys(`team-a:${fn.id}:*`)).toEqual([]);
    expect(await store.read(other, KEY)).toEqual({ value: "other function" });
  });

  it("removes the function's other code versions in the background on the first write of a version", async () => {
    const first = newStore();
    await first.write(fn, KEY, "old code");
    await first.write({ ...fn, id: `${fn.id}:nested` }, KEY, "another function whose id extends this one");
    await first.close();
    const restarted = newStore();
    await restarted.write({ ...fn, version: "v2" }, KEY, "new code");
    await restarted.close();
    expect(await raw.exists(`automemo:${fn.id}:v1:${KEY}`)).toBe(0);
    expect(await raw.exists(`automemo:${fn.id}:v2:${KEY}`)).toBe(1);
    expect(await raw.exists(`automemo:${fn.id}:nested:v1:${KEY}`)).toBe(1);
  });

  it("treats a foreign value as a miss with one warning, then overwrites it", async () => {
    const store = newStore();
    await raw.set(`automemo:${fn.id}:v1:${KEY}`, "not ours");
    expect(await store.read(fn, KEY)).toBeUndefined();
    expect(await store.read(fn, KEY)).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`automemo:${fn.id}:v1:${KEY}`);
    expect(await store.computeOnce(fn, KEY, async () => "fresh")).toBe("fresh");
    expect(await store.read(fn, KEY)).toEqual({ value: "fresh" });
  });

  it("computes once for concurrent callers in one process", async () => {
    const store = newStore();
    let computations = 0;
    const results = await Promise.all(
      [1, 2, 3, 4].map(() =>
        store.computeOnce(fn, KEY, async () => {
          computations++;
          await sleep(100);
          return "shared";
        }),
      ),
    );
    expect(computations).toBe(1);
    expect(results).toEqual(["shared", "shared", "shared", "shared"]);
    expect(await raw.exists(`automemo:{automemo:${fn.id}:v1:${KEY}}.lock`)).toBe(0);
  });

  it("computes once when 6 processes hammer one key, and every process gets the value", async () => {
    const temp = makeTempDir("redis-procs");
    try {
      const marker = join(temp.path, "computations.log");
      const results = await Promise.all(
        Array.from({ length: 6 }, () => runStoreChild({ store: "redis", url: server.url, fn, key: KEY, action: "compute-once", marker, computeMs: 1500 })),
      );
      const outputs = results.map(childOutput);
      const computedBy = readFileSync(marker, "utf8").trim().split("\n");
      expect(computedBy).toHaveLength(1);
      for (const output of outputs) expect(output.value).toEqual({ computedBy: Number(computedBy[0]), payload: "x".repeat(1000) });
    } finally {
      temp.remove();
    }
  });

  it("takes over when the lock holder crashed (its lock expires)", async () => {
    const temp = makeTempDir("redis-crash");
    try {
      const marker = join(temp.path, "computations.log");
      // The crashed holder's lock lives 2 s; the waiter must take over once it expires, not hang.
      const crashed = await runStoreChild({ store: "redis", url: server.url, lockTtlMs: 2_000, fn, key: KEY, action: "compute-once", marker, crashWhileComputing: true });
      expect(crashed.code).not.toBe(0);
      expect(await raw.exists(`automemo:{automemo:${fn.id}:v1:${KEY}}.lock`)).toBe(1);
      const store = newStore();
      const started = Date.now();
      expect(await store.computeOnce(fn, KEY, async () => "after the crash")).toBe("after the crash");
      expect(Date.now() - started).toBeLessThan(6_000);
      expect(existsSync(marker) && readFileSync(marker, "utf8").trim().split("\n")).toHaveLength(1);
    } finally {
      temp.remove();
    }
  });

  it("computes locally with one warning when Redis is not running, without hanging", async () => {
    const store = newStore({ url: `redis://127.0.0.1:${await freeLoopbackPort()}`, timeoutMs: 200 });
    const started = Date.now();
    expect(await store.read(fn, KEY)).toBeUndefined();
    await store.write(fn, KEY, "lost");
    expect(await store.computeOnce(fn, KEY, async () => "local")).toBe("local");
    await store.delete(fn);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^\[automemo\] Redis at redis:\/\/127\.0\.0\.1:\d+ is unavailable/);
  });

  it("gives up after the timeout when Redis stops answering, and recovers when it answers again", async () => {
    const store = newStore({ timeoutMs: 200 });
    await store.write(fn, KEY, "before");
    server.pause();
    try {
      const started = Date.now();
      expect(await store.read(fn, KEY)).toBeUndefined();
      expect(await store.computeOnce(fn, "e".repeat(32), async () => "local while paused")).toBe("local while paused");
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(warnings).toHaveLength(1);
    } finally {
      server.resume();
    }
    // The silent connection was dropped; the next attempt comes after a short backoff.
    await sleep(600);
    expect(await store.read(fn, KEY)).toEqual({ value: "before" });
  });

  it("stays correct when Redis is killed mid-run, and recovers after a restart", async () => {
    const store = newStore({ timeoutMs: 200 });
    const results: unknown[] = [];
    const expected: unknown[] = [];
    try {
      for (let round = 0; round < 30; round++) {
        if (round === 10) await server.kill();
        if (round === 20) await server.restart();
        const key = String(round % 5).repeat(32);
        expected.push(`value-${round % 5}`);
        results.push(await store.computeOnce(fn, key, async () => `value-${round % 5}`));
        results.push(((await store.read(fn, key)) ?? { value: `value-${round % 5}` }).value);
        expected.push(`value-${round % 5}`);
      }
    } finally {
      await ensureServerUp();
    }
    expect(results).toEqual(expected);
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    // Recovered: the store writes to the restarted server again.
    await sleep(300);
    await store.write(fn, KEY, "after restart");
    expect(await raw.exists(`automemo:${fn.id}:v1:${KEY}`)).toBe(1);
    expect(await newStore().read(fn, KEY)).toEqual({ value: "after restart" });
  });

  it("uses a passed client instead of a URL", async () => {
    const store = newStore({ url: "redis://unused.invalid:1", client: raw });
    await store.write(fn, KEY, { via: "passed client" });
    expect(await store.read(fn, KEY)).toEqual({ value: { via: "passed client" } });
  });
});
