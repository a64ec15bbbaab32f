import { readFileSync, statSync } from "node:fs";
import { posix } from "node:path";
import { LruMap } from "./lru.ts";
import { type DependencyResolver, builtinName, findInstalledPackage, isRelativeSpecifier, normalizePath, packageNameOf, type ResolvedImport } from "./resolver.ts";
import { type PathMapping, pathCandidates, readPathMapping } from "./tsconfig.ts";

/** TypeScript lets `./x.js` name `./x.ts`: the source extensions each emitted extension may stand for. */
const SOURCE_FOR_EMITTED: Readonly<Record<string, readonly string[]>> = {
  ".js": [".ts", ".tsx"],
  ".jsx": [".tsx"],
  ".mjs": [".mts"],
  ".cjs": [".cts"],
};
const EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];

function readTextFile(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * A file written this recently before it was read may be written again without
 * its stamp changing (file systems tick their clocks coarsely, some by seconds):
 * its text is compared again on the next check, as git does with "racily clean" files.
 */
const RACY_MS = 2000;

interface FileStamp {
  readonly id: string;
  readonly changedAt: number;
}

/** Identifies one version of a file on disk without reading it; null when it is gone. */
function fileStamp(path: string): FileStamp | null {
  const stats = statSync(path, { throwIfNoEntry: false });
  return stats?.isFile() ? { id: `${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`, changedAt: Math.max(stats.mtimeMs, stats.ctimeMs) } : null;
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

/**
 * The default resolver (Babel, bundlers, Node loader): relative imports with
 * TypeScript's extension rules, `paths` / `baseUrl` from the nearest tsconfig.json,
 * packages by walking `node_modules`. Every answer is checked against the disk with
 * a stat (file texts per inode/size/mtime/ctime, tsconfig per mtime/size, a cached
 * relative resolution until its file cannot be read), so edits between builds are seen. Not
 * seen without a new resolver: a new file that would shadow an earlier resolution
 * (`x.ts` created beside the `x.js` an import resolved to).
 *
 * @example
 * planModule(code, { filename, root, dependencies: createDiskResolver() });
 */
export function createDiskResolver(): DependencyResolver {
  const nearestConfig = new Map<string, string | null>();
  const configs = new Map<string, { stamp: string; mapping: PathMapping | null }>();

  const configFor = (fromFile: string): PathMapping | null => {
    const dir = posix.dirname(fromFile);
    let configPath = nearestConfig.get(dir);
    if (configPath === undefined) {
      configPath = findUp(dir, "tsconfig.json");
      nearestConfig.set(dir, configPath);
    }
    if (!configPath) return null;
    const stats = statSync(configPath, { throwIfNoEntry: false });
    const stamp = stats ? `${stats.mtimeMs}:${stats.size}` : "missing";
    const cached = configs.get(configPath);
    if (cached?.stamp === stamp) return cached.mapping;
    const mapping = readPathMapping(configPath, readTextFile);
    configs.set(configPath, { stamp, mapping });
    return mapping;
  };

  // Each build session reads a dependency once: keep texts per (inode, size, mtime,
  // ctime), checked with one stat, so edits are still seen (racy ones by content).
  const texts = new LruMap<string, { stamp: string; text: string; racy: boolean }>(2000);
  // Relative imports found before, reused until reading the file they led to fails
  // (then the import resolves afresh: `x.ts` deleted, `x.js` left).
  const relativeFiles = new LruMap<string, string>(5000);
  const forgetResolutionsTo = new Map<string, string[]>();
  // Every read takes its own stat: reusing the one a resolution made saved a syscall but,
  // when no read followed that resolution, a later read (after an edit) got the old stamp.
  const readFile = (path: string): string | undefined => {
    const stamp = fileStamp(path);
    if (stamp === null) {
      for (const key of forgetResolutionsTo.get(path) ?? []) relativeFiles.delete(key);
      forgetResolutionsTo.delete(path);
      return undefined;
    }
    const cached = texts.get(path);
    if (cached?.stamp === stamp.id && !cached.racy) return cached.text;
    const readAt = Date.now();
    const read = readTextFile(path);
    // An unchanged text keeps its string, so the parsed file cached for it stays valid.
    const text = read === cached?.text ? cached?.text : read;
    if (text !== undefined) texts.set(path, { stamp: stamp.id, text, racy: readAt - stamp.changedAt < RACY_MS });
    return text;
  };

  return {
    readFile,
    resolve(specifier, fromFile): ResolvedImport | null {
      const from = normalizePath(fromFile);
      const builtin = builtinName(specifier);
      if (builtin) return { kind: "builtin", name: builtin };
      if (isRelativeSpecifier(specifier)) {
        const key = `${posix.dirname(from)}\u0000${specifier}`;
        const known = relativeFiles.get(key);
        if (known !== undefined) return { kind: "file", path: known };
        const file = resolveSourceFile(posix.resolve(posix.dirname(from), specifier));
        if (file) {
          relativeFiles.set(key, file);
          forgetResolutionsTo.set(file, [...(forgetResolutionsTo.get(file) ?? []), key]);
        }
        return fileResult(file);
      }
      const mapping = configFor(from);
      if (mapping) {
        for (const candidate of pathCandidates(specifier, mapping)) {
          const file = resolveSourceFile(candidate);
          if (file) return fileResult(file);
        }
        const underBase = mapping.baseUrl ? resolveSourceFile(posix.join(mapping.baseUrl, specifier)) : null;
        if (underBase) return fileResult(underBase);
      }
      const name = packageNameOf(specifier);
      return name ? findInstalledPackage(name, from, readTextFile) : null;
    },
  };
}

function fileResult(path: string | null): ResolvedImport | null {
  return path ? { kind: "file", path } : null;
}

function findUp(dir: string, name: string): string | null {
  for (let current = dir; ; current = posix.dirname(current)) {
    const candidate = posix.join(current, name);
    if (isFile(candidate)) return candidate;
    if (posix.dirname(current) === current) return null;
  }
}

/** The file an import of `base` (absolute, extension optional) loads, preferring TypeScript sources. */
function resolveSourceFile(base: string): string | null {
  const extension = posix.extname(base);
  const stem = base.slice(0, base.length - extension.length);
  for (const source of SOURCE_FOR_EMITTED[extension] ?? []) if (isFile(stem + source)) return stem + source;
  if (extension && isFile(base)) return base;
  for (const candidate of EXTENSIONS) if (isFile(base + candidate)) return base + candidate;
  for (const candidate of EXTENSIONS) if (isFile(`${base}/index${candidate}`)) return `${base}/index${candidate}`;
  return null;
}
