/**
 * The bundler entries as CommonJS configs load them: `require("automemo/webpack")` is
 * the plugin function itself (as with other unplugin plugins), and `.default` and the
 * named `automemo` are that same function; the ES module entries keep their default and
 * named exports. Loaded from the built `dist/` through the package's own "exports" map.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repo } from "./sample-project.ts";

const BUNDLERS = ["vite", "rollup", "webpack", "esbuild", "rspack"] as const;
const requireFromPackage = createRequire(join(repo, "package.json"));

type Entry = ((options?: object) => unknown) & { default?: unknown; automemo?: unknown };

describe.each(BUNDLERS)("automemo/%s", (bundler) => {
  const specifier = `automemo/${bundler}`;

  it("require() returns the plugin function, with .default and .automemo", () => {
    expect(existsSync(join(repo, "dist", `${bundler}.cjs`)), "run `npm run build` first").toBe(true);
    const plugin = requireFromPackage(specifier) as Entry;
    expect(typeof plugin).toBe("function");
    expect(plugin.default).toBe(plugin);
    expect(plugin.automemo).toBe(plugin);
    expect(plugin({})).toBeTypeOf("object");
  });

  it("import keeps the default and the named export", async () => {
    const module = (await import(specifier)) as { default: Entry; automemo: Entry };
    expect(typeof module.default).toBe("function");
    expect(module.automemo).toBe(module.default);
    expect(module.default({})).toBeTypeOf("object");
  });
});
