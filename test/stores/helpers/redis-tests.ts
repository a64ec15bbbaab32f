import { it } from "vitest";
import { redisAvailability } from "./redis-server.ts";

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
