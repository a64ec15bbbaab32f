import type { DependencyResolver, ResolvedImport } from "./resolver.ts";
import { normalizePath } from "./resolver.ts";

/**
 * Stage 2, resolution: where each import leads, as the host's resolver says
 * (`disk-resolver.ts` for bundlers, Babel and the loader; `typescript-resolver.ts`
 * for the TypeScript program). Each answer is asked once per build session and kept
 * as a fact, because a saved plan record is only reused while every resolution it
 * depended on still gives the same outcome (`plan-records.ts`).
 */
export interface ResolutionFact {
  readonly fromFile: string;
  readonly specifier: string;
  readonly target: ResolvedImport | null;
}

/** A resolution's outcome as a plan record compares it. */
export function outcomeKey(target: ResolvedImport | null): string {
  if (!target) return "-";
  if (target.kind === "file") return `f:${target.path}`;
  return target.kind === "package" ? `p:${target.name}@${target.version}` : `b:${target.name}`;
}

export class Resolutions {
  private readonly facts = new Map<string, ResolutionFact>();

  constructor(private readonly resolver: DependencyResolver) {}

  /** How `specifier` resolves from `fromFile`, asked once. */
  resolve(specifier: string, fromFile: string): ResolutionFact {
    const key = `${fromFile}\u0000${specifier}`;
    let fact = this.facts.get(key);
    if (fact === undefined) {
      let target: ResolvedImport | null;
      try {
        target = this.resolver.resolve(specifier, fromFile);
      } catch {
        // A resolver that throws must not break the build: the import counts by its text.
        target = null;
      }
      if (target?.kind === "file") target = { kind: "file", path: normalizePath(target.path) };
      fact = { fromFile, specifier, target };
      this.facts.set(key, fact);
    }
    return fact;
  }

  /**
   * The file an earlier answer named cannot be read: a resolver that caches has
   * forgotten it by now, so ask once more; null when the answer is the same (or none).
   */
  resolveAgain(specifier: string, fromFile: string): ResolutionFact | null {
    const key = `${fromFile}\u0000${specifier}`;
    const gone = this.facts.get(key)?.target;
    this.facts.delete(key);
    const fact = this.resolve(specifier, fromFile);
    const target = fact.target;
    return target?.kind === "file" && !(gone?.kind === "file" && gone.path === target.path) ? fact : null;
  }
}
