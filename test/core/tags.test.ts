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
    const source = "/**\n * Loads rows.\n * @memo\n */ function f() {}";
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
    expect(tagsOf("/**\n * `code` then a real tag:\n * @memo\n */").tags.map((tag) => tag.kind)).toEqual(["memo"]);
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

describe("only JSDoc block tags count", () => {
  const kinds = (source: string) => tagsOf(source).tags.map((tag) => tag.kind);

  it.each([
    ["the first line", "/** @memo */"],
    ["a later line after a star", "/**\n * Docs.\n * @memo\n */"],
    ["a later line without a star", "/**\n  Docs.\n  @memo\n*/"],
    ["a line with tabs", "/**\n\t*\t@memo\n */"],
    ["a closer with extra stars", "/** @memo **/"],
    ["the line after a closed code span", "/**\n * `a` and `b`\n * @memo\n */"],
    ["the line after an unmatched backtick (literal text)", "/**\n * it's a ` alone\n * @memo\n */"],
    ["the line after a closed fence", "/**\n * ```ts\n * f();\n * ```\n * @memo\n */"],
    ["the line after an inline tag", "/**\n * See {@link other}.\n * @memo\n */"],
  ])("a tag at the start of %s", (_label, source) => {
    expect(kinds(source)).toEqual(["memo"]);
  });

  it.each([
    ["running text", "/** Deliberately not @memo, ids must be unique. */"],
    ["running text on a later line", "/**\n * Returns a fresh id (deliberately not @memo).\n */"],
    ["a description before it", "/** Loads rows. @memo */"],
    ["another tag's text", "/**\n * @remarks not @singleton: each call opens a socket\n */"],
    ["inline code", "/** Use `@memo` for that. */"],
    ["inline code at a line start", "/**\n * `@memo` is the tag.\n */"],
    ["a code span across lines", "/**\n * Write ``a\n * @memo\n * b`` like this.\n */"],
    ["a fenced block", "/**\n * ```ts\n * @memo\n * ```\n */"],
    ["a tilde fence", "/**\n * ~~~\n * @singleton { ttl: 1 }\n * ~~~\n */"],
    ["an inline tag", "/** {@link @memo} */"],
    ["an inline tag across lines", "/**\n * {@link Cache\n * @memo}\n */"],
    ["a longer tag name", "/**\n * @memoize\n * @memo-like\n * @singletons\n */"],
  ])("no tag in %s", (_label, source) => {
    expect(tagsOf(source)).toMatchObject({ tags: [], problems: [] });
  });

  it("ignores line comments and plain block comments entirely (the finder only reads JSDoc)", () => {
    const comments = parseSync("x.ts", "// @memo\n/* @memo */\n/*\n * @memo\n */", { lang: "ts" }).comments as AstComment[];
    expect(comments.filter(isJsDoc)).toEqual([]);
  });
});

describe("what may follow a tag on its line", () => {
  it.each([
    ["options and trailing blanks", '/**\n * @memo { ttl: "1h" }   \n */'],
    ["a description on the next line", "/**\n * @memo\n * Cached per region.\n */"],
    ["multi-line options", '/**\n * @memo {\n *   ttl: "1h",\n * }\n * Cached.\n */'],
  ])("accepts %s", (_label, source) => {
    expect(tagsOf(source).problems).toEqual([]);
  });

  it.each([
    ["text after options", '/** @memo { ttl: "1h" } extra */', "extra"],
    ["text after a bare tag", "/**\n * @memo caches per region\n */", "caches per region"],
    ["a second tag on the line", "/** @memo @singleton */", "@singleton"],
    ["text after multi-line options", '/**\n * @memo {\n *   ttl: "1h",\n * } more\n */', "more"],
  ])("rejects %s and points at the text", (_label, source, text) => {
    const { problems } = tagsOf(source);
    expect(problems.map((p) => p.code)).toEqual(["AUTOMEMO_TAG_TRAILING_TEXT"]);
    expect(source.slice(problems[0].range.start, problems[0].range.end)).toBe(text);
    expect(problems[0].message).toMatch(/^\[automemo\] Unexpected text after @memo/);
  });

  it("rejects a duplicate option key and points at the second one", () => {
    const source = "/** @memo { ttl: 1, ttl: 2 } */";
    const { problems } = tagsOf(source);
    expect(problems.map((p) => p.code)).toEqual(["AUTOMEMO_OPTION_DUPLICATE"]);
    expect(source.slice(problems[0].range.start, problems[0].range.end)).toBe("ttl: 2");
  });

  it("rejects a duplicate written once quoted and once bare", () => {
    expect(tagsOf('/** @memo { "ttl": 1, ttl: 2 } */').problems.map((p) => p.code)).toEqual(["AUTOMEMO_OPTION_DUPLICATE"]);
  });

  it("keeps a __proto__ key as an own option (so validation rejects it) instead of setting the prototype", () => {
    const [tag] = tagsOf('/** @memo { __proto__: ["x"] } */').tags;
    expect(Object.getPrototypeOf(tag.rawOptions)).toBe(Object.prototype);
    expect(Object.keys(tag.rawOptions!)).toEqual(["__proto__"]);
  });
});

describe("isJsDoc", () => {
  it("accepts /** */ only", () => {
    const comments = parseSync("x.ts", "/** a */ /* b */ // c\n/**/", { lang: "ts" }).comments as AstComment[];
    expect(comments.map(isJsDoc)).toEqual([true, false, false, false]);
  });
});
