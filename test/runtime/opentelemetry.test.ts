/**
 * examples/opentelemetry: automemo's channels recorded as OpenTelemetry metrics through
 * @opentelemetry/api, read back from the SDK's in-memory exporter (no network).
 */
import type { Meter } from "@opentelemetry/api";
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type DataPoint, type Histogram } from "@opentelemetry/sdk-metrics";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clear, clearAll, memo } from "../../runtime/index.ts";
import { expectBuiltPackage } from "../loader/loader-project.ts";
import { uniqueId } from "./helpers.ts";

// Loaded at run time: the example imports "automemo" (the built package), which the
// type check, run before the build, must not need.
const EXAMPLE = "../../examples/opentelemetry/instrument.ts";
let instrumentAutomemo: (meter: Meter) => () => void;

beforeAll(async () => {
  expectBuiltPackage();
  ({ instrumentAutomemo } = (await import(/* @vite-ignore */ EXAMPLE)) as { instrumentAutomemo: typeof instrumentAutomemo });
});

let exporter: InMemoryMetricExporter;
let reader: PeriodicExportingMetricReader;
let provider: MeterProvider;
let stop: () => void;

beforeEach(() => {
  exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  provider = new MeterProvider({ readers: [reader] });
  stop = instrumentAutomemo(provider.getMeter("automemo-test"));
});
afterEach(async () => {
  stop();
  await provider.shutdown();
  await clearAll();
});

/** The data points of one metric after an export, by the function attribute. */
async function exported(name: string): Promise<DataPoint<unknown>[]> {
  await reader.forceFlush();
  const metrics = exporter.getMetrics().at(-1)?.scopeMetrics.flatMap((scope) => scope.metrics) ?? [];
  return metrics.find((metric) => metric.descriptor.name === name)?.dataPoints ?? [];
}

async function valueFor(name: string, id: string): Promise<unknown> {
  return (await exported(name)).find((point) => point.attributes["automemo.function"] === id)?.value;
}

describe("OpenTelemetry metrics from automemo's channels", () => {
  it("records hits, misses, compute durations, errors, evictions and invalidations", async () => {
    const id = uniqueId("otel");
    const slowSquare = memo(async (n: number) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (n < 0) throw new Error("negative");
      return n * n;
    }, { id, params: ["n"], options: { maxEntries: 2 } });
    for (const n of [1, 2, 1, 3]) await slowSquare(n);
    await expect(slowSquare(-1)).rejects.toThrow("negative");
    await clear(slowSquare);

    expect(await valueFor("automemo.hits", id)).toBe(1);
    expect(await valueFor("automemo.misses", id)).toBe(4);
    expect(await valueFor("automemo.compute.errors", id)).toBe(1);
    const durations = (await valueFor("automemo.compute.duration", id)) as Histogram;
    expect(durations.count).toBe(4);
    expect(durations.min).toBeGreaterThanOrEqual(0.015);
    expect(durations.sum).toBeGreaterThanOrEqual(0.06);
    const evictions = (await exported("automemo.evictions")).filter((point) => point.attributes["automemo.function"] === id);
    expect(evictions.map((point) => [point.attributes["automemo.reason"], point.value])).toEqual([["capacity", 2]]); // 2 after 3 (LRU), then 1 when the call with -1 was filed
    const invalidations = (await exported("automemo.invalidations")).filter((point) => point.attributes["automemo.function"] === id);
    expect(invalidations.map((point) => [point.attributes["automemo.scope"], point.value])).toEqual([["function", 1]]);
  });

  it("records the duration of synchronous computations too, and nothing after unsubscribing", async () => {
    const id = uniqueId("otel-sync");
    const double = memo((n: number) => n * 2, { id, params: ["n"] });
    double(1);
    double(2);
    expect(((await valueFor("automemo.compute.duration", id)) as Histogram).count).toBe(2);
    stop();
    double(3);
    double(3);
    expect(((await valueFor("automemo.compute.duration", id)) as Histogram).count).toBe(2);
    expect(await valueFor("automemo.hits", id)).toBeUndefined();
  });
});
