import type { ExportNamedDeclaration } from "oxc-parser";
import { describe, expect, it } from "vitest";
import { clearDependencyCaches, createBuildSession, planModule, type DependencyResolver } from "../../transformer/core/index.ts";
import { createDependencyHashing } from "../../transformer/core/deps/index.ts";
import { parseModule } from "../../transformer/core/parse.ts";
import { ModuleSummary } from "../../transformer/core/deps/summary.ts";
import { dependencyStoreFor, textKeyOf } from "../../transformer/core/deps/store.ts";
import { collectUntil } from "../runtime/helpers.ts";
import { type Project, projectsDeletedAfterEach } from "./harness.ts";

const project = projectsDeletedAfterEach();

/** One build: its plannings share a build session, as a bundler's do. */
function hashes(root: string, files: readonly string[], read: (path: string) => string, dependencies?: boolean | DependencyResolver): Record<string, string> {
  const table: Record<string, string> = {};
  const session = createBuildSession();
  for (const file of files) for (const fn of planModule(read(file), { filename: file, root, dependencies, session }).functions) table[fn.meta.id] = fn.meta.hash;
  return table;
}

/** Hashes of every tagged file planned front to back and back to front, each from cold caches. */
function hashesBothWays(created: Project): [forward: Record<string, string>, backward: Record<string, string>] {
  const files = created.taggedFiles();
  const read = (path: string) => created.read(path);
  clearDependencyCaches();
  const forward = hashes(created.root, files, read);
  clearDependencyCaches();
  return [forward, hashes(created.root, [...files].reverse(), read)];
}

/** The qualified names the first tagged function of `file` depends on. */
function dependencyNames(root: string, file: string, source: string): string[] {
  const { program } = parseModule(source, file, file);
  const fn = program.body.find((statement) => statement.type === "ExportNamedDeclaration")?.declaration;
  return createDependencyHashing({ program, source, filename: file, root }).dependencyNames(fn!);
}

const cycle = {
  "src/a.ts": `import { fromB } from "./b.ts";\nexport function fromA(x: number): number { return x <= 0 ? 0 : fromB(x - 1); }\n/** @memo */\nexport function f(x: number) { return fromA(x); }\n`,
  "src/b.ts": `import { fromA } from "./a.ts";\nexport function fromB(x: number): number { return x <= 0 ? 1 : fromA(x - 1); }\n/** @memo */\nexport function g(x: number) { return fromB(x); }\n`,
};

describe("dependency closure", () => {
  it("lists the files a planning read the same before and after it finishes", () => {
    const { root } = project({ "src/helper.ts": `export function helper(x: number) { return x + 1; }\n` });
    const filename = `${root}/src/a.ts`;
    const source = `import { helper } from "./helper.ts";\n/** @memo */\nexport function f(x: number) { return helper(x); }\n`;
    const hashing = createDependencyHashing({ source, filename, root, dependencyCache: false });
    const { program } = hashing.parse(source, filename, filename);
    hashing.hash((program.body[1] as ExportNamedDeclaration).declaration!, "own", true);
    const before = hashing.files();
    hashing.finish();
    expect(before).toEqual([`${root}/src/helper.ts`]);
    expect(hashing.files()).toEqual(before);
  });

  it("counts a circular re-export as missing instead of recursing forever", () => {
    const { root } = project({
      "src/util.ts": `export { a } from "./more.ts";\n`,
      "src/more.ts": `export * from "./util.ts";\n`,
    });
    const source = `import { a } from "./util.ts";\nexport function run() { return a; }\n`;
    expect(dependencyNames(root, `${root}/src/main.ts`, source)).toEqual(["missing:src/util.ts#a"]);
  });

  it("lists exactly the code a function reaches, with project-relative qualified names", () => {
    const { root } = project({
      "src/helper.ts": `import { readFileSync } from "node:fs";\nimport { pad } from "padder";\nexport function helper(x: number) { return pad(String(x)) + readFileSync; }\nexport function unused() {}\n`,
      "node_modules/padder/package.json": `{ "version": "3.1.0" }`,
    });
    const source = `import { helper } from "./helper.ts";\nimport * as ns from "./missing.ts";\nconst LIMIT = 3;\nclass Box { open() { return LIMIT; } }\nexport function run(x: number) { return helper(x) + new Box().open() + ns.thing; }\n`;
    expect(dependencyNames(root, `${root}/src/a.ts`, source)).toEqual([
      "node:fs",
      "npm:padder@3.1.0",
      "src/a.ts#Box",
      "src/a.ts#LIMIT",
      "src/helper.ts#helper",
      "unresolved:./missing.ts",
    ]);
  });

  it("looks through the same expression wrappers as the code hash: `(ns).one` and `ns!.one` read one export", () => {
    const { root } = project({ "src/b.ts": `export const one = 1;\nexport const two = 2;\n` });
    const source = `import * as ns from "./b.ts";\nexport function run() { return (ns).one + ns!.one + (ns as typeof ns).one; }\n`;
    expect(dependencyNames(root, `${root}/src/main.ts`, source)).toEqual(["src/b.ts#one"]);
  });

  it("gives the same hashes whatever order the files are planned in (cycles included)", () => {
    const [forward, backward] = hashesBothWays(project(cycle));
    expect(Object.keys(forward)).toEqual(["src/a.ts#f", "src/b.ts#g"]);
    expect(backward).toEqual(forward);
    expect(forward["src/a.ts#f"]).not.toBe(forward["src/b.ts#g"]);
  });

  it("keeps the own-code hash for functions that read nothing outside themselves, and with tracking off", () => {
    const created = project({ "src/a.ts": `const K = 1;\n/** @memo */\nexport function pure(x: number) { return x + 1; }\n/** @memo */\nexport function reads(x: number) { return x + K; }\n` });
    const files = created.taggedFiles();
    const read = (path: string) => created.read(path);
    const on = hashes(created.root, files, read);
    const off = hashes(created.root, files, read, false);
    expect(on["src/a.ts#pure"]).toBe(off["src/a.ts#pure"]);
    expect(on["src/a.ts#reads"]).not.toBe(off["src/a.ts#reads"]);
  });

  it("never crashes on a resolver that throws or files it cannot read, and stays deterministic", () => {
    const created = project(cycle);
    const files = created.taggedFiles();
    const read = (path: string) => created.read(path);
    const throwing: DependencyResolver = {
      resolve: () => {
        throw new Error("resolver failure");
      },
      readFile: () => undefined,
    };
    const unreadable: DependencyResolver = { resolve: (specifier, from) => ({ kind: "file", path: `${from}/../${specifier}` }), readFile: () => undefined };
    const first = hashes(created.root, files, read, throwing);
    expect(hashes(created.root, files, read, throwing)).toEqual(first);
    expect(hashes(created.root, files, read, unreadable)).toEqual(first);
  });

  it("follows a resolution again when the file it led to is deleted", () => {
    const created = project({
      "src/a.ts": `import { helper } from "./helper";\n/** @memo */\nexport function f(x: number) { return helper(x); }\n`,
      "src/helper.ts": `export function helper(x: number) { return x + 1; }\n`,
      "src/helper.js": `export function helper(x) { return x + 2; }\n`,
    });
    const files = created.taggedFiles();
    const read = (path: string) => created.read(path);
    const withTs = hashes(created.root, files, read);
    created.write({ "src/helper.ts": null });
    const cached = hashes(created.root, files, read);
    clearDependencyCaches();
    expect(cached).toEqual(hashes(created.root, files, read));
    expect(cached).not.toEqual(withTs);
  });

  it("tells hosts which files the hashes were computed from (package manifests included), for watch mode", () => {
    const created = project({
      "src/a.ts": `import { b } from "./b.ts";\nimport { z } from "zlib";\nimport { pad } from "padder";\n/** @memo */\nexport function f(x: number) { return pad(b(x) + z); }\n`,
      "node_modules/padder/package.json": `{ "name": "padder", "version": "1.0.0" }`,
      "src/b.ts": `import { c } from "./c.ts";\nimport { unused } from "./unused.ts";\nexport const b = (x: number) => c(x);\n`,
      "src/c.ts": `export const c = (x: number) => x;\n`,
      "src/unused.ts": `export const unused = 1;\n`,
    });
    const file = `${created.root}/src/a.ts`;
    const plan = planModule(created.read(file), { filename: file, root: created.root });
    expect(plan.dependencyFiles).toEqual([`${created.root}/node_modules/padder/package.json`, `${created.root}/src/b.ts`, `${created.root}/src/c.ts`]);
    expect(planModule(created.read(file), { filename: file, root: created.root, dependencies: false }).dependencyFiles).toEqual([]);
  });

  it("reports a file reached through a helper hashed while planning that file", () => {
    const created = project({
      "src/a.ts": `import { h } from "./b.ts";\nexport function g() { return 1; }\n/** @memo */\nexport function f() { return h(); }\n`,
      "src/b.ts": `import { g } from "./a.ts";\nexport function h() { return g(); }\n/** @memo */\nexport function k() { return h(); }\n`,
    });
    const [a, b] = created.taggedFiles();
    clearDependencyCaches();
    expect(planModule(created.read(a!), { filename: a!, root: created.root }).dependencyFiles).toEqual([b]);
    expect(planModule(created.read(b!), { filename: b!, root: created.root }).dependencyFiles).toEqual([a]);
  });

  it("hashes a 1000-file import chain the same in either planning order", () => {
    const files: Record<string, string> = {};
    for (let index = 0; index < 1000; index++) {
      const previous = index > 0 ? `import { f${index - 1} } from "./m${index - 1}.ts";\n` : "";
      files[`src/m${index}.ts`] = `${previous}/** @memo */\nexport function f${index}(n: number): number { return ${index > 0 ? `f${index - 1}(n) + 1` : "n"}; }\n`;
    }
    const [forward, backward] = hashesBothWays(project(files));
    expect(backward).toEqual(forward);
    expect(new Set(Object.values(forward)).size).toBe(1000);
  });

  it("uses the host's text for the module being planned, not the disk", () => {
    const created = project({ "src/a.ts": `const K = 1;\n/** @memo */\nexport function f(x: number) { return x + K; }\n` });
    const [file] = created.taggedFiles();
    const edited = `const K = 2;\n/** @memo */\nexport function f(x: number) { return x + K; }\n`;
    const fromDisk = planModule(created.read(file!), { filename: file!, root: created.root }).functions[0]!.meta.hash;
    const fromHost = planModule(edited, { filename: file!, root: created.root }).functions[0]!.meta.hash;
    expect(fromHost).not.toBe(fromDisk);
  });

  it("with tracking off, holds nothing of the module it hashes for (a kept plan would keep its AST alive)", async () => {
    let collected = false;
    const watcher = new FinalizationRegistry(() => (collected = true));
    const source = `/** @memo */\nexport function f(x: number) { return x + 1; }\n`;
    const hashing = (() => {
      const { program } = parseModule(source, "/p/a.ts", "a.ts");
      watcher.register(program, "program");
      return createDependencyHashing({ program, source, filename: "/p/a.ts", root: "/p", dependencies: false });
    })();
    expect(await collectUntil(() => collected)).toBe(true);
    expect(hashing.files()).toEqual([]);
  });

  describe("syntax trees are not kept for the whole build", () => {
    const files = {
      "src/helpers.ts": `export const BASE = 10;\nexport function add(x: number) { return x + BASE; }\nexport function twice(x: number) { return add(add(x)); }\nexport class Counter { n = 0; bump() { return add(this.n++); } }\n`,
      "src/a.ts": `import { add } from "./helpers.ts";\n/** @memo */\nexport function f(x: number) { return add(x); }\n`,
      "src/b.ts": `import { twice, Counter } from "./helpers.ts";\nimport { f } from "./a.ts";\n/** @memo */\nexport function g(x: number) { return twice(x) + new Counter().bump() + f(x); }\n`,
    };
    const path = (created: Project, file: string) => `${created.root}/${file}`;

    it("lets the planned module's tree go when the planning finishes, while the hashing (and the plan's file list) live on", async () => {
      const created = project(files);
      const filename = path(created, "src/a.ts");
      const source = created.read(filename);
      let collected = false;
      const watcher = new FinalizationRegistry(() => (collected = true));
      clearDependencyCaches();
      const hashing = createDependencyHashing({ source, filename, root: created.root, dependencyCache: false });
      (() => {
        const { program } = hashing.parse(source, filename, filename);
        watcher.register(program, "program");
        hashing.hash((program.body[1] as ExportNamedDeclaration).declaration!, "own", true);
      })();
      hashing.finish();
      expect(await collectUntil(() => collected)).toBe(true);
      expect(hashing.files()).toEqual([path(created, "src/helpers.ts")]);
    });

    it("reads a planned module's summary, completed as its planning finished, when a later planning reads more of it (the same hashes as a cold build)", () => {
      const created = project(files);
      const read = (file: string) => created.read(file);
      clearDependencyCaches();
      // a's summary holds only what a's planning needed; b reads a's `f` and more of helpers.
      hashes(created.root, [path(created, "src/a.ts")], read);
      const afterA = hashes(created.root, [path(created, "src/b.ts")], read);
      clearDependencyCaches();
      expect(afterA).toEqual(hashes(created.root, [path(created, "src/b.ts")], read));
    });

    it("summarizes a binding nobody asked for from the text alone, as from the planner's tree", () => {
      const text = files["src/helpers.ts"];
      const { program } = parseModule(text, "/p/src/helpers.ts", "helpers.ts");
      const fromTree = ModuleSummary.ofProgram("/p/src/helpers.ts", text, "key", program);
      const partial = ModuleSummary.ofProgram("/p/src/helpers.ts", text, "key", program).summary;
      partial.binding("add", fromTree.source);
      // `twice` is not summarized and no tree is given: the text is parsed again.
      expect(partial.binding("twice")).toEqual(fromTree.summary.binding("twice", fromTree.source));
      expect(partial.isComplete).toBe(true);
    });

    it("keeps the parse of a tagged dependency with its summary until the planner takes it (parsed once, whichever session plans it)", () => {
      const created = project(files);
      const a = path(created, "src/a.ts");
      const summaryOfA = () => dependencyStoreFor(created.root, false, () => "").get(a, created.read(a), textKeyOf(created.read(a)));
      clearDependencyCaches();
      planModule(created.read(path(created, "src/b.ts")), { filename: path(created, "src/b.ts"), root: created.root, dependencyCache: false });
      const kept = summaryOfA()?.parseForPlanner;
      expect(kept).toBeTruthy();
      // Planning a takes that parse, and nothing holds it any more.
      planModule(created.read(a), { filename: a, root: created.root, dependencyCache: false });
      expect(summaryOfA()?.parseForPlanner).toBeNull();
    });

    it("hashes a cycle the same when one side's summary was filled by an earlier planning", () => {
      const created = project({
        "src/a.ts": `import { fromB } from "./b.ts";\nexport function fromA(x: number): number { return x <= 0 ? 0 : fromB(x - 1); }\nexport function extra() { return 1; }\n/** @memo */\nexport function f(x: number) { return fromA(x); }\n`,
        "src/b.ts": `import { fromA, extra } from "./a.ts";\nexport function fromB(x: number): number { return x <= 0 ? 1 : fromA(x - 1); }\n/** @memo */\nexport function g(x: number) { return fromB(x); }\n/** @memo */\nexport function k() { return extra(); }\n`,
      });
      const plan = (file: string) => hashes(created.root, [path(created, file)], (name) => created.read(name));
      clearDependencyCaches();
      const cold = plan("src/b.ts");
      clearDependencyCaches();
      plan("src/a.ts");
      expect(plan("src/b.ts")).toEqual(cold);
    });
  });
});
