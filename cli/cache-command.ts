/**
 * `automemo cache ls|stats|clear [id]|prune [--json] [--dir DIR] [--redis URL] [--prefix P]`:
 * inspect and tidy the persistent caches (the disk store by default, Redis with --redis).
 */
import { AutomemoError } from "../runtime/errors.ts";
import { count, formatBytes } from "./format.ts";
import { DiskInventory } from "../runtime/stores/disk-inventory.ts";
import { resolveCacheRoot } from "../runtime/stores/disk-layout.ts";
import type { FunctionSummary, RemovalReport, StoreInventory } from "../runtime/stores/inventory.ts";
import { readEnv } from "../runtime/stores/node-builtins.ts";
import { RedisInventory } from "../runtime/stores/redis-inventory.ts";
import { DEFAULT_REDIS_URL } from "../runtime/stores/redis.ts";

const CACHE_USAGE = `Usage: automemo cache <action> [options]

Actions:
  ls           list cached functions: versions, entries, sizes, ages
  stats        totals for the whole cache
  clear [id]   remove every entry of one function id (or of all functions)
  prune        remove old code versions (all but the newest per function) and expired entries

Options:
  --json         print JSON instead of a table
  --dir DIR      disk cache directory (default: AUTOMEMO_CACHE_DIR, else node_modules/.cache/automemo)
  --redis [URL]  work on the Redis store instead of the disk (URL default: AUTOMEMO_REDIS_URL, else redis://127.0.0.1:6379;
                 several comma-separated URLs: the nodes of a Redis Cluster, every master is scanned)
  --prefix P     Redis key prefix (default: automemo)`;

const ACTIONS = ["ls", "stats", "clear", "prune"] as const;
type Action = (typeof ACTIONS)[number];

export interface CacheCommandOptions {
  readonly action: Action;
  readonly id: string | undefined;
  readonly json: boolean;
  readonly dir: string | undefined;
  readonly redisUrl: string | undefined;
  readonly prefix: string | undefined;
}

/** Bad command line: printed with the usage, exit code 2. */
class CacheUsageError extends AutomemoError {
  constructor(problem: string) {
    super("CLI_USAGE", `${problem}\n\n${CACHE_USAGE}`);
  }
}

export interface CacheIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

export function parseCacheArgs(args: readonly string[]): CacheCommandOptions {
  const positional: string[] = [];
  const values: Record<string, string | undefined> = {};
  let json = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === "--json") json = true;
    else if (arg === "--redis" && !/^rediss?:\/\//.test(args[index + 1] ?? "")) {
      // `--redis` alone: the URL the runtime would use.
      values[arg] = readEnv("AUTOMEMO_REDIS_URL") ?? DEFAULT_REDIS_URL;
    } else if (arg === "--dir" || arg === "--redis" || arg === "--prefix") {
      const value = args[++index];
      if (value === undefined || value.startsWith("--")) throw new CacheUsageError(`${arg} needs a value.`);
      values[arg] = value;
    } else if (arg.startsWith("--") && arg.includes("=") && ["--dir", "--redis", "--prefix"].includes(arg.slice(0, arg.indexOf("=")))) {
      values[arg.slice(0, arg.indexOf("="))] = arg.slice(arg.indexOf("=") + 1);
    } else if (arg.startsWith("-")) throw new CacheUsageError(`Unknown option '${arg}'.`);
    else positional.push(arg);
  }
  const [action, id, ...extra] = positional;
  if (action === undefined) throw new CacheUsageError("Missing the action (ls, stats, clear or prune).");
  if (!(ACTIONS as readonly string[]).includes(action)) throw new CacheUsageError(`Unknown action '${action}'.`);
  if (id !== undefined && action !== "clear") throw new CacheUsageError(`'${action}' takes no argument (got '${id}').`);
  if (extra.length > 0) throw new CacheUsageError(`Too many arguments: ${extra.join(" ")}.`);
  if (values["--dir"] !== undefined && values["--redis"] !== undefined) throw new CacheUsageError("Give either --dir or --redis, not both.");
  if (values["--prefix"] !== undefined && values["--redis"] === undefined) throw new CacheUsageError("--prefix applies to Redis: add --redis URL.");
  return { action: action as Action, id, json, dir: values["--dir"], redisUrl: values["--redis"], prefix: values["--prefix"] };
}

export async function runCacheCommand(args: readonly string[], io: CacheIo = process): Promise<number> {
  let options: CacheCommandOptions;
  try {
    options = parseCacheArgs(args);
  } catch (error) {
    if (!(error instanceof CacheUsageError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return 2;
  }
  const inventory: StoreInventory = options.redisUrl
    ? new RedisInventory(options.redisUrl, { prefix: options.prefix })
    : new DiskInventory(resolveCacheRoot(options.dir));
  try {
    io.stdout.write(await perform(inventory, options));
    return 0;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    io.stderr.write(error instanceof AutomemoError ? `${reason}\n` : `[automemo] cache ${options.action} failed on ${inventory.store} (${inventory.location}): ${reason}\n`);
    return 1;
  } finally {
    await inventory.close();
  }
}

async function perform(inventory: StoreInventory, options: CacheCommandOptions): Promise<string> {
  const header = { store: inventory.store, location: inventory.location };
  switch (options.action) {
    case "ls": {
      const functions = await inventory.list();
      return options.json ? toJson({ ...header, functions }) : formatListing(inventory, functions, Date.now());
    }
    case "stats": {
      const stats = totals(await inventory.list());
      return options.json ? toJson({ ...header, ...stats }) : formatStats(inventory, stats);
    }
    case "prune": {
      const removed = await inventory.prune();
      return options.json ? toJson({ ...header, removed }) : `Pruned ${inventory.store} cache at ${inventory.location}: ${describeRemoval(removed)}.\n`;
    }
    case "clear": {
      const removed = await inventory.clear(options.id);
      if (options.id !== undefined && removed.functions === 0) throw new UnknownCachedIdError(options.id, inventory);
      return options.json ? toJson({ ...header, removed }) : `Cleared ${options.id ?? "every function"} from ${inventory.store} cache at ${inventory.location}: ${describeRemoval(removed)}.\n`;
    }
  }
}

/** `automemo cache clear <id>` named an id that has nothing cached. */
class UnknownCachedIdError extends AutomemoError {
  constructor(id: string, inventory: StoreInventory) {
    super("CACHE_ID_NOT_FOUND", `Nothing is cached for '${id}' in the ${inventory.store} cache at ${inventory.location}. Run 'automemo cache ls' to see the cached ids.`);
  }
}

function totals(functions: readonly FunctionSummary[]) {
  const versions = functions.flatMap((fn) => fn.versions);
  return {
    functions: functions.length,
    versions: versions.length,
    oldVersions: versions.filter((version) => !version.current).length,
    entries: versions.reduce((sum, version) => sum + version.entries, 0),
    expiredEntries: versions.reduce((sum, version) => sum + version.expired, 0),
    bytes: versions.reduce((sum, version) => sum + version.bytes, 0),
  };
}

function formatListing(inventory: StoreInventory, functions: readonly FunctionSummary[], now: number): string {
  const title = `${inventory.store} cache at ${inventory.location}\n`;
  if (functions.length === 0) return `${title}(empty)\n`;
  const rows = functions.flatMap((fn) =>
    fn.versions.map((version) => [
      fn.id,
      version.version,
      String(version.entries),
      formatBytes(version.bytes),
      String(version.expired),
      formatAge(version.oldestCreatedAt, now),
      formatAge(version.newestCreatedAt, now),
      version.current ? "current" : "old (prune removes)",
    ]),
  );
  return title + formatTable(["FUNCTION", "VERSION", "ENTRIES", "SIZE", "EXPIRED", "OLDEST", "NEWEST", "STATE"], rows, [2, 3, 4]);
}

function formatStats(inventory: StoreInventory, stats: ReturnType<typeof totals>): string {
  const rows = [
    ["store", inventory.store],
    ["location", inventory.location],
    ["functions", String(stats.functions)],
    ["versions", `${stats.versions} (${stats.oldVersions} old)`],
    ["entries", `${stats.entries} (${stats.expiredEntries} expired)`],
    ["size", formatBytes(stats.bytes)],
  ];
  const width = Math.max(...rows.map(([label]) => label!.length));
  return rows.map(([label, value]) => `${label!.padEnd(width)}  ${value}`).join("\n") + "\n";
}

/** Columns padded to their widest cell; `rightAligned` lists numeric columns. */
function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], rightAligned: readonly number[] = []): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (rightAligned.includes(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n") + "\n";
}

export function formatAge(time: number | undefined, now: number): string {
  if (time === undefined) return "-";
  const seconds = Math.max(0, Math.round((now - time) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}

function describeRemoval(removed: RemovalReport): string {
  return `${count(removed.functions, "function")}, ${count(removed.versions, "version")}, ${count(removed.entries, "entry", "entries")}, ${formatBytes(removed.bytes)}`;
}

export { formatBytes };

function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export const cacheSubcommand = {
  name: "cache",
  summary: "inspect and tidy the persistent caches: ls, stats, clear [id], prune (--json, --dir, --redis)",
  usage: CACHE_USAGE,
  run: (args: readonly string[]) => runCacheCommand(args),
};
