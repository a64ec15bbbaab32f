/**
 * Creates the built-in stores "disk" and "redis" for `getStore` (index.ts). The
 * browser build of the runtime (tsup.config.ts) replaces this module with
 * built-in.browser.ts, so browser bundles carry no DiskStore/RedisStore code.
 * Both modules export the same function; keep them in step.
 */
import { DiskStore } from "./disk.ts";
import { readEnv } from "./node-builtins.ts";
import { DEFAULT_REDIS_URL, RedisStore } from "./redis.ts";
import type { CacheStore, StoreConfig } from "./store.ts";

/** A new built-in store `name` with the current settings; undefined when there is no built-in store of that name. */
export function createBuiltInStore(name: string, config: StoreConfig): CacheStore | undefined {
  const signingKey = config.signingKey ?? readEnv("AUTOMEMO_SIGNING_KEY");
  if (name === "disk") {
    const trustDir = config.trustCacheDir ?? readEnv("AUTOMEMO_TRUST_CACHE_DIR") === "1";
    return new DiskStore({ dir: config.cacheDir, lockStaleMs: config.lockTimeoutMs, trustDir, signingKey });
  }
  if (name === "redis") {
    return new RedisStore({
      url: config.redisUrl ?? readEnv("AUTOMEMO_REDIS_URL") ?? DEFAULT_REDIS_URL,
      client: config.redisClient,
      prefix: config.redisPrefix,
      timeoutMs: config.redisTimeoutMs,
      lockTtlMs: config.lockTimeoutMs,
      signingKey,
    });
  }
  return undefined;
}
