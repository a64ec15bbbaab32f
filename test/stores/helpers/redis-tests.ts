import { createClient } from "redis";
import { afterAll, beforeAll, it } from "vitest";
import { RedisServer, redisAvailability } from "./redis-server.ts";

/**
 * For a Redis test file: whether to run its Redis tests. Without redis-server they are
 * skipped with a printed reason, except under AUTOMEMO_REQUIRE_REDIS=1 (CI), where a
 * failing test is registered instead so the gap cannot go unnoticed.
 */
export function redisTestsEnabled(suite: string): boolean {
  const availability = redisAvailability();
  if (availability.available) return true;
  if (availability.required) {
    it(`${suite}: redis-server is required (AUTOMEMO_REQUIRE_REDIS=1)`, () => {
      throw new Error(`AUTOMEMO_REQUIRE_REDIS=1 but ${availability.reason}`);
    });
  } else {
    console.log(`[automemo tests] skipping ${suite}: ${availability.reason}`);
  }
  return false;
}

export type RawRedisClient = ReturnType<typeof createClient>;

/**
 * For a describe block: one throwaway redis-server for all its tests and a raw client of it
 * (to craft and inspect stored values), handed to `started`; both are stopped after the block.
 */
export function startRedisForSuite(started: (server: RedisServer, raw: RawRedisClient) => void): void {
  let server: RedisServer | undefined;
  let raw: RawRedisClient | undefined;
  beforeAll(async () => {
    server = await RedisServer.start();
    raw = createClient({ url: server.url });
    raw.on("error", () => {});
    await raw.connect();
    started(server, raw);
  });
  afterAll(async () => {
    await raw?.close().catch(() => {});
    await server?.kill();
  });
}
