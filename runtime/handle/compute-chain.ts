/**
 * Which cached computations the current async context is inside of, so that an async
 * computation awaiting its own pending result (A(k) -> B(j) -> A(k)) fails with
 * ComputeCycleError instead of never settling. Each async miss runs its settling in an
 * `AsyncLocalStorage` context holding a link to its miss and to the enclosing link;
 * a lookup that finds a pending entry walks the links of the current context.
 *
 * Cost: a ready hit pays nothing (only hits on pending entries look); an async miss
 * pays one `run` (about 1 µs on Node 24). Sync computations are not tracked: a sync
 * entry is filed only when its computation returns, so a sync same-key call recurses
 * exactly as untransformed code would and never waits.
 *
 * Where AsyncLocalStorage is built on promise hooks (Node 20, Node 22 without
 * `--experimental-async-context-frame`), using it once makes every `await` of the whole
 * process about 3x slower (measured: 190-295 ns -> 640-654 ns per awaited async call on
 * Node 20.20), so tracking is on only where it is built on async context frames (Node 24+,
 * or that flag); AUTOMEMO_CYCLE_CHECK=1 turns it on anyway, =0 off. Where it is off, or
 * `node:async_hooks` does not exist (browsers), such a cycle stays pending, as the
 * untransformed recursion would never finish either (docs/guarantees.md, "When things fail").
 * The storage lives on `globalThis` so that every runtime copy of a process (ESM and
 * CJS builds, two bundles) sees the links of the others.
 */
import type { Entry } from "./entry.ts";
import type { Miss } from "./miss.ts";

interface ChainLink {
  /** The handle computing (any runtime copy's; compared by identity). */
  readonly handle: { readonly id: string };
  /** The miss being settled: the entry filed for it has the same table, slot and key. */
  readonly miss: Miss;
  readonly parent: ChainLink | undefined;
}

interface ChainStorage {
  getStore(): ChainLink | undefined;
  run<R, A extends unknown[]>(store: ChainLink, callback: (...args: A) => R, ...args: A): R;
}

interface AsyncHooksModule {
  AsyncLocalStorage: new () => ChainStorage;
}

const STORAGE_SYMBOL = Symbol.for("automemo.computeChain");
let resolved: ChainStorage | null | undefined;

interface NodeProcess {
  getBuiltinModule?(id: string): unknown;
  readonly versions?: { readonly node?: string };
  readonly execArgv?: readonly string[];
  readonly env?: Record<string, string | undefined>;
}

/** AsyncLocalStorage costs nothing to code that does not use it (async context frames), or the user asked for tracking. */
function trackingWanted(proc: NodeProcess): boolean {
  const forced = proc.env?.AUTOMEMO_CYCLE_CHECK;
  if (forced === "1" || forced === "0") return forced === "1";
  const flags = [...(proc.execArgv ?? []), ...(proc.env?.NODE_OPTIONS ?? "").split(/\s+/)];
  if (flags.includes("--no-async-context-frame")) return false;
  const major = Number(proc.versions?.node?.split(".")[0]);
  return major >= 24 || flags.includes("--experimental-async-context-frame");
}

/** The shared storage, or null where cycles are not tracked (see the file comment). Resolved once. */
export function computeChain(): ChainStorage | null {
  if (resolved !== undefined) return resolved;
  const holder = globalThis as unknown as Record<symbol, ChainStorage | undefined>;
  let storage = holder[STORAGE_SYMBOL];
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (storage === undefined && proc !== undefined && trackingWanted(proc)) {
    const hooks = proc.getBuiltinModule?.("node:async_hooks") as AsyncHooksModule | undefined;
    if (hooks !== undefined) storage = holder[STORAGE_SYMBOL] = new hooks.AsyncLocalStorage();
  }
  resolved = storage ?? null;
  return resolved;
}

function isEntryOf(miss: Miss, entry: Entry): boolean {
  return (
    entry.table === miss.table &&
    entry.slot === miss.slot &&
    Object.is(entry.keyPart0, miss.keyPart0) &&
    Object.is(entry.keyPart1, miss.keyPart1) &&
    Object.is(entry.keyPart2, miss.keyPart2) &&
    Object.is(entry.keyPart3, miss.keyPart3)
  );
}

/**
 * The cycle when the current context is inside the computation of `entry` (the pending
 * entry of `handle` that is being awaited), as function ids from the awaited function
 * back to it; undefined when it is not (a concurrent caller that may wait).
 */
export function cycleThrough(handle: object, entry: Entry): string[] | undefined {
  const storage = computeChain();
  const ids: string[] = [];
  for (let link = storage?.getStore(); link !== undefined; link = link.parent) {
    ids.push(link.handle.id);
    if (link.handle === handle && isEntryOf(link.miss, entry)) {
      ids.reverse();
      ids.push(link.handle.id);
      return ids;
    }
  }
  return undefined;
}
