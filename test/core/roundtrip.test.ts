import fc from "fast-check";
import { parseSync } from "oxc-parser";
import { describe, expect, it } from "vitest";
import { planModule, transformSource } from "../../transformer/core/index.ts";

/**
 * Random modules assembled from every supported form (nested in each other, with
 * and without options, one-line and multi-line): the output must parse, declare one
 * handle per tag, keep every function in place, and be a fixed point of the transform.
 */
const TAGS = ["/** @memo */", "/** @singleton */", '/** @memo { ttl: "1h", maxEntries: 3 } */', "/**\n * Docs.\n * @memo\n */"];

const FORMS: ReadonlyArray<(tag: string, name: string, inner: string) => string> = [
  (tag, name, inner) => `${tag}\nexport function ${name}(a: number, _b?: string) {\n  ${inner}\n  return a;\n}`,
  (tag, name, inner) => `${tag}\nconst ${name} = async (x: number) => {\n  ${inner}\n  return x;\n};`,
  (tag, name) => `${tag} let ${name} = (x: number) => x * 2`,
  (tag, name, inner) => `class C_${name} {\n  ${tag}\n  static async ${name}(...rest: number[]) { ${inner} return rest; }\n  ${tag}\n  #p_${name}({ a }: { a: number }) { return a; }\n}`,
  (tag, name) => `export const o_${name} = { ${tag} ${name}(x: number) { return this; }, ${tag}\n  p: (y: number) => y };`,
  (tag, name, inner) => `function outer_${name}(k: number) {\n  ${inner}\n  ${tag}\n  const ${name} = (x: number) => x + k;\n  return ${name};\n}`,
];

const moduleArbitrary = fc
  .array(
    fc.record({
      form: fc.integer({ min: 0, max: FORMS.length - 1 }),
      tag: fc.constantFrom(...TAGS),
      nestedForm: fc.option(fc.integer({ min: 0, max: FORMS.length - 1 }), { nil: undefined }),
      nestedTag: fc.constantFrom(...TAGS),
    }),
    { minLength: 1, maxLength: 5 },
  )
  .map((parts) =>
    parts
      .map((part, index) => {
        const inner = part.nestedForm === undefined ? "" : `${FORMS[part.nestedForm](part.nestedTag, `n${index}`, "").replaceAll("export ", "")};`;
        return FORMS[part.form](part.tag, `f${index}`, inner);
      })
      .join("\n\n"),
  );

const countTags = (source: string) => (source.match(/@(memo|singleton)\b/g) ?? []).length;

describe("transform round trip on generated modules", () => {
  it("produces parseable, idempotent output with one handle per tag", () => {
    fc.assert(
      fc.property(moduleArbitrary, fc.boolean(), (source, cjs) => {
        const options = { filename: "/r/src/m.ts", root: "/r", moduleFormat: cjs ? ("cjs" as const) : undefined };
        const plan = planModule(source, options);
        expect(plan.diagnostics).toEqual([]);
        const out = transformSource(source, options);
        expect(out).not.toBeNull();
        const parsed = parseSync("m.ts", out!.code, { lang: "ts", sourceType: "module" });
        expect(parsed.errors).toEqual([]);
        expect((out!.code.match(/= __am_cacheHandle\(/g) ?? []).length).toBe(countTags(source));
        expect(plan.functions).toHaveLength(countTags(source));
        expect(transformSource(out!.code, options)).toBeNull();
        const ids = plan.functions.map((fn) => fn.meta.id);
        expect(new Set(ids).size).toBe(ids.length);
      }),
      { numRuns: 60 },
    );
  });
});
