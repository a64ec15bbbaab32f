/**
 * `handle.settleCall(fn, self, ...args)`: what the sibling shape (transformer/core/sibling-shape.ts)
 * emits on a miss, instead of `handle.settle(() => fn(a, b))`. An arrow in the wrapper captures
 * its parameters, so V8 allocates a context object on every call, hits included; passing the
 * compute declaration and its arguments lets the wrapper allocate nothing on a hit, and the
 * closure `settle` takes is built here, on a miss only. `fn` is async exactly when the
 * original function was, so the closure is async exactly when the emitted arrow used to be:
 * async detection, stores, staleWhileRevalidate refreshes and tags see the same computation.
 */
import { isAsyncFunction } from "./persist.ts";
import type { AnyFunction } from "./shared.ts";

export function computeOfCall(fn: AnyFunction, self: unknown, args: unknown[]): () => unknown {
  // The emitted call passes the function's own parameters, so these arguments fit it.
  const call = fn as (this: unknown, ...args: unknown[]) => unknown;
  return isAsyncFunction(fn) ? async () => call.apply(self, args) : () => call.apply(self, args);
}
