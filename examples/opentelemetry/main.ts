/*
 * automemo metrics in OpenTelemetry: a MeterProvider with a console exporter (swap in
 * the OTLP exporter of your service), instrumentAutomemo() on its meter, and a few calls.
 *
 *   node --import automemo/register examples/opentelemetry/main.ts
 */
import { ConsoleMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { instrumentAutomemo } from "./instrument.ts";

const reader = new PeriodicExportingMetricReader({ exporter: new ConsoleMetricExporter(), exportIntervalMillis: 60_000 });
const provider = new MeterProvider({ readers: [reader] });
const stop = instrumentAutomemo(provider.getMeter("automemo"));

/** @memo */
async function slowSquare(n: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 50));
  return n * n;
}

for (const n of [1, 2, 1, 3, 1]) console.log(`slowSquare(${n}) = ${await slowSquare(n)}`);
stop();
await provider.shutdown(); // exports once more: automemo.hits 2, automemo.misses 3, 3 compute durations of ~0.05 s
