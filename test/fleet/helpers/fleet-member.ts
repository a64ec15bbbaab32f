import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { tsxArgs } from "../../stores/helpers/run-child.ts";

const CHILD = fileURLToPath(new URL("./fleet-child.ts", import.meta.url));

/** A fleet-child.ts process: `send` one command, get its one-line JSON answer (commands are answered in order). */
export class FleetMember {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #waiting: ((reply: any) => void)[] = [];
  readonly ready: Promise<void>;
  stderr = "";

  constructor(env: NodeJS.ProcessEnv) {
    this.#child = spawn(process.execPath, tsxArgs(true, CHILD), { env: { ...process.env, ...env } });
    this.#child.stderr.on("data", (chunk) => (this.stderr += chunk));
    let started: () => void = () => {};
    this.ready = new Promise((resolve) => (started = resolve));
    createInterface({ input: this.#child.stdout }).on("line", (line) => {
      const reply = JSON.parse(line);
      if (reply.ready) started();
      else this.#waiting.shift()?.(reply);
    });
  }

  send(command: Record<string, unknown>): Promise<any> {
    return new Promise((resolve, reject) => {
      this.#waiting.push((reply) => (reply.error ? reject(new Error(`${reply.error}\n${this.stderr}`)) : resolve(reply)));
      this.#child.stdin.write(`${JSON.stringify(command)}\n`);
    });
  }

  stop(): void {
    this.#child.kill();
  }
}
