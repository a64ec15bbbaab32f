import { watch, type FSWatcher } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";

/** Editors save in bursts (write, rename, chmod); one rerun per burst. */
const SETTLE_MS = 80;
const IGNORED = /(^|[\\/])(node_modules|\.git|\.automemo-cache|dist)([\\/]|$)/;
/** Sources a script can import; other files (logs, outputs the script writes) never trigger a rerun. */
const SOURCE_FILE = /\.(?:[cm]?[jt]sx?|json)$/;

export interface SaveWatcher {
  /**
   * Also watches these files (project modules the script loaded and the files their code
   * hashes cover) where they lie outside the watched folder; files inside it are seen already.
   */
  watchFiles(files: readonly string[]): void;
  close(): void;
}

/**
 * Calls `onSave` with the changed source files after each burst of file-system events
 * in `folder` (recursively), ignoring dependency, VCS, cache and build folders so the
 * script's own cache writes never trigger a rerun.
 */
export function watchForSaves(folder: string, onSave: (changed: string[]) => void): SaveWatcher {
  let pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const saved = (file: string) => {
    pending.add(file);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const changed = [...pending];
      pending = new Set();
      onSave(changed);
    }, SETTLE_MS);
  };
  const watchers: FSWatcher[] = [
    watch(folder, { recursive: true }, (_event, name) => {
      if (name && !IGNORED.test(name) && SOURCE_FILE.test(name)) saved(join(folder, name.toString()));
    }),
  ];
  // Outside files are watched through their folder (not the file itself), which also sees
  // editors that save by writing a new file and renaming it over the old one.
  const outsideNames = new Map<string, Set<string>>();
  return {
    watchFiles(files) {
      for (const file of files.map((path) => resolve(path))) {
        const inside = relative(folder, file);
        if (!inside.startsWith("..") || IGNORED.test(file)) continue;
        const directory = dirname(file);
        let names = outsideNames.get(directory);
        if (!names) {
          const watched = (names = new Set());
          outsideNames.set(directory, watched);
          watchers.push(watch(directory, (_event, name) => name && watched.has(name.toString()) && saved(join(directory, name.toString()))));
        }
        names.add(basename(file));
      }
    },
    close() {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
