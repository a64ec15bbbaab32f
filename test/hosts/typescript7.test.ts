/**
 * `npm install typescript` installs TypeScript 7, the native compiler, which has no
 * JavaScript compiler API. Every way of reaching the TypeScript host with it must end in
 * automemo's UNSUPPORTED_TYPESCRIPT error naming the fix, never in a TypeError inside
 * automemo. The project here has node_modules/typescript -> the `typescript7` package,
 * the layout `npm install typescript` gives today.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type * as TS from "typescript";
import { codeBlocks } from "../support/markdown.ts";
import automemoTsPatchPlugin, { automemoTransformer, factory as tsJestFactory, UnsupportedTypeScriptError } from "../../transformer/typescript.ts";

const repo = resolve(import.meta.dirname, "../..");
const project = join(repo, "test/.tmp/typescript7-project");
const FIX = /\[automemo\] TypeScript 7\.\d+\.\d+ .*runs no JavaScript transformers.*use typescript@6 \(or \^5\.9\) with ts-patch.*or the Babel, bundler or loader host/;

beforeAll(() => {
  rmSync(project, { recursive: true, force: true });
  mkdirSync(join(project, "node_modules"), { recursive: true });
  symlinkSync(join(repo, "node_modules/typescript7"), join(project, "node_modules/typescript"), "dir");
  symlinkSync(repo, join(project, "node_modules/automemo"), "dir");
  writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module" }));
  // The tsconfig.json docs/typescript.md shows.
  writeFileSync(join(project, "tsconfig.json"), codeBlocks(join(repo, "docs/typescript.md"), "json").find((block) => block.includes("compilerOptions"))!);
  mkdirSync(join(project, "src"));
  writeFileSync(join(project, "src/main.ts"), "/** @memo */\nexport function square(n: number): number {\n  return n * n;\n}\n");
  // A real copy, so ts-patch resolves `typescript` from this project as it does after `npm install ts-patch`.
  cpSync(join(repo, "node_modules/ts-patch"), join(project, "node_modules/ts-patch"), { recursive: true });
});


/** What `require("typescript")` gives in that project: TypeScript 7's package exports only its version. */
function loadTypeScript7(): typeof TS {
  const ts = createRequire(join(project, "package.json"))("typescript") as typeof TS;
  expect(ts.version).toMatch(/^7\./);
  expect(ts.createProgram).toBeUndefined();
  return ts;
}

const fakeProgram = { getCurrentDirectory: () => project, getCompilerOptions: () => ({}) } as unknown as TS.Program;

describe("the TypeScript host with TypeScript 7 installed", () => {
  it("automemoTransformer(program) fails with the fix when the program's `typescript` is TypeScript 7", () => {
    expect(() => automemoTransformer(fakeProgram)).toThrow(UnsupportedTypeScriptError);
    expect(() => automemoTransformer(fakeProgram)).toThrow(FIX);
  });

  it("every entry that is handed a TypeScript 7 module fails the same way", () => {
    const ts7 = loadTypeScript7();
    expect(() => automemoTransformer(undefined, {}, ts7)).toThrow(FIX);
    expect(() => tsJestFactory({ configSet: { compilerModule: ts7 } })).toThrow(FIX);
    const extras = { ts: ts7, addDiagnostic: () => 0 };
    expect(() => automemoTsPatchPlugin(fakeProgram, {}, extras)).toThrow(FIX);
    expect(() => automemoTsPatchPlugin(fakeProgram, {} as TS.CompilerHost, { transformProgram: true }, { ts: ts7 })).toThrow(FIX);
  });

  it("the error has a stable code and names where the TypeScript came from", () => {
    let caught: unknown;
    try {
      automemoTransformer(fakeProgram);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: "UNSUPPORTED_TYPESCRIPT", version: loadTypeScript7().version });
    expect((caught as Error).message).toContain(`the 'typescript' package resolved from ${project}`);
  });

  it("require('automemo/typescript') from that project loads, and the transformer fails with the fix (dist, CommonJS)", () => {
    const script = `
      const { automemoTransformer } = require("automemo/typescript");
      const program = { getCurrentDirectory: () => process.cwd(), getCompilerOptions: () => ({}) };
      try { automemoTransformer(program); console.log("no error"); } catch (error) { console.log(error.code + " " + error.message); }`;
    const result = spawnSync(process.execPath, ["-e", script], { cwd: project, encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^UNSUPPORTED_TYPESCRIPT /);
    expect(result.stdout).toMatch(FIX);
  });
});

/**
 * The command-line routes run no automemo code with TypeScript 7, so no automemo message
 * is possible there; docs/typescript.md quotes what the user sees. These tests keep that
 * quote true: if they fail, ts-patch or TypeScript changed and the docs must follow.
 */
describe("the command line with TypeScript 7 installed (what docs/typescript.md describes)", () => {
  // ts-patch's other dependencies (chalk, resolve, ...) come from this repository.
  const env = { ...process.env, NODE_PATH: join(repo, "node_modules") };

  it("tspc crashes inside ts-patch, before it loads any plugin", () => {
    const result = spawnSync(process.execPath, ["node_modules/ts-patch/bin/tspc.js", "-p", "."], { cwd: project, encoding: "utf8", env });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("TypeError: Cannot read properties of undefined (reading 'LineFeed')");
    expect(result.stderr).toContain("ts-patch");
  });

  it("TypeScript 7's own tsc ignores the plugin entry: the build succeeds and caches nothing", () => {
    rmSync(join(project, "dist"), { recursive: true, force: true });
    const result = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "."], { cwd: project, encoding: "utf8", timeout: 60_000 });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(readFileSync(join(project, "dist/main.js"), "utf8")).not.toContain("cacheHandle");
  });
});
