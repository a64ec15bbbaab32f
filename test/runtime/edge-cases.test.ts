import { afterEach, describe, expect, it } from "vitest";
import { AutomemoError, clear, clearAll, ClearKeyError, configure, InvalidOptionError, memo, singleton, stats, UnhashableParamError, UnknownFunctionError } from "../../runtime/index.ts";
import { UnknownStoreError } from "../../runtime/errors.ts";
import { resetSettingsForTesting } from "../../runtime/handle/configure.ts";
import { deferred, uniqueId } from "./helpers.ts";

afterEach(async () => {
  resetSettingsForTesting();
  await clearAll();
});

describe("keys", () => {
  it("keys registered symbols by their key and rejects unique symbols", () => {
    let calls = 0;
    const f = memo((s: symbol) => (calls++, s.description), { id: uniqueId("symbols"), params: ["s"] });
    f(Symbol.for("a"));
    f(Symbol.for("a"));
    expect(calls).toBe(1);
    expect(() => f(Symbol("unique"))).toThrow(UnhashableParamError);
  });

  it("clears one entry of a function keyed by every argument", async () => {
    let calls = 0;
    const f = memo((...xs: unknown[]) => (calls++, xs.length), { id: uniqueId("all-args") });
    f(1, { a: 1 });
    f(2);
    await clear(f, 1, { a: 1 });
    expect(stats(f).entries).toBe(1);
    f(1, { a: 1 });
    expect(calls).toBe(3);
  });
});

describe("in-flight entries", () => {
  it("does not keep a result whose entry was cleared while it was computing", async () => {
    const gate = deferred<void>();
    let calls = 0;
    const f = memo(async (n: number) => {
      calls++;
      await gate.promise;
      return { n };
    }, { id: uniqueId("cleared-in-flight"), params: ["n"] });
    const first = f(1);
    await clear(f);
    gate.resolve();
    expect(await first).toEqual({ n: 1 });
    expect(stats(f).entries).toBe(0);
    await f(1);
    expect(calls).toBe(2);
  });

  it("counts in-flight entries against maxEntries", async () => {
    const gate = deferred<void>();
    const f = memo(async (n: number) => {
      await gate.promise;
      return n;
    }, { id: uniqueId("lru-in-flight"), params: ["n"], options: { maxEntries: 1 } });
    const one = f(1);
    const two = f(2);
    expect(stats(f)).toMatchObject({ entries: 1, evictions: 1 });
    gate.resolve();
    expect([await one, await two]).toEqual([1, 2]);
    expect(stats(f).entries).toBe(1);
  });

  it("releases nothing for a singleton still being created when it is cleared", async () => {
    let disposed = 0;
    const gate = deferred<void>();
    const open = singleton(async () => {
      await gate.promise;
      return { [Symbol.dispose]: () => disposed++ };
    }, { id: uniqueId("singleton-in-flight"), params: [] });
    const pending = open();
    await clear(open);
    gate.resolve();
    await pending;
    expect(disposed).toBe(0);
    expect(stats(open).entries).toBe(0);
  });
});

describe("errors", () => {
  it("are AutomemoError subclasses with stable codes", async () => {
    const cases: [() => unknown, string][] = [
      [() => memo((x: number) => x, { id: uniqueId("opt"), options: { maxEntries: -1 } }), "INVALID_OPTION"],
      [() => stats(() => 1), "UNKNOWN_FUNCTION"],
      [() => configure({ stores: { broken: {} as never } }), "INVALID_OPTION"],
      [() => configure({ hashers: [[Date]] as never }), "INVALID_OPTION"],
      [() => configure({ redisTimeoutMs: -5 }), "INVALID_OPTION"],
    ];
    for (const [run, code] of cases) {
      let error: unknown;
      try {
        run();
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(AutomemoError);
      expect((error as AutomemoError).code).toBe(code);
      expect((error as Error).message.startsWith("[automemo] ")).toBe(true);
    }
    expect(() => stats(() => 1)).toThrow(UnknownFunctionError);
  });

  it("explains a missing store when the function first runs", () => {
    const f = memo((n: number) => n, { id: uniqueId("no-store"), params: ["n"], options: { persist: "nowhere" } });
    expect(() => f(1)).toThrow(UnknownStoreError);
  });

  it("names the store problem precisely", () => {
    expect(() => configure({ stores: { broken: { read: async () => undefined } as never } })).toThrow(
      "[automemo] Invalid option 'stores' in configure(): store 'broken' lacks read/write/delete methods.",
    );
    expect(() => configure({ disabled: "yes" as never })).toThrow(/Invalid option 'disabled' in configure\(\): expected a boolean, got string/);
    expect(() => configure(() => 1, { validate: () => true })).toThrow(UnknownFunctionError);
  });

  it("refuses clear(fn, ...args) for methods keyed by this", async () => {
    const id = uniqueId("this-clear");
    const method = memo(function (this: object, n: number) {
      return n;
    }, { id, params: ["n"], key: ["this", "n"] });
    method.call({}, 1);
    await expect(clear(method, 1)).rejects.toThrow(ClearKeyError);
    await expect(clear(method, 1)).rejects.toThrow(/key component 'this' is the instance the method was called on/);
    expect(() => memo((n: number) => n, { id: uniqueId("bad-key"), params: ["n"], key: ["m"] })).toThrow(InvalidOptionError);
  });
});
