/**
 * What the compile-time transform embeds for each annotated function (and what a
 * by-hand `memo(fn, meta)` call passes). Everything here is computed at compile
 * time, so the runtime never introspects function source.
 */
export interface FunctionMeta {
  /** Project-relative posix path + `#` + qualified name, e.g. `src/db.ts#Repo.load`. Required. */
  readonly id: string;
  /** Code hash: changes when the function's code (or, with dependency tracking, its helpers) changes. */
  readonly hash?: string;
  /** Every parameter name, in declaration order. */
  readonly params?: readonly string[];
  /**
   * The key components, in the order the lookup receives them. `"this"` (instance
   * methods) is keyed by identity. Defaults to the `params` that do not start with `_`.
   */
  readonly key?: readonly string[];
  /** Tag options, validated against the schema in `options.ts`. */
  readonly options?: Readonly<Record<string, unknown>>;
}

export type CacheKind = "memo" | "singleton";
