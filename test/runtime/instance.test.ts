import { afterEach, describe, expect, it } from "vitest";
import { cacheHandle, clearAll, MISS, stats } from "../../runtime/index.ts";
import { collectUntil, uniqueId } from "./helpers.ts";

afterEach(() => clearAll());

/** What the transform emits for an instance method `@memo total(rate)`: key ["this", "rate"]. */
function defineAccount(id: string) {
  const h = cacheHandle("memo", { id, hash: "h", params: ["rate"], key: ["this", "rate"], options: {} });
  class Account {
    computed = 0;
    constructor(readonly balance: number) {}
    total(rate: number): number {
      const r = h.get2(this, rate);
      if (r !== MISS) return r as number;
      return h.settle(() => (this.computed++, this.balance * rate));
    }
    report(options: { rate: number }): string {
      const r = h.get2(this, options);
      if (r !== MISS) return r as string;
      return h.settle(() => (this.computed++, `${this.balance * options.rate}`));
    }
  }
  return Account;
}

describe("instance methods", () => {
  it("cache per instance, keyed by identity", () => {
    const Account = defineAccount(uniqueId("account"));
    const a = new Account(10);
    const b = new Account(10);
    expect(a.total(2)).toBe(20);
    expect(a.total(2)).toBe(20);
    expect(b.total(2)).toBe(20);
    expect(a.computed).toBe(1);
    expect(b.computed).toBe(1);
    a.report({ rate: 3 });
    a.report({ rate: 3 });
    expect(a.computed).toBe(2);
  });

  it("drop an instance's entries when the instance is garbage-collected", async () => {
    const id = uniqueId("account-gc");
    const Account = defineAccount(id);
    let collected = false;
    const watcher = new FinalizationRegistry(() => (collected = true));
    (() => {
      const account = new Account(5);
      watcher.register(account, "account");
      account.total(1);
      account.report({ rate: 2 });
    })();
    expect(stats(id).entries).toBe(2);
    expect(await collectUntil(() => collected && stats(id).entries === 0)).toBe(true);
  });

  it("are all dropped by clearAll()", async () => {
    const id = uniqueId("account-clear");
    const Account = defineAccount(id);
    const a = new Account(1);
    a.total(1);
    await clearAll();
    a.total(1);
    expect(a.computed).toBe(2);
  });
});
