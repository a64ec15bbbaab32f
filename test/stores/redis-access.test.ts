/**
 * Redis that answers but refuses us: a wrong password is reported as an authentication
 * error (not "The client is closed"), a user without a command as a permission error
 * naming the command, each once however many calls fail, and no message ever shows a
 * password. And the lock lease: a dead holder is replaced within seconds by default,
 * while a live holder computing for longer than the lease is never doubled.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createClient } from "redis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_REDIS_LOCK_LEASE_MS, RedisStore } from "../../runtime/stores/redis.ts";
import type { StoreFunction } from "../../runtime/stores/store.ts";
import { RedisServer } from "./helpers/redis-server.ts";
import { redisTestsEnabled } from "./helpers/redis-tests.ts";
import { runStoreChild } from "./helpers/run-child.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

const ADMIN_PASSWORD = "admin-s3cret-pw";
const READER_PASSWORD = "reader-p@ss/w0rd";
const KEY = "0123456789abcdef0123456789abcdef";

describe.skipIf(!redisTestsEnabled("the Redis access tests"))("RedisStore against a redis-server that refuses us", () => {
  let server: RedisServer;
  let admin: ReturnType<typeof createClient>;
  let warnings: string[];
  let counter = 0;
  let fn: StoreFunction;

  const urlFor = (user: string, password: string) => `redis://${user}:${encodeURIComponent(password)}@127.0.0.1:${server.port}`;

  /** Twenty calls of every kind, as a busy program would make them. */
  async function twentyCalls(store: RedisStore): Promise<unknown[]> {
    const results: unknown[] = [];
    for (let call = 0; call < 20; call++) {
      const key = String(call % 4).repeat(32);
      if (call % 2 === 0) results.push(await store.computeOnce(fn, key, async () => `computed ${call}`));
      else {
        results.push(await store.read(fn, key));
        await store.write(fn, key, call);
      }
    }
    return results;
  }

  function expectNoSecret(messages: string[]): void {
    for (const message of messages) {
      for (const secret of [ADMIN_PASSWORD, READER_PASSWORD, encodeURIComponent(READER_PASSWORD), "wrong-pw"]) expect(message).not.toContain(secret);
    }
  }

  beforeAll(async () => {
    server = await RedisServer.start(["--requirepass", ADMIN_PASSWORD]);
    admin = createClient({ url: urlFor("default", ADMIN_PASSWORD) });
    admin.on("error", () => {});
    await admin.connect();
    // Reads only: SET, EVAL and UNLINK are denied.
    await admin.sendCommand(["ACL", "SETUSER", "reader", "on", `>${READER_PASSWORD}`, "~*", "+get", "+ping", "+scan", "+hello", "+auth", "+client"]);
  });
  afterAll(async () => {
    await admin?.close().catch(() => {});
    await server?.kill();
  });
  beforeEach(() => {
    warnings = [];
    fn = { id: `src/api.ts#access${++counter}`, version: "v1" };
  });

  it("reports a wrong password once, as an authentication error, without the password", async () => {
    const store = new RedisStore({ url: urlFor("default", "wrong-pw"), timeoutMs: 300, warn: (message) => warnings.push(message) });
    try {
      const results = await twentyCalls(store);
      expect(results.filter((result) => typeof result === "string")).toHaveLength(10);
    } finally {
      await store.close();
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^\[automemo\] Redis at redis:\/\/default:\*\*\*@127\.0\.0\.1:\d+ refused the credentials of user 'default' \(WRONGPASS/);
    expect(warnings[0]).toContain("authentication error");
    expect(warnings[0]).not.toContain("client is closed");
    expectNoSecret(warnings);
  });

  it("reports each denied command once, as a permission error naming it, without the password", async () => {
    const store = new RedisStore({ url: urlFor("reader", READER_PASSWORD), timeoutMs: 300, warn: (message) => warnings.push(message) });
    try {
      const results = await twentyCalls(store);
      expect(results.filter((result) => typeof result === "string")).toHaveLength(10);
    } finally {
      await store.close();
    }
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings.length).toBeLessThanOrEqual(3);
    expect(new Set(warnings).size).toBe(warnings.length);
    expect(warnings[0]).toMatch(/user 'reader' has no permission to run SET \(NOPERM .*\): permission error/);
    expect(warnings[0]).toContain("ACL SETUSER reader ~automemo:* +get +set");
    expectNoSecret(warnings);
  });

  it("still reports an outage after a permission problem", async () => {
    const store = new RedisStore({ url: urlFor("reader", READER_PASSWORD), timeoutMs: 200, warn: (message) => warnings.push(message) });
    try {
      await store.write(fn, KEY, 1);
      server.pause();
      try {
        expect(await store.read(fn, KEY)).toBeUndefined();
      } finally {
        server.resume();
      }
    } finally {
      await store.close();
    }
    expect(warnings.map((warning) => /permission error|unavailable/.exec(warning)?.[0])).toEqual(["permission error", "unavailable"]);
    expectNoSecret(warnings);
  });
});

describe.skipIf(!redisTestsEnabled("the Redis lease tests"))("the Redis lock lease", () => {
  let server: RedisServer;
  let counter = 0;
  let fn: StoreFunction;

  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    await server?.kill();
  });
  beforeEach(() => {
    fn = { id: `src/api.ts#lease${++counter}`, version: "v1" };
  });

  it("is a few seconds by default, so a crashed holder is replaced quickly", async () => {
    expect(DEFAULT_REDIS_LOCK_LEASE_MS).toBeLessThanOrEqual(5_000);
    const temp = makeTempDir("redis-lease");
    const store = new RedisStore({ url: server.url, timeoutMs: 300 });
    try {
      const marker = join(temp.path, "computations.log");
      // No lockTtlMs: the default lease applies to the crashed holder's lock.
      const crashed = await runStoreChild({ store: "redis", url: server.url, fn, key: KEY, action: "compute-once", marker, crashWhileComputing: true });
      expect(crashed.code).not.toBe(0);
      const started = Date.now();
      expect(await store.computeOnce(fn, KEY, async () => "after the crash")).toBe("after the crash");
      expect(Date.now() - started).toBeLessThan(DEFAULT_REDIS_LOCK_LEASE_MS + 2_000);
      expect(readFileSync(marker, "utf8").trim().split("\n")).toHaveLength(1);
    } finally {
      await store.close();
      temp.remove();
    }
  });

  it("never lets a second process compute while the holder is alive, however long it computes", async () => {
    const holder = new RedisStore({ url: server.url, timeoutMs: 300, lockTtlMs: 300 });
    const waiter = new RedisStore({ url: server.url, timeoutMs: 300, lockTtlMs: 300 });
    let computations = 0;
    const slow = async (label: string) => {
      computations++;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      return label;
    };
    try {
      const first = holder.computeOnce(fn, KEY, () => slow("holder"));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const second = waiter.computeOnce(fn, KEY, () => slow("waiter"));
      expect(await Promise.all([first, second])).toEqual(["holder", "holder"]);
      expect(computations).toBe(1);
    } finally {
      await holder.close();
      await waiter.close();
    }
  });
});
