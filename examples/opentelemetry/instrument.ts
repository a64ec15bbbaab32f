/*
 * automemo's diagnostics_channel events as OpenTelemetry metrics, through
 * `@opentelemetry/api` only: pass the Meter of whatever MeterProvider the service
 * already configured (OTLP, Prometheus exporter, ...).
 *
 *   import { metrics } from "@opentelemetry/api";
 *   const stop = instrumentAutomemo(metrics.getMeter("automemo"));
 *
 * Metrics (attribute `automemo.function` = the function id):
 *   automemo.hits, automemo.misses                  counters
 *   automemo.compute.duration (s)                    histogram, one record per computed miss
 *   automemo.compute.errors                          counter
 *   automemo.evictions (+ automemo.reason)           counter
 *   automemo.invalidations (+ automemo.scope)        counter
 *   automemo.store.errors (+ automemo.store, automemo.operation)  counter
 */
import diagnostics from "node:diagnostics_channel";
import type { Meter } from "@opentelemetry/api";
import { CHANNEL_NAMES, type ComputeContext, type EvictMessage, type InvalidateMessage, type LookupMessage, type StoreErrorMessage } from "automemo";

/** Subscribes the meter's instruments to automemo's channels; returns the function that unsubscribes them. */
export function instrumentAutomemo(meter: Meter): () => void {
  const hits = meter.createCounter("automemo.hits", { description: "Calls answered from the memory cache" });
  const misses = meter.createCounter("automemo.misses", { description: "Calls the memory cache could not answer" });
  const duration = meter.createHistogram("automemo.compute.duration", { unit: "s", description: "Time spent computing a miss" });
  const computeErrors = meter.createCounter("automemo.compute.errors", { description: "Computations that threw or rejected" });
  const evictions = meter.createCounter("automemo.evictions", { description: "Entries evicted from the memory cache" });
  const invalidations = meter.createCounter("automemo.invalidations", { description: "clear() and clearAll() calls" });
  const storeErrors = meter.createCounter("automemo.store.errors", { description: "Failed operations of a persistent store" });

  const onHit = (message: unknown) => hits.add(1, { "automemo.function": (message as LookupMessage).id });
  const onMiss = (message: unknown) => misses.add(1, { "automemo.function": (message as LookupMessage).id });
  const onEvict = (message: unknown) => {
    const { id, reason } = message as EvictMessage;
    evictions.add(1, { "automemo.function": id, "automemo.reason": reason });
  };
  const onInvalidate = (message: unknown) => {
    const { id, scope } = message as InvalidateMessage;
    invalidations.add(1, { "automemo.function": id ?? "*", "automemo.scope": scope });
  };
  const onStoreError = (message: unknown) => {
    const { store, operation, id } = message as StoreErrorMessage;
    storeErrors.add(1, { "automemo.store": store, "automemo.operation": operation, "automemo.function": id ?? "" });
  };

  // A computation ends at `end` when it was synchronous (a result or an error is set by then), else at `asyncEnd`.
  const started = new WeakMap<object, number>();
  const finish = (context: ComputeContext) => {
    const start = started.get(context);
    if (start === undefined) return;
    started.delete(context);
    duration.record((performance.now() - start) / 1000, { "automemo.function": context.id, "automemo.store": context.store });
  };
  const compute = {
    start: (message: unknown) => void started.set(message as object, performance.now()),
    end: (message: unknown) => {
      const context = message as ComputeContext;
      if ("result" in context || "error" in context) finish(context);
    },
    asyncStart: () => {},
    asyncEnd: (message: unknown) => finish(message as ComputeContext),
    error: (message: unknown) => computeErrors.add(1, { "automemo.function": (message as ComputeContext).id }),
  };

  const plain: [string, (message: unknown) => void][] = [
    [CHANNEL_NAMES.hit, onHit],
    [CHANNEL_NAMES.miss, onMiss],
    [CHANNEL_NAMES.evict, onEvict],
    [CHANNEL_NAMES.invalidate, onInvalidate],
    [CHANNEL_NAMES.storeError, onStoreError],
  ];
  for (const [name, listener] of plain) diagnostics.subscribe(name, listener);
  const tracing = diagnostics.tracingChannel(CHANNEL_NAMES.compute);
  tracing.subscribe(compute);
  return () => {
    for (const [name, listener] of plain) diagnostics.unsubscribe(name, listener);
    tracing.unsubscribe(compute);
  };
}
