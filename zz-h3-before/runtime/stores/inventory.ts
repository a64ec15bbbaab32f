/** What `automemo cache ls|stats|prune|clear` reports, for the disk and the Redis store alike. */
export interface VersionSummary {
  readonly version: string;
  readonly entries: number;
  readonly bytes: number;
  /** Entries past their stored expiry (still on disk until pruned or overwritten). */
  readonly expired: number;
  /** ms since epoch of the oldest / newest entry (an empty version on disk: its directory mtime). */
  readonly oldestCreatedAt: number | undefined;
  readonly newestCreatedAt: number | undefined;
  /** The newest version of its function: the one prune keeps. */
  readonly current: boolean;
}

export interface FunctionSummary {
  readonly id: string;
  readonly versions: readonly VersionSummary[];
}

export interface RemovalReport {
  readonly functions: number;
  readonly versions: number;
  readonly entries: number;
  readonly bytes: number;
}

export interface StoreInventory {
  /** `disk` or `redis`. */
  readonly store: string;
  /** Directory or (password-redacted) URL + prefix. */
  readonly location: string;
  list(): Promise<FunctionSummary[]>;
  /** Remove all but the newest version of every function, and expired entries. */
  prune(): Promise<RemovalReport>;
  /** Remove every entry of one function id, or of every function. */
  clear(id?: string): Promise<RemovalReport>;
  close(): Promise<void>;
}

/** Marks the newest version (by newest entry) of each function as current; sorts ids and versions. */
export function finishSummaries(byId: Map<string, VersionSummary[]>): FunctionSummary[] {
  return [...byId.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, versions]) => {
      const sorted = [...versions].sort((a, b) => (b.newestCreatedAt ?? 0) - (a.newestCreatedAt ?? 0));
      return { id, versions: sorted.map((version, index) => ({ ...version, current: index === 0 })) };
    });
}
