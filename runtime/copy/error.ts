/**
 * A genuine Error object (with the engine's internal error slot, so `toString` tags,
 * `util.types.isNativeError` and `Error.isError` answer as for the original) of a
 * built-in Error prototype, with exactly the own properties given: the copy of an
 * error is indistinguishable from it only if it is a real error, not an object that
 * merely inherits from Error.prototype.
 */
export function builtinErrorWith(proto: object, define: (copy: Error) => void): Error {
  const constructor = (proto as { constructor: new (...args: unknown[]) => Error }).constructor;
  // No stack to capture: the original's own properties replace everything.
  const errorStatics = Error as { stackTraceLimit?: number };
  const limit = errorStatics.stackTraceLimit;
  errorStatics.stackTraceLimit = 0;
  let copy: Error;
  try {
    copy = constructor === AggregateError ? new AggregateError([]) : new constructor();
  } finally {
    errorStatics.stackTraceLimit = limit;
  }
  for (const key of Reflect.ownKeys(copy)) delete (copy as unknown as Record<PropertyKey, unknown>)[key];
  define(copy);
  return copy;
}
