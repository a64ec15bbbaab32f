/**
 * Transform overhead: the same build of a generated 500-file TypeScript project with
 * and without automemo, for a Vite build (Rolldown), a Rollup build (types stripped by
 * esbuild) and a Babel build (preset-typescript), with (a) no tags at all and (b) one
 * `@memo` tag in every file (the project and the builds: overhead-project.ts). Each host
 * runs in a fresh process of its own; there every configuration is interleaved round
 * by round so machine noise hits all of them alike, and every build starts from cold
 * caches. The ratio is median(with plugin) / median(without). Targets: (a) within 3%,
 * (b) within 15%.
 *
 * For (b) a probe plugin that only parses each tagged file (no planning, no edit)
 * measures the floor that the parse alone puts under any oxc-based transform.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { clearDependencyCaches } from "../transformer/core/index.ts";
import { FILE_COUNT, HOSTS, type HostName, type PluginMode, type Variant, writeProject } from "./overhead-project.ts";
import { formatRatio, median, resultFromChild, type BenchRow } from "./table.ts";

async function timeMs(run: () => unknown): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

const ROUNDS: Record<HostName, number> = { "vite build": 15, "rollup + esbuild": 7, "babel transformSync": 9 };

/** The rows of one host, measured in this process. */
async function measureHost(host: HostName, quick: boolean): Promise<BenchRow[]> {
  // Short builds need more rounds for a stable median.
  const rounds = quick ? 3 : ROUNDS[host];
  const run = HOSTS[host];
  const workspace = mkdtempSync(join(tmpdir(), "automemo-overhead-"));
  try {
    const variants: { variant: Variant; root: string; target: string }[] = [
      { variant: "no tags", root: join(workspace, "untagged"), target: "1.03x" },
      { variant: "one tag per file", root: join(workspace, "tagged"), target: "1.15x" },
    ];
    for (const { variant, root } of variants) writeProject(root, variant === "one tag per file");
    const samples = new Map<string, number[]>();
    const record = (key: string, ms: number) => samples.set(key, [...(samples.get(key) ?? []), ms]);
    // The probe is only informative where there is something to parse.
    const modesFor = (variant: Variant, round: number): PluginMode[] => {
      const modes: PluginMode[] = variant === "no tags" ? ["without", "automemo"] : ["without", "automemo", "parse only"];
      return round % 2 === 0 ? modes : modes.reverse();
    };

    // One warm-up round (JIT, file cache), then every mode in every round, in alternating order.
    for (let round = -1; round < rounds; round++) {
      for (const { variant, root } of variants) {
        for (const mode of modesFor(variant, round)) {
          // Every build starts cold, like a one-shot build in a new process: the parsed
          // files a previous round left in automemo's caches must not speed up this one.
          clearDependencyCaches();
          const ms = await timeMs(() => run(root, mode));
          if (round >= 0) record(`${variant}|${mode}`, ms);
        }
      }
    }

    return variants.flatMap(({ variant, target }) => {
      const without = median(samples.get(`${variant}|without`)!);
      const row = (mode: PluginMode, name: string, note: string): BenchRow => {
        const value = median(samples.get(`${variant}|${mode}`)!);
        return {
          group: `transform overhead (${FILE_COUNT} generated .ts files, cold caches)`,
          name,
          value,
          unit: "ms",
          ratio: formatRatio(value, without),
          note: `${note} (${without.toFixed(0)} ms), median of ${rounds}`,
        };
      };
      const rows = [row("automemo", `${host}, ${variant}`, `with / without plugin; target <= ${target}; without`)];
      if (variant === "one tag per file") {
        rows.push(row("parse only", `${host}, ${variant}: parse-only probe`, "floor: a plugin that only parses each tagged file with oxc-parser / without"));
      }
      return rows;
    });
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

/** One host in a fresh Node process: no host's heap or JIT state skews another's. */
function measureHostInChild(host: HostName, quick: boolean): Promise<BenchRow[]> {
  return resultFromChild(fileURLToPath(import.meta.url), ["--transform-host", host, ...(quick ? ["--quick"] : [])], `transform overhead for ${host}`);
}

/**
 * Runs the whole comparison, each host in its own process; per host and variant a row
 * with the median build time with the plugin and its ratio to the same build without
 * it, and for (b) the parse-only probe.
 */
export async function benchTransformOverhead({ quick = false }: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const host of Object.keys(HOSTS) as HostName[]) rows.push(...(await measureHostInChild(host, quick)));
  return rows;
}

const hostFlag = process.argv.indexOf("--transform-host");
if (hostFlag !== -1 && process.send) {
  process.send(await measureHost(process.argv[hostFlag + 1] as HostName, process.argv.includes("--quick")));
}
