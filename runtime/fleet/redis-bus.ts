/**
 * The invalidation bus of the Redis store: PUBLISH through the store's own connection,
 * SUBSCRIBE on a dedicated one (a subscribed Redis connection can send nothing else).
 * Like the store's connection it never reconnects by itself: a lost subscription is
 * reopened after a backoff by an unref'd timer, and every (re)subscription tells the
 * listener to resync, since messages sent while it was away are gone for good.
 */
import { nodeCrypto } from "../stores/node-builtins.ts";
import { clusterNodes, type RedisClusterLike } from "../stores/redis-cluster.ts";
import { importRedis, withTimeout, type RedisClientLike } from "../stores/redis-connection.ts";
import type { BusListener, Invalidation, InvalidationBus } from "../stores/store.ts";
import { decodeInvalidation, encodeInvalidation } from "./messages.ts";

export interface RedisBusOptions {
  /** One server, or the comma-separated nodes of a cluster (classic pub/sub reaches every node: any one will do). */
  readonly url: string;
  /** A client passed to configure(): the subscriber is its `duplicate()`, owned (and closed) by the bus. */
  readonly client?: RedisClientLike | RedisClusterLike;
  readonly channel: string;
  readonly timeoutMs: number;
  /** Sends one payload on the channel (the store's bounded, outage-reporting connection). */
  readonly publish: (channel: string, payload: string) => Promise<void>;
}

interface SubscriberClient {
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  on(event: "error" | "end", listener: (error?: unknown) => void): unknown;
  destroy(): void;
  unref?(): void;
  readonly isOpen?: boolean;
}

const RESUBSCRIBE_MIN_MS = 100;
const RESUBSCRIBE_MAX_MS = 5_000;

export class RedisBus implements InvalidationBus {
  readonly #options: RedisBusOptions;
  readonly #origin = nodeCrypto().randomBytes(8).toString("hex");
  #listener: BusListener | undefined;
  /** The client of the current attempt, connected or not. */
  #subscriber: SubscriberClient | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #backoffMs = RESUBSCRIBE_MIN_MS;
  #closed = false;
  /** Whether some attempt already ran: a later subscription may have missed messages, the first cannot have. */
  #attempted = false;
  /** Subscription attempts so far: on a cluster each one tries the next node, so a dead node is not retried forever. */
  #attempts = 0;

  constructor(options: RedisBusOptions) {
    this.#options = options;
  }

  listen(listener: BusListener): Promise<void> {
    if (this.#listener !== undefined || this.#closed) return Promise.resolve();
    this.#listener = listener;
    return this.#subscribe();
  }

  async publish(message: Invalidation): Promise<void> {
    await this.#options.publish(this.#options.channel, encodeInvalidation(this.#origin, message));
  }

  get closed(): boolean {
    return this.#closed;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    if (subscriber?.isOpen) subscriber.destroy();
  }

  async #newClient(): Promise<SubscriberClient> {
    const passed = this.#options.client;
    if (passed?.duplicate !== undefined) return passed.duplicate() as SubscriberClient;
    const { createClient } = await importRedis();
    const nodes = clusterNodes(this.#options.url);
    const url = nodes === undefined ? this.#options.url : nodes[this.#attempts++ % nodes.length]!;
    return createClient({ url, disableOfflineQueue: true, socket: { connectTimeout: this.#options.timeoutMs, reconnectStrategy: false } }) as SubscriberClient;
  }

  async #subscribe(): Promise<void> {
    const first = !this.#attempted;
    this.#attempted = true;
    let client: SubscriberClient | undefined;
    try {
      client = await this.#newClient();
      this.#subscriber = client;
      const attempt = client;
      // 'error' also keeps an unhandled error event from crashing the process.
      client.on("error", () => this.#lost(attempt));
      client.on("end", () => this.#lost(attempt));
      const { timeoutMs, channel } = this.#options;
      await withTimeout(client.connect(), timeoutMs, () => `could not connect the invalidation subscriber within ${timeoutMs} ms`);
      // A subscriber only waits for messages: it must not keep a finished program alive.
      client.unref?.();
      await withTimeout(client.subscribe(channel, (payload) => this.#receive(payload)), timeoutMs, () => `SUBSCRIBE did not answer within ${timeoutMs} ms`);
    } catch {
      if (client !== undefined) this.#lost(client);
      else this.#scheduleRetry();
      return;
    }
    if (this.#closed || this.#subscriber !== client) return;
    this.#backoffMs = RESUBSCRIBE_MIN_MS;
    // The first subscription is awaited before this process reads the store (fleet.ts), so it missed nothing.
    if (!first) this.#listener?.resync();
  }

  #receive(payload: string): void {
    const decoded = decodeInvalidation(payload);
    if (decoded === undefined || decoded.origin === this.#origin) return;
    this.#listener?.apply(decoded.message);
  }

  #lost(client: SubscriberClient): void {
    if (this.#subscriber !== client) return;
    this.#subscriber = undefined;
    if (client.isOpen) {
      try {
        client.destroy();
      } catch {
        // already closing
      }
    }
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.#closed) return;
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => void this.#subscribe(), this.#backoffMs);
    this.#retry.unref?.();
    this.#backoffMs = Math.min(this.#backoffMs * 2, RESUBSCRIBE_MAX_MS);
  }
}
