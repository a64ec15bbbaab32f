/**
 * Packs the package the way npm would publish it, installs the tarball into a
 * throw-away project, and loads every public entry with both `import` and
 * `require()`, then type-checks a consumer of every entry in both module modes.
 * A broken "exports" map, a file missing from "files", or a missing .d.ts fails here.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bunOrSkip, denoOrSkip } from "../support/runtimes.ts";

const repo = resolve(import.meta.dirname, "../..");
const manifest = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));
const entries = Object.keys(manifest.exports as Record<string, unknown>)
  .filter((subpath) => subpath !== "./package.json")
  .map((subpath) => (subpath === "." ? "automemo" : `automemo/${subpath.slice(2)}`));
// Importing the register entry installs module hooks; it is loaded like the others.
// The Bun and Deno preloads install themselves into their own runtime: they are loaded there.
const runtimePreloads: Record<string, (context: { skip(): void }) => string> = {
  "automemo/bun/register": bunOrSkip,
  "automemo/deno/register": denoOrSkip,
};
const nodeEntries = entries.filter((entry) => !(entry in runtimePreloads));

let project = "";
let tarball = "";

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

beforeAll(() => {
  expect(existsSync(join(repo, "dist/index.js")), "run `npm run build` first (npm test does)").toBe(true);
  project = mkdtempSync(join(tmpdir(), "automemo-pack-"));
  tarball = join(project, run("npm", ["pack", "--silent", "--pack-destination", project], repo).trim().split("\n").pop()!);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  run("npm", ["install", "--silent", "--no-audit", "--no-fund", "--prefer-offline", tarball], project);
}, 180_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe("published package", () => {
  it("declares every entry point in the exports map", () => {
    expect(entries).toEqual(
      expect.arrayContaining(["automemo", "automemo/babel", "automemo/typescript", "automemo/vite", "automemo/register"]),
    );
  });

  it.each(nodeEntries)("%s loads with import()", (entry) => {
    const out = run("node", ["--input-type=module", "-e", `const m = await import(${JSON.stringify(entry)}); console.log(Object.keys(m).length)`], project);
    expect(Number(out.trim())).toBeGreaterThan(0);
  });

  it.for(Object.keys(runtimePreloads))("%s loads in its own runtime, and Node gets an [automemo] error instead", (entry, context) => {
    const binary = runtimePreloads[entry]!(context);
    const script = `await import(${JSON.stringify(entry)}); console.log("loaded");`;
    const args = entry.includes("deno") ? ["eval", script] : ["-e", script];
    expect(run(binary, args, project).trim()).toBe("loaded");
    expect(() => run("node", ["--input-type=module", "-e", script], project)).toThrow(/\[automemo\]/);
  });

  it.each(nodeEntries)("%s loads with require()", (entry) => {
    const out = run("node", ["-e", `const m = require(${JSON.stringify(entry)}); console.log(Object.keys(m).length)`], project);
    expect(Number(out.trim())).toBeGreaterThan(0);
  });

  it("gives browser bundlers the browser build, for import and require", async () => {
    const { build } = await import("esbuild");
    const cases = [
      [`import { memo } from "automemo"; globalThis.memo = memo;`, "index.browser.js"],
      [`globalThis.memo = require("automemo").memo;`, "index.browser.cjs"],
    ] as const;
    for (const [contents, file] of cases) {
      const result = await build({
        stdin: { contents, resolveDir: project },
        absWorkingDir: project,
        bundle: true,
        platform: "browser",
        write: false,
        metafile: true,
        logLevel: "silent",
      });
      const ours = Object.keys(result.metafile!.inputs).filter((input) => input.includes("node_modules/automemo/"));
      expect(ours).toEqual([`node_modules/automemo/dist/${file}`]);
      expect(result.outputFiles[0]!.text).not.toContain("DiskStore");
    }
  });

  it.each([
    ["import", "--input-type=module", `const { memo, stats, configure } = await import("automemo");`],
    ["require", "--input-type=commonjs", `const { memo, stats, configure } = require("automemo");`],
  ])("keeps the disk store under Node (%s)", (_mode, inputType, load) => {
    const cacheDir = join(project, `disk-cache-${inputType}`);
    const script = `${load}
      configure({ cacheDir: ${JSON.stringify(cacheDir)} });
      let calls = 0;
      const square = memo((n) => (calls++, n * n), { id: "pack#square", params: ["n"], options: { persist: "disk" } });
      console.log(JSON.stringify({ value: square(9), calls, storeHits: stats(square).storeHits }));`;
    const runOnce = () => JSON.parse(run("node", [inputType, "-e", script], project).trim());
    expect(runOnce()).toEqual({ value: 81, calls: 1, storeHits: 0 });
    expect(runOnce()).toEqual({ value: 81, calls: 0, storeHits: 1 });
  });

  it("ships the MIT LICENSE that package.json names", () => {
    expect(manifest.license).toBe("MIT");
    const license = readFileSync(join(project, "node_modules/automemo/LICENSE"), "utf8");
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} automemo contributors\n/);
  });

  it.each([
    ["import", "--input-type=module", `const { memo } = await import("automemo");`],
    ["require", "--input-type=commonjs", `const { memo } = require("automemo");`],
  ])("names only files it ships in a runtime error's stack trace (%s, --enable-source-maps)", (_mode, inputType, load) => {
    const script = `${load}
      const echo = memo((value) => value, { id: "pack#echo", params: ["value"] });
      try { echo(() => 1); } catch (error) { console.log(error.stack); }`;
    const stack = run("node", ["--enable-source-maps", inputType, "-e", script], project);
    expect(stack).toContain("UnhashableParamError");
    // Source maps point into the TypeScript sources, which the package ships next to dist/.
    expect(stack).toMatch(/node_modules\/automemo\/runtime\/[\w/-]+\.ts:\d+:\d+/);
    const files = [...stack.matchAll(/^\s+at (?:.*\()?(\/[^():]+):\d+:\d+\)?$/gm)].map((match) => match[1]!);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(existsSync(file), `${file} named in\n${stack}`).toBe(true);
  });

  it("has no problem @arethetypeswrong/cli finds (node10 with typesVersions, node16 from CJS and ESM, bundler)", () => {
    const attw = join(repo, "node_modules/@arethetypeswrong/cli/dist/index.js");
    let output: string;
    try {
      output = run("node", [attw, tarball, "--format", "json"], project);
    } catch (error) {
      output = String((error as { stdout?: string }).stdout);
    }
    const report = JSON.parse(output) as { problems: Record<string, unknown[]> };
    expect(report.problems).toEqual({});
  }, 60_000);

  it("ships types that a consumer can type-check in ESM and CommonJS mode", () => {
    const imports = entries.map((entry, i) => `import * as m${i} from ${JSON.stringify(entry)};\nvoid m${i};`).join("\n");
    writeFileSync(join(project, "esm.mts"), imports);
    writeFileSync(join(project, "cjs.cts"), imports);
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { module: "nodenext", moduleResolution: "nodenext", strict: true, noEmit: true, skipLibCheck: false, types: [] },
        files: ["esm.mts", "cjs.cts"],
      }),
    );
    const tsc = join(repo, "node_modules/typescript/bin/tsc");
    let output = "";
    try {
      output = run("node", [tsc, "-p", "."], project);
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    // Only our files count: third-party declaration files and optional peers the
    // consumer did not install are not ours to fix.
    const ours = output
      .split("\n")
      .filter((line) => /error TS/.test(line) && /^(esm\.mts|cjs\.cts|node_modules\/automemo\/)/.test(line))
      .filter((line) => !/Cannot find module '(@babel|typescript|vite|rollup|rolldown|webpack|esbuild|@rspack|redis)/.test(line));
    expect(ours).toEqual([]);
  });
});
