import { isBuiltin } from "node:module";
import { posix } from "node:path";

/**
 * How the dependency hasher finds the code an import refers to. The algorithm
 * lives in the core and knows no host: the default resolver reads the disk
 * (`createDiskResolver`), the TypeScript host passes one built on the program
 * (`createTypeScriptDependencyResolver`).
 */
export type ResolvedImport =
  /** A project file: its code is hashed, per imported binding. */
  | { readonly kind: "file"; readonly path: string }
  /** An installed package: counted by name and version, never by source. */
  | {
      readonly kind: "package";
      readonly name: string;
      readonly version: string;
      /** The package.json the version was read from: hosts watch it, so a reinstall of another version is seen. */
      readonly manifest?: string;
    }
  /** A runtime built-in module (`node:fs`): counted by name. */
  | { readonly kind: "builtin"; readonly name: string };

export interface DependencyResolver {
  /** Where `specifier`, imported from the absolute path `fromFile`, leads; null when it cannot be resolved. */
  resolve(specifier: string, fromFile: string): ResolvedImport | null;
  /** The text of a project file, or undefined when it cannot be read. */
  readFile(path: string): string | undefined;
}

/** Paths as the hasher compares them: absolute, forward slashes. */
export function normalizePath(path: string): string {
  return posix.normalize(path.replaceAll("\\", "/"));
}

/** `node:fs`, `fs` and `fs/promises` are built-ins; every spelling of one counts as `node:<name>`. */
export function builtinName(specifier: string): string | null {
  if (specifier.startsWith("node:")) return specifier;
  return isBuiltin(specifier) ? `node:${specifier}` : null;
}

export function isRelativeSpecifier(specifier: string): boolean {
  return specifier === "." || specifier === ".." || specifier.startsWith("./") || specifier.startsWith("../") || specifier.startsWith("/");
}

/** `@scope/name/sub/path` => `@scope/name`; `name/sub` => `name`; null for anything that is not a package name. */
export function packageNameOf(specifier: string): string | null {
  if (isRelativeSpecifier(specifier) || specifier.startsWith("#")) return null;
  const parts = specifier.split("/");
  if (specifier.startsWith("@")) return parts.length >= 2 && parts[1] ? `${parts[0]}/${parts[1]}` : null;
  return parts[0] || null;
}

/**
 * The installed version of package `name` as Node would find it from `fromFile`:
 * the first `node_modules/<name>/package.json` walking up from the file's folder.
 */
export function findInstalledPackage(name: string, fromFile: string, readFile: (path: string) => string | undefined): ResolvedImport | null {
  let dir = posix.dirname(normalizePath(fromFile));
  for (;;) {
    if (posix.basename(dir) !== "node_modules") {
      const path = posix.join(dir, "node_modules", name, "package.json");
      const manifest = readFile(path);
      if (manifest !== undefined) return { kind: "package", name, version: versionOf(manifest), manifest: path };
    }
    const parent = posix.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function versionOf(manifest: string): string {
  try {
    const version = (JSON.parse(manifest) as { version?: unknown }).version;
    return typeof version === "string" ? version : "unversioned";
  } catch {
    return "unreadable-package-json";
  }
}
