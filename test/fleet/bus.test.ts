/**
 * The invalidation bus across real processes (fleet-child.ts) sharing a real redis-server:
 * clears and tag invalidations in one process reach the memory tier of the others.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FleetMember } from "./helpers/fleet-member.ts";
import { redisTestsEnabled, startRedisForSuite, type RawRedisClient } from "../stores/helpers/redis-tests.ts";

const PROPAGATION_LIMIT_MS = 100;

describe.skipIf(!redisTestsEnabled("the fleet bus tests"))("invalidation bus across processes", () => {
  let url = "";
  let raw: RawRedisClient;
  let a: FleetMember;
  let b: FleetMember;
  startRedisForSuite((server, client) => {
    url = server.url;
    raw = client;
  });
  let env: NodeJS.ProcessEnv = {};
  beforeAll(async () => {
    // Async context tracking, so cacheTag() works after an await on Node 20 too.
    env = { AUTOMEMO_REDIS_URL: url, FLEET_PREFIX: "fleet", AUTOMEMO_CYCLE_CHECK: "1" };
    a = new FleetMember(env);
    b = new FleetMember(env);
    await Promise.all([a.ready, b.ready]);
  }, 60_000);
  afterAll(() => {
    a?.stop();
    b?.stop();
  });

  /** A loads `key` (computing it), B loads it too (from Redis, then from its memory): the value both serve. */
  async function sharedValue(key: string): Promise<string> {
    const { value } = await a.send({ op: "load", key });
    expect((await b.send({ op: "load", key })).value).toBe(value);
    expect((await b.send({ op: "load", key })).value).toBe(value);
    return value;
  }

  /** Starts B polling `key` until its answer changes, runs `invalidate` in A, and returns how long B kept serving after it. */
  async function propagationMs(key: string | undefined, from: string, invalidate: Record<string, unknown>): Promise<number> {
    const watching = b.send({ op: "waitChange", key, from, timeoutMs: 3_000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { at: clearedAt } = await a.send(invalidate);
    const { at: changedAt } = await watching;
    expect(changedAt, "B kept serving the cleared entry").not.toBeNull();
    return changedAt - clearedAt;
  }

  it("clear(fn, ...args) in one process stops another from serving that entry within 100 ms, and only that entry", async () => {
    const one = await sharedValue("k1");
    const other = await sharedValue("k2");
    const delay = await propagationMs("k1", one, { op: "clear", key: "k1" });
    expect(delay).toBeLessThan(PROPAGATION_LIMIT_MS);
    // B's memory still holds k2 (B computes nothing for it).
    const before = (await b.send({ op: "state" })).computations;
    expect((await b.send({ op: "load", key: "k2" })).value).toBe(other);
    expect((await b.send({ op: "state" })).computations).toBe(before);
  });

  it("clear(fn) and clearAll() reach the other process", async () => {
    const first = await sharedValue("k3");
    expect(await propagationMs("k3", first, { op: "clear" })).toBeLessThan(PROPAGATION_LIMIT_MS);
    const second = await sharedValue("k4");
    expect(await propagationMs("k4", second, { op: "clearAll" })).toBeLessThan(PROPAGATION_LIMIT_MS);
  });

  it("releases singletons cleared in another process like a local clear", async () => {
    await b.send({ op: "connect", name: "db" });
    await a.send({ op: "connect", name: "db" });
    await a.send({ op: "clearConnect" });
    await new Promise((resolve) => setTimeout(resolve, PROPAGATION_LIMIT_MS));
    expect((await b.send({ op: "state" })).disposed).toEqual(["db"]);
  });

  it("after its subscription was cut, a process drops what it kept from Redis (it may have missed clears)", async () => {
    const value = await sharedValue("k5");
    // A clear nobody hears: the stored entry is deleted behind the bus's back, and B's subscription is killed.
    await raw.sendCommand(["DEL", "fleet:test/fleet.ts#load:v1:" + (await storedKeyOf(raw, "k5"))]);
    await raw.sendCommand(["CLIENT", "KILL", "TYPE", "pubsub"]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const reloaded = (await b.send({ op: "load", key: "k5" })).value;
    expect(reloaded).not.toBe(value);
  });

  it("invalidateTag drops tagged entries (static tags and cacheTag, also after an await) in every process and in Redis", async () => {
    const user = await sharedValue("user:7");
    const team = await sharedValue("team:1");
    const untagged = await sharedValue("plain");
    const users = (await a.send({ op: "listUsers" })).value;
    expect((await b.send({ op: "listUsers" })).value).toBe(users);

    expect(await propagationMs("user:7", user, { op: "invalidateTag", tags: ["user:7"] })).toBeLessThan(PROPAGATION_LIMIT_MS);
    expect(await propagationMs("team:1", team, { op: "invalidateTag", tags: ["teams", "unused"] })).toBeLessThan(PROPAGATION_LIMIT_MS);
    expect(await propagationMs(undefined, users, { op: "invalidateTag", tags: ["users"] })).toBeLessThan(PROPAGATION_LIMIT_MS);
    expect((await b.send({ op: "load", key: "plain" })).value).toBe(untagged);
  });

  it("tags survive a restart: a fresh process's invalidateTag deletes entries written by processes that are gone", async () => {
    const user = await sharedValue("user:9");
    a.stop();
    b.stop();
    a = new FleetMember(env);
    b = new FleetMember(env);
    await Promise.all([a.ready, b.ready]);
    // b reads the stored entry (with its tags) into memory; a invalidates the tag.
    expect((await b.send({ op: "load", key: "user:9" })).value).toBe(user);
    expect(await raw.sMembers("fleet:#tag:user:9")).toHaveLength(1);
    expect(await propagationMs("user:9", user, { op: "invalidateTag", tags: ["user:9"] })).toBeLessThan(PROPAGATION_LIMIT_MS);
  }, 60_000);
});

/** The store key (hex digest) of load(key), found by scanning the Redis keys of the function. */
async function storedKeyOf(raw: RawRedisClient, key: string): Promise<string> {
  const keys = await raw.keys("fleet:test/fleet.ts#load:v1:*");
  for (const redisKey of keys) {
    const value = await raw.get(redisKey);
    if (value?.includes(key)) return redisKey.slice("fleet:test/fleet.ts#load:v1:".length);
  }
  throw new Error(`no stored entry for ${key}`);
}
