/**
 * `node --import automemo/register script.ts` with the built package: TS and JS are
 * transformed on the fly, TS-style specifiers resolve, CommonJS works through import,
 * stack traces point into the original .ts, and the type stripper falls back to esbuild
 * (type-strippers.test.ts covers the stripper choice).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLoaderProject, expectBuiltPackage, lastJsonLine, nodes, runWithLoader, type LoaderProject } from "./loader-project.ts";

const UTIL_TS = `export const doubled: number[] = [];

/** @memo */
export function double(n: number): number {
  doubled.push(n);
  return n * 2;
}
`;

const MORE_TS = `/** @singleton */
export function openConnection(name: string): { name: string; opened: number } {
  return { name, opened: Date.now() };
}
`;

const MAIN_TS = `import { stats } from "automemo";
import { double, doubled } from "./util.js";
import { openConnection } from "./lib/more";

const squared: number[] = [];

/** @memo */
function square(n: number): number {
  squared.push(n);
  return n * n;
}

const values = [square(2), square(2), square(3), double(2), double(2)];
const sameConnection = openConnection("db") === openConnection("db");
console.log(JSON.stringify({ values, squared, doubled, sameConnection, square: stats(square), double: stats(double) }));
`;

const THROWS_TS = `interface Input {
  readonly n: number;
}

/** @memo */
export function explode(input: Input): number {
  const message: string = "boom " + input.n;
  throw new Error(message);
}

try {
  explode({ n: 1 });
} catch (error) {
  console.log(JSON.stringify({ stack: (error as Error).stack }));
}
`;

const MAIN_JS = `/** @memo */
function triple(n) {
  globalThis.tripled = [...(globalThis.tripled ?? []), n];
  return n * 3;
}
console.log(JSON.stringify({ values: [triple(1), triple(1)], tripled: globalThis.tripled }));
`;

let project: LoaderProject | undefined;
beforeAll(expectBuiltPackage);
afterEach(() => project?.remove());

interface MainReport {
  values: number[];
  squared: number[];
  doubled: number[];
  sameConnection: boolean;
  square: { hits: number; misses: number };
  double: { hits: number; misses: number };
}

function expectMainReport(report: MainReport): void {
  expect(report.values).toEqual([4, 4, 9, 4, 4]);
  expect(report.squared).toEqual([2, 3]);
  expect(report.doubled).toEqual([2]);
  expect(report.sameConnection).toBe(true);
  expect(report.square).toMatchObject({ hits: 1, misses: 2 });
  expect(report.double).toMatchObject({ hits: 1, misses: 1 });
}

describe("node --import automemo/register", () => {
  it("runs an ES module TypeScript project, resolving ./util.js and ./lib/more to .ts files", () => {
    project = createLoaderProject({ "package.json": `{ "type": "module" }`, "main.ts": MAIN_TS, "util.ts": UTIL_TS, "lib/more.ts": MORE_TS });
    expectMainReport(lastJsonLine(runWithLoader(project, "main.ts")));
  });

  it("runs TypeScript in a CommonJS package (imports compile to require)", () => {
    project = createLoaderProject({ "package.json": `{ "type": "commonjs" }`, "main.ts": MAIN_TS, "util.ts": UTIL_TS, "lib/more.ts": MORE_TS });
    expectMainReport(lastJsonLine(runWithLoader(project, "main.ts")));
  });

  it("lets plain require() load .ts files (./util finds util.ts) from a CommonJS module Node loads itself", () => {
    const main = `const { stats } = require("automemo");\nconst { double, doubled } = require("./util");\nconsole.log(JSON.stringify({ values: [double(4), double(4)], doubled, stats: stats(double) }));\n`;
    project = createLoaderProject({ "package.json": `{ "type": "commonjs" }`, "main.cjs": main, "util.ts": UTIL_TS });
    expect(lastJsonLine(runWithLoader(project, "main.cjs"))).toMatchObject({ values: [8, 8], doubled: [4], stats: { hits: 1, misses: 1 } });
  });

  it("transforms plain JavaScript too", () => {
    project = createLoaderProject({ "package.json": `{ "type": "module" }`, "main.js": MAIN_JS });
    expect(lastJsonLine(runWithLoader(project, "main.js"))).toEqual({ values: [3, 3], tripled: [1] });
  });

  it("points stack traces at the original .ts line and column", () => {
    project = createLoaderProject({ "package.json": `{ "type": "module" }`, "throws.ts": THROWS_TS });
    const { stack } = lastJsonLine<{ stack: string }>(runWithLoader(project, "throws.ts"));
    const lines = THROWS_TS.split("\n");
    const line = lines.findIndex((text) => text.includes("throw new Error")) + 1;
    const column = lines[line - 1]!.indexOf("new Error") + 1;
    expect(stack).toContain(`throws.ts:${line}:${column}`);
  });

  it("saves dependency tracking's records in node_modules/.cache/automemo", () => {
    const lingering = `${MAIN_TS}\nawait new Promise((resolve) => setTimeout(resolve, 300));\n`;
    project = createLoaderProject({ "package.json": `{ "type": "module" }`, "main.ts": lingering, "util.ts": UTIL_TS, "lib/more.ts": MORE_TS });
    expectMainReport(lastJsonLine(runWithLoader(project, "main.ts")));
    const records = JSON.parse(readFileSync(join(project.root, "node_modules/.cache/automemo/plan-records.json"), "utf8")).payload as [string][];
    expect(records.map(([path]) => path.slice(path.lastIndexOf("/") + 1)).sort()).toEqual(["main.ts", "more.ts", "util.ts"]);
    // The next run reuses them and behaves the same.
    expectMainReport(lastJsonLine(runWithLoader(project, "main.ts")));
  });

  it.runIf(nodes.current)("saves them at exit, however soon the script ends, with Node 22.15+'s in-thread hooks", () => {
    project = createLoaderProject({ "package.json": `{ "type": "module" }`, "main.ts": MAIN_TS, "util.ts": UTIL_TS, "lib/more.ts": MORE_TS });
    const run = runWithLoader(project, "main.ts", { node: nodes.current });
    expectMainReport(lastJsonLine(run));
    expect(run.stderr).toBe("");
    const records = JSON.parse(readFileSync(join(project.root, "node_modules/.cache/automemo/plan-records.json"), "utf8")).payload as [string][];
    expect(records).toHaveLength(3);
  });

  it("strips types with esbuild when the project has no typescript", () => {
    project = createLoaderProject({ "package.json": `{ "type": "module" }`, "main.ts": MAIN_TS, "util.ts": UTIL_TS, "lib/more.ts": MORE_TS }, ["esbuild"]);
    expectMainReport(lastJsonLine(runWithLoader(project, "main.ts")));
  });
});
