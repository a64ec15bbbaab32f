/**
 * An async computation that awaits its own pending result fails with ComputeCycleError
 * (before the fix it never settled, and Node exited 0 with no output); concurrent
 * callers and recursion with other keys are unaffected; a sync same-key call recurses
 * exactly like untransformed code (no lock, no wait).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { clearAll, memo, singleton, stats } from "../../runtime/index.ts";
import { ComputeCycleError } from "../../runtime/errors.ts";
import { node24OrSkip } from "../support/node24.ts";
import { uniqueId } from "./helpers.ts";

// Tracking is on by default only where it costs other code nothing (Node 24+); these tests run on any Node.
process.env.AUTOMEMO_CYCLE_CHECK = "1";
afterEach(() => clearAll());

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

function metaFor(name: string, params: string[] = ["k"]) {
  return { id: uniqueId(name), hash: "v1", params };
}

describe("an async computation awaiting its own pending result", () => {
  it("fails with COMPUTE_CYCLE naming the function, instead of never settling", async () => {
    const meta = metaFor("selfAwait");
    const selfAwait: (k: number) => Promise<number> = memo(async (k: number): Promise<number> => {
      await tick();
      return (await selfAwait(k)) + 1;
    }, meta);
    const failure = await selfAwait(1).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ComputeCycleError);
    expect(failure).toMatchObject({ code: "COMPUTE_CYCLE", cycle: [meta.id, meta.id] });
    expect((failure as Error).message).toMatch(/^\[automemo\] .*selfAwait.* awaits its own pending result/);
    expect((failure as Error).message).toMatch(/uncached inner function/);
    // The failure is not cached: the key is computed again on the next call.
    expect(stats(selfAwait).entries).toBe(0);
  });

  it("names every function of an indirect cycle A(k) -> B(j) -> A(k)", async () => {
    const metaA = metaFor("cycleA");
    const metaB = metaFor("cycleB", ["j"]);
    const cycleB: (j: string) => Promise<number> = memo(async (j: string) => {
      await tick();
      return cycleA(Number(j));
    }, metaB);
    const cycleA: (k: number) => Promise<number> = memo(async (k: number) => {
      await tick();
      return cycleB(String(k));
    }, metaA);
    const failure = await cycleA(3).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ComputeCycleError);
    expect((failure as ComputeCycleError).cycle).toEqual([metaA.id, metaB.id, metaA.id]);
    expect((failure as Error).message).toContain(`${metaA.id} -> ${metaB.id} -> ${metaA.id}`);
  });

  it("is detected for singletons too", async () => {
    const meta = metaFor("selfSingleton", []);
    const connect: () => Promise<object> = singleton(async () => {
      await tick();
      return { inner: await connect() };
    }, meta);
    await expect(connect()).rejects.toMatchObject({ code: "COMPUTE_CYCLE" });
  });

  it("lets concurrent callers of one key wait for the one computation", async () => {
    let computations = 0;
    const slow = memo(async (k: number) => {
      computations++;
      await tick();
      return { k };
    }, metaFor("concurrent"));
    const results = await Promise.all([slow(1), slow(1), slow(1)]);
    expect(results).toEqual([{ k: 1 }, { k: 1 }, { k: 1 }]);
    expect(computations).toBe(1);
  });

  it("lets a caller outside the computation wait for it while the computation calls other keys", async () => {
    const fib: (n: number) => Promise<number> = memo(async (n: number): Promise<number> => {
      await tick();
      return n < 2 ? n : (await fib(n - 1)) + (await fib(n - 2));
    }, metaFor("fib"));
    const [a, b] = await Promise.all([fib(12), fib(12)]);
    expect([a, b]).toEqual([144, 144]);
  });
});

describe("a sync computation calling itself with the same key", () => {
  it("recurses like untransformed code, level by level, with no wait", () => {
    let depth = 0;
    const climb: (k: number) => number = memo((k: number): number => (++depth < 4 ? climb(k) + 1 : 0), metaFor("climb"));
    expect(climb(5)).toBe(3);
    expect(depth).toBe(4);
    expect(climb(5)).toBe(3);
    expect(depth).toBe(4);
  });

  it("overflows the stack like untransformed code when the recursion has no end", () => {
    const endless: (k: number) => number = memo((k: number): number => endless(k) + 1, metaFor("endless"));
    expect(() => endless(1)).toThrow(RangeError);
  });
});

describe("cycle tracking by default", () => {
  const child = fileURLToPath(new URL("./helpers/cycle-child.ts", import.meta.url));
  const run = (node: string, env: Record<string, string | undefined>) =>
    spawnSync(node, ["--import", "tsx", child], { encoding: "utf8", env: { ...process.env, AUTOMEMO_CYCLE_CHECK: undefined, ...env }, timeout: 60_000 });

  it("is on in Node 24 (AsyncLocalStorage on async context frames costs other code nothing)", (context) => {
    const result = run(node24OrSkip(context, "cycle tracking is on by default from Node 24"), {});
    expect(result.stdout.trim()).toBe("failed COMPUTE_CYCLE");
  });

  // The suite's own Node when it is older than 24; on Node 24 (.ci/run's second pass) the Node 20 that .ci/run exports.
  const node20 = Number(process.versions.node.split(".")[0]) < 24 ? process.execPath : process.env.AUTOMEMO_NODE20;

  it.runIf(node20)("is off in Node 20 unless AUTOMEMO_CYCLE_CHECK=1 (there it would slow every await of the process): the program ends with nothing settled, as documented", () => {
    expect(run(node20!, {}).stdout.trim()).toBe("");
    expect(run(node20!, { AUTOMEMO_CYCLE_CHECK: "1" }).stdout.trim()).toBe("failed COMPUTE_CYCLE");
  });
});
