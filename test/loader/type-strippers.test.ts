/**
 * Which type stripper the loader uses, whatever TypeScript is installed (TypeScript 7,
 * what `npm install typescript` gives today, has no JavaScript API): Node's own on Node
 * 22.13+, esbuild where Node's cannot (Node 20, enums, CommonJS output), TypeScript 5/6
 * last, and an `[automemo]` error naming the fix when nothing fits.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLoaderProject, expectBuiltPackage, lastJsonLine, nodes, runWithLoader, type Installable, type LoaderProject } from "./loader-project.ts";

const PRICE_TS = `export interface Item {
  readonly cents: number;
}

export const calls: number[] = [];

/** @memo */
export function total(items: readonly Item[]): number {
  calls.push(items.length);
  return items.reduce((sum, item) => sum + item.cents, 0);
}
`;

const MAIN_TS = `import { calls, total, type Item } from "./price.js";

const items: Item[] = [{ cents: 5 }, { cents: 7 }];
console.log(JSON.stringify({ values: [total(items), total(items)], calls }));
`;

const ENUM_TS = `import { total } from "./price.ts";

enum Coin {
  Nickel = 5,
  Dime = 10,
}

class Till {
  constructor(private readonly coins: Coin[]) {}
  sum(): number {
    return total(this.coins.map((cents) => ({ cents })));
  }
}
console.log(JSON.stringify({ values: [new Till([Coin.Nickel, Coin.Dime]).sum()] }));
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

const ESM = { "package.json": `{ "type": "module" }`, "price.ts": PRICE_TS };

let project: LoaderProject | undefined;
beforeAll(expectBuiltPackage);
afterEach(() => project?.remove());

function run(files: Record<string, string>, installed: readonly Installable[], node: string | undefined, env: Record<string, string> = {}) {
  project = createLoaderProject(files, installed);
  return runWithLoader(project, "main.ts", { node, env });
}

describe.runIf(nodes.current)("type stripping on Node 22.15+ (AUTOMEMO_NODE24 when the suite runs on Node 20)", () => {
  it("runs with TypeScript 7 installed, through Node's own type stripping, and prints no experimental warning", () => {
    const result = run({ ...ESM, "main.ts": MAIN_TS }, ["typescript7"], nodes.current);
    expect(lastJsonLine(result)).toEqual({ values: [12, 12], calls: [2] });
    expect(result.stderr).toBe("");
  });

  it("points stack traces at the original .ts line and column (Node's stripping moves nothing; automemo's map is used)", () => {
    const { stack } = lastJsonLine<{ stack: string }>(run({ ...ESM, "main.ts": THROWS_TS }, ["typescript7"], nodes.current));
    const lines = THROWS_TS.split("\n");
    const line = lines.findIndex((text) => text.includes("throw new Error")) + 1;
    expect(stack).toContain(`main.ts:${line}:${lines[line - 1]!.indexOf("new Error") + 1}`);
  });

  it("hands enums and parameter properties to esbuild, which Node's stripping cannot run", () => {
    expect(lastJsonLine(run({ ...ESM, "main.ts": ENUM_TS }, ["typescript7", "esbuild"], nodes.current))).toEqual({ values: [15] });
  });

  it("names the syntax and the fix when only Node's stripping is there for an enum", () => {
    const result = run({ ...ESM, "main.ts": ENUM_TS }, ["typescript7"], nodes.current);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/\[automemo\] Cannot run \S+main\.ts: Node's type stripping cannot run it \(TypeScript enum is not supported/);
    expect(result.stderr).toContain("TypeScript 7 has none");
    expect(result.stderr).toContain("Fix it: npm install --save-dev esbuild");
  });

  it("says that import in a CommonJS package needs esbuild (or type: module) when only Node's stripping is there", () => {
    const result = run({ "package.json": `{ "type": "commonjs" }`, "price.ts": PRICE_TS, "main.ts": MAIN_TS }, ["typescript7"], nodes.current);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`runs as CommonJS (no "type": "module" in its package.json)`);
    expect(result.stderr).toContain("npm install --save-dev esbuild");
  });

  it("keeps an import of a type without `import type` (Node's stripping does), unless AUTOMEMO_TYPE_STRIPPER picks esbuild", () => {
    const files = { ...ESM, "main.ts": MAIN_TS.replace("type Item", "Item") };
    expect(run(files, ["esbuild"], nodes.current).stderr).toMatch(/does not provide an export named 'Item'/);
    expect(lastJsonLine(run(files, ["esbuild"], nodes.current, { AUTOMEMO_TYPE_STRIPPER: "esbuild" }))).toEqual({ values: [12, 12], calls: [2] });
  });
});

describe.runIf(nodes.old)("type stripping on Node 20 (AUTOMEMO_NODE20 when the suite runs on a newer Node)", () => {
  it("uses esbuild when TypeScript 7 is installed next to it", () => {
    expect(lastJsonLine(run({ ...ESM, "main.ts": MAIN_TS }, ["typescript7", "esbuild"], nodes.old))).toEqual({ values: [12, 12], calls: [2] });
  });

  it("uses TypeScript 6 when it is the only one", () => {
    expect(lastJsonLine(run({ ...ESM, "main.ts": ENUM_TS }, ["typescript"], nodes.old))).toEqual({ values: [15] });
  });

  it("names the fix, not a crash inside TypeScript 7, when TypeScript 7 is all there is", () => {
    const result = run({ ...ESM, "main.ts": MAIN_TS }, ["typescript7"], nodes.old);
    expect(result.status).not.toBe(0);
    expect(result.stderr).not.toMatch(/TypeError/);
    expect(result.stderr).toMatch(/\[automemo\] Cannot run \S+main\.ts: Node 20\.\d+\.\d+ has no built-in type stripping \(Node 22\.13\+ has\); the installed typescript 7\.\d+\.\d+ has no JavaScript API/);
    expect(result.stderr).toContain("Fix it: npm install --save-dev esbuild (or run Node 22.13+");
  });
});
