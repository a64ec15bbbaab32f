/**
 * Every tsconfig.json that docs/typescript.md and docs/hosts.md show, built literally the
 * way the page says (`npm run build` with the page's scripts, i.e. `tspc -p .`) with
 * ts-patch 3 on TypeScript 6.0 and 5.9, then run: the output must cache. Plain `tsc` 6.0
 * must accept each config too (TypeScript 6.0 rejects an `outDir` without `rootDir`, TS5011).
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { codeBlocks } from "../support/markdown.ts";

const repo = resolve(import.meta.dirname, "../..");
const workspace = join(repo, "test/.tmp/tspc-docs");

function tsconfigsOf(page: string): string[] {
  const blocks = codeBlocks(join(repo, "docs", page), "json").filter((block) => block.includes('"compilerOptions"'));
  expect(blocks.length, `${page} shows a tsconfig.json`).toBeGreaterThan(0);
  return blocks;
}

function scriptsOf(page: string): Record<string, string> {
  const block = codeBlocks(join(repo, "docs", page), "json").find((candidate) => candidate.includes('"scripts"'));
  if (!block) throw new Error(`${page} shows no package.json scripts`);
  return (JSON.parse(block) as { scripts: Record<string, string> }).scripts;
}

function expectSuccess(result: SpawnSyncReturns<string>, what: string): string {
  if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** A user's project: the page's tsconfig and scripts, automemo and ts-patch installed, a cached function calling a helper. */
function writeProject(name: string, tsconfig: string, scripts: Record<string, string>): string {
  const project = join(workspace, name);
  rmSync(project, { recursive: true, force: true });
  mkdirSync(join(project, "src"), { recursive: true });
  mkdirSync(join(project, "node_modules/.bin"), { recursive: true });
  symlinkSync(repo, join(project, "node_modules/automemo"), "dir");
  symlinkSync(join(repo, "node_modules/ts-patch"), join(project, "node_modules/ts-patch"), "dir");
  symlinkSync("../ts-patch/bin/tspc.js", join(project, "node_modules/.bin/tspc"));
  writeFileSync(join(project, "package.json"), JSON.stringify({ name, private: true, type: "module", scripts }, null, 2));
  writeFileSync(join(project, "tsconfig.json"), tsconfig);
  writeFileSync(join(project, "src/helpers.ts"), "export function double(n: number): number {\n  return n * 2;\n}\n");
  writeFileSync(
    join(project, "src/main.ts"),
    `import { stats } from "automemo";\nimport { double } from "./helpers.js";\n\nlet runs = 0;\n\n/** @memo */\nexport function work(n: number): number {\n  runs++;\n  return double(n);\n}\n\nconsole.log(JSON.stringify({ results: [work(2), work(2), work(3)], runs, hits: stats(work).hits }));\n`,
  );
  return project;
}

const typeScripts = [
  { version: "6.0", env: {} },
  // ts-patch's live compiler patches the TypeScript at TSP_COMPILER_TS_PATH instead of its own `typescript`.
  { version: "5.9", env: { TSP_COMPILER_TS_PATH: join(repo, "node_modules/typescript5") } },
];

/** Each distinct tsconfig the pages show, once (hosts.md repeats typescript.md's). */
const pages = ["typescript.md", "hosts.md"];
const tsconfigs = [...new Set(pages.flatMap(tsconfigsOf))];
const scripts = scriptsOf("typescript.md");

describe("each tsconfig.json of docs/typescript.md and docs/hosts.md, built literally", () => {
  it.each(typeScripts)("npm run build with TypeScript $version: the output caches", { timeout: 600_000 }, ({ version, env }) => {
    tsconfigs.forEach((tsconfig, index) => {
      const project = writeProject(`config${index}-ts${version}`, tsconfig, scripts);
      const run = (command: string, args: string[]) => spawnSync(command, args, { cwd: project, encoding: "utf8", env: { ...process.env, ...env }, timeout: 300_000 });
      expect(expectSuccess(run(process.execPath, ["node_modules/.bin/tspc", "-v"]), "tspc -v")).toContain(`Version ${version}.`);
      expectSuccess(run("npm", ["run", "--silent", "build"]), "npm run build");
      const output = JSON.parse(expectSuccess(run(process.execPath, ["dist/main.js"]), "node dist/main.js").trim()) as unknown;
      expect(output).toEqual({ results: [4, 4, 6], runs: 2, hits: 1 });
    });
  });

  it("plain tsc 6.0 accepts each as written (no TS5011)", { timeout: 120_000 }, () => {
    tsconfigs.forEach((tsconfig, index) => {
      const project = writeProject(`config${index}-plain`, tsconfig, {});
      expectSuccess(spawnSync(process.execPath, [join(repo, "node_modules/typescript/bin/tsc"), "-p", "."], { cwd: project, encoding: "utf8" }), "tsc -p .");
    });
  });
});
