/**
 * docs/node.md and docs/tsx.md, literally: the files their code blocks name are written
 * into a throw-away project, the `run` block's command runs, its output must equal the
 * page's `output` block, and the claims after it hold: a second run answers from the
 * disk cache, an edit of the helper recomputes, a whitespace-only edit does not.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { fencedBlocks } from "../support/markdown.ts";
import { createLoaderProject, expectBuiltPackage, nodes, repo, type Installable, type LoaderProject } from "./loader-project.ts";

interface DocPage {
  /** Files named by a code block's info string (```ts price.ts). */
  readonly files: Record<string, string>;
  readonly command: string;
  readonly output: string;
}

function readDocPage(page: string): DocPage {
  const files: Record<string, string> = {};
  let command = "";
  let output = "";
  for (const { language, label, body } of fencedBlocks(readFileSync(join(repo, "docs", page), "utf8"))) {
    if (label === "") continue;
    if (language === "sh" && label === "run") command = body.trim();
    else if (language === "text" && label === "output") output = body;
    else files[label] = body;
  }
  return { files, command, output };
}

/** The page's command with `npx tsx` and `node` pointing at the binaries under test (npm would install tsx). */
function commandLine(command: string, node: string): [string, string[]] {
  const words = command.split(/\s+/);
  if (words[0] === "npx" && words[1] === "tsx") return [node, [join(repo, "node_modules/tsx/dist/cli.mjs"), ...words.slice(2)]];
  expect(words[0]).toBe("node");
  return [node, words.slice(1)];
}

let project: LoaderProject | undefined;
beforeAll(expectBuiltPackage);
afterEach(() => project?.remove());

function followPage(page: string, node: string, installed: readonly Installable[], replaced: Record<string, string> = {}) {
  const doc = readDocPage(page);
  expect(Object.keys(doc.files).sort()).toEqual(["main.ts", "package.json", "price.ts", "rate.ts"]);
  project = createLoaderProject({ ...doc.files, ...replaced }, installed);
  const root = project.root;
  const [binary, args] = commandLine(doc.command, node);
  const run = () => {
    const result = spawnSync(binary, args, { cwd: root, encoding: "utf8" });
    expect(result.stderr).toBe("");
    return result.stdout;
  };
  const editRate = (edit: (text: string) => string) => writeFileSync(join(root, "rate.ts"), edit(readFileSync(join(root, "rate.ts"), "utf8")));

  expect(run()).toBe(doc.output);
  expect(run()).toBe("price 10 10\n");
  editRate((text) => text.replace("return 2;", "return 3;"));
  expect(run()).toBe("computing price\nprice 15 15\n");
  editRate((text) => `\n// the rate\n${text.replace("return 3;", "return    3 ;")}`);
  expect(run()).toBe("price 15 15\n");
}

describe("docs/node.md, as written", () => {
  it.runIf(nodes.current)("works with nothing but automemo installed on Node 22.15+", () => {
    followPage("node.md", nodes.current!, []);
  });

  it.runIf(nodes.old)("works on Node 20 with esbuild installed", () => {
    followPage("node.md", nodes.old!, ["esbuild"]);
  });
});

describe("docs/tsx.md, as written", () => {
  // tsx's own esbuild is hoisted next to it by npm; the test project links both.
  it.runIf(nodes.current)("works on Node 22.15+", () => {
    followPage("tsx.md", nodes.current!, ["esbuild"]);
  });

  it.runIf(nodes.old)("works on Node 20", () => {
    followPage("tsx.md", nodes.old!, ["esbuild"]);
  });

  // There tsx compiles required TypeScript itself; the tagged files must still reach automemo.
  it.runIf(nodes.current)("works in a CommonJS package on Node 22.15+", () => {
    followPage("tsx.md", nodes.current!, ["esbuild"], { "package.json": "{}" });
  });

  it.runIf(nodes.old)("works in a CommonJS package on Node 20", () => {
    followPage("tsx.md", nodes.old!, ["esbuild"], { "package.json": "{}" });
  });
});
