import { AutomemoError } from "../errors.ts";
import { publishStoreError } from "../observe/channels.ts";
import { decodeEntry, DefectiveEntry, encodeEntry, entryAddress, SERIALIZATION_TAG, SERIALIZATION_TAGS, type EntrySeal } from "./codec.ts";
import { nodeCrypto } from "./node-builtins.ts";
import { classifyRedisError, describe, maskSecret, RedisConnection, redactUrl, redisUser, type RedisClientLike } from "./redis-connection.ts";
import { RedisBus } from "../fleet/redis-bus.ts";
import { keyInSameSlot, type RedisClusterLike } from "./redis-cluster.ts";
import type { CacheStore, ComputeOnceOptions, InvalidationBus, StoreFunction, StoreHit } from "./store.ts";

export interface RedisStoreOptions {
  /** Default: `configure({ redisUrl })`, `AUTOMEMO_REDIS_URL`, then `redis://127.0.0.1:6379`. Several comma-separated URLs: the nodes of a Redis Cluster. */
  readonly url?: string;
  /** A connected node-redis client (`createClient()` or `createCluster()`) to use instead of opening one (automemo never closes it). */
  readonly client?: RedisClientLike | RedisClusterLike;
  /** Key namespace: keys are `<prefix>:<id>:<version>:<key>`. Default `automemo`. */
  readonly prefix?: string;
  /** Bound on every Redis command and on connecting. Default 1000 ms. */
  readonly timeoutMs?: number;
  /**
   * Lease of the cross-process computation lock: the holder extends it every third of it
   * while it computes, so a dead holder blocks others for at most this long. Default 5 s.
   */
  readonly lockTtlMs?: number;
  /** Longest pause between two polls of a process waiting for another one's result. Default 100 ms. */
  readonly maxPollMs?: number;
  readonly warn?: (message: string) => void;
  /** HMAC key: values are signed, and unsigned or wrongly signed values are misses. Default: none. */
  readonly signingKey?: string;
}

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
export const DEFAULT_REDIS_PREFIX = "automemo";
export const LOCK_KEY_SUFFIX = ".lock";
/**
 * Short, so a crashed holder is replaced within seconds. A live holder extends it every
 * third (its timers run while it awaits); only an event loop blocked for longer than the
 * lease, or Redis unreachable from the holder, lets it lapse (see #computeHoldingLock).
 */
export const DEFAULT_REDIS_LOCK_LEASE_MS = 5_000;
/**
 * A cluster node that is down fails again within the longest reconnect backoff (5 s), so
 * a cluster outage ends (and a new one is reported) only after this long without failures.
 */
const CLUSTER_OUTAGE_QUIET_MS = 6_000;
/** Every command the store sends, for the ACL advice of a permission warning (the lock scripts call GET, DEL, PEXPIRE). */
const REQUIRED_COMMANDS = ["GET", "SET", "DEL", "PEXPIRE", "EVAL", "UNLINK", "SCAN", "SADD", "SREM", "SMEMBERS", "PTTL", "EXISTS", "PERSIST", "PUBLISH", "SUBSCRIBE"];
/** `<prefix>:#tag:<tag>`: the set of entry keys (without serialization suffix) carrying the tag. */
const TAG_KEY_INFIX = ":#tag:";
/** `<prefix>:#invalidations`: the pub/sub channel of the fleet invalidation bus. */
const BUS_CHANNEL_SUFFIX = ":#invalidations";

// Adds an entry to a tag set that lives as long as its longest-lived member (ARGV[2]: ttl ms, "" for none).
const TAG_ENTRY = `local fresh = redis.call("exists", KEYS[1]) == 0
redis.call("sadd", KEYS[1], ARGV[1])
if ARGV[2] == "" then redis.call("persist", KEYS[1]) return 1 end
local left = redis.call("pttl", KEYS[1])
if fresh or (left >= 0 and left < tonumber(ARGV[2])) then redis.call("pexpire", KEYS[1], ARGV[2]) end
return 1`;
// Compare-and-delete / compare-and-extend: a holder whose lock expired must not touch the new holder's lock.
const RELEASE_LOCK = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
const EXTEND_LOCK = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;

/**
 * The `persist: "redis"` store: entries shared by every process that talks to one Redis,
 * one computation per key across all of them. Asynchronous only (no `readSync`).
 * When Redis is down or slow, every operation gives up after `timeoutMs`, prints one
 * warning per outage, and the caller computes locally.
 *
 * @example
 * const store = new RedisStore({ url: "redis://127.0.0.1:6379" });
 * await store.write({ id: "a.ts#f", version: "1", ttlMs: 60_000 }, "0123456789abcdef0123456789abcdef", [1, 2]);
 */
export class RedisStore implements CacheStore {
  readonly name = "redis";
  readonly url: string;
  readonly prefix: string;
  readonly #connection: RedisConnection;
  readonly #lockTtlMs: number;
  readonly #maxPollMs: number;
  readonly #warn: (message: string) => void;
  readonly #signingKey: string | undefined;
  readonly #keyPrefixes = new WeakMap<StoreFunction, string>();
  /** `id\nversion` pairs whose older versions this process already removed. */
  readonly #pruned = new Set<string>();
  readonly #background = new Set<Promise<void>>();
  #offline = false;
  /** When a command last failed for want of Redis (cluster outages end after a quiet spell). */
  #lastOutageAt = 0;
  #warnedDefect = false;
  readonly #busSettings: { readonly url: string; readonly client?: RedisClientLike | RedisClusterLike; readonly timeoutMs: number };
  #bus: RedisBus | undefined;
  /** Authentication and per-command permission problems already reported. */
  readonly #reported = new Set<string>();

  constructor(options: RedisStoreOptions = {}) {
    this.url = options.url ?? DEFAULT_REDIS_URL;
    this.prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    this.#connection = new RedisConnection({ url: this.url, client: options.client, timeoutMs: options.timeoutMs ?? 1_000 });
    this.#lockTtlMs = options.lockTtlMs ?? DEFAULT_REDIS_LOCK_LEASE_MS;
    this.#maxPollMs = options.maxPollMs ?? 100;
    this.#warn = options.warn ?? ((message) => console.warn(message));
    this.#signingKey = options.signingKey;
    // Pub/sub reaches every node of a cluster, so the subscriber connects to one of them (the bus picks which).
    this.#busSettings = { url: this.url, client: options.client, timeoutMs: options.timeoutMs ?? 1_000 };
  }

  /** The fleet bus on `<prefix>:#invalidations`; its subscriber connection opens when a process starts listening. */
  invalidationBus(): InvalidationBus {
    this.#bus ??= new RedisBus({
      ...this.#busSettings,
      channel: this.prefix + BUS_CHANNEL_SUFFIX,
      publish: async (channel, payload) => {
        try {
          await this.#send(["PUBLISH", channel, payload]);
        } catch (error) {
          this.#unavailable(error, "publish");
        }
      },
    });
    return this.#bus;
  }

  async tagEntry(fn: StoreFunction, key: string, tags: readonly string[]): Promise<void> {
    const ttl = fn.ttlMs === undefined ? "" : String(Math.max(1, Math.round(fn.ttlMs)));
    try {
      await Promise.all(tags.map((tag) => this.#send(["EVAL", TAG_ENTRY, "1", this.prefix + TAG_KEY_INFIX + tag, this.entryKey(fn, key), ttl])));
    } catch (error) {
      this.#unavailable(error, "write", fn);
    }
  }

  /**
   * Drops the entries of each tag, cluster-safe: a tag's members live in any slot, so no
   * script can delete them (slot rule 5 in docs/fleet.md). Per tag: SMEMBERS, then SREM
   * of exactly those members, then one UNLINK per entry key. Removing the members read
   * (rather than the set) keeps a member indexed concurrently after the SMEMBERS in the
   * set, so a later invalidateTag still finds that entry. Guarantee: every entry whose
   * index was written before the SMEMBERS is gone when this resolves, except one whose
   * computation overlaps the call and writes its value after the UNLINK (as with clear).
   */
  async deleteTagged(tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    try {
      await Promise.all(tags.map((tag) => this.#deleteTag(this.prefix + TAG_KEY_INFIX + tag)));
    } catch (error) {
      this.#unavailable(error, "delete");
    }
  }

  async #deleteTag(tagKey: string): Promise<void> {
    const members = (await this.#send(["SMEMBERS", tagKey])) as string[];
    if (members.length === 0) return;
    // Unindexed first: an entry re-indexed from here on stays in the set.
    await this.#send(["SREM", tagKey, ...members]);
    await this.#connection.unlink(members.flatMap((base) => SERIALIZATION_TAGS.map((suffix) => base + suffix)));
    this.#answered();
  }

  /** `<prefix>:<id>:<version>:<key>` */
  entryKey(fn: StoreFunction, key: string): string {
    let base = this.#keyPrefixes.get(fn);
    if (base === undefined) {
      base = `${this.prefix}:${fn.id}:${fn.version}:`;
      this.#keyPrefixes.set(fn, base);
    }
    return base + key;
  }

  async read(fn: StoreFunction, key: string): Promise<StoreHit | undefined> {
    try {
      return await this.#get(fn, key);
    } catch (error) {
      this.#unavailable(error, "read", fn);
      return undefined;
    }
  }

  async write(fn: StoreFunction, key: string, value: unknown): Promise<void> {
    const bytes = encodeEntry(fn.id, value, { createdAt: Date.now(), expiresAt: 0 }, this.#seal(fn, key));
    try {
      await this.#set(fn, key, bytes);
    } catch (error) {
      this.#unavailable(error, "write", fn);
      return;
    }
    const pruneKey = `${fn.id}\n${fn.version}`;
    if (!this.#pruned.has(pruneKey)) {
      this.#pruned.add(pruneKey);
      // SCAN walks the whole keyspace, so it runs in the background instead of delaying the caller.
      const pruning = this.#removeOtherVersions(fn).catch((error) => this.#unavailable(error, "delete", fn));
      this.#background.add(pruning);
      void pruning.finally(() => this.#background.delete(pruning));
    }
  }

  async delete(fn: StoreFunction, key?: string): Promise<void> {
    try {
      if (key !== undefined) {
        await this.#connection.unlink(SERIALIZATION_TAGS.map((tag) => this.entryKey(fn, key) + tag));
        this.#answered();
        return;
      }
      await this.#unlinkFunctionKeys(fn, () => true);
    } catch (error) {
      this.#unavailable(error, "delete", fn);
    }
  }

  /**
   * Cross-process single flight: `SET lock token NX PX lease` elects one computing
   * process; the others poll for the value. The holder extends the lease while it
   * computes; a crashed holder's lease expires after `lockTtlMs` and a waiter takes over.
   * Redis failing at any point: compute locally.
   */
  async computeOnce<T>(fn: StoreFunction, key: string, compute: () => Promise<T>, options: ComputeOnceOptions = {}): Promise<T> {
    // Beside the value in one cluster slot: a key's single flight depends on one node only.
    const lockKey = keyInSameSlot(`${this.prefix}:`, this.entryKey(fn, key) + SERIALIZATION_TAG, LOCK_KEY_SUFFIX);
    const token = nodeCrypto().randomBytes(12).toString("hex");
    // After the caller's own miss, the first read that matters is the one under the lock.
    let readFirst = options.justMissed !== true;
    for (let delayMs = 2; ; delayMs = Math.min(delayMs * 1.5, this.#maxPollMs)) {
      let acquired: boolean;
      try {
        if (readFirst) {
          const hit = await this.#get(fn, key);
          if (hit) return hit.value as T;
        }
        readFirst = true;
        acquired = (await this.#send(["SET", lockKey, token, "NX", "PX", String(this.#lockTtlMs)])) !== null;
        if (acquired) {
          // The previous holder may have stored the value between our GET and our SET.
          const again = await this.#get(fn, key);
          if (again) {
            await this.#releaseLock(lockKey, token);
            return again.value as T;
          }
        }
      } catch (error) {
        this.#unavailable(error, "lock", fn);
        return compute();
      }
      if (acquired) return this.#computeHoldingLock(fn, key, lockKey, token, compute);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }

  async close(): Promise<void> {
    await this.#bus?.close();
    await Promise.all(this.#background);
    await this.#connection.close();
  }

  /**
   * Computes while extending the lease. An extension that finds the lease lost (the holder's
   * event loop was blocked past it, or Redis was unreachable) changes nothing here: the
   * computation goes on and its value is written as usual, while another process may have
   * taken the lock and be computing the same key too; both write the same function's value.
   */
  async #computeHoldingLock<T>(fn: StoreFunction, key: string, lockKey: string, token: string, compute: () => Promise<T>): Promise<T> {
    // Unref'd: a lease refresh must not keep a finished program alive; stopped on settle below.
    const extend = setInterval(() => {
      this.#send(["EVAL", EXTEND_LOCK, "1", lockKey, token, String(this.#lockTtlMs)]).catch(() => {});
    }, Math.max(10, Math.floor(this.#lockTtlMs / 3)));
    extend.unref?.();
    try {
      const value = await compute();
      await this.write(fn, key, value);
      return value;
    } finally {
      clearInterval(extend);
      await this.#releaseLock(lockKey, token);
    }
  }

  /** First write of a version in this process: drop the entries of the function's other code versions. */
  async #removeOtherVersions(fn: StoreFunction): Promise<void> {
    const current = this.entryKey(fn, "");
    await this.#unlinkFunctionKeys(fn, (redisKey) => !redisKey.startsWith(current));
  }

  async #unlinkFunctionKeys(fn: StoreFunction, select: (redisKey: string) => boolean): Promise<void> {
    const functionPrefix = `${this.prefix}:${fn.id}:`;
    await this.#connection.scan(`${escapeGlob(functionPrefix)}*`, async (keys) => {
      // The id "a#f" must not take "a#f:x#g" along: the rest after the id is exactly "<version>:<key>".
      await this.#connection.unlink(keys.filter((redisKey) => redisKey.slice(functionPrefix.length).split(":").length === 2 && select(redisKey)));
    });
    this.#answered();
  }

  async #releaseLock(lockKey: string, token: string): Promise<void> {
    // If this fails the lock simply expires after lockTtlMs.
    await this.#send(["EVAL", RELEASE_LOCK, "1", lockKey, token]).catch(() => {});
  }

  async #get(fn: StoreFunction, key: string): Promise<StoreHit | undefined> {
    const redisKey = this.entryKey(fn, key) + SERIALIZATION_TAG;
    const reply = await this.#connection.send(["GET", redisKey], true);
    this.#answered();
    if (reply === null || reply === undefined) return undefined;
    const entry = Buffer.isBuffer(reply) ? decodeEntry(reply, this.#seal(fn, key)) : new DefectiveEntry("foreign");
    if (entry instanceof DefectiveEntry) {
      if (!this.#warnedDefect) {
        this.#warnedDefect = true;
        this.#warn(`[automemo] ignoring the Redis value at ${redisKey} (${entry.describe()}); it is recomputed and overwritten. Further unreadable values are not reported.`);
      }
      return undefined;
    }
    return { value: entry.value };
  }

  #seal(fn: StoreFunction, key: string): EntrySeal | undefined {
    return this.#signingKey === undefined ? undefined : { secret: this.#signingKey, address: entryAddress(fn.id, fn.version, key) };
  }

  async #set(fn: StoreFunction, key: string, bytes: Buffer): Promise<void> {
    const args = ["SET", this.entryKey(fn, key) + SERIALIZATION_TAG, bytes] as (string | Buffer)[];
    if (fn.ttlMs !== undefined) args.push("PX", String(Math.max(1, Math.round(fn.ttlMs))));
    await this.#send(args);
  }

  async #send(args: readonly (string | Buffer)[], binary = false): Promise<unknown> {
    const reply = await this.#connection.send(args, binary);
    this.#answered();
    return reply;
  }

  /**
   * A command succeeded: the outage is over. On a cluster, other slots answer while one node
   * is down, so it is over only once no command failed for CLUSTER_OUTAGE_QUIET_MS.
   */
  #answered(): void {
    if (this.#offline && (!this.#connection.isCluster || Date.now() - this.#lastOutageAt > CLUSTER_OUTAGE_QUIET_MS)) this.#offline = false;
  }

  /**
   * Redis errors never reach the caller (except a missing `redis` package). An outage is
   * reported once per outage; refused credentials once; a denied command once per command
   * (the server answers, so these are not outages and do not end one). Never a password.
   */
  #unavailable(error: unknown, operation: string, fn?: StoreFunction): void {
    if (error instanceof AutomemoError) throw error;
    publishStoreError({ store: this.name, id: fn?.id, operation, error });
    const problem = classifyRedisError(error);
    const where = `Redis at ${redactUrl(this.url)}`;
    const reason = maskSecret(describe(error), this.url);
    if (problem.kind === "outage") {
      this.#lastOutageAt = Date.now();
      if (this.#offline) return;
      this.#offline = true;
      this.#warn(`[automemo] ${where} is unavailable (${reason}); computing locally without the shared cache until it is back. This is reported once per outage.`);
      return;
    }
    const topic = problem.kind === "authentication" ? "authentication" : `permission ${problem.command}`;
    if (this.#reported.has(topic)) return;
    this.#reported.add(topic);
    if (problem.kind === "authentication") {
      this.#warn(
        `[automemo] ${where} refused the credentials of user '${redisUser(this.url)}' (${reason}): authentication error. ` +
          `Fix the user and password in redisUrl / AUTOMEMO_REDIS_URL. Computing locally without the shared cache; this is reported once.`,
      );
      return;
    }
    this.#warn(
      `[automemo] ${where}: user '${redisUser(this.url)}' has no permission to run ${problem.command} (${reason}): permission error. ` +
        `automemo needs ${REQUIRED_COMMANDS.join(", ")} on keys '${this.prefix}:*': ` +
        `ACL SETUSER ${redisUser(this.url)} ~${this.prefix}:* ${REQUIRED_COMMANDS.map((command) => `+${command.toLowerCase()}`).join(" ")}. ` +
        `Until then the operations that need it are skipped (values are computed locally); this is reported once per command.`,
    );
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
