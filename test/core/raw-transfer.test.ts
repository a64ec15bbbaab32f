/**
 * On Node 22+ the core reads oxc's AST by raw transfer instead of JSON (core/parse.ts).
 * Both routes must give the same AST, so every fixture must transform to the same text
 * (ids, hashes, keys) under Node 24 as the expected outputs recorded on Node 20.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { rawTransferSupported } from "oxc-parser";
import { loadFixtures, readExpected } from "../support/fixtures.ts";
import { node24OrSkip } from "../support/node24.ts";

const script = fileURLToPath(new URL("./helpers/transform-fixtures.ts", import.meta.url));
const repo = fileURLToPath(new URL("../../", import.meta.url));

describe("oxc raw transfer (Node 22+)", () => {
  it("is off on this Node 20 run, which therefore checks the JSON route", () => {
    expect(process.versions.node.startsWith("20.")).toBe(!rawTransferSupported());
  });

  it("transforms every fixture exactly as the JSON route does", { timeout: 120_000 }, (context) => {
    const node24 = node24OrSkip(context, "raw transfer needs Node 22+");
    const child = spawnSync(node24, ["--import", "tsx", script], { cwd: repo, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    expect(child.status, child.stderr).toBe(0);
    const { rawTransfer, node, outputs } = JSON.parse(child.stdout) as { rawTransfer: boolean; node: string; outputs: Record<string, { output: string } | { error: string }> };
    expect(node).toMatch(/^v2[2-9]\./);
    expect(rawTransfer).toBe(true);
    const fixtures = loadFixtures();
    expect(Object.keys(outputs)).toHaveLength(fixtures.length);
    for (const fixture of fixtures) {
      const expected = readExpected(fixture, "error.txt") ?? readExpected(fixture, "output.bundler.js") ?? fixture.input;
      const actual = outputs[fixture.name]!;
      expect("error" in actual ? actual.error : actual.output, fixture.name).toBe(expected);
    }
  });
});
