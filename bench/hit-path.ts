/**
 * Cost of a cache hit per call (ns), automemo against the memoization libraries
 * users would pick instead, each configured to key by value where it can.
 *
 * Cases: (a) one number, (b) two strings, (c) one small object {a: 1, b: [1, 2, 3], c: "x"}
 * passed as a fresh-but-equal object on every call (so identity caching cannot
 * help). Each case runs with one live key and with 1,000 live keys (moize and
 * micro-memoize get maxSize 1,000 there, so the calls stay hits).
 *
 * Every measured loop is compiled separately (`new Function`), so each library gets
 * its own monomorphic call site instead of sharing a megamorphic one.
 */
import { createRequire } from "node:module";
import { memoize as microMemoize } from "micro-memoize";
import { cacheHandle, clearAll, memo, MISS } from "../runtime/index.ts";
import { cpuMs } from "./table.ts";

// CommonJS peers, loaded with require: two ship no types, and the default-import
// typings of the others do not resolve under NodeNext. Their call shapes are all the bench needs.
const requirePeer = createRequire(import.meta.url);
const moize = requirePeer("moize") as (fn: Fn, options: { isDeepEqual?: boolean; maxSize?: number }) => Fn;
const fastMemoize = requirePeer("fast-memoize") as (fn: Fn) => Fn;
const memoizee = requirePeer("memoizee") as (fn: Fn, options: { primitive?: boolean; normalizer?: (args: unknown[]) => string }) => Fn;
const lodashMemoize = requirePeer("lodash.memoize") as (fn: Fn, resolver?: (...args: unknown[]) => unknown) => Fn;

export interface HitCase {
  readonly name: string;
  /** Live keys in the cache while hits are measured. */
  readonly liveKeys: number;
}

export interface HitRow {
  readonly library: string;
  /** ns per hit, or undefined when the library cannot cache this case by value. */
  readonly nsPerHit: number | undefined;
  /** Whether the library keys this case by value (the target applies to these). */
  readonly byValue: boolean;
}

type Fn = (...args: any[]) => unknown;

/** Calls `fn` with argument tuples cycled from `inputs`; one compiled loop per library and case. */
function compileLoop(arity: number): (fn: Fn, inputs: unknown[][], iterations: number) => unknown {
  const args = Array.from({ length: arity }, (_, i) => `input[${i}]`).join(", ");
  return new Function(
    "fn",
    "inputs",
    "iterations",
    `let sink; const mask = inputs.length - 1;
     for (let i = 0; i < iterations; i++) { const input = inputs[i & mask]; sink = fn(${args}); }
     return sink;`,
  ) as never;
}

/** Best ns (of CPU time) per call over several timed rounds, after a warm-up that also fills the cache. */
export function measureHit(fn: Fn, inputs: unknown[][], roundMs = 60, rounds = 7): number {
  const loop = compileLoop(inputs[0].length);
  for (const input of inputs) fn(...input);
  let iterations = 1024;
  for (;;) {
    const start = cpuMs();
    loop(fn, inputs, iterations);
    const elapsed = cpuMs() - start;
    if (elapsed >= roundMs / 4) {
      iterations = Math.max(1024, Math.round((iterations * roundMs) / elapsed));
      break;
    }
    iterations *= 4;
  }
  // Let the optimizing compiler settle before sampling (the first function measured in a process would pay for it otherwise).
  for (let round = 0; round < 3; round++) loop(fn, inputs, iterations);
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = cpuMs();
    loop(fn, inputs, iterations);
    samples.push(((cpuMs() - start) * 1e6) / iterations);
  }
  // The fastest round: on a shared machine noise only ever adds time.
  return Math.min(...samples);
}

const SMALL_OBJECT = () => ({ a: 1, b: [1, 2, 3], c: "x" });

/** Inputs whose length is a power of two (the loop masks the index); keys repeat when liveKeys < length. */
function inputsFor(caseName: string, liveKeys: number): unknown[][] {
  const length = Math.max(1024, 1 << Math.ceil(Math.log2(liveKeys)));
  return Array.from({ length }, (_, i) => {
    const k = i % liveKeys;
    if (caseName === "number") return [k + 0.5];
    if (caseName === "two strings") return [`user-${k}`, `table-${k % 7}`];
    const value = SMALL_OBJECT();
    value.a = k;
    return [value]; // a fresh object per slot: equal to others of the same key, never identical
  });
}

let uniqueIds = 0;

function automemoRows(caseName: string, arity: number): [string, Fn][] {
  const id = `bench/hit-path.ts#${caseName}~${++uniqueIds}`;
  const params = arity === 1 ? ["x"] : ["a", "b"];
  const byHand = memo(arity === 1 ? (x: unknown) => typeof x : (a: unknown, b: unknown) => typeof a + typeof b, { id: `${id}~memo`, params });
  const h = cacheHandle("memo", { id: `${id}~emitted`, hash: "bench", params, key: params, options: {} });
  const emitted =
    arity === 1
      ? (x: unknown) => {
          const r = h.get1(x);
          if (r !== MISS) return r;
          return h.settle(() => typeof x);
        }
      : (a: unknown, b: unknown) => {
          const r = h.get2(a, b);
          if (r !== MISS) return r;
          return h.settle(() => typeof a + typeof b);
        };
  return [
    ["automemo (emitted: h.getK + r !== MISS)", emitted],
    ["automemo (memo() wrapper)", byHand],
  ];
}

interface Peer {
  readonly library: string;
  readonly byValue: boolean;
  readonly make: (liveKeys: number) => Fn;
}

function peersFor(caseName: string): Peer[] {
  const one = (x: unknown) => typeof x;
  const two = (a: unknown, b: unknown) => typeof a + typeof b;
  const target = caseName === "two strings" ? two : one;
  const isObject = caseName === "small object";
  const json = (...args: unknown[]) => JSON.stringify(args);
  return [
    {
      library: "memoizee",
      byValue: true,
      make: () => (isObject ? memoizee(one, { normalizer: (args) => JSON.stringify(args[0]) }) : memoizee(target, { primitive: true })),
    },
    {
      library: "moize",
      byValue: true,
      make: (liveKeys) => moize(target, { isDeepEqual: isObject, maxSize: liveKeys }),
    },
    {
      library: "micro-memoize",
      byValue: true,
      make: (liveKeys) => microMemoize(target, { maxSize: liveKeys, ...(isObject ? { isKeyItemEqual: "deep" as const } : {}) }) as Fn,
    },
    { library: "fast-memoize", byValue: true, make: () => fastMemoize(target) },
    {
      library: "lodash.memoize",
      byValue: true,
      make: () => (caseName === "number" ? lodashMemoize(one) : lodashMemoize(target, json)),
    },
    {
      library: caseName === "small object" ? "JSON.stringify + Map.get" : "raw Map.get",
      byValue: true,
      make: () => {
        if (caseName === "number") {
          const map = new Map<unknown, unknown>();
          return (x: unknown) => map.get(x) ?? (map.set(x, one(x)), map.get(x));
        }
        if (caseName === "two strings") {
          const map = new Map<unknown, Map<unknown, unknown>>();
          return (a: unknown, b: unknown) => {
            let inner = map.get(a);
            if (inner === undefined) map.set(a, (inner = new Map()));
            return inner.get(b) ?? (inner.set(b, two(a, b)), inner.get(b));
          };
        }
        const map = new Map<string, unknown>();
        return (x: unknown) => {
          const key = JSON.stringify(x);
          return map.get(key) ?? (map.set(key, one(x)), map.get(key));
        };
      },
    },
  ];
}

export const HIT_CASES: readonly HitCase[] = [
  { name: "number", liveKeys: 1 },
  { name: "two strings", liveKeys: 1 },
  { name: "small object", liveKeys: 1 },
  { name: "number", liveKeys: 1000 },
  { name: "two strings", liveKeys: 1000 },
  { name: "small object", liveKeys: 1000 },
];

/** Measures one case for automemo and every peer. */
export function benchHitCase(hitCase: HitCase, roundMs?: number): HitRow[] {
  const arity = hitCase.name === "two strings" ? 2 : 1;
  const inputs = inputsFor(hitCase.name, hitCase.liveKeys);
  const rows: HitRow[] = [];
  for (const [library, fn] of automemoRows(hitCase.name, arity)) rows.push({ library, byValue: true, nsPerHit: measureHit(fn, inputs, roundMs) });
  for (const peer of peersFor(hitCase.name)) rows.push({ library: peer.library, byValue: peer.byValue, nsPerHit: measureHit(peer.make(hitCase.liveKeys), inputs, roundMs) });
  void clearAll();
  return rows;
}

/** Worker mode (`--hit-case <index>`): bench/run.ts measures each case in a fresh process, so no case inherits JIT feedback from another. */
const caseFlag = process.argv.indexOf("--hit-case");
if (caseFlag !== -1 && typeof process.send === "function") {
  const roundFlag = process.argv.indexOf("--round-ms");
  const rows = benchHitCase(HIT_CASES[Number(process.argv[caseFlag + 1])], roundFlag === -1 ? undefined : Number(process.argv[roundFlag + 1]));
  process.send(rows, () => process.exit(0));
}
