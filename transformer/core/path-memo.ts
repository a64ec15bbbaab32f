import { LruMap } from "./deps/lru.ts";

/** Posix or Windows (`C:\` / `C:/`) absolute path. */
export function isAbsolutePath(path: string): boolean {
  return path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path);
}

/**
 * A path computed from (filename, root), memoized (`posix.relative` / `resolve` are a
 * noticeable part of planning a small file). A relative root resolves against the
 * working directory, which may change, so it is computed every time.
 */
export class PathMemo {
  private readonly paths = new LruMap<string, string>(4000);

  constructor(private readonly compute: (filename: string, root: string) => string) {}

  get(filename: string, root: string): string {
    if (!isAbsolutePath(root)) return this.compute(filename, root);
    const key = `${root}\u0000${filename}`;
    let path = this.paths.get(key);
    if (path === undefined) {
      path = this.compute(filename, root);
      this.paths.set(key, path);
    }
    return path;
  }
}
