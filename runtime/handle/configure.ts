/**
 * `configure(...)`: process-wide settings (defaults, hashers, stores, disabled,
 * cacheDir), and the run-time lifecycle of one singleton (validate, dispose).
 * Settings live in the state shared by every runtime copy; handles re-read them.
 */
import { InvalidOptionError } from "../errors.ts";
import { failOption, isPlainRecord, isStoreName, suggestName, validateDefaults } from "../options.ts";
import { registerStores, setStoreConfig, type RedisClientLike, type RedisClusterLike, type StoreConfig } from "../stores/index.ts";
import type { CacheStore } from "../stores/store.ts";
import { findHandle, type CachedFunctionRef } from "./control.ts";
import { setExplaining } from "./explain.ts";
import { sharedMemory, sharedRuntime, type Lifecycle } from "./shared.ts";

/**
 * A class (matched with `instanceof`) and a function returning plain data that identifies its
 * instances. `never` accepts any class and any hasher (the hasher only ever gets that class's instances).
 */
export type CustomHasherEntry = readonly [abstract new (...args: never[]) => unknown, (value: never) => unknown];

/** A `[Class, hasher]` pair whose hasher takes the class's instances. */
export type HasherFor<Instance> = readonly [abstract new (...args: never[]) => Instance, (value: Instance) => unknown];

/**
 * `GlobalSettings` whose `hashers` type each hasher's argument by its class, so
 * `hashers: [[Money, (m) => [m.amount, m.currency]]]` needs no annotation.
 */
export type SettingsWithHashers<Instances extends readonly unknown[]> = Omit<GlobalSettings, "hashers"> & {
  hashers?: { readonly [K in keyof Instances]: HasherFor<Instances[K]> };
};

/** Process-wide settings for `configure({ ... })`. Every field is optional; omitted fields keep their value. */
export interface GlobalSettings {
  /** Default ttl for functions without one: seconds or "10s", "5m", "1h30m". */
  ttl?: number | string;
  /** Default LRU bound on entries per function. */
  maxEntries?: number;
  /**
   * Process-wide memory budget of every @memo cache together: bytes or "512MB". Over it,
   * the least recently used entries of all functions are evicted first. Default: none
   * (unbounded). A function's own `maxBytes` option still bounds that function alone.
   */
  maxBytes?: number | string;
  /** Hashers for classes used as arguments; merged by class (a later one for the same class wins). */
  hashers?: readonly CustomHasherEntry[];
  /** Persistent stores by name, for `persist: "<name>"`. */
  stores?: Readonly<Record<string, CacheStore>>;
  /**
   * Store for @memo functions whose tag names no `persist` ("disk", "redis" or a registered
   * name); false for none. Wins over AUTOMEMO_DEFAULT_PERSIST (which `automemo run` sets to "disk").
   * Singletons and methods keyed by `this` never persist; a sync function uses a default
   * store only if it reads synchronously (disk does, Redis does not), else memory only.
   */
  defaultPersist?: string | false;
  /** Pass-through: every call computes, nothing is cached (also AUTOMEMO_DISABLE=1). */
  disabled?: boolean;
  /** Where the disk store keeps its files (else AUTOMEMO_CACHE_DIR, else node_modules/.cache/automemo). */
  cacheDir?: string;
  /** Record why each miss happened, for `explain(fn)`; "print" also prints one line per miss (as AUTOMEMO_EXPLAIN=1 does). */
  explain?: boolean | "print";
  /**
   * Redis URL for persist: "redis" (else AUTOMEMO_REDIS_URL, else redis://127.0.0.1:6379).
   * Several URLs (an array, or comma-separated) are the nodes of a Redis Cluster.
   */
  redisUrl?: string | readonly string[];
  /** A connected node-redis client to use instead of a URL: `createClient()`, or `createCluster()` for Redis Cluster. */
  redisClient?: RedisClientLike | RedisClusterLike;
  /** Key prefix in Redis (default "automemo"). */
  redisPrefix?: string;
  /** Bound on each Redis command and on connecting, in ms (default 1000). */
  redisTimeoutMs?: number;
  /**
   * How long a computation lock whose holder stopped refreshing it (crashed, or a sync
   * computation on disk) blocks other processes, in ms. Holders refresh it every third
   * while they compute. Default: Redis 5000 (a short lease), disk 30000 (a sync holder
   * cannot refresh; a dead holder on the same host is detected at once).
   */
  lockTimeoutMs?: number;
  /**
   * Secret that signs every disk and Redis entry (HMAC-SHA256 over the entry and its
   * function, version and key); unsigned or wrongly signed entries are then misses.
   * Else AUTOMEMO_SIGNING_KEY; without either, entries are unsigned.
   */
  signingKey?: string;
  /**
   * Use a disk cache directory owned by another user or writable by group or others
   * (refused by default: memory only, with one warning). Else AUTOMEMO_TRUST_CACHE_DIR=1.
   */
  trustCacheDir?: boolean;
}

/** Settings passed through to the built-in stores (runtime/stores/index.ts). */
const STORE_SETTING_TYPES: Readonly<Record<Exclude<keyof StoreConfig, "cacheDir">, "string" | "number" | "object" | "boolean">> = {
  redisUrl: "string",
  redisClient: "object",
  redisPrefix: "string",
  redisTimeoutMs: "number",
  lockTimeoutMs: "number",
  signingKey: "string",
  trustCacheDir: "boolean",
};
const SETTING_NAMES = ["ttl", "maxEntries", "maxBytes", "hashers", "stores", "defaultPersist", "disabled", "cacheDir", "explain", ...Object.keys(STORE_SETTING_TYPES)];
const LIFECYCLE_NAMES = ["validate", "dispose"];
const WHERE = "configure()";

function rejectUnknown(raw: Record<string, unknown>, known: readonly string[], where: string): void {
  for (const name of Object.keys(raw)) {
    if (known.includes(name)) continue;
    const suggestion = suggestName(name, known);
    failOption(name, where, "this setting does not exist", suggestion ? `Did you mean '${suggestion}'?` : `Known settings: ${known.join(", ")}.`);
  }
}

/** `redisUrl: [url, ...]`: the cluster's nodes, kept as the comma-separated form AUTOMEMO_REDIS_URL takes too. */
function redisNodeList(raw: readonly unknown[]): string {
  if (raw.length === 0 || raw.some((node) => typeof node !== "string" || node === "" || node.includes(","))) {
    failOption("redisUrl", WHERE, "expected a non-empty list of Redis URLs", `Pass the cluster's nodes: configure({ redisUrl: ["redis://10.0.0.1:6379", "redis://10.0.0.2:6379"] }).`);
  }
  return raw.join(",");
}

function validateHashers(raw: unknown): CustomHasherEntry[] {
  const fix = "Pass a list of [Class, (value) => plainData] pairs: configure({ hashers: [[Money, (m) => [m.amount, m.currency]]] }).";
  if (!Array.isArray(raw)) failOption("hashers", WHERE, `expected an array, got ${typeof raw}`, fix);
  return raw.map((pair, index) => {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "function" || typeof pair[1] !== "function") {
      failOption("hashers", WHERE, `entry ${index} is not a [Class, hasher] pair`, fix);
    }
    return [pair[0], pair[1]] as const;
  });
}

function validateStores(raw: unknown): [string, CacheStore][] {
  const fix = "Pass an object of named stores, each with read, write and delete methods: configure({ stores: { shared: myStore } }).";
  if (!isPlainRecord(raw)) failOption("stores", WHERE, "expected an object mapping names to stores", fix);
  return Object.entries(raw).map(([name, store]) => {
    const candidate = store as Partial<CacheStore> | null;
    if (typeof candidate !== "object" || candidate === null || typeof candidate.read !== "function" || typeof candidate.write !== "function" || typeof candidate.delete !== "function") {
      failOption("stores", WHERE, `store '${name}' lacks read/write/delete methods`, fix);
    }
    return [name, candidate as CacheStore];
  });
}

export function configureGlobal(raw: GlobalSettings): void {
  if (!isPlainRecord(raw)) failOption("settings", WHERE, `expected an object, got ${typeof raw}`, `Call configure({ ttl: "1h", maxEntries: 100 }).`);
  rejectUnknown(raw, SETTING_NAMES, WHERE);
  // Validate everything before changing anything, so a bad call leaves the settings as they were.
  const defaults = validateDefaults(raw, WHERE);
  const hashers = raw.hashers === undefined ? undefined : validateHashers(raw.hashers);
  const stores = raw.stores === undefined ? undefined : validateStores(raw.stores);
  if (raw.defaultPersist !== undefined && raw.defaultPersist !== false && !isStoreName(raw.defaultPersist)) {
    failOption("defaultPersist", WHERE, `${JSON.stringify(raw.defaultPersist)} is not a store name`, `Use defaultPersist: "disk", "redis", the name of a store registered with configure({ stores }), or false.`);
  }
  if (raw.disabled !== undefined && typeof raw.disabled !== "boolean") failOption("disabled", WHERE, `expected a boolean, got ${typeof raw.disabled}`, "Use disabled: true or disabled: false.");
  if (raw.explain !== undefined && typeof raw.explain !== "boolean" && raw.explain !== "print") failOption("explain", WHERE, `expected a boolean or "print", got ${JSON.stringify(raw.explain)}`, `Use explain: true, explain: "print" or explain: false.`);
  if (raw.cacheDir !== undefined && (typeof raw.cacheDir !== "string" || raw.cacheDir === "")) failOption("cacheDir", WHERE, "expected a non-empty path string", `Use cacheDir: ".cache/automemo".`);
  const storeConfig: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(STORE_SETTING_TYPES)) {
    let value = (raw as Record<string, unknown>)[name];
    if (value === undefined) continue;
    if (name === "redisUrl" && Array.isArray(value)) value = redisNodeList(value);
    if (typeof value !== type || value === null || (type === "number" && !((value as number) > 0)) || value === "") {
      failOption(name, WHERE, `expected ${type === "number" ? "a positive number" : type === "string" ? "a non-empty string" : `a ${type}`}, got ${value === null ? "null" : value === "" ? "an empty string" : typeof value}`, `See the GlobalSettings documentation of '${name}'.`);
    }
    storeConfig[name] = value;
  }
  if (raw.cacheDir !== undefined) storeConfig.cacheDir = raw.cacheDir;

  const shared = sharedRuntime();
  const settings = shared.settings;
  settings.defaults = {
    ttlMs: defaults.ttlMs ?? settings.defaults.ttlMs,
    maxEntries: defaults.maxEntries ?? settings.defaults.maxEntries,
  };
  if (defaults.maxBytes !== undefined) sharedMemory().limit = defaults.maxBytes;
  if (hashers !== undefined) {
    const replaced = new Set(hashers.map(([type]) => type));
    settings.hashers = [...settings.hashers.filter(([type]) => !replaced.has(type)), ...hashers];
    settings.hashersVersion++;
  }
  if (stores !== undefined) registerStores(Object.fromEntries(stores));
  if (raw.defaultPersist !== undefined) settings.defaultPersist = raw.defaultPersist;
  if (Object.keys(storeConfig).length > 0) setStoreConfig(storeConfig as StoreConfig);
  if (raw.disabled !== undefined) settings.disabled = raw.disabled;
  if (raw.explain !== undefined) setExplaining(raw.explain);
  if (raw.cacheDir !== undefined) settings.cacheDir = raw.cacheDir;
  for (const handle of shared.handles.values()) handle.refreshSettings();
}

/** Resets every setting to its default (tests). */
export function resetSettingsForTesting(): void {
  const shared = sharedRuntime();
  Object.assign(shared.settings, { defaults: {}, defaultPersist: undefined, disabled: undefined, cacheDir: undefined, hashers: [], stores: new Map() });
  sharedMemory().limit = Infinity;
  shared.settings.hashersVersion++;
  for (const handle of shared.handles.values()) handle.refreshSettings();
}

export function configureFunction(target: CachedFunctionRef, raw: Lifecycle): void {
  const handle = findHandle(target, "configure(fn, ...)");
  const where = `configure(${handle.id}, ...)`;
  if (!isPlainRecord(raw)) failOption("lifecycle", where, `expected an object, got ${typeof raw}`, "Call configure(fn, { validate, dispose }).");
  rejectUnknown(raw, LIFECYCLE_NAMES, where);
  if (handle.kind !== "singleton") {
    throw new InvalidOptionError({
      option: Object.keys(raw)[0] ?? "validate",
      where,
      problem: "validate and dispose apply to singletons only (memo results are plain-data copies with nothing to release)",
      fix: "Use @singleton for live objects that need validation or disposal.",
    });
  }
  for (const name of LIFECYCLE_NAMES) {
    const value = (raw as Record<string, unknown>)[name];
    if (value !== undefined && typeof value !== "function") failOption(name, where, `expected a function, got ${typeof value}`, `Pass a function: configure(fn, { ${name}: (value) => ... }).`);
  }
  handle.setLifecycle(raw);
}
