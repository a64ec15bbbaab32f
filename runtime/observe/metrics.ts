/**
 * `metricsText()`: every cached function's counters and gauges in the Prometheus text
 * exposition format 0.0.4 (what a `/metrics` endpoint serves). Labels: `function` (the
 * id) and `kind` (memo, singleton). Read from the handles of every runtime copy in the
 * process (the shared registry), so nothing is counted twice and nothing is missed.
 */
import { sharedRuntime, type CacheStats, type RegisteredHandle } from "../handle/shared.ts";
import { COMPUTE_BUCKETS_SECONDS, type ComputeTimesSnapshot } from "./compute-times.ts";

/** The Content-Type a server sends with metricsText(). */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

type MetricType = "counter" | "gauge";

/** Counters added by later features read as 0 from handles that do not count them. */
type LooseStats = CacheStats & { readonly staleHits?: number; readonly refreshes?: number; readonly refreshErrors?: number; readonly errors?: number };

interface Metric {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly value: (stats: LooseStats) => number;
}

const METRICS: readonly Metric[] = [
  { name: "automemo_hits_total", type: "counter", help: "Calls answered from the memory cache.", value: (s) => s.hits },
  { name: "automemo_misses_total", type: "counter", help: "Calls the memory cache could not answer (computed, or read from the store).", value: (s) => s.misses },
  { name: "automemo_store_hits_total", type: "counter", help: "Memory misses answered by the persistent store.", value: (s) => s.storeHits ?? 0 },
  { name: "automemo_stale_hits_total", type: "counter", help: "Calls answered with a stale value (staleWhileRevalidate, staleIfError).", value: (s) => s.staleHits ?? 0 },
  { name: "automemo_refreshes_total", type: "counter", help: "Background recomputations of stale entries.", value: (s) => s.refreshes ?? 0 },
  { name: "automemo_refresh_errors_total", type: "counter", help: "Background recomputations that failed.", value: (s) => s.refreshErrors ?? 0 },
  { name: "automemo_compute_errors_total", type: "counter", help: "Computations that threw or rejected.", value: (s) => s.errors ?? 0 },
  { name: "automemo_evictions_total", type: "counter", help: "Entries evicted by maxEntries, maxBytes or the memory budget.", value: (s) => s.evictions },
  { name: "automemo_entries", type: "gauge", help: "Live entries in the memory cache.", value: (s) => s.entries },
  { name: "automemo_bytes", type: "gauge", help: "Bytes of memo results in the memory cache.", value: (s) => s.bytes },
];

const HISTOGRAM = "automemo_compute_seconds";

/**
 * The Prometheus text exposition (format 0.0.4) of every cached function in the process.
 *
 * @example
 * createServer((req, res) => {
 *   if (req.url === "/metrics") res.writeHead(200, { "Content-Type": METRICS_CONTENT_TYPE }).end(metricsText());
 * }).listen(9464);
 */
export function metricsText(): string {
  const rows: { labels: string; stats: LooseStats; times: ComputeTimesSnapshot | undefined }[] = [];
  for (const [id, handle] of sharedRuntime().handles) rows.push({ labels: `function="${escapeLabel(id)}",kind="${handle.kind}"`, stats: handle.stats(), times: timesOf(handle) });
  const lines: string[] = [];
  for (const metric of METRICS) {
    lines.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} ${metric.type}`);
    for (const row of rows) lines.push(`${metric.name}{${row.labels}} ${formatNumber(metric.value(row.stats))}`);
  }
  lines.push(`# HELP ${HISTOGRAM} Time spent computing misses.`, `# TYPE ${HISTOGRAM} histogram`);
  for (const row of rows) {
    const times = row.times ?? emptyTimes();
    let cumulative = 0;
    times.bucketsSeconds.forEach((bound, index) => {
      cumulative += times.counts[index]!;
      lines.push(`${HISTOGRAM}_bucket{${row.labels},le="${formatNumber(bound)}"} ${cumulative}`);
    });
    lines.push(`${HISTOGRAM}_bucket{${row.labels},le="+Inf"} ${times.count}`);
    lines.push(`${HISTOGRAM}_sum{${row.labels}} ${formatNumber(times.sumSeconds)}`);
    lines.push(`${HISTOGRAM}_count{${row.labels}} ${times.count}`);
  }
  return lines.join("\n") + "\n";
}

function timesOf(handle: RegisteredHandle): ComputeTimesSnapshot | undefined {
  // Handles of an older runtime copy in the process may not keep the histogram.
  return handle.computeTimes?.();
}

function emptyTimes(): ComputeTimesSnapshot {
  return { bucketsSeconds: COMPUTE_BUCKETS_SECONDS, counts: COMPUTE_BUCKETS_SECONDS.map(() => 0), count: 0, sumSeconds: 0 };
}

/** Label values escape backslash, double quote and line feed (format 0.0.4). */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}
