import { afterEach, describe, expect, it, vi } from "vitest";
import * as runtime from "../../runtime/index.ts";
import { cacheHandle, clearAll, configure, memo, MISS, SettleWithoutMissError, singleton, stats } from "../../runtime/index.ts";
import { resetSettingsForTesting } from "../../runtime/handle/configure.ts";
import { uniqueId } from "./helpers.ts";

afterEach(async () => {
  resetSettingsForTesting();
  await clearAll();
});

/** What the transform emits for `function square(n) { BODY }` (see docs/architecture.md). */
function emitSquare(api: typeof runtime, id: string, hash: string, onCompute: () => void) {
  const h = api.cacheHandle("memo", { id, hash, params: ["n"], key: ["n"], options: {} });
  function square(n: number): number {
    const r = h.get1(n);
    if (r !== api.MISS) return r as number;
    return h.settle(() => (onCompute(), n * n));
  }
  h.bindFunction(square);
  return square;
}

describe("re-evaluation", () => {
  it("keeps the entries of a function whose code hash is unchanged", () => {
    const id = uniqueId("reload");
    let calls = 0;
    const first = emitSquare(runtime, id, "hash-1", () => calls++);
    first(3);
    const reloaded = emitSquare(runtime, id, "hash-1", () => calls++);
    expect(reloaded(3)).toBe(9);
    expect(calls).toBe(1);
    expect(stats(reloaded)).toMatchObject({ hits: 1, entries: 1 });
  });

  it("drops (and releases) the entries of a function whose code hash changed", async () => {
    const id = uniqueId("reload-singleton");
    let disposed = 0;
    const make = (hash: string) => {
      const h = cacheHandle("singleton", { id, hash, params: [], key: [], options: {} });
      return () => {
        const r = h.get0();
        return r !== MISS ? r : h.settle(() => ({ [Symbol.dispose]: () => disposed++ }));
      };
    };
    const v1 = make("v1");
    const a = v1();
    expect(v1()).toBe(a);
    const v2 = make("v2");
    await Promise.resolve();
    expect(disposed).toBe(1);
    expect(v2()).not.toBe(a);
    expect(stats(id)).toMatchObject({ entries: 1, misses: 1 });
  });

  it("treats changed options as a new version", () => {
    const id = uniqueId("options-change");
    const a = cacheHandle("memo", { id, hash: "h", params: [], key: [], options: { ttl: 10 } });
    expect(cacheHandle("memo", { id, hash: "h", params: [], key: [], options: { ttl: 10 } })).toBe(a);
    expect(cacheHandle("memo", { id, hash: "h", params: [], key: [], options: { ttl: 20 } })).not.toBe(a);
  });

  it("shares handles, MISS and settings between two copies of the runtime", async () => {
    vi.resetModules();
    const copy = (await import("../../runtime/index.ts")) as typeof runtime;
    expect(copy.memo).not.toBe(runtime.memo);
    expect(copy.MISS).toBe(runtime.MISS);
    const id = uniqueId("two-copies");
    let calls = 0;
    const fromFirst = emitSquare(runtime, id, "h", () => calls++);
    const fromSecond = emitSquare(copy, id, "h", () => calls++);
    fromFirst(2);
    expect(fromSecond(2)).toBe(4);
    expect(calls).toBe(1);
    expect(copy.stats(fromFirst)).toMatchObject({ hits: 1, misses: 1 });
    await copy.clearAll();
    expect(runtime.stats(id).entries).toBe(0);

    class Money {
      constructor(readonly cents: number) {}
    }
    const price = runtime.memo((m: Money) => m.cents / 100, { id: uniqueId("hashers-across-copies"), params: ["m"] });
    expect(() => price(new Money(5))).toThrow(runtime.UnhashableParamError);
    copy.configure({ hashers: [[Money, (m: Money) => m.cents]] });
    expect(price(new Money(5))).toBe(0.05);
    expect(price(new Money(5))).toBe(0.05);
    expect(runtime.stats(price).hits).toBe(1);
  });
});

describe("a CommonJS build and the ESM source in one process", () => {
  it("share the registry, MISS and clearAll", async () => {
    const esbuild = await import("esbuild");
    const { mkdirSync } = await import("node:fs");
    const { createRequire } = await import("node:module");
    const out = new URL("../.tmp/runtime-copy/index.cjs", import.meta.url).pathname;
    mkdirSync(new URL("../.tmp/runtime-copy/", import.meta.url).pathname, { recursive: true });
    await esbuild.build({ entryPoints: [new URL("../../runtime/index.ts", import.meta.url).pathname], bundle: true, format: "cjs", platform: "neutral", outfile: out, logLevel: "silent" });
    const cjs = createRequire(import.meta.url)(out) as typeof runtime;
    expect(cjs.MISS).toBe(runtime.MISS);
    const id = uniqueId("cjs-copy");
    let calls = 0;
    const fromCjs = emitSquare(cjs, id, "h", () => calls++);
    const fromEsm = emitSquare(runtime, id, "h", () => calls++);
    fromCjs(3);
    expect(fromEsm(3)).toBe(9);
    expect(calls).toBe(1);
    await runtime.clearAll();
    expect(cjs.stats(fromCjs)).toMatchObject({ entries: 0, hits: 1 });
  });
});

describe("disabled", () => {
  it("passes every call through when configured", () => {
    let calls = 0;
    const f = memo((n: number) => (calls++, { n }), { id: uniqueId("disabled"), params: ["n"] });
    const s = singleton(() => ({}), { id: uniqueId("disabled-s"), params: [] });
    configure({ disabled: true });
    f(1);
    f(1);
    expect(calls).toBe(2);
    expect(s()).not.toBe(s());
    configure({ disabled: false });
    f(1);
    f(1);
    expect(calls).toBe(3);
  });

  it("honours AUTOMEMO_DISABLE=1", () => {
    process.env.AUTOMEMO_DISABLE = "1";
    try {
      let calls = 0;
      const f = memo((n: { v: number }) => (calls++, n.v), { id: uniqueId("env"), params: ["n"] });
      f({ v: 1 });
      f({ v: 1 });
      expect(calls).toBe(2);
      expect(stats(f).entries).toBe(0);
    } finally {
      delete process.env.AUTOMEMO_DISABLE;
    }
  });
});

describe("emitted shape", () => {
  it("refuses settle() without a lookup that just answered MISS, naming the function and the fix", () => {
    const h = cacheHandle("memo", { id: uniqueId("settle-misuse"), hash: "h", params: ["n"], key: ["n"], options: {} });
    expect(() => h.settle(() => 1)).toThrow(SettleWithoutMissError);
    expect(h.get1(1)).toBe(MISS);
    expect(h.settle(() => 2)).toBe(2);
    // The pending miss was consumed: a second settle has nothing to settle.
    expect(() => h.settle(() => 3)).toThrow(/settle\(\) was called on the handle of test\/runtime\.ts#settle-misuse.*\n.*right after get0\(\)\.\.\.getN\(\) returned MISS/);
    expect(h.get1(1)).toBe(2);
  });

  it("supports get0..get3 and getN with the same keys as memo()", () => {
    const id = uniqueId("arity");
    const h = cacheHandle("memo", { id, hash: "h", params: ["a", "b", "c", "d"], key: ["a", "b", "c", "d"], options: {} });
    let calls = 0;
    const run = (handle: typeof h, r: unknown) => (r !== MISS ? r : handle.settle(() => ++calls));
    expect(run(h, h.getN([1, "x", { y: 2 }, null]))).toBe(1);
    expect(run(h, h.getN([1, "x", { y: 2 }, null]))).toBe(1);
    const h3 = cacheHandle("memo", { id: uniqueId("arity3"), hash: "h", params: ["a", "b", "c"], key: ["a", "b", "c"], options: {} });
    expect(run(h3, h3.get3(1, 2, 3))).toBe(2);
    expect(run(h3, h3.get3(1, 2, 3))).toBe(2);
    expect(run(h3, h3.get3(1, 2, [3]))).toBe(3);
    expect(run(h3, h3.get3(1, 2, [3]))).toBe(3);
    const h0 = cacheHandle("memo", { id: uniqueId("arity0"), hash: "h", params: [], key: [], options: {} });
    expect(run(h0, h0.get0())).toBe(4);
    expect(run(h0, h0.get0())).toBe(4);
  });
});
