import { watch, type FSWatcher } from "node:fs";
import { join } from "node:path";

/** Editors save in bursts (write, rename, chmod); one rerun per burst. */
const SETTLE_MS = 80;
const IGNORED = /(^|[\\/])(node_modules|\.git|\.automemo-cache|dist)([\\/]|$)/;
/** Sources a script can import; other files (logs, outputs the script writes) never trigger a rerun. */
const SOURCE_FILE = /\.(?:[cm]?[jt]sx?|json)$/;

export interface SaveWatcher {
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
  const watcher: FSWatcher = watch(folder, { recursive: true }, (_event, name) => {
    if (!name || IGNORED.test(name) || !SOURCE_FILE.test(name)) return;
    pending.add(join(folder, name.toString()));
    clearTimeout(timer);
    timer = setTimeout(() => {
      const changed = [...pending];
      pending = new Set();
      onSave(changed);
    }, SETTLE_MS);
  });
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
