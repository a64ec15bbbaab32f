/**
 * What the Node loader does to one project file, shared by the module hooks (ESM and
 * CommonJS reached through `import`) and the `require` extension: apply the automemo
 * transform, strip types from TS, and inline one source map composed back to the
 * original file, so stack traces show `.ts` positions.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import remapping, { type SourceMapInput } from "@jridgewell/remapping";
import { transformSource } from "../core/index.ts";
import { stripTypes, type ModuleKind } from "./strip-types.ts";

export const SCRIPT_FILE = /\.[cm]?[jt]sx?$/;
export const TYPESCRIPT_FILE = /\.[cm]?tsx?$/;

const packageTypes = new Map<string, ModuleKind>();

/** `.ts` follows the nearest package.json `type`, like `.js` does. */
function packageModuleKind(folder: string): ModuleKind {
  const known = packageTypes.get(folder);
  if (known) return known;
  let kind: ModuleKind;
  try {
    const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as { type?: string };
    kind = manifest.type === "module" ? "module" : "commonjs";
  } catch {
    const parent = dirname(folder);
    kind = parent === folder ? "commonjs" : packageModuleKind(parent);
  }
  packageTypes.set(folder, kind);
  return kind;
}

export function typeScriptModuleKind(filename: string): ModuleKind {
  if (/\.mtsx?$/.test(filename)) return "module";
  if (/\.ctsx?$/.test(filename)) return "commonjs";
  return packageModuleKind(dirname(filename));
}

/** Maps are listed from the final output back to the original; the result's single source is the original file. */
function withInlineMap(code: string, maps: SourceMapInput[], filename: string, original: string): string {
  const composed = remapping(maps, () => null);
  composed.sources = [pathToFileURL(filename).href];
  composed.sourcesContent = [original];
  return `${code}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(composed.toString()).toString("base64")}\n`;
}

export interface CompiledModule {
  readonly code: string;
  /** The other project files the embedded code hashes were computed from (a watcher reruns when they change). */
  readonly dependencyFiles: readonly string[];
}

/**
 * The JavaScript Node should run for a project file, or null when a JavaScript file
 * needs no change. TypeScript is always compiled (to `kind` module syntax).
 */
export function compileForNode(source: string, filename: string, kind: ModuleKind): CompiledModule | null {
  const transformed = transformSource(source, { filename, root: process.cwd(), sourceMap: true });
  const transformedMap = transformed?.map as SourceMapInput | undefined;
  const dependencyFiles = transformed?.dependencyFiles ?? [];
  if (!TYPESCRIPT_FILE.test(filename)) {
    return transformed && { code: withInlineMap(transformed.code, [transformedMap!], filename, source), dependencyFiles };
  }
  const stripped = stripTypes(transformed?.code ?? source, filename, kind);
  // A stripper that kept every position (Node's) adds no map of its own.
  const maps = [stripped.map, transformedMap].filter((map): map is SourceMapInput => map != null);
  if (maps.length === 0) return { code: stripped.code, dependencyFiles };
  return { code: withInlineMap(stripped.code, maps, filename, source), dependencyFiles };
}
