import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const LAUNCHER = fileURLToPath(new URL("./preload-redis-then-tsx.mjs", import.meta.url));
const CHILD_SCRIPT = fileURLToPath(new URL("./store-child.ts", import.meta.url));

/** argv for running a TypeScript file in a fresh Node process (`usesRedis`: load the client fast). */
export function tsxArgs(usesRedis: boolean, script: string, ...args: string[]): string[] {
  return [LAUNCHER, ...(usesRedis ? ["--preload-redis"] : []), script, ...args];
}

export interface ChildResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawns `node args...` and collects its exit code and output. */
export function spawnAndCollect(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Run store-child.ts in a fresh Node process (through tsx) with JSON instructions. */
export function runStoreChild(instructions: { store: "disk" | "redis"; [field: string]: unknown }, env: NodeJS.ProcessEnv = {}): Promise<ChildResult> {
  return spawnAndCollect(tsxArgs(instructions.store === "redis", CHILD_SCRIPT, JSON.stringify(instructions)), env);
}

/** The JSON line the child printed last. */
export function childOutput(result: ChildResult): any {
  if (result.code !== 0) throw new Error(`child exited with ${result.code}: ${result.stderr}`);
  const lines = result.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!);
}
