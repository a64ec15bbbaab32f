import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { clearDependencyCaches, createBuildSession, planModule, transformSource } from "../../transformer/core/index.ts";
import { SavedMap, type SavedMapCodec } from "../../transformer/core/deps/saved-map.ts";
import { FACT_FILE, PLAN_FILE, SUMMARY_FILE, SUMMARY_FORMAT } from "../../transformer/core/deps/store.ts";
import { buildDefines } from "../../build-defines.ts";
import { type Project, projectsDeletedAfterEach } from "./harness.ts";

const project = projectsDeletedAfterEach();
afterEach(() => clearDependencyCaches());

const CACHE = ".cache-for-test";

/** One one-shot build in a new process: hashes by function id; saves at the end, as at exit. */
function build(created: Project, dependencyCache: string | false | "default" = CACHE): Record<string, string> {
  clearDependencyCaches();
  const table: Record<string, string> = {};
  // One build session, as a bundler's build has.
  const session = createBuildSession();
  for (const file of created.taggedFiles()) {
    for (const fn of planModule(created.read(file), { filename: file, root: created.root, dependencyCache: dependencyCache === "default" ? undefined : dependencyCache, session }).functions) table[fn.meta.id] = fn.meta.hash;
  }
  clearDependencyCaches();
  return table;
}

const cacheFile = (created: Project, name: string) => join(created.root, CACHE, name);

const helperProject = {
  "src/helper.ts": `export function helper(x: number) { return x * 2; }\nexport function unrelated() { return 1; }\n`,
  "src/a.ts": `import { helper } from "./helper.ts";\n/** @memo */\nexport function f(x: number) { return helper(x); }\n`,
};

describe("what dependency tracking saves across builds", () => {
  it("reuses a plan record's digests in a later build (a tampered digest shows through)", () => {
    const created = project(helperProject);
    const first = build(created);
    const saved = JSON.parse(readFileSync(cacheFile(created, PLAN_FILE), "utf8"));
    const [record] = saved.payload;
    expect(record[3]).toContain(first["src/a.ts#f"]);
    // Same shape, another digest: a build that recomputed would not return it.
    record[3][2] = "0123456789abcdef";
    writeFileSync(cacheFile(created, PLAN_FILE), JSON.stringify(saved));
    expect(build(created)["src/a.ts#f"]).toBe("0123456789abcdef");
  });

  it("recomputes when an imported helper changes, and agrees with a build that saved nothing", () => {
    const created = project(helperProject);
    const first = build(created);
    created.write({ "src/helper.ts": `export function helper(x: number) { return x * 3; }\nexport function unrelated() { return 1; }\n` });
    const later = build(created);
    expect(later["src/a.ts#f"]).not.toBe(first["src/a.ts#f"]);
    expect(later).toEqual(build(created, false));
  });

  it("keeps the digest when only an unrelated function of the helper's file changes", () => {
    const created = project(helperProject);
    const first = build(created);
    created.write({ "src/helper.ts": `export function helper(x: number) { return x * 2; }\nexport function unrelated() { return 2; }\n` });
    expect(build(created)).toEqual(first);
  });

  it("hashes a variable first reached through a saved summary with its let/const kind (agrees with a build that saved nothing)", () => {
    const created = project({
      "src/dep.ts": `export let a = 1;\nexport let b = 2;\n`,
      "src/main.ts": `import { a } from "./dep.ts";\n/** @memo */\nexport function f() { return a; }\n`,
    });
    build(created);
    // b's own hash is not in dep.ts's saved summary: it is computed from a summary-built file.
    created.write({ "src/main.ts": `import { b } from "./dep.ts";\n/** @memo */\nexport function f() { return b; }\n` });
    const later = build(created);
    expect(later).toEqual(build(created, false));
    created.write({ "src/dep.ts": `export let a = 1;\nexport const b = 2;\n` });
    const edited = build(created);
    expect(edited["src/main.ts#f"]).not.toBe(later["src/main.ts#f"]);
    expect(edited).toEqual(build(created, false));
  });

  it("does not trust a fact set edited after it was saved (its id is the hash of its content)", () => {
    const created = project(helperProject);
    build(created);
    const saved = JSON.parse(readFileSync(cacheFile(created, FACT_FILE), "utf8"));
    // Forget every file and resolution a fact set lists: if trusted, the record would hold whatever changed.
    for (const entry of saved.payload) {
      entry[1] = [];
      entry[2] = [];
    }
    writeFileSync(cacheFile(created, FACT_FILE), JSON.stringify(saved));
    created.write({ "src/helper.ts": `export function helper(x: number) { return x * 5; }\nexport function unrelated() { return 1; }\n` });
    expect(build(created)).toEqual(build(created, false));
  });

  it("keeps only the fact sets a saved record reaches", () => {
    const created = project(helperProject);
    build(created);
    const saved = JSON.parse(readFileSync(cacheFile(created, FACT_FILE), "utf8"));
    const reachable = saved.payload.map(([id]: [string]) => id);
    saved.payload.push(["nobody-reaches-this", [["/nowhere.ts", "key"]], [], []]);
    writeFileSync(cacheFile(created, FACT_FILE), JSON.stringify(saved));
    created.write({ "src/a.ts": `${helperProject["src/a.ts"]}// edited: the record of a.ts is made again\n` });
    build(created);
    const rewritten = JSON.parse(readFileSync(cacheFile(created, FACT_FILE), "utf8")).payload.map(([id]: [string]) => id);
    expect(rewritten).not.toContain("nobody-reaches-this");
    expect(rewritten.sort()).toEqual(reachable.sort());
  });

  it("recomputes when an import now resolves to another file (a TypeScript source added next to the .js)", () => {
    const created = project({
      "src/helper.js": `export function helper(x) { return x + 1; }\n`,
      "src/a.ts": `import { helper } from "./helper.js";\n/** @memo */\nexport function f(x: number) { return helper(x); }\n`,
    });
    const first = build(created);
    created.write({ "src/helper.ts": `export function helper(x: number) { return x + 2; }\n` });
    const later = build(created);
    expect(later["src/a.ts#f"]).not.toBe(first["src/a.ts#f"]);
    expect(later).toEqual(build(created, false));
  });

  it("recomputes when an imported package's installed version changes", () => {
    const created = project({
      "node_modules/padder/package.json": `{ "name": "padder", "version": "1.0.0" }`,
      "src/a.ts": `import { pad } from "padder";\n/** @memo */\nexport function f(x: string) { return pad(x); }\n`,
    });
    const first = build(created);
    created.write({ "node_modules/padder/package.json": `{ "name": "padder", "version": "1.0.1" }` });
    const later = build(created);
    expect(later["src/a.ts#f"]).not.toBe(first["src/a.ts#f"]);
    expect(later).toEqual(build(created, false));
  });

  it("lists the files a reused digest came from, as a build that saved nothing does (watch modes read them)", () => {
    const created = project(helperProject);
    const file = join(created.root, "src/a.ts");
    const files = (dependencyCache: string | false) => {
      clearDependencyCaches();
      return transformSource(created.read(file), { filename: file, root: created.root, dependencyCache })!.dependencyFiles;
    };
    const fresh = files(false);
    expect(fresh).toEqual([join(created.root, "src/helper.ts")]);
    files(CACHE);
    clearDependencyCaches();
    expect(files(CACHE)).toEqual(fresh);
  });

  it("records a deep import chain with one fact set per file (shared, not listed again per record), and hashes every file right", () => {
    const depth = 300;
    const files: Record<string, string> = {};
    for (let index = 0; index < depth; index++) {
      const previous = index > 0 ? `import { f${index - 1} } from "./m${index - 1}.ts";\n` : "";
      files[`src/m${index}.ts`] = `${previous}/** @memo */\nexport function f${index}(x: number) { return ${index > 0 ? `f${index - 1}(x) + ` : ""}${index}; }\n`;
    }
    const created = project(files);
    const reference = build(created, false);
    expect(build(created)).toEqual(reference);
    expect(JSON.parse(readFileSync(cacheFile(created, PLAN_FILE), "utf8")).payload).toHaveLength(depth);
    // One fact set per binding node and per function root, each listing one file and one resolution at most.
    const factSets = JSON.parse(readFileSync(cacheFile(created, FACT_FILE), "utf8")).payload as [string, unknown[], unknown[], string[]][];
    expect(factSets.length).toBeLessThanOrEqual(2 * depth);
    expect(Math.max(...factSets.map(([, read, resolved, children]) => read.length + resolved.length + children.length))).toBeLessThanOrEqual(3);
    expect(build(created)).toEqual(reference);
    created.write({ "src/m0.ts": `/** @memo */\nexport function f0(x: number) { return -1; }\n` });
    const edited = build(created);
    expect(edited).toEqual(build(created, false));
    expect(Object.keys(edited).filter((id) => edited[id] === reference[id])).toEqual([]);
  });

  it.each([
    ["not JSON", () => "{ truncated"],
    ["another fingerprint", (text: string) => text.replace(/"fingerprint":"[^"]*"/, '"fingerprint":"other version"')],
    ["entries of the wrong shape", (text: string) => text.replace(/"payload":/, '"payload":[["x"],[1,2,3,4,5],["a","b","c",[1],["d"]]],"was":')],
    ["fact sets missing", (text: string) => (text.includes('"payload":[["') ? text : text).replace(/"payload":\[.*\]\}$/, '"payload":[]}')],
  ])("ignores a saved file with %s, and replaces it with a good one", (_problem, spoil) => {
    const created = project(helperProject);
    const reference = build(created, false);
    build(created);
    for (const name of [PLAN_FILE, FACT_FILE, SUMMARY_FILE]) writeFileSync(cacheFile(created, name), spoil(readFileSync(cacheFile(created, name), "utf8")));
    expect(build(created)).toEqual(reference);
    expect(JSON.parse(readFileSync(cacheFile(created, PLAN_FILE), "utf8")).payload).toHaveLength(1);
    expect(build(created)).toEqual(reference);
  });

  it("builds normally when the cache folder cannot be written", () => {
    const created = project({ ...helperProject, "blocker.txt": "a file where the cache folder would go" });
    const reference = build(created, false);
    expect(build(created, "blocker.txt/cache")).toEqual(reference);
    expect(existsSync(join(created.root, "blocker.txt/cache"))).toBe(false);
  });

  it("saves nothing with dependencyCache: false, nor by default in a folder without node_modules", () => {
    const created = project(helperProject);
    build(created, false);
    build(created, "default");
    expect(existsSync(join(created.root, CACHE))).toBe(false);
    expect(existsSync(join(created.root, "node_modules"))).toBe(false);
  });
});

describe("SavedMap (one JSON file shared by processes)", () => {
  const codec: SavedMapCodec<string> = {
    encode: (entries) => entries,
    decode: (payload) => new Map(Array.isArray(payload) ? (payload as [string, string][]) : []),
  };

  it("merges what another process saved meanwhile; its own keys win", () => {
    const created = project({ "keep.txt": "" });
    const file = join(created.root, "cache", "map.json");
    const first = new SavedMap(file, "v1", codec, created.root);
    const second = new SavedMap(file, "v1", codec, created.root);
    first.set("shared", "from first");
    first.set("a", "1");
    first.save(100, () => true);
    expect(second.get("a")).toBe("1");
    first.set("b", "2");
    first.save(100, () => true);
    second.set("shared", "from second");
    second.set("c", "3");
    second.save(100, () => true);
    const third = new SavedMap(file, "v1", codec, created.root);
    expect(["a", "b", "c", "shared"].map((key) => third.get(key))).toEqual(["1", "2", "3", "from second"]);
  });

  it("drops entries this process did not set once past the limit, unless kept", () => {
    const created = project({ "keep.txt": "" });
    const file = join(created.root, "map.json");
    const earlier = new SavedMap(file, "v1", codec, created.root);
    for (const key of ["old1", "old2", "kept"]) earlier.set(key, key);
    earlier.save(100, () => true);
    const later = new SavedMap(file, "v1", codec, created.root);
    later.set("new", "new");
    later.save(2, (key) => key === "kept");
    const reread = new SavedMap(file, "v1", codec, created.root);
    expect(["old1", "old2", "kept", "new"].map((key) => reread.get(key) ?? null)).toEqual([null, null, "kept", "new"]);
  });

  it("never writes once its anchor folder is gone (a deleted project is not recreated at exit)", () => {
    const created = project({ "keep.txt": "" });
    const anchor = join(created.root, "gone");
    const map = new SavedMap(join(anchor, "cache", "map.json"), "v1", codec, anchor);
    map.set("a", "1");
    map.save(100, () => true);
    expect(existsSync(anchor)).toBe(false);
  });
});

/** The transformer build id dist/ was built with (the test script builds it first). */
function buildDefinesId(): string {
  return JSON.parse(buildDefines().__AUTOMEMO_BUILD_ID__!) as string;
}

describe("saving at process exit (the shipped Babel plugin, default folder)", () => {
  const dist = fileURLToPath(new URL("../../dist/", import.meta.url));

  it("writes node_modules/.cache/automemo when a one-shot process ends, and the next process reuses it", () => {
    const created = project({ ...helperProject, "node_modules/.keep": "" });
    const script = `
      const babel = require("@babel/core");
      const plugin = require(${JSON.stringify(join(dist, "babel.cjs"))});
      const file = ${JSON.stringify(join(created.root, "src/a.ts"))};
      const out = babel.transformSync(require("fs").readFileSync(file, "utf8"), {
        filename: file, babelrc: false, configFile: false,
        presets: [require.resolve("@babel/preset-typescript")],
        plugins: [[plugin.default ?? plugin, { root: ${JSON.stringify(created.root)} }]],
      });
      process.stdout.write(/hash:\\s*"([0-9a-f]+)"/.exec(out.code)[1]);
    `;
    const run = () => spawnSync(process.execPath, ["-e", script], { cwd: fileURLToPath(new URL("../..", import.meta.url)), encoding: "utf8" });
    const first = run();
    expect(first.stderr).toBe("");
    const folder = join(created.root, "node_modules/.cache/automemo");
    const saved = JSON.parse(readFileSync(join(folder, PLAN_FILE), "utf8"));
    expect(saved.payload).toHaveLength(1);
    // A build knows what code wrote the data from its build id and the parser's version, without planning a sample.
    const parserVersion = JSON.parse(readFileSync(fileURLToPath(new URL("../../node_modules/oxc-parser/package.json", import.meta.url)), "utf8")).version;
    const packageVersion = JSON.parse(readFileSync(fileURLToPath(new URL("../../package.json", import.meta.url)), "utf8")).version;
    expect(saved.fingerprint, "dist/ must be built from these sources (npm test builds it; after `vitest` alone, run `npm run build`)").toBe(`${packageVersion}:${SUMMARY_FORMAT}:build ${buildDefinesId()}:oxc-parser@${parserVersion}`);
    expect(first.stdout).toBe(build(created, false)["src/a.ts#f"]);
    const second = run();
    expect(second.stdout).toBe(first.stdout);
  });
});
