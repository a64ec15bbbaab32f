/**
 * examples/vite-app builds with its own vite.config.ts (which imports the published
 * `automemo/vite` entry): the annotated function is wrapped in the app bundle.
 */
import { join } from "node:path";
import { build, type Rollup } from "vite";
import { describe, expect, it } from "vitest";
import { repo } from "./sample-project.ts";

describe("examples/vite-app", () => {
  it("builds with automemo/vite and wraps the @memo function", async () => {
    const root = join(repo, "examples/vite-app");
    // The runner loads the config in place, so its `automemo/vite` import resolves to this package (dist/).
    const output = (await build({ root, configLoader: "runner", logLevel: "silent", build: { write: false } })) as Rollup.RollupOutput;
    const files = output.output.map((item) => item.fileName);
    expect(files).toContain("index.html");
    const code = output.output.filter((item): item is Rollup.OutputChunk => item.type === "chunk").map((chunk) => chunk.code).join("\n");
    // The app build is minified: strings may be printed with any quote.
    expect(code).toMatch(/["'`]src\/primes\.ts#countPrimesBelow["'`]/);
    expect(code).toMatch(/maxEntries:\s*20/);
  });
});
