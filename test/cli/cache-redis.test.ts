import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCacheCommand } from "../../cli/cache-command.ts";
import { RedisStore } from "../../runtime/stores/redis.ts";
import { RedisServer } from "../stores/helpers/redis-server.ts";
import { redisTestsEnabled } from "../stores/helpers/redis-tests.ts";


async function run(...args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCacheCommand(args, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } });
  return { code, stdout, stderr };
}

describe.skipIf(!redisTestsEnabled("the Redis CLI tests"))("automemo cache --redis", () => {
  let server: RedisServer;

  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    await server?.kill();
  });

  it("lists, prunes and clears what the Redis store wrote", async () => {
    const key = (digit: number) => String(digit).repeat(32);
    // Two stores that never saw each other's version: the old version survives until pruned.
    const raw = createClient({ url: server.url });
    raw.on("error", () => {});
    await raw.connect();
    const store = new RedisStore({ url: server.url });
    await store.write({ id: "src/db.ts#loadRows", version: "new2" }, key(1), "x".repeat(3_000));
    await store.close();
    await raw.set(`automemo:src/db.ts#loadRows:old1:${key(2)}`, "bytes written by an older process");
    await raw.set(`other-app:thing`, "not ours");
    const store2 = new RedisStore({ url: server.url });
    await store2.write({ id: "src/api.ts#fetch:user", version: "v9" }, key(3), [1, 2, 3]);
    await store2.close();

    const listing = JSON.parse((await run("ls", "--json", "--redis", server.url)).stdout);
    expect(listing.store).toBe("redis");
    expect(listing.location).toBe(`${server.url} (prefix automemo)`);
    expect(listing.functions.map((fn: { id: string }) => fn.id)).toEqual(["src/api.ts#fetch:user", "src/db.ts#loadRows"]);
    expect(listing.functions[1].versions).toMatchObject([
      { version: "new2", entries: 1, current: true },
      { version: "old1", entries: 1, current: false },
    ]);
    expect(listing.functions[1].versions[0].bytes).toBeGreaterThan(3_000);

    const table = await run("ls", "--redis", server.url);
    expect(table.stdout).toMatch(/^src\/db\.ts#loadRows\s+new2\s+1\s+\d\.\d KB\s+0\s+\d+s\s+\d+s\s+current$/m);

    const pruned = JSON.parse((await run("prune", "--json", "--redis", server.url)).stdout);
    expect(pruned.removed).toMatchObject({ versions: 1, entries: 1 });
    expect(await raw.exists(`automemo:src/db.ts#loadRows:old1:${key(2)}`)).toBe(0);

    expect((await run("clear", "src/api.ts#fetch:user", "--redis", server.url)).code).toBe(0);
    expect(await raw.keys("automemo:*")).toEqual([`automemo:src/db.ts#loadRows:new2:${key(1)}`]);
    expect(await raw.get("other-app:thing")).toBe("not ours");
    await raw.close();
  });

  it("exits 1 with a clear message when Redis is unreachable", async () => {
    const { code, stderr } = await run("ls", "--redis", "redis://127.0.0.1:1");
    expect(code).toBe(1);
    expect(stderr).toMatch(/^\[automemo\] cache ls failed on redis \(redis:\/\/127\.0\.0\.1:1 \(prefix automemo\)\)/);
  });
});
