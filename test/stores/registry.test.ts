import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SyncStoreUnsupportedError, UnknownStoreError } from "../../runtime/errors.ts";
import { defaultCacheRoot, resolveCacheRoot } from "../../runtime/stores/disk-layout.ts";
import { assertStoreSupportsSync, DiskStore, getStore, RedisStore, registerStores, resetStores, setStoreConfig, type CacheStore } from "../../runtime/stores/index.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";
import { configure } from "../../runtime/index.ts";
import { sharedRuntime } from "../../runtime/handle/shared.ts";

const noopStore = (name: string): CacheStore => ({
  name,
  read: async () => undefined,
  write: async () => {},
  delete: async () => {},
});

afterEach(async () => {
  await resetStores();
  delete process.env.AUTOMEMO_CACHE_DIR;
  delete process.env.AUTOMEMO_REDIS_URL;
});

describe("getStore", () => {
  it("creates the built-in stores lazily, once, with the configured settings", () => {
    setStoreConfig({ cacheDir: "/tmp/automemo-configured", redisUrl: "redis://cache.internal:6380", redisPrefix: "app" });
    const disk = getStore("disk");
    expect(disk).toBeInstanceOf(DiskStore);
    expect((disk as DiskStore).root).toBe("/tmp/automemo-configured");
    expect(getStore("disk")).toBe(disk);
    const redis = getStore("redis") as RedisStore;
    expect(redis).toBeInstanceOf(RedisStore);
    expect([redis.url, redis.prefix]).toEqual(["redis://cache.internal:6380", "app"]);
    setStoreConfig({ cacheDir: "/tmp/automemo-other" });
    expect((getStore("disk") as DiskStore).root).toBe("/tmp/automemo-other");
  });

  it("falls back to AUTOMEMO_CACHE_DIR and AUTOMEMO_REDIS_URL, then the defaults", () => {
    process.env.AUTOMEMO_CACHE_DIR = "/tmp/automemo-from-env";
    process.env.AUTOMEMO_REDIS_URL = "redis://from-env:1234";
    setStoreConfig({});
    expect((getStore("disk") as DiskStore).root).toBe("/tmp/automemo-from-env");
    expect((getStore("redis") as RedisStore).url).toBe("redis://from-env:1234");
    delete process.env.AUTOMEMO_REDIS_URL;
    setStoreConfig({});
    expect((getStore("redis") as RedisStore).url).toBe("redis://127.0.0.1:6379");
  });

  it("returns registered stores, which may also replace the built-ins", () => {
    const shared = noopStore("shared");
    const myDisk = noopStore("disk");
    registerStores({ shared, disk: myDisk });
    expect(getStore("shared")).toBe(shared);
    expect(getStore("disk")).toBe(myDisk);
    return resetStores().then(() => {
      expect(getStore("disk")).toBeInstanceOf(DiskStore);
      expect(() => getStore("shared")).toThrow(UnknownStoreError);
    });
  });

  it("keeps one registry, shared by every runtime copy: configure({ stores }) and registerStores both fill it, getStore reads it", () => {
    const fromConfigure = noopStore("viaconfigure");
    configure({ stores: { viaconfigure: fromConfigure } });
    expect(getStore("viaconfigure")).toBe(fromConfigure);
    const fromOtherCopy = noopStore("othercopy");
    // What a second runtime copy (the CJS build next to the ESM one) sees: the state on globalThis.
    sharedRuntime().settings.stores.set("othercopy", fromOtherCopy);
    expect(getStore("othercopy")).toBe(fromOtherCopy);
    const fromRegister = noopStore("viaregister");
    registerStores({ viaregister: fromRegister });
    expect(sharedRuntime().settings.stores.get("viaregister")).toBe(fromRegister);
  });

  it("names the known stores and the fix for an unknown name", () => {
    registerStores({ s3: noopStore("s3") });
    expect(() => getStore("memcached")).toThrow(UnknownStoreError);
    expect(() => getStore("memcached")).toThrow(/No cache store named 'memcached'\. Known stores: 'disk', 'redis', .*'s3'.*configure\(\{ stores: \{ "memcached": myStore \} \}\)/s);
  });

  it("explains that a synchronous function cannot use an async-only store", () => {
    expect(() => assertStoreSupportsSync(new RedisStore(), "src/a.ts#f")).toThrow(SyncStoreUnsupportedError);
    expect(() => assertStoreSupportsSync(new RedisStore(), "src/a.ts#f")).toThrow(/src\/a\.ts#f is synchronous but uses persist: "redis".*make the function async.*persist: "disk"/s);
    expect(() => assertStoreSupportsSync(new DiskStore({ dir: "/tmp/x" }), "src/a.ts#f")).not.toThrow();
  });
});

describe("the default disk location", () => {
  it("is node_modules/.cache/automemo in the nearest folder with node_modules", () => {
    const temp = makeTempDir("root");
    try {
      mkdirSync(join(temp.path, "node_modules"));
      const nested = join(temp.path, "packages", "app", "src");
      mkdirSync(nested, { recursive: true });
      expect(defaultCacheRoot(nested)).toBe(join(temp.path, "node_modules", ".cache", "automemo"));
      mkdirSync(join(temp.path, "packages", "app", "node_modules"));
      expect(defaultCacheRoot(nested)).toBe(join(temp.path, "packages", "app", "node_modules", ".cache", "automemo"));
    } finally {
      temp.remove();
    }
  });

  it("prefers explicit configuration over AUTOMEMO_CACHE_DIR", () => {
    process.env.AUTOMEMO_CACHE_DIR = "/tmp/from-env";
    expect(resolveCacheRoot("/tmp/explicit")).toBe("/tmp/explicit");
    expect(resolveCacheRoot(undefined)).toBe("/tmp/from-env");
  });
});
