import { DefectiveEntry, ENTRY_HEADER_BYTES, readEntryTimes } from "./codec.ts";
import { finishSummaries, type FunctionSummary, type RemovalReport, type StoreInventory, type VersionSummary } from "./inventory.ts";
import { RedisConnection, redactUrl } from "./redis-connection.ts";
import { DEFAULT_REDIS_PREFIX, LOCK_KEY_SUFFIX } from "./redis.ts";

interface RedisEntry {
  readonly redisKey: string;
  readonly id: string;
  readonly version: string;
  readonly bytes: number;
  readonly createdAt: number | undefined;
}

const BATCH = 200;

/** The Redis store's keys under one prefix, as the CLI sees them (`SCAN`, never `KEYS`). */
export class RedisInventory implements StoreInventory {
  readonly store = "redis";
  readonly location: string;
  readonly #connection: RedisConnection;
  readonly #prefix: string;

  constructor(url: string, options: { prefix?: string; timeoutMs?: number } = {}) {
    this.#prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    this.location = `${redactUrl(url)} (prefix ${this.#prefix})`;
    this.#connection = new RedisConnection({ url, timeoutMs: options.timeoutMs ?? 5_000 });
  }

  async list(): Promise<FunctionSummary[]> {
    return finishSummaries(groupByFunction(await this.#entries()));
  }

  async prune(): Promise<RemovalReport> {
    const report = { functions: 0, versions: 0, entries: 0, bytes: 0 };
    const entries = await this.#entries();
    const summaries = finishSummaries(groupByFunction(entries));
    const old = new Set(summaries.flatMap((fn) => fn.versions.filter((version) => !version.current).map((version) => `${fn.id}\n${version.version}`)));
    const doomed = entries.filter((entry) => old.has(`${entry.id}\n${entry.version}`));
    await this.#unlink(doomed.map((entry) => entry.redisKey));
    report.versions = old.size;
    report.entries = doomed.length;
    report.bytes = doomed.reduce((sum, entry) => sum + entry.bytes, 0);
    return report;
  }

  async clear(id?: string): Promise<RemovalReport> {
    const entries = (await this.#entries()).filter((entry) => id === undefined || entry.id === id);
    await this.#unlink(entries.map((entry) => entry.redisKey));
    const summaries = finishSummaries(groupByFunction(entries));
    return {
      functions: summaries.length,
      versions: summaries.reduce((sum, fn) => sum + fn.versions.length, 0),
      entries: entries.length,
      bytes: entries.reduce((sum, entry) => sum + entry.bytes, 0),
    };
  }

  async close(): Promise<void> {
    await this.#connection.close();
  }

  async #entries(): Promise<RedisEntry[]> {
    const keys: string[] = [];
    const pattern = `${this.#prefix.replace(/[*?[\]\\]/g, "\\$&")}:*`;
    await this.#connection.scan(pattern, (batch) => void keys.push(...batch.filter((key) => !key.endsWith(LOCK_KEY_SUFFIX))));
    const out: RedisEntry[] = [];
    for (let start = 0; start < keys.length; start += BATCH) {
      const batch = keys.slice(start, start + BATCH);
      const details = await Promise.all(
        batch.map((key) =>
          Promise.all([
            this.#connection.send(["STRLEN", key]) as Promise<number>,
            this.#connection.send(["GETRANGE", key, "0", String(ENTRY_HEADER_BYTES - 1)], true) as Promise<Buffer>,
          ]),
        ),
      );
      batch.forEach((redisKey, index) => {
        const parsed = this.#parseKey(redisKey);
        if (parsed === undefined) return;
        const [bytes, header] = details[index]!;
        const times = readEntryTimes(header);
        out.push({ redisKey, ...parsed, bytes, createdAt: times instanceof DefectiveEntry ? undefined : times.createdAt });
      });
    }
    return out;
  }

  /** `<prefix>:<id>:<version>:<key>`; the id may itself contain ':', so split from the right. */
  #parseKey(redisKey: string): { id: string; version: string } | undefined {
    const rest = redisKey.slice(this.#prefix.length + 1);
    const keyColon = rest.lastIndexOf(":");
    const versionColon = keyColon > 0 ? rest.lastIndexOf(":", keyColon - 1) : -1;
    if (versionColon <= 0) return undefined;
    return { id: rest.slice(0, versionColon), version: rest.slice(versionColon + 1, keyColon) };
  }

  async #unlink(keys: readonly string[]): Promise<void> {
    await this.#connection.unlink(keys);
  }
}

function groupByFunction(entries: readonly RedisEntry[]): Map<string, VersionSummary[]> {
  const byVersion = new Map<string, RedisEntry[]>();
  for (const entry of entries) {
    const slot = `${entry.id}\n${entry.version}`;
    const group = byVersion.get(slot);
    if (group) group.push(entry);
    else byVersion.set(slot, [entry]);
  }
  const byId = new Map<string, VersionSummary[]>();
  for (const group of byVersion.values()) {
    const created = group.map((entry) => entry.createdAt).filter((time): time is number => time !== undefined);
    const summary: VersionSummary = {
      version: group[0]!.version,
      entries: group.length,
      bytes: group.reduce((sum, entry) => sum + entry.bytes, 0),
      // Redis removes expired keys itself.
      expired: 0,
      oldestCreatedAt: created.length > 0 ? Math.min(...created) : undefined,
      newestCreatedAt: created.length > 0 ? Math.max(...created) : undefined,
      current: false,
    };
    const versions = byId.get(group[0]!.id);
    if (versions) versions.push(summary);
    else byId.set(group[0]!.id, [summary]);
  }
  return byId;
}
