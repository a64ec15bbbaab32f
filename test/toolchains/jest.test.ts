/**
 * Jest with its transform cache on (the default), through the configs docs/jest.md
 * shows: babel-jest via `automemo/jest` and ts-jest via `automemo/jest/ts-jest`. Each
 * route: run, edit the helper in another file (new value), reinstall the imported
 * package at another version (recomputed), reformat the helper (served from disk).
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { docsFiles, HELPER, repo, ToolchainProject } from "./project.ts";

const JEST = join(repo, "node_modules/jest/bin/jest.js");
const TEST_FILE = `import { writeFileSync } from "node:fs";
import { total } from "../src/total";

test("total", () => {
  writeFileSync("result.json", JSON.stringify(total(2)));
});
`;

const routes = [
  ["babel-jest (automemo/jest)", ["babel.config.js", "jest.config.js"], "## With Babel"],
  ["ts-jest (automemo/jest/ts-jest)", ["jest.config.js", "tsconfig.json"], "## With ts-jest"],
] as const;

/** The files of one section of docs/jest.md (the page shows two jest.config.js). */
function sectionFiles(heading: string, names: readonly string[]): Map<string, string> {
  const page = docsFiles("jest.md", heading);
  return new Map(names.map((name) => [name, page.get(name)!]));
}

const projects: ToolchainProject[] = [];
afterAll(() => {
  for (const project of projects) project.remove();
});

describe.each(routes)("Jest with %s", (_name, files, heading) => {
  it("recomputes after a helper edit and a package version bump, and not after a reformat, with Jest's cache on", { timeout: 240_000 }, () => {
    const project = new ToolchainProject("jest");
    projects.push(project);
    for (const [name, text] of sectionFiles(heading, files)) {
      expect(text, `${name} in docs/jest.md`).toBeTruthy();
      project.write(name, text);
    }
    project.write("test/total.test.ts", TEST_FILE);
    const jest = () => {
      project.node(JEST, ["--cacheDirectory", join(project.dir, ".jest-cache")]);
      return JSON.parse(project.read("result.json")) as number;
    };

    expect(jest()).toBe(23);
    expect(project.computations()).toBe(1);
    expect(jest(), "nothing changed: Jest's cache and the disk store answer").toBe(23);
    expect(project.computations()).toBe(1);

    project.writeHelper(HELPER.edited);
    expect(jest(), "the helper in another file changed").toBe(43);
    expect(project.computations()).toBe(2);

    project.installRates("1.1.0");
    expect(jest()).toBe(43);
    expect(project.computations(), "another version of an imported package").toBe(3);

    project.writeHelper(HELPER.reformatted);
    expect(jest()).toBe(43);
    expect(project.computations(), "a whitespace-only edit keeps the hash: served from the disk store").toBe(3);
  });
});

describe("Jest with the browser export condition (what jsdom sets)", () => {
  it("gets the browser build, which refuses persist: disk, until automemo is mapped to its Node build as docs/jest.md says", { timeout: 240_000 }, () => {
    const project = new ToolchainProject("jest-browser");
    projects.push(project);
    for (const [name, text] of sectionFiles("## With Babel", ["babel.config.js"])) project.write(name, text);
    project.write("test/total.test.ts", TEST_FILE);
    // jest-environment-jsdom is not installed here: the node environment with jsdom's export conditions resolves the same way.
    const config = (extra: string) =>
      `module.exports = {\n  transform: { "\\\\.[jt]sx?$": "automemo/jest" },\n  testEnvironmentOptions: { customExportConditions: ["browser"] },\n${extra}};\n`;
    const jest = () => project.node(JEST, ["--cacheDirectory", join(project.dir, ".jest-cache")]);

    project.write("jest.config.js", config(""));
    expect(jest).toThrow(/NODE_ONLY_FEATURE|persist: "disk" is not available in the browser build/);

    const mapping = docsFiles("jest.md").get("moduleNameMapper");
    expect(mapping, "the moduleNameMapper line in docs/jest.md").toBeTruthy();
    project.write("jest.config.js", config(mapping!));
    jest();
    expect(JSON.parse(project.read("result.json"))).toBe(23);
  });
});
