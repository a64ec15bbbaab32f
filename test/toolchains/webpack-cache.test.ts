/**
 * webpack 5 with its persistent cache (`cache: { type: "filesystem" }`), ts-loader
 * type-checking in strict mode, and the configs of docs/webpack.md taken literally
 * (ESM and CommonJS). Every build runs in a process of its own, as `npx webpack` does,
 * so the cache is proven across restarts.
 */
import { describe, expect, it } from "vitest";
import { VALUE_BEFORE, expectCacheFollowsHelpers, outcomeOf, writeToolchainProject, type BuildOutcome } from "./bundler-project.ts";
import { buildInChildProcess } from "./build-in-child-process.ts";
import { configsFromDocs } from "./docs-configs.ts";

/** Cold webpack/ts-loader builds take seconds each on a loaded machine; the scenario runs four. */
const BUILDS_TIMEOUT_MS = 600_000;

describe("webpack 5 (docs/webpack.md)", () => {
  it("the ES module config: rebuilds cached modules whose helpers or packages changed, from the filesystem cache, across processes", async () => {
    const root = writeToolchainProject("webpack-esm", "ts", configsFromDocs("webpack.md", ["webpack.config.mjs", "tsconfig.json"]));
    await expectCacheFollowsHelpers(root, async (): Promise<BuildOutcome> => {
      buildInChildProcess("webpack", root, "webpack.config.mjs");
      return outcomeOf(root, "dist/main.cjs");
    });
  }, BUILDS_TIMEOUT_MS);

  it("the CommonJS config builds (require returns the plugin function) and type-checks in strict mode", () => {
    const root = writeToolchainProject("webpack-cjs", "ts", configsFromDocs("webpack.md", ["webpack.config.cjs", "tsconfig.json"]));
    buildInChildProcess("webpack", root, "webpack.config.cjs");
    expect(outcomeOf(root, "dist/main.cjs")).toMatchObject({ value: VALUE_BEFORE, computed: 1 });
  }, BUILDS_TIMEOUT_MS);
});
