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

export function createLoaderProject(files: Record<string, string>, installed: readonly ("typescript" | "esbuild")[] = ["typescript"]): LoaderProject {
  const root = mkdtempSync(join(tmpdir(), "automemo-loader-"));
  mkdirSync(join(root, "node_modules"));
  symlinkSync(repo, join(root, "node_modules/automemo"), "dir");
  for (const name of installed) symlinkSync(join(repo, "node_modules", name), join(root, "node_modules", name), "dir");
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

/** `node --import <built register> <script>` in the project. */
export function runWithLoader(project: LoaderProject, script: string): NodeRun {
  const run = spawnSync(process.execPath, ["--import", builtRegister, script], { cwd: project.root, encoding: "utf8" });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Parses the last stdout line, where the scripts print their JSON report. */
export function lastJsonLine<T>(run: NodeRun): T {
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as T;
}
