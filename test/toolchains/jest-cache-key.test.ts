/**
 * The cache keys of `automemo/jest`, without running Jest: a tagged file's key changes
 * exactly when an emitted code hash would (a helper's code, an imported package's
 * version), not after a reformat, in both the sync and async halves; an untagged file
 * keeps babel-jest's key.
 */
import { createRequire } from "node:module";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import automemoJest from "../../transformer/jest/babel-jest.ts";
import type { JestTransformer } from "../../transformer/jest/cache-key.ts";

const root = realpathSync(mkdtempSync(join(tmpdir(), "automemo-jest-key-")));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const write = (path: string, text: string) => {
  mkdirSync(join(root, path, ".."), { recursive: true });
  writeFileSync(join(root, path), text);
};
write("babel.config.json", "{}");
write("node_modules/tax-rates/package.json", JSON.stringify({ name: "tax-rates", version: "1.0.0" }));
write("src/helper.js", "export const scale = (n) => n * 10;\n");
write("src/total.js", 'import { rate } from "tax-rates";\nimport { scale } from "./helper.js";\n/** @memo */\nexport function total(n) { return scale(n) + rate; }\n');
write("src/plain.js", 'import { scale } from "./helper.js";\nexport const x = scale(1);\n');

const options = { config: { rootDir: root, cwd: root }, configString: "{}", instrument: false } as never;
const babelJest = (createRequire(import.meta.url)("babel-jest") as { default: { createTransformer(): JestTransformer } }).default.createTransformer();
const transformer = automemoJest.createTransformer();

async function keys(file: string): Promise<[string, string]> {
  const path = join(root, file);
  const source = readFileSync(path, "utf8");
  return [transformer.getCacheKey!(source, path, options), await transformer.getCacheKeyAsync!(source, path, options)];
}

it("changes a tagged file's key exactly when an emitted hash changes, in getCacheKey and getCacheKeyAsync", async () => {
  const first = await keys("src/total.js");
  expect(first[1]).toBe(first[0]);
  write("src/helper.js", "export const scale = (n) => n * 20;\n");
  const edited = await keys("src/total.js");
  expect(edited[0]).not.toBe(first[0]);
  expect(edited[1]).toBe(edited[0]);
  write("node_modules/tax-rates/package.json", JSON.stringify({ name: "tax-rates", version: "1.1.0" }));
  const bumped = await keys("src/total.js");
  expect(bumped[0]).not.toBe(edited[0]);
  write("src/helper.js", "\nexport const scale = (n) =>   n * 20; // doubled\n");
  expect(await keys("src/total.js"), "a reformat keeps the hashes, so the transformed file is reused").toEqual(bumped);
});

it("keeps babel-jest's key for a file without tags", async () => {
  const path = join(root, "src/plain.js");
  const source = readFileSync(path, "utf8");
  expect((await keys("src/plain.js"))[0]).toBe(babelJest.getCacheKey!(source, path, options));
});
