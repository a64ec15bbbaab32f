/**
 * The stderr progress line of `automemo run`: a spinner naming the cached function
 * that is computing, shown only for computations that last longer than about a second
 * and only when stderr is a terminal (logs and pipes stay clean).
 */
import diagnostics from "node:diagnostics_channel";
import { COMPUTE_CHANNEL, type ComputeMessage } from "../../runtime/handle/compute-events.ts";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
export const SLOW_MISS_MS = 1000;
const FRAME_MS = 100;

export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export class SlowMissProgress {
  private readonly running = new Map<number, { id: string; startedAt: number }>();
  private nextToken = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private frame = 0;
  private lineShown = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly now: () => number = performance.now.bind(performance),
  ) {}

  /** A computation of `functionId` started; returns the token for `end`. */
  begin(functionId: string): number {
    const token = this.nextToken++;
    if (!this.stream.isTTY) return token;
    this.running.set(token, { id: functionId, startedAt: this.now() });
    // unref: a spinner must never keep a finished script alive.
    this.timer ??= setInterval(() => this.draw(), FRAME_MS).unref();
    return token;
  }

  end(token: number): void {
    if (!this.running.delete(token) || this.running.size > 0) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  /** The line that would be drawn now, or undefined while nothing has been slow yet. */
  render(): string | undefined {
    const now = this.now();
    let oldest: { id: string; startedAt: number } | undefined;
    for (const entry of this.running.values()) if (!oldest || entry.startedAt < oldest.startedAt) oldest = entry;
    if (!oldest || now - oldest.startedAt < SLOW_MISS_MS) return undefined;
    const others = this.running.size > 1 ? ` (+${this.running.size - 1} more)` : "";
    const seconds = ((now - oldest.startedAt) / 1000).toFixed(1);
    return `${FRAMES[this.frame % FRAMES.length]} computing ${oldest.id}${others} ${seconds}s`;
  }

  private draw(): void {
    const line = this.render();
    if (line === undefined) return;
    this.frame++;
    this.stream.write(`\r\x1b[2K${line}`);
    this.lineShown = true;
  }

  private clear(): void {
    if (!this.lineShown) return;
    this.stream.write("\r\x1b[2K");
    this.lineShown = false;
  }
}

/** Channel the runtime publishes computations on: `{ id, phase: "start" | "end", durationMs? }`. */
export { COMPUTE_CHANNEL };

/** Feeds the runtime's compute notifications into `progress`; returns the unsubscribe function. */
export function followComputations(progress: SlowMissProgress): () => void {
  const open = new Map<string, number[]>();
  const onMessage = (message: unknown): void => {
    const { id, phase } = message as ComputeMessage;
    if (phase === "start") {
      const tokens = open.get(id) ?? [];
      tokens.push(progress.begin(id));
      open.set(id, tokens);
      return;
    }
    const token = open.get(id)?.shift();
    if (token !== undefined) progress.end(token);
  };
  diagnostics.subscribe(COMPUTE_CHANNEL, onMessage);
  return () => diagnostics.unsubscribe(COMPUTE_CHANNEL, onMessage);
}
