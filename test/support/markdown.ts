import { readFileSync } from "node:fs";

/**
 * One fenced code block of a Markdown page: the info string's language and label
 * (```ts price.ts → "ts", "price.ts"), and the body. Tests build what the docs show
 * literally instead of a copy that may drift from them.
 */
export interface FencedBlock {
  readonly language: string;
  readonly label: string;
  readonly body: string;
}

/** Every fenced code block of a Markdown text (or of one of its sections: from a heading line to the next `## `), in order. */
export function fencedBlocks(markdown: string, section?: string): FencedBlock[] {
  let text = markdown;
  if (section !== undefined) {
    const start = text.indexOf(`\n${section}`);
    if (start === -1) throw new Error(`no section "${section}" in the page`);
    const next = text.indexOf("\n## ", start + 1);
    text = text.slice(start, next === -1 ? undefined : next);
  }
  return [...text.matchAll(/^ *```([\w-]*)(?:[ \t]+([^\n]*))?\n([\s\S]*?)^ *```$/gm)].map((match) => ({
    language: match[1]!,
    label: (match[2] ?? "").trim(),
    body: match[3]!,
  }));
}

/** The unlabelled fenced code blocks of one language in a Markdown file, in order. */
export function codeBlocks(markdownFile: string, language: string): string[] {
  return fencedBlocks(readFileSync(markdownFile, "utf8"))
    .filter((block) => block.language === language && block.label === "")
    .map((block) => block.body);
}

/** The body of the one block labelled `label` (```toml bunfig.toml) in a Markdown file. */
export function labelledBlock(markdownFile: string, label: string): string {
  const blocks = fencedBlocks(readFileSync(markdownFile, "utf8")).filter((block) => block.label === label);
  if (blocks.length !== 1) throw new Error(`${markdownFile} has ${blocks.length} code blocks labelled "${label}"; the test builds exactly one`);
  return blocks[0]!.body;
}
