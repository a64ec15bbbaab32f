/** The slow-miss spinner: only on a terminal, only after about a second, cleared when done. */
import diagnostics from "node:diagnostics_channel";
import { afterEach, describe, expect, it, vi } from "vitest";
import { COMPUTE_CHANNEL, SLOW_MISS_MS, SlowMissProgress, followComputations } from "../../cli/run/progress.ts";

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, writes, write: (text: string) => writes.push(text) };
}

describe("slow miss progress", () => {
  afterEach(() => vi.useRealTimers());

  it("shows the computing function after a second on a terminal, then clears the line", () => {
    vi.useFakeTimers();
    let now = 0;
    const stream = fakeStream(true);
    const progress = new SlowMissProgress(stream, () => now);
    const token = progress.begin("src/a.ts#load");
    now = SLOW_MISS_MS - 1;
    vi.advanceTimersByTime(SLOW_MISS_MS - 1);
    expect(stream.writes).toEqual([]);
    now = SLOW_MISS_MS + 500;
    vi.advanceTimersByTime(600);
    expect(stream.writes.at(-1)).toMatch(/computing src\/a\.ts#load 1\.5s$/);
    progress.end(token);
    expect(stream.writes.at(-1)).toBe("\r\x1b[2K");
  });

  it("writes nothing when stderr is not a terminal", () => {
    vi.useFakeTimers();
    let now = 0;
    const stream = fakeStream(false);
    const progress = new SlowMissProgress(stream, () => now);
    progress.begin("src/a.ts#load");
    now = 5000;
    vi.advanceTimersByTime(5000);
    expect(stream.writes).toEqual([]);
  });

  it("follows the runtime's compute channel", () => {
    let now = 0;
    const progress = new SlowMissProgress(fakeStream(true), () => now);
    const unsubscribe = followComputations(progress);
    diagnostics.channel(COMPUTE_CHANNEL).publish({ id: "src/a.ts#load", phase: "start" });
    now = 2000;
    expect(progress.render()).toMatch(/computing src\/a\.ts#load 2\.0s/);
    diagnostics.channel(COMPUTE_CHANNEL).publish({ id: "src/a.ts#load", phase: "end" });
    expect(progress.render()).toBeUndefined();
    unsubscribe();
  });
});
