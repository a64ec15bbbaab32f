/**
 * Rollup with the config of docs/rollup.md taken literally (`loadConfigFile`): in watch
 * mode (`rollup.watch`: the plugin's watch files) and across builds that hand the
 * previous bundle's `cache` on (`shouldTransformCachedModule`).
 */
import { join } from "node:path";
import { rollup, watch, type RollupWatcherEvent } from "rollup";
import { loadConfigFile } from "rollup/loadConfigFile";
import { describe, expect, it } from "vitest";
import { expectCacheFollowsHelpers, outcomeOf, writeToolchainProject } from "./bundler-project.ts";
import { configsFromDocs } from "./docs-configs.ts";

async function literalConfig(name: string) {
  const root = writeToolchainProject(name, "js", configsFromDocs("rollup.md", ["rollup.config.mjs"]));
  const cwd = process.cwd();
  // The config's paths are relative to where `rollup -c` runs.
  process.chdir(root);
  const { options } = await loadConfigFile(join(root, "rollup.config.mjs"), {});
  return { root, options: options[0]!, restoreCwd: () => process.chdir(cwd) };
}

describe("rollup (docs/rollup.md)", () => {
  it("rollup.watch: a helper edit re-transforms the module whose hashes cover it", async () => {
    const { root, options, restoreCwd } = await literalConfig("rollup-watch");
    const watcher = watch({ ...options, watch: { buildDelay: 50 } });
    const ends: ((error?: unknown) => void)[] = [];
    const ended = () => new Promise<void>((done, fail) => ends.push((error) => (error ? fail(error) : done())));
    let next = ended();
    watcher.on("event", (event: RollupWatcherEvent) => {
      if (event.code === "BUNDLE_END") void event.result.close();
      if (event.code === "END" || event.code === "ERROR") ends.shift()?.(event.code === "ERROR" ? event.error : undefined);
    });
    try {
      await expectCacheFollowsHelpers(
        root,
        async () => {
          await next;
          next = ended();
          return outcomeOf(root, "dist/main.mjs");
        },
        // Rollup's watcher leaves node_modules alone: a reinstall needs a restart (the `cache` test below covers the bump).
        { packageBump: false },
      );
    } finally {
      await watcher.close();
      restoreCwd();
    }
  });

  it("cache: previousBundle.cache: reused modules are transformed again when a file their hashes cover changed", async () => {
    const { root, options, restoreCwd } = await literalConfig("rollup-cache");
    let cache: Awaited<ReturnType<typeof rollup>>["cache"];
    let transformed = 0;
    const counting = { name: "count-transforms", transform: (_code: string, id: string) => void (id.endsWith("price.js") && transformed++) };
    try {
      await expectCacheFollowsHelpers(root, async () => {
        const bundle = await rollup({ ...options, plugins: [...(options.plugins ?? []), counting], cache });
        cache = bundle.cache;
        for (const output of options.output) await bundle.write(output);
        await bundle.close();
        return outcomeOf(root, "dist/main.mjs");
      });
      // price.js never changed: every transform of it after the first came from a dependency edit.
      expect(transformed).toBe(4);
    } finally {
      restoreCwd();
    }
  });
});
