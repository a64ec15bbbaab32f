/**
 * Hot reload with a real Vite dev server (SSR module loading): after an edit to one of
 * two annotated functions and a reload of the module, the unchanged function keeps its
 * cached entries (same id, same code hash) and the edited one recomputes; an edit to
 * nothing but an imported helper re-transforms its importers, whose hashes cover it.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createServer, type ViteDevServer } from "vite";
import { afterAll, describe, expect, it } from "vitest";
import automemoVite from "../../transformer/bundlers/vite.ts";
import { pluginOptionsForTests, runtimeEntry, writeSampleProject } from "./sample-project.ts";
import { waitUntil } from "../support/wait.ts";

const PAIR_SOURCE = `// Survives module reloads: the record of what really computed.
export const computed: string[] = ((globalThis as any).__automemoHotReloadComputed ??= []);

/** @memo */
export function unchanged(n: number): number {
  computed.push("unchanged");
  return n + 1;
}

/** @memo */
export function edited(n: number): number {
  computed.push("edited");
  return n * 2;
}
`;

interface PairModule {
  computed: string[];
  unchanged(n: number): number;
  edited(n: number): number;
}

const HELPER_SOURCE = `export function rate(): number {
  return 2;
}
`;

const PRICE_SOURCE = `import { rate } from "./helper.ts";

export const computed: number[] = ((globalThis as any).__automemoHelperEditComputed ??= []);

/** @memo */
export function price(n: number): number {
  computed.push(n);
  return n * rate();
}
`;

interface PriceModule {
  computed: number[];
  price(n: number): number;
}

const servers: ViteDevServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function startServer(root: string): Promise<ViteDevServer> {
  const server = await createServer({
    root,
    configFile: false,
    logLevel: "silent",
    appType: "custom",
    server: { middlewareMode: true, hmr: false, ws: false },
    plugins: [automemoVite(pluginOptionsForTests)],
    resolve: { alias: { automemo: runtimeEntry } },
  });
  servers.push(server);
  return server;
}

/** The code hash the transformed module embeds for its one handle. */
async function embeddedHash(server: ViteDevServer, url: string): Promise<string> {
  const transformed = await server.transformRequest(url, { ssr: true });
  return /hash: "([0-9a-f]+)"/.exec(transformed!.code)![1]!;
}

describe("vite dev server", () => {
  it("re-evaluates an edited module; only the edited function recomputes", async () => {
    const root = writeSampleProject("bundlers/vite-hot-reload", { "src/pair.ts": PAIR_SOURCE });
    const file = join(root, "src/pair.ts");
    const server = await startServer(root);

    const first = (await server.ssrLoadModule("/src/pair.ts")) as PairModule;
    expect([first.unchanged(1), first.edited(1), first.unchanged(1), first.edited(1)]).toEqual([2, 2, 2, 2]);
    expect(first.computed).toEqual(["unchanged", "edited"]);

    writeFileSync(file, readFileSync(file, "utf8").replace("return n * 2;", "return n * 3;"));
    const graphEntry = await server.moduleGraph.getModuleByUrl("/src/pair.ts", true);
    expect(graphEntry).toBeDefined();
    server.moduleGraph.invalidateModule(graphEntry!);

    const second = (await server.ssrLoadModule("/src/pair.ts")) as PairModule;
    expect(second).not.toBe(first);
    expect([second.unchanged(1), second.edited(1)]).toEqual([2, 3]);
    expect(second.computed).toEqual(["unchanged", "edited", "edited"]);
  });

  it("re-transforms the importers of an edited helper: their hashes change and the function recomputes", async () => {
    const root = writeSampleProject("bundlers/vite-helper-edit", { "src/helper.ts": HELPER_SOURCE, "src/price.ts": PRICE_SOURCE });
    const server = await startServer(root);
    const first = (await server.ssrLoadModule("/src/price.ts")) as PriceModule;
    expect([first.price(5), first.price(5)]).toEqual([10, 10]);
    expect(first.computed).toEqual([5]);
    const hashBefore = await embeddedHash(server, "/src/price.ts");
    const [importer, helper] = await Promise.all(["/src/price.ts", "/src/helper.ts"].map((url) => server.moduleGraph.getModuleByUrl(url, true)));

    // Only the helper changes; the dev server's watcher does the rest, as it would for an editor save.
    writeFileSync(join(root, "src/helper.ts"), HELPER_SOURCE.replace("return 2;", "return 3;"));
    await waitUntil(() => importer!.ssrModule === null && helper!.ssrModule === null, () => "the watcher invalidates both modules");

    const second = (await server.ssrLoadModule("/src/price.ts")) as PriceModule;
    expect(second).not.toBe(first);
    expect(second.price(5)).toBe(15);
    expect(second.computed).toEqual([5, 5]);
    expect(await embeddedHash(server, "/src/price.ts")).not.toBe(hashBefore);
  });
});
