/** metricsText(): the Prometheus text exposition (0.0.4), checked by a strict parser of the format. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { clearAll, memo, metricsText, METRICS_CONTENT_TYPE, singleton } from "../../runtime/index.ts";
import { uniqueId } from "./helpers.ts";

afterEach(() => clearAll());

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

interface Family {
  readonly type: string;
  readonly help: string;
  readonly samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const SUFFIXES: Record<string, readonly string[]> = { counter: [""], gauge: [""], histogram: ["_bucket", "_sum", "_count"] };

/**
 * Parses the text format 0.0.4 strictly: HELP then TYPE before a family's samples, each
 * family once and contiguous, sample names belonging to the declared family, label
 * values with only the escapes \\, \" and \n, numbers Go's ParseFloat accepts, and the
 * histogram rules (cumulative buckets ending at +Inf equal to _count).
 */
function parseExposition(text: string): Map<string, Family> {
  expect(text.endsWith("\n")).toBe(true);
  const families = new Map<string, Family>();
  let current: { name: string; family: Family } | undefined;
  let help: { name: string; text: string } | undefined;
  for (const line of text.slice(0, -1).split("\n")) {
    const comment = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (comment) {
      const [, keyword, name, rest] = comment;
      expect(name).toMatch(METRIC_NAME);
      expect(families.has(name!), `family ${name} declared twice`).toBe(false);
      if (keyword === "HELP") {
        expect(rest).not.toMatch(/\\[^\\n]/);
        help = { name: name!, text: rest! };
      } else {
        expect(help?.name, `HELP before TYPE of ${name}`).toBe(name);
        expect(["counter", "gauge", "histogram", "summary", "untyped"]).toContain(rest);
        current = { name: name!, family: { type: rest!, help: help!.text, samples: [] } };
        families.set(name!, current.family);
      }
      continue;
    }
    expect(line.startsWith("#"), `unexpected comment: ${line}`).toBe(false);
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    expect(sample, `not a sample line: ${line}`).not.toBeNull();
    const [, name, labelText, valueText] = sample!;
    expect(current, `sample before any TYPE: ${line}`).toBeDefined();
    const suffix = name!.slice(current!.name.length);
    expect(name!.startsWith(current!.name) && SUFFIXES[current!.family.type]!.includes(suffix), `${name} outside family ${current!.name}`).toBe(true);
    expect(valueText).toMatch(/^([+-]?\d+(\.\d+)?([eE][+-]?\d+)?|[+-]Inf|NaN)$/);
    current!.family.samples.push({ name: name!, labels: parseLabels(labelText ?? ""), value: Number(valueText!.replace("Inf", "Infinity")) });
  }
  for (const [name, family] of families) if (family.type === "histogram") checkHistogram(name, family);
  return families;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  if (text === "") return labels;
  let rest = text.slice(1, -1);
  while (rest !== "") {
    const match = /^([^=]+)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/.exec(rest);
    expect(match, `bad labels: {${text}}`).not.toBeNull();
    const [whole, name, raw] = match!;
    expect(name).toMatch(LABEL_NAME);
    expect(labels[name!], `label ${name} twice`).toBeUndefined();
    labels[name!] = raw!.replace(/\\(.)/g, (_, escaped: string) => (escaped === "n" ? "\n" : escaped));
    rest = rest.slice(whole.length);
  }
  return labels;
}

function checkHistogram(name: string, family: Family): void {
  const bySeries = new Map<string, Sample[]>();
  for (const sample of family.samples) {
    const { le, ...series } = sample.labels;
    const key = JSON.stringify(series);
    bySeries.set(key, [...(bySeries.get(key) ?? []), sample]);
    if (sample.name.endsWith("_bucket")) expect(le, `${name} bucket without le`).toBeDefined();
  }
  for (const samples of bySeries.values()) {
    const buckets = samples.filter((sample) => sample.name === `${name}_bucket`);
    const bounds = buckets.map((bucket) => Number(bucket.labels.le!.replace("Inf", "Infinity")));
    expect(bounds).toEqual([...bounds].sort((a, b) => a - b));
    expect(bounds.at(-1)).toBe(Infinity);
    buckets.forEach((bucket, index) => index > 0 && expect(bucket.value).toBeGreaterThanOrEqual(buckets[index - 1]!.value));
    expect(samples.find((sample) => sample.name === `${name}_count`)!.value).toBe(buckets.at(-1)!.value);
  }
}

function valueOf(families: Map<string, Family>, name: string, labels: Record<string, string>): number | undefined {
  const family = families.get(name.replace(/_(bucket|sum|count)$/, "")) ?? families.get(name);
  return family?.samples.find((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))?.value;
}

function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe("metricsText", () => {
  it("exposes every function's counters, gauges and compute-time histogram, in a valid exposition", async () => {
    const id = uniqueId('metrics "quoted" \\ back\nline');
    const slow = memo((n: number) => (busyWait(12), { n }), { id, params: ["n"] });
    const failing = memo((n: number) => {
      throw new Error(String(n));
    }, { id: uniqueId("metrics-failing"), params: ["n"] });
    const pool = singleton(() => ({}), { id: uniqueId("metrics-singleton") });
    slow(1);
    slow(1);
    slow(2);
    expect(() => failing(1)).toThrow();
    pool();

    const families = parseExposition(metricsText());
    const labels = { function: id, kind: "memo" };
    expect(valueOf(families, "automemo_hits_total", labels)).toBe(1);
    expect(valueOf(families, "automemo_misses_total", labels)).toBe(2);
    expect(valueOf(families, "automemo_entries", labels)).toBe(2);
    expect(valueOf(families, "automemo_bytes", labels)).toBeGreaterThan(0);
    expect(valueOf(families, "automemo_compute_seconds_count", labels)).toBe(2);
    expect(valueOf(families, "automemo_compute_seconds_sum", labels)).toBeGreaterThanOrEqual(0.022);
    expect(valueOf(families, "automemo_compute_seconds_bucket", { ...labels, le: "0.01" })).toBe(0);
    expect(valueOf(families, "automemo_compute_seconds_bucket", { ...labels, le: "+Inf" })).toBe(2);
    const failingSample = families.get("automemo_compute_errors_total")!.samples.find((sample) => sample.labels.function!.includes("metrics-failing"));
    expect(failingSample?.value).toBe(1);
    expect(families.get("automemo_entries")!.samples.some((sample) => sample.labels.kind === "singleton")).toBe(true);
    for (const name of ["automemo_stale_hits_total", "automemo_refreshes_total", "automemo_store_hits_total", "automemo_evictions_total"]) {
      expect(families.get(name)?.type).toBe("counter");
    }
    expect(families.get("automemo_compute_seconds")?.type).toBe("histogram");
  });

  it("is served at /metrics by a node:http server in three lines", async () => {
    const square = memo((n: number) => n * n, { id: uniqueId("served"), params: ["n"] });
    square(2);
    const server = createServer((request, response) => {
      if (request.url === "/metrics") response.writeHead(200, { "Content-Type": METRICS_CONTENT_TYPE }).end(metricsText());
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
      expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      const families = parseExposition(await response.text());
      expect(families.get("automemo_misses_total")!.samples.length).toBeGreaterThan(0);
    } finally {
      server.close();
    }
  });
});
