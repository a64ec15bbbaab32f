import { describe, expect, it, vi } from "vitest";
import type { AstNode } from "../../transformer/core/ast.ts";
import { planModule } from "../../transformer/core/index.ts";
import { CodeHasher } from "../../transformer/core/hash.ts";
import { parseModule } from "../../transformer/core/parse.ts";

function hashOf(source: string): string {
  const plan = planModule(source, { filename: "/p/a.ts", root: "/p" });
  expect(plan.diagnostics).toEqual([]);
  return plan.functions[0].meta.hash;
}

const base = `/** @memo */
function area(width: number, height: number): number {
  const scale = 2;
  return width * height * scale;
}`;

describe("code hash", () => {
  it("is 16 hex characters and deterministic", () => {
    expect(hashOf(base)).toMatch(/^[0-9a-f]{16}$/);
    expect(hashOf(base)).toBe(hashOf(base));
  });

  it.each([
    ["whitespace and line breaks", base.replace("const scale = 2;", "const   scale=2 ;\n\n")],
    ["comments", base.replace("const scale", "// why: twice\n  const /* inline */ scale")],
    ["the JSDoc text and options", base.replace("/** @memo */", '/**\n * Area.\n * @memo { ttl: "1h" }\n */')],
    ["type annotations", base.replace("width: number, height: number): number", "width: any, height: unknown)")],
    ["type-only syntax", base.replace("return width * height * scale;", "return (width as number)! * (height satisfies number) * <number>scale;")],
    ["redundant parentheses", base.replace("width * height * scale", "((width * height) * (scale))")],
    ["code outside the function", `const unrelated = 1;\n${base}\nfunction other() { return 3; }`],
  ])("ignores %s", (_label, variant) => {
    expect(hashOf(variant)).toBe(hashOf(base));
  });

  it.each([
    ["a literal", base.replace("= 2", "= 3")],
    ["an operator", base.replace("width * height", "width + height")],
    ["a local name", base.replaceAll("scale", "factor")],
    ["a parameter name", base.replaceAll("height", "depth")],
    ["the function name", base.replace("function area", "function surface")],
    ["a default value", base.replace("height: number)", "height: number = 1)")],
    ["optional chaining", base.replace("return width", "return (width as any)?.valueOf()")],
    ["async-ness", base.replace("function area", "async function area")],

  ])("changes with %s", (_label, variant) => {
    expect(hashOf(variant)).not.toBe(hashOf(base));
  });

  it("tells regex flags, template text and bigints apart from each other", () => {
    const variant = (code: string) => hashOf(base.replace("const scale = 2;", code));
    const hashes = [variant("/a+/g;"), variant("/a+/i;"), variant("`x${2}y`;"), variant("`x${2}z`;"), variant("2n;"), variant("3n;")];
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it("ignores quote style", () => {
    const single = base.replace("const scale = 2;", "const scale = 2; const unit = 'cm';");
    const double = base.replace("const scale = 2;", 'const scale = 2; const unit = "cm";');
    expect(hashOf(single)).toBe(hashOf(double));
    expect(hashOf(single)).not.toBe(hashOf(base));
  });

  it("distinguishes instance methods from same-named functions", () => {
    const method = hashOf("class A {\n  /** @memo */\n  area(width: number, height: number) { return width * height; }\n}");
    const fn = hashOf("/** @memo */\nfunction area(width: number, height: number) { return width * height; }");
    expect(method).not.toBe(fn);
  });

  it("includes the decorators of a class member", () => {
    const plain = hashOf("class A {\n  /** @memo */\n  m(x: number) { return x; }\n}");
    const decorated = hashOf("class A {\n  /** @memo */\n  @log m(x: number) { return x; }\n}");
    const otherDecorator = hashOf("class A {\n  /** @memo */\n  @trace m(x: number) { return x; }\n}");
    expect(new Set([plain, decorated, otherDecorator]).size).toBe(3);
  });

  it("lets dependency hashes extend a function's own hash", () => {
    const own = new CodeHasher().add("f").digest();
    const withDep = new CodeHasher().add("f").addHash("0123456789abcdef").digest();
    const withOtherDep = new CodeHasher().add("f").addHash("fedcba9876543210").digest();
    expect(new Set([own, withDep, withOtherDep]).size).toBe(3);
  });

  it("keeps token boundaries: ab+c and a+bc differ", () => {
    expect(new CodeHasher().add("ab").add("c").digest()).not.toBe(new CodeHasher().add("a").add("bc").digest());
  });

  it("tells texts apart that differ only by trailing NUL units (texts are fed two units per word)", () => {
    expect(new CodeHasher().add("a").digest()).not.toBe(new CodeHasher().add("a\u0000").digest());
    const literal = (code: string) => new CodeHasher().addNode(statementOf(code)).digest();
    expect(literal('f("a");')).not.toBe(literal('f("a\\0");'));
  });

  it("keeps array structure apart from field and argument boundaries", () => {
    const hashes = ["f([a], b);", "f([a, b]);", "f([[a], b]);", "f([a], [b]);", "f([, a]);", "f([a]);", "f([null, a]);", 'f("ab", "c");', 'f("a", "bc");', 'f("");', "f();"].map(
      (code) => new CodeHasher().addNode(statementOf(code)).digest(),
    );
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it("gives every node type its own code, apart from field keys and text", () => {
    const probe = (node: object) => new CodeHasher().addNode(node as AstNode).digest();
    const hashes = [
      probe({ type: "ProbeAb" }),
      probe({ type: "ProbeBa" }),
      probe({ type: "Probe" }),
      probe({ type: "Probe", ab: { type: "Probe" } }),
      probe({ type: "Probe", ab: true }),
      probe({ type: "Probe", ba: true }),
      probe({ type: "Probe", ab: "x" }),
      probe({ type: "Probe", ab: ["x"] }),
      probe({ type: "Probe", ab: [{ type: "Probe" }] }),
      probe({ type: "Probe", ab: [{ type: "Probe" }, { type: "Probe" }] }),
      probe({ type: "Probe", ab: [{ type: "Probe", ab: { type: "Probe" } }] }),
      probe({ type: "Probe", ab: [{ type: "Probe" }], ba: [{ type: "Probe" }] }),
      // Where a child node ends: its fields vs its parent's.
      probe({ type: "Probe", ab: { type: "Probe" }, ba: true }),
      probe({ type: "Probe", ab: { type: "Probe", ba: true } }),
      probe({ type: "Probe", ab: [{ type: "Probe" }], ba: true }),
      probe({ type: "Probe", ab: [{ type: "Probe", ba: true }] }),
      // An array hole vs a non-node item (`ab: ["x"]` above).
      probe({ type: "Probe", ab: [null] }),
      new CodeHasher().add("Probe").digest(),
      new CodeHasher().add(":Probe").digest(),
    ];
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it("treats null, missing and false fields alike, and apart from other values", () => {
    const probe = (fields: object) => new CodeHasher().addNode({ type: "Probe", ...fields } as unknown as AstNode).digest();
    const nothing = probe({});
    expect(probe({ flag: null })).toBe(nothing);
    expect(probe({ flag: false })).toBe(nothing);
    expect(probe({ flag: undefined })).toBe(nothing);
    const values = [nothing, probe({ flag: true }), probe({ flag: 0 }), probe({ flag: "false" }), probe({ flag: "true" }), probe({ flag: "0" }), probe({ flag: [] })];
    expect(new Set(values).size).toBe(values.length);
  });

  it("hashes a node the same whichever nodes of its type were hashed before, in any process", async () => {
    // oxc nodes of one type differ in keys: TS-only fields, `regex` / `bigint` on some Literals.
    const sources = ['"s";', "/a+/g;", "/a+/i;", "10n;", "let x = 1;", "export const y = 2;", "const { a, ...b } = c;"];
    const variants = [
      ...sources.map((code) => statementOf(code)),
      ...sources.map((code) => statementOf(code, "/p/a.js")),
      { type: "ZzProbe", a: "1" },
      { type: "ZzProbe", b: "1", a: "1" },
      { type: "ZzProbe", c: true, a: "1" },
    ] as AstNode[];
    const hashAll = async (order: readonly number[]) => {
      vi.resetModules();
      const fresh = await import("../../transformer/core/hash.ts");
      const hashes: string[] = [];
      for (const index of order) hashes[index] = new fresh.CodeHasher().addNode(variants[index]!).digest();
      return hashes;
    };
    const forward = variants.map((_, index) => index);
    const first = await hashAll(forward);
    expect(await hashAll(forward.slice().reverse())).toEqual(first);
    expect(await hashAll([...forward.slice(7), ...forward.slice(0, 7)])).toEqual(first);
    // And the fields a first node of the type lacked still count.
    expect(new Set(first.slice(0, 4)).size).toBe(4);
    expect(new Set(first.slice(-3)).size).toBe(3);
  });
});

function statementOf(code: string, filename = "/p/a.ts"): AstNode {
  const parsed = parseModule(code, filename, filename);
  expect(parsed.diagnostics).toEqual([]);
  return (parsed.program.body as AstNode[])[0]!;
}
