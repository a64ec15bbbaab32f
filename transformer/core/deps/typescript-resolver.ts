import { posix } from "node:path";
import { type DependencyResolver, builtinName, findInstalledPackage, normalizePath, packageNameOf, type ResolvedImport } from "./resolver.ts";

/**
 * The parts of the host's `typescript` module and `ts.Program` the resolver uses,
 * typed structurally so the core never imports TypeScript (the host passes its own copy).
 */
export interface TypeScriptModuleLike {
  resolveModuleName(
    moduleName: string,
    containingFile: string,
    compilerOptions: unknown,
    host: { fileExists(path: string): boolean; readFile(path: string): string | undefined },
  ): { resolvedModule?: { resolvedFileName: string; isExternalLibraryImport?: boolean } };
  readonly sys: { fileExists(path: string): boolean; readFile(path: string): string | undefined };
}

export interface TypeScriptProgramLike {
  getCompilerOptions(): unknown;
  getSourceFile(fileName: string): { readonly text: string } | undefined;
}

/** Runtime files a declaration file may describe, in the order the disk resolver would pick them. */
const RUNTIME_FOR_DECLARATION = [".js", ".jsx", ".mjs", ".cjs"];

/**
 * A dependency resolver for the TypeScript host: project imports resolve exactly as
 * the program resolves them (`ts.resolveModuleName` with its compiler options,
 * `paths` and all), file text comes from the program's source files. Packages and
 * built-ins are named the way the disk resolver names them, so every host computes
 * the same hashes.
 *
 * @example
 * planModule(sourceFile.text, { filename, root, dependencies: createTypeScriptDependencyResolver(ts, program) });
 */
export function createTypeScriptDependencyResolver(ts: TypeScriptModuleLike, program: TypeScriptProgramLike): DependencyResolver {
  const compilerOptions = program.getCompilerOptions();
  const readFile = (path: string): string | undefined => program.getSourceFile(path)?.text ?? ts.sys.readFile(path);
  const host = { fileExists: (path: string) => program.getSourceFile(path) !== undefined || ts.sys.fileExists(path), readFile };
  // A program never changes, so every answer can be kept for its lifetime.
  const answers = new Map<string, ResolvedImport | null>();
  const resolve = (specifier: string, fromFile: string): ResolvedImport | null => {
    const key = `${fromFile}\u0000${specifier}`;
    let answer = answers.get(key);
    if (answer === undefined) {
      answer = resolveUncached(specifier, fromFile);
      answers.set(key, answer);
    }
    return answer;
  };
  const resolveUncached = (specifier: string, fromFile: string): ResolvedImport | null => {
    const builtin = builtinName(specifier);
    if (builtin) return { kind: "builtin", name: builtin };
    const resolved = ts.resolveModuleName(specifier, fromFile, compilerOptions, host).resolvedModule;
    const packageName = packageNameOf(specifier);
    if (!resolved || resolved.isExternalLibraryImport) {
      return packageName && (!resolved || isInNodeModules(resolved.resolvedFileName)) ? findInstalledPackage(packageName, fromFile, readFile) : null;
    }
    return { kind: "file", path: runtimeFileOf(normalizePath(resolved.resolvedFileName), host.fileExists) };
  };
  return { readFile, resolve };
}

function isInNodeModules(path: string): boolean {
  return /[\\/]node_modules[\\/]/.test(path);
}

/** TypeScript may resolve `./x` to `x.d.ts` beside `x.js`; the code that runs (and the disk resolver) is `x.js`. */
function runtimeFileOf(path: string, fileExists: (path: string) => boolean): string {
  const match = /\.d\.([cm]?)ts$/.exec(path);
  if (!match) return path;
  const stem = path.slice(0, match.index);
  const candidates = match[1] ? [`.${match[1]}js`] : RUNTIME_FOR_DECLARATION;
  for (const extension of candidates) if (fileExists(stem + extension)) return stem + extension;
  return posix.normalize(path);
}
