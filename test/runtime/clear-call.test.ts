/**
 * clear(fn, ...args) builds the key of one call the way the call does, also for
 * destructured, defaulted and rest parameters (whose metadata lists bound names).
 */
import { afterEach, describe, expect, it } from "vitest";
import { cacheHandle, clear, clearAll, ClearKeyError, configure, MISS, stats } from "../../runtime/index.ts";
import { resetSettingsForTesting } from "../../runtime/handle/configure.ts";
import { uniqueId } from "./helpers.ts";

afterEach(async () => {
  resetSettingsForTesting();
  await clearAll();
});

interface Query {
  table: string;
  where?: { column: string };
}

/** What the transform emits for `function toSql({ table, where: { column } = { column: "id" } }, [limit, offset = 0]) { BODY }`. */
function emitToSql(id: string, onCompute: () => void) {
  const h = cacheHandle("memo", { id, hash: "h", params: ["table", "column", "limit", "offset"], key: ["table", "column", "limit", "offset"], options: {} });
  function toSql({ table, where: { column } = { column: "id" } }: Query, [limit, offset = 0]: number[]): string {
    const r = h.getN([table, column, limit, offset]);
    if (r !== MISS) return r as string;
    return h.settle(() => (onCompute(), `${table}.${column} ${limit},${offset}`));
  }
  h.bindFunction(toSql);
  return toSql;
}

/** `async function total(first, ...rest) { BODY }`. */
function emitTotal(id: string, onCompute: () => void) {
  const h = cacheHandle("memo", { id, hash: "h", params: ["first", "rest"], key: ["first", "rest"], options: {} });
  async function total(first: number, ...rest: number[]): Promise<number> {
    const r = h.get2(first, rest);
    if (r !== MISS) return r as Promise<number>;
    return h.settle(async () => (onCompute(), rest.reduce((sum, n) => sum + n, first)));
  }
  h.bindFunction(total);
  return total;
}

describe("clear(fn, ...args)", () => {
  it("drops exactly the entry of a call with destructured and defaulted parameters, without running the body", async () => {
    let computed = 0;
    const toSql = emitToSql(uniqueId("destructured"), () => computed++);
    toSql({ table: "t" }, [10]);
    toSql({ table: "t", where: { column: "a" } }, [1, 2]);
    expect(computed).toBe(2);
    await clear(toSql, { table: "t" }, [10]);
    expect(computed).toBe(2);
    expect(stats(toSql).entries).toBe(1);
    toSql({ table: "t", where: { column: "a" } }, [1, 2]);
    expect(computed).toBe(2);
    toSql({ table: "t" }, [10, 0]);
    expect(computed).toBe(3);
    await clear(toSql, { table: "t" }, [10, 0]);
    expect(stats(toSql).entries).toBe(1);
  });

  it("works by id, for rest parameters and async functions, and when caching is disabled", async () => {
    let computed = 0;
    const id = uniqueId("rest");
    const total = emitTotal(id, () => computed++);
    expect(await total(1, 2, 3)).toBe(6);
    expect(await total(1, 2)).toBe(3);
    await clear(id, 1, 2, 3);
    expect(stats(total).entries).toBe(1);
    configure({ disabled: true });
    await clear(total, 1, 2);
    expect(computed).toBe(2);
    configure({ disabled: false });
    expect(stats(total).entries).toBe(0);
  });

  it("explains arguments the parameters cannot bind, and leaves the cache working", async () => {
    let computed = 0;
    const toSql = emitToSql(uniqueId("unbindable"), () => computed++);
    toSql({ table: "t" }, [1]);
    await expect(clear(toSql, { table: "t" })).rejects.toThrow(ClearKeyError);
    await expect(clear(toSql, { table: "t" })).rejects.toThrow(/cannot rebuild the key of .*unbindable.*: its parameters could not be bound to these arguments: .*\n.*call clear\(fn\)/);
    expect(toSql({ table: "t" }, [1])).toBe("t.id 1,0");
    expect(computed).toBe(1);
    expect(stats(toSql)).toMatchObject({ hits: 1, entries: 1 });
  });
});
