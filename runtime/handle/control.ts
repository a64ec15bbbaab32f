/**
 * The control API: `clear`, `clearAll`, `stats`. They accept a cached function
 * (a by-hand wrapper, or a transformed function bound with `bindFunction`) or a
 * function id, and work across every runtime copy of the process.
 */
import { UnknownFunctionError } from "../errors.ts";
import { announce } from "../fleet/fleet.ts";
import { publishInvalidate } from "../observe/channels.ts";
import type { ExplainedMiss } from "./explain.ts";
import { sharedRuntime, type AnyFunction, type CacheStats, type RegisteredHandle } from "./shared.ts";

/** A cached function, or its id (`"src/db.ts#loadRows"`). */
export type CachedFunctionRef = AnyFunction | string;

export function findHandle(target: CachedFunctionRef, operation: string): RegisteredHandle {
  const shared = sharedRuntime();
  const handle = typeof target === "string" ? shared.handles.get(target) : typeof target === "function" ? shared.byFunction.get(target) : undefined;
  if (handle !== undefined) return handle;
  const what =
    typeof target === "string" ? `the id ${JSON.stringify(target)}` : typeof target === "function" ? `function ${target.name || "(anonymous)"}` : `a ${typeof target}`;
  throw new UnknownFunctionError({ what, operation });
}

export async function clearFunction(target: CachedFunctionRef, args: readonly unknown[]): Promise<void> {
  const handle = findHandle(target, args.length === 0 ? "clear(fn)" : "clear(fn, ...args)");
  await (args.length === 0 ? handle.clear() : handle.clearCall(args));
  publishInvalidate({ id: handle.id, scope: args.length === 0 ? "function" : "call", source: "local" });
}

export async function clearEverything(): Promise<void> {
  const handles = [...sharedRuntime().handles.values()];
  // One message for the fleet rather than one per function.
  await Promise.all(handles.map((handle) => handle.clear(true, false)));
  await announce({ kind: "clear-all" }, handles.map((handle) => handle.stats().store));
  publishInvalidate({ id: null, scope: "all", source: "local" });
}

/** `explain(fn)`: the recent explained misses (a handle of an older runtime copy has none). */
export function explainFunction(target: CachedFunctionRef): ExplainedMiss[] {
  const handle = findHandle(target, "explain(fn)") as RegisteredHandle & { explainMisses?(): ExplainedMiss[] };
  return handle.explainMisses?.() ?? [];
}

/** Totals over every cached function, with the numbers of each function by id. */
export interface TotalStats extends CacheStats {
  readonly functions: Readonly<Record<string, CacheStats>>;
}

export function statsOf(target: CachedFunctionRef): CacheStats {
  return findHandle(target, "stats(fn)").stats();
}

export function totalStats(): TotalStats {
  const functions: Record<string, CacheStats> = {};
  const total: CacheStats = { hits: 0, misses: 0, entries: 0, bytes: 0, evictions: 0, storeHits: 0, computeMs: 0, errors: 0, staleHits: 0, refreshes: 0, refreshErrors: 0 };
  for (const [id, handle] of sharedRuntime().handles) {
    const stats = handle.stats();
    functions[id] = stats;
    total.hits += stats.hits;
    total.misses += stats.misses;
    total.entries += stats.entries;
    total.bytes += stats.bytes;
    total.evictions += stats.evictions;
    // Handles of an older runtime copy in the process may not count these.
    total.storeHits += stats.storeHits ?? 0;
    total.computeMs += stats.computeMs ?? 0;
    total.errors += stats.errors ?? 0;
    total.staleHits! += stats.staleHits ?? 0;
    total.refreshes! += stats.refreshes ?? 0;
    total.refreshErrors! += stats.refreshErrors ?? 0;
  }
  return { ...total, functions };
}
