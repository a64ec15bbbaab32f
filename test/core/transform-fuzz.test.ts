/**
 * Fuzz test of the transformer (a tag must apply exactly where it is written): generated modules with `@memo` in random
 * places (JSDoc block tags, prose, inline code, `{@link}`, fences, line and plain block
 * comments, strings, template literals, regular expressions, JSX text, nested functions,
 * shadowed generated names). Every module is transformed by the text host, then both
 * versions run. Wherever no tag applies, the transformed module must behave exactly as
 * the original (same results, same number of calls); every tag either applies (a second
 * call with the same argument is a hit: one call fewer) or the transform fails with a
 * located `[automemo]` error on the line of a misused tag.
 */
import { createRequire } from "node:module";
import fc from "fast-check";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { TransformError, transformSource } from "../../transformer/core/index.ts";

const nodeRequire = createRequire(import.meta.url);

/** What a leading comment does to the function after it. */
type Effect = "applies" | "none" | "error";

const LEADING_COMMENTS: readonly (readonly [string, Effect])[] = [
  ["/** @memo */", "applies"],
  ["/**\n * Loads things.\n * @memo\n */", "applies"],
  ["/**\n * @memo { maxEntries: 10 }\n * Described below the tag.\n */", "applies"],
  ["/** Returns a fresh value (deliberately not @memo, ids must be unique). */", "none"],
  ["/** Cache it with `@memo` when it is pure. */", "none"],
  ["/**\n * See {@link\n * @memo}.\n */", "none"],
  ["/**\n * ```ts\n * @memo\n * ```\n */", "none"],
  ["// @memo", "none"],
  ["/* @memo */", "none"],
  ["/** @memoize */", "none"],
  ["", "none"],
  ["/** @memo extra words */", "error"],
  ["/** @memo { ttl: 1, ttl: 2 } */", "error"],
  ["/** @memo { nope: 1 } */", "error"],
  ["/** @memo @singleton */", "error"],
];

/** Statements for the middle of a body: none of them is a tag, whatever text they hold. */
const BODY_NOISE: readonly string[] = [
  'const note = "/** @memo */";',
  "const note = `@memo ${x} @singleton`;",
  "const note = /@memo\\s*\\{/.source;",
  "const note = String((<b>/** @memo */ @memo</b>).props.children);",
  "const note = [1, 2].map(/** not a tag: @memo */ (n) => n + x).join();",
  "const __am_r = x; const __am_MISS = 2; const note = String(__am_r + __am_MISS);",
  "const note = ((__am_0) => String(__am_0))(x);",
  "// @memo\n  const note = 'line';",
];

interface GeneratedFunction {
  readonly comment: number;
  readonly noise: number;
  readonly arrow: boolean;
  readonly nested: boolean;
}

const generatedFunction: fc.Arbitrary<GeneratedFunction> = fc.record({
  comment: fc.nat(LEADING_COMMENTS.length - 1),
  noise: fc.nat(BODY_NOISE.length - 1),
  arrow: fc.boolean(),
  nested: fc.boolean(),
});

/** One module: a JSX factory, a call counter, the functions, and `run()` calling each with 1, 1, 2. */
function moduleSource(functions: readonly GeneratedFunction[], shadowModuleNames: boolean): { source: string; errorLines: Set<number> } {
  const lines = ["const h = (tag, props, ...children) => ({ tag, props: { ...props, children: children.join('') } });", "export const calls = {};"];
  if (shadowModuleNames) lines.push("const __am_cacheHandle = 'mine';");
  const errorLines = new Set<number>();
  functions.forEach((fn, index) => {
    const [comment, effect] = LEADING_COMMENTS[fn.comment];
    const name = `f${index}`;
    const header = fn.arrow ? `export const ${name} = (x) => {` : `export function ${name}(x) {`;
    const nested = fn.nested
      ? `  /** @memo */\n  function inner(y) {\n    calls.inner${index} = (calls.inner${index} ?? 0) + 1;\n    return y * 10 + x;\n  }\n  const fromInner = inner(x) + inner(x);\n`
      : "  const fromInner = 0;\n";
    const start = lines.join("\n").split("\n").length + 1;
    if (effect === "error") for (let line = start; line < start + comment.split("\n").length; line++) errorLines.add(line);
    lines.push(comment, header, `  calls.${name} = (calls.${name} ?? 0) + 1;`, `  ${BODY_NOISE[fn.noise]}`, nested, `  return [x, note, fromInner];`, fn.arrow ? "};" : "}");
  });
  const callsOf = functions.map((_, index) => `f${index}(1), f${index}(1), f${index}(2)`).join(", ");
  lines.push(`export function run() { return { results: [${callsOf}], calls }; }`);
  return { source: `${lines.join("\n")}\n`, errorLines };
}

/** Evaluates a module (JSX and ESM compiled to CommonJS) with `automemo` bound to the real runtime. */
async function runModule(code: string): Promise<{ results: unknown[]; calls: Record<string, number> }> {
  const { outputText } = ts.transpileModule(code, {
    fileName: "fuzz.jsx",
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, jsx: ts.JsxEmit.React, jsxFactory: "h", allowJs: true },
  });
  const runtime = await import("../../runtime/index.ts");
  const module = { exports: {} as { run(): { results: unknown[]; calls: Record<string, number> } } };
  const evaluate = new Function("require", "module", "exports", outputText) as (require: (specifier: string) => unknown, module: object, exports: object) => void;
  evaluate((specifier) => (specifier === "automemo" ? runtime : nodeRequire(specifier)), module, module.exports);
  return JSON.parse(JSON.stringify(module.exports.run()));
}

let moduleNumber = 0;

describe("transformer fuzz", () => {
  it("changes nothing where no tag applies, caches where one does, and reports misuse where it is", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(generatedFunction, { minLength: 1, maxLength: 5 }), fc.boolean(), async (functions, shadow) => {
        const { source, errorLines } = moduleSource(functions, shadow);
        // A fresh file name per module: ids (and so cache entries) never carry over between cases.
        const filename = `/fuzz/src/case${moduleNumber++}.jsx`;
        let transformed: string;
        try {
          transformed = transformSource(source, { filename, root: "/fuzz", dependencies: false })?.code ?? source;
        } catch (error) {
          expect(error, source).toBeInstanceOf(TransformError);
          const { loc, message, code } = error as TransformError;
          expect(message).toMatch(/^\[automemo\] /);
          expect(code).toMatch(/^AUTOMEMO_/);
          expect(errorLines, `${message}\n${source}`).toContain(loc.line);
          return;
        }
        expect(errorLines.size, `a misused tag was accepted:\n${source}`).toBe(0);
        const original = await runModule(source);
        const cached = await runModule(transformed);
        expect(cached.results, transformed).toEqual(original.results);
        functions.forEach((fn, index) => {
          const applies = LEADING_COMMENTS[fn.comment][1] === "applies";
          // Called with 1, 1, 2: a cached function computes twice, any other three times.
          expect(cached.calls[`f${index}`], `f${index} in\n${transformed}`).toBe(applies ? 2 : 3);
          if (fn.nested) {
            // The nested tagged function computes once per distinct (argument, captured x); never more than the original.
            expect(cached.calls[`inner${index}`]).toBeLessThan(original.calls[`inner${index}`]);
          }
        });
      }),
      { numRuns: 80 },
    );
  }, 60_000);
});
