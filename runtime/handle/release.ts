/**
 * Releasing a singleton value when it leaves the cache (eviction, ttl expiry,
 * clear, a new code version, failed validation): the configured `dispose(value)`,
 * else `[Symbol.asyncDispose]()`, else `[Symbol.dispose]()`. A failing release is
 * reported once with console.warn and never reaches the caller that triggered it.
 */
const RESOLVED: Promise<void> = Promise.resolve();

function disposerOf(value: unknown): (() => unknown) | undefined {
  if ((typeof value !== "object" || value === null) && typeof value !== "function") return undefined;
  const holder = value as Record<symbol, unknown>;
  const asyncDispose = typeof Symbol.asyncDispose === "symbol" ? holder[Symbol.asyncDispose] : undefined;
  if (typeof asyncDispose === "function") return () => asyncDispose.call(value);
  const dispose = typeof Symbol.dispose === "symbol" ? holder[Symbol.dispose] : undefined;
  if (typeof dispose === "function") return () => dispose.call(value);
  return undefined;
}

function warnReleaseFailed(functionId: string, error: unknown): void {
  const reason = error instanceof Error ? error.message : String(error);
  console.warn(`[automemo] Releasing a value of ${functionId} failed: ${reason}. The value was dropped from the cache anyway.`);
}

/** Releases `value`; the promise settles when an async release finished (it never rejects). */
export function releaseValue(value: unknown, configured: ((value: unknown) => unknown) | undefined, functionId: string): Promise<void> {
  const release = configured !== undefined ? () => configured(value) : disposerOf(value);
  if (release === undefined) return RESOLVED;
  try {
    const outcome = release();
    if (outcome instanceof Promise || (typeof outcome === "object" && outcome !== null && typeof (outcome as PromiseLike<unknown>).then === "function")) {
      return Promise.resolve(outcome).then(
        () => undefined,
        (error) => warnReleaseFailed(functionId, error),
      );
    }
  } catch (error) {
    warnReleaseFailed(functionId, error);
  }
  return RESOLVED;
}
