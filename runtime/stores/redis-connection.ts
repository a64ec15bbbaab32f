import { MissingPeerDependencyError } from "../errors.ts";

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

/** Thrown inside the store when Redis cannot answer in time; the store turns it into a local computation. */
export class RedisUnavailable extends Error {}

export interface RedisConnectionOptions {
  readonly url: string;
  readonly client?: RedisClientLike;
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

/**
 * One lazily opened connection with our own reconnect policy: the client never
 * reconnects in the background and never queues commands while offline (so nothing
 * keeps the process alive or waits forever); instead the next command after a short
 * backoff opens a fresh connection. That is how the store recovers when Redis returns.
 */
export class RedisConnection {
  readonly #options: RedisConnectionOptions;
  #owned: OwnedClient | undefined;
  #connecting: Promise<OwnedClient> | undefined;
  #retryAt = 0;
  #backoffMs = RECONNECT_BACKOFF_MIN_MS;
  /** Why the last connection attempt failed; repeated while the backoff runs. */
  #lastFailure: RedisUnavailable | undefined;
  /** The last 'error' event of the owned client: why it closed, when a command only says that it did. */
  #closedBecause: unknown;

  readonly #commandOptions: { readonly timeout: number };

  constructor(options: RedisConnectionOptions) {
    this.#options = options;
    this.#commandOptions = { timeout: options.timeoutMs };
  }

  /** Send one command, bounded by the timeout; `binary` (reads) returns bulk strings as Buffers. */
  async send(args: readonly (string | Buffer)[], binary = false): Promise<unknown> {
    // A ready connection is used without an extra await (a hit is one round trip and little else).
    const client = this.#readyClient() ?? (await this.#client());
    const { timeoutMs } = this.#options;
    const options = binary ? (binaryReplies ??= { typeMapping: { 36: Buffer }, returnBuffers: true }) : this.#commandOptions;
    try {
      return await withTimeout(client.sendCommand(args, options), timeoutMs, () => `Redis did not answer ${String(args[0])} within ${timeoutMs} ms`);
    } catch (error) {
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

  async close(): Promise<void> {
    const owned = this.#owned;
    this.#owned = undefined;
    this.#connecting = undefined;
    if (owned?.isOpen) await owned.close?.().catch(() => owned.destroy());
  }

  #readyClient(): RedisClientLike | undefined {
    const passed = this.#options.client;
    if (passed) return passed.isReady === false ? undefined : passed;
    return this.#owned?.isReady ? this.#owned : undefined;
  }

  async #client(): Promise<RedisClientLike> {
    const passed = this.#options.client;
    if (passed) {
      if (passed.isReady === false) throw new RedisUnavailable("the Redis client passed to configure() is not connected");
      return passed;
    }
    if (this.#owned?.isReady) return this.#owned;
    if (this.#connecting === undefined) {
      // Until the backoff allows a retry, fail with the last attempt's reason (a refused password stays one).
      if (Date.now() < this.#retryAt) throw this.#lastFailure ?? new RedisUnavailable(`Redis at ${redactUrl(this.#options.url)} is unreachable`);
      this.#connecting = this.#open();
    }
    return this.#connecting;
  }

  #drop(): void {
    const owned = this.#owned;
    this.#owned = undefined;
    if (owned?.isOpen) owned.destroy();
    this.#delayNextAttempt();
  }

  #delayNextAttempt(): void {
    this.#retryAt = Date.now() + this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, RECONNECT_BACKOFF_MAX_MS);
  }

  async #open(): Promise<OwnedClient> {
    const previous = this.#owned;
    this.#owned = undefined;
    if (previous?.isOpen) previous.destroy();
    const { createClient } = await importRedis();
    const { url, timeoutMs } = this.#options;
    const client = createClient({
      url,
      disableOfflineQueue: true,
      socket: { connectTimeout: timeoutMs, reconnectStrategy: false },
    }) as unknown as OwnedClient;
    // The listener keeps 'error' from crashing the process, and keeps the cause: a refused AUTH
    // during the handshake arrives here, while connect() only says "The client is closed".
    let cause: unknown;
    client.on("error", (error) => {
      cause = error;
      if (this.#owned === client) this.#closedBecause = error;
    });
    try {
      await withTimeout(client.connect(), timeoutMs, () => `could not connect to Redis at ${redactUrl(url)} within ${timeoutMs} ms`);
    } catch (error) {
      // destroy() of a client that closed itself (a refused AUTH) throws "The client is closed".
      if (client.isOpen) client.destroy();
      this.#delayNextAttempt();
      const reason = cause !== undefined && isClientClosed(error) ? cause : error;
      this.#lastFailure = reason instanceof RedisUnavailable ? reason : new RedisUnavailable(describe(reason));
      throw this.#lastFailure;
    } finally {
      this.#connecting = undefined;
    }
    // A cache connection must not keep a finished program alive.
    client.unref?.();
    this.#backoffMs = RECONNECT_BACKOFF_MIN_MS;
    this.#owned = client;
    this.#closedBecause = cause;
    this.#lastFailure = undefined;
    return client;
  }
}

export async function importRedis(): Promise<{ createClient(options: object): unknown }> {
  try {
    const mod = (await import(/* webpackIgnore: true */ /* @vite-ignore */ REDIS_PACKAGE)) as { createClient?: unknown; default?: { createClient?: unknown } };
    const createClient = mod.createClient ?? mod.default?.createClient;
    if (typeof createClient !== "function") throw new Error("the 'redis' package has no createClient export");
    return { createClient: createClient as (options: object) => unknown };
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

function isClientClosed(error: unknown): boolean {
  return error instanceof Error && /client is closed/i.test(error.message);
}

/** `redis://user:secret@host` -> `redis://user:***@host`, so warnings never print passwords. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
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
