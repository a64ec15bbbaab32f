/**
 * `automemo/bun/register`: the automemo transform for `bun run` and `bun test`, as a Bun
 * runtime plugin. Preload it from bunfig.toml:
 *
 * @example
 * ```toml
 * preload = ["automemo/bun/register"]
 * [test]
 * preload = ["automemo/bun/register"]
 * ```
 *
 * Bun transpiles plugin output anew on every load, so each run embeds the code hashes of the
 * current files. Under `bun --watch` / `--hot`, Bun does not watch files a runtime plugin
 * loaded (oven-sh/bun#4689), so this plugin watches them, and the files their hashes were
 * computed from, itself. To restart the run it rewrites a file of its own that it loaded
 * through Bun's native loader (which Bun does watch), in a private folder: never a file of
 * the user's.
 */
import { createHash } from "node:crypto";
import { constants, lstatSync, mkdirSync, openSync, readFileSync, watch, writeSync, closeSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { AutomemoError } from "../../runtime/errors.ts";
import { mightContainTags, transformSource } from "../core/index.ts";

/** Bun checks this natively, so files outside the project or without a script extension never reach JavaScript. */
const PROJECT_SCRIPT = /^(?!.*[\\/]node_modules[\\/]).*\.[cm]?[jt]sx?$/;

type BunLoader = "js" | "jsx" | "ts" | "tsx";

function loaderFor(path: string): BunLoader {
  if (path.endsWith("x")) return path.endsWith(".tsx") ? "tsx" : "jsx";
  return /\.[cm]?ts$/.test(path) ? "ts" : "js";
}

interface BunRuntimePluginBuilder {
  onLoad(
    options: { filter: RegExp },
    callback: (args: { path: string }) => { contents: string; loader: BunLoader } | undefined,
  ): void;
}

interface BunGlobal {
  readonly main: string;
  plugin(plugin: { name: string; setup(build: BunRuntimePluginBuilder): void }): void;
}

const bun = (globalThis as { Bun?: BunGlobal }).Bun;
if (!bun) {
  throw new AutomemoError(
    "BUN_ONLY_ENTRY",
    "automemo/bun/register is a Bun preload and needs the Bun runtime; under Node use `node --import automemo/register` (see docs/bun.md).",
  );
}

const WATCH_FLAGS = new Set(["--watch", "--hot"]);

/**
 * `bun --watch` shows in `process.execArgv`; `bun test --watch` shows nowhere but in the
 * command line, which Linux exposes (elsewhere `bun test --watch` misses plugin-loaded edits).
 */
function runsUnderWatch(): boolean {
  if (process.execArgv.some((flag) => WATCH_FLAGS.has(flag))) return true;
  try {
    return readFileSync("/proc/self/cmdline", "utf8").split("\0").some((argument) => WATCH_FLAGS.has(argument));
  } catch {
    return false;
  }
}

const watching = runsUnderWatch();
/** Folder -> names watched in it; folders (not files) survive editors that save by renaming a temporary file over the original. */
const watchedNames = new Map<string, Set<string>>();

/** Writes `text` into `file` in place (Bun's watcher does not follow a rename), never through a symlink. */
function writeInPlace(file: string, text: string): void {
  const descriptor = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(descriptor, text);
  } finally {
    closeSync(descriptor);
  }
}

/** A folder only this user can write, so the restart file cannot be planted or swapped by anyone else. */
function privateFolder(): string {
  const uid = process.getuid?.();
  const folder = join(tmpdir(), `automemo-bun-watch-${uid ?? "user"}`);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const info = lstatSync(folder);
  if (!info.isDirectory() || (uid !== undefined && info.uid !== uid) || (info.mode & 0o077) !== 0) {
    throw new AutomemoError(
      "UNSAFE_WATCH_FOLDER",
      `${folder} is not a private folder of this user (a symlink, another owner, or writable by others), so bun --watch cannot restart through it. Remove it, or run without --watch.`,
    );
  }
  return folder;
}

let restartFile: string | undefined;

/** Loads the restart file natively, so that Bun watches it. */
function loadRestartFile(): void {
  const entryKey = createHash("sha256").update(bun!.main).digest("hex").slice(0, 16);
  restartFile = join(privateFolder(), `${entryKey}.cjs`);
  writeInPlace(restartFile, "module.exports = 0;\n");
  createRequire(import.meta.url)(restartFile);
}

function restartRun(): void {
  writeInPlace(restartFile!, `module.exports = ${Date.now()};\n`);
}

function watchForRestart(files: readonly string[]): void {
  for (const file of files) {
    const folder = dirname(file);
    let names = watchedNames.get(folder);
    if (!names) {
      const watchedHere = new Set<string>();
      names = watchedHere;
      watchedNames.set(folder, watchedHere);
      watch(folder, { persistent: false }, (_event, name) => {
        if (name !== null && watchedHere.has(String(name))) restartRun();
      });
    }
    names.add(basename(file));
  }
}

if (watching) loadRestartFile();

bun.plugin({
  name: "automemo",
  setup(build) {
    build.onLoad({ filter: PROJECT_SCRIPT }, ({ path }) => {
      const source = readFileSync(path, "utf8");
      const loader = loaderFor(path);
      if (watching && path !== bun.main) watchForRestart([path]);
      if (!mightContainTags(source)) return { contents: source, loader };
      const result = transformSource(source, { filename: path, root: process.cwd(), sourceMap: true });
      if (!result) return { contents: source, loader };
      if (watching) watchForRestart(result.dependencyFiles);
      // Bun reads inline maps from plugin output, so stack traces point into the original file.
      const map = Buffer.from(JSON.stringify(result.map)).toString("base64");
      return { contents: `${result.code}\n//# sourceMappingURL=data:application/json;base64,${map}\n`, loader };
    });
  },
});
