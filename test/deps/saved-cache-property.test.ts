/**
 * Random edit sequences: after every step, a one-shot build in a new process that
 * reuses what earlier builds saved must hash exactly as a build that saved nothing.
 * The files switch between versions that move bindings around, change let/const,
 * re-export through `export *` (cycles included), go CommonJS, read JSON, retarget
 * tsconfig `paths`, shadow a `.js` with a `.ts`, bump a package version, and vanish.
 */
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { clearDependencyCaches, planModule } from "../../transformer/core/index.ts";
import { type Project, projectsDeletedAfterEach } from "./harness.ts";

const VERSIONS: Readonly<Record<string, readonly (string | null)[]>> = {
  "src/util.ts": [
    "export let a = 1;\nexport const b = 2;\nexport function g() { return a; }\n",
    "export const a = 1;\nexport const b = 3;\nexport function g() { return a + b; }\n",
    'export * from "./more";\nexport function g() { return 0; }\n',
    'export { a, b } from "./more";\nimport { c } from "./legacy.cjs";\nexport function g() { return c(); }\n',
    'export * from "./more.js";\nexport * from "pkg";\nexport function g() { return 5; }\n',
    null,
  ],
  "src/more.ts": [
    "export const a = 10;\nexport const b = 20;\n",
    "export const a = 11;\nexport let b = 20;\nexport function c() { return 1; }\n",
    'export * from "./util";\nexport const c = () => 3;\n',
    'import data from "./data.json";\nexport const a = data;\nexport var b = 1;\n',
    null,
  ],
  "src/more.js": ["export const a = 99;\nexport const b = 98;\n", null],
  "src/legacy.cjs": ["module.exports = { c() { return 1; } };\n", 'module.exports = { c() { return 2; }, d: require("./data.json") };\n', null],
  "src/data.json": ['{ "x": 1 }', '{ "x": 2 }', null],
  "node_modules/pkg/package.json": ['{ "name": "pkg", "version": "1.0.0" }', '{ "name": "pkg", "version": "1.0.1" }'],
  "tsconfig.json": [
    "{}",
    '{ "compilerOptions": { "baseUrl": ".", "paths": { "@u": ["src/util.ts"], "@m": ["src/more.ts"] } } }',
    '{ "compilerOptions": { "baseUrl": ".", "paths": { "@u": ["src/more.ts"], "@m": ["src/util.ts"] } } }',
  ],
  "src/main.ts": [
    'import { a, b, g } from "./util";\n/** @memo */\nexport function f() { return a + g(); }\n/** @memo */\nexport function h() { return b; }\n',
    'import * as u from "./util";\nimport p from "pkg";\n/** @memo */\nexport function f() { return u.g() + p; }\n/** @memo */\nexport function h() { return u.b; }\n',
    'import { c } from "./legacy.cjs";\nimport data from "./data.json";\n/** @memo */\nexport function f() { return c() + data.x; }\n',
    'import { a } from "./more";\nimport { g, c } from "./util.js";\n/** @memo */\nexport function f() { return a + g() + c(); }\n',
    'import { a } from "@u";\nimport * as m from "@m";\n/** @memo */\nexport function f() { return a + m.b; }\n',
  ],
  "src/other.ts": [
    'import { f } from "./main";\nimport { b } from "./more";\n/** @memo */\nexport function k() { return f() + b; }\n',
    'import * as all from "./util";\n/** @memo */\nexport function k() { return all; }\n',
    null,
  ],
};
const PATHS = Object.keys(VERSIONS);

const project = projectsDeletedAfterEach();
afterEach(() => clearDependencyCaches());

/** One one-shot build in a new process: hashes by function id, saved data used and updated (or not at all). */
function build(created: Project, dependencyCache: string | false): Record<string, string> {
  clearDependencyCaches();
  const table: Record<string, string> = {};
  for (const file of created.taggedFiles()) {
    for (const fn of planModule(created.read(file), { filename: file, root: created.root, dependencyCache }).functions) table[fn.meta.id] = fn.meta.hash;
  }
  clearDependencyCaches();
  return table;
}

const edit = fc.record({ path: fc.constantFrom(...PATHS), version: fc.nat() });
const step = fc.record({ edits: fc.array(edit, { minLength: 1, maxLength: 2 }), compare: fc.boolean() });

describe("saved dependency data under random edit sequences", () => {
  it("every later build hashes exactly as a build that saved nothing", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 8 }), (steps) => {
        const initial = Object.fromEntries(PATHS.map((path) => [path, VERSIONS[path]![0]]).filter(([, text]) => text !== null)) as Record<string, string>;
        const created = project(initial);
        const saved = join(created.root, ".saved");
        build(created, saved);
        for (const { edits, compare } of steps) {
          created.write(Object.fromEntries(edits.map(({ path, version }) => [path, VERSIONS[path]![version % VERSIONS[path]!.length]!])));
          const reused = build(created, saved);
          // Some steps only build (so the next one starts from data this one saved).
          if (compare) expect(reused).toEqual(build(created, false));
        }
        created.dispose();
      }),
      { numRuns: 40 },
    );
  });
});
