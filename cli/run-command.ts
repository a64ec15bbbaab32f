/**
 * `automemo run script.ts [--watch] [--quiet] [--no-persist] [--explain]`: runs a script with the
 * automemo transform, Streamlit style. @memo results persist on disk by default, so a
 * second run is fast; `--watch` reruns the script in this same process on every save,
 * where unchanged functions answer from memory (the registry keeps handles whose id and
 * code hash did not change) and only edited ones recompute.
 */
import { existsSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { installAutomemoHooks } from "../transformer/loader/install.ts";
import { EXPLAIN_OFF, explaining, setExplaining } from "../runtime/handle/explain.ts";
import { RUN_USAGE, RunUsageError, parseRunArgs, type RunOptions } from "./run/args.ts";
import { freshEntryUrl } from "./run/fresh-modules.ts";
import { SlowMissProgress, followComputations } from "./run/progress.ts";
import { activityBetween, formatSummary, snapshotActivity } from "./run/summary.ts";
import { watchForSaves } from "./run/watch.ts";

/** Read by the runtime when a @memo tag names no `persist` (tags that do always win). */
const DEFAULT_PERSIST_ENV = "AUTOMEMO_DEFAULT_PERSIST";

/** Where `automemo run` writes its own output (summaries, errors, the spinner); the script keeps stdout. */
interface RunIo {
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
}

/** Resolves when the event loop has nothing left to do: the end of a script that did not await its work (`main().catch(...)`). */
function eventLoopDrained(): Promise<void> {
  return new Promise((done) => process.once("beforeExit", () => done()));
}

/**
 * One execution of the script: import it (fresh modules after the first) and report.
 * A single run reports when the process would exit; a watch-mode run reports once its
 * module evaluation (top-level await included) has finished.
 */
async function runOnce(entryUrl: string, generation: number, options: RunOptions, io: RunIo): Promise<boolean> {
  const before = snapshotActivity();
  const started = performance.now();
  let succeeded = true;
  try {
    await import(freshEntryUrl(entryUrl, generation));
    if (!options.watch) await eventLoopDrained();
  } catch (error) {
    succeeded = false;
    io.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  if (!options.quiet) {
    const after = snapshotActivity();
    io.stderr.write(`${formatSummary(activityBetween(before, after), after, performance.now() - started)}\n`);
  }
  return succeeded;
}

/**
 * Reruns after every burst of saves; saves during a run collapse into one rerun after it.
 * Watches `folder`, plus whatever project files outside it the hooks report.
 */
function rerunOnSave(entryUrl: string, folder: string, options: RunOptions, io: RunIo) {
  let generation = 1;
  let running: Promise<unknown> = Promise.resolve();
  let queued = false;
  const watcher = watchForSaves(folder, (changed) => {
    if (queued) return;
    queued = true;
    running = running.then(() => {
      queued = false;
      if (!options.quiet) io.stderr.write(`\nautomemo: ${changed.length === 1 ? relative(folder, changed[0]!) : `${changed.length} files`} changed, rerunning\n`);
      return runOnce(entryUrl, generation++, options, io);
    });
  });
  return {
    watcher,
    /** Reruns start after `firstRun`. */
    after(firstRun: Promise<unknown>): void {
      running = firstRun;
    },
  };
}

/** Entry of the `run` subcommand; resolves with the process exit code. */
async function runCommand(args: readonly string[], io: RunIo = process): Promise<number> {
  const options = parseRunArgs(args);
  const script = resolve(options.script);
  if (!existsSync(script)) throw new RunUsageError(`Script not found: ${script}`);

  // Miss reasons feed the summary's "why" column; --explain (or AUTOMEMO_EXPLAIN=1) also prints them as they happen.
  if (options.explain) setExplaining("print");
  else if (explaining.mode === EXPLAIN_OFF) setExplaining(true);
  if (options.persist) process.env[DEFAULT_PERSIST_ENV] ??= "disk";
  else delete process.env[DEFAULT_PERSIST_ENV];
  const entryUrl = pathToFileURL(script).href;
  // Watching starts before the first run, so a save made while it runs is not missed, and so
  // the hooks can report project files outside the script's folder (helpers a hash covers) from the start.
  const reruns = options.watch ? rerunOnSave(entryUrl, dirname(script), options, io) : null;
  installAutomemoHooks({ onProjectFiles: reruns ? (files) => reruns.watcher.watchFiles(files) : undefined });
  // The script sees itself as the main program, with its own arguments.
  process.argv = [process.argv[0]!, script, ...options.scriptArgs];
  if (io.stderr.isTTY) followComputations(new SlowMissProgress(io.stderr));

  // Saves are seen once the watcher has scanned the folder.
  await reruns?.watcher.ready;
  const firstRun = runOnce(entryUrl, 0, options, io);
  if (!reruns) return (await firstRun) ? (typeof process.exitCode === "number" ? process.exitCode : 0) : 1;
  reruns.after(firstRun);
  // Watch mode runs until interrupted.
  return new Promise<number>(() => undefined);
}

export const runSubcommand = {
  name: "run",
  summary: "run a script with @memo/@singleton applied (disk cache on; --watch reruns on save)",
  usage: RUN_USAGE,
  run: runCommand,
};
