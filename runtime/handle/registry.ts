/**
 * `cacheHandle(kind, meta)`: the handle of one function id, from the registry that
 * every runtime copy in the process shares. A module evaluated again (hot reload,
 * a rerun in one process) gets its existing handle back, entries included, when the
 * code hash, key layout and options are unchanged; otherwise the old entries are
 * dropped (singletons released) and a fresh handle replaces it.
 */
import { InvalidOptionError } from "../errors.ts";
import type { CacheKind, FunctionMeta } from "../meta.ts";
import { CacheHandle, handleSignature } from "./cache-handle.ts";
import { sharedRuntime, type RegisteredHandle } from "./shared.ts";
import { EXPLAIN_OFF, explaining } from "./explain.ts";

export function requireMeta(kind: CacheKind, meta: unknown, where: string): asserts meta is FunctionMeta {
  const id = (meta as FunctionMeta | null | undefined)?.id;
  if (typeof id === "string" && id !== "") return;
  throw new InvalidOptionError({
    option: "id",
    where,
    problem: typeof meta !== "object" || meta === null ? `expected a metadata object, got ${meta === null ? "null" : typeof meta}` : "the metadata has no id",
    fix: `Give every cached function a stable, unique id: ${kind}(fn, { id: "src/db.ts#loadRows" }).`,
  });
}

export function cacheHandle(kind: CacheKind, meta: FunctionMeta): RegisteredHandle {
  requireMeta(kind, meta, `cacheHandle("${kind}", ...)`);
  const handles = sharedRuntime().handles;
  const existing = handles.get(meta.id);
  if (existing !== undefined) {
    // A handle of an older runtime copy without settleCall cannot serve this copy's emitted code.
    if (existing.signature === handleSignature(kind, meta) && existing.settleCall !== undefined) return existing;
    handles.delete(meta.id);
    // While explaining, misses of the old version's keys are `code changed` (explain.ts); a handle of another runtime copy may not say.
    const previousKeys = explaining.mode === EXPLAIN_OFF ? undefined : (existing as { liveKeyTexts?(): Set<string> }).liveKeyTexts?.();
    // Memory only: other processes sharing the store may still run the old version.
    void existing.clear(false);
    const handle = new CacheHandle(kind, meta);
    if (previousKeys !== undefined) handle.succeed(previousKeys);
    handles.set(meta.id, handle);
    return handle;
  }
  const handle = new CacheHandle(kind, meta);
  handles.set(meta.id, handle);
  return handle;
}
