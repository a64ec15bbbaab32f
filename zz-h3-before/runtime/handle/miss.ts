/**
 * `Miss`: what a lookup returns when the value must be computed. The emitted code
 * tests `instanceof Miss`, so every copy of the runtime loaded in one process
 * (ESM and CJS, or two bundles) must hand out instances of ONE class: the first
 * copy publishes its class on the shared registry and later copies reuse it.
 */
import type { Table } from "./table.ts";
import { sharedRuntime } from "./shared.ts";

/** The part of a handle a miss talks to (stable across runtime copies: protocol version 1). */
export interface SettlingHandle {
  settle(miss: MissRecord, compute: () => unknown): unknown;
}

/** The fields a handle reads back from its miss. */
export interface MissRecord {
  readonly handle: SettlingHandle | null;
  readonly table: Table | null;
  readonly slot: number;
  readonly k1: unknown;
  readonly k2: unknown;
  readonly k3: unknown;
  readonly d0: number;
  readonly d1: number;
  readonly d2: number;
  readonly d3: number;
  /** Every key component, kept only when a persistent store needs a full key. */
  components: unknown[] | null;
}

class LocalMiss implements MissRecord {
  components: unknown[] | null = null;

  constructor(
    readonly handle: SettlingHandle | null,
    readonly table: Table | null,
    readonly slot: number,
    readonly k1: unknown,
    readonly k2: unknown,
    readonly k3: unknown,
    readonly d0: number,
    readonly d1: number,
    readonly d2: number,
    readonly d3: number,
  ) {}

  /**
   * Runs `compute` once, caches its result (a sync value, or what the promise
   * resolves to) and returns it to this caller: the original object, not a copy.
   * A throw or rejection is passed on and never cached.
   */
  settle<T>(compute: () => T): T {
    return (this.handle === null ? compute() : this.handle.settle(this, compute)) as T;
  }
}

export type MissConstructor = typeof LocalMiss;

const shared = sharedRuntime();
/** The shared `Miss` class (see the file comment). */
export const MissClass: MissConstructor = (shared.Miss ??= LocalMiss) as MissConstructor;
export type Miss = LocalMiss;

/** Returned by disabled handles: settling just runs the computation. */
export const PASS_THROUGH_MISS: Miss = new MissClass(null, null, 0, undefined, undefined, undefined, 0, 0, 0, 0);
