import type { DependencyResolver } from "./resolver.ts";

/** The dependency tracker's `BuildSession`, opaque here: `plan.ts` names this file, so it must not import the pipeline (no cycle). */
type OpaqueSession = object;

/**
 * One build as its host sees it (`PlanOptions.session`): within it each dependency
 * file is read and checked once and reused by every planning, so a host passes it
 * only between a point where it knows no file changes unseen (a bundler's
 * `buildStart`, a new TypeScript program, one loader run) and the next edit it is
 * told of (`invalidate`). Without one, every planning is its own session: each file
 * it reaches is checked again (a stat, and its text when the stat changed or was
 * recent), so no edit is missed, at the cost of hashing the reached graph per file.
 * Nothing is reused for being recent.
 */
export class PlanSession {
  /** The current session per resolver (a new resolver starts its own). */
  private sessions = new WeakMap<DependencyResolver, OpaqueSession>();

  /** The host saw a change (or a new build starts): every file is checked again. */
  invalidate(): void {
    this.sessions = new WeakMap();
  }

  /** @internal The current session for `resolver`, if any. */
  current(resolver: DependencyResolver): OpaqueSession | undefined {
    return this.sessions.get(resolver);
  }

  /** @internal */
  begin(resolver: DependencyResolver, session: OpaqueSession): void {
    this.sessions.set(resolver, session);
  }
}

/**
 * A build session for hosts that know when a build starts: create one per build (or
 * call `invalidate` on the one kept) and pass it as `PlanOptions.session`.
 *
 * @example
 * const session = createBuildSession();
 * for (const file of files) transformSource(read(file), { filename: file, root, session });
 */
export function createBuildSession(): PlanSession {
  return new PlanSession();
}
