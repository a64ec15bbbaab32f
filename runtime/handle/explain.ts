/**
 * "Why did this miss?": the reason of every miss, kept while explaining is on
 * (`AUTOMEMO_EXPLAIN=1`, `configure({ explain: true })`, `automemo run`).
 *
 * With explaining off the miss path pays one field read (`explaining.mode`) and, for
 * an expired key, one small integer on its Miss record; hits pay nothing. With it on,
 * each handle gets a MissLog: the reasons of its last misses (a ring), the keys its
 * removals dropped and why (clear, tag, eviction), and copies of its last computed keys,
 * so a `new arguments` miss can name what differs from the nearest one.
 */
import type { Table } from "./table.ts";

export const REASON_NONE = 0;
export const REASON_FIRST_CALL = 1;
export const REASON_NEW_ARGUMENTS = 2;
export const REASON_CODE_CHANGED = 3;
export const REASON_EXPIRED = 4;
export const REASON_EVICTED = 5;
export const REASON_CLEARED = 6;
export const REASON_TAG = 7;
export const REASON_STORE_MISS = 8;
export const REASON_STORE_UNAVAILABLE = 9;

const REASON_NAMES = [
  "",
  "first call",
  "new arguments",
  "code changed",
  "expired",
  "evicted",
  "cleared",
  "invalidated by tag",
  "store miss",
  "store unavailable",
] as const;

export type MissReason = Exclude<(typeof REASON_NAMES)[number], "">;

/** One explained miss, as `explain(fn)` returns it. */
export interface ExplainedMiss {
  readonly reason: MissReason;
  /** When it happened (Date.now()). */
  readonly at: number;
  /** For `new arguments`: what differs from the nearest cached key, `options.limit: 10 → 20`. */
  readonly changes?: readonly string[];
}

/** 0 off; 1 record (explain(fn), the `automemo run` summary); 2 record and print one line per miss. */
export const EXPLAIN_OFF = 0;
const EXPLAIN_RECORD = 1;
const EXPLAIN_PRINT = 2;

interface ExplainSwitch {
  mode: number;
}

/** One switch for every runtime copy of the process (their handles share one registry). */
function sharedSwitch(): ExplainSwitch {
  const holder = globalThis as { [key: symbol]: ExplainSwitch | undefined };
  const name = Symbol.for("automemo.explain");
  return (holder[name] ??= { mode: typeof process !== "undefined" && process.env?.AUTOMEMO_EXPLAIN === "1" ? EXPLAIN_PRINT : EXPLAIN_OFF });
}

export const explaining: ExplainSwitch = sharedSwitch();

/** `configure({ explain })`: true records, "print" also prints; the environment's AUTOMEMO_EXPLAIN=1 prints. */
export function setExplaining(explain: boolean | "print"): void {
  explaining.mode = explain === "print" ? EXPLAIN_PRINT : explain ? EXPLAIN_RECORD : EXPLAIN_OFF;
}

/** Misses remembered per function. */
const RECENT_MISSES = 50;
/** Computed keys compared with a new one to find the nearest. */
const COMPARED_KEYS = 16;
/** Removed keys remembered per table (their reasons). */
const REMOVED_KEYS = 1000;
/** Differences named per miss. */
const CHANGES_SHOWN = 3;

/** A text naming one key inside its table: the slot and its exact parts (or digest words). */
export function keyText(slot: number, a: unknown, b: unknown, c: unknown, d: unknown): string {
  return `${slot}\u0000${typeof a}:${String(a)}\u0000${typeof b}:${String(b)}\u0000${typeof c}:${String(c)}\u0000${typeof d}:${String(d)}`;
}

/** A private copy of a key component (callers may mutate theirs), or the value itself when it cannot be copied. */
function keepCopy(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  try {
    return structuredClone(value);
  } catch {
    return value;
  }
}

function isPlainContainer(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return Array.isArray(value) || proto === Object.prototype || proto === null;
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (typeof value === "bigint") return `${value}n`;
  if (value === undefined) return "undefined";
  if (typeof value === "symbol" || typeof value === "function") return String(value);
  if (Array.isArray(value)) return `[${value.length} items]`;
  if (typeof value === "object" && value !== null) {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
    return name && name !== "Object" ? name : "{...}";
  }
  return String(value);
}

/** The differing leaves of `before` and `after` under `path`, as `path: old → new`. */
function diffLeaves(path: string, before: unknown, after: unknown, out: string[]): void {
  if (Object.is(before, after)) return;
  if (isPlainContainer(before) && isPlainContainer(after) && Array.isArray(before) === Array.isArray(after)) {
    const names = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const name of names) {
      const inner = Array.isArray(before) ? `${path}[${name}]` : /^[A-Za-z_$][\w$]*$/.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`;
      diffLeaves(inner, before[name], after[name], out);
    }
    return;
  }
  out.push(`${path}: ${show(before)} → ${show(after)}`);
}

/** What differs between two keys, component by component. */
function keyChanges(names: readonly string[], before: readonly unknown[], after: readonly unknown[]): string[] {
  const out: string[] = [];
  const count = Math.max(before.length, after.length);
  for (let i = 0; i < count; i++) diffLeaves(names[i] ?? `args[${i}]`, before[i], after[i], out);
  return out;
}

export class MissLog {
  private readonly recent: ExplainedMiss[] = [];
  private next = 0;
  /** Why keys left their table (clear, tag, eviction), until they miss again. */
  private readonly removed = new WeakMap<Table, Map<string, number>>();
  private readonly keys: (readonly unknown[])[] = [];
  /** What differs for a `new arguments` miss, from its explanation until it is computed. */
  readonly pendingChanges = new WeakMap<object, string[]>();
  /** Key texts of the previous code version's entries (registry re-evaluation). */
  previousVersion: ReadonlySet<string> | null = null;
  /** Counts by reason, for the `automemo run` summary. */
  readonly counts: number[] = new Array<number>(REASON_NAMES.length).fill(0);

  forget(table: Table, text: string, reason: number): void {
    let keys = this.removed.get(table);
    if (keys === undefined) this.removed.set(table, (keys = new Map()));
    if (keys.size >= REMOVED_KEYS) keys.delete(keys.keys().next().value!);
    keys.set(text, reason);
  }

  /** The reason a key was removed for, once (it is filed again now). */
  takeRemoval(table: Table, text: string): number {
    const keys = this.removed.get(table);
    const reason = keys?.get(text);
    if (reason === undefined) return REASON_NONE;
    keys!.delete(text);
    return reason;
  }

  /** What differs from the nearest of the last keys computed (fewest differing leaves); remembers `components`. */
  changesFrom(names: readonly string[], components: readonly unknown[]): string[] | undefined {
    let nearest: string[] | undefined;
    for (const key of this.keys) {
      const changes = keyChanges(names, key, components);
      if (changes.length > 0 && (nearest === undefined || changes.length < nearest.length)) nearest = changes;
    }
    if (this.keys.length >= COMPARED_KEYS) this.keys.shift();
    this.keys.push(components.map(keepCopy));
    if (nearest === undefined) return undefined;
    return nearest.length > CHANGES_SHOWN ? [...nearest.slice(0, CHANGES_SHOWN), `and ${nearest.length - CHANGES_SHOWN} more`] : nearest;
  }

  record(id: string, reason: number, changes: string[] | undefined): void {
    const miss: ExplainedMiss = changes === undefined ? { reason: REASON_NAMES[reason] as MissReason, at: Date.now() } : { reason: REASON_NAMES[reason] as MissReason, at: Date.now(), changes };
    this.counts[reason]!++;
    if (this.recent.length < RECENT_MISSES) this.recent.push(miss);
    else this.recent[this.next] = miss;
    this.next = (this.next + 1) % RECENT_MISSES;
    if (explaining.mode === EXPLAIN_PRINT) console.error(`[automemo] miss ${id}: ${describeMiss(miss)}`);
  }

  /** Oldest first. */
  misses(): ExplainedMiss[] {
    return this.recent.length < RECENT_MISSES ? [...this.recent] : [...this.recent.slice(this.next), ...this.recent.slice(0, this.next)];
  }

  /** The most frequent reason so far, or undefined before any miss. */
  mainReason(): MissReason | undefined {
    let best = 0;
    for (let reason = 1; reason < this.counts.length; reason++) if (this.counts[reason]! > this.counts[best]!) best = reason;
    return best === 0 ? undefined : (REASON_NAMES[best] as MissReason);
  }
}

/** `new arguments (table: "users" → "orders")`. */
function describeMiss(miss: ExplainedMiss): string {
  return miss.changes === undefined ? miss.reason : `${miss.reason} (${miss.changes.join(", ")})`;
}
