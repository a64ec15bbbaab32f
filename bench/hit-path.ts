/**
 * Cost of a cache hit per call (ns), automemo against the memoizers users would pick
 * instead and against the floor: the fastest plain JavaScript structure for that key.
 *
 * The matrix is argument shapes x access patterns (see SHAPES and PATTERNS). Access
 * patterns are precomputed index arrays (1 live key; 1,000 keys in uniform random
 * order; 1,000 keys in Zipf order, s = 1), so the random number generator is never
 * measured. Objects are built fresh on every call inside the measured loop, for every
 * contender alike.
 *
 * The automemo functions are produced by the real transform (`transformSource`, what
 * the bundler plugins and the Node loader emit), written to a temporary module that
 * imports this checkout's runtime: no hand-written lookups, no special case.
 *
 * Peers are configured the way their own docs recommend for the shape: memoizee with
 * `primitive: true` for primitive arguments (a JSON normalizer for objects, `promise:
 * true` for async), moize and micro-memoize with a `maxSize` holding the working set
 * (deep equality for objects, moize `isPromise` for async), fast-memoize with its
 * defaults, lodash.memoize with its default for one primitive argument and a JSON
 * resolver otherwise, p-memoize with its defaults (async only).
 *
 * Method: every contender of a case runs in the same process (one fresh process per
 * case, bench/run.ts), each through its own compiled loop (`new Function`) so each
 * call site stays monomorphic; the rounds alternate the order of the contenders; the
 * figure is the median over the rounds, in CPU time.
 *
 * Memory (`--hit-memory`, run with --expose-gc): bytes per cached entry for each
 * shape, from heapUsed deltas after a full GC, against a bare Map entry.
 *
 * RUNTIME_ROOT=/path/to/other/checkout makes the subjects import that checkout's
 * runtime (the transform stays this one), to compare two versions in one way.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { memoize as microMemoize } from "micro-memoize";
import pMemoize from "p-memoize";
import { transformSource } from "../transformer/core/emit-text.ts";
import { cpuMs, median } from "./table.ts";

// CommonJS peers, loaded with require: two ship no types, and the default-import
// typings of the others do not resolve under NodeNext. Their call shapes are all the bench needs.
const requirePeer = createRequire(import.meta.url);
const moize = requirePeer("moize") as (fn: Fn, options: { isDeepEqual?: boolean; isPromise?: boolean; maxSize?: number }) => Fn;
const fastMemoize = requirePeer("fast-memoize") as (fn: Fn) => Fn;
const memoizee = requirePeer("memoizee") as (fn: Fn, options: { primitive?: boolean; promise?: boolean; normalizer?: (args: unknown[]) => string }) => Fn;
const lodashMemoize = requirePeer("lodash.memoize") as (fn: Fn, resolver?: (...args: unknown[]) => unknown) => Fn;

type Fn = (...args: any[]) => any;

/** Length of every precomputed index sequence (a power of two: the loop masks the counter). */
const SEQUENCE_LENGTH = 1 << 14;
const MASK = SEQUENCE_LENGTH - 1;

export type ContenderKind = "automemo" | "peer" | "floor";

export interface HitRow {
  readonly library: string;
  readonly kind: ContenderKind;
  /** Median ns per hit over the rounds. */
  readonly nsPerHit: number;
  readonly note?: string;
}

export interface HitCase {
  readonly shape: string;
  readonly pattern: string;
}

interface Shape {
  readonly name: string;
  /** The argument columns of key `k` (strings are built once, before measuring). */
  readonly argumentsOf: (k: number) => unknown[];
  /** How the measured loop calls `fn` from the columns `c0..c3` at index `j`. */
  readonly call: string;
  /** Distinct keys the shape has at most (boolean/null/undefined: 4). */
  readonly maxKeys: number;
  readonly kind: "primitive" | "object" | "async";
  /** Name of the automemo subject in the transformed module (SUBJECT_SOURCE). */
  readonly subject: string;
  /** The plain function the peers memoize. */
  readonly plain: Fn;
  readonly floor: { readonly name: string; readonly make: () => Fn };
  /** Peers return a reference where automemo returns a copy (object results). */
  readonly copiesOnHit?: boolean;
}

const BOOLEANS_AND_NOTHING = [true, false, null, undefined];

const mapFloor = (compute: Fn) => () => {
  const map = new Map<unknown, unknown>();
  return (x: unknown) => {
    let r = map.get(x);
    if (r === undefined) map.set(x, (r = compute(x)));
    return r;
  };
};

const jsonFloor = (compute: Fn) => () => {
  const map = new Map<string, unknown>();
  return (x: unknown) => {
    const key = JSON.stringify(x);
    let r = map.get(key);
    if (r === undefined) map.set(key, (r = compute(x)));
    return r;
  };
};

const double = (x: number) => x * 2;
const textLength = (s: string) => s.length;
const isTrue = (v: unknown) => v === true;
const twoLengths = (a: string, b: string) => a.length + b.length;
const threeMixed = (a: string, b: number, c: boolean) => a.length + b + (c ? 1 : 0);
const queryScore = (q: Query) => q.page + q.tags.length;
const queryResult = (q: Query) => ({ user: q.user, page: q.page, items: [q.page, q.page + 1] });
const asyncLength = async (s: string) => s.length;

interface Query {
  user: string;
  page: number;
  tags: string[];
}

const OBJECT_CALL = "fn({ user: c0[j], page: c1[j], tags: [c2[j], c3[j]] })";
const objectArguments = (k: number) => [`user${k % 100}`, Math.floor(k / 100), "a", `t${k % 3}`];

export const SHAPES: readonly Shape[] = [
  {
    name: "one small integer",
    argumentsOf: (k) => [k],
    call: "fn(c0[j])",
    maxKeys: Infinity,
    kind: "primitive",
    subject: "smallInteger",
    plain: double,
    floor: {
      name: "array element",
      make: () => {
        const results: unknown[] = [];
        return (x: number) => {
          const r = results[x];
          return r !== undefined ? r : (results[x] = double(x));
        };
      },
    },
  },
  { name: "one double", argumentsOf: (k) => [k + 0.5], call: "fn(c0[j])", maxKeys: Infinity, kind: "primitive", subject: "oneDouble", plain: double, floor: { name: "Map", make: mapFloor(double) } },
  { name: "one short string", argumentsOf: (k) => [`id${k}`], call: "fn(c0[j])", maxKeys: Infinity, kind: "primitive", subject: "shortString", plain: textLength, floor: { name: "Map", make: mapFloor(textLength) } },
  {
    name: "one boolean/null/undefined",
    argumentsOf: (k) => [BOOLEANS_AND_NOTHING[k % 4]],
    call: "fn(c0[j])",
    maxKeys: 4,
    kind: "primitive",
    subject: "booleanOrNothing",
    plain: isTrue,
    floor: { name: "Map", make: mapFloor(isTrue) },
  },
  {
    name: "two strings",
    argumentsOf: (k) => [`user${k % 50}`, `t${Math.floor(k / 50)}`],
    call: "fn(c0[j], c1[j])",
    maxKeys: Infinity,
    kind: "primitive",
    subject: "twoStrings",
    plain: twoLengths,
    floor: {
      name: "nested Maps",
      make: () => {
        const outer = new Map<string, Map<string, unknown>>();
        return (a: string, b: string) => {
          let inner = outer.get(a);
          if (inner === undefined) outer.set(a, (inner = new Map()));
          let r = inner.get(b);
          if (r === undefined) inner.set(b, (r = twoLengths(a, b)));
          return r;
        };
      },
    },
  },
  {
    name: "three mixed primitives",
    argumentsOf: (k) => [`r${k % 10}`, Math.floor(k / 20), Math.floor(k / 10) % 2 === 0],
    call: "fn(c0[j], c1[j], c2[j])",
    maxKeys: Infinity,
    kind: "primitive",
    subject: "threeMixed",
    plain: threeMixed,
    floor: {
      name: "nested Maps",
      make: () => {
        const outer = new Map<string, Map<number, Map<boolean, unknown>>>();
        return (a: string, b: number, c: boolean) => {
          let middle = outer.get(a);
          if (middle === undefined) outer.set(a, (middle = new Map()));
          let inner = middle.get(b);
          if (inner === undefined) middle.set(b, (inner = new Map()));
          let r = inner.get(c);
          if (r === undefined) inner.set(c, (r = threeMixed(a, b, c)));
          return r;
        };
      },
    },
  },
  { name: "small object", argumentsOf: objectArguments, call: OBJECT_CALL, maxKeys: Infinity, kind: "object", subject: "smallObject", plain: queryScore, floor: { name: "JSON.stringify + Map", make: jsonFloor(queryScore) } },
  {
    name: "small object, object result",
    argumentsOf: objectArguments,
    call: OBJECT_CALL,
    maxKeys: Infinity,
    kind: "object",
    subject: "objectResult",
    plain: queryResult,
    floor: { name: "JSON.stringify + Map", make: jsonFloor(queryResult) },
    copiesOnHit: true,
  },
  {
    name: "async, one string",
    argumentsOf: (k) => [`id${k}`],
    call: "fn(c0[j])",
    maxKeys: Infinity,
    kind: "async",
    subject: "asyncString",
    plain: asyncLength,
    floor: { name: "bare await (no cache)", make: () => asyncLength },
  },
];

/** The automemo subjects: one per shape, and one with `maxEntries` (LRU bookkeeping on every hit). */
const SUBJECT_SOURCE = `
/** @memo */
export function smallInteger(x) { return x * 2; }
/** @memo */
export function oneDouble(x) { return x * 2; }
/** @memo */
export function shortString(s) { return s.length; }
/** @memo */
export function booleanOrNothing(v) { return v === true; }
/** @memo */
export function twoStrings(a, b) { return a.length + b.length; }
/** @memo */
export function threeMixed(a, b, c) { return a.length + b + (c ? 1 : 0); }
/** @memo */
export function smallObject(q) { return q.page + q.tags.length; }
/** @memo */
export function objectResult(q) { return { user: q.user, page: q.page, items: [q.page, q.page + 1] }; }
/** @memo */
export async function asyncString(s) { return s.length; }
/** @memo { maxEntries: 4096 } */
export function smallIntegerBounded(x) { return x * 2; }
/** @memo { maxEntries: 4096 } */
export function shortStringBounded(s) { return s.length; }
/** @memo { maxEntries: 4096 } */
export function twoStringsBounded(a, b) { return a.length + b.length; }
/** @memo { maxEntries: 4096 } */
export function smallObjectBounded(q) { return q.page + q.tags.length; }
`;

const BOUNDED_SUBJECTS: Record<string, string> = {
  smallInteger: "smallIntegerBounded",
  shortString: "shortStringBounded",
  twoStrings: "twoStringsBounded",
  smallObject: "smallObjectBounded",
};

/** Transforms SUBJECT_SOURCE with the text host into a temporary module importing this checkout's runtime; returns its path. */
export function writeSubjects(): string {
  const root = fileURLToPath(new URL("..", import.meta.url));
  // RUNTIME_ROOT: another checkout whose runtime/ the subjects import, to compare two versions.
  const runtime = pathToFileURL(join(process.env.RUNTIME_ROOT ?? root, "runtime/index.ts")).href;
  const result = transformSource(SUBJECT_SOURCE, { filename: join(root, "bench/hit-path-subjects.js"), root, runtimeModule: runtime, dependencies: false });
  if (result === null) throw new Error("bench/hit-path.ts: the transform left the subjects untouched");
  const path = join(mkdtempSync(join(tmpdir(), "automemo-hit-")), "subjects.mjs");
  writeFileSync(path, result.code);
  return path;
}

export interface Pattern {
  readonly name: string;
  readonly keys: number;
  readonly zipf: boolean;
}

export const PATTERNS: readonly Pattern[] = [
  { name: "1 key", keys: 1, zipf: false },
  { name: "1,000 keys uniform", keys: 1000, zipf: false },
  { name: "1,000 keys Zipf", keys: 1000, zipf: true },
];

export const HIT_CASES: readonly HitCase[] = SHAPES.flatMap((shape) => PATTERNS.map((pattern) => ({ shape: shape.name, pattern: pattern.name })));

/** A small deterministic generator (mulberry32), so every run measures the same sequence. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Key indices, one per call; Zipf: key i drawn with probability proportional to 1 / (i + 1). */
export function keySequence(pattern: Pattern, maxKeys: number): Int32Array {
  const keys = Math.min(pattern.keys, maxKeys);
  const random = randomSource(0x5eed + keys + (pattern.zipf ? 1 : 0));
  const sequence = new Int32Array(SEQUENCE_LENGTH);
  const cumulative = new Float64Array(keys);
  let total = 0;
  for (let i = 0; i < keys; i++) cumulative[i] = total += pattern.zipf ? 1 / (i + 1) : 1;
  for (let n = 0; n < SEQUENCE_LENGTH; n++) {
    const target = random() * total;
    let low = 0;
    let high = keys - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (cumulative[middle] < target) low = middle + 1;
      else high = middle;
    }
    sequence[n] = low;
  }
  return sequence;
}

/** The argument columns c0..c3 for a key sequence (strings and numbers built once). */
function columnsFor(shape: Shape, sequence: Int32Array): unknown[][] {
  const perKey = new Map<number, unknown[]>();
  const columns: unknown[][] = [[], [], [], []];
  for (let n = 0; n < sequence.length; n++) {
    const k = sequence[n];
    let args = perKey.get(k);
    if (args === undefined) perKey.set(k, (args = shape.argumentsOf(k)));
    for (let c = 0; c < 4; c++) columns[c].push(args[c]);
  }
  return columns;
}

type Loop = (fn: Fn, c0: unknown[], c1: unknown[], c2: unknown[], c3: unknown[], iterations: number) => unknown;

/** One compiled loop per contender: its own call site and feedback. */
function compileLoop(shape: Shape): Loop {
  const body =
    shape.kind === "async"
      ? `return (async () => { let sink; for (let i = 0; i < iterations; i++) { const j = i & ${MASK}; sink = await ${shape.call}; } return sink; })();`
      : `let sink; for (let i = 0; i < iterations; i++) { const j = i & ${MASK}; sink = ${shape.call}; } return sink;`;
  return new Function("fn", "c0", "c1", "c2", "c3", "iterations", body) as Loop;
}

interface Contender {
  readonly library: string;
  readonly kind: ContenderKind;
  readonly fn: Fn;
  readonly note?: string;
}

function peersFor(shape: Shape, liveKeys: number): Contender[] {
  const f = shape.plain;
  const json = (...args: unknown[]) => JSON.stringify(args);
  const peer = (library: string, fn: Fn, note?: string): Contender => ({ library, kind: "peer", fn, note });
  if (shape.kind === "async") {
    return [
      peer("p-memoize", pMemoize(f as (s: string) => Promise<number>)),
      peer("memoizee { promise, primitive }", memoizee(f, { promise: true, primitive: true })),
      peer("moize { isPromise, maxSize }", moize(f, { isPromise: true, maxSize: liveKeys })),
    ];
  }
  const object = shape.kind === "object";
  const onePrimitive = !object && f.length === 1;
  return [
    peer(object ? "memoizee { normalizer: JSON }" : "memoizee { primitive }", object ? memoizee(f, { normalizer: (args) => JSON.stringify(args[0]) }) : memoizee(f, { primitive: true })),
    peer(object ? "moize { isDeepEqual, maxSize }" : "moize { maxSize }", moize(f, { isDeepEqual: object, maxSize: liveKeys })),
    peer(object ? "micro-memoize { deep, maxSize }" : "micro-memoize { maxSize }", microMemoize(f, { maxSize: liveKeys, ...(object ? { isKeyItemEqual: "deep" as const } : {}) }) as Fn),
    peer("fast-memoize", fastMemoize(f), onePrimitive ? "1 and \"1\" share a key" : undefined),
    peer(onePrimitive ? "lodash.memoize" : "lodash.memoize { JSON resolver }", onePrimitive ? lodashMemoize(f) : lodashMemoize(f, json)),
  ];
}

async function contendersFor(shape: Shape, pattern: Pattern, subjectsPath: string): Promise<Contender[]> {
  const subjects = (await import(pathToFileURL(subjectsPath).href)) as Record<string, Fn>;
  const liveKeys = Math.min(pattern.keys, shape.maxKeys);
  const contenders: Contender[] = [{ library: "automemo", kind: "automemo", fn: subjects[shape.subject], note: shape.copiesOnHit ? "copy on every hit" : undefined }];
  const bounded = BOUNDED_SUBJECTS[shape.subject];
  if (bounded !== undefined) contenders.push({ library: "automemo { maxEntries }", kind: "automemo", fn: subjects[bounded], note: "LRU bookkeeping per hit" });
  contenders.push(...peersFor(shape, liveKeys));
  contenders.push({ library: shape.floor.name, kind: "floor", fn: shape.floor.make(), note: "floor (not a cache)" });
  return contenders;
}

async function timeRound(loop: Loop, fn: Fn, columns: unknown[][], iterations: number): Promise<number> {
  const start = cpuMs();
  await loop(fn, columns[0], columns[1], columns[2], columns[3], iterations);
  return cpuMs() - start;
}

/** Measures one case: every contender in this process, rounds alternating their order, median ns per hit. */
export async function benchHitCase(hitCase: HitCase, subjectsPath: string, roundMs = 40, rounds = 9): Promise<HitRow[]> {
  const shape = SHAPES.find((s) => s.name === hitCase.shape)!;
  const pattern = PATTERNS.find((p) => p.name === hitCase.pattern)!;
  const columns = columnsFor(shape, keySequence(pattern, shape.maxKeys));
  const contenders = await contendersFor(shape, pattern, subjectsPath);
  const loops = contenders.map(() => compileLoop(shape));
  const iterations: number[] = [];
  for (const [index, contender] of contenders.entries()) {
    // Warm-up: fills the cache (every key of the sequence), then sizes a round to about roundMs.
    let count = SEQUENCE_LENGTH;
    for (;;) {
      const elapsed = await timeRound(loops[index], contender.fn, columns, count);
      if (elapsed >= roundMs / 4) {
        iterations.push(Math.max(SEQUENCE_LENGTH, Math.round((count * roundMs) / elapsed)));
        break;
      }
      count *= 4;
    }
    await timeRound(loops[index], contender.fn, columns, iterations[index]);
  }
  const samples: number[][] = contenders.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const order = contenders.map((_, i) => (round % 2 === 0 ? i : contenders.length - 1 - i));
    for (const i of order) samples[i].push(((await timeRound(loops[i], contenders[i].fn, columns, iterations[i])) * 1e6) / iterations[i]);
  }
  return contenders.map((contender, i) => ({ library: contender.library, kind: contender.kind, nsPerHit: median(samples[i]), note: contender.note }));
}

// ---- memory per entry ----

export interface MemoryRow {
  readonly shape: string;
  /** Bytes per entry: automemo, and a bare Map (or the shape's floor structure) holding the same results. */
  readonly automemoBytes: number;
  readonly mapBytes: number;
  readonly boundedBytes?: number;
}

const MEMORY_ENTRIES = 50_000;

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("bench/hit-path.ts --hit-memory needs node --expose-gc");
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Bytes per entry of `fill` (which caches MEMORY_ENTRIES keys), the keys themselves excluded (built before). */
function bytesPerEntry(argumentsList: unknown[][], call: (fn: Fn, args: unknown[]) => unknown, fn: Fn): number {
  const before = heapAfterGc();
  for (const args of argumentsList) call(fn, args);
  const after = heapAfterGc();
  return (after - before) / argumentsList.length;
}

export async function benchMemory(subjectsPath: string): Promise<MemoryRow[]> {
  const subjects = (await import(pathToFileURL(subjectsPath).href)) as Record<string, Fn>;
  const rows: MemoryRow[] = [];
  const keep: unknown[] = [];
  for (const shape of SHAPES) {
    if (shape.maxKeys < MEMORY_ENTRIES || shape.kind === "async") continue;
    const argumentsList = Array.from({ length: MEMORY_ENTRIES }, (_, k) => {
      // Keys no timing case used (the small integers stay small: they are the shape).
      const args = shape.argumentsOf(shape.name === "one small integer" ? k : k + 1_000_000);
      return shape.kind === "object" ? [{ user: args[0], page: args[1], tags: [args[2], args[3]] }] : args;
    });
    const call = (fn: Fn, args: unknown[]) => fn(...args);
    const map = shape.floor.make();
    const mapBytes = bytesPerEntry(argumentsList, call, map);
    const automemoBytes = bytesPerEntry(argumentsList, call, subjects[shape.subject]);
    const bounded = BOUNDED_SUBJECTS[shape.subject];
    // The bounded subject keeps 4,096 entries: measure it on as many keys.
    const boundedBytes = bounded === undefined ? undefined : bytesPerEntry(argumentsList.slice(0, 4096), call, subjects[bounded]);
    keep.push(map);
    rows.push({ shape: shape.name, automemoBytes, mapBytes, boundedBytes });
  }
  void keep.length;
  return rows;
}

/** Worker modes: bench/run.ts measures each case in a fresh process, so no case inherits JIT feedback from another. */
const caseFlag = process.argv.indexOf("--hit-case");
const memoryFlag = process.argv.indexOf("--hit-memory");
const subjectsFlag = process.argv.indexOf("--subjects");
if ((caseFlag !== -1 || memoryFlag !== -1) && typeof process.send === "function") {
  const subjectsPath = process.argv[subjectsFlag + 1];
  const roundFlag = process.argv.indexOf("--round-ms");
  const result =
    caseFlag !== -1
      ? await benchHitCase(HIT_CASES[Number(process.argv[caseFlag + 1])], subjectsPath, roundFlag === -1 ? undefined : Number(process.argv[roundFlag + 1]))
      : await benchMemory(subjectsPath);
  process.send(result, () => process.exit(0));
}
