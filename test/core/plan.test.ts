import { describe, expect, it } from "vitest";
import { planModule, projectRelativePath } from "../../transformer/core/index.ts";
import type { PlanOptions } from "../../transformer/core/plan.ts";

const at = (filename: string, extra: Partial<PlanOptions> = {}): PlanOptions => ({ filename: `/repo/${filename}`, root: "/repo", ...extra });

describe("planModule", () => {
  it("names functions by project-relative path and qualified name", () => {
    const source = `
      /** @memo */ export function load() {}
      /** @memo */ export default function () {}
      export class Repo {
        /** @memo */ get1() {}
        /** @memo */ static create() {}
        /** @memo */ #secret() {}
        /** @memo */ [Symbol.iterator]() {}
      }
      export const api = { users: { /** @memo */ list() {}, /** @memo */ "by-id": () => 1 } };
      function outer() { /** @memo */ const inner = () => 1; return inner; }
    `;
    const ids = planModule(source, at("src/db.ts")).functions.map((fn) => fn.meta.id.replace("src/db.ts#", ""));
    expect(ids).toEqual(["load", "default", "Repo.get1", "Repo.create", "Repo.#secret", "Repo.[Symbol.iterator]", "api.users.list", "api.users.by-id", "outer.inner"]);
  });

  it("suffixes duplicate ids in source order", () => {
    const source = `{ /** @memo */ function f() {} } { /** @memo */ function f() {} } { /** @memo */ function f() {} }`;
    expect(planModule(source, at("a.ts")).functions.map((fn) => fn.meta.id)).toEqual(["a.ts#f", "a.ts#f~2", "a.ts#f~3"]);
  });

  it("numbers handles in source order and records where the lookup goes", () => {
    const source = `/** @memo */ function f(a, b) { "use strict"; 'another'; return a; }\n/** @singleton */ const g = async (x) => x;`;
    const [f, g] = planModule(source, at("a.js")).functions;
    expect([f.handleName, g.handleName]).toEqual(["__am_0", "__am_1"]);
    expect(source.slice(f.bodyInsertAt - "'another';".length, f.bodyInsertAt)).toBe("'another';");
    expect(f.conciseBody).toBe(false);
    expect(g).toMatchObject({ conciseBody: true, isAsync: true, kind: "singleton", keyExpressions: ["x"] });
    expect(source.slice(g.body.start, g.body.end)).toBe("x");
  });

  it("embeds the tag options as literals", () => {
    const source = `/** @memo { ttl: "1h", maxEntries: 10 } */ function f() {}`;
    expect(planModule(source, at("a.ts")).functions[0].meta.options).toEqual({ ttl: "1h", maxEntries: 10 });
  });

  it.each([
    ["a.ts", `import x from "x";\n/** @memo */ function f() {}`, "esm"],
    ["a.ts", `/** @memo */ function f() {}\nexport {};`, "esm"],
    ["a.js", `const x = require("x");\n/** @memo */ function f() {}`, "cjs"],
    ["a.js", `/** @memo */ function f() {}\nmodule.exports = f;`, "cjs"],
    ["a.js", `/** @memo */ function f() {}`, "esm"],
    ["a.cts", `/** @memo */ function f() {}\nexport = f;`, "cjs"],
    ["a.mjs", `/** @memo */ function f() {}\nconst x = require("x");`, "esm"],
  ])("detects the module format of %s: %s", (filename, source, format) => {
    expect(planModule(source, at(filename)).moduleFormat).toBe(format);
  });

  it("lets options force the module format and the runtime module", () => {
    const plan = planModule(`import x from "x";\n/** @memo */ function f() {}`, at("a.ts", { moduleFormat: "cjs", runtimeModule: "rt" }));
    expect(plan.moduleFormat).toBe("cjs");
    expect(plan.runtimeModule).toBe("rt");
  });

  it("puts the preamble after the hashbang, directives and (ESM) imports", () => {
    const esm = `#!/usr/bin/env node\n"use strict";\nimport a from "a";\nimport type B from "b";\nfoo();\n/** @memo */ function f() {}`;
    const plan = planModule(esm, at("a.ts"));
    expect(esm.slice(0, plan.preambleAt).endsWith(`import type B from "b";`)).toBe(true);
    const cjs = `"use strict";\nconst a = require("a");\n/** @memo */ function f() {}`;
    expect(cjs.slice(0, planModule(cjs, at("a.js")).preambleAt)).toBe(`"use strict";`);
    const hashbangOnly = `#!/usr/bin/env node\n/** @memo */ function f() {}`;
    expect(planModule(hashbangOnly, at("a.js")).preambleAt).toBe("#!/usr/bin/env node".length);
  });

  it("plans bindFunction for module-level declarations and variable statements only", () => {
    const source = `/** @memo */ function a() {}
/** @memo */ export const b = () => 1
class C { /** @memo */ m() {} }
function outer() { /** @memo */ function inner() {} /** @memo */ let d = function () {}; }
export default { /** @memo */ e() {} };`;
    const bindings = planModule(source, at("a.ts")).functions.map((fn) => fn.bindFunction && { ...fn.bindFunction });
    expect(bindings).toEqual([
      { name: "a", insertAt: "preamble" },
      { name: "b", insertAt: source.indexOf("\nclass") },
      null,
      null,
      { name: "d", insertAt: source.indexOf(" }\nexport default") },
      null,
    ]);
  });

  it("binds functions whose tag sits between export and the declaration", () => {
    const source = `export /** @memo */ function a() {}\nexport /** @memo */ const b = () => 1;\nexport default /** @memo */ function () {}`;
    const plan = planModule(source, at("a.ts"));
    expect(plan.functions.map((fn) => [fn.meta.id, fn.bindFunction && { ...fn.bindFunction }])).toEqual([
      ["a.ts#a", { name: "a", insertAt: "preamble" }],
      ["a.ts#b", { name: "b", insertAt: source.indexOf("\nexport default") }],
      ["a.ts#default", null],
    ]);
  });

  it("reports syntax errors as diagnostics instead of throwing", () => {
    const plan = planModule("/** @memo */ function (", at("a.ts"));
    expect(plan.functions).toEqual([]);
    expect(plan.diagnostics[0].code).toBe("AUTOMEMO_PARSE_ERROR");
    expect(plan.diagnostics[0].message).toMatch(/^\[automemo\] Cannot parse a\.ts:/);
  });

  it("reports every misuse in one pass, in source order, with [automemo] messages", () => {
    const source = `/**
 * @memo
 * @singleton
 */ function a() {}
/** @memo */ function* b() {}
class C { /** @memo */ get c() { return 1; } /** @memo */ constructor() {} }
/** @memo */ const d = 1;
/** @singleton { persist: "disk" } */ function e() {}
/** @memo { nope: 1 } */ function f() {}`;
    const { diagnostics, functions } = planModule(source, at("a.ts"));
    expect(functions).toEqual([]);
    expect(diagnostics.map((d) => d.code)).toEqual([
      "AUTOMEMO_BOTH_TAGS",
      "AUTOMEMO_GENERATOR",
      "AUTOMEMO_ACCESSOR",
      "AUTOMEMO_CONSTRUCTOR",
      "AUTOMEMO_NOT_A_FUNCTION",
      "AUTOMEMO_INVALID_OPTION",
      "AUTOMEMO_INVALID_OPTION",
    ]);
    for (const diagnostic of diagnostics) expect(diagnostic.message).toMatch(/^\[automemo\] /);
  });

  it("skips functions an earlier run already transformed and continues handle numbering", () => {
    const source = `import { cacheHandle as __am_cacheHandle, MISS as __am_MISS } from "automemo";
const __am_3 = __am_cacheHandle("memo", { id: "a.ts#f", hash: "x", params: [], key: [], options: {} });
/** @memo */ function f() { const __am_r = __am_3.get0(); if (__am_r !== __am_MISS) return __am_r; return __am_3.settle(() => {}); }
/** @memo */ function g() {}`;
    const plan = planModule(source, at("a.ts"));
    expect(plan.hasRuntimeImport).toBe(true);
    expect(plan.functions.map((fn) => [fn.meta.id, fn.handleName])).toEqual([["a.ts#g", "__am_4"]]);
    expect(source.slice(0, plan.preambleAt).endsWith(`options: {} });`)).toBe(true);
  });

  it("accepts the tag before or after a member's decorators", () => {
    const source = `class A {\n  /** @memo */ @log before(x: number) { return x; }\n  @log /** @memo */ after(x: number) { return x; }\n}`;
    expect(planModule(source, at("a.ts")).functions.map((fn) => fn.meta.id)).toEqual(["a.ts#A.before", "a.ts#A.after"]);
  });

  it("parses TSX and JSX", () => {
    const source = `/** @memo */ export function View(props: { n: number }) { return <div>{props.n}</div>; }`;
    expect(planModule(source, at("a.tsx")).functions).toHaveLength(1);
    expect(planModule(source.replace(": { n: number }", ""), at("a.jsx")).functions).toHaveLength(1);
  });
});

describe("projectRelativePath", () => {
  it.each([
    ["/repo/src/a.ts", "/repo", "src/a.ts"],
    ["C:\\repo\\src\\a.ts", "C:\\repo", "src/a.ts"],
    ["src/a.ts", "/repo", "src/a.ts"],
  ])("%s from %s is %s", (filename, root, expected) => {
    expect(projectRelativePath(filename, root)).toBe(expected);
  });
});
