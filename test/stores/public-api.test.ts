import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RedisServer } from "./helpers/redis-server.ts";
import { redisTestsEnabled } from "./helpers/redis-tests.ts";
import { childOutput, spawnAndCollect, tsxArgs } from "./helpers/run-child.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

const PROGRAM = fileURLToPath(new URL("./helpers/memo-child.ts", import.meta.url));

async function runProgram(env: NodeJS.ProcessEnv): Promise<unknown> {
  return childOutput(await spawnAndCollect(tsxArgs(env.PERSIST === "redis", PROGRAM), env));
}

function computations(marker: string): string[] {
  return existsSync(marker) ? readFileSync(marker, "utf8").trim().split("\n") : [];
}

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  temp = makeTempDir("e2e");
});
afterEach(() => temp.remove());

describe("memo({ persist }) through the public API, across processes", () => {
  it("disk: a restarted program answers from the cache without recomputing", async () => {
    const env = { PERSIST: "disk", MARKER: join(temp.path, "marker"), AUTOMEMO_CACHE_DIR: join(temp.path, "cache") };
    const expected = { square: { n: 7, square: 49, at: new Date(0).toISOString() }, report: { name: "weekly", rows: [1, 2, 3] } };
    expect(await runProgram(env)).toEqual(expected);
    expect(await runProgram(env)).toEqual(expected);
    expect(computations(env.MARKER).map((line) => line.split(" ")[0])).toEqual(["square", "report"]);
  });

  it("disk: 6 programs asking for one sync key and one async key at once compute each once, and all get the values", async () => {
    const env = { PERSIST: "disk", MARKER: join(temp.path, "marker"), AUTOMEMO_CACHE_DIR: join(temp.path, "cache") };
    const results = (await Promise.all(Array.from({ length: 6 }, () => runProgram(env)))) as { square: unknown; report: unknown }[];
    for (const result of results) {
      expect(result.square).toEqual({ n: 7, square: 49, at: new Date(0).toISOString() });
      expect(result.report).toEqual({ name: "weekly", rows: [1, 2, 3] });
    }
    expect(computations(env.MARKER).filter((line) => line.startsWith("square"))).toHaveLength(1);
    expect(computations(env.MARKER).filter((line) => line.startsWith("report"))).toHaveLength(1);
  });
});

describe.skipIf(!redisTestsEnabled("the public-API Redis test"))("memo({ persist: \"redis\" }) through the public API", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    await server?.kill();
  });

  it("6 programs asking for one key at once compute it once, and all get the value", async () => {
    const env = { PERSIST: "redis", MARKER: join(temp.path, "marker"), AUTOMEMO_REDIS_URL: server.url };
    const results = await Promise.all(Array.from({ length: 6 }, () => runProgram(env)));
    for (const result of results) expect(result).toEqual({ report: { name: "weekly", rows: [1, 2, 3] } });
    expect(computations(env.MARKER)).toHaveLength(1);
  });
});
