/**
 * By-value results for @memo: the cache keeps a private deep copy of each result
 * (snapshotResult, on a miss) and hands every hit a fresh copy of it (copySnapshot).
 * What is copyable, how Error objects copy and the size formula: see snapshot.ts.
 *
 * @example
 * const snapshot = snapshotResult(rows, "src/db.ts#loadRows"); // throws UnserializableReturnValueError
 * const forThisHit = copySnapshot(snapshot);
 */
export { snapshotResult, type ResultSnapshot } from "./snapshot.ts";
export { copySnapshot } from "./clone.ts";
