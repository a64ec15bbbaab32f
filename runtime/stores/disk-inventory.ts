import { DefectiveEntry, ENTRY_HEADER_BYTES, readEntryTimes } from "./codec.ts";
import { ENTRY_SUFFIX, FUNCTION_META_FILE, LOCK_SUFFIX, TEMP_SUFFIX, VERSION_DIR_PREFIX } from "./disk-layout.ts";
import { finishSummaries, type FunctionSummary, type RemovalReport, type StoreInventory, type VersionSummary } from "./inventory.ts";
import { readFileNoFollowSync } from "./disk-safety.ts";
import { nodeFs, nodePath } from "./node-builtins.ts";

/** Leftovers of crashed writers (temp files, locks) older than this are removed by prune. */
const LEFTOVER_AGE_MS = 60 * 60 * 1000;

interface ScannedEntry {
  readonly file: string;
  readonly size: number;
  readonly createdAt: number | undefined;
  readonly expired: boolean;
  readonly defective: boolean;
}

interface ScannedVersion {
  readonly dir: string;
  readonly entries: ScannedEntry[];
  readonly leftovers: string[];
  readonly summary: Omit<VersionSummary, "current">;
}

interface ScannedFunction {
  readonly id: string;
  readonly dir: string;
  readonly versions: ScannedVersion[];
}

/**
 * The disk cache under `root`, as the CLI sees it. Only directories holding a meta.json
 * are touched, and nothing below the root is reached through a link: a link planted
 * where a function's or version's directory should be is skipped, so `clear` and
 * `prune` never delete outside the cache.
 */
export class DiskInventory implements StoreInventory {
  readonly store = "disk";

  constructor(readonly location: string) {}

  async list(): Promise<FunctionSummary[]> {
    const byId = new Map<string, VersionSummary[]>();
    for (const fn of this.#scan()) byId.set(fn.id, fn.versions.map((version) => ({ ...version.summary, current: false })));
    return finishSummaries(byId);
  }

  async prune(): Promise<RemovalReport> {
    const fs = nodeFs();
    const report = { functions: 0, versions: 0, entries: 0, bytes: 0 };
    for (const fn of this.#scan()) {
      const [newest, ...older] = [...fn.versions].sort((a, b) => (b.summary.newestCreatedAt ?? 0) - (a.summary.newestCreatedAt ?? 0));
      for (const version of older) {
        fs.rmSync(version.dir, { recursive: true, force: true });
        report.versions++;
        report.entries += version.entries.length;
        report.bytes += version.summary.bytes;
      }
      for (const entry of newest?.entries ?? []) {
        if (!entry.expired && !entry.defective) continue;
        fs.rmSync(entry.file, { force: true });
        report.entries++;
        report.bytes += entry.size;
      }
      for (const leftover of newest?.leftovers ?? []) fs.rmSync(leftover, { force: true });
    }
    return report;
  }

  async clear(id?: string): Promise<RemovalReport> {
    const fs = nodeFs();
    const report = { functions: 0, versions: 0, entries: 0, bytes: 0 };
    for (const fn of this.#scan()) {
      if (id !== undefined && fn.id !== id) continue;
      fs.rmSync(fn.dir, { recursive: true, force: true });
      report.functions++;
      report.versions += fn.versions.length;
      for (const version of fn.versions) {
        report.entries += version.summary.entries;
        report.bytes += version.summary.bytes;
      }
    }
    return report;
  }

  async close(): Promise<void> {}

  #scan(): ScannedFunction[] {
    const path = nodePath();
    const out: ScannedFunction[] = [];
    const now = Date.now();
    for (const name of readdirOrEmpty(this.location)) {
      const dir = path.join(this.location, name);
      if (!isRealDirectory(dir)) continue;
      const id = readFunctionId(path.join(dir, FUNCTION_META_FILE));
      if (id === undefined) continue;
      const versions = readdirOrEmpty(dir)
        .filter((child) => child.startsWith(VERSION_DIR_PREFIX) && isRealDirectory(path.join(dir, child)))
        .map((child) => scanVersion(path.join(dir, child), child.slice(VERSION_DIR_PREFIX.length), now));
      out.push({ id, dir, versions });
    }
    return out;
  }
}

function scanVersion(dir: string, version: string, now: number): ScannedVersion {
  const fs = nodeFs();
  const path = nodePath();
  const entries: ScannedEntry[] = [];
  const leftovers: string[] = [];
  for (const name of readdirOrEmpty(dir)) {
    const file = path.join(dir, name);
    const stats = fs.lstatSync(file, { throwIfNoEntry: false });
    if (!stats) continue;
    if (name.endsWith(TEMP_SUFFIX) || name.endsWith(LOCK_SUFFIX)) {
      if (now - stats.mtimeMs > LEFTOVER_AGE_MS) leftovers.push(file);
      continue;
    }
    if (!name.endsWith(ENTRY_SUFFIX)) continue;
    const times = readEntryTimes(readHeader(file));
    const defective = times instanceof DefectiveEntry;
    entries.push({
      file,
      size: stats.size,
      defective,
      createdAt: defective ? undefined : times.createdAt,
      expired: !defective && times.expiresAt !== 0 && now >= times.expiresAt,
    });
  }
  const created = entries.map((entry) => entry.createdAt).filter((time): time is number => time !== undefined);
  return {
    dir,
    entries,
    leftovers,
    summary: {
      version,
      entries: entries.length,
      bytes: entries.reduce((sum, entry) => sum + entry.size, 0),
      expired: entries.filter((entry) => entry.expired).length,
      oldestCreatedAt: created.length > 0 ? Math.min(...created) : undefined,
      newestCreatedAt: created.length > 0 ? Math.max(...created) : fs.statSync(dir, { throwIfNoEntry: false })?.mtimeMs,
    },
  };
}

function readHeader(file: string): Buffer {
  const fs = nodeFs();
  const buffer = Buffer.alloc(ENTRY_HEADER_BYTES);
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));
    const read = fs.readSync(fd, buffer, 0, ENTRY_HEADER_BYTES, 0);
    return buffer.subarray(0, read);
  } catch {
    return Buffer.alloc(0);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function readFunctionId(metaFile: string): string | undefined {
  try {
    const meta = JSON.parse(readFileNoFollowSync(metaFile).toString("utf8")) as { id?: unknown };
    return typeof meta.id === "string" ? meta.id : undefined;
  } catch {
    return undefined;
  }
}

function isRealDirectory(path: string): boolean {
  return nodeFs().lstatSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

function readdirOrEmpty(dir: string): string[] {
  try {
    return nodeFs().readdirSync(dir);
  } catch {
    return [];
  }
}
