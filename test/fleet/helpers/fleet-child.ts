/**
 * One member of a test fleet: a long-running process that uses automemo's public API with
 * `persist: "redis"` and obeys JSON commands on stdin, one per line, answering each with one
 * JSON line on stdout. Environment: AUTOMEMO_REDIS_URL, FLEET_PREFIX.
 */
import { createInterface } from "node:readline";
import { cacheTag, clear, clearAll, configure, invalidateTag, memo, singleton, stats } from "../../../runtime/index.ts";

configure({ redisPrefix: process.env.FLEET_PREFIX ?? "automemo", redisTimeoutMs: 500 });

let computations = 0;
/** Each computation's value names the process and a counter, so a caller can tell a recomputation from a cached value. */
const load = memo(
  async (key: string) => {
    computations++;
    if (key.startsWith("user:")) cacheTag(key);
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (key.startsWith("team:")) cacheTag("teams");
    return `${key}/${process.pid}/${computations}`;
  },
  { id: "test/fleet.ts#load", hash: "v1", params: ["key"], options: { persist: "redis" } },
);

const listUsers = memo(async () => `users/${process.pid}/${++computations}`, {
  id: "test/fleet.ts#listUsers",
  hash: "v1",
  params: [],
  options: { persist: "redis", tags: ["users"] },
});

const disposed: string[] = [];
const connect = singleton(
  (name: string) => ({
    name,
    [Symbol.dispose]() {
      disposed.push(name);
    },
  }),
  { id: "test/fleet.ts#connect", params: ["name"] },
);

type Command =
  | { op: "load"; key: string }
  | { op: "listUsers" }
  | { op: "connect"; name: string }
  | { op: "clear"; key?: string }
  | { op: "clearConnect" }
  | { op: "clearAll" }
  | { op: "invalidateTag"; tags: string[] }
  | { op: "waitChange"; key?: string; from: string; timeoutMs: number }
  | { op: "state" };

async function run(command: Command): Promise<unknown> {
  switch (command.op) {
    case "load":
      return { value: await load(command.key) };
    case "listUsers":
      return { value: await listUsers() };
    case "connect":
      return { value: connect(command.name).name };
    case "clear":
      await (command.key === undefined ? clear(load) : clear(load, command.key));
      return { at: Date.now() };
    case "clearConnect":
      await clear(connect);
      return { at: Date.now() };
    case "clearAll":
      await clearAll();
      return { at: Date.now() };
    case "invalidateTag":
      await invalidateTag(...command.tags);
      return { at: Date.now() };
    case "waitChange": {
      // Polls load(key) (no key: listUsers()) until it answers something else than `from`: when this process stopped serving it.
      const deadline = Date.now() + command.timeoutMs;
      for (;;) {
        // When the call that no longer got the old value started: from then on this process did not serve it.
        const startedAt = Date.now();
        const value = command.key === undefined ? await listUsers() : await load(command.key);
        if (value !== command.from) return { value, at: startedAt };
        if (Date.now() > deadline) return { value, at: null };
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }
    case "state":
      return { entries: stats(load).entries, computations, disposed };
  }
}

createInterface({ input: process.stdin }).on("line", (line) => {
  run(JSON.parse(line) as Command).then(
    (reply) => console.log(JSON.stringify(reply)),
    (error: unknown) => console.log(JSON.stringify({ error: String(error) })),
  );
});
console.log(JSON.stringify({ ready: true }));
