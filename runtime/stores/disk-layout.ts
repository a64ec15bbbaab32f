import { nodeCrypto, nodeFs, nodePath, readEnv } from "./node-builtins.ts";

/**
 * Where the disk store keeps things:
 *
 * ```
 * <root>/                      node_modules/.cache/automemo (or cacheDir / AUTOMEMO_CACHE_DIR)
 *   <slug>-<idhash>/           one directory per function id
 *     meta.json                { "id": "src/db.ts#loadRows" }: the real id, for listings
 *     v-<version>/             one directory per code version
 *       <key>.entry            one file per cache key (see codec.ts for the format)
 *       <key>.lock             cross-process computation lock (disk-lock.ts)
 *       .<name>.<random>.tmp   a write in progress (created O_EXCL|O_NOFOLLOW, renamed over <name>)
 * ```
 */
export const FUNCTION_META_FILE = "meta.json";
export const VERSION_DIR_PREFIX = "v-";
export const ENTRY_SUFFIX = ".entry";
export const LOCK_SUFFIX = ".lock";
export const TEMP_SUFFIX = ".tmp";
export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

const SAFE_NAME = /^[A-Za-z0-9_-]{1,96}$/;

function shortHash(text: string, length: number): string {
  return nodeCrypto().createHash("sha1").update(text).digest("hex").slice(0, length);
}

/** `src/db.ts#Repo.load` -> `src_db.ts_Repo.load-1a2b3c4d5e`: readable, collision-free, filesystem-safe. */
export function functionDirName(id: string): string {
  const slug = id.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[.]+/, "_").slice(0, 80);
  return `${slug}-${shortHash(id, 10)}`;
}

export function versionDirName(version: string): string {
  return VERSION_DIR_PREFIX + (SAFE_NAME.test(version) ? version : shortHash(version, 32));
}

/** Keys are 32-hex digests in practice; anything else is hashed so it can never escape the directory. */
export function entryFileStem(key: string): string {
  return SAFE_NAME.test(key) ? key : shortHash(key, 32);
}

/**
 * The default cache root: `node_modules/.cache/automemo` in the nearest directory above
 * `cwd` that has a `node_modules` folder (the convention babel-loader, eslint and others
 * follow); without one, `.automemo-cache` in `cwd`.
 */
export function defaultCacheRoot(cwd: string): string {
  const fs = nodeFs();
  const path = nodePath();
  for (let dir = path.resolve(cwd); ; ) {
    const modules = path.join(dir, "node_modules");
    if (fs.statSync(modules, { throwIfNoEntry: false })?.isDirectory()) return path.join(modules, ".cache", "automemo");
    const parent = path.dirname(dir);
    if (parent === dir) return path.join(path.resolve(cwd), ".automemo-cache");
    dir = parent;
  }
}

/** Explicit configuration wins, then AUTOMEMO_CACHE_DIR, then the default above. */
export function resolveCacheRoot(configured: string | undefined): string {
  const path = nodePath();
  const chosen = configured ?? readEnv("AUTOMEMO_CACHE_DIR");
  return chosen !== undefined ? path.resolve(chosen) : defaultCacheRoot(process.cwd());
}

export function isErrnoCode(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}
