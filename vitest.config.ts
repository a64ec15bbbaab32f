import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Toolchain tests write whole projects (with test files of Bun, Deno and Jest) under test/.tmp.
    exclude: ["test/.tmp/**", "**/node_modules/**"],
    // Forks (not threads) so tests can spawn processes and use --expose-gc.
    pool: "forks",
    execArgv: ["--expose-gc"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
