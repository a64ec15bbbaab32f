import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "redis";
import { freeLoopbackPort, RedisServer } from "./redis-server.ts";

/**
 * A throwaway Redis Cluster of `masters` masters (no replicas) on loopback ports, each
 * node a RedisServer with its own cluster bus port and nodes.conf, so a node can be
 * killed and restarted (it rejoins from its nodes.conf). Slots not served while a node
 * is down do not take the others down (`cluster-require-full-coverage no`).
 */
export class RedisClusterFixture {
  private constructor(
    readonly nodes: readonly RedisServer[],
    private readonly dir: string,
  ) {}

  static async start(masters = 3): Promise<RedisClusterFixture> {
    const dir = mkdtempSync(join(tmpdir(), "automemo-cluster-"));
    const nodes: RedisServer[] = [];
    try {
      for (let index = 0; index < masters; index++) {
        // An explicit bus port: the default (port + 10000) can fall outside the port range.
        const busPort = await freeLoopbackPort();
        nodes.push(
          await RedisServer.start([
            "--cluster-enabled", "yes",
            "--cluster-port", String(busPort),
            "--cluster-config-file", join(dir, `nodes-${busPort}.conf`),
            "--cluster-node-timeout", "500",
            "--cluster-require-full-coverage", "no",
          ]),
        );
      }
      const created = spawnSync("redis-cli", ["--cluster", "create", ...nodes.map((node) => `127.0.0.1:${node.port}`), "--cluster-replicas", "0", "--cluster-yes"], { encoding: "utf8" });
      if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stderr || created.stdout}`);
      const cluster = new RedisClusterFixture(nodes, dir);
      await cluster.waitUntilHealthy();
      return cluster;
    } catch (error) {
      await Promise.all(nodes.map((node) => node.kill()));
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  get urls(): string[] {
    return this.nodes.map((node) => node.url);
  }

  /** Until every running node reports `cluster_state:ok` and knows every other node as connected. */
  async waitUntilHealthy(timeoutMs = 15_000): Promise<void> {
    const started = Date.now();
    for (;;) {
      if (await this.#healthy()) return;
      if (Date.now() - started > timeoutMs) throw new Error("the Redis cluster did not become healthy");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The node serving `key` (CLUSTER KEYSLOT + CLUSTER SLOTS, asked of a running node). */
  async nodeOf(key: string): Promise<RedisServer> {
    return this.#withClient(this.nodes.find((node) => node.running)!, async (client) => {
      const slot = Number(await client.sendCommand(["CLUSTER", "KEYSLOT", key]));
      const ranges = (await client.sendCommand(["CLUSTER", "SLOTS"])) as [number, number, [string, number]][];
      const range = ranges.find(([from, to]) => slot >= from && slot <= to);
      if (range === undefined) throw new Error(`no node serves slot ${slot}`);
      return this.nodes.find((node) => node.port === Number(range[2][1]))!;
    });
  }

  /** Keys stored on one node (DBSIZE). */
  async keyCount(node: RedisServer): Promise<number> {
    return this.#withClient(node, async (client) => Number(await client.sendCommand(["DBSIZE"])));
  }

  /** Keys matching `pattern` on one node (KEYS: test data only). */
  async keysOn(node: RedisServer, pattern: string): Promise<string[]> {
    return this.#withClient(node, async (client) => (await client.sendCommand(["KEYS", pattern])) as string[]);
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  async #healthy(): Promise<boolean> {
    const running = this.nodes.filter((node) => node.running);
    for (const node of running) {
      const ok = await this.#withClient(node, async (client) => {
        const info = String(await client.sendCommand(["CLUSTER", "INFO"]));
        const nodes = String(await client.sendCommand(["CLUSTER", "NODES"]));
        const linked = nodes.split("\n").filter((line) => / connected/.test(line) && !/fail/.test(line.split(" ")[2] ?? "")).length;
        return info.includes("cluster_state:ok") && linked === this.nodes.length;
      }).catch(() => false);
      if (!ok) return false;
    }
    return true;
  }

  async #withClient<T>(node: RedisServer, use: (client: ReturnType<typeof createClient>) => Promise<T>): Promise<T> {
    const client = createClient({ url: node.url, socket: { reconnectStrategy: false } });
    client.on("error", () => {});
    await client.connect();
    try {
      return await use(client);
    } finally {
      client.destroy();
    }
  }
}
