import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { originalPositionFor, TraceMap } from "@jridgewell/trace-mapping";
import { describe, expect, it } from "vitest";
import type * as TS from "typescript";
import { InvalidOptionError } from "../../runtime/errors.ts";
import { TransformError } from "../../transformer/core/index.ts";
import automemoProgramTransformer, { AUTOMEMO_DIAGNOSTIC_CODE, automemoTransformer, factory as tsJestFactory, name as tsJestName } from "../../transformer/typescript.ts";
import { compileWithTsc, typescript5, typescript6 } from "./compile.ts";
import { emittedHandles } from "./handles.ts";

const root = "/project";
const filename = "/project/src/catalog.ts";

const catalogModule = `import { load } from "./load";

// A line comment that must survive.
export interface Item { id: string; price: number }

/**
 * Items under a price.
 * @memo { maxEntries: 10 }
 */
export function cheaperThan<T extends Item>(items: readonly T[], limit: number): T[] {
  "use strict";
  return items.filter((item) => item.price < limit); // trailing comment
}

export class Catalog {
  constructor(private readonly name: string) {}

  /** @memo */
  async fetch(id: string, ..._rest: unknown[]): Promise<Item> {
    return load(this.name, id);
  }

  /** @singleton */
  static open(name: string): Catalog {
    return new Catalog(name);
  }
}

/** @memo */
export const square = (n: number): number => n * n;
`;

const comments = (code: string) => code.match(/\/\*[\s\S]*?\*\/|\/\/.*$/gm) ?? [];

describe.each([
  ["TypeScript 6.0", typescript6],
  ["TypeScript 5.9", typescript5],
] as const)("automemo/typescript with %s", (_label, ts) => {
  it("imports the runtime and wraps each body for ES module output", () => {
    const { js } = compileWithTsc(ts, catalogModule, filename, { root });
    expect(js).toContain('import { cacheHandle as __am_cacheHandle, MISS as __am_MISS } from "automemo";');
    expect(js).toContain('const __am_0 = __am_cacheHandle("memo", { id: "src/catalog.ts#cheaperThan", hash: "');
    expect(js).toContain('params: ["id", "_rest"], key: ["this", "id"], options: {} });');
    expect(js).toMatch(/export function cheaperThan\(items, limit\) \{\n\s+"use strict";\n\s+const __am_r = __am_0\.get2\(items, limit\);/);
    expect(js).toContain("return __am_1.settle(async () => {\n            return load(this.name, id);");
    expect(js).toContain("return __am_3.settle(() => n * n);");
    expect(js).toContain("__am_3.bindFunction(square);");
  });

  it("uses require() when TypeScript emits CommonJS, because its module transform ignores synthesized imports", () => {
    const { js } = compileWithTsc(ts, catalogModule, filename, { root }, { module: ts.ModuleKind.CommonJS });
    expect(js).toContain('const { cacheHandle: __am_cacheHandle, MISS: __am_MISS } = require("automemo");');
    expect(js).not.toContain("import ");
    expect(js).toContain("if (__am_r !== __am_MISS)");
    const perFile = compileWithTsc(ts, catalogModule, "/project/src/catalog.cts", { root }, { module: ts.ModuleKind.NodeNext });
    expect(perFile.js).toContain('require("automemo")');
    const esm = compileWithTsc(ts, catalogModule, "/project/src/catalog.mts", { root }, { module: ts.ModuleKind.NodeNext });
    expect(esm.js).toContain('from "automemo"');
  });

  it("leaves the .d.ts output unchanged", () => {
    const withPlugin = compileWithTsc(ts, catalogModule, filename, { root }, { declaration: true });
    const without = compileWithTsc(ts, catalogModule, filename, { root }, { declaration: true, withoutAutomemo: true });
    expect(withPlugin.outputs.get(".d.ts")).toContain("cheaperThan<T extends Item>");
    expect(withPlugin.outputs.get(".d.ts")).toBe(without.outputs.get(".d.ts"));
  });

  it("keeps every comment the plain compile keeps", () => {
    const withPlugin = compileWithTsc(ts, catalogModule, filename, { root });
    const without = compileWithTsc(ts, catalogModule, filename, { root }, { withoutAutomemo: true });
    expect(comments(withPlugin.js)).toEqual(comments(without.js));
    expect(comments(withPlugin.js)).toContain("// trailing comment");
  });

  it("is idempotent: its own output comes back unchanged", () => {
    const once = compileWithTsc(ts, catalogModule, filename, { root }).js;
    expect(compileWithTsc(ts, once, filename, { root }).js).toBe(once);
  });

  it("throws a TransformError with a code frame from customTransformers", () => {
    const misuse = `/**\n * @memo\n * @singleton\n */\nexport function both(n: number) {\n  return n;\n}\n`;
    let thrown: unknown;
    try {
      compileWithTsc(ts, misuse, filename, { root });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TransformError);
    const error = thrown as TransformError;
    expect(error.code).toBe("AUTOMEMO_BOTH_TAGS");
    expect(error.message).toContain("at src/catalog.ts:3:");
    expect(error.message).toMatch(/> 3 \| {2}\* @singleton\n\s+\| +\^+/);
  });

  it("says so when an earlier transformer already replaced an annotated function", () => {
    const rebuildBodies: TS.TransformerFactory<TS.SourceFile> = (context) => (sourceFile) => {
      const visit = (node: TS.Node): TS.Node =>
        ts.isFunctionDeclaration(node) && node.body
          ? context.factory.updateFunctionDeclaration(node, node.modifiers, node.asteriskToken, node.name, node.typeParameters, node.parameters, node.type, context.factory.createBlock([...node.body.statements], true))
          : ts.visitEachChild(node, visit, context);
      return ts.visitEachChild(sourceFile, visit, context);
    };
    const sourceFile = ts.createSourceFile(filename, catalogModule, ts.ScriptTarget.ES2022, true);
    expect(() => ts.transform(sourceFile, [rebuildBodies, automemoTransformer(undefined, { root }, ts)])).toThrow(
      /AUTOMEMO_HOST_MISMATCH|Could not find src\/catalog\.ts#cheaperThan in TypeScript's AST/,
    );
  });

  it("reports misuse as a TypeScript error diagnostic through ts-patch's addDiagnostic", () => {
    const misuse = `export const a = 1;\n/** @memo { ttl: "soon" } */\nexport function f(n: number) {\n  return n;\n}\n`;
    const diagnostics: TS.Diagnostic[] = [];
    const program = ts.createProgram([], { noLib: true });
    const factory = automemoProgramTransformer(program, { transform: "automemo/typescript", after: false, root }, {
      ts,
      addDiagnostic: (diagnostic) => diagnostics.push(diagnostic),
    });
    const sourceFile = ts.createSourceFile(filename, misuse, ts.ScriptTarget.ES2022, true);
    const result = ts.transform(sourceFile, [factory]);
    expect(result.transformed[0]).toBe(sourceFile);
    expect(diagnostics).toHaveLength(1);
    const [diagnostic] = diagnostics;
    expect(diagnostic).toMatchObject({ file: sourceFile, category: ts.DiagnosticCategory.Error, code: AUTOMEMO_DIAGNOSTIC_CODE });
    expect(misuse.slice(diagnostic!.start!, diagnostic!.start! + diagnostic!.length!)).toContain("soon");
    expect(diagnostic!.messageText).toMatch(/^\[automemo\] .*ttl.*\(AUTOMEMO_INVALID_OPTION\)$/s);
    const printed = ts.formatDiagnostic(diagnostic!, { getCanonicalFileName: (name) => name, getCurrentDirectory: () => root, getNewLine: () => "\n" });
    expect(printed).toMatch(/^src\/catalog\.ts\(2,\d+\): error TS90401: \[automemo\]/);
  });

  it("maps the original body back to its source line", () => {
    const sourceMapped = compileWithTsc(ts, catalogModule, filename, { root }, { sourceMap: true });
    const trace = new TraceMap(sourceMapped.outputs.get(".map")!);
    const lines = sourceMapped.js.split("\n");
    const line = lines.findIndex((text) => text.includes("load(this.name, id)"));
    const original = originalPositionFor(trace, { line: line + 1, column: lines[line]!.indexOf("load(") });
    const sourceLines = catalogModule.split("\n");
    const expectedLine = sourceLines.findIndex((text) => text.includes("load(this.name, id)"));
    expect(original.source).toMatch(/\/project\/src\/catalog\.ts$/);
    expect(original).toMatchObject({ line: expectedLine + 1, column: sourceLines[expectedLine]!.indexOf("load(") });
  });
});

describe("automemo/typescript options", () => {
  it("rejects unknown keys in the tsconfig plugin entry but ignores ts-patch's own keys", () => {
    const program = typescript6.createProgram([], { noLib: true });
    const extras = { ts: typescript6, addDiagnostic: () => 0 };
    expect(() => automemoProgramTransformer(program, { transform: "automemo/typescript", afterDeclarations: false, runtimeModule: "automemo" }, extras)).not.toThrow();
    expect(() => automemoProgramTransformer(program, { transform: "automemo/typescript", rootDir: "." }, extras)).toThrow(
      /Invalid option 'rootDir' in the "automemo\/typescript" entry of compilerOptions\.plugins: unknown option/,
    );
    expect(() => automemoTransformer(undefined, { runtimeModule: "" }, typescript6)).toThrow(InvalidOptionError);
  });

  it("is a ts-jest astTransformers module using ts-jest's TypeScript", () => {
    expect(tsJestName).toBe("automemo");
    const transformer = tsJestFactory({ configSet: { compilerModule: typescript5 } }, { root });
    const { outputText } = typescript5.transpileModule(catalogModule, { fileName: filename, compilerOptions: { module: typescript5.ModuleKind.CommonJS }, transformers: { before: [transformer] } });
    expect(outputText).toContain('require("automemo")');
    expect(outputText).toContain("__am_0.get2(items, limit)");
  });

  it("loads the project's own TypeScript when none is passed", () => {
    const program = typescript6.createProgram([], { noLib: true });
    const factory = automemoTransformer(program, { root });
    const sourceFile = typescript6.createSourceFile(filename, catalogModule, typescript6.ScriptTarget.ES2022, true);
    const printed = typescript6.createPrinter().printFile(typescript6.transform(sourceFile, [factory]).transformed[0]!);
    expect(printed).toContain("__am_0.get2(items, limit)");
  });
});

describe("automemo/typescript dependency hashes", () => {
  const project = join(resolve(import.meta.dirname, "../.."), "test/.tmp/host-deps");
  const mainFile = join(project, "src/main.ts");

  /** The hash of `total` when the helper behind the `@lib/*` tsconfig alias has `body`. */
  function hashWithHelper(ts: typeof TS, body: string, options: { dependencies?: boolean } = {}): string {
    rmSync(project, { recursive: true, force: true });
    mkdirSync(join(project, "src/lib"), { recursive: true });
    writeFileSync(join(project, "src/lib/price.ts"), `export function withTax(n: number): number {\n  return ${body};\n}\n`);
    writeFileSync(mainFile, `import { withTax } from "@lib/price";\n\n/** @memo */\nexport function total(n: number): number {\n  return withTax(n);\n}\n`);
    const compilerOptions = { module: "esnext", moduleResolution: "bundler", noLib: true, types: [], outDir: "dist", paths: { "@lib/*": ["./src/lib/*"] } };
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["src/main.ts"] }));
    const parsed = ts.getParsedCommandLineOfConfigFile(join(project, "tsconfig.json"), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
      },
    })!;
    const program = ts.createProgram(parsed.fileNames, parsed.options);
    let js = "";
    program.emit(program.getSourceFile(mainFile), (_name, text) => (js = text), undefined, false, {
      before: [automemoTransformer(program, options, ts)],
    });
    const [handle] = emittedHandles(js);
    expect(handle!.meta).toMatchObject({ id: "src/main.ts#total" });
    return (handle!.meta as { hash: string }).hash;
  }

  it.each([
    ["TypeScript 6.0", typescript6],
    ["TypeScript 5.9", typescript5],
  ] as const)("follows imports the way the program resolves them (%s)", (_label, ts) => {
    expect(hashWithHelper(ts, "n * 1.2")).not.toBe(hashWithHelper(ts, "n * 1.25"));
    expect(hashWithHelper(ts, "n * 1.2", { dependencies: false })).toBe(hashWithHelper(ts, "n * 1.25", { dependencies: false }));
  });
});
