/**
 * The Vite dev server with the config of docs/vite.md taken literally, restarted
 * between helper edits and after a package version bump. (A server kept running
 * through a helper edit: test/bundlers/vite-hot-reload.test.ts.)
 */
import { join } from "node:path";
import { createServer, type ViteDevServer } from "vite";
import { describe, it } from "vitest";
import { type BuildOutcome, embeddedHash, expectCacheFollowsHelpers, writeToolchainProject } from "./bundler-project.ts";
import { configsFromDocs } from "./docs-configs.ts";

interface PriceModule {
  computed: number[];
  price(n: number): number;
}

async function startServer(root: string): Promise<ViteDevServer> {
  return createServer({
    root,
    configFile: join(root, "vite.config.ts"),
    logLevel: "silent",
    appType: "custom",
    server: { middlewareMode: true, ws: false },
  });
}

async function load(server: ViteDevServer): Promise<BuildOutcome> {
  const transformed = await server.transformRequest("/src/price.ts", { ssr: true });
  const module = (await server.ssrLoadModule("/src/price.ts")) as PriceModule;
  return { hash: embeddedHash(transformed!.code), value: module.price(5), computed: module.computed.length };
}

describe("vite dev server (docs/vite.md)", () => {
  it("a restarted server transforms with the current helpers and package versions", async () => {
    const root = writeToolchainProject("vite-restart", "ts", configsFromDocs("vite.md", ["vite.config.ts"]));
    await expectCacheFollowsHelpers(root, async () => {
      const server = await startServer(root);
      try {
        return await load(server);
      } finally {
        await server.close();
      }
    }, { countComputations: false });
  });
});
