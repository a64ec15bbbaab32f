/**
 * The end-of-run summary of `automemo run`: for each cached function that was called
 * during the run, how often it hit and missed, and the time the hits saved. It reads
 * the process-wide handle registry, which every runtime copy shares, so the script's
 * own `automemo` import is seen whatever file it resolved to.
 */
import { sharedRuntime } from "../../runtime/handle/shared.ts";
import { count, formatBytes } from "../format.ts";

export interface FunctionActivity {
  readonly id: string;
  readonly hits: number;
  readonly misses: number;
  /** Misses answered by the persistent store, when the runtime reports them. */
  readonly storeHits: number | undefined;
  /** Time spent computing the misses, when the runtime reports it. */
  readonly computeMs: number | undefined;
  /** The persistent store that answered `storeHits`, when the runtime reports it. */
  readonly store?: string;
  /** Memory its cached entries hold now (stats().bytes), when the runtime reports it. */
  readonly bytes?: number;
  /** Expired values answered (staleWhileRevalidate, staleIfError), background refreshes and failed refreshes, when reported. */
  readonly staleHits?: number;
  readonly refreshes?: number;
  readonly refreshErrors?: number;
  /** The most frequent reason of its misses (explain.ts), when they were explained. */
  readonly mainMissReason?: string;
}

/** Counters per handle. A watch-mode edit registers a new handle (new code hash) for the same id, replacing the old one. */
export type ActivitySnapshot = ReadonlyMap<string, FunctionActivity>;

/** The counters of every registered handle right now, keyed by id and code hash. */
export function snapshotActivity(): ActivitySnapshot {
  const snapshot = new Map<string, FunctionActivity>();
  for (const handle of sharedRuntime().handles.values()) {
    const stats = handle.stats();
    snapshot.set(`${handle.id}\n${handle.hash}`, {
      id: handle.id,
      hits: stats.hits,
      misses: stats.misses,
      storeHits: stats.storeHits,
      computeMs: stats.computeMs,
      store: stats.store,
      bytes: stats.bytes,
      staleHits: stats.staleHits,
      refreshes: stats.refreshes,
      refreshErrors: stats.refreshErrors,
      mainMissReason: (handle as { mainMissReason?(): string | undefined }).mainMissReason?.(),
    });
  }
  return snapshot;
}

/** Sums and differences of counters the runtime may not report (undefined stays undefined). */
function combine(a: number | undefined, b: number | undefined, sign: 1 | -1): number | undefined {
  return a === undefined ? undefined : a + sign * (b ?? 0);
}

function addActivity(into: Map<string, FunctionActivity>, delta: FunctionActivity): void {
  const sum = into.get(delta.id);
  into.set(
    delta.id,
    sum === undefined
      ? delta
      : {
          ...sum,
          hits: sum.hits + delta.hits,
          misses: sum.misses + delta.misses,
          storeHits: combine(sum.storeHits, delta.storeHits, 1),
          computeMs: combine(sum.computeMs, delta.computeMs, 1),
          bytes: combine(sum.bytes, delta.bytes, 1),
          staleHits: combine(sum.staleHits, delta.staleHits, 1),
          refreshes: combine(sum.refreshes, delta.refreshes, 1),
          refreshErrors: combine(sum.refreshErrors, delta.refreshErrors, 1),
          mainMissReason: delta.mainMissReason ?? sum.mainMissReason,
        },
  );
}

/** What happened between two snapshots, per function id (all its versions), for the functions that were called. */
export function activityBetween(before: ActivitySnapshot, after: ActivitySnapshot): FunctionActivity[] {
  const byId = new Map<string, FunctionActivity>();
  for (const [key, now] of after) {
    const then = before.get(key);
    addActivity(byId, {
      id: now.id,
      store: now.store,
      hits: now.hits - (then?.hits ?? 0),
      misses: now.misses - (then?.misses ?? 0),
      storeHits: combine(now.storeHits, then?.storeHits, -1),
      computeMs: combine(now.computeMs, then?.computeMs, -1),
      // Memory is a level, not a count: what the entries hold at the end of the run.
      bytes: now.bytes,
      staleHits: combine(now.staleHits, then?.staleHits, -1),
      refreshes: combine(now.refreshes, then?.refreshes, -1),
      refreshErrors: combine(now.refreshErrors, then?.refreshErrors, -1),
      mainMissReason: now.mainMissReason,
    });
  }
  return [...byId.values()].filter((entry) => entry.hits + entry.misses + (entry.staleHits ?? 0) > 0).sort((a, b) => a.id.localeCompare(b.id));
}

/** Average cost of one computation of the function, over every version alive in this process. */
function averageComputeMs(totals: ActivitySnapshot, id: string): number | undefined {
  let computeMs: number | undefined;
  let computed = 0;
  for (const entry of totals.values()) {
    if (entry.id !== id || entry.computeMs === undefined) continue;
    computeMs = (computeMs ?? 0) + entry.computeMs;
    computed += entry.misses - (entry.storeHits ?? 0);
  }
  return computeMs !== undefined && computed > 0 ? computeMs / computed : undefined;
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

/** The summary text; `totals` (the latest snapshot) supplies the average cost that hits saved. */
export function formatSummary(activity: readonly FunctionActivity[], totals: ActivitySnapshot, runMs: number): string {
  if (activity.length === 0) return `automemo: run finished in ${formatMs(runMs)}; no cached function was called`;
  let savedMs = 0;
  let savingsKnown = false;
  let heldBytes: number | undefined;
  const width = Math.max(...activity.map((entry) => entry.id.length));
  const lines = activity.map((entry) => {
    const computed = entry.misses - (entry.storeHits ?? 0);
    const storeHits = entry.storeHits ?? 0;
    const from = `from ${entry.store ?? "the store"}`;
    const parts: string[] = [];
    const took = entry.computeMs === undefined ? "" : ` in ${formatMs(entry.computeMs)}`;
    // Without the runtime's store-hit count a miss may have been answered by the disk store, so it is not called "computed".
    if (entry.storeHits === undefined) {
      if (entry.misses > 0) parts.push(`${count(entry.misses, "miss", "misses")}${took}`);
    } else {
      if (storeHits > 0) parts.push(entry.hits > 0 ? `${storeHits} ${from}` : `${count(storeHits, "hit")} ${from}`);
      if (computed > 0) parts.push(`${computed} computed${took}`);
    }
    // A store hit is a hit too: "1 hit from disk", never "0 hits, 1 from disk".
    if (entry.hits > 0 || parts.length === 0) parts.unshift(count(entry.hits, "hit"));
    if (entry.staleHits) parts.push(`${entry.staleHits} stale`);
    if (computed > 0 && entry.mainMissReason !== undefined) parts.push(`missed: ${entry.mainMissReason}`);
    if (entry.refreshes) parts.push(`${count(entry.refreshes, "refresh", "refreshes")}${entry.refreshErrors ? ` (${entry.refreshErrors} failed)` : ""}`);
    if (entry.bytes !== undefined) {
      heldBytes = (heldBytes ?? 0) + entry.bytes;
      parts.push(`${formatBytes(entry.bytes)} held`);
    }
    const average = averageComputeMs(totals, entry.id);
    if (average !== undefined) {
      savingsKnown = true;
      savedMs += entry.hits * average;
    }
    const status = computed > 0 ? "miss" : "hit ";
    return `  ${status} ${entry.id.padEnd(width)}  ${parts.join(", ")}`;
  });
  // Under a millisecond rounds to "about 0 ms saved": not worth a clause.
  const saved = savingsKnown && savedMs >= 1 ? `, about ${formatMs(savedMs)} saved by hits` : "";
  const held = heldBytes === undefined ? "" : `, ${formatBytes(heldBytes)} held in memory`;
  return [`automemo: run finished in ${formatMs(runMs)}${saved}${held}`, ...lines].join("\n");
}
