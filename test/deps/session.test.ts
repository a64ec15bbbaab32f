import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { clearDependencyCaches, createBuildSession, createDiskResolver, planModule, type DependencyResolver, type PlanSession } from "../../transformer/core/index.ts";

const roots: string[] = [];
afterEach(() => {
  clearDependencyCaches();
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

const HELPER = "export function helper(x: number) { return x + 1; }\n";
// Same size as HELPER: only the content tells them apart.
const EDITED = "export function helper(x: number) { return x + 2; }\n";
const user = (name: string) => `import { helper } from "./helper.ts";\n/** @memo */\nexport function ${name}(x: number) { return helper(x); }\n`;

function project(): { root: string; file: (name: string) => string } {
  const root = mkdtempSync(join(tmpdir(), "automemo-session-"));
  roots.push(root);
  mkdirSync(join(root, "src"));
  writeFileSync(join(root, "src/helper.ts"), HELPER);
  for (const name of ["a", "b", "c"]) writeFileSync(join(root, `src/${name}.ts`), user(name));
  return { root, file: (name) => join(root, `src/${name}.ts`) };
}

function hashOf(root: string, file: string, name: string, session?: PlanSession, dependencies?: DependencyResolver): string {
  const plan = planModule(user(name), { filename: file, root, dependencyCache: false, session, dependencies });
  return plan.functions[0]!.meta.hash;
}

/** Rewrites the helper in place with text of the same size and puts its mtime back: only ctime and the content change. */
function editHelperUnseenByMtime(root: string): void {
  const path = join(root, "src/helper.ts");
  const { atime, mtime } = statSync(path);
  writeFileSync(path, EDITED);
  utimesSync(path, atime, mtime);
}

/** The hash a new process would compute for `name` now. */
function freshHash(root: string, file: string, name: string): string {
  clearDependencyCaches();
  return hashOf(root, file, name);
}

describe("build sessions: no time-based reuse", () => {
  it("without a host session, an edit made right after a planning is seen by the next planning in the same process", () => {
    const { root, file } = project();
    hashOf(root, file("a"), "a");
    const before = hashOf(root, file("c"), "c");
    editHelperUnseenByMtime(root);
    const after = hashOf(root, file("b"), "b");
    expect(after).toBe(freshHash(root, file("b"), "b"));
    expect(freshHash(root, file("c"), "c")).not.toBe(before);
  });

  it("a host session reads each dependency once, and a new session or `invalidate` checks it again", () => {
    const { root, file } = project();
    const disk = createDiskResolver();
    const reads: string[] = [];
    const counting: DependencyResolver = { resolve: (specifier, from) => disk.resolve(specifier, from), readFile: (path) => (reads.push(path), disk.readFile(path)) };
    const session = createBuildSession();
    hashOf(root, file("a"), "a", session, counting);
    hashOf(root, file("b"), "b", session, counting);
    expect(reads.filter((path) => path.endsWith("helper.ts"))).toHaveLength(1);

    editHelperUnseenByMtime(root);
    session.invalidate();
    expect(hashOf(root, file("c"), "c", session, counting)).toBe(freshHash(root, file("c"), "c"));
    writeFileSync(join(root, "src/helper.ts"), HELPER);
    expect(hashOf(root, file("a"), "a", createBuildSession())).toBe(freshHash(root, file("a"), "a"));
  });

  it("without a host session, every planning reads what it reaches again", () => {
    const { root, file } = project();
    const disk = createDiskResolver();
    const reads: string[] = [];
    const counting: DependencyResolver = { resolve: (specifier, from) => disk.resolve(specifier, from), readFile: (path) => (reads.push(path), disk.readFile(path)) };
    hashOf(root, file("a"), "a", undefined, counting);
    hashOf(root, file("b"), "b", undefined, counting);
    expect(reads.filter((path) => path.endsWith("helper.ts"))).toHaveLength(2);
  });
});
