import { existsSync } from "node:fs";
import { defineConfig } from "tsup";

/** Public entry points: `automemo`, `automemo/babel`, ... (see package.json "exports"). */
const entries: Record<string, string> = {
  index: "runtime/index.ts",
  babel: "transformer/babel.ts",
  typescript: "transformer/typescript.ts",
  vite: "transformer/bundlers/vite.ts",
  rollup: "transformer/bundlers/rollup.ts",
  webpack: "transformer/bundlers/webpack.ts",
  esbuild: "transformer/bundlers/esbuild.ts",
  rspack: "transformer/bundlers/rspack.ts",
  register: "transformer/register.ts",
  // Loaded by module.register() on Node's hooks thread, so it must be a file of its own.
  "register-hooks": "transformer/loader/hooks.ts",
  cli: "cli/main.ts",
};

export default defineConfig({
  // Entries that do not exist yet are skipped; the packaging test imports every
  // entry listed in package.json "exports", so a missing one still fails CI.
  entry: Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file))),
  format: ["esm", "cjs"],
  // TypeScript 6 deprecates the baseUrl tsup passes to its declaration build.
  dts: { compilerOptions: { ignoreDeprecations: "6.0" } },
  sourcemap: true,
  clean: true,
  target: "node20",
  platform: "neutral",
  splitting: true,
  // Replaces import.meta.url in the CommonJS build, so one source serves both formats.
  shims: true,
  external: [/^node:/, "typescript", "@babel/core", "redis", "vite", "rollup", "webpack", "esbuild", "@rspack/core", "oxc-parser", "magic-string", "unplugin"],
});
