import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Plugin } from "esbuild";
import { defineConfig, type Options } from "tsup";
import { buildDefines } from "./build-defines.ts";

/** Public entry points: `automemo`, `automemo/babel`, ... (see package.json "exports"). */
const entries: Record<string, string> = {
  index: "runtime/index.ts",
  babel: "transformer/babel.ts",
  typescript: "transformer/typescript.ts",
  "typescript-language-service": "transformer/type-checks/language-service.ts",
  vite: "transformer/bundlers/vite.ts",
  rollup: "transformer/bundlers/rollup.ts",
  webpack: "transformer/bundlers/webpack.ts",
  esbuild: "transformer/bundlers/esbuild.ts",
  rspack: "transformer/bundlers/rspack.ts",
  rolldown: "transformer/bundlers/rolldown.ts",
  bun: "transformer/bun/plugin.ts",
  "bun-register": "transformer/bun/register.ts",
  "deno-register": "transformer/deno/register.ts",
  register: "transformer/register.ts",
  jest: "transformer/jest/babel-jest.ts",
  "ts-jest": "transformer/jest/ts-jest.ts",
  // Loaded by module.register() on Node's hooks thread, so it must be a file of its own.
  "register-hooks": "transformer/loader/hooks.ts",
  cli: "cli/main.ts",
};

/** Files of the browser build of the runtime (dist/index.browser.js, .cjs), written by the second config below. */
const BROWSER_OUTPUT = "index.browser.*";

/**
 * The browser build imports runtime/stores/built-in.browser.ts wherever the source
 * imports runtime/stores/built-in.ts, which leaves the disk and Redis stores (Node only)
 * out of browser bundles. Fails the build if the module is never swapped.
 */
const browserStores: Plugin = {
  name: "automemo-browser-stores",
  setup(build) {
    let swapped = false;
    build.onStart(() => {
      swapped = false;
    });
    build.onResolve({ filter: /^\.\/built-in\.ts$/ }, (args) => {
      if (!args.importer.endsWith(join("runtime", "stores", "index.ts"))) return undefined;
      swapped = true;
      return { path: join(dirname(args.importer), "built-in.browser.ts") };
    });
    build.onEnd((result) => {
      if (result.errors.length === 0 && !swapped) {
        return { errors: [{ text: "automemo-browser-stores: runtime/stores/index.ts no longer imports ./built-in.ts; update tsup.config.ts" }] };
      }
      return undefined;
    });
  },
};

/**
 * CommonJS configs call `require("automemo/webpack")(options)`, as with other unplugin
 * plugins, so the CommonJS file of each bundler entry exports the plugin function itself,
 * carrying `default` and `automemo` so `require(...).default` and named access keep working.
 */
const callableBundlerEntries: NonNullable<Options["plugins"]>[number] = {
  name: "automemo-callable-cjs-bundler-entries",
  renderChunk(code, chunk) {
    const entry = chunk.entryPoint ?? "";
    // tsserver, too, calls the module itself: the language-service plugin's CommonJS file is its init function.
    const callable = entry.startsWith("transformer/bundlers/") || entry === "transformer/bun/plugin.ts" || entry === "transformer/type-checks/language-service.ts";
    if (this.format !== "cjs" || !callable) return undefined;
    return { code: `${code}\nmodule.exports = Object.assign(exports.default, exports);\n`, map: chunk.map };
  },
};

const shared: Options = {
  format: ["esm", "cjs"],
  define: buildDefines(),
  sourcemap: true,
  // Replaces import.meta.url in the CommonJS build, so one source serves both formats.
  shims: true,
  external: [/^node:/, "typescript", "@babel/core", "redis", "vite", "rollup", "webpack", "esbuild", "@rspack/core", "rolldown", "bun", "oxc-parser", "magic-string", "unplugin"],
};

export default defineConfig([
  {
    ...shared,
    // Entries that do not exist yet are skipped; the packaging test imports every
    // entry listed in package.json "exports", so a missing one still fails CI.
    entry: Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file))),
    // TypeScript 6 deprecates the baseUrl tsup passes to its declaration build.
    dts: { compilerOptions: { ignoreDeprecations: "6.0" } },
    // Both configs run at once: leave the browser build's files alone.
    clean: [`!${BROWSER_OUTPUT}`],
    target: "node20",
    platform: "neutral",
    splitting: true,
    plugins: [callableBundlerEntries],
  },
  {
    ...shared,
    // What package.json exports["."].browser points to; its types are dist/index.d.ts (.d.cts).
    entry: { "index.browser": "runtime/index.ts" },
    dts: false,
    clean: false,
    target: "es2022",
    platform: "browser",
    splitting: false,
    esbuildPlugins: [browserStores],
  },
]);
