/**
 * Node module hooks (`module.register`) behind `node --import automemo/register`.
 * They run on Node's hooks thread: `resolve` lets TS users' specifiers work (`./util.js`
 * or `./util` finding `./util.ts`) and carries the `automemo run --watch` rerun marker
 * to project modules; `load` compiles project files (see compile.ts).
 */
import { readFile } from "node:fs/promises";
import type { InitializeHook, LoadHook, ResolveHook } from "node:module";
import { fileURLToPath } from "node:url";
import type { MessagePort } from "node:worker_threads";
import { SCRIPT_FILE, TYPESCRIPT_FILE, compileForNode, typeScriptModuleKind } from "./compile.ts";
import { RERUN_PARAM, isRelativeSpecifier, typeScriptCandidates } from "./specifiers.ts";

/** automemo's own build: never transformed (its doc comments mention the tags) and never re-evaluated (its registry must survive reruns). */
const OWN_FOLDER = new URL(".", import.meta.url).href;

function isProjectScript(url: string): boolean {
  if (!url.startsWith("file:") || url.startsWith(OWN_FOLDER) || url.includes("/node_modules/")) return false;
  return SCRIPT_FILE.test(new URL(url).pathname);
}

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

let projectFiles: MessagePort | undefined;

export const initialize: InitializeHook<HooksData | undefined> = (data) => {
  projectFiles = data?.projectFiles;
};

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  let resolved;
  try {
    resolved = await nextResolve(specifier, context);
  } catch (error) {
    if (!isRelativeSpecifier(specifier) || !context.parentURL?.startsWith("file:")) throw error;
    resolved = await resolveFirst(typeScriptCandidates(specifier), context, nextResolve);
    if (!resolved) throw error;
  }
  const rerun = context.parentURL?.startsWith("file:") ? new URL(context.parentURL).searchParams.get(RERUN_PARAM) : null;
  if (rerun === null || !isProjectScript(resolved.url)) return resolved;
  const url = new URL(resolved.url);
  url.searchParams.set(RERUN_PARAM, rerun);
  return { ...resolved, url: url.href };
};

export const load: LoadHook = async (url, context, nextLoad) => {
  if (!isProjectScript(url)) return nextLoad(url, context);
  const filename = fileURLToPath(url);

  if (TYPESCRIPT_FILE.test(filename)) {
    const format = typeScriptModuleKind(filename);
    const compiled = compileForNode(await readFile(filename, "utf8"), filename, format)!;
    projectFiles?.postMessage([filename, ...compiled.dependencyFiles]);
    return { format, source: compiled.code, shortCircuit: true };
  }
  const loaded = await nextLoad(url, context);
  if (loaded.format !== "module" && loaded.format !== "commonjs") return loaded;
  // CommonJS comes back without source (Node would read it itself), so read it here.
  const source = loaded.source == null ? await readFile(filename, "utf8") : String(loaded.source);
  const compiled = compileForNode(source, filename, loaded.format);
  projectFiles?.postMessage([filename, ...(compiled?.dependencyFiles ?? [])]);
  return compiled === null ? loaded : { format: loaded.format, source: compiled.code, shortCircuit: true };
};
