/**
 * What Redis Cluster changes for the store: a node list instead of one URL, commands
 * routed by their key (node-redis' cluster client takes the key beside the command),
 * SCAN run on every master, and no command touching keys of two slots (UNLINK is sent
 * per key). The slot rules for everything that stores keys are in docs/fleet.md.
 */

/** A node-redis v5 cluster client (`createCluster()`), as the store uses it. */
export interface RedisClusterLike {
  sendCommand(firstKey: string | Uint8Array | undefined, isReadonly: boolean | undefined, args: readonly (string | Uint8Array)[], options?: object): Promise<unknown>;
  /** The master nodes, for `nodeClient`. */
  readonly masters: readonly unknown[];
  nodeClient(node: unknown): unknown;
  readonly isOpen?: boolean;
  /** A new cluster client with the same options (the invalidation bus subscribes on it). */
  duplicate?(): unknown;
}

export function isClusterClient(client: object): client is RedisClusterLike {
  return Array.isArray((client as { masters?: unknown }).masters) && typeof (client as { nodeClient?: unknown }).nodeClient === "function";
}

/**
 * `redisUrl` as a node list: several URLs (comma-separated, or the array given to
 * configure()) mean a Redis Cluster, one URL a single server.
 */
export function clusterNodes(url: string): string[] | undefined {
  const nodes = url
    .split(",")
    .map((node) => node.trim())
    .filter((node) => node !== "");
  return nodes.length > 1 ? nodes : undefined;
}

/** Commands whose keys come after a key count (EVAL script numkeys key...). */
const KEYS_AFTER_COUNT = new Set(["EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO"]);
/** Commands that only read, so a cluster client may route them to replicas when it is configured to. */
const READ_ONLY = new Set(["GET", "STRLEN", "GETRANGE", "SMEMBERS", "SCARD", "EXISTS", "PTTL"]);

/** The key a cluster routes a command by: the first key argument (undefined: any node). */
export function routingKey(args: readonly (string | Uint8Array)[]): string | Uint8Array | undefined {
  const command = String(args[0]).toUpperCase();
  if (KEYS_AFTER_COUNT.has(command)) return Number(args[2]) > 0 ? args[3] : undefined;
  return args[1];
}

export function isReadOnly(args: readonly (string | Uint8Array)[]): boolean {
  return READ_ONLY.has(String(args[0]).toUpperCase());
}

/**
 * The options of an owned cluster client. Discovered nodes get the credentials and TLS
 * of the first URL (node-redis applies `defaults` to every node it finds), and the same
 * no-queue, no-background-reconnect policy as a single connection (redis-connection.ts).
 */
export function clusterOptions(nodes: readonly string[], timeoutMs: number): object {
  const first = new URL(nodes[0]!);
  const credentials = {
    ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
    ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
  };
  return {
    rootNodes: nodes.map((url) => ({ url })),
    defaults: {
      ...credentials,
      disableOfflineQueue: true,
      socket: { connectTimeout: timeoutMs, reconnectStrategy: false, ...(first.protocol === "rediss:" ? { tls: true } : {}) },
    },
  };
}

/**
 * A key beside `key` in the same cluster slot: `key` already carrying a hash tag keeps
 * it (`a{t}b` -> `a{t}b.lock`); else the whole key becomes the tag, after `lead` (the
 * store's `prefix:`, so ACL key patterns `~prefix:*` still cover it): `p:k` ->
 * `p:{p:k}.lock`. Redis hashes only what is between the first `{` and the next `}`.
 */
export function keyInSameSlot(lead: string, key: string, suffix: string): string {
  const open = key.indexOf("{");
  const close = open === -1 ? -1 : key.indexOf("}", open + 1);
  return close > open + 1 ? key + suffix : `${lead}{${key}}${suffix}`;
}
