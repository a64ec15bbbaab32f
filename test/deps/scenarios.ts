import type { Scenario } from "./harness.ts";

/**
 * The edit scenarios. Each project has at least one cached function that must keep
 * its hash (`control` and friends), so a scenario fails both when an edit is missed
 * and when it invalidates too much.
 */
const control = `/** @memo */\nexport function control(n: number) {\n  return n * 2;\n}\n`;

const helperFile = `export function helper(x: number): number {\n  return x + 1;\n}\n\nexport function unrelated(x: number): number {\n  return x - 1;\n}\n`;

const usesImportedHelper = `import { helper } from "./helper.js";\n\n/** @memo */\nexport function f(x: number) {\n  return helper(x);\n}\n${control}`;

export const SCENARIOS: readonly Scenario[] = [
  {
    name: "helper in the same file",
    files: { "src/a.ts": `function helper(x: number) { return x + 1; }\n/** @memo */\nexport function f(x: number) { return helper(x); }\n${control}` },
    edit: { "src/a.ts": `function helper(x: number) { return x + 2; }\n/** @memo */\nexport function f(x: number) { return helper(x); }\n${control}` },
    changed: ["src/a.ts#f"],
  },
  {
    name: "imported helper",
    files: { "src/a.ts": usesImportedHelper, "src/helper.ts": helperFile },
    edit: { "src/helper.ts": helperFile.replace("x + 1", "x + 10") },
    changed: ["src/a.ts#f"],
  },
  {
    name: "helper two hops away (a -> b -> c)",
    files: {
      "src/a.ts": `import { b } from "./b.ts";\n/** @memo */\nexport function f(x: number) { return b(x); }\n${control}`,
      "src/b.ts": `import { c } from "./c";\nexport function b(x: number) { return c(x) * 2; }\n`,
      "src/c.ts": `export function c(x: number) { return x + 1; }\nexport function d() { return 0; }\n`,
    },
    edit: { "src/c.ts": `export function c(x: number) { return x + 3; }\nexport function d() { return 0; }\n` },
    changed: ["src/a.ts#f"],
  },
  {
    name: "unrelated function in the same file",
    files: { "src/a.ts": `function helper(x: number) { return x + 1; }\nfunction unrelated() { return 1; }\n/** @memo */\nexport function f(x: number) { return helper(x); }\n${control}` },
    edit: { "src/a.ts": `function helper(x: number) { return x + 1; }\nfunction unrelated() { return 42; }\n/** @memo */\nexport function f(x: number) { return helper(x); }\n${control}` },
    changed: [],
  },
  {
    name: "unrelated export of the imported file",
    files: { "src/a.ts": usesImportedHelper, "src/helper.ts": helperFile },
    edit: { "src/helper.ts": helperFile.replace("x - 1", "x - 100") },
    changed: [],
  },
  {
    name: "a constant the function reads",
    files: { "src/a.ts": `const RATE = 0.2;\nconst UNUSED = 1;\n/** @memo */\nexport function f(x: number) { return x * RATE; }\n${control}` },
    edit: { "src/a.ts": `const RATE = 0.25;\nconst UNUSED = 1;\n/** @memo */\nexport function f(x: number) { return x * RATE; }\n${control}` },
    changed: ["src/a.ts#f"],
  },
  {
    name: "a class method called through new C().m()",
    files: {
      "src/a.ts": `import { Calculator } from "./calc.ts";\n/** @memo */\nexport function f(x: number) { return new Calculator().double(x); }\n${control}`,
      "src/calc.ts": `export class Calculator {\n  double(x: number) { return x * 2; }\n}\nexport class Other { m() { return 1; } }\n`,
    },
    edit: { "src/calc.ts": `export class Calculator {\n  double(x: number) { return x + x + 0; }\n}\nexport class Other { m() { return 1; } }\n` },
    changed: ["src/a.ts#f"],
  },
  {
    name: "version of an installed package",
    files: {
      "src/a.ts": `import { format } from "fmt-lib";\n/** @memo */\nexport function f(x: number) { return format(x); }\n${control}`,
      "node_modules/fmt-lib/package.json": `{ "name": "fmt-lib", "version": "1.0.0", "main": "index.js" }`,
      "node_modules/fmt-lib/index.js": `exports.format = (x) => String(x);\n`,
    },
    edit: { "node_modules/fmt-lib/package.json": `{ "name": "fmt-lib", "version": "1.0.1", "main": "index.js" }` },
    changed: ["src/a.ts#f"],
  },
  {
    name: "package source edit without a version change",
    files: {
      "src/a.ts": `import { format } from "fmt-lib/sub";\n/** @memo */\nexport function f(x: number) { return format(x); }\n${control}`,
      "node_modules/fmt-lib/package.json": `{ "name": "fmt-lib", "version": "1.0.0" }`,
      "node_modules/fmt-lib/sub.js": `exports.format = (x) => String(x);\n`,
    },
    edit: { "node_modules/fmt-lib/sub.js": `exports.format = (x) => "#" + x;\n` },
    changed: [],
  },
  {
    name: "node: built-in, spelled with or without the prefix",
    files: { "src/a.ts": `import { join } from "node:path";\n/** @memo */\nexport function f(x: string) { return join("a", x); }\n${control}` },
    edit: { "src/a.ts": `import { join } from "path";\n/** @memo */\nexport function f(x: string) { return join("a", x); }\n${control}` },
    changed: [],
  },
  {
    name: "a different built-in",
    files: { "src/a.ts": `import { join } from "node:path";\n/** @memo */\nexport function f(x: string) { return join("a", x); }\n${control}` },
    edit: { "src/a.ts": `import { join } from "node:path/posix";\n/** @memo */\nexport function f(x: string) { return join("a", x); }\n${control}` },
    changed: ["src/a.ts#f"],
  },
  {
    name: "formatting only",
    files: { "src/a.ts": usesImportedHelper, "src/helper.ts": helperFile },
    edit: {
      "src/a.ts": `import {helper} from './helper.js'\n/** @memo */\nexport function f(x: number) {\n\n        return helper( x )\n}\n${control.replace("n * 2", "n*2")}`,
      "src/helper.ts": helperFile.replace("return x + 1;", "return (\n    x+1\n  )"),
    },
    changed: [],
  },
  {
    name: "comments only",
    files: { "src/a.ts": usesImportedHelper, "src/helper.ts": helperFile },
    edit: {
      "src/a.ts": usesImportedHelper.replace("return helper(x);", "// calls the helper\n  return helper(x); /* done */"),
      "src/helper.ts": `/** Adds one. */\n${helperFile.replace("x + 1", "x /* plus */ + 1")}`,
    },
    changed: [],
  },
  {
    name: "types only",
    files: {
      "src/a.ts": `import { helper } from "./helper.ts";\n/** @memo */\nexport function f(x: number): number { return helper(x) as number; }\n${control}`,
      "src/helper.ts": helperFile,
    },
    edit: {
      "src/a.ts": `import { helper } from "./helper.ts";\ninterface Input { value: number }\n/** @memo */\nexport function f(x: Input["value"]): unknown { return helper(x) satisfies number; }\n${control}`,
      "src/helper.ts": helperFile.replace("helper(x: number): number", "helper<T extends number>(x: T): number"),
    },
    changed: [],
  },
  {
    name: "import type: the type file changes, code included",
    files: {
      "src/a.ts": `import type { Shape } from "./shape.ts";\n/** @memo */\nexport function area(s: Shape) { return s.w * s.h; }\n${control}`,
      "src/shape.ts": `export interface Shape { w: number; h: number }\n`,
    },
    edit: { "src/shape.ts": `export interface Shape { w: number; h: number; name?: string }\nexport const DEFAULT = { w: 1, h: 1 };\n` },
    changed: [],
  },
  {
    name: "a helper referenced only in a type position",
    files: {
      "src/a.ts": `import { helper } from "./helper.ts";\n/** @memo */\nexport function f(x: number): ReturnType<typeof helper> { return x; }\n${control}`,
      "src/helper.ts": helperFile,
    },
    edit: { "src/helper.ts": helperFile.replace("x + 1", "x + 5") },
    changed: [],
  },
  {
    name: "renaming the cached function's own parameter (its own code changes)",
    files: { "src/a.ts": `/** @memo */\nexport function f(x: number) { return x + 1; }\n${control}` },
    edit: { "src/a.ts": `/** @memo */\nexport function f(y: number) { return y + 1; }\n${control}` },
    changed: ["src/a.ts#f"],
  },
  {
    name: "renaming a local inside an unrelated function",
    files: { "src/a.ts": `function helper(x: number) { return x + 1; }\nfunction unrelated() { const total = 1; return total; }\n/** @memo */\nexport function f(x: number) { return helper(x); }\n${control}` },
    edit: { "src/a.ts": `function helper(x: number) { return x + 1; }\nfunction unrelated() { const sum = 1; return sum; }\n/** @memo */\nexport function f(x: number) { return helper(x); }\n${control}` },
    changed: [],
  },
  {
    name: "renaming a local inside a helper (the helper's code changes, so its dependents do)",
    files: { "src/a.ts": `function helper(x: number) { const step = 1; return x + step; }\n/** @memo */\nexport function f(x: number) { return helper(x); }\n${control}` },
    edit: { "src/a.ts": `function helper(x: number) { const increment = 1; return x + increment; }\n/** @memo */\nexport function f(x: number) { return helper(x); }\n${control}` },
    changed: ["src/a.ts#f"],
  },
  ...cycleScenarios(),
  ...reExportScenarios(),
  {
    name: "@memo { deps: false } opts one function out",
    files: {
      "src/a.ts": `import { helper } from "./helper.ts";\n/** @memo { deps: false } */\nexport function own(x: number) { return helper(x); }\n/** @memo */\nexport function tracked(x: number) { return helper(x); }\n${control}`,
      "src/helper.ts": helperFile,
    },
    edit: { "src/helper.ts": helperFile.replace("x + 1", "x + 7") },
    changed: ["src/a.ts#tracked"],
  },
  {
    name: "dependency tracking off for the build",
    files: {
      "src/a.ts": `import { helper } from "./helper.ts";\nconst K = 2;\n/** @memo */\nexport function f(x: number) { return helper(x) * K; }\n/** @memo */\nexport function g(x: number) { return x * 3; }\n${control}`,
      "src/helper.ts": helperFile,
    },
    edit: {
      "src/a.ts": `import { helper } from "./helper.ts";\nconst K = 3;\n/** @memo */\nexport function f(x: number) { return helper(x) * K; }\n/** @memo */\nexport function g(x: number) { return x * 4; }\n${control}`,
      "src/helper.ts": helperFile.replace("x + 1", "x + 7"),
    },
    changed: ["src/a.ts#g"],
    buildWideOff: true,
  },
  {
    name: "tsconfig paths alias",
    files: {
      "tsconfig.json": `{\n  // comments and trailing commas are allowed\n  "compilerOptions": { "baseUrl": ".", "paths": { "@lib/*": ["src/lib/*"], }, },\n}\n`,
      "src/a.ts": `import { helper } from "@lib/helper";\n/** @memo */\nexport function f(x: number) { return helper(x); }\n${control}`,
      "src/lib/helper.ts": helperFile,
    },
    edit: { "src/lib/helper.ts": helperFile.replace("x + 1", "x + 9") },
    changed: ["src/a.ts#f"],
  },
  {
    name: "default-export helper",
    files: {
      "src/a.ts": `import scale from "./scale.ts";\n/** @memo */\nexport function f(x: number) { return scale(x); }\n${control}`,
      "src/scale.ts": `export default function (x: number) { return x * 10; }\nexport const named = 1;\n`,
    },
    edit: { "src/scale.ts": `export default function (x: number) { return x * 100; }\nexport const named = 1;\n` },
    changed: ["src/a.ts#f"],
  },
  {
    name: "closure-captured helper in the enclosing function",
    files: {
      "src/a.ts": `export function makeCounter(step: number) {\n  const add = (x: number) => x + step;\n  const unused = () => 0;\n  /** @memo */\n  const count = (x: number) => add(x);\n  return count;\n}\n${control}`,
    },
    edit: {
      "src/a.ts": `export function makeCounter(step: number) {\n  const add = (x: number) => x + step * 2;\n  const unused = () => 0;\n  /** @memo */\n  const count = (x: number) => add(x);\n  return count;\n}\n${control}`,
    },
    changed: ["src/a.ts#makeCounter.count"],
  },
  {
    name: "an enum the function uses",
    files: {
      "src/a.ts": `import { Level } from "./level.ts";\n/** @memo */\nexport function f(x: number) { return x * Level.High; }\n${control}`,
      "src/level.ts": `export enum Level { Low = 1, High = 5 }\nexport enum Unrelated { A }\n`,
    },
    edit: { "src/level.ts": `export enum Level { Low = 1, High = 6 }\nexport enum Unrelated { A }\n` },
    changed: ["src/a.ts#f"],
  },
  {
    name: "namespace import depends only on the members read",
    files: {
      "src/a.ts": `import * as math from "./helper.ts";\n/** @memo */\nexport function f(x: number) { return math.helper(x); }\n${control}`,
      "src/helper.ts": helperFile,
    },
    edit: { "src/helper.ts": helperFile.replace("x - 1", "x - 2") },
    changed: [],
  },
  {
    name: "a module-level statement that mutates a binding the function reads",
    files: { "src/a.ts": `const table = new Map<string, number>();\ntable.set("a", 1);\n/** @memo */\nexport function f(k: string) { return table.get(k); }\n${control}` },
    edit: { "src/a.ts": `const table = new Map<string, number>();\ntable.set("a", 2);\n/** @memo */\nexport function f(k: string) { return table.get(k); }\n${control}` },
    changed: ["src/a.ts#f"],
  },
  {
    name: "sibling methods read through this",
    files: {
      "src/a.ts": `export class Repo {\n  /** @memo */\n  load(id: string) { return this.normalize(id); }\n  normalize(id: string) { return id.trim(); }\n  unrelated() { return 1; }\n}\n${control}`,
    },
    edit: {
      "src/a.ts": `export class Repo {\n  /** @memo */\n  load(id: string) { return this.normalize(id); }\n  normalize(id: string) { return id.trim().toLowerCase(); }\n  unrelated() { return 2; }\n}\n${control}`,
    },
    changed: ["src/a.ts#Repo.load"],
  },
  {
    name: "an unresolvable import counts by its text, and creating the file counts",
    files: { "src/a.ts": `import { later } from "./later.ts";\n/** @memo */\nexport function f(x: number) { return later(x); }\n${control}` },
    edit: { "src/later.ts": `export function later(x: number) { return x; }\n` },
    changed: ["src/a.ts#f"],
  },
  {
    name: "one helper shared by functions in two files",
    files: {
      "src/a.ts": usesImportedHelper,
      "src/b.ts": `import { helper } from "./helper.ts";\n/** @memo */\nexport const g = (x: number) => helper(x) * 2;\n/** @memo */\nexport const h = (x: number) => x;\n`,
      "src/helper.ts": helperFile,
    },
    edit: { "src/helper.ts": helperFile.replace("x + 1", "x + 4") },
    changed: ["src/a.ts#f", "src/b.ts#g"],
  },
  {
    name: "a JSON file the function imports",
    files: {
      "src/a.ts": `import config from "./config.json";\n/** @memo */\nexport function f(x: number) { return x * config.factor; }\n${control}`,
      "src/config.json": `{ "factor": 2 }`,
    },
    edit: { "src/config.json": `{ "factor": 3 }` },
    changed: ["src/a.ts#f"],
  },
];

function cycleScenarios(): Scenario[] {
  const a = `import { fromB } from "./b.ts";\nexport function fromA(x: number): number { return x <= 0 ? 0 : fromB(x - 1) + 1; }\n/** @memo */\nexport function f(x: number) { return fromA(x); }\n${control}`;
  const b = `import { fromA } from "./a.ts";\nexport function fromB(x: number): number { return x <= 0 ? 0 : fromA(x - 1) * 2; }\n/** @memo */\nexport function g(x: number) { return fromB(x); }\nexport function elsewhere() { return 1; }\n`;
  return [
    { name: "import cycle a <-> b: edit on the a side", files: { "src/a.ts": a, "src/b.ts": b }, edit: { "src/a.ts": a.replace("+ 1;", "+ 2;") }, changed: ["src/a.ts#f", "src/b.ts#g"] },
    { name: "import cycle a <-> b: edit on the b side", files: { "src/a.ts": a, "src/b.ts": b }, edit: { "src/b.ts": b.replace("* 2;", "* 3;") }, changed: ["src/a.ts#f", "src/b.ts#g"] },
    { name: "import cycle a <-> b: unrelated edit", files: { "src/a.ts": a, "src/b.ts": b }, edit: { "src/b.ts": b.replace("return 1;", "return 5;") }, changed: [] },
  ];
}

function reExportScenarios(): Scenario[] {
  const files = {
    "src/a.ts": `import { helper, renamed } from "./index.ts";\n/** @memo */\nexport function f(x: number) { return helper(x); }\n/** @memo */\nexport function g(x: number) { return renamed(x); }\n${control}`,
    "src/index.ts": `export * from "./impl.ts";\nexport { other as renamed } from "./other.ts";\n`,
    "src/impl.ts": helperFile,
    "src/other.ts": `export function other(x: number) { return -x; }\nexport function notReExported() { return 0; }\n`,
  };
  return [
    { name: "re-export chain: export * target edited", files, edit: { "src/impl.ts": helperFile.replace("x + 1", "x + 8") }, changed: ["src/a.ts#f"] },
    { name: "re-export chain: renamed re-export edited", files, edit: { "src/other.ts": files["src/other.ts"].replace("-x", "-x * 2") }, changed: ["src/a.ts#g"] },
    { name: "re-export chain: export not used edited", files, edit: { "src/impl.ts": helperFile.replace("x - 1", "x - 3"), "src/other.ts": files["src/other.ts"].replace("return 0", "return 9") }, changed: [] },
  ];
}
