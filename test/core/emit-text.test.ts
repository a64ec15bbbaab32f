import { TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";
import { describe, expect, it } from "vitest";
import { AutomemoError } from "../../runtime/errors.ts";
import { formatCodeFrame, locate, mightContainTags, TransformError, transformSource } from "../../transformer/core/index.ts";

const options = { filename: "/repo/src/a.ts", root: "/repo" };

describe("transformSource", () => {
  it("returns null for files without tags, without parsing them", () => {
    expect(mightContainTags("function f() {}")).toBe(false);
    // Not valid syntax: a parse would throw a TransformError.
    expect(transformSource("function (", options)).toBeNull();
  });

  it("returns null when tags appear only in line/block comments or strings", () => {
    expect(transformSource(`// @memo\nfunction f() {}\n/* @memo */ const g = () => 1;\nconst s = "@memo";`, options)).toBeNull();
  });

  it("throws a TransformError with code, location and code frame", () => {
    const source = `const a = 1;\n/** @memo */\nexport function* gen() {}\n`;
    let thrown: unknown;
    try {
      transformSource(source, options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TransformError);
    expect(thrown).toBeInstanceOf(AutomemoError);
    const error = thrown as TransformError;
    expect(error.code).toBe("AUTOMEMO_GENERATOR");
    expect(error.loc).toEqual({ line: 3, column: 7 });
    expect(error.message).toMatch(/^\[automemo\] @memo cannot cache generator function 'gen'/);
    expect(error.message).toContain("at src/a.ts:3:8");
    expect(error.frame).toContain("> 3 | export function* gen() {}");
    expect(error.diagnostics).toHaveLength(1);
  });

  it("keeps type annotations and unchanged code byte for byte", () => {
    const source = `type Row = { id: number };\n/** @memo */\nexport async function load<T extends Row>(rows: T[], id: number): Promise<T | undefined> {\n  return rows.find((row) => row.id === id);\n}\n`;
    const out = transformSource(source, options)!;
    expect(out.code).toContain("export async function load<T extends Row>(rows: T[], id: number): Promise<T | undefined> {");
    // The body stays in a sibling declaration, on its own lines (core/sibling-shape.ts).
    expect(out.code).toContain(
      "return __am_0.settleCall(__am_f0, void 0, rows, id); } async function __am_f0<T extends Row>(rows: T[], id: number): Promise<T | undefined> {\n  return rows.find((row) => row.id === id);\n}\n",
    );
    expect(out.code).toContain("type Row = { id: number };");
    expect(out.map).toBeNull();
  });

  it("emits a CommonJS require for CommonJS files", () => {
    const out = transformSource(`const fs = require("fs");\n/** @memo */ function f(x) { return x; }\nmodule.exports = f;`, { ...options, filename: "/repo/a.js" })!;
    expect(out.code.split("\n")[0]).toBe(`const { cacheHandle: __am_cacheHandle, MISS: __am_MISS } = require("automemo");`);
  });

  it("uses getN with an array past three key components", () => {
    const out = transformSource(`/** @memo */ function f(a, b, c, d) { return a; }`, options)!;
    expect(out.code).toContain("__am_0.getN([a, b, c, d])");
  });

  it("closes nested concise arrows innermost first", () => {
    const source = `function outer() {\n  /** @memo */\n  const add = (a: number) => /** @memo */ (b: number) => a + b\n  return add;\n}`;
    const out = transformSource(source, options)!;
    expect(out.code).toContain("settle(() => (a + b)); })); };\n  __am_0.bindFunction(add);");
    expect(transformSource(out.code, options)).toBeNull();
  });

  it("maps unchanged code back to its original line and column", () => {
    const source = `import { x } from "x";\n\n/** @memo */\nexport function area(width: number, height: number) {\n  const product = width * height;\n  return product + x;\n}\n`;
    const out = transformSource(source, { ...options, sourceMap: true })!;
    expect(out.map).not.toBeNull();
    expect(out.map!.sources).toEqual(["src/a.ts"]);
    expect(out.map!.sourcesContent).toEqual([source]);
    const tracer = new TraceMap(out.map!.toString());
    const outputLines = out.code.split("\n");
    const line = outputLines.findIndex((text) => text.includes("const product")) + 1;
    const column = outputLines[line - 1].indexOf("product");
    expect(line).toBeGreaterThan(5);
    expect(originalPositionFor(tracer, { line, column })).toMatchObject({ source: "src/a.ts", line: 5, column: 8 });
  });
});

describe("formatCodeFrame", () => {
  it("marks the range with carets and context lines", () => {
    const source = "one\ntwo three\nfour\nfive\nsix";
    const start = source.indexOf("three");
    expect(formatCodeFrame(source, { start, end: start + 5 }, "here")).toBe(
      ["  1 | one", "> 2 | two three", "    |     ^^^^^ here", "  3 | four", "  4 | five"].join("\n"),
    );
  });

  it("marks every line of a multi-line range", () => {
    const source = "a\nbb\ncc\nd";
    expect(formatCodeFrame(source, { start: 2, end: 7 }, "")).toBe(
      ["  1 | a", "> 2 | bb", "    | ^^", "> 3 | cc", "    | ^^", "  4 | d"].join("\n"),
    );
  });

  it("locates offsets as 1-based lines and 0-based columns", () => {
    expect(locate("ab\ncd", 4)).toEqual({ line: 2, column: 1 });
    expect(locate("ab\ncd", 0)).toEqual({ line: 1, column: 0 });
  });
});
