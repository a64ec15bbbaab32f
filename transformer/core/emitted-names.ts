/**
 * The names the emitted code declares and reads (`__am_cacheHandle`, `__am_MISS`,
 * `__am_r`, `__am_0` ...). They must never collide with a name the file uses, in any
 * scope: a module binding, a shadowing local, a global it reads, a name in `eval`ed
 * text. All of them share one prefix, and the prefix is chosen from the source text
 * alone (so every host picks the same one, and hashes stay equal across hosts): the
 * first of `__am_`, `__am1_`, `__am2_` ... that appears nowhere in the text, comments
 * and strings included, nor in it with `\u` escapes decoded (`\u005f_am_r` is `__am_r`).
 */
export interface EmittedNames {
  readonly cacheHandle: string;
  readonly miss: string;
  readonly lookupResult: string;
  /** Handle variables are the prefix plus a number: `__am_0`. */
  readonly handlePrefix: string;
  /** Compute declarations beside a wrapper (`sibling-shape.ts`) are this plus their handle's number: `__am_f0`. */
  readonly computePrefix: string;
  /** A method of the handle, not a binding, so it needs no prefix. */
  readonly bindFunction: string;
}

const BASE = "__am";

/** Every prefix automemo may have chosen, so output of an earlier run is recognised whatever it chose. */
export const ANY_PREFIX = String.raw`__am\d*_`;

export function namesWithPrefix(prefix: string): EmittedNames {
  return { cacheHandle: `${prefix}cacheHandle`, miss: `${prefix}MISS`, lookupResult: `${prefix}r`, handlePrefix: prefix, computePrefix: `${prefix}f`, bindFunction: "bindFunction" };
}

/** The names for a file that shows no earlier automemo output. */
export const DEFAULT_NAMES: EmittedNames = namesWithPrefix(`${BASE}_`);

const UNICODE_ESCAPE = /\\u(?:([0-9a-fA-F]{4})|\{([0-9a-fA-F]+)\})/g;

/** The first free prefix for `source` (see the file comment). */
export function chooseEmittedNames(source: string): EmittedNames {
  const decoded = source.includes("\\u") ? source.replace(UNICODE_ESCAPE, decodeEscape) : source;
  for (let index = 0; ; index++) {
    const prefix = `${BASE}${index === 0 ? "" : index}_`;
    if (!source.includes(prefix) && !decoded.includes(prefix)) return namesWithPrefix(prefix);
  }
}

function decodeEscape(text: string, four: string | undefined, braced: string | undefined): string {
  const code = Number.parseInt(four ?? braced!, 16);
  return code <= 0x10ffff ? String.fromCodePoint(code) : text;
}
