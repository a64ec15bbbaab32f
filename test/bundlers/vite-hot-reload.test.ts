/**
 * Hot reload with a real Vite dev server (SSR module loading): after an edit to one of
 * two annotated functions and a reload of the module, the unchanged function keeps its
 * cached entries (same id, same code hash) and the edited one recomputes.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createServer, type ViteDevServer } from "vite";
import { afterAll, describe, expect, it } from "vitest";
import automemoVite from "../../transformer/bundlers/vite.ts";
import { pluginOptionsForTests, runtimeEntry, writeSampleProject } from "./sample-project.ts";

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

let server: ViteDevServer | undefined;
afterAll(async () => {
  await server?.close();
});

describe("vite dev server", () => {
  it("re-evaluates an edited module; only the edited function recomputes", async () => {
    const root = writeSampleProject("bundlers/vite-hot-reload", { "src/pair.ts": PAIR_SOURCE });
    const file = join(root, "src/pair.ts");
    server = await createServer({
      root,
      configFile: false,
      logLevel: "silent",
      appType: "custom",
      server: { middlewareMode: true, hmr: false, ws: false },
      plugins: [automemoVite(pluginOptionsForTests)],
      resolve: { alias: { automemo: runtimeEntry } },
    });

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
});
