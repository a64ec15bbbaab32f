/**
 * `handle.settleCall(fn, self, ...args)` (what the sibling shape emits on a miss) must behave
 * exactly like `handle.settle(() => fn.apply(self, args))` (async when `fn` is): every scenario
 * runs once through each entry point and must observe the same things.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cacheHandle, clearAll, configure, MISS, type CacheHandle } from "../../runtime/index.ts";
import { sharedRuntime } from "../../runtime/handle/shared.ts";
import { manualClock, uniqueId } from "./helpers.ts";

type AnyFn = (...args: any[]) => unknown;
type Settling = (handle: CacheHandle, fn: AnyFn, self: unknown, args: unknown[]) => unknown;

/** The emitted code, with the miss settled one way or the other. */
const viaSettleCall: Settling = (handle, fn, self, args) => {
  const r: unknown = handle.getN(args);
  return r !== MISS ? r : handle.settleCall(fn, self, ...args);
};
const viaSettle: Settling = (handle, fn, self, args) => {
  const r: unknown = handle.getN(args);
  if (r !== MISS) return r;
  const isAsync = fn.constructor.name === "AsyncFunction";
  return handle.settle(isAsync ? async () => fn.apply(self, args) : () => fn.apply(self, args));
};

const ways: [string, Settling][] = [
  ["settle(compute)", viaSettle],
  ["settleCall(fn, self, ...args)", viaSettleCall],
];

function handleFor(name: string, params: string[], options: Record<string, unknown> = {}): CacheHandle {
  return cacheHandle("memo", { id: uniqueId(name), hash: "v1", params, key: params, options });
}

afterEach(() => clearAll());

describe.each(ways)("a miss settled through %s", (_, settleWith) => {
  it("passes `this` and every argument (a rest parameter arrives as one array), and caches by key", () => {
    const handle = handleFor("this-and-rest", ["a", "rest"]);
    const seen: unknown[] = [];
    function compute(this: { base: number } | undefined, a: number, rest: number[]) {
      seen.push([this, a, rest]);
      return (this?.base ?? 0) + a + rest.length;
    }
    const self = { base: 100 };
    expect(settleWith(handle, compute, self, [1, [7, 8]])).toBe(103);
    expect(settleWith(handle, compute, self, [1, [7, 8]])).toBe(103);
    expect(settleWith(handle, compute, undefined, [2, []])).toBe(2);
    expect(seen).toEqual([
      [self, 1, [7, 8]],
      [undefined, 2, []],
    ]);
  });

  it("passes throws on and caches nothing", () => {
    const handle = handleFor("throws", ["a"]);
    let calls = 0;
    const fail = (a: number) => {
      calls++;
      throw new Error(`no ${a}`);
    };
    expect(() => settleWith(handle, fail, undefined, [1])).toThrow("no 1");
    expect(() => settleWith(handle, fail, undefined, [1])).toThrow("no 1");
    expect(calls).toBe(2);
  });

  it("shares an async computation while in flight (the async detection looks at the compute function)", async () => {
    const handle = handleFor("async-shared", ["a"]);
    let calls = 0;
    async function load(a: number) {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return a * 2;
    }
    const first = settleWith(handle, load, undefined, [21]);
    const second = settleWith(handle, load, undefined, [21]);
    expect(first).toBeInstanceOf(Promise);
    expect(await Promise.all([first, second])).toEqual([42, 42]);
    expect(calls).toBe(1);
  });

  it("answers the stale value and refreshes in the background for an async function within staleWhileRevalidate, recomputes for a sync one", async () => {
    const clock = manualClock();
    try {
      const asyncHandle = handleFor("swr-async", ["a"], { ttl: "1s", staleWhileRevalidate: "1h" });
      const syncHandle = handleFor("swr-sync", ["a"], { ttl: "1s", staleWhileRevalidate: "1h" });
      let version = 1;
      async function loadAsync(a: number) {
        return `${a}@${version}`;
      }
      const loadSync = (a: number) => `${a}@${version}`;
      expect(await settleWith(asyncHandle, loadAsync, undefined, [1])).toBe("1@1");
      expect(settleWith(syncHandle, loadSync, undefined, [1])).toBe("1@1");
      version = 2;
      clock.advance(5_000);
      expect(await settleWith(asyncHandle, loadAsync, undefined, [1])).toBe("1@1");
      expect(settleWith(syncHandle, loadSync, undefined, [1])).toBe("1@2");
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(await settleWith(asyncHandle, loadAsync, undefined, [1])).toBe("1@2");
    } finally {
      clock.restore();
    }
  });

  it.each([false, true])("stores through persist: 'disk' and reads it back in a fresh handle (async: %s)", async (isAsync) => {
    const dir = mkdtempSync(join(tmpdir(), "automemo-settle-call-"));
    try {
      configure({ cacheDir: dir });
      const id = uniqueId("disk");
      const meta = { id, hash: "v1", params: ["a"], key: ["a"], options: { persist: "disk" } };
      let calls = 0;
      const compute = isAsync
        ? async (a: number) => (calls++, { doubled: a * 2 })
        : (a: number) => (calls++, { doubled: a * 2 });
      expect(await settleWith(cacheHandle("memo", meta), compute, undefined, [4])).toEqual({ doubled: 8 });
      // A fresh handle has nothing in memory: the value comes from disk, the computation does not run.
      sharedRuntime().handles.delete(id);
      const fresh = cacheHandle("memo", meta);
      const reread = settleWith(fresh, compute, undefined, [4]);
      expect(reread instanceof Promise).toBe(isAsync);
      expect(await reread).toEqual({ doubled: 8 });
      expect(calls).toBe(1);
    } finally {
      configure({ cacheDir: undefined });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("settleCall", () => {
  it("refuses to run without the lookup that answered MISS, like settle", () => {
    const handle = handleFor("no-miss", ["a"]);
    expect(() => handle.settleCall((a: number) => a, undefined, 1)).toThrow(/no lookup answered MISS/);
  });

  it("replaces a registered handle of an older runtime copy that lacks it", () => {
    const meta = { id: uniqueId("older-copy"), hash: "v1", params: ["a"], key: ["a"], options: {} };
    const first = cacheHandle("memo", meta);
    expect(cacheHandle("memo", meta)).toBe(first);
    Object.defineProperty(first, "settleCall", { value: undefined });
    const second = cacheHandle("memo", meta);
    expect(second).not.toBe(first);
    expect(typeof second.settleCall).toBe("function");
  });
});
