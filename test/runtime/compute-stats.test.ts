/** computeMs / storeHits in stats(), and the "automemo:compute" diagnostics channel. */
import diagnostics from "node:diagnostics_channel";
import { afterEach, describe, expect, it } from "vitest";
import { clearAll, COMPUTE_CHANNEL, memo, stats, type ComputeMessage } from "../../runtime/index.ts";
import { uniqueId } from "./helpers.ts";

afterEach(() => clearAll());

function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

function listen(): { messages: ComputeMessage[]; stop(): void } {
  const messages: ComputeMessage[] = [];
  const onMessage = (message: unknown) => messages.push(message as ComputeMessage);
  diagnostics.subscribe(COMPUTE_CHANNEL, onMessage);
  return { messages, stop: () => diagnostics.unsubscribe(COMPUTE_CHANNEL, onMessage) };
}

describe("compute time and store hits in stats", () => {
  it("adds the time of each computed miss, sync and async (until the promise settles), and nothing for hits", async () => {
    const slow = memo((n: number) => (busyWait(20), n), { id: uniqueId("compute-sync"), params: ["n"] });
    slow(1);
    const afterMiss = stats(slow).computeMs;
    expect(afterMiss).toBeGreaterThanOrEqual(19);
    slow(1);
    expect(stats(slow)).toMatchObject({ hits: 1, misses: 1, storeHits: 0, computeMs: afterMiss });

    const later = memo(async (n: number) => {
      await new Promise((done) => setTimeout(done, 30));
      return n;
    }, { id: uniqueId("compute-async"), params: ["n"] });
    const pending = later(1);
    expect(stats(later).computeMs).toBe(0);
    await pending;
    expect(stats(later).computeMs).toBeGreaterThanOrEqual(25);
  });

  it("counts the time of computations that throw", () => {
    const failing = memo((_n: number) => {
      busyWait(10);
      throw new Error("boom");
    }, { id: uniqueId("compute-throws"), params: ["n"] });
    expect(() => failing(1)).toThrow("boom");
    expect(stats(failing).computeMs).toBeGreaterThanOrEqual(9);
  });

  it("sums computeMs and storeHits in the totals", () => {
    const id = uniqueId("compute-totals");
    const f = memo((n: number) => (busyWait(5), n), { id, params: ["n"] });
    f(1);
    const total = stats();
    expect(total.functions[id]!.computeMs).toBeGreaterThan(0);
    expect(total.computeMs).toBeGreaterThanOrEqual(total.functions[id]!.computeMs);
    expect(total.storeHits).toBeGreaterThanOrEqual(0);
  });
});

describe("the automemo:compute channel", () => {
  it("announces the start and end of a miss, with its duration, and nothing for hits", async () => {
    const id = uniqueId("channel");
    const load = memo(async (n: number) => {
      await new Promise((done) => setTimeout(done, 20));
      return n;
    }, { id, params: ["n"] });
    const listener = listen();
    try {
      const pending = load(1);
      expect(listener.messages).toEqual([{ id, phase: "start" }]);
      await pending;
      expect(listener.messages).toHaveLength(2);
      expect(listener.messages[1]).toMatchObject({ id, phase: "end" });
      expect(listener.messages[1]!.durationMs).toBeGreaterThanOrEqual(15);
      await load(1);
      expect(listener.messages).toHaveLength(2);
    } finally {
      listener.stop();
    }
  });

  it("ends a computation that throws", () => {
    const id = uniqueId("channel-throws");
    const failing = memo((_n: number) => {
      throw new Error("boom");
    }, { id, params: ["n"] });
    const listener = listen();
    try {
      expect(() => failing(1)).toThrow("boom");
      expect(listener.messages.map((message) => message.phase)).toEqual(["start", "end"]);
    } finally {
      listener.stop();
    }
  });
});
