import { posix } from "node:path";
import { findInstalledPackagePath } from "./package-paths.ts";

/**
 * The slice of tsconfig.json module resolution the disk resolver honours:
 * `compilerOptions.paths` and `baseUrl`, inherited through `extends` (a relative
 * path or a package's config; arrays resolve left to right, later wins). Paths
 * patterns resolve against `baseUrl` when set, else against the folder of the
 * config that declares `paths` (TypeScript 4.1+ behaviour).
 */
export interface PathMapping {
  /** Absolute folder bare specifiers are tried against, or null. */
  readonly baseUrl: string | null;
  /** Absolute folder `paths` substitutions are relative to. */
  readonly pathsBase: string;
  readonly paths: Readonly<Record<string, readonly string[]>> | null;
}

type ReadFile = (path: string) => string | undefined;

interface RawCompilerOptions {
  baseUrl?: unknown;
  paths?: unknown;
}

/** Reads `configPath` and the configs it extends; null when it cannot be read or parsed. */
export function readPathMapping(configPath: string, readFile: ReadFile, seen: Set<string> = new Set()): PathMapping | null {
  if (seen.has(configPath)) return null;
  seen.add(configPath);
  const text = readFile(configPath);
  if (text === undefined) return null;
  let config: { extends?: unknown; compilerOptions?: RawCompilerOptions };
  try {
    config = JSON.parse(stripJsonComments(text)) as typeof config;
  } catch {
    return null;
  }
  const dir = posix.dirname(configPath);
  let inherited: PathMapping | null = null;
  const parents = typeof config.extends === "string" ? [config.extends] : Array.isArray(config.extends) ? config.extends : [];
  for (const parent of parents) {
    if (typeof parent !== "string") continue;
    const parentPath = extendedConfigPath(parent, dir, readFile);
    const mapping = parentPath ? readPathMapping(parentPath, readFile, seen) : null;
    if (mapping) inherited = mergeMappings(inherited, mapping);
  }
  const options = config.compilerOptions ?? {};
  const own: { baseUrl?: string; paths?: Record<string, string[]>; pathsBase?: string } = {};
  if (typeof options.baseUrl === "string") own.baseUrl = posix.resolve(dir, options.baseUrl);
  if (isPathsRecord(options.paths)) {
    own.paths = options.paths;
    own.pathsBase = own.baseUrl ?? inherited?.baseUrl ?? dir;
  }
  const baseUrl = own.baseUrl ?? inherited?.baseUrl ?? null;
  return {
    baseUrl,
    paths: own.paths ?? inherited?.paths ?? null,
    // An own baseUrl re-bases inherited paths too, as in TypeScript.
    pathsBase: own.pathsBase ?? (own.baseUrl ?? inherited?.pathsBase ?? dir),
  };
}

function mergeMappings(earlier: PathMapping | null, later: PathMapping): PathMapping {
  if (!earlier) return later;
  return {
    baseUrl: later.baseUrl ?? earlier.baseUrl,
    paths: later.paths ?? earlier.paths,
    pathsBase: later.paths ? later.pathsBase : earlier.pathsBase,
  };
}

function isPathsRecord(value: unknown): value is Record<string, string[]> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((targets) => Array.isArray(targets) && targets.every((target) => typeof target === "string"));
}

function extendedConfigPath(specifier: string, fromDir: string, readFile: ReadFile): string | null {
  if (specifier.startsWith(".") || specifier.startsWith("/")) {
    const path = posix.resolve(fromDir, specifier);
    return path.endsWith(".json") ? path : `${path}.json`;
  }
  const packagePath = findInstalledPackagePath(specifier, posix.join(fromDir, "tsconfig.json"), readFile);
  return packagePath;
}

/**
 * The candidate paths `specifier` maps to through `paths`: exact patterns first,
 * then the wildcard pattern with the longest prefix, as TypeScript picks them.
 */
export function pathCandidates(specifier: string, mapping: PathMapping): string[] {
  if (!mapping.paths) return [];
  let best: { pattern: string; captured: string } | null = null;
  for (const pattern of Object.keys(mapping.paths)) {
    const star = pattern.indexOf("*");
    if (star === -1) {
      if (pattern === specifier) {
        best = { pattern, captured: "" };
        break;
      }
      continue;
    }
    const prefix = pattern.slice(0, star);
    const suffix = pattern.slice(star + 1);
    const matches = specifier.length >= prefix.length + suffix.length && specifier.startsWith(prefix) && specifier.endsWith(suffix);
    if (matches && (!best || prefix.length > best.pattern.indexOf("*"))) {
      best = { pattern, captured: specifier.slice(prefix.length, specifier.length - suffix.length) };
    }
  }
  if (!best) return [];
  return mapping.paths[best.pattern]!.map((target) => posix.resolve(mapping.pathsBase, target.replace("*", best.captured)));
}

/** tsconfig files are JSONC: drop comments and trailing commas, leaving strings untouched. */
export function stripJsonComments(text: string): string {
  let out = "";
  let index = 0;
  while (index < text.length) {
    const char = text[index]!;
    if (char === '"') {
      const end = stringEnd(text, index);
      out += text.slice(index, end);
      index = end;
    } else if (char === "/" && text[index + 1] === "/") {
      while (index < text.length && text[index] !== "\n") index++;
    } else if (char === "/" && text[index + 1] === "*") {
      const close = text.indexOf("*/", index + 2);
      index = close === -1 ? text.length : close + 2;
    } else if (char === "," && isClosingBracket(text[nextSignificant(text, index + 1)])) {
      index++;
    } else {
      out += char;
      index++;
    }
  }
  return out;
}

function stringEnd(text: string, open: number): number {
  let index = open + 1;
  while (index < text.length && text[index] !== '"') index += text[index] === "\\" ? 2 : 1;
  return index + 1;
}

function isClosingBracket(char: string | undefined): boolean {
  return char === "}" || char === "]";
}

/** Index of the next character that is neither whitespace nor inside a comment. */
function nextSignificant(text: string, from: number): number {
  let index = from;
  while (index < text.length) {
    if (/\s/.test(text[index]!)) index++;
    else if (text.startsWith("//", index)) index = text.indexOf("\n", index) === -1 ? text.length : text.indexOf("\n", index);
    else if (text.startsWith("/*", index)) index = text.indexOf("*/", index + 2) === -1 ? text.length : text.indexOf("*/", index + 2) + 2;
    else break;
  }
  return index;
}
