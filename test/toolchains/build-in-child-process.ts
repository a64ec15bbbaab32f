/** One `npx webpack` / `npx rspack build`-like build, in a process of its own (a persistent cache is only proven across processes). */
import { execFileSync } from "node:child_process";
import { join } from "node:path";

const runCompiler = join(import.meta.dirname, "run-compiler.mjs");

/** Builds with `configFile` (relative to `root`); throws with the compiler's errors. */
export function buildInChildProcess(tool: "webpack" | "rspack", root: string, configFile: string): void {
  execFileSync(process.execPath, [runCompiler, tool, join(root, configFile)], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}
