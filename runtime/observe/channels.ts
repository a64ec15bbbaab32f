/**
 * Events on `node:diagnostics_channel`, the convention APM and OpenTelemetry
 * instrumentations subscribe to (undici, fastify, mysql2 publish there too):
 *
 * - TracingChannel "automemo:compute" (`tracing:automemo:compute:start|end|asyncStart|asyncEnd|error`)
 *   around every computation of a miss, with a ComputeContext;
 * - plain channels "automemo:hit", "automemo:miss", "automemo:evict",
 *   "automemo:invalidate" and "automemo:store-error".
 *
 * The module is reached through `process.getBuiltinModule` the first time a handle is
 * created, never imported, so browser bundles stay clean; there (and on runtimes without
 * it) every channel is SILENT. Publishers test `hasSubscribers` before building a
 * message, so nothing is allocated while no one listens.
 */

/** Names of the channels; the compute channel is a TracingChannel (Node 20.19+). */
export const CHANNEL_NAMES = {
  compute: "automemo:compute",
  hit: "automemo:hit",
  miss: "automemo:miss",
  evict: "automemo:evict",
  invalidate: "automemo:invalidate",
  storeError: "automemo:store-error",
} as const;

/** The context object of every event of one computation ("automemo:compute"). */
export interface ComputeContext {
  /** Function id, e.g. "src/db.ts#loadRows". */
  readonly id: string;
  readonly kind: "memo" | "singleton";
  /** Hex digest of the key (the persistent store's key for persisted functions). */
  readonly key: string;
  /** The store under the memory cache ("disk", "redis", a registered name), or "memory". */
  readonly store: string;
  /** Set before `end` (sync) or `asyncStart` (async): the computed value. */
  result?: unknown;
  /** Set before `error`: what the computation threw or rejected with. */
  error?: unknown;
}

/** "automemo:hit" and "automemo:miss": a lookup in the memory cache. */
export interface LookupMessage {
  readonly id: string;
  readonly kind: "memo" | "singleton";
}

/** "automemo:evict": an entry left the memory cache without being cleared. */
export interface EvictMessage {
  readonly id: string;
  /** capacity: maxEntries/maxBytes; budget: configure({ maxBytes }); expired: ttl; invalid: validate() said false. */
  readonly reason: "capacity" | "budget" | "expired" | "invalid";
}

/** "automemo:invalidate": entries were cleared. */
export interface InvalidateMessage {
  /** The function, or null for clearAll() and invalidateTag(). */
  readonly id: string | null;
  /** function: clear(fn); call: clear(fn, ...args); all: clearAll(); tags: invalidateTag(...tags). */
  readonly scope: "function" | "call" | "all" | "tags";
  /** The tags invalidated (scope "tags" only). */
  readonly tags?: readonly string[];
  /** local: called in this process; bus: received from another process on the invalidation bus (memory dropped here). */
  readonly source: "local" | "bus";
}

/** "automemo:store-error": a persistent store failed (the call went on without it). */
export interface StoreErrorMessage {
  /** The store ("disk", "redis", a registered name). */
  readonly store: string;
  /** The function concerned, when one is. */
  readonly id?: string;
  /** read, write, delete, lock, connect or publish. */
  readonly operation: string;
  readonly error: unknown;
}

interface PublishingChannel {
  readonly hasSubscribers: boolean;
  publish(message: unknown): void;
  runStores?<T>(context: object, fn: () => T): T;
}

export interface ComputeTracing {
  readonly start: PublishingChannel;
  readonly end: PublishingChannel;
  readonly asyncStart: PublishingChannel;
  readonly asyncEnd: PublishingChannel;
  readonly error: PublishingChannel;
}

/** Every channel a publisher uses, resolved once per runtime copy. */
export interface Observers {
  readonly hit: PublishingChannel;
  readonly miss: PublishingChannel;
  readonly evict: PublishingChannel;
  readonly invalidate: PublishingChannel;
  readonly storeError: PublishingChannel;
  readonly compute: ComputeTracing;
}

const SILENT: PublishingChannel = Object.freeze({ hasSubscribers: false, publish() {} });
const SILENT_OBSERVERS: Observers = Object.freeze({
  hit: SILENT,
  miss: SILENT,
  evict: SILENT,
  invalidate: SILENT,
  storeError: SILENT,
  compute: Object.freeze({ start: SILENT, end: SILENT, asyncStart: SILENT, asyncEnd: SILENT, error: SILENT }),
});

interface DiagnosticsChannelModule {
  channel(name: string): PublishingChannel;
  tracingChannel?(name: string): ComputeTracing;
}

let resolved: Observers | undefined;

/**
 * The channels; SILENT ones where `node:diagnostics_channel` is missing. The channel
 * objects are held here for good: Node keeps channels without subscribers weakly, and a
 * subscriber must find the very object the runtime tests `hasSubscribers` on.
 */
export function observers(): Observers {
  if (resolved !== undefined) return resolved;
  const proc = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process;
  const diagnostics = proc?.getBuiltinModule?.("node:diagnostics_channel") as DiagnosticsChannelModule | undefined;
  if (diagnostics === undefined) return (resolved = SILENT_OBSERVERS);
  const tracing = diagnostics.tracingChannel?.(CHANNEL_NAMES.compute);
  resolved = {
    hit: diagnostics.channel(CHANNEL_NAMES.hit),
    miss: diagnostics.channel(CHANNEL_NAMES.miss),
    evict: diagnostics.channel(CHANNEL_NAMES.evict),
    invalidate: diagnostics.channel(CHANNEL_NAMES.invalidate),
    storeError: diagnostics.channel(CHANNEL_NAMES.storeError),
    compute: tracing ?? SILENT_OBSERVERS.compute,
  };
  return resolved;
}

/** Whether anyone listens to any event of a computation. */
export function computeTraced(tracing: ComputeTracing): boolean {
  return tracing.start.hasSubscribers || tracing.end.hasSubscribers || tracing.asyncEnd.hasSubscribers || tracing.error.hasSubscribers || tracing.asyncStart.hasSubscribers;
}

/**
 * Runs `compute` under the tracing channel, as `TracingChannel#traceSync` does, and, when
 * it returns a promise, publishes asyncStart/asyncEnd (and error) when it settles, as
 * `tracePromise` does: a computation is only known to be async once it has returned.
 * `start.runStores` binds AsyncLocalStorage stores of subscribers (OpenTelemetry's span
 * context) around the computation, so spans it creates nest under the compute span.
 */
export function traceCompute(tracing: ComputeTracing, context: ComputeContext, compute: () => unknown, isThenable: (value: unknown) => value is PromiseLike<unknown>): unknown {
  const run = (): unknown => {
    let result: unknown;
    try {
      result = compute();
    } catch (error) {
      context.error = error;
      tracing.error.publish(context);
      tracing.end.publish(context);
      throw error;
    }
    if (!isThenable(result)) context.result = result;
    tracing.end.publish(context);
    return result;
  };
  const result = tracing.start.runStores === undefined ? (tracing.start.publish(context), run()) : tracing.start.runStores(context, run);
  if (!isThenable(result)) return result;
  return Promise.resolve(result).then(
    (value) => {
      context.result = value;
      tracing.asyncStart.publish(context);
      tracing.asyncEnd.publish(context);
      return value;
    },
    (error: unknown) => {
      context.error = error;
      tracing.error.publish(context);
      tracing.asyncStart.publish(context);
      tracing.asyncEnd.publish(context);
      throw error;
    },
  );
}

/** Failed store reads in this runtime copy (see publishStoreError). */
export const storeReadFailures = { count: 0 };

/** Publishes on "automemo:store-error" (stores call it on every failure, warned or not). */
export function publishStoreError(message: StoreErrorMessage): void {
  // Counted whether or not anyone subscribes: a miss right after a failed read is `store unavailable` (explain(fn)).
  if (message.operation === "read") storeReadFailures.count++;
  const channel = observers().storeError;
  if (channel.hasSubscribers) channel.publish(message);
}

/** "automemo:invalidate", once the entries are gone. */
export function publishInvalidate(message: InvalidateMessage): void {
  const channel = observers().invalidate;
  if (channel.hasSubscribers) channel.publish(message);
}
