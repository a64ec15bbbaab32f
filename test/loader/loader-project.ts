/**
 * Throw-away projects for the Node loader tests, outside the repository so module
 * resolution sees only what each project installs: `automemo` (this repository, built)
 * and the type stripper the test chooses, linked into its node_modules.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { expect } from "vitest";

export const repo = resolve(import.meta.dirname, "../..");
export const builtRegister = join(repo, "dist/register.js");

/** The loader is tested as published: `node --import <dist/register.js>`. */
export function expectBuiltPackage(): void {
  expect(existsSync(builtRegister), "run `npm run build` first (npm test does)").toBe(true);
}

export interface LoaderProject {
  readonly root: string;
  remove(): void;
}

/** What a project can have installed: `typescript7` is TypeScript 7 installed as `typescript` (what `npm install typescript` gives today). */
export type Installable = "typescript" | "typescript7" | "esbuild";

export function createLoaderProject(files: Record<string, string>, installed: readonly Installable[] = ["typescript"]): LoaderProject {
  const root = mkdtempSync(join(tmpdir(), "automemo-loader-"));
  mkdirSync(join(root, "node_modules"));
  symlinkSync(repo, join(root, "node_modules/automemo"), "dir");
  for (const name of installed) {
    symlinkSync(join(repo, "node_modules", name), join(root, "node_modules", name === "typescript7" ? "typescript" : name), "dir");
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

export interface NodeRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** The Node binary (default: the one running the tests). */
  readonly node?: string;
  readonly env?: Record<string, string>;
}

/** `node --import <built register> <script>` in the project. */
export function runWithLoader(project: LoaderProject, script: string, { node = process.execPath, env = {} }: RunOptions = {}): NodeRun {
  const run = spawnSync(node, ["--import", builtRegister, script], { cwd: project.root, encoding: "utf8", env: { ...process.env, ...env } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function nodeMajorMinor(version: string): number {
  const [major, minor] = version.replace(/^v/, "").split(".").map(Number);
  return major! * 1000 + minor!;
}

/**
 * The Node binaries the version-dependent tests need, whichever Node runs the suite:
 * one without built-in type stripping or `module.registerHooks` (Node 20; `AUTOMEMO_NODE20`
 * when the suite runs on a newer one) and one with both (Node 22.15+; `AUTOMEMO_NODE24`
 * when the suite runs on Node 20). `.ci/run` sets both.
 */
export const nodes = {
  old: nodeMajorMinor(process.version) < 22_013 ? process.execPath : process.env.AUTOMEMO_NODE20,
  current: nodeMajorMinor(process.version) >= 22_015 ? process.execPath : process.env.AUTOMEMO_NODE24,
};

/** Parses the last stdout line, where the scripts print their JSON report. */
export function lastJsonLine<T>(run: NodeRun): T {
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as T;
}
