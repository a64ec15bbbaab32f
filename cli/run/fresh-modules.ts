/**
 * What a `--watch` rerun does so the project's modules evaluate afresh. ES modules cannot
 * be unloaded: the rerun imports the entry with a new `?automemo-rerun=N` marker, which
 * the loader's resolve hook copies to every project module the entry reaches. CommonJS
 * modules are cached by file name, whatever the URL says (a marker alone re-ran nothing:
 * the rerun printed nothing and called no cached function), so the project's entries
 * leave `require.cache` first. Packages and automemo itself stay: the runtime's registry
 * must survive, so unchanged functions keep their cached results.
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { isProjectScript } from "../../transformer/loader/project-modules.ts";
import { RERUN_PARAM } from "../../transformer/loader/specifiers.ts";

const requireCache = createRequire(import.meta.url).cache;

/** The URL to import for run `generation` (0: the first run, with the plain URL so `import.meta.url` looks normal). */
export function freshEntryUrl(entryUrl: string, generation: number): string {
  if (generation === 0) return entryUrl;
  for (const filename of Object.keys(requireCache)) {
    if (isProjectScript(pathToFileURL(filename).href)) delete requireCache[filename];
  }
  return `${entryUrl}?${RERUN_PARAM}=${generation}`;
}
