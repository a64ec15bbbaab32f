/**
 * The type-aware checks (transformer/type-checks/) on the fixture project, with
 * TypeScript 6.0 and 5.9: directly, through the ts-patch entry's emit, and through the
 * language-service plugin on a real language service.
 */
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import type * as TS from "typescript";
import { InvalidOptionError } from "../../runtime/errors.ts";
import automemoTsPatchPlugin from "../../transformer/typescript.ts";
import { typeCheckSourceFile, TYPE_CHECK_CODES } from "../../transformer/type-checks/index.ts";
import automemoLanguageServicePlugin from "../../transformer/type-checks/language-service.ts";
import { typescript5, typescript6 } from "../hosts/compile.ts";
import { describeDiagnostics, expectedDiagnostics, fixtureProject } from "./expectations.ts";

function loadProject(ts: typeof TS): TS.ParsedCommandLine {
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (diagnostic: TS.Diagnostic) => {
    throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
  } };
  return ts.getParsedCommandLineOfConfigFile(join(fixtureProject, "tsconfig.json"), {}, host)!;
}

function projectFiles(program: TS.Program): TS.SourceFile[] {
  return program.getSourceFiles().filter((file) => file.fileName.startsWith(join(fixtureProject, "src")));
}

describe.each([
  ["TypeScript 6.0", typescript6],
  ["TypeScript 5.9", typescript5],
] as const)("type-aware checks with %s", (_label, ts) => {
  const config = loadProject(ts);
  const program = ts.createProgram(config.fileNames, config.options);

  it("the fixtures type-check cleanly, so every finding is automemo's", () => {
    expect(ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"))).toEqual([]);
  });

  it("finds exactly the diagnostics the fixtures expect", () => {
    const found = projectFiles(program).flatMap((file) => typeCheckSourceFile(ts, program, file, { root: fixtureProject, hashable: ["Decimal"] }));
    expect(describeDiagnostics(ts, found)).toEqual(expectedDiagnostics());
  });

  it("accepts registered hashers only through the hashable option (subclasses included)", () => {
    const params = program.getSourceFile(join(fixtureProject, "src/params.ts"))!;
    const found = describeDiagnostics(ts, typeCheckSourceFile(ts, program, params, { root: fixtureProject }));
    const hashMethodsLine = params.text.split("\n").findIndex((line) => line.startsWith("export function hashMethods")) + 1;
    expect(found.filter((line) => line.startsWith(`src/params.ts:${hashMethodsLine} `))).toEqual([
      `src/params.ts:${hashMethodsLine} error AUTOMEMO_UNHASHABLE_PARAM_TYPE`,
      `src/params.ts:${hashMethodsLine} error AUTOMEMO_UNHASHABLE_PARAM_TYPE`,
    ]);
  });

  it("names the parameter and gives the runtime's three fixes", () => {
    const params = program.getSourceFile(join(fixtureProject, "src/params.ts"))!;
    const [first] = typeCheckSourceFile(ts, program, params, { root: fixtureProject, hashable: ["Decimal"] });
    expect(first!.code).toBe(TYPE_CHECK_CODES.AUTOMEMO_UNHASHABLE_PARAM_TYPE);
    expect(ts.flattenDiagnosticMessageText(first!.messageText, "\n")).toBe(
      `[automemo] Cannot hash parameter 'db' of src/params.ts#unhashableClass: its type Db says db is an instance of class Db, which has no by-value hash.\n` +
        `Fix it in one of these ways:\n` +
        `  - leave it out of the cache key by renaming the parameter to '_db';\n` +
        `  - give the class a [Symbol.for("automemo.hash")]() method returning plain data that identifies the value;\n` +
        `  - register a hasher: configure({ hashers: [[Db, (value) => plainData]] }), and list "Db" in the "hashable" option of the automemo/typescript plugin entry. (AUTOMEMO_UNHASHABLE_PARAM_TYPE)`,
    );
  });

  it("reports the errors as emit diagnostics of the ts-patch program entry, with the entry's hashable list", () => {
    const own = ts.createProgram(config.fileNames, { ...config.options, outDir: undefined, noEmit: false });
    const transformed = automemoTsPatchPlugin(own, ts.createCompilerHost(own.getCompilerOptions()), { transformProgram: true, hashable: ["Decimal"] }, { ts });
    const written: string[] = [];
    // tsc exits non-zero on any diagnostic, so warnings are printed instead.
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const result = transformed.emit(undefined, (name) => written.push(name));
    const printed = stderr.mock.calls.map(([text]) => String(text)).join("");
    stderr.mockRestore();
    const errors = expectedDiagnostics().filter((line) => line.includes(" error "));
    expect(describeDiagnostics(ts, result.diagnostics)).toEqual(errors);
    expect(printed.match(/warning TS9040[56]: /g)).toHaveLength(expectedDiagnostics().length - errors.length);
    expect(written.length).toBeGreaterThan(0);
  });

  it("adds the diagnostics to a real language service's semantic diagnostics through the plugin", () => {
    const files = new Map(config.fileNames.map((name) => [name, ts.sys.readFile(name)!]));
    const host: TS.LanguageServiceHost = {
      getCompilationSettings: () => ({ ...config.options, configFilePath: join(fixtureProject, "tsconfig.json") }),
      getScriptFileNames: () => [...files.keys()],
      getScriptVersion: () => "1",
      getScriptSnapshot: (name) => {
        const text = files.get(name) ?? ts.sys.readFile(name);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => fixtureProject,
      getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
      fileExists: ts.sys.fileExists,
      readFile: ts.sys.readFile,
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
    };
    const languageService = ts.createLanguageService(host);
    const logged: string[] = [];
    const plugin = automemoLanguageServicePlugin({ typescript: ts }).create({
      languageService,
      config: { name: "automemo/typescript/language-service", hashable: ["Decimal"] },
      project: { projectService: { logger: { info: (message) => logged.push(message) } } },
    });
    const found = [...files.keys()].flatMap((name) => plugin.getSemanticDiagnostics(name));
    expect(describeDiagnostics(ts, found)).toEqual(expectedDiagnostics());
    expect(logged).toEqual([]);
    // Everything else is the language service's own.
    expect(plugin.getSyntacticDiagnostics(config.fileNames[0]!)).toEqual([]);
    expect(plugin.getQuickInfoAtPosition(config.fileNames[0]!, 0)).toEqual(languageService.getQuickInfoAtPosition(config.fileNames[0]!, 0));
  });
});

describe("the hashable option", () => {
  it("is validated when the ts-patch entry is created: a list of names", () => {
    const ts = typescript6;
    const program = ts.createProgram([], {});
    expect(() => automemoTsPatchPlugin(program, { hashable: "Decimal" }, { ts, addDiagnostic: () => 0 })).toThrow(InvalidOptionError);
    expect(() => automemoTsPatchPlugin(program, { hashable: ["Decimal", "not a name"] }, { ts, addDiagnostic: () => 0 })).toThrow(
      /Invalid option 'hashable' in the "automemo\/typescript" entry of compilerOptions.plugins: expected a list of class or interface names, got \["Decimal","not a name"\]\. List the names/,
    );
    expect(() => automemoTsPatchPlugin(program, { hashable: ["Decimal"] }, { ts, addDiagnostic: () => 0 })).not.toThrow();
  });
});
