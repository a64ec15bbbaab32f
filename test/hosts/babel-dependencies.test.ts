/**
 * `automemo/babel` reports, with each file's result, the other files its hashes were
 * computed from (`result.externalDependencies`), which babel-loader's cacheDirectory,
 * webpack's caches and `@babel/cli --watch` check before reusing a transform.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as babel7 from "@babel/core";
import * as babel8 from "babel8-core";
import { afterAll, describe, expect, it, vi } from "vitest";
import automemoBabel from "../../transformer/babel.ts";

const project = realpathSync(mkdtempSync(join(tmpdir(), "automemo-babel-deps-")));
const write = (path: string, text: string) => {
  mkdirSync(join(project, path, ".."), { recursive: true });
  writeFileSync(join(project, path), text);
};
write("node_modules/left-pad/package.json", JSON.stringify({ name: "left-pad", version: "1.0.0", main: "index.js" }));
write("node_modules/left-pad/index.js", "module.exports = (s) => s;\n");
write("src/rates.js", "export const rate = 2;\n");
write("src/helper.js", 'import { rate } from "./rates.js";\nexport function double(n) { return n * rate; }\n');
write("src/untouched.js", "export const unused = 1;\n");
const cached = 'import pad from "left-pad";\nimport { double } from "./helper.js";\nimport { unused } from "./untouched.js";\n\n/** @memo */\nexport function total(n) { return pad(String(double(n))); }\n';
const plain = 'import { double } from "./helper.js";\nexport const x = double(1);\n';

afterAll(() => rmSync(project, { recursive: true, force: true }));

const hosts = [
  ["Babel 7", babel7.transformSync, babel7.transformAsync],
  ["Babel 8", babel8.transformSync, babel8.transformAsync],
] as unknown as [string, typeof babel7.transformSync, typeof babel7.transformAsync][];

describe.each(hosts)("automemo/babel external dependencies (%s)", (_name, transformSync, transformAsync) => {
  const options = (filename: string) =>
    ({ filename: join(project, filename), babelrc: false, configFile: false, plugins: [[automemoBabel, { dependencyCache: false }]] }) as unknown as babel7.InputOptions;

  it("lists the files the hashes read, transitively, and nothing the function does not reach", () => {
    const result = transformSync(cached, options("src/total.js"))!;
    expect([...result.externalDependencies].sort()).toEqual(
      ["node_modules/left-pad/package.json", "src/helper.js", "src/rates.js"].map((file) => join(project, file)),
    );
  });

  it("lists nothing for a file without tags, even after a file with them", () => {
    transformSync(cached, options("src/total.js"));
    expect([...transformSync(plain, options("src/plain.js"))!.externalDependencies]).toEqual([]);
  });

  it("keeps each file's list its own when transforms run concurrently", async () => {
    const [first, second] = await Promise.all([transformAsync(cached, options("src/total.js")), transformAsync(plain, options("src/plain.js"))]);
    expect([...first!.externalDependencies]).toHaveLength(3);
    expect([...second!.externalDependencies]).toEqual([]);
  });
});

describe("automemo/babel under Next.js's Babel loader", () => {
  it("warns once that Next.js's loader can keep an old code hash, and only there", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const transform = (callerName: string) =>
        babel7.transformSync(cached, {
          filename: join(project, "src/total.js"),
          babelrc: false,
          configFile: false,
          caller: { name: callerName },
          plugins: [[automemoBabel, { dependencyCache: false }]],
        } as unknown as babel7.InputOptions);
      transform("babel-loader");
      expect(warn).not.toHaveBeenCalled();
      transform("next-babel-turbo-loader");
      transform("next-babel-turbo-loader");
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/^\[automemo\] Next\.js's Babel loader .*automemo\/webpack/);
    } finally {
      warn.mockRestore();
    }
  });
});
