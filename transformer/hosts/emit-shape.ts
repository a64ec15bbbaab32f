import type { FunctionMeta } from "../../runtime/meta.ts";

/**
 * Facts about the emitted code that the AST hosts (Babel, TypeScript) share, so
 * they build the same statements as the core's text emitter (docs/architecture.md).
 */

/** Lookups are arity-specialised so a hit allocates nothing; past three components the key travels as one array. */
const MAX_DIRECT_KEY_ARGUMENTS = 3;

export interface LookupShape {
  /** `get0` ... `get3` or `getN`. */
  readonly method: string;
  /** Whether the key components are passed as one array (`getN([a, b, c, d])`). */
  readonly packed: boolean;
}

export function lookupShape(keyCount: number): LookupShape {
  return keyCount <= MAX_DIRECT_KEY_ARGUMENTS ? { method: `get${keyCount}`, packed: false } : { method: "getN", packed: true };
}

/** The handle metadata in the order every host prints it: id, hash, params, key, options. */
export function handleMetaEntries(meta: Required<FunctionMeta>): [string, unknown][] {
  return [
    ["id", meta.id],
    ["hash", meta.hash],
    ["params", meta.params],
    ["key", meta.key],
    ["options", meta.options],
  ];
}

/** The runtime exports the preamble imports, paired with their local names. */
export function runtimeBindings(names: { cacheHandle: string; miss: string }): [imported: string, local: string][] {
  return [
    ["cacheHandle", names.cacheHandle],
    ["MISS", names.miss],
  ];
}
