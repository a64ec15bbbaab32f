/**
 * How a function's key components are laid out: their names (for hashing errors),
 * how many lead components are keyed by identity, and how call arguments map to
 * components (for by-hand wrappers and `clear(fn, ...args)`).
 */
import { ClearKeyError, InvalidOptionError } from "../errors.ts";
import { hashKeyComponents, setCustomHashers } from "../hash/index.ts";
import type { FunctionMeta } from "../meta.ts";
import type { NormalizedOptions } from "../options.ts";
import { sharedRuntime } from "./shared.ts";

/** Position of `this` in `argumentPositions`. */
export const THIS_POSITION = -1;

export interface KeyLayout {
  /** Key component names in lookup order; null = every call argument (by-hand `memo` without `params`). */
  readonly names: readonly string[] | null;
  /** Lead components keyed by identity: 1 for instance methods ("this"), all of them for key: "identity". */
  readonly identityDepth: number;
  /** key: "identity" with a variable number of arguments (no `params`): every component by identity. */
  readonly identityAll: boolean;
  /** For each component, the call-argument index it comes from (THIS_POSITION for `this`), or null if it is not an argument. */
  readonly argumentPositions: readonly (number | null)[] | null;
  /** Names for the hasher, for `count` components starting at `from`. */
  hashNames(from: number, count: number): readonly string[];
  /** The components of one call, for `clear(fn, ...args)`. */
  componentsFromCall(args: ArrayLike<unknown>, functionId: string): unknown[];
}

function deriveKeyNames(meta: FunctionMeta): readonly string[] | null {
  if (meta.key !== undefined) return meta.key;
  if (meta.params !== undefined) return meta.params.filter((name) => !name.startsWith("_"));
  return null;
}

export function keyLayout(meta: FunctionMeta, options: NormalizedOptions): KeyLayout {
  if (typeof meta.id !== "string" || meta.id === "") {
    throw new InvalidOptionError({
      option: "id",
      where: "the metadata of a cached function",
      problem: `expected a non-empty string, got ${meta.id === "" ? "an empty string" : typeof meta.id}`,
      fix: `Give every by-hand cached function a stable id: memo(fn, { id: "src/db.ts#loadRows" }).`,
    });
  }
  const names = deriveKeyNames(meta);
  const identity = options.key === "identity";
  const identityDepth = names === null ? 0 : identity ? names.length : names[0] === "this" ? 1 : 0;
  const params = meta.params ?? [];
  const argumentPositions =
    names === null ? null : names.map((name) => (name === "this" ? THIS_POSITION : params.includes(name) ? params.indexOf(name) : null));
  const generated: string[] = [];
  const namesCache = new Map<number, readonly string[]>();
  return {
    names,
    identityDepth,
    identityAll: names === null && identity,
    argumentPositions,
    hashNames(from, count) {
      if (names !== null) {
        if (from === 0 && count === names.length) return names;
        let cached = namesCache.get(from * 65536 + count);
        if (cached === undefined) namesCache.set(from * 65536 + count, (cached = names.slice(from, from + count)));
        return cached;
      }
      for (let i = generated.length; i < from + count; i++) generated.push(`arguments[${i}]`);
      let cached = namesCache.get(from * 65536 + count);
      if (cached === undefined) namesCache.set(from * 65536 + count, (cached = generated.slice(from, from + count)));
      return cached;
    },
    componentsFromCall(args, functionId) {
      if (names === null || argumentPositions === null) return Array.from(args);
      return argumentPositions.map((position, i) => {
        if (position === THIS_POSITION) {
          throw new ClearKeyError({ functionId, component: "this", reason: "is the instance the method was called on, which clear(fn, ...args) does not receive" });
        }
        if (position === null) {
          throw new ClearKeyError({ functionId, component: names[i], reason: "is a variable the function captures, not one of its parameters" });
        }
        return args[position];
      });
    },
  };
}

let installedHashersVersion = -1;

/** Hashes `values[from..to)` into keyDigest, through `buffer` when only a part of `values` is hashed. */
export function hashComponents(layout: KeyLayout, functionId: string, values: ArrayLike<unknown>, from: number, to: number, buffer: unknown[] | undefined): void {
  const settings = sharedRuntime().settings;
  // Hashers may have been registered through another runtime copy: install them into ours.
  if (settings.hashersVersion !== installedHashersVersion) {
    setCustomHashers(settings.hashers);
    installedHashersVersion = settings.hashersVersion;
  }
  const names = layout.hashNames(from, to - from);
  if (from === 0 && values.length === to) {
    hashKeyComponents(values, names, functionId);
    return;
  }
  const part = buffer ?? new Array<unknown>(to - from);
  for (let i = from; i < to; i++) part[i - from] = values[i];
  try {
    hashKeyComponents(part, names, functionId);
  } finally {
    for (let i = 0; i < part.length; i++) part[i] = undefined;
  }
}
