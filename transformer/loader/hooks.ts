/**
 * Hooks-thread module hooks (`module.register`), for Node versions without
 * `module.registerHooks` (Node 20, 22 before 22.15): `resolve` lets TS users' specifiers
 * work (`./util.js` or `./util` finding `./util.ts`) and carries the `automemo run --watch`
 * rerun marker to project modules; `load` compiles project files (project-modules.ts).
 */
import type { InitializeHook, LoadHook, ResolveHook } from "node:module";
import type { MessagePort } from "node:worker_threads";
import { saveDependencyCaches } from "../core/index.ts";
import { isProjectScript, isTypeScriptUrl, loadTypeScript, transformJavaScript, withRerunMarker, type ProjectFilesListener } from "./project-modules.ts";
import { isRelativeSpecifier, typeScriptCandidates } from "./specifiers.ts";

type ResolveContext = Parameters<ResolveHook>[1];
type NextResolve = Parameters<ResolveHook>[2];

async function resolveFirst(candidates: string[], context: ResolveContext, nextResolve: NextResolve) {
  for (const candidate of candidates) {
    try {
      return await nextResolve(candidate, context);
    } catch {
      // not this spelling; try the next one
    }
  }
  return undefined;
}

/** What `register` hands these hooks (see install.ts). */
export interface HooksData {
  /** Where to post, for each project file loaded, `[file, ...files its code hashes cover]` (`automemo run --watch` watches them). */
  readonly projectFiles?: MessagePort;
}

let reportProjectFiles: ProjectFilesListener | undefined;

export const initialize: InitializeHook<HooksData | undefined> = (data) => {
  const port = data?.projectFiles;
  if (port) reportProjectFiles = (files) => port.postMessage(files);
};

/**
 * This thread gets no exit event: what dependency tracking learned is saved shortly after
 * the last module is compiled instead (a script that ends within that time saves nothing,
 * and its next run computes it again). Node 22.15+ runs the in-thread hooks, which save at exit.
 */
const SAVE_AFTER_MS = 25;
let saveTimer: ReturnType<typeof setTimeout> | null = null;

function saveSoon(): void {
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    saveTimer = null;
    saveDependencyCaches();
  }, SAVE_AFTER_MS);
  saveTimer.unref?.();
}

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  let resolved;
  try {
    resolved = await nextResolve(specifier, context);
  } catch (error) {
    if (!isRelativeSpecifier(specifier) || !context.parentURL?.startsWith("file:")) throw error;
    resolved = await resolveFirst(typeScriptCandidates(specifier), context, nextResolve);
    if (!resolved) throw error;
  }
  const url = withRerunMarker(resolved.url, context.parentURL);
  return url === resolved.url ? resolved : { ...resolved, url };
};

export const load: LoadHook = async (url, context, nextLoad) => {
  if (!isProjectScript(url)) return nextLoad(url, context);
  if (isTypeScriptUrl(url)) {
    const loaded = loadTypeScript(url, reportProjectFiles);
    saveSoon();
    return { ...loaded, shortCircuit: true };
  }
  const loaded = await nextLoad(url, context);
  if (loaded.format !== "module" && loaded.format !== "commonjs") return loaded;
  // CommonJS comes back without source (Node would read it itself); it is read then.
  const compiled = transformJavaScript(url, loaded.format, loaded.source == null ? null : String(loaded.source), reportProjectFiles);
  if (!compiled) return loaded;
  saveSoon();
  return { ...compiled, shortCircuit: true };
};
