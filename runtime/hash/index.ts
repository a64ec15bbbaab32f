/**
 * The structural key hasher: a deterministic 128-bit digest of a function's key
 * components, equal for structurally equal values in any process on any platform
 * (it keys the disk and Redis stores). Semantics (SameValue: NaN equals NaN, -0
 * differs from 0; what counts for each type) are documented in structural.ts; the mixing
 * function in mix.ts.
 *
 * @example
 * hashKeyComponents([{ a: 1, b: [1, 2, 3] }, "x"], ["options", "name"], "src/db.ts#load");
 * const storeKey = digestHex(); // 32 hex chars
 */
import { HasherError, UnhashableParamError } from "../errors.ts";
import { absorbHeader, finishDigest, openFrame, restoreFrame, startDigest } from "./mix.ts";
import { hashPlainKey } from "./plain.ts";
import { baseDepth, forgetAncestorsFrom, HashFailure, hashValue, reentryDepth, setBaseDepth, setCustomHasherList, type CustomHasher } from "./structural.ts";
import { TAG_KEY_COMPONENTS } from "./tags.ts";

let walking = false;
/** Depth offset for a hash started from a getter mid-walk (deeper outer walks are not expected). */
const UNKNOWN_REENTRY_OFFSET = 4096;

/** 128-bit digest of the last hashKeyComponents call, 4 x uint32. Shared buffer so the hit path allocates nothing. */
export const keyDigest = new Uint32Array(4);

/**
 * Hashes the key components (already selected: skipped `_` params are not passed) into keyDigest.
 * names[i] is the parameter/captured-variable name of values[i] (for errors); functionId for errors.
 * Throws UnhashableParamError / HasherError with the path inside the argument.
 */
export function hashKeyComponents(values: ArrayLike<unknown>, names: readonly string[], functionId: string): void {
  // Plain data (the common key) takes the register-only fast path; it gives up on
  // anything else, and the general walk then computes the same digest.
  if (!hashPlainKey(values, keyDigest)) hashKeyComponentsByWalk(values, names, functionId);
}

/** The general walk alone: every supported type, cycles, escape hatches and errors. Exported so tests can hold the fast path to it. */
export function hashKeyComponentsByWalk(values: ArrayLike<unknown>, names: readonly string[], functionId: string): void {
  // A hash started while another runs (a user hasher or a getter calling a memoized
  // function) works above the outer walk's frames instead of clobbering them, and its
  // key frame saves the outer lanes: a user hasher tells us the exact depth; from a
  // getter we only know a walk is active.
  const startDepth = reentryDepth > 0 ? reentryDepth : walking ? baseDepth + UNKNOWN_REENTRY_OFFSET : 0;
  const componentDepth = startDepth + 1;
  const outerBase = baseDepth;
  const outerWalking = walking;
  walking = true;
  setBaseDepth(componentDepth);
  const frame = openFrame(startDepth);
  startDigest();
  const count = values.length;
  // One try around the loop, not one per component: cheaper on the hit path.
  let i = 0;
  try {
    for (; i < count; i++) hashValue(values[i], componentDepth);
  } catch (error) {
    forgetAncestorsFrom(componentDepth);
    restoreFrame(frame);
    setBaseDepth(outerBase);
    walking = outerWalking;
    throw publicError(error, names[i] ?? `#${i}`, i, functionId);
  }
  absorbHeader(TAG_KEY_COMPONENTS, count);
  finishDigest(frame, keyDigest);
  setBaseDepth(outerBase);
  walking = outerWalking;
}

function publicError(error: unknown, param: string, position: number, functionId: string): unknown {
  if (!(error instanceof HashFailure)) return error;
  const path = error.path.slice().reverse();
  if (error.hasherThrew) return new HasherError({ functionId, param, path, value: error.value, cause: error.cause });
  return new UnhashableParamError({ functionId, param, position, path, value: error.value, reason: error.reason });
}

const HEX = "0123456789abcdef";

/** keyDigest as 32 lowercase hex chars (persistent store keys). */
export function digestHex(): string {
  let out = "";
  for (let i = 0; i < 4; i++) {
    const word = keyDigest[i];
    for (let shift = 28; shift >= 0; shift -= 4) out += HEX[(word >>> shift) & 15];
  }
  return out;
}

/** Registered by configure({ hashers }): [constructor, (value) => hashable plain data][]. Matched with instanceof, first match wins. */
export function setCustomHashers(hashers: readonly CustomHasher[]): void {
  setCustomHasherList(hashers);
}
