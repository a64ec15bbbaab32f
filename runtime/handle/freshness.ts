/**
 * Freshness past `ttl` (RFC 5861's stale-while-revalidate and stale-if-error, per function):
 * what an expired entry may still be used for. `staleWhileRevalidate`: a call answers the
 * stale value at once and one background refresh per key replaces it. `staleIfError`: a
 * recomputation that fails answers the stale value instead of the error. Both deliberately
 * relax "a hit is indistinguishable from running the function": for that window a caller
 * may get the previous result. The grace is held by the memory tier: stores keep entries
 * for `ttl` as before, so a process that never held the value computes as usual.
 */
import { coarseNow } from "./clock.ts";
import type { Entry } from "./entry.ts";

/** Expired past every grace: an ordinary miss. */
const GONE = 0;
/** Within staleWhileRevalidate: answer it, refresh in the background. */
export const SERVE_STALE = 1;
/** Within staleIfError only: recompute, and answer it if that fails. */
export const KEEP_FOR_ERRORS = 2;

/** What the expired `entry` may still be used for. */
export function staleUse(entry: Entry, staleWhileRevalidateMs: number, staleIfErrorMs: number): number {
  const late = coarseNow() - entry.expiresAt;
  if (late < staleWhileRevalidateMs) return SERVE_STALE;
  return late < staleIfErrorMs ? KEEP_FOR_ERRORS : GONE;
}

/** Whether a failed computation may answer `stale` instead of its error. */
export function usableAfterError(stale: Entry | null, staleIfErrorMs: number): stale is Entry {
  return stale !== null && coarseNow() - stale.expiresAt < staleIfErrorMs;
}
