/**
 * A coarse millisecond clock for ttl checks. Reading the real clock costs about as
 * much as a whole cache hit, so a hit reuses the last reading until a short timer
 * marks it stale (between event-loop turns) or a fixed number of reads have passed
 * (inside one long synchronous stretch). Handles without a ttl never read it.
 */

/** Reads served from one real clock reading before it is refreshed inside a synchronous stretch. */
const READS_PER_REFRESH = 32;
/** How long (ms) a reading may be reused across event-loop turns. */
const STALE_AFTER_MS = 4;

type TimerHandle = { unref?: () => void } | number;

function realNow(): number {
  return globalThis.performance !== undefined ? globalThis.performance.now() : Date.now();
}

let lastReading = 0;
let readsLeft = 0;
let staleTimerPending = false;
let injectedClock: (() => number) | undefined;

function markStale(): void {
  readsLeft = 0;
  staleTimerPending = false;
}

/** Milliseconds on a monotonic clock (only differences are meaningful). */
export function coarseNow(): number {
  if (injectedClock !== undefined) return injectedClock();
  if (readsLeft-- > 0) return lastReading;
  lastReading = realNow();
  readsLeft = READS_PER_REFRESH;
  if (!staleTimerPending) {
    staleTimerPending = true;
    const timer = setTimeout(markStale, STALE_AFTER_MS) as TimerHandle;
    // Never keep a Node process alive just to age the clock.
    if (typeof timer === "object" && typeof timer.unref === "function") timer.unref();
  }
  return lastReading;
}

/** Tests replace the clock to step through ttl expiry deterministically; `undefined` restores the real one. */
export function setClockForTesting(clock: (() => number) | undefined): void {
  injectedClock = clock;
  readsLeft = 0;
}
