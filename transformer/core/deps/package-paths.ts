import { posix } from "node:path";
import { normalizePath } from "./resolver.ts";

/**
 * The first `node_modules/<specifier>` file walking up from `fromFile` (for
 * `extends: "@tsconfig/node20/tsconfig.json"`); a folder specifier gets `/tsconfig.json`.
 */
export function findInstalledPackagePath(specifier: string, fromFile: string, readFile: (path: string) => string | undefined): string | null {
  const candidates = specifier.endsWith(".json") ? [specifier] : [`${specifier}.json`, `${specifier}/tsconfig.json`];
  let dir = posix.dirname(normalizePath(fromFile));
  for (;;) {
    for (const candidate of candidates) {
      const path = posix.join(dir, "node_modules", candidate);
      if (readFile(path) !== undefined) return path;
    }
    const parent = posix.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
