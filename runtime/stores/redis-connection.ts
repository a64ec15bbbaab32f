import { MissingPeerDependencyError } from "../errors.ts";
import { clusterNodes, clusterOptions, isClusterClient, isReadOnly, routingKey, type RedisClusterLike } from "./redis-cluster.ts";

/**
 * The part of a Redis client the store uses. node-redis v5 clients (`createClient()`)
 * fit it; a passed client is used as is and never closed by automemo.
 */
export interface RedisClientLike {
  sendCommand(args: readonly (string | Uint8Array)[], options?: object): Promise<unknown>;
  readonly isReady?: boolean;
  /** node-redis: a new, unconnected client with the same options (the invalidation bus subscribes on one). */
  duplicate?(): unknown;
}

interface OwnedClient extends RedisClientLike {
  connect(): Promise<unknown>;
  on(event: "error", listener: (error: unknown) => void): unknown;
  destroy(): void;
  close?(): Promise<void>;
  unref?(): void;
  readonly isOpen?: boolean;
}

interface OwnedCluster extends RedisClusterLike {
  connect(): Promise<unknown>;
  on(event: "error" | "node-error", listener: (error: unknown) => void): unknown;
  destroy(): void;
  close?(): Promise<void>;
  readonly masters: readonly { client?: { unref?(): void; destroy?(): void } }[];
}

/** Thrown inside the store when Redis cannot answer in time; the store turns it into a local computation. */
export class RedisUnavailable extends Error {}

export interface RedisConnectionOptions {
  /** One URL, or several comma-separated: the nodes of a Redis Cluster (redis-cluster.ts). */
  readonly url: string;
  readonly client?: RedisClientLike | RedisClusterLike;
  /** Bound on every command and on connecting. */
  readonly timeoutMs: number;
}

/**
 * RESP blob strings (type 36) as Buffers (node-redis v5 `typeMapping`; v4 reads `returnBuffers`). Built at first use: no `Buffer` in browsers.
 * Reads pass no `timeout` to the client: node-redis arms an `AbortSignal.timeout` per command for it, which cost
 * more than the rest of a 1 KB hit, and only ever cancels a command still waiting to be written; our own timer
 * (withTimeout) bounds the wait either way, and a silent owned connection is dropped, which rejects everything queued.
 */
let binaryReplies: { typeMapping: Record<number, unknown>; returnBuffers: true } | undefined;
/** A variable specifier, so bundlers building for the browser do not try to resolve the optional peer. */
const REDIS_PACKAGE = "redis";
const RECONNECT_BACKOFF_MIN_MS = 250;
const RECONNECT_BACKOFF_MAX_MS = 5_000;
/** UNLINKs per command on a single server (a cluster gets one per key: keys of a batch hash to different slots). */
const UNLINK_BATCH = 200;

/**
 * One lazily opened connection with our own reconnect policy: the client never
 * reconnects in the background and never queues commands while offline (so nothing
 * keeps the process alive or waits forever); instead the next command after a short
 * backoff opens a fresh connection. That is how the store recovers when Redis returns.
 *
 * A cluster (several URLs, or a passed `createCluster()` client) routes each command by
 * its key. An owned cluster is not dropped when one node fails: the other slots keep
 * working, and a fresh cluster client is opened in the background after the backoff
 * (it connects only once every master answers), which is how a returning node rejoins.
 */
export class RedisConnection {
  readonly #options: RedisConnectionOptions;
  readonly #nodes: string[] | undefined;
  #owned: OwnedClient | OwnedCluster | undefined;
  #connecting: Promise<OwnedClient | OwnedCluster> | undefined;
  #retryAt = 0;
  #backoffMs = RECONNECT_BACKOFF_MIN_MS;
  /** Why the last connection attempt failed; repeated while the backoff runs. */
  #lastFailure: RedisUnavailable | undefined;
  /** The last 'error' event of the owned client: why it closed, when a command only says that it did. */
  #closedBecause: unknown;
  /** Owned cluster: a node failed, so a fresh cluster client is opened once the backoff allows. */
  #renewCluster = false;

  readonly #commandOptions: { readonly timeout: number };

  constructor(options: RedisConnectionOptions) {
    this.#options = options;
    this.#commandOptions = { timeout: options.timeoutMs };
    this.#nodes = options.client === undefined ? clusterNodes(options.url) : undefined;
  }

  /** Whether commands go to a Redis Cluster. */
  get isCluster(): boolean {
    const passed = this.#options.client;
    return passed !== undefined ? isClusterClient(passed) : this.#nodes !== undefined;
  }

  /** Send one command, bounded by the timeout; `binary` (reads) returns bulk strings as Buffers. */
  async send(args: readonly (string | Buffer)[], binary = false): Promise<unknown> {
    // A ready connection is used without an extra await (a hit is one round trip and little else).
    const client = this.#readyClient() ?? (await this.#client());
    const { timeoutMs } = this.#options;
    const options = binary ? (binaryReplies ??= { typeMapping: { 36: Buffer }, returnBuffers: true }) : this.#commandOptions;
    try {
      const reply = isClusterClient(client) ? client.sendCommand(routingKey(args), isReadOnly(args), args, options) : client.sendCommand(args, options);
      return await withTimeout(reply, timeoutMs, () => `Redis did not answer ${String(args[0])} within ${timeoutMs} ms`);
    } catch (error) {
      if (client === this.#owned && isClusterClient(client)) {
        // One node down leaves the others serving their slots: keep this client, renew it later.
        if (!isReplyError(error)) this.#scheduleRenewal();
        throw error;
      }
      // A silent server (partition, stopped process) would cost every later call the full
      // timeout; dropping the connection makes calls fail fast until the backoff allows a retry.
      if (error instanceof RedisUnavailable && client === this.#owned) this.#drop();
      // The client closed itself (a refused AUTH after connect() resolved): say why, not "The client is closed".
      const cause = this.#closedBecause;
      if (isClientClosed(error) && cause !== undefined && client === this.#owned) {
        this.#drop();
        throw new RedisUnavailable(describe(cause));
      }
      throw error;
    }
  }

  /** Every key matching `pattern`, in batches (SCAN, never KEYS); on a cluster, the keys of every master. */
  async scan(pattern: string, onKeys: (keys: string[]) => Promise<void> | void): Promise<void> {
    const client = await this.#client();
    const nodes = isClusterClient(client) ? await Promise.all(client.masters.map((master) => client.nodeClient(master) as Promise<RedisClientLike>)) : [client];
    const { timeoutMs } = this.#options;
    for (const node of nodes) {
      let cursor = "0";
      do {
        const reply = node.sendCommand(["SCAN", cursor, "MATCH", pattern, "COUNT", "1000"], { timeout: timeoutMs });
        const [next, keys] = (await withTimeout(reply, timeoutMs, () => `Redis did not answer SCAN within ${timeoutMs} ms`)) as [string, string[]];
        await onKeys(keys);
        cursor = next;
      } while (cursor !== "0");
    }
  }

  /** Removes keys: batched on one server; one UNLINK per key on a cluster (one command must not span slots). */
  async unlink(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    if (this.isCluster) {
      await Promise.all(keys.map((key) => this.send(["UNLINK", key])));
      return;
    }
    for (let start = 0; start < keys.length; start += UNLINK_BATCH) await this.send(["UNLINK", ...keys.slice(start, start + UNLINK_BATCH)]);
  }

  async close(): Promise<void> {
    const owned = this.#owned;
    this.#owned = undefined;
    this.#connecting = undefined;
    if (owned?.isOpen) await owned.close?.().catch(() => destroyQuietly(owned));
  }

  /** A single-server client that is ready now (clusters go through #client(), which may renew them). */
  #readyClient(): RedisClientLike | undefined {
    const passed = this.#options.client;
    if (passed) return isClusterClient(passed) || passed.isReady === false ? undefined : passed;
    const owned = this.#owned;
    return owned !== undefined && !isClusterClient(owned) && owned.isReady ? owned : undefined;
  }

  async #client(): Promise<RedisClientLike | RedisClusterLike> {
    const passed = this.#options.client;
    if (passed) {
      if (isClusterClient(passed) ? passed.isOpen === false : passed.isReady === false) throw new RedisUnavailable("the Redis client passed to configure() is not connected");
      return passed;
    }
    const owned = this.#owned;
    if (owned !== undefined && isClusterClient(owned) && owned.isOpen) {
      if (this.#renewCluster && this.#connecting === undefined && Date.now() >= this.#retryAt) this.#renewInBackground();
      return owned;
    }
    if (owned !== undefined && !isClusterClient(owned) && owned.isReady) return owned;
    if (this.#connecting === undefined) {
      // Until the backoff allows a retry, fail with the last attempt's reason (a refused password stays one).
      if (Date.now() < this.#retryAt) throw this.#lastFailure ?? new RedisUnavailable(`Redis at ${redactUrl(this.#options.url)} is unreachable`);
      this.#connecting = this.#open();
    }
    return this.#connecting;
  }

  #scheduleRenewal(): void {
    if (this.#renewCluster) return;
    this.#renewCluster = true;
    this.#delayNextAttempt();
  }

  /** Opens a fresh cluster client while the current one keeps serving; it replaces the current one once connected. */
  #renewInBackground(): void {
    const current = this.#owned;
    const opening = this.#open(false);
    this.#connecting = opening;
    opening.then(
      () => {
        this.#renewCluster = false;
        // Commands sent a moment ago may still be waiting on the old client: close it once they are bounded out.
        if (current !== undefined) setTimeout(() => destroyQuietly(current), this.#options.timeoutMs).unref?.();
      },
      () => {
        // #open moved the next attempt further out; the current client keeps serving meanwhile.
        this.#owned ??= current;
      },
    );
  }

  #drop(): void {
    const owned = this.#owned;
    this.#owned = undefined;
    if (owned !== undefined) destroyQuietly(owned);
    this.#delayNextAttempt();
  }

  #delayNextAttempt(): void {
    this.#retryAt = Date.now() + this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, RECONNECT_BACKOFF_MAX_MS);
  }

  /**
   * A fresh client; `replace`: destroy the current one first (a renewal keeps it until the
   * new one is connected, and keeps the backoff growing: while a node is down, each renewal
   * may connect without it and fail on its slots again).
   */
  async #open(replace = true): Promise<OwnedClient | OwnedCluster> {
    const previous = this.#owned;
    if (replace) {
      this.#owned = undefined;
      if (previous !== undefined) destroyQuietly(previous);
    }
    const redis = await importRedis();
    const { url, timeoutMs } = this.#options;
    const nodes = this.#nodes;
    const client =
      nodes !== undefined
        ? (redis.createCluster(clusterOptions(nodes, timeoutMs)) as OwnedCluster)
        : (redis.createClient({
            url,
            disableOfflineQueue: true,
            socket: { connectTimeout: timeoutMs, reconnectStrategy: false },
          }) as OwnedClient);
    // The listener keeps 'error' from crashing the process, and keeps the cause: a refused AUTH
    // during the handshake arrives here, while connect() only says "The client is closed".
    let cause: unknown;
    const onError = (error: unknown) => {
      cause = error;
      if (this.#owned === client) this.#closedBecause = error;
    };
    client.on("error", onError);
    if (nodes !== undefined) (client as OwnedCluster).on("node-error", onError);
    try {
      await withTimeout(client.connect(), timeoutMs, () => `could not connect to Redis at ${redactUrl(url)} within ${timeoutMs} ms`);
    } catch (error) {
      // A cluster that failed to connect may hold connections to the nodes it reached.
      destroyQuietly(client);
      this.#delayNextAttempt();
      const reason = cause !== undefined && isClientClosed(error) ? cause : error;
      this.#lastFailure = reason instanceof RedisUnavailable ? reason : new RedisUnavailable(describe(reason));
      throw this.#lastFailure;
    } finally {
      this.#connecting = undefined;
    }
    // A cache connection must not keep a finished program alive.
    if (isClusterClient(client)) for (const master of (client as OwnedCluster).masters) master.client?.unref?.();
    else client.unref?.();
    if (replace) this.#backoffMs = RECONNECT_BACKOFF_MIN_MS;
    this.#owned = client;
    this.#closedBecause = cause;
    this.#lastFailure = undefined;
    return client;
  }
}

interface RedisPackage {
  createClient(options: object): unknown;
  createCluster(options: object): unknown;
}

export async function importRedis(): Promise<RedisPackage> {
  try {
    const mod = (await import(/* webpackIgnore: true */ /* @vite-ignore */ REDIS_PACKAGE)) as Partial<RedisPackage> & { default?: Partial<RedisPackage> };
    const createClient = mod.createClient ?? mod.default?.createClient;
    const createCluster = mod.createCluster ?? mod.default?.createCluster;
    if (typeof createClient !== "function" || typeof createCluster !== "function") throw new Error("the 'redis' package has no createClient/createCluster export");
    return { createClient, createCluster };
  } catch (cause) {
    throw new MissingPeerDependencyError({ packageName: "redis", feature: 'persist: "redis"', cause });
  }
}

/** The promise's outcome, or RedisUnavailable after `ms`: one timer, no race of two promises (this runs on every hit). */
export function withTimeout<T>(promise: Promise<T>, ms: number, describeTimeout: () => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new RedisUnavailable(describeTimeout())), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Closes a client's sockets. destroy() throws on a client that already closed itself (a
 * refused AUTH, a node that went away), and a cluster's destroy() stops at its first
 * closed node, so a cluster's nodes are destroyed one by one.
 */
function destroyQuietly(client: OwnedClient | OwnedCluster): void {
  if (isClusterClient(client)) {
    for (const master of client.masters) {
      try {
        master.client?.destroy?.();
      } catch {
        // already closed
      }
    }
  }
  try {
    client.destroy();
  } catch {
    // already closed
  }
}

/** An error reply of the server (CLUSTERDOWN, NOPERM, ...), as opposed to a node that cannot be reached. */
function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.constructor.name === "ErrorReply";
}

function isClientClosed(error: unknown): boolean {
  return error instanceof Error && /client is closed/i.test(error.message);
}

/** `redis://user:secret@host` -> `redis://user:***@host`, so warnings never print passwords. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/g, "//$1:***@");
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What a Redis failure means for the user: the server is unreachable, refused our credentials, or denies a command. */
export type RedisProblem =
  | { readonly kind: "outage" }
  | { readonly kind: "authentication" }
  | { readonly kind: "permission"; readonly command: string };

/** Classifies a failure by the reply codes of Redis (WRONGPASS, NOAUTH, NOPERM). */
export function classifyRedisError(error: unknown): RedisProblem {
  const message = describe(error);
  if (/^(WRONGPASS|NOAUTH)\b|invalid (username-)?password|Authentication required/i.test(message)) return { kind: "authentication" };
  if (/^NOPERM\b/.test(message)) {
    const command = /run the '([^']+)' command/.exec(message)?.[1];
    return { kind: "permission", command: command === undefined ? "a key or channel" : command.toUpperCase() };
  }
  return { kind: "outage" };
}

/** The user in a Redis URL (`default` when none is given), for messages. */
export function redisUser(url: string): string {
  const match = /^[a-z]+:\/\/([^:@/]*)(?::[^@/]*)?@/i.exec(url);
  return match?.[1] ? decodeURIComponent(match[1]) : "default";
}

/** Removes the URL's password from any text (a server or client message could echo it). */
export function maskSecret(text: string, url: string): string {
  const password = /^[a-z]+:\/\/[^:@/]*:([^@/]+)@/i.exec(url)?.[1];
  let masked = text.replaceAll(url, redactUrl(url));
  if (password !== undefined) {
    for (const form of new Set([password, safeDecode(password)])) if (form.length >= 3) masked = masked.replaceAll(form, "***");
  }
  return masked;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
