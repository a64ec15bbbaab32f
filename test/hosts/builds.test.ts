/**
 * Real builds of the example projects, the way users run them: `tspc -p` (ts-patch 3
 * with TypeScript 6.0 and 5.9, ts-patch 4 under Node 24) with the tsconfig plugin
 * entry `automemo/typescript`, and the Babel CLI with `automemo/babel` in
 * babel.config.json. Each build runs in a copy under test/.tmp whose
 * node_modules/automemo links to this package (what `npm install` of the example's
 * `file:../..` dependency creates), so the plugin and the runtime come from dist/.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { node24OrSkip } from "../support/node24.ts";

const repo = resolve(import.meta.dirname, "../..");
const workspace = join(repo, "test/.tmp/host-builds");
const tspc3 = join(repo, "node_modules/ts-patch/bin/tspc.js");
/**
 * ts-patch 4 is installed on first use next to the Node 24 that .ci/run installs, not
 * as a devDependency: its `tspc` and `ts-patch` bins would replace ts-patch 3's.
 */
const tsPatch4Prefix = join(repo, ".cache/ts-patch4");
const tspc4 = join(tsPatch4Prefix, "node_modules/ts-patch/bin/tspc.js");
const plainTsc = join(repo, "node_modules/typescript/bin/tsc");
const babelCli = join(repo, "node_modules/@babel/cli/bin/babel.js");


function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, timeout: 120_000 });
}

function expectSuccess(result: SpawnSyncReturns<string>, what: string): string {
  if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** A fresh copy of an example with node_modules/automemo -> this package. */
function copyExample(example: string, name: string): string {
  const target = join(workspace, name);
  rmSync(target, { recursive: true, force: true });
  cpSync(join(repo, "examples", example), target, { recursive: true, filter: (path) => !/[\\/](dist|node_modules)$/.test(path) });
  mkdirSync(join(target, "node_modules"), { recursive: true });
  symlinkSync(repo, join(target, "node_modules/automemo"), "dir");
  return target;
}

function installTsPatch4(): void {
  if (existsSync(tspc4)) return;
  const args = ["install", "--prefix", tsPatch4Prefix, "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "ts-patch@4"];
  expectSuccess(run("npm", args, repo), "npm install ts-patch@4");
}

function lastJsonLine(stdout: string): any {
  const line = stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(line);
}

function declarationFiles(folder: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(folder)
      .filter((name) => /\.d\.[cm]?ts$/.test(name))
      .sort()
      .map((name) => [name, readFileSync(join(folder, name), "utf8")]),
  );
}

function expectTscProjectResult(stdout: string): void {
  const result = lastJsonLine(stdout);
  expect(result).toMatchObject({
    factorial10: 3628800,
    factorial9: 362880,
    fibonacci40: 102334155,
    apples: [
      ["apple", "apricot"],
      ["apple", "apricot"],
    ],
    catalogLookups: 1,
    sameSettings: true,
  });
  // factorial(10) computes 10 entries; factorial(9) afterwards is a hit.
  expect(result.stats.factorial).toMatchObject({ misses: 10, hits: 1, entries: 10 });
  expect(result.stats.fibonacci.misses).toBe(41);
  expect(result.stats.fibonacci.hits).toBeGreaterThanOrEqual(38);
  expect(result.stats.loadSettings).toMatchObject({ misses: 1, hits: 1 });
}

beforeAll(() => {
  for (const file of ["dist/index.js", "dist/index.cjs", "dist/typescript.cjs", "dist/babel.cjs"]) {
    if (!existsSync(join(repo, file))) throw new Error(`${file} is missing: run \`npm run build\` first (\`npm test\` does).`);
  }
  mkdirSync(workspace, { recursive: true });
});

describe("tspc -p with the automemo/typescript tsconfig plugin", () => {
  function buildWithTspc3(name: string, env: NodeJS.ProcessEnv, version: string): string {
    const project = copyExample("tsc-project", name);
    expect(expectSuccess(run(process.execPath, [tspc3, "-v"], project, env), "tspc -v")).toContain(`Version ${version}.`);
    expectSuccess(run(process.execPath, [tspc3, "-p", "."], project, env), "tspc -p .");
    return project;
  }

  function expectCachingOutput(project: string, node = process.execPath): void {
    expect(readFileSync(join(project, "dist/math.js"), "utf8")).toContain('import { cacheHandle as __am_cacheHandle, MISS as __am_MISS } from "automemo";');
    expect(readFileSync(join(project, "dist/config.cjs"), "utf8")).toContain('const { cacheHandle: __am_cacheHandle, MISS: __am_MISS } = require("automemo");');
    expectTscProjectResult(expectSuccess(run(node, ["dist/main.js"], project), "node dist/main.js"));
  }

  it("ts-patch 3 + TypeScript 6.0 builds the example: the output caches and the .d.ts files equal a plain tsc build", () => {
    const project = buildWithTspc3("tsc6", {}, "6.0");
    expectCachingOutput(project);
    // Plain tsc ignores "transform" plugin entries.
    expectSuccess(run(process.execPath, [plainTsc, "-p", ".", "--outDir", "dist-plain"], project), "tsc");
    expect(readFileSync(join(project, "dist-plain/math.js"), "utf8")).not.toContain("__am_cacheHandle");
    const declarations = declarationFiles(join(project, "dist"));
    expect(Object.keys(declarations)).toEqual(["config.d.cts", "main.d.ts", "math.d.ts"]);
    expect(declarations).toEqual(declarationFiles(join(project, "dist-plain")));
  });

  it("ts-patch 3 + TypeScript 5.9 builds the example and the output caches", () => {
    // ts-patch's live compiler patches the TypeScript at TSP_COMPILER_TS_PATH instead of its own `typescript`.
    expectCachingOutput(buildWithTspc3("tsc5", { TSP_COMPILER_TS_PATH: join(repo, "node_modules/typescript5") }, "5.9"));
  });

  it("fails the build on a bad tag and prints the problem with file:line", () => {
    const project = copyExample("tsc-project", "bad-tag");
    writeFileSync(join(project, "src/bad.ts"), `export const a = 1;\n/** @memo { ttl: "soon" } */\nexport function f(n: number) {\n  return n;\n}\n`);
    const result = run(process.execPath, [tspc3, "-p", ".", "--pretty", "false"], project);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toMatch(/src\/bad\.ts\(2,\d+\): error TS90401: \[automemo\] Invalid option 'ttl'.*"soon" is not a duration.*\(AUTOMEMO_INVALID_OPTION\)/);
  });

  it("works through ts-patch 4 under Node 22.15+", { timeout: 240_000 }, (context) => {
    const node24 = node24OrSkip(context, "ts-patch 4 needs Node 22.15+");
    installTsPatch4();
    const project = copyExample("tsc-project", "ts-patch4");
    const env = { TSP_COMPILER_TS_PATH: join(repo, "node_modules/typescript") };
    expect(expectSuccess(run(node24, [tspc4, "-v"], project, env), "tspc 4 -v")).toContain("Version 6.0.");
    expectSuccess(run(node24, [tspc4, "-p", "."], project, env), "ts-patch 4 tspc -p .");
    expectCachingOutput(project, node24);
  });
});

describe("the Babel CLI with automemo/babel in babel.config.json", () => {
  it("builds the example with preset-typescript and preset-env, and the output caches", () => {
    const project = copyExample("babel-project", "babel-cli");
    expectSuccess(run(process.execPath, [babelCli, "src", "--out-dir", "dist", "--extensions", ".ts", "--source-maps"], project), "babel src");
    const pages = readFileSync(join(project, "dist/pages.js"), "utf8");
    expect(pages).toContain('var _automemo = require("automemo");');
    expect(pages).toMatch(/const __am_0 = \(0, _automemo\.cacheHandle\)\("memo", \{\n\s+id: "src\/pages\.ts#getPage"/);
    expect(existsSync(join(project, "dist/pages.js.map"))).toBe(true);
    const result = lastJsonLine(expectSuccess(run(process.execPath, ["dist/main.js"], project), "node dist/main.js"));
    expect(result).toMatchObject({ first: { number: 2, rows: [6, 7, 8] }, sameRows: true, queries: 1, sameConnection: true });
    expect(result.stats.getPage).toMatchObject({ hits: 1, misses: 1 });
    expect(result.stats.connect).toMatchObject({ hits: 1, misses: 1 });
  });
});
