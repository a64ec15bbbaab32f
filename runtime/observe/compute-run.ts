/**
 * Running one computation of a miss with everything that watches it: its time (stats
 * `computeMs`, the compute-time histogram), its failures (stats `errors`), the
 * "automemo:compute" TracingChannel and the plain compute channel of `automemo run`.
 * Tracing contexts are built only while someone subscribes.
 */
import { computeChannel } from "../handle/compute-events.ts";
import { computeTraced, observers, traceCompute, type ComputeContext } from "./channels.ts";

/** What a handle provides to have its computations run and counted. */
export interface ComputeRecorder {
  readonly id: string;
  readonly kind: "memo" | "singleton";
  /** The store under the memory cache, if any. */
  readonly persist: string | undefined;
  /** Called once per computation when it has settled. */
  computeSettled(durationMs: number, failed: boolean): void;
}

export function runComputation(recorder: ComputeRecorder, compute: () => unknown, keyDigest: () => string, isThenable: (value: unknown) => value is PromiseLike<unknown>): unknown {
  const tracing = observers().compute;
  const plain = computeChannel();
  const announced = plain !== null && plain.hasSubscribers ? plain : null;
  announced?.publish({ id: recorder.id, phase: "start" });
  const started = performance.now();
  const finish = (failed: boolean) => {
    const durationMs = performance.now() - started;
    recorder.computeSettled(durationMs, failed);
    announced?.publish({ id: recorder.id, phase: "end", durationMs });
  };
  const run = computeTraced(tracing) ? () => traceCompute(tracing, newContext(recorder, keyDigest()), compute, isThenable) : compute;
  let result: unknown;
  try {
    result = run();
  } catch (error) {
    finish(true);
    throw error;
  }
  if (!isThenable(result)) {
    finish(false);
    return result;
  }
  return Promise.resolve(result).then(
    (value) => {
      finish(false);
      return value;
    },
    (error: unknown) => {
      finish(true);
      throw error;
    },
  );
}

function newContext(recorder: ComputeRecorder, key: string): ComputeContext {
  return { id: recorder.id, kind: recorder.kind, key, store: recorder.persist ?? "memory" };
}
