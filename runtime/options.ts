/**
 * The one schema for cache options. The transformer imports `validateOptions` at
 * compile time (so a bad tag fails the build with the same message the runtime
 * would give), and the runtime validates again once per handle. Keep this file
 * free of runtime state: it must load in a compiler process without side effects.
 */
import { InvalidOptionError } from "./errors.ts";
import type { CacheKind } from "./meta.ts";

/** Options after validation: durations in milliseconds, sizes in bytes. */
export interface NormalizedOptions {
  /** Time to live of an entry, in milliseconds. */
  readonly ttlMs?: number;
  /** Least-recently-used bound on the number of entries. */
  readonly maxEntries?: number;
  /** Memo only: bound on the summed snapshot size of the entries, in bytes. */
  readonly maxBytes?: number;
  /**
   * Memo only: name of the persistent store (`"disk"`, `"redis"` or a registered name);
   * `false` keeps the function in memory even when a default store is set.
   */
  readonly persist?: string | false;
  /** Singleton only: `"identity"` keys object arguments by identity (WeakMap). */
  readonly key?: "value" | "identity";
  /** Whether the transformer folds the hashes of called helpers into the code hash. */
  readonly deps?: boolean;
  /** Tags of every entry, for `invalidateTag` (runtime/fleet/tags.ts). */
  readonly tags?: readonly string[];
  /** After `ttl`, for this long a call returns the stale value and refreshes it in the background (async functions). */
  readonly staleWhileRevalidateMs?: number;
  /** After `ttl`, for this long a failed recomputation returns the stale value instead of the error. */
  readonly staleIfErrorMs?: number;
}

type OptionName = keyof RawOptionShape;
interface RawOptionShape {
  ttl: unknown;
  maxEntries: unknown;
  maxBytes: unknown;
  persist: unknown;
  key: unknown;
  deps: unknown;
  tags: unknown;
  staleWhileRevalidate: unknown;
  staleIfError: unknown;
}

const OPTION_NAMES: readonly OptionName[] = ["ttl", "maxEntries", "maxBytes", "persist", "key", "deps", "tags", "staleWhileRevalidate", "staleIfError"];
const MEMO_ONLY: ReadonlySet<OptionName> = new Set(["maxBytes", "persist"]);
const SINGLETON_ONLY: ReadonlySet<OptionName> = new Set(["key"]);

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_PART = /\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/y;

// Binary units: "64MB" is 64 * 2^20 bytes, as memory sizes usually are.
const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};
const SIZE_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i;
const STORE_NAME_PATTERN = /^[A-Za-z][\w.-]*$/;

/** A name `persist` accepts: "disk", "redis" or a registered store's name. */
export function isStoreName(value: unknown): value is string {
  return typeof value === "string" && STORE_NAME_PATTERN.test(value);
}

function fail(option: string, where: string, problem: string, fix: string): never {
  throw new InvalidOptionError({ option, where, problem, fix });
}

/**
 * A duration option in milliseconds: a number of seconds, or a string such as
 * `"250ms"`, `"10s"`, `"5m"`, `"2h"`, `"1d"` or a combination (`"1h30m"`).
 */
export function parseDuration(raw: unknown, option: string, where: string): number {
  const fix = `Use a number of seconds (ttl: 60) or a duration string such as "250ms", "10s", "5m", "2h", "1d" or "1h30m".`;
  if (typeof raw === "number") {
    if (!Number.isFinite(raw) || raw <= 0) fail(option, where, `${raw} is not a positive, finite number of seconds`, fix);
    return raw * 1000;
  }
  if (typeof raw !== "string") fail(option, where, `expected a number or a string, got ${typeof raw}`, fix);
  let total = 0;
  DURATION_PART.lastIndex = 0;
  let parts = 0;
  while (DURATION_PART.lastIndex < raw.length) {
    const match = DURATION_PART.exec(raw);
    if (match === null) break;
    total += Number(match[1]) * DURATION_UNITS_MS[match[2]];
    parts++;
  }
  const consumedAll = parts > 0 && raw.slice(DURATION_PART.lastIndex).trim() === "";
  DURATION_PART.lastIndex = 0;
  if (!consumedAll) fail(option, where, `${JSON.stringify(raw)} is not a duration`, fix);
  if (total <= 0) fail(option, where, `${JSON.stringify(raw)} is not a positive duration`, fix);
  return total;
}

/** A size option in bytes: a number of bytes, or a string such as `"512KB"`, `"64MB"`, `"1GB"` (binary units). */
export function parseByteSize(raw: unknown, option: string, where: string): number {
  const fix = `Use a number of bytes (maxBytes: 1048576) or a size string such as "512KB", "64MB" or "1GB".`;
  if (typeof raw === "number") {
    if (!Number.isSafeInteger(raw) || raw <= 0) fail(option, where, `${raw} is not a positive whole number of bytes`, fix);
    return raw;
  }
  if (typeof raw !== "string") fail(option, where, `expected a number or a string, got ${typeof raw}`, fix);
  const match = SIZE_PATTERN.exec(raw);
  const unit = match ? SIZE_UNITS[match[2].toLowerCase()] : undefined;
  if (!match || unit === undefined) fail(option, where, `${JSON.stringify(raw)} is not a size`, fix);
  const bytes = Math.floor(Number(match[1]) * unit);
  if (bytes <= 0) fail(option, where, `${JSON.stringify(raw)} is not a positive size`, fix);
  return bytes;
}

function parseMaxEntries(raw: unknown, option: string, where: string): number {
  if (typeof raw !== "number" || !Number.isSafeInteger(raw) || raw <= 0) {
    fail(option, where, `${formatValue(raw)} is not a positive whole number`, `Use a whole number of entries, e.g. ${option}: 100.`);
  }
  return raw;
}

function formatValue(raw: unknown): string {
  return typeof raw === "string" ? JSON.stringify(raw) : String(raw);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The closest known name, for a did-you-mean hint (`max_entries` → `maxEntries`, `tll` → `ttl`). */
export function suggestName(unknown: string, known: readonly string[]): string | undefined {
  const squash = (name: string) => name.toLowerCase().replace(/[_-]/g, "");
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const distance = squash(unknown) === squash(name) ? 0 : editDistance(unknown.toLowerCase(), name.toLowerCase());
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.ceil(unknown.length / 3)) ? best : undefined;
}

function unknownOption(name: string, known: readonly string[], where: string): never {
  const suggestion = suggestName(name, known);
  const hint = suggestion ? `Did you mean '${suggestion}'?` : `Known options: ${known.join(", ")}.`;
  fail(name, where, "this option does not exist", hint);
}

function isPlainRecord(raw: unknown): raw is Record<string, unknown> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return false;
  const proto = Object.getPrototypeOf(raw);
  return proto === Object.prototype || proto === null;
}

/**
 * Validates the options of one cached function and normalizes units.
 * `where` names the place for messages: a tag location (`src/db.ts:12`) or a function id.
 *
 * @example
 * validateOptions({ ttl: "1h30m", maxEntries: 100 }, "memo", "src/db.ts:12");
 * // => { ttlMs: 5400000, maxEntries: 100 }
 */
export function validateOptions(raw: unknown, kind: CacheKind, where: string): NormalizedOptions {
  if (raw === undefined || raw === null) return {};
  if (!isPlainRecord(raw)) {
    fail("options", where, `expected an object literal such as { ttl: "1h" }, got ${Array.isArray(raw) ? "an array" : typeof raw}`, `Write the options as an object: @${kind} { ttl: "1h" }.`);
  }
  const out: { -readonly [K in keyof NormalizedOptions]: NormalizedOptions[K] } = {};
  for (const name of Object.keys(raw)) {
    const value = raw[name];
    if (!(OPTION_NAMES as readonly string[]).includes(name)) unknownOption(name, OPTION_NAMES, where);
    const option = name as OptionName;
    if (value === undefined) continue;
    if (kind === "singleton" && MEMO_ONLY.has(option)) {
      fail(option, where, `'${option}' applies to @memo only (singletons hold live objects that are neither sized nor persisted)`, `Remove '${option}', or use @memo for plain-data results.`);
    }
    if (kind === "memo" && SINGLETON_ONLY.has(option)) {
      fail(option, where, `'${option}' applies to @singleton only (@memo always keys arguments by value)`, `Remove '${option}', or use @singleton to key arguments by identity.`);
    }
    switch (option) {
      case "ttl":
        out.ttlMs = parseDuration(value, option, where);
        break;
      case "maxEntries":
        out.maxEntries = parseMaxEntries(value, option, where);
        break;
      case "maxBytes":
        out.maxBytes = parseByteSize(value, option, where);
        break;
      case "persist":
        if (value !== false && !isStoreName(value)) {
          fail(
            option,
            where,
            `${formatValue(value)} is not a store name`,
            `Use "disk", "redis", the name of a store registered with configure({ stores: { name: store } }), or false to stay in memory.`,
          );
        }
        out.persist = value;
        break;
      case "key":
        if (value !== "value" && value !== "identity") {
          fail(option, where, `${formatValue(value)} is not a keying mode`, `Use key: "identity" (object arguments by identity) or key: "value" (the default).`);
        }
        out.key = value;
        break;
      case "deps":
        if (typeof value !== "boolean") fail(option, where, `${formatValue(value)} is not a boolean`, `Use deps: true or deps: false.`);
        out.deps = value;
        break;
      case "tags":
        out.tags = parseTags(value, where);
        break;
      case "staleWhileRevalidate":
        out.staleWhileRevalidateMs = parseDuration(value, option, where);
        break;
      case "staleIfError":
        out.staleIfErrorMs = parseDuration(value, option, where);
        break;
    }
  }
  if ((out.staleWhileRevalidateMs !== undefined || out.staleIfErrorMs !== undefined) && out.ttlMs === undefined) {
    const option = out.staleWhileRevalidateMs !== undefined ? "staleWhileRevalidate" : "staleIfError";
    fail(option, where, `'${option}' extends 'ttl', and this function has none`, `Add a ttl: @${kind} { ttl: "5m", ${option}: "1h" }.`);
  }
  return out;
}

/** Longest tag accepted: tags name Redis keys and index files. */
const MAX_TAG_LENGTH = 200;

/** A tag list: non-empty strings of at most MAX_TAG_LENGTH characters, without control characters. */
export function parseTags(raw: unknown, where: string): readonly string[] {
  const fix = `Use an array of short names: tags: ["users", "billing"].`;
  if (!Array.isArray(raw)) fail("tags", where, `${formatValue(raw)} is not an array of strings`, fix);
  for (const tag of raw) {
    // eslint-disable-next-line no-control-regex
    if (typeof tag !== "string" || tag.length === 0 || tag.length > MAX_TAG_LENGTH || /[\u0000-\u001f]/.test(tag)) {
      fail("tags", where, `${formatValue(tag)} is not a tag (a non-empty string of at most ${MAX_TAG_LENGTH} characters, no control characters)`, fix);
    }
  }
  return [...new Set(raw as string[])];
}

/** What `configure({ ttl, maxEntries, maxBytes })` validates (`maxBytes` is the process-wide budget, not a per-function default). */
export interface NormalizedDefaults {
  readonly ttlMs?: number;
  readonly maxEntries?: number;
  readonly maxBytes?: number;
}

/** Validates the default `ttl` / `maxEntries` / `maxBytes` given to `configure()`; `undefined` leaves a default unchanged. */
export function validateDefaults(raw: { ttl?: unknown; maxEntries?: unknown; maxBytes?: unknown }, where: string): NormalizedDefaults {
  return {
    ttlMs: raw.ttl === undefined ? undefined : parseDuration(raw.ttl, "ttl", where),
    maxEntries: raw.maxEntries === undefined ? undefined : parseMaxEntries(raw.maxEntries, "maxEntries", where),
    maxBytes: raw.maxBytes === undefined ? undefined : parseByteSize(raw.maxBytes, "maxBytes", where),
  };
}

export { fail as failOption, isPlainRecord };
