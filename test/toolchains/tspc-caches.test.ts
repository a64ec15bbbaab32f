/**
 * tspc with TypeScript's own build caches on (`incremental: true`, `tspc -b`, `tspc --watch`)
 * must never keep an old code hash. TypeScript re-emits only the files it thinks changed:
 * editing a helper's body in b.ts leaves b.ts's declaration (its "signature") as it was,
 * so a.ts, whose tagged function calls the helper, is not re-emitted unless automemo says so.
 * Each mode: build -> edit the helper -> build -> whitespace-only edit -> build -> bump an
 * imported package's version -> build, and a.js must carry the hash a fresh build gives.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { planModule } from "../../transformer/core/index.ts";
import { node24OrSkip } from "../support/node24.ts";
import { waitUntil } from "../support/wait.ts";

const repo = resolve(import.meta.dirname, "../..");
const workspace = join(repo, "test/.tmp/tspc-caches");
const tspc = join(repo, "node_modules/ts-patch/bin/tspc.js");

/** ts-patch 4, installed on first use where test/hosts/builds.test.ts installs it (a devDependency would replace ts-patch 3's bins). */
function installTsPatch4(): string {
  const prefix = join(repo, ".cache/ts-patch4");
  const bin = join(prefix, "node_modules/ts-patch/bin/tspc.js");
  if (existsSync(bin)) return bin;
  const args = ["install", "--prefix", prefix, "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "ts-patch@4"];
  const result = spawnSync("npm", args, { cwd: repo, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`npm install ts-patch@4 failed:\n${result.stdout}\n${result.stderr}`);
  return bin;
}

const helperSource = (body: string) => `export function helper(n: number): number {\n  ${body}\n}\n`;

function writeProject(name: string, tsconfig: object): string {
  const project = join(workspace, name);
  rmSync(project, { recursive: true, force: true });
  mkdirSync(join(project, "src"), { recursive: true });
  mkdirSync(join(project, "node_modules/dep-pkg"), { recursive: true });
  symlinkSync(repo, join(project, "node_modules/automemo"), "dir");
  writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(join(project, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
  writeFileSync(
    join(project, "src/a.ts"),
    `import { helper } from "./b.js";\nimport { offset } from "dep-pkg";\n\n/** @memo */\nexport function compute(n: number): number {\n  return helper(n) + offset;\n}\n`,
  );
  writeFileSync(join(project, "src/b.ts"), helperSource("return n * 2;"));
  writeDependency(project, "1.0.0");
  writeFileSync(join(project, "node_modules/dep-pkg/index.js"), "export const offset = 1;\n");
  writeFileSync(join(project, "node_modules/dep-pkg/index.d.ts"), "export declare const offset: number;\n");
  return project;
}

function writeDependency(project: string, version: string): void {
  const manifest = { name: "dep-pkg", version, type: "module", main: "index.js", types: "index.d.ts" };
  edit(join(project, "node_modules/dep-pkg/package.json"), JSON.stringify(manifest));
}

/** Writes and moves the modification time ahead, so timestamp checks (`tsc -b`) see the edit. */
function edit(file: string, text: string): void {
  writeFileSync(file, text);
  const later = new Date(Date.now() + 2000);
  utimesSync(file, later, later);
}

const tsconfig = (extra: object = {}) => ({
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    skipLibCheck: true,
    types: [],
    rootDir: "src",
    outDir: "dist",
    incremental: true,
    plugins: [{ transform: "automemo/typescript", transformProgram: true }],
    ...extra,
  },
  include: ["src"],
});

function emittedHash(project: string): string {
  const match = /hash: "([0-9a-f]{16})"/.exec(readFileSync(join(project, "dist/a.js"), "utf8"));
  if (!match) throw new Error("dist/a.js has no automemo handle");
  return match[1]!;
}

/** The hash a fresh, cache-free build of the current sources gives. */
function freshHash(project: string): string {
  const file = join(project, "src/a.ts");
  const plan = planModule(readFileSync(file, "utf8"), { filename: file, root: project, dependencyCache: false });
  return plan.functions[0]!.meta.hash;
}

/** Which tspc runs which TypeScript on which Node. */
interface Compiler {
  readonly node: string;
  readonly tspc: string;
  readonly env: NodeJS.ProcessEnv;
}

const tspc3WithTs6: Compiler = { node: process.execPath, tspc, env: {} };

/** Runs tspc and returns what it printed on stderr (automemo's warnings). */
function tspcBuild(project: string, args: readonly string[], compiler: Compiler = tspc3WithTs6): string {
  const result = spawnSync(compiler.node, [compiler.tspc, ...args], { cwd: project, encoding: "utf8", env: { ...process.env, ...compiler.env }, timeout: 300_000 });
  if (result.status !== 0) throw new Error(`tspc ${args.join(" ")} failed (exit ${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  return result.stderr;
}

/**
 * The edit sequence every mode runs; `rebuild` returns once the build after an edit is
 * written, `rebuildAfterPackageBump` (default `rebuild`) after a dependency's version changed.
 */
async function expectHashesFollowEdits(project: string, rebuild: () => Promise<void>, rebuildAfterPackageBump = rebuild): Promise<void> {
  const first = emittedHash(project);
  expect(first).toBe(freshHash(project));

  // Twice: the first rebuild after a full build compares file versions instead of declaration
  // signatures, so it re-emits importers anyway; from the second on, only signatures count.
  let afterHelperEdit = first;
  for (const body of ["return n * 3;", "return n * 4;"]) {
    const before = afterHelperEdit;
    edit(join(project, "src/b.ts"), helperSource(body));
    await rebuild();
    afterHelperEdit = emittedHash(project);
    expect(afterHelperEdit).not.toBe(before);
    expect(afterHelperEdit).toBe(freshHash(project));
  }

  edit(join(project, "src/b.ts"), `export function helper(n: number): number {\n\n    return   n * 4; // reformatted\n}\n`);
  await rebuild();
  expect(emittedHash(project)).toBe(afterHelperEdit);

  writeDependency(project, "1.0.1");
  await rebuildAfterPackageBump();
  const afterBump = emittedHash(project);
  expect(afterBump).not.toBe(afterHelperEdit);
  expect(afterBump).toBe(freshHash(project));
}

beforeAll(() => {
  if (!readFileSync(join(repo, "dist/typescript.cjs"), "utf8")) throw new Error("run `npm run build` first");
  mkdirSync(workspace, { recursive: true });
});

describe("tspc keeps no old code hash in TypeScript's build caches", { timeout: 600_000 }, () => {
  it("incremental: true (tsbuildinfo)", async () => {
    const project = writeProject("incremental", tsconfig());
    tspcBuild(project, ["-p", "."]);
    await expectHashesFollowEdits(project, async () => {
      tspcBuild(project, ["-p", "."]);
    });
  });

  it("without transformProgram the plain transform entry keeps the old hash, and tspc warns so", async () => {
    const project = writeProject("incremental-plain-entry", tsconfig({ plugins: [{ transform: "automemo/typescript" }] }));
    expect(tspcBuild(project, ["-p", "."])).toContain(`add "transformProgram": true to the "automemo/typescript" entry`);
    edit(join(project, "src/b.ts"), helperSource("return n * 3;"));
    tspcBuild(project, ["-p", "."]); // re-emits importers anyway (see expectHashesFollowEdits)
    const before = emittedHash(project);
    edit(join(project, "src/b.ts"), helperSource("return n * 4;"));
    tspcBuild(project, ["-p", "."]);
    expect(emittedHash(project)).toBe(before);
    expect(freshHash(project)).not.toBe(before);
  });

  it("incremental: true with TypeScript 5.9", async () => {
    // ts-patch's live compiler patches the TypeScript at TSP_COMPILER_TS_PATH instead of its own `typescript`.
    const compiler = { ...tspc3WithTs6, env: { TSP_COMPILER_TS_PATH: join(repo, "node_modules/typescript5") } };
    expect(spawnSync(compiler.node, [compiler.tspc, "-v"], { encoding: "utf8", env: { ...process.env, ...compiler.env } }).stdout).toContain("Version 5.9.");
    const project = writeProject("incremental-ts5", tsconfig());
    tspcBuild(project, ["-p", "."], compiler);
    await expectHashesFollowEdits(project, async () => {
      tspcBuild(project, ["-p", "."], compiler);
    });
  });

  it("incremental: true with ts-patch 4 under Node 22.15+", async (context) => {
    const node = node24OrSkip(context, "ts-patch 4 needs Node 22.15+");
    const compiler = { node, tspc: installTsPatch4(), env: { TSP_COMPILER_TS_PATH: join(repo, "node_modules/typescript") } };
    const project = writeProject("incremental-ts-patch4", tsconfig());
    tspcBuild(project, ["-p", "."], compiler);
    await expectHashesFollowEdits(project, async () => {
      tspcBuild(project, ["-p", "."], compiler);
    });
  });

  // composite (declarations on), as projects built with -b usually are: then TypeScript compares declaration
  // signatures, which a helper edit inside a body leaves unchanged.
  it("tspc -b with composite: true (an imported package's new version needs --force: the caveat tspc -b warns about)", async () => {
    const project = writeProject("build", tsconfig({ composite: true }));
    expect(tspcBuild(project, ["-b", "."])).toContain("[automemo] tspc -b decides that a project is up to date");
    const rebuild = async () => {
      tspcBuild(project, ["-b", "."]);
    };
    await expectHashesFollowEdits(project, rebuild, async () => {
      // TypeScript's up-to-date check of build mode reads only the project's own files and
      // tsconfig, so it builds nothing (and runs no plugin) after a package update.
      const before = emittedHash(project);
      await rebuild();
      expect(emittedHash(project)).toBe(before);
      tspcBuild(project, ["-b", ".", "--force"]);
    });
  });

  let watcher: ChildProcess | undefined;
  afterEach(() => {
    watcher?.kill();
    watcher = undefined;
  });

  it("tspc --watch", async () => {
    const project = writeProject("watch", tsconfig());
    let output = "";
    watcher = spawn(process.execPath, [tspc, "-p", ".", "--watch", "--preserveWatchOutput"], { cwd: project });
    watcher.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    watcher.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const builds = () => output.match(/Watching for file changes/g)?.length ?? 0;
    await waitUntil(() => builds() >= 1, () => `the first watch build (output: ${output})`, { timeoutMs: 120_000 });
    await expectHashesFollowEdits(project, async () => {
      const before = builds();
      await waitUntil(() => builds() > before, () => `a watch rebuild (output: ${output})`, { timeoutMs: 120_000 });
    });
  });
});
