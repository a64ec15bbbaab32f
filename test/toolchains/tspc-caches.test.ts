/**
 * tspc with TypeScript's own build caches on (`incremental: true`, `tspc -b`, `tspc --watch`)
 * must never keep an old code hash. TypeScript re-emits only the files it thinks changed:
 * editing a helper's body in b.ts leaves b.ts's declaration (its "signature") as it was,
 * so a.ts, whose tagged function calls the helper, is not re-emitted unless automemo says so.
 * Each mode: build -> edit the helper -> build -> whitespace-only edit -> build -> bump an
 * imported package's version -> build, and a.js must carry the hash a fresh build gives.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { planModule } from "../../transformer/core/index.ts";
import { waitUntil } from "../support/wait.ts";

const repo = resolve(import.meta.dirname, "../..");
const workspace = join(repo, "test/.tmp/tspc-caches");
const tspc = join(repo, "node_modules/ts-patch/bin/tspc.js");

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

/** Runs tspc and returns what it printed on stderr (automemo's warnings). */
function tspcBuild(project: string, args: readonly string[]): string {
  const result = spawnSync(process.execPath, [tspc, ...args], { cwd: project, encoding: "utf8", timeout: 120_000 });
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

  edit(join(project, "src/b.ts"), helperSource("return n * 3;"));
  await rebuild();
  const afterHelperEdit = emittedHash(project);
  expect(afterHelperEdit).not.toBe(first);
  expect(afterHelperEdit).toBe(freshHash(project));

  edit(join(project, "src/b.ts"), `export function helper(n: number): number {\n\n    return   n * 3; // reformatted\n}\n`);
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

describe("tspc keeps no old code hash in TypeScript's build caches", () => {
  it("incremental: true (tsbuildinfo)", async () => {
    const project = writeProject("incremental", tsconfig());
    tspcBuild(project, ["-p", "."]);
    await expectHashesFollowEdits(project, async () => {
      tspcBuild(project, ["-p", "."]);
    });
  });

  it("tspc -b (an imported package's new version needs --force: the caveat tspc -b warns about)", async () => {
    const project = writeProject("build", tsconfig());
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

  it("tspc --watch", { timeout: 60_000 }, async () => {
    const project = writeProject("watch", tsconfig());
    let output = "";
    watcher = spawn(process.execPath, [tspc, "-p", ".", "--watch", "--preserveWatchOutput"], { cwd: project });
    watcher.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    watcher.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const builds = () => output.match(/Watching for file changes/g)?.length ?? 0;
    await waitUntil(() => builds() >= 1, () => `the first watch build (output: ${output})`, { timeoutMs: 30_000 });
    await expectHashesFollowEdits(project, async () => {
      const before = builds();
      await waitUntil(() => builds() > before, () => `a watch rebuild (output: ${output})`, { timeoutMs: 30_000 });
    });
  });
});
