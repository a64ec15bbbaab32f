/**
 * The compute-time histogram of one function: how long its misses took to compute,
 * in fixed buckets so that every process reports the same `le` bounds and a fleet's
 * histograms add up in Prometheus. Recorded only when a miss is computed (never on hits).
 */

/** Upper bounds of the buckets, in seconds (Prometheus' convention for durations). */
export const COMPUTE_BUCKETS_SECONDS: readonly number[] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** A snapshot of the histogram: `counts[i]` computations took at most `COMPUTE_BUCKETS_SECONDS[i]` (not cumulative; the last slot is +Inf). */
export interface ComputeTimesSnapshot {
  readonly bucketsSeconds: readonly number[];
  readonly counts: readonly number[];
  readonly count: number;
  readonly sumSeconds: number;
}

export class ComputeTimes {
  /** One slot per bucket plus one for +Inf. */
  readonly #counts = new Array<number>(COMPUTE_BUCKETS_SECONDS.length + 1).fill(0);
  #count = 0;
  #sumSeconds = 0;

  record(durationMs: number): void {
    const seconds = durationMs / 1000;
    let slot = 0;
    while (slot < COMPUTE_BUCKETS_SECONDS.length && seconds > COMPUTE_BUCKETS_SECONDS[slot]!) slot++;
    this.#counts[slot]!++;
    this.#count++;
    this.#sumSeconds += seconds;
  }

  snapshot(): ComputeTimesSnapshot {
    return { bucketsSeconds: COMPUTE_BUCKETS_SECONDS, counts: [...this.#counts], count: this.#count, sumSeconds: this.#sumSeconds };
  }
}
