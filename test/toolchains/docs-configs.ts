/**
 * The configs the docs pages show, taken literally from the markdown: a fenced code
 * block whose first line is `// <file name>` is that file, written into the test
 * project as is. A page that loses or renames a block fails the test that builds it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repo } from "../bundlers/sample-project.ts";
import { fencedBlocks } from "../support/markdown.ts";

/** The code block of `docs/<page>` that starts with the line `// <file>`. */
function configFromDocs(page: string, file: string): string {
  for (const { body } of fencedBlocks(readFileSync(join(repo, "docs", page), "utf8"))) {
    if (body.startsWith(`// ${file}\n`)) return body;
  }
  throw new Error(`docs/${page} has no code block starting with "// ${file}"`);
}

/** The files `files` of `docs/<page>`, keyed by name, ready for `writeToolchainProject`. */
export function configsFromDocs(page: string, files: readonly string[]): Record<string, string> {
  return Object.fromEntries(files.map((file) => [file, configFromDocs(page, file)]));
}
