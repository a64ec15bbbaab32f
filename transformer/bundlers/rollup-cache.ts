/**
 * Rollup's `cache` option (`rollup({ cache: previousBundle.cache })`) reuses a module's
 * transform whenever the module's own text is unchanged: the files its code hashes were
 * computed from are not consulted (watch mode tracks them as watch files; a cache handed
 * to the next build does not). So the transform leaves a stamp of each of those files in
 * the module's meta, and `shouldTransformCachedModule` sends the module through the
 * transform again when one of them differs.
 */
import { statSync } from "node:fs";

/** What the transform puts in a module's `meta.automemo`: [file, stamp] per dependency file. */
export interface DependencyStampsMeta {
  readonly dependencyStamps: readonly (readonly [string, string])[];
}

const NO_THROW = { throwIfNoEntry: false } as const;

/** Size, times and inode: any write changes ctime, so an edit is seen even within one mtime tick. */
function stampOf(file: string): string {
  const stats = statSync(file, NO_THROW);
  return stats ? `${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}:${stats.ino}` : "missing";
}

export function stampDependencies(files: readonly string[]): DependencyStampsMeta {
  return { dependencyStamps: files.map((file) => [file, stampOf(file)] as const) };
}

/** Whether a file a cached module's hashes came from changed since that module was transformed. */
export function dependenciesChanged(meta: DependencyStampsMeta | undefined): boolean {
  return meta?.dependencyStamps.some(([file, stamp]) => stampOf(file) !== stamp) ?? false;
}
