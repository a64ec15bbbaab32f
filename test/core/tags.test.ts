import { parseSync } from "oxc-parser";
import { describe, expect, it } from "vitest";
import type { AstComment } from "../../transformer/core/ast.ts";
import { isJsDoc, readCommentTags } from "../../transformer/core/tags.ts";

function firstComment(source: string): AstComment {
  return parseSync("x.ts", source, { lang: "ts" }).comments[0] as AstComment;
}

function tagsOf(source: string) {
  return readCommentTags(source, firstComment(source));
}

describe("readCommentTags", () => {
  it("finds a bare tag and points at it", () => {
    const source = "/** Loads rows. @memo */ function f() {}";
    const { tags, problems } = tagsOf(source);
    expect(problems).toEqual([]);
    expect(tags).toHaveLength(1);
    expect(tags[0].kind).toBe("memo");
    expect(source.slice(tags[0].range.start, tags[0].range.end)).toBe("@memo");
    expect(tags[0].rawOptions).toBeNull();
  });

  it("reads literal options, including negative numbers, template strings and arrays", () => {
    const { tags, problems } = tagsOf('/** @singleton { ttl: 60, "max-x": -1, name: `a`, list: ["a", 2, true] } */');
    expect(problems).toEqual([]);
    expect(tags[0].kind).toBe("singleton");
    expect(tags[0].rawOptions).toEqual({ ttl: 60, "max-x": -1, name: "a", list: ["a", 2, true] });
  });

  it("reads options that span JSDoc lines with leading stars", () => {
    const source = "/**\n * Docs.\n * @memo {\n *   ttl: \"1h\",\n *   maxEntries: 5,\n * }\n */";
    const { tags, problems } = tagsOf(source);
    expect(problems).toEqual([]);
    expect(tags[0].rawOptions).toEqual({ ttl: "1h", maxEntries: 5 });
    const range = tags[0].optionRanges.maxEntries;
    expect(source.slice(range.start, range.end)).toBe("maxEntries: 5");
  });

  it("ignores look-alikes: other tags, e-mail addresses, braces on the next line", () => {
    expect(tagsOf("/** @memoize @memo-ish user@memo.dev */").tags).toEqual([]);
    const nextLine = tagsOf("/**\n * @memo\n * {@link other}\n */");
    expect(nextLine.tags).toHaveLength(1);
    expect(nextLine.tags[0].rawOptions).toBeNull();
    expect(nextLine.problems).toEqual([]);
  });

  it("ignores tags shown as inline code in documentation", () => {
    expect(tagsOf("/** Cache it with `@memo`, or write `/** @memo { ttl: 1 } *\\/`. */").tags).toEqual([]);
    expect(tagsOf("/** `code` then a real tag: @memo */").tags.map((tag) => tag.kind)).toEqual(["memo"]);
  });

  it("rejects non-literal values and points at the value", () => {
    const source = "/** @memo { ttl: ONE_HOUR } */";
    const { problems } = tagsOf(source);
    expect(problems.map((p) => p.code)).toEqual(["AUTOMEMO_OPTION_NOT_LITERAL"]);
    expect(source.slice(problems[0].range.start, problems[0].range.end)).toBe("ONE_HOUR");
  });

  it.each([
    ["nested objects", "/** @memo { ttl: { a: 1 } } */", "AUTOMEMO_OPTION_NOT_LITERAL"],
    ["calls", "/** @memo { ttl: hours(1) } */", "AUTOMEMO_OPTION_NOT_LITERAL"],
    ["spreads", "/** @memo { ...defaults } */", "AUTOMEMO_OPTION_SYNTAX"],
    ["shorthand", "/** @memo { ttl } */", "AUTOMEMO_OPTION_SYNTAX"],
    ["missing comma", '/** @memo { ttl: "1h" maxEntries: 2 } */', "AUTOMEMO_OPTION_SYNTAX"],
    ["unclosed brace", '/** @memo { ttl: "1h" */', "AUTOMEMO_OPTION_SYNTAX"],
  ])("reports %s", (_label, source, code) => {
    expect(tagsOf(source).problems.map((p) => p.code)).toEqual([code]);
  });

  it("maps a syntax error inside multi-line options back to its source column", () => {
    const source = "/**\n * @memo {\n *   ttl: \"1h\"\n *   maxEntries: 2 }\n */";
    const [problem] = tagsOf(source).problems;
    expect(source.slice(problem.range.start, problem.range.start + "maxEntries".length)).toBe("maxEntries");
  });

  it("reports every tag so the caller can reject duplicates", () => {
    expect(tagsOf("/** @memo\n * @singleton */").tags.map((tag) => tag.kind)).toEqual(["memo", "singleton"]);
  });
});

describe("isJsDoc", () => {
  it("accepts /** */ only", () => {
    const comments = parseSync("x.ts", "/** a */ /* b */ // c\n/**/", { lang: "ts" }).comments as AstComment[];
    expect(comments.map(isJsDoc)).toEqual([true, false, false, false]);
  });
});
