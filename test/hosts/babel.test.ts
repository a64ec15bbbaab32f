import * as babel7 from "@babel/core";
import babel7PresetEnv from "@babel/preset-env";
import babel7PresetTypescript from "@babel/preset-typescript";
import { originalPositionFor, TraceMap } from "@jridgewell/trace-mapping";
import { describe, expect, it } from "vitest";
import { InvalidOptionError } from "../../runtime/errors.ts";
import automemoBabel, { type BabelApi } from "../../transformer/babel.ts";
import { compileWithBabel7, compileWithBabel8 } from "./compile.ts";
import { emittedHandles } from "./handles.ts";

const root = "/project";
const filename = "/project/src/rows.ts";

const rowsModule = `import { db } from "./db";

/**
 * Loads one page.
 * @memo { ttl: "1h" }
 */
export async function getPage(_session: unknown, pageSize: number, page: number): Promise<number[]> {
  "use strict";
  return db.rows(page * pageSize, pageSize);
}

/** @singleton */
export const connect = (url: string) => ({ url, opened: db.now() });

export class Repo {
  /** @memo */
  load(id: string): string {
    return \`\${db.prefix}\${id}\`;
  }
}
`;

describe("automemo/babel", () => {
  it("gives the same output on Babel 7 and Babel 8", () => {
    const seven = compileWithBabel7(rowsModule, filename, { root }).code;
    const eight = compileWithBabel8(rowsModule, filename, { root }).code;
    expect(seven).toContain(`const __am_0 = __am_cacheHandle("memo", {\n  id: "src/rows.ts#getPage"`);
    expect(eight).toBe(seven);
  });

  it("keeps the directive prologue first and the original body inside settle", () => {
    const { code } = compileWithBabel7(rowsModule, filename, { root });
    expect(code).toMatch(/export async function getPage\(_session, pageSize, page\) \{\n {2}"use strict";\n\n? {2}const __am_r = __am_0\.get2\(pageSize, page\);/);
    expect(code).toContain("return __am_0.settle(async () => {\n    return db.rows(page * pageSize, pageSize);\n  });");
    expect(code).toContain("const __am_r = __am_2.get2(this, id);");
    // The JSDoc stays on its function, below the inserted preamble.
    expect(code.indexOf(" * Loads one page.")).toBeGreaterThan(code.indexOf("__am_2 = __am_cacheHandle"));
  });

  it("works in front of preset-env's CommonJS and ES5 transforms", () => {
    const { code } = compileWithBabel7(rowsModule, filename, { root }, { presets: [[babel7PresetEnv, { targets: "ie 11", modules: "commonjs" }]] });
    expect(code).toContain('require("automemo")');
    expect(code).toMatch(/var __am_0 = \(0, _automemo\.cacheHandle\)\("memo"/);
    expect(code).toContain("if (__am_r !== _automemo.MISS) return __am_r;");
    expect(code).not.toMatch(/\bconst |=>/);
  });

  it("emits require() in a script", () => {
    const script = `/** @memo */\nfunction twice(n) { return n * 2; }\nmodule.exports = { twice };\n`;
    const { code } = compileWithBabel7(script, "/project/src/twice.js", { root }, { sourceType: "script" });
    expect(code.startsWith('const {\n  cacheHandle: __am_cacheHandle,\n  MISS: __am_MISS\n} = require("automemo");')).toBe(true);
    expect(code).toContain("__am_0.bindFunction(twice);");
  });

  it("uses the configured runtime module", () => {
    const { code } = compileWithBabel7(rowsModule, filename, { root, runtimeModule: "automemo/runtime-copy" });
    expect(code).toContain('import { cacheHandle as __am_cacheHandle, MISS as __am_MISS } from "automemo/runtime-copy";');
  });

  it("is idempotent: its own output comes back unchanged", () => {
    for (const compile of [compileWithBabel7, compileWithBabel8]) {
      const once = compile(rowsModule, filename, { root }).code;
      expect(compile(once, "/project/src/rows.js", { root }).code).toBe(once);
    }
  });

  it("reports misuse with a code frame at the function", () => {
    const generator = `const ready = true;\n\n/** @memo */\nexport function* ids(n: number) {\n  yield n;\n}\n`;
    for (const compile of [compileWithBabel7, compileWithBabel8]) {
      let thrown: unknown;
      try {
        compile(generator, filename, { root });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(Error);
      const error = thrown as Error & { code?: string };
      expect(error.code).toBe("AUTOMEMO_GENERATOR");
      expect(error.message).toContain(`${filename}: [automemo]`);
      expect(error.message).toMatch(/> 4 \| export function\* ids\(n: number\) \{\n\s+\| +\^+/);
    }
  });

  it("says so when an earlier plugin already replaced an annotated function", () => {
    const rebuildBodies = ({ types: t }: { types: typeof babel7.types }) => ({
      visitor: {
        Program(path: any) {
          path.traverse({
            FunctionDeclaration(fn: any) {
              fn.node.body = t.blockStatement(fn.node.body.body);
            },
          });
        },
      },
    });
    expect(() =>
      babel7.transformSync(rowsModule, {
        babelrc: false,
        configFile: false,
        filename,
        plugins: [rebuildBodies, [automemoBabel, { root }]],
        presets: [babel7PresetTypescript],
      } as unknown as babel7.InputOptions),
    ).toThrow(/Could not find src\/rows\.ts#getPage in Babel's AST: another plugin rewrote it before automemo ran/);
  });

  it("hashes the helpers a function calls unless dependencies is false", () => {
    const hashOf = (rate: string, options: { dependencies?: boolean } = {}) => {
      const source = `const withTax = (n: number) => n * ${rate};\n\n/** @memo */\nexport function total(n: number) {\n  return withTax(n);\n}\n`;
      const [handle] = emittedHandles(compileWithBabel7(source, filename, { root, ...options }).code);
      return (handle!.meta as { hash: string }).hash;
    };
    expect(hashOf("1.2")).not.toBe(hashOf("1.25"));
    expect(hashOf("1.2", { dependencies: false })).toBe(hashOf("1.25", { dependencies: false }));
  });

  it("validates its options once, rejecting unknown keys and wrong types", () => {
    expect(() => compileWithBabel7(rowsModule, filename, { root, runtimeModul: "x" } as never)).toThrow(
      /Invalid option 'runtimeModul' in the options of the automemo\/babel plugin: unknown option\. Known options: root, runtimeModule, dependencies/,
    );
    const api = { version: "7.29.0", types: babel7.types as unknown as BabelApi["types"], assertVersion: () => undefined };
    expect(() => automemoBabel(api, { root: 42 })).toThrow(InvalidOptionError);
    expect(() => automemoBabel(api, { dependencies: "yes" })).toThrow(/Invalid option 'dependencies'.*expected a boolean, got "yes"/);
    expect(() => automemoBabel(api, { dependencyCache: true })).toThrow(/Invalid option 'dependencyCache'.*expected a folder path or false, got true/);
    expect(() => automemoBabel(api, { dependencyCache: "" })).toThrow(/Invalid option 'dependencyCache'/);
    expect(() => automemoBabel(api, { dependencyCache: false, dependencies: true })).not.toThrow();
    expect(() => automemoBabel(api, ["root"])).toThrow(/expected an object, got an array/);
  });

  it("refuses Babel versions older than 7.22", () => {
    const ranges: string[] = [];
    const api = {
      version: "7.21.0",
      types: babel7.types as unknown as BabelApi["types"],
      assertVersion(range: string) {
        ranges.push(range);
        throw new Error(`Requires Babel "${range}", but was loaded with "7.21.0".`);
      },
    };
    expect(() => automemoBabel(api, {})).toThrow(/\^7\.22\.0 \|\| \^8\.0\.0/);
    expect(ranges).toEqual(["^7.22.0 || ^8.0.0"]);
  });

  it("maps the original body back to its source line and column", () => {
    const { code, map } = compileWithBabel7(rowsModule, filename, { root }, { sourceMaps: true });
    const trace = new TraceMap(map as ConstructorParameters<typeof TraceMap>[0]);
    const lines = code.split("\n");
    const line = lines.findIndex((text) => text.includes("db.rows(page * pageSize"));
    const column = lines[line]!.indexOf("db.rows");
    const original = originalPositionFor(trace, { line: line + 1, column });
    const sourceLines = rowsModule.split("\n");
    const expectedLine = sourceLines.findIndex((text) => text.includes("db.rows(page * pageSize"));
    expect(original).toMatchObject({ line: expectedLine + 1, column: sourceLines[expectedLine]!.indexOf("db.rows") });
  });
});
