/**
 * webpack 5 + babel-loader with both caches on (`cacheDirectory: true`, `cache: {
 * type: "filesystem" }`), through the configs docs/babel.md shows: edit the helper in
 * another file (new value), reinstall the imported package at another version
 * (recomputed), reformat the helper (served from the disk store).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { docsFiles, HELPER, ToolchainProject } from "./project.ts";

// What `npx webpack` does (webpack-cli is not installed here): run, then close, which writes the cache.
const BUILD = `const webpack = require("webpack");
const compiler = webpack(require("./webpack.config.js"));
compiler.run((error, stats) => {
  if (error || stats.hasErrors()) {
    console.error(error ?? stats.toString("errors-only"));
    process.exitCode = 1;
  }
  compiler.close(() => {});
});
`;

const project = new ToolchainProject("webpack-babel");
afterAll(() => project.remove());

it("recomputes after a helper edit and a package version bump, and not after a reformat, with babel-loader's and webpack's caches on", { timeout: 240_000 }, () => {
  for (const [name, text] of docsFiles("babel.md")) project.write(name, text);
  project.write("src/main.ts", 'import { total } from "./total";\n\nconsole.log(JSON.stringify(total(2)));\n');
  project.write("build.cjs", BUILD);
  const buildAndRun = () => {
    project.node("build.cjs", []);
    return JSON.parse(project.node("dist/main.js", [])) as number;
  };

  expect(buildAndRun()).toBe(23);
  expect(project.computations()).toBe(1);
  expect(readdirSync(join(project.dir, "node_modules/.cache/babel-loader")).length, "babel-loader's cache is on").toBeGreaterThan(0);
  expect(readdirSync(join(project.dir, "node_modules/.cache/webpack")).length, "webpack's cache is on").toBeGreaterThan(0);

  project.writeHelper(HELPER.edited);
  expect(buildAndRun(), "the helper in another file changed").toBe(43);
  expect(project.computations()).toBe(2);

  project.installRates("1.1.0");
  expect(buildAndRun()).toBe(43);
  expect(project.computations(), "another version of an imported package").toBe(3);

  project.writeHelper(HELPER.reformatted);
  expect(buildAndRun()).toBe(43);
  expect(project.computations(), "a whitespace-only edit keeps the hash: served from the disk store").toBe(3);
});
