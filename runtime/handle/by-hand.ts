/**
 * `memo(fn, meta)` / `singleton(fn, meta)` without the transform: a wrapper that
 * does what the emitted code does (look up, return a hit, else settle), on the
 * same handles. Key components come from `meta.key`, else from the `params` not
 * starting with `_`, else from every argument of the call.
 */
import { InvalidOptionError } from "../errors.ts";
import type { CacheKind, FunctionMeta } from "../meta.ts";
import type { CacheHandle } from "./cache-handle.ts";
import { THIS_POSITION } from "./key-layout.ts";
import { MISS } from "./miss.ts";
import { isAsyncFunction } from "./persist.ts";
import { cacheHandle, requireMeta } from "./registry.ts";

function component(self: unknown, args: IArguments, position: number): unknown {
  return position === THIS_POSITION ? self : args[position];
}

function componentsOf(self: unknown, args: IArguments, positions: readonly number[]): unknown[] {
  return positions.map((position) => component(self, args, position));
}

/** Kept out of the wrappers: a closure there would make every call, hits included, allocate a context. */
function settleCall(handle: CacheHandle, fn: AnyFunction, self: unknown, args: IArguments): unknown {
  // Called with the `this` and arguments the wrapper received, which are the ones `fn` declares.
  const call = fn as (this: unknown, ...args: unknown[]) => unknown;
  if (isAsyncFunction(fn)) return handle.settle(async () => call.apply(self, args as unknown as unknown[]));
  return handle.settle(() => call.apply(self, args as unknown as unknown[]));
}

/** Any function: every function accepts a `never` receiver and `never` arguments. */
type AnyFunction = (this: never, ...args: never[]) => unknown;

export function wrapByHand<F extends AnyFunction>(kind: CacheKind, fn: F, meta: FunctionMeta): F {
  requireMeta(kind, meta, `${kind}(fn, meta)`);
  if (typeof fn !== "function") {
    throw new InvalidOptionError({ option: "fn", where: meta.id, problem: `expected a function, got ${typeof fn}`, fix: `Pass the function to cache: ${kind}(loadRows, { id: "${meta.id}" }).` });
  }
  const handle = cacheHandle(kind, meta) as CacheHandle;
  const positions = handle.layout.argumentPositions;
  const missingAt = positions?.indexOf(null) ?? -1;
  if (positions !== null && missingAt !== -1) {
    throw new InvalidOptionError({
      option: "key",
      where: meta.id,
      problem: `key component '${handle.layout.names![missingAt]}' is not one of the params`,
      fix: `List it in params, or leave key out to use every parameter not starting with "_".`,
    });
  }
  const [p0, p1, p2] = positions ?? [];
  // The handle answers an async function's hits with primitives as they are (an async
  // wrapper's `return` makes the promise); this wrapper is not async, so it makes one.
  const promises = isAsyncFunction(fn);
  let wrapper: AnyFunction;
  if (positions === null) {
    wrapper = function (this: unknown) {
      // `arguments`, not a rest parameter: a rest array would be allocated on every call, hits included.
      // eslint-disable-next-line prefer-rest-params
      const args = arguments;
      let found: unknown;
      if (args.length === 0) found = handle.get0();
      else if (args.length === 1) found = handle.get1(args[0]);
      else if (args.length === 2) found = handle.get2(args[0], args[1]);
      else if (args.length === 3) found = handle.get3(args[0], args[1], args[2]);
      else found = handle.getN(Array.prototype.slice.call(args));
      if (found !== MISS) return promises ? Promise.resolve(found) : found;
      return settleCall(handle, fn, this, args);
    };
  } else {
    const count = positions.length;
    wrapper = function (this: unknown) {
      // `arguments`, not a rest parameter: a rest array would be allocated on every call, hits included.
      // eslint-disable-next-line prefer-rest-params
      const args = arguments;
      let found: unknown;
      if (count === 0) found = handle.get0();
      else if (count === 1) found = handle.get1(component(this, args, p0!));
      else if (count === 2) found = handle.get2(component(this, args, p0!), component(this, args, p1!));
      else if (count === 3) found = handle.get3(component(this, args, p0!), component(this, args, p1!), component(this, args, p2!));
      else found = handle.getN(componentsOf(this, args, positions as number[]));
      if (found !== MISS) return promises ? Promise.resolve(found) : found;
      return settleCall(handle, fn, this, args);
    };
  }
  Object.defineProperty(wrapper, "name", { value: fn.name, configurable: true });
  Object.defineProperty(wrapper, "length", { value: fn.length, configurable: true });
  handle.bindFunction(wrapper);
  handle.bindFunction(fn);
  return wrapper as F;
}
