/**
 * In-thread, synchronous module hooks (`module.registerHooks`, Node 22.15+ / 23.5+), used
 * wherever Node has them: they see `import` and `require()` alike, report project files to `automemo run --watch` by a plain call,
 * and run in the main thread, whose exit event saves what dependency tracking learned.
 * Node 26 deprecates the hooks-thread `module.register` these replace (DEP0205).
 */
import Module from "node:module";
import { isProjectScript, isTypeScriptUrl, loadTypeScript, transformJavaScript, withRerunMarker, type ProjectFilesListener } from "./project-modules.ts";
import { isRelativeSpecifier, typeScriptCandidates } from "./specifiers.ts";

interface ResolveContext {
  readonly parentURL?: string;
  readonly conditions?: readonly string[];
}
interface Resolved {
  readonly url: string;
  readonly format?: string | null;
}
interface LoadContext {
  readonly format?: string | null;
}
interface Loaded {
  readonly format?: string | null;
  readonly source?: string | ArrayBuffer | ArrayBufferView | null;
}
interface SyncHooks {
  resolve(specifier: string, context: ResolveContext, nextResolve: (specifier: string, context?: ResolveContext) => Resolved): Resolved;
  load(url: string, context: LoadContext, nextLoad: (url: string, context?: LoadContext) => Loaded): Loaded & { shortCircuit?: boolean };
}
type RegisterHooks = (hooks: SyncHooks) => unknown;

/** `module.registerHooks` where this Node has it. */
export function syncHooksRegistrar(): RegisterHooks | undefined {
  return (Module as unknown as { registerHooks?: RegisterHooks }).registerHooks;
}

function resolveFirst(candidates: string[], context: ResolveContext, nextResolve: (specifier: string, context?: ResolveContext) => Resolved) {
  for (const candidate of candidates) {
    try {
      return nextResolve(candidate, context);
    } catch {
      // not this spelling; try the next one
    }
  }
  return undefined;
}

function sourceText(source: Loaded["source"]): string | null {
  if (source == null) return null;
  return typeof source === "string" ? source : Buffer.from(source as ArrayBuffer).toString("utf8");
}

export function registerSyncHooks(registerHooks: RegisterHooks, onProjectFiles?: ProjectFilesListener): void {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      let resolved;
      try {
        resolved = nextResolve(specifier, context);
      } catch (error) {
        if (!isRelativeSpecifier(specifier) || !context.parentURL?.startsWith("file:")) throw error;
        resolved = resolveFirst(typeScriptCandidates(specifier), context, nextResolve);
        if (!resolved) throw error;
      }
      const url = withRerunMarker(resolved.url, context.parentURL);
      return url === resolved.url ? resolved : { ...resolved, url };
    },
    load(url, context, nextLoad) {
      if (!isProjectScript(url)) return nextLoad(url, context);
      if (isTypeScriptUrl(url)) return { ...loadTypeScript(url, onProjectFiles), shortCircuit: true };
      const loaded = nextLoad(url, context);
      if (loaded.format !== "module" && loaded.format !== "commonjs") return loaded;
      const compiled = transformJavaScript(url, loaded.format, sourceText(loaded.source), onProjectFiles);
      return compiled ? { ...compiled, shortCircuit: true } : loaded;
    },
  });
}
