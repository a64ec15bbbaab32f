import { AutomemoError } from "../../runtime/errors.ts";

export interface RunOptions {
  /** The script as given on the command line. */
  readonly script: string;
  /** Arguments after the script, handed to it as `process.argv.slice(2)`. */
  readonly scriptArgs: readonly string[];
  readonly watch: boolean;
  readonly quiet: boolean;
  /** `false` with `--no-persist`: no default persistence (tags naming a store keep theirs). */
  readonly persist: boolean;
  /** `--explain`: print one line per miss with its reason (reasons are recorded for the summary either way). */
  readonly explain: boolean;
}

export const RUN_USAGE = `Usage: automemo run <script> [--watch] [--quiet] [--no-persist] [--explain] [-- script arguments]

Runs a TypeScript or JavaScript file with @memo / @singleton applied.
  --watch       rerun the script in this process on every save; unchanged functions answer from memory
  --quiet       do not print the hit/miss summary after each run
  --explain     print why each miss happened as it happens (new arguments, code changed, expired, ...)
  --no-persist  keep @memo results in memory only (default: also on disk, so the next run is fast;
                a tag that names a store, @memo { persist: "redis" }, always keeps it)`;

/** A command line `automemo run` cannot make sense of. */
export class RunUsageError extends AutomemoError {
  constructor(problem: string) {
    super("RUN_USAGE", `${problem}\n${RUN_USAGE}`);
  }
}

const FLAGS: Readonly<Record<string, (options: { watch: boolean; quiet: boolean; persist: boolean; explain: boolean }) => void>> = {
  "--watch": (options) => (options.watch = true),
  "-w": (options) => (options.watch = true),
  "--quiet": (options) => (options.quiet = true),
  "-q": (options) => (options.quiet = true),
  "--no-persist": (options) => (options.persist = false),
  "--explain": (options) => (options.explain = true),
};

/** Flags come before the script or right after it; everything after the script's own arguments start (or after `--`) belongs to the script. */
export function parseRunArgs(args: readonly string[]): RunOptions {
  const flags = { watch: false, quiet: false, persist: true, explain: false };
  let script: string | undefined;
  let index = 0;
  for (; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === "--") {
      index++;
      break;
    }
    const flag = FLAGS[arg];
    if (flag) flag(flags);
    else if (arg.startsWith("-")) throw new RunUsageError(`Unknown option '${arg}' for automemo run.`);
    else if (script === undefined) script = arg;
    else break;
  }
  if (script === undefined) {
    if (index >= args.length) throw new RunUsageError("automemo run needs the script to run.");
    script = args[index++]!;
  }
  return { script, scriptArgs: args.slice(index), ...flags };
}
