/**
 * The browser build (package.json exports["."].browser → dist/index.browser.js/.cjs)
 * bundled the way a browser bundler resolves `automemo`: through the exports map of
 * the built package, with the "browser" condition. It must carry no disk/Redis store
 * code, run where there is no `process`/`Buffer`, explain `persist: "disk"`/"redis",
 * and still use stores registered with `configure({ stores })`. Needs `npm run build`.
 */
import { build, type BuildOptions, type Metafile } from "esbuild";
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir } from "./helpers/temp-dir.ts";

const repo = resolve(import.meta.dirname, "../..");
let project: ReturnType<typeof makeTempDir>;

/** What the runtime needs of a page's globals (vm contexts have only the language built-ins). */
function browserGlobals(): Record<string, unknown> {
  return { setTimeout, clearTimeout, performance, console };
}

beforeAll(() => {
  expect(existsSync(join(repo, "dist/index.browser.js")), "run `npm run build` first (npm test does)").toBe(true);
  project = makeTempDir("browser-build");
  // A consumer project whose node_modules/automemo is this repository, so `automemo`
  // resolves like an installed package: through package.json "exports".
  mkdirSync(join(project.path, "node_modules"));
  symlinkSync(repo, join(project.path, "node_modules/automemo"), "dir");
  writeFileSync(join(project.path, "esm.js"), `import * as automemo from "automemo";\nglobalThis.automemo = automemo;\n`);
  writeFileSync(join(project.path, "cjs.js"), `globalThis.automemo = require("automemo");\n`);
  writeFileSync(join(project.path, "small.js"), `import { memo, configure } from "automemo";\nglobalThis.used = [memo, configure];\n`);
});

afterAll(() => project?.remove());

async function bundle(entry: string, options: BuildOptions = {}): Promise<{ code: string; inputs: string[] }> {
  const result = await build({
    entryPoints: [join(project.path, entry)],
    absWorkingDir: project.path,
    bundle: true,
    platform: "browser",
    format: "iife",
    write: false,
    metafile: true,
    logLevel: "silent",
    ...options,
  });
  const inputs = Object.keys((result.metafile as Metafile).inputs).map((input) => resolve(project.path, input));
  return { code: result.outputFiles![0]!.text, inputs };
}

/**
 * Loads a bundle into a fresh realm without `process`, `Buffer` or `require` (a page),
 * then runs `script` there: an async function body with `automemo` and `storage` (a
 * Map that outlives the page, like IndexedDB) in scope. Code runs in the page's realm
 * because the runtime checks plain objects and async functions by their realm's
 * prototypes. Returns what the script returns, through JSON.
 */
async function inPage(code: string, storage: Map<string, string>, script: string): Promise<any> {
  const context: Record<string, unknown> = { ...browserGlobals(), storage };
  runInNewContext(code, context);
  expect(runInNewContext("typeof process + typeof Buffer + typeof require", context)).toBe("undefinedundefinedundefined");
  const json = await runInNewContext(`(async () => JSON.stringify(await (async () => {\n${script}\n})()))()`, context);
  return JSON.parse(json as string);
}

/** The error `run` throws (or its promise rejects with), as plain data. */
const ERROR_OF = `
  async function errorOf(run) {
    try { await run(); } catch (error) { return { code: error.code, name: error.name, message: error.message }; }
    return undefined;
  }`;

/** An async store keeping JSON in `storage`, standing in for an IndexedDB store. */
const STORAGE_STORE = `
  function storageStore(name) {
    const key = (fn, k) => name + ":" + fn.id + "@" + fn.version + "/" + k;
    return {
      name,
      async read(fn, k) { const json = storage.get(key(fn, k)); return json === undefined ? undefined : { value: JSON.parse(json) }; },
      async write(fn, k, value) { storage.set(key(fn, k), JSON.stringify(value)); },
      async delete(fn, k) { for (const stored of [...storage.keys()]) if (stored.startsWith(name + ":" + fn.id + "@") && (k === undefined || stored.endsWith("/" + k))) storage.delete(stored); },
    };
  }`;

describe("the browser build of automemo", () => {
  it("is what the browser condition resolves, for import and require", async () => {
    const esm = await bundle("esm.js");
    expect(esm.inputs).toContain(join(repo, "dist/index.browser.js"));
    expect(esm.inputs.filter((input) => input.startsWith(join(repo, "dist")))).toEqual([join(repo, "dist/index.browser.js")]);
    const cjs = await bundle("cjs.js");
    expect(cjs.inputs.filter((input) => input.startsWith(join(repo, "dist")))).toEqual([join(repo, "dist/index.browser.cjs")]);
    // Without the browser condition (Node, Vite SSR) the full build is used.
    const neutral = await bundle("esm.js", { platform: "neutral" });
    expect(neutral.inputs).toContain(join(repo, "dist/index.js"));
  });

  it("contains no disk or Redis store code and no Node built-ins", async () => {
    for (const entry of ["esm.js", "cjs.js"]) {
      const { code } = await bundle(entry);
      // Names of the store layer's classes and functions (the bundle is not minified).
      for (const marker of ["DiskStore", "RedisStore", "RedisConnection", "tryAcquireLockFile", "encodeEntry", "nodeFs", "node_modules/redis"]) {
        expect(code, `${entry} contains ${marker}`).not.toContain(marker);
      }
      expect(code).not.toMatch(/from\s*["']node:|require\(["']node:|import\(["'](redis|node:)/);
    }
    // The Node build still has them (it is what Node and SSR load).
    const { code: full } = await bundle("esm.js", { platform: "neutral" });
    expect(full).toContain("DiskStore");
    expect(full).toContain("RedisStore");
  });

  it("is at least 10 KB (minified) smaller than bundling the Node build", async () => {
    const browser = await bundle("small.js", { minify: true });
    const node = await bundle("small.js", { minify: true, platform: "neutral" });
    // Measured at 53.7 KB against 67.1 KB when the browser build was added.
    expect(node.code.length - browser.code.length).toBeGreaterThan(10_000);
  });

  it("runs without process/Buffer: memo caches, persist: disk/redis explain themselves", async () => {
    for (const entry of ["esm.js", "cjs.js"]) {
      const out = await inPage((await bundle(entry)).code, new Map(), `${ERROR_OF}
        let calls = 0;
        const double = automemo.memo((n) => (calls++, n * 2), { id: "browser#double", params: ["n"] });
        const results = [double(21), double(21), double(4)];
        const onDisk = automemo.memo((n) => n + 1, { id: "browser#onDisk", params: ["n"], options: { persist: "disk" } });
        const inRedis = automemo.memo(async (n) => n + 1, { id: "browser#inRedis", params: ["n"], options: { persist: "redis" } });
        return { results, calls, stats: automemo.stats(double), disk: await errorOf(() => onDisk(1)), redis: await errorOf(() => inRedis(1)) };`);
      expect(out.results).toEqual([42, 42, 8]);
      expect(out.calls).toBe(2);
      expect(out.stats).toMatchObject({ hits: 1, misses: 2 });
      expect(out.disk).toMatchObject({ code: "NODE_ONLY_FEATURE", name: "NodeOnlyFeatureError" });
      expect(out.disk.message).toMatch(/^\[automemo\] persist: "disk" is not available in the browser build of automemo/);
      expect(out.disk.message).toContain("configure({ stores })");
      expect(out.redis).toMatchObject({ code: "NODE_ONLY_FEATURE", name: "NodeOnlyFeatureError" });
      expect(out.redis.message).toMatch(/^\[automemo\] persist: "redis" is not available in the browser build of automemo/);
    }
  });

  it("uses stores registered with configure({ stores }), also under the name \"disk\"", async () => {
    const { code } = await bundle("esm.js");
    const storage = new Map<string, string>();
    const page = () =>
      inPage(code, storage, `${STORAGE_STORE}
        automemo.configure({ stores: { idb: storageStore("idb"), disk: storageStore("disk") } });
        let calls = 0;
        const load = automemo.memo(async (table) => (calls++, { table, rows: [1, 2, 3] }), { id: "browser#load", params: ["table"], options: { persist: "idb" } });
        const square = automemo.memo(async (n) => (calls++, n * n), { id: "browser#square", params: ["n"], options: { persist: "disk" } });
        const results = [await load("users"), await load("users"), await square(7)];
        await new Promise((resolve) => setTimeout(resolve, 10)); // writes are not awaited by the caller
        return { results, calls, storeHits: automemo.stats().storeHits };`);
    // The first page load computes and writes through the registered stores...
    const first = await page();
    expect(first.results).toEqual([{ table: "users", rows: [1, 2, 3] }, { table: "users", rows: [1, 2, 3] }, 49]);
    expect(first.calls).toBe(2);
    expect([...storage.keys()].map((key) => key.split(":")[0]).sort()).toEqual(["disk", "idb"]);
    // ...a reload (a fresh runtime) is answered by them without computing.
    const second = await page();
    expect(second.results).toEqual(first.results);
    expect(second.calls).toBe(0);
    expect(second.storeHits).toBe(2);
  });
});
