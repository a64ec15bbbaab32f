/** Shared helpers for the runtime tests. */
import { setClockForTesting } from "../../runtime/handle/clock.ts";

let counter = 0;
/** A function id no other test uses (the registry is process-wide). */
export function uniqueId(name: string): string {
  return `test/runtime.ts#${name}~${++counter}~${Math.random().toString(36).slice(2, 8)}`;
}

/** A manual clock for ttl tests; call `restore()` in afterEach. */
export function manualClock(start = 1_000) {
  let now = start;
  setClockForTesting(() => now);
  return {
    advance(ms: number) {
      now += ms;
    },
    restore() {
      setClockForTesting(undefined);
    },
  };
}

/** Forces full garbage collections until `condition()` holds (bounded). */
export async function collectUntil(condition: () => boolean, attempts = 50): Promise<boolean> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run the tests with --expose-gc (vitest.config.ts does)");
  for (let i = 0; i < attempts; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
    if (condition()) return true;
  }
  return false;
}

export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
