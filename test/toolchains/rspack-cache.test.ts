/**
 * Rspack 2 with its persistent cache (`cache: { type: "persistent" }`) and the config of
 * docs/rspack.md taken literally. Every build runs in a process of its own, as
 * `npx rspack build` does, so the cache is proven across restarts.
 */
import { describe, it } from "vitest";
import { expectCacheFollowsHelpers, outcomeOf, writeToolchainProject } from "./bundler-project.ts";
import { buildInChildProcess } from "./build-in-child-process.ts";
import { configsFromDocs } from "./docs-configs.ts";

/** Cold webpack/ts-loader builds take seconds each on a loaded machine; the scenario runs four. */
const BUILDS_TIMEOUT_MS = 600_000;

describe("rspack 2 (docs/rspack.md)", () => {
  it("rebuilds cached modules whose helpers or packages changed, from the persistent cache, across processes", async () => {
    const root = writeToolchainProject("rspack", "ts", configsFromDocs("rspack.md", ["rspack.config.mjs"]));
    await expectCacheFollowsHelpers(root, async () => {
      buildInChildProcess("rspack", root, "rspack.config.mjs");
      return outcomeOf(root, "dist/main.cjs");
    });
  }, BUILDS_TIMEOUT_MS);
});
