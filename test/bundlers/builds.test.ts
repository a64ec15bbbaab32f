/**
 * Real builds of the sample project through each bundler's programmatic API, with
 * the automemo plugin from its published entry module. Each bundle runs in a child
 * process and must hit the cache; the function id must be the same in every bundler
 * (relative to the bundler's root), and a token inside the rewritten function must map
 * back to its original line and column.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { transform as esbuildTransform, build as esbuildBuild } from "esbuild";
import { rollup } from "rollup";
import webpack from "webpack";
import { rspack, type RspackOptions } from "@rspack/core";
import { build as viteBuild } from "vite";
import automemoRollup from "../../transformer/bundlers/rollup.ts";
import automemoVite from "../../transformer/bundlers/vite.ts";
import automemoEsbuild from "../../transformer/bundlers/esbuild.ts";
import automemoWebpack from "../../transformer/bundlers/webpack.ts";
import automemoRspack from "../../transformer/bundlers/rspack.ts";
import {
  MEMO_FUNCTION_ID,
  expectCacheHit,
  expectMarkerMapsBack,
  pluginOptionsForTests,
  runBundle,
  runtimeEntry,
  writeSampleProject,
} from "./sample-project.ts";

const stripTypesLoader = join(import.meta.dirname, "strip-types-loader.mjs");

/** webpack and Rspack take the same options: a CommonJS bundle for Node with a separate source map. */
function webpackStyleOptions(root: string, typeScriptRule: object) {
  return {
    context: root,
    mode: "none",
    target: "node",
    devtool: "source-map",
    entry: "./src/entry.ts",
    output: { path: join(root, "dist"), filename: "entry.cjs", library: { type: "commonjs2" } },
    resolve: { alias: { automemo: runtimeEntry }, extensions: [".ts", ".js"] },
    module: { rules: [typeScriptRule] },
  };
}

/** A bundle written with a `<file>.map` next to it: transformed, hits its cache when run, and maps back. */
function expectBundleOnDisk(file: string): void {
  const code = readFileSync(file, "utf8");
  expect(code).toContain(JSON.stringify(MEMO_FUNCTION_ID));
  expectCacheHit(runBundle(file));
  expectMarkerMapsBack(code, JSON.parse(readFileSync(`${file}.map`, "utf8")));
}

describe("bundler builds", () => {
  it("rollup (TypeScript stripped by esbuild after automemo)", async () => {
    const root = writeSampleProject("bundlers/rollup");
    const bundle = await rollup({
      input: join(root, "src/entry.ts"),
      plugins: [
        automemoRollup({ ...pluginOptionsForTests, root }),
        {
          name: "resolve-and-strip-types",
          resolveId: (id, importer) => (id === "automemo" ? runtimeEntry : importer && id.startsWith(".") ? join(importer, "..", id) : null),
          async transform(code, id) {
            if (!id.endsWith(".ts")) return null;
            const result = await esbuildTransform(code, { loader: "ts", sourcemap: true, sourcefile: id });
            return { code: result.code, map: result.map };
          },
        },
      ],
    });
    const file = join(root, "dist/entry.mjs");
    const { output } = await bundle.write({ file, format: "es", sourcemap: true });
    await bundle.close();
    expect(output[0].code).toContain(JSON.stringify(MEMO_FUNCTION_ID));
    expectCacheHit(runBundle(file));
    expectMarkerMapsBack(output[0].code, output[0].map!);
  });

  it("vite (SSR library build)", async () => {
    const root = writeSampleProject("bundlers/vite");
    const result = await viteBuild({
      root,
      configFile: false,
      logLevel: "silent",
      plugins: [automemoVite(pluginOptionsForTests)],
      resolve: { alias: { automemo: runtimeEntry } },
      build: { ssr: "src/entry.ts", outDir: "dist", sourcemap: true, minify: false, rollupOptions: { output: { entryFileNames: "entry.mjs" } } },
    });
    const chunk = [result].flat().flatMap((output) => ("output" in output ? output.output : [])).find((item) => item.type === "chunk")!;
    expect(chunk.type).toBe("chunk");
    if (chunk.type !== "chunk") return;
    expect(chunk.code).toContain(JSON.stringify(MEMO_FUNCTION_ID));
    expectCacheHit(runBundle(join(root, "dist/entry.mjs")));
    expectMarkerMapsBack(chunk.code, chunk.map!);
  });

  it("esbuild (build API with the plugin)", async () => {
    const root = writeSampleProject("bundlers/esbuild");
    const file = join(root, "dist/entry.mjs");
    await esbuildBuild({
      absWorkingDir: root,
      entryPoints: ["src/entry.ts"],
      bundle: true,
      platform: "node",
      format: "esm",
      outfile: file,
      sourcemap: "external",
      alias: { automemo: runtimeEntry },
      plugins: [automemoEsbuild(pluginOptionsForTests)],
      logLevel: "silent",
    });
    expectBundleOnDisk(file);
  });

  it("webpack 5 (TypeScript loader after automemo's pre loader)", async () => {
    const root = writeSampleProject("bundlers/webpack");
    const compiler = webpack({
      ...webpackStyleOptions(root, { test: /\.ts$/, loader: stripTypesLoader }),
      plugins: [automemoWebpack(pluginOptionsForTests)],
    } as webpack.Configuration);
    const stats = await new Promise<webpack.Stats>((done, fail) => compiler.run((error, result) => (error ? fail(error) : done(result!))));
    await new Promise((done) => compiler.close(done));
    expect(stats.hasErrors(), stats.toString("errors-only")).toBe(false);
    expectBundleOnDisk(join(root, "dist/entry.cjs"));
  });

  it("rspack 2 (builtin swc loader after automemo's pre loader)", async () => {
    const root = writeSampleProject("bundlers/rspack");
    const swcRule = { test: /\.ts$/, loader: "builtin:swc-loader", options: { jsc: { parser: { syntax: "typescript" }, target: "es2022" } } };
    const compiler = rspack({ ...webpackStyleOptions(root, swcRule), plugins: [automemoRspack(pluginOptionsForTests)] } as RspackOptions);
    const stats = await new Promise<{ hasErrors(): boolean; toString(options: object): string }>((done, fail) =>
      compiler.run((error, result) => (error ? fail(error) : done(result!))),
    );
    await new Promise((done) => compiler.close(done));
    expect(stats.hasErrors(), stats.toString({ all: false, errors: true })).toBe(false);
    expectBundleOnDisk(join(root, "dist/entry.cjs"));
  });
});
