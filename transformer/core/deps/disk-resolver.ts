import { posix } from "node:path";
import { type FileStamp, isFile, readStampedText, sameStamp, statPath } from "./file-reads.ts";
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
  return readStampedText(path)?.text;
}

/**
 * A file written this recently before it was read may be written again without
 * its stamp changing (file systems tick their clocks coarsely, some by seconds):
 * its text is compared again on the next check, as git does with "racily clean" files.
 */
const RACY_MS = 2000;

/** The latest time the file's content or inode changed. */
function changedAt(stamp: FileStamp): number {
  return Math.max(stamp.mtimeMs, stamp.ctimeMs);
}

interface CachedText {
  /** Of the descriptor the text was read from. */
  readonly stamp: FileStamp;
  readonly text: string;
  /** Written within RACY_MS of being read: its stamp does not vouch for its text. */
  readonly racy: boolean;
}

/**
 * The default resolver (Babel, bundlers, Node loader): relative imports with
 * TypeScript's extension rules, `paths` / `baseUrl` from the nearest tsconfig.json,
 * packages by walking `node_modules`. Every answer is checked against the disk with
 * a stat or, for a text read afresh, an fstat of the descriptor it is read from (file
 * texts per inode/size/mtime/ctime, tsconfig per mtime/size, a cached
 * relative resolution until its file cannot be read), so edits between builds are seen. Not
 * seen without a new resolver: a new file that would shadow an earlier resolution
 * (`x.ts` created beside the `x.js` an import resolved to).
 *
 * @example
 * planModule(code, { filename, root, dependencies: createDiskResolver() });
 */
export function createDiskResolver(): DependencyResolver {
  const nearestConfig = new Map<string, string | null>();
  // A mapping with the files it was read from (the config and every config it extends)
  // and their texts: reused while `readFile` hands back the same strings (it does while a
  // file is unchanged), so an edit to any of them is seen.
  const configs = new Map<string, { reads: [path: string, text: string | undefined][]; mapping: PathMapping | null }>();

  const configFor = (fromFile: string): PathMapping | null => {
    const dir = posix.dirname(fromFile);
    let configPath = nearestConfig.get(dir);
    if (configPath === undefined) {
      configPath = findUp(dir, "tsconfig.json");
      nearestConfig.set(dir, configPath);
    }
    if (!configPath) return null;
    const cached = configs.get(configPath);
    if (cached?.reads.every(([path, text]) => readFile(path) === text)) return cached.mapping;
    const reads: [string, string | undefined][] = [];
    const mapping = readPathMapping(configPath, (path) => {
      const text = readFile(path);
      reads.push([path, text]);
      return text;
    });
    configs.set(configPath, { reads, mapping });
    return mapping;
  };

  // Each build session reads a dependency once: keep texts per (inode, size, mtime,
  // ctime), checked with one stat, so edits are still seen (racy ones by content).
  const texts = new LruMap<string, CachedText>(2000);
  // Relative imports found before, reused until reading the file they led to fails
  // (then the import resolves afresh: `x.ts` deleted, `x.js` left).
  const relativeFiles = new LruMap<string, string>(5000);
  const forgetResolutionsTo = new Map<string, string[]>();
  const unreadable = (path: string): undefined => {
    for (const key of forgetResolutionsTo.get(path) ?? []) relativeFiles.delete(key);
    forgetResolutionsTo.delete(path);
    return undefined;
  };
  // Every read takes its own stat: reusing the one a resolution made saved a syscall but,
  // when no read followed that resolution, a later read (after an edit) got the old stamp.
  // A known text is checked with a stat; any other read stamps the file with fstat on the
  // descriptor it reads from (no stat of its own, and no edit can fall between the two).
  const readFile = (path: string): string | undefined => {
    const cached = texts.get(path);
    if (cached !== undefined && !cached.racy) {
      const stats = statPath(path);
      if (!stats?.isFile()) return unreadable(path);
      if (sameStamp(cached.stamp, stats)) return cached.text;
    }
    // Taken before the fstat: an edit made in between then makes the text racy, never trusted.
    const readAt = Date.now();
    const read = readStampedText(path);
    if (read === undefined) return unreadable(path);
    // An unchanged text keeps its string, so the parsed file cached for it stays valid.
    const text = read.text === cached?.text ? cached.text : read.text;
    texts.set(path, { stamp: read.stamp, text, racy: readAt - changedAt(read.stamp) < RACY_MS });
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
          const keys = forgetResolutionsTo.get(file);
          if (keys) keys.push(key);
          else forgetResolutionsTo.set(file, [key]);
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
