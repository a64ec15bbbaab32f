import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer, connect } from "node:net";

/** Whether the Redis tests can run here, and why not. CI sets AUTOMEMO_REQUIRE_REDIS=1 so they never skip there. */
export function redisAvailability(): { available: boolean; reason: string; required: boolean } {
  const required = process.env.AUTOMEMO_REQUIRE_REDIS === "1";
  const probe = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    return { available: false, required, reason: "redis-server is not on PATH (install it, e.g. apt-get install redis-server)" };
  }
  return { available: true, required, reason: "" };
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** A throwaway redis-server (used by the tests and by bench/persistence.ts) on a loopback port, with no persistence; can be stopped, paused and restarted on the same port. */
export class RedisServer {
  #child: ChildProcess | undefined;

  /** `extraArgs`: more redis-server arguments, e.g. `["--requirepass", "secret"]`. */
  private constructor(
    readonly port: number,
    private readonly extraArgs: readonly string[],
  ) {}

  static async start(extraArgs: readonly string[] = []): Promise<RedisServer> {
    const server = new RedisServer(await freeLoopbackPort(), extraArgs);
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Start the server (again) on the same port; a no-op while it runs, so no second server is ever orphaned. */
  async restart(): Promise<void> {
    if (this.running) return;
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...this.extraArgs];
    const child = spawn("redis-server", args, { stdio: "ignore" });
    this.#child = child;
    // Even if the test process dies before its afterAll, the server must not outlive it.
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    child.once("exit", () => process.off("exit", killOnExit));
    const started = Date.now();
    while (!(await canConnect(this.port))) {
      if (Date.now() - started > 10_000) throw new Error(`redis-server did not start on port ${this.port}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** SIGKILL: the server vanishes mid-conversation, like a crash. */
  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  /** SIGSTOP/SIGCONT: the server keeps its connections but answers nothing (a "slow" Redis). */
  pause(): void {
    this.#child?.kill("SIGSTOP");
  }

  resume(): void {
    this.#child?.kill("SIGCONT");
  }
}

