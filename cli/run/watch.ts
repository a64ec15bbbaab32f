/**
 * Save detection for `automemo run --watch`, on chokidar: editors save by writing a
 * temporary file and renaming it over the original (vim, JetBrains, `sed -i`), or by
 * deleting and re-creating it; a watcher tied to the original file's inode (plain
 * `fs.watch`, and Node 20's recursive `fs.watch` on Linux) goes deaf after the first such
 * save. chokidar re-attaches after renames and deletes, sees files in new folders, and is
 * what most JavaScript tools watch with.
 */
import { statSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import { watch, type FSWatcher } from "chokidar";

/** Editors save in bursts (write, rename, chmod); one rerun per burst. */
const SETTLE_MS = 80;
const IGNORED_FOLDER = /(^|[\\/])(node_modules|\.git|\.automemo-cache|dist)([\\/]|$)/;
/** Sources a script can import; other files (logs, outputs the script writes) never trigger a rerun. */
const SOURCE_FILE = /\.(?:[cm]?[jt]sx?|json)$/;

function modifiedAt(file: string): number | undefined {
  return statSync(file, { throwIfNoEntry: false })?.mtimeMs;
}

export interface SaveWatcher {
  /** Resolves once the initial scan is done: saves from then on are seen. */
  readonly ready: Promise<void>;
  /**
   * Also watches these files (project modules the script loaded and the files their code
   * hashes cover) where they lie outside the watched folder; files inside it are seen already.
   */
  watchFiles(files: readonly string[]): void;
  close(): Promise<void>;
}

/**
 * Calls `onSave` with the changed, added or deleted source files after each burst of
 * saves in `folder` (recursively), ignoring dependency, VCS, cache and build folders so
 * the script's own cache writes never trigger a rerun.
 */
export function watchForSaves(folder: string, onSave: (changed: string[]) => void): SaveWatcher {
  let pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const saved = (file: string) => {
    pending.add(resolve(folder, file));
    clearTimeout(timer);
    timer = setTimeout(() => {
      const changed = [...pending];
      pending = new Set();
      onSave(changed);
    }, SETTLE_MS);
  };
  // Files outside the folder are added while the script runs, and chokidar attaches to them
  // asynchronously: a save between loading and attaching would go unseen. So their initial
  // "add" events are kept, and one counts as a save when the file changed since it was loaded.
  const outside = new Map<string, number | undefined>();
  let scanned = false;
  const watcher: FSWatcher = watch(folder, {
    ignoreInitial: false,
    ignored: (path, stats) => IGNORED_FOLDER.test(relative(folder, path)) || (stats?.isFile() === true && !SOURCE_FILE.test(path)),
  });
  const attachedUnchanged = (file: string) => outside.has(file) && outside.get(file) === modifiedAt(file);
  watcher
    .on("add", (file) => scanned && !attachedUnchanged(resolve(file)) && saved(file))
    .on("change", saved)
    .on("unlink", saved);
  const ready = new Promise<void>((done) =>
    watcher.once("ready", () => {
      scanned = true;
      done();
    }),
  );
  return {
    ready,
    watchFiles(files) {
      const added: string[] = [];
      for (const file of files.map((path) => resolve(path))) {
        if (!relative(folder, file).startsWith(`..${sep}`) || IGNORED_FOLDER.test(file)) continue;
        if (!outside.has(file)) added.push(file);
        outside.set(file, modifiedAt(file));
      }
      if (added.length > 0) watcher.add(added);
    },
    async close() {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}
