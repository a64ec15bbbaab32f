/**
 * esbuild with the config of docs/esbuild.md taken literally: one `context()`,
 * `rebuild()` after every edit; and the page's `build.mjs` run as a user would.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { context, type BuildOptions } from "esbuild";
import { describe, expect, it } from "vitest";
import { VALUE_BEFORE, expectCacheFollowsHelpers, outcomeOf, writeToolchainProject } from "./bundler-project.ts";
import { configsFromDocs } from "./docs-configs.ts";

describe("esbuild (docs/esbuild.md)", () => {
  it("context().rebuild() transforms again with the current helpers and package versions", async () => {
    const root = writeToolchainProject("esbuild", "ts", configsFromDocs("esbuild.md", ["esbuild.config.mjs", "build.mjs"]));
    const config = (await import(pathToFileURL(join(root, "esbuild.config.mjs")).href)) as { default: BuildOptions };
    const builder = await context({ ...config.default, absWorkingDir: root, logLevel: "silent" });
    try {
      await expectCacheFollowsHelpers(root, async () => {
        await builder.rebuild();
        return outcomeOf(root, "dist/main.mjs");
      });
    } finally {
      await builder.dispose();
    }
  });

  it("build.mjs builds", () => {
    const root = writeToolchainProject("esbuild-script", "ts", configsFromDocs("esbuild.md", ["esbuild.config.mjs", "build.mjs"]));
    execFileSync(process.execPath, ["build.mjs"], { cwd: root, stdio: "pipe" });
    expect(outcomeOf(root, "dist/main.mjs")).toMatchObject({ value: VALUE_BEFORE, computed: 1 });
  });
});
