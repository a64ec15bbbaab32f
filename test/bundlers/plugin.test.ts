/**
 * The plugin's contract, seen through the hook objects bundlers receive and a real
 * Rollup build: declarative filter, `null` when nothing changes, maps only when asked,
 * ids relative to the root, and misuse failing the build with the core's code frame.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { rollup, type Plugin } from "rollup";
import { transform as esbuildTransform } from "esbuild";
import { describe, expect, it } from "vitest";
import automemoRollup from "../../transformer/bundlers/rollup.ts";
import automemoVite from "../../transformer/bundlers/vite.ts";
import { DEFAULT_EXCLUDE, DEFAULT_INCLUDE } from "../../transformer/unplugin.ts";
import { MEMO_FUNCTION_ID, writeSampleProject } from "./sample-project.ts";

type TransformHook = { filter: { id: { include: unknown; exclude: unknown }; code: RegExp }; handler: (code: string, id: string) => unknown };

function transformHookOf(plugin: Plugin): TransformHook {
  return plugin.transform as unknown as TransformHook;
}

const stripTypes: Plugin = {
  name: "strip-types",
  resolveId: (id, importer) => (importer && id.startsWith(".") ? join(importer, "..", id) : null),
  async transform(code, id) {
    const result = await esbuildTransform(code, { loader: "ts", sourcemap: true, sourcefile: id });
    return { code: result.code, map: result.map };
  },
};

async function buildSample(root: string, plugin: Plugin): Promise<string> {
  const bundle = await rollup({ input: join(root, "src/entry.ts"), external: ["automemo"], plugins: [plugin, stripTypes] });
  try {
    return (await bundle.generate({ format: "es" })).output[0].code;
  } finally {
    await bundle.close();
  }
}

describe("automemo bundler plugin", () => {
  it("declares a filter bundlers can apply without calling the plugin", () => {
    const hook = transformHookOf(automemoRollup());
    expect(hook.filter.id).toEqual({ include: DEFAULT_INCLUDE, exclude: DEFAULT_EXCLUDE });
    for (const id of ["/p/a.ts", "/p/a.tsx", "/p/a.mjs", "/p/a.cts", "/p/a.js"]) expect(DEFAULT_INCLUDE.test(id)).toBe(true);
    for (const id of ["/p/a.css", "/p/a.vue", "/p/a.json"]) expect(DEFAULT_INCLUDE.test(id)).toBe(false);
    expect(DEFAULT_EXCLUDE.test("/p/node_modules/lib/index.js")).toBe(true);
    expect(hook.filter.code.test("/** @memo */ function f() {}")).toBe(true);
    expect(hook.filter.code.test("/** @singleton */ function f() {}")).toBe(true);
    expect(hook.filter.code.test("export const memoized = 1;")).toBe(false);
  });

  it("returns null for a file that mentions a tag but annotates no function", () => {
    const hook = transformHookOf(automemoRollup({ root: "/p" }));
    expect(hook.handler.call({}, `// see @memo in the docs\nexport const x = 1;\n`, "/p/src/a.ts")).toBeNull();
  });

  it("returns a map only when source maps are wanted", () => {
    const source = `/** @memo */\nexport function f(n: number) {\n  return n;\n}\n`;
    const withMap = transformHookOf(automemoRollup({ root: "/p" })).handler.call({}, source, "/p/src/a.ts") as { code: string; map: unknown };
    const withoutMap = transformHookOf(automemoRollup({ root: "/p", sourceMap: false })).handler.call({}, source, "/p/src/a.ts") as { code: string; map: unknown };
    expect(withMap.map).toMatchObject({ mappings: expect.any(String) });
    expect(withoutMap.map).toBeNull();
    expect(withoutMap.code).toBe(withMap.code);
    expect(withMap.code).toContain(`"src/a.ts#f"`);
  });

  it("skips maps in a Vite production build without build.sourcemap, and keeps them in dev", async () => {
    const source = `/** @memo */\nexport function f(n: number) {\n  return n;\n}\n`;
    const mapFor = async (config: { command: string; build: { sourcemap: boolean } }) => {
      const plugin = automemoVite() as Plugin & { configResolved(resolved: unknown): void };
      plugin.configResolved({ root: "/p", ...config });
      return ((await transformHookOf(plugin).handler.call({}, source, "/p/src/a.ts")) as { map: unknown }).map;
    };
    expect(await mapFor({ command: "build", build: { sourcemap: false } })).toBeNull();
    expect(await mapFor({ command: "build", build: { sourcemap: true } })).toMatchObject({ mappings: expect.any(String) });
    expect(await mapFor({ command: "serve", build: { sourcemap: false } })).toMatchObject({ mappings: expect.any(String) });
  });

  it("computes function ids from the file, without the query of a virtual module id", async () => {
    const hook = transformHookOf(automemoVite({ root: "/p" }) as Plugin);
    const out = (await hook.handler.call({}, `/** @memo */\nexport function f() { return 1; }\n`, "/p/src/a.vue?vue&type=script&lang.ts")) as { code: string };
    expect(out.code).toContain(`"src/a.vue#f"`);
  });

  it("asks the bundler to watch the files a module's hashes cover, so editing a helper re-transforms its importers", async () => {
    const root = writeSampleProject("bundlers/plugin-watch-files", {
      "src/rate.ts": "export function rate(): number {\n  return 2;\n}\n",
      "src/price.ts": `import { rate } from "./rate.ts";\n\n/** @memo */\nexport function price(n: number) {\n  return n * rate();\n}\n`,
    });
    const watched: string[] = [];
    const context = { addWatchFile: (file: string) => watched.push(file) };
    const price = join(root, "src/price.ts");
    await transformHookOf(automemoRollup({ root })).handler.call(context, readFileSync(price, "utf8"), price);
    expect(watched).toEqual([join(root, "src/rate.ts").replaceAll("\\", "/")]);

    watched.length = 0;
    await transformHookOf(automemoRollup({ root, dependencies: false })).handler.call(context, readFileSync(price, "utf8"), price);
    expect(watched).toEqual([]);
  });

  it("transforms a real Rollup build with ids relative to the given root", async () => {
    const root = writeSampleProject("bundlers/plugin-root");
    const code = await buildSample(root, automemoRollup({ root }));
    expect(code).toContain(`id: ${JSON.stringify(MEMO_FUNCTION_ID)}`);
    expect(code).toMatch(/__am_0\.settleCall\(__am_f0, void 0, n\)/);
  });

  it("leaves excluded files alone", async () => {
    const root = writeSampleProject("bundlers/plugin-exclude");
    const code = await buildSample(root, automemoRollup({ root, exclude: /math\.ts$/ }));
    expect(code).not.toContain(MEMO_FUNCTION_ID);
    expect(code).not.toContain("cacheHandle");
  });

  it("fails the build with the code frame on misuse", async () => {
    const root = writeSampleProject("bundlers/plugin-error", {
      "src/math.ts": `export const computations: number[] = [];\n\n/** @memo @singleton */\nexport function slowSquare(n: number) {\n  return n * n;\n}\n`,
    });
    const failure = await buildSample(root, automemoRollup({ root })).then(
      () => undefined,
      (error: Error & { plugin?: string; loc?: { line: number } }) => error,
    );
    expect(failure).toBeDefined();
    expect(failure!.plugin).toBe("automemo");
    expect(failure!.message).toContain("[automemo]");
    expect(failure!.message).toMatch(/> +3 \| \/\*\* @memo @singleton \*\//);
    expect(failure!.loc?.line).toBe(3);
  });
});
