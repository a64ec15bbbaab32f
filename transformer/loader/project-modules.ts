/**
 * What both flavours of module hooks do (the in-thread `module.registerHooks` ones in
 * sync-hooks.ts and the hooks-thread `module.register` ones in hooks.ts): which URLs are
 * project files, the `automemo run --watch` rerun marker, and compiling a project file.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SCRIPT_FILE, TYPESCRIPT_FILE, compileForNode, typeScriptModuleKind } from "./compile.ts";
import type { ModuleKind } from "./strip-types.ts";
import { RERUN_PARAM } from "./specifiers.ts";

/** automemo's own build: never transformed (its doc comments mention the tags) and never re-evaluated (its registry must survive reruns). */
const OWN_FOLDER = new URL(".", import.meta.url).href;

export function isProjectScript(url: string): boolean {
  if (!url.startsWith("file:") || url.startsWith(OWN_FOLDER) || url.includes("/node_modules/")) return false;
  return SCRIPT_FILE.test(new URL(url).pathname);
}

/** Copies the parent's rerun marker onto a project module's URL, so a rerun evaluates it afresh. */
export function withRerunMarker(resolvedUrl: string, parentURL: string | undefined): string {
  const rerun = parentURL?.startsWith("file:") ? new URL(parentURL).searchParams.get(RERUN_PARAM) : null;
  if (rerun === null || !isProjectScript(resolvedUrl)) return resolvedUrl;
  const url = new URL(resolvedUrl);
  url.searchParams.set(RERUN_PARAM, rerun);
  return url.href;
}

/** Receives a project file that was loaded, followed by the files its code hashes cover. */
export type ProjectFilesListener = (files: readonly string[]) => void;

export interface LoadedModule {
  readonly format: ModuleKind;
  readonly source: string;
}

/** A TypeScript project file, compiled. */
export function loadTypeScript(url: string, onProjectFiles?: ProjectFilesListener): LoadedModule {
  const filename = fileURLToPath(url);
  const format = typeScriptModuleKind(filename);
  const compiled = compileForNode(readFileSync(filename, "utf8"), filename, format)!;
  onProjectFiles?.([filename, ...compiled.dependencyFiles]);
  return { format, source: compiled.code };
}

export function isTypeScriptUrl(url: string): boolean {
  return TYPESCRIPT_FILE.test(new URL(url).pathname);
}

/**
 * A JavaScript project file Node has loaded as `format` (`source` is null when Node left
 * reading a CommonJS file to its own loader): the compiled module, or null to keep Node's.
 */
export function transformJavaScript(
  url: string,
  format: ModuleKind,
  source: string | null,
  onProjectFiles?: ProjectFilesListener,
): LoadedModule | null {
  const filename = fileURLToPath(url);
  const text = source ?? readFileSync(filename, "utf8");
  const compiled = compileForNode(text, filename, format);
  onProjectFiles?.([filename, ...(compiled?.dependencyFiles ?? [])]);
  return compiled && { format, source: compiled.code };
}
