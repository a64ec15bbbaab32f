import { readFileSync } from "node:fs";

/**
 * The fenced code blocks of one language in a Markdown file, in order, so tests can
 * build what the docs show literally instead of a copy that may drift from them.
 */
export function codeBlocks(markdownFile: string, language: string): string[] {
  const fence = new RegExp("^```" + language + "\\n([\\s\\S]*?)^```", "gm");
  return [...readFileSync(markdownFile, "utf8").matchAll(fence)].map((match) => match[1]!);
}
