/**
 * The type-aware checks the way users run them, from dist/ (run `npm run build` first):
 * `tspc -p` with TypeScript 6.0 and 5.9, `automemo check` (text and --json, and what it
 * says when only TypeScript 7 is installed), and tsserver loading
 * `automemo/typescript/language-service` from a project's node_modules.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { expectedDiagnostics, fixtureProject } from "./expectations.ts";

const repo = join(import.meta.dirname, "../..");
const workspace = join(repo, "test/.tmp/type-checks");
const tspc = join(repo, "node_modules/ts-patch/bin/tspc.js");
const cli = join(repo, "dist/cli.js");

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, timeout: 120_000 });
}

/** A copy of the fixture project with node_modules/automemo -> this package (and more links). */
function copyProject(name: string, links: Record<string, string> = {}): string {
  const target = join(workspace, name);
  rmSync(target, { recursive: true, force: true });
  cpSync(fixtureProject, target, { recursive: true });
  mkdirSync(join(target, "node_modules"), { recursive: true });
  for (const [link, to] of Object.entries({ automemo: repo, ...links })) symlinkSync(to, join(target, "node_modules", link), "dir");
  return target;
}

/** `src/params.ts:45 error AUTOMEMO_X` for each diagnostic tsc printed (`file(line,col): error TS90402: ...`). */
function tscDiagnostics(output: string): string[] {
  return output
    .split(/^(?=\S+\(\d+,\d+\): (?:error|warning) TS)/m)
    .map((chunk) => /^(\S+)\((\d+),\d+\): (error|warning) TS\d+: [\s\S]*\((AUTOMEMO_[A-Z_]+)\)\s*$/.exec(chunk))
    .filter((match) => match !== null)
    .map((match) => `${match[1]}:${match[2]} ${match[3]} ${match[4]}`)
    .sort();
}

beforeAll(() => {
  for (const file of ["dist/cli.js", "dist/typescript.cjs", "dist/typescript-language-service.cjs"]) {
    if (!existsSync(join(repo, file))) throw new Error(`${file} is missing: run \`npm run build\` first (\`npm test\` does).`);
  }
  mkdirSync(workspace, { recursive: true });
});

const expected = expectedDiagnostics();
const errors = expected.filter((line) => line.includes(" error "));
const warnings = expected.filter((line) => line.includes(" warning "));

describe("tspc -p with the automemo/typescript entry", () => {
  it.each([
    ["TypeScript 6.0", {}],
    ["TypeScript 5.9", { TSP_COMPILER_TS_PATH: join(repo, "node_modules/typescript5") }],
  ] as const)("%s: errors fail the build as diagnostics, warnings go to stderr", (_label, env) => {
    const project = copyProject(`tspc-${Object.keys(env).length}`);
    const result = run(process.execPath, [tspc, "-p", ".", "--pretty", "false"], project, env);
    expect(tscDiagnostics(result.stdout)).toEqual(errors);
    expect(tscDiagnostics(result.stderr)).toEqual(warnings);
    expect(result.status).toBe(2); // tsc: diagnostics present, outputs generated
  });

  it("an incremental build checks a file with a type error again: a fix in another file clears it", () => {
    const project = copyProject("tspc-incremental");
    rmSync(join(project, "src"), { recursive: true });
    mkdirSync(join(project, "src"));
    writeFileSync(join(project, "src/db.ts"), `export class Db {\n  constructor(readonly url: string) {}\n}\n`);
    writeFileSync(join(project, "src/rows.ts"), `import { Db } from "./db.js";\n\n/** @memo */\nexport function rows(db: Db): number {\n  return db.url.length;\n}\n`);
    const build = () => run(process.execPath, [tspc, "-p", ".", "--pretty", "false", "--incremental"], project);
    expect(tscDiagnostics(build().stdout)).toEqual(["src/rows.ts:4 error AUTOMEMO_UNHASHABLE_PARAM_TYPE"]);
    expect(tscDiagnostics(build().stdout), "an unchanged project reports it again").toEqual(["src/rows.ts:4 error AUTOMEMO_UNHASHABLE_PARAM_TYPE"]);
    // The hash method changes nothing rows.ts can see (its declarations drop a member with a computed name).
    writeFileSync(join(project, "src/db.ts"), `export class Db {\n  constructor(readonly url: string) {}\n  [Symbol.for("automemo.hash")]() {\n    return this.url;\n  }\n}\n`);
    const fixed = build();
    expect(tscDiagnostics(fixed.stdout)).toEqual([]);
    expect(fixed.status).toBe(0);
  });
});

describe("automemo check", () => {
  it("--json lists every diagnostic and exits 1 on errors", () => {
    const project = copyProject("check-json");
    const result = run(process.execPath, [cli, "check", "--json"], project);
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout) as { errors: number; warnings: number; diagnostics: { file: string; line: number; severity: string; code: string }[] };
    expect(report.diagnostics.map((found) => `${found.file}:${found.line} ${found.severity} ${found.code}`).sort()).toEqual(expected);
    expect(report).toMatchObject({ errors: errors.length, warnings: warnings.length });
  });

  it("prints file:line:col and a code frame, and exits 0 when there are only warnings", () => {
    const project = copyProject("check-text");
    const failing = run(process.execPath, [cli, "check", "-p", "tsconfig.json"], project);
    expect(failing.status).toBe(1);
    expect(failing.stdout).toContain("src/params.ts:46:33 - error TS90402: [automemo] Cannot hash parameter 'db' of src/params.ts#unhashableClass");
    expect(failing.stdout).toMatch(/> 46 \| export function unhashableClass\(db: Db, id: number\): string\[\] \{.*\n {5}\| {33}\^\^\n/);
    expect(failing.stdout).toContain(`automemo check: ${errors.length} errors, ${warnings.length} warnings in 2 tagged files.`);
    rmSync(join(project, "src/params.ts"));
    writeFileSync(join(project, "src/results.ts"), `/** @memo */\nexport function either(url: string): string | (() => string) {\n  return url;\n}\n`);
    const passing = run(process.execPath, [cli, "check", "-p", "."], project);
    expect(passing.stdout).toContain("automemo check: 0 errors, 1 warning in 1 tagged file.");
    expect(passing.status).toBe(0);
  });

  it("says what to do when the project's typescript is TypeScript 7", () => {
    const project = copyProject("check-ts7", { typescript: join(repo, "node_modules/typescript7") });
    const result = run(process.execPath, [cli, "check"], project);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/\[automemo\] automemo check reads types through TypeScript's compiler API, and the 'typescript' package resolved from .* is TypeScript 7\.[\s\S]*npm install --save-dev typescript@6/);
  });
});

/** Sends tsserver requests over stdio and resolves with the response to the last one. */
function askTsserver(project: string, requests: readonly object[]): Promise<{ body: { text: string; start: { line: number }; category: string; code: number }[] }> {
  const tsserver = join(repo, "node_modules/typescript/lib/tsserver.js");
  const child = spawn(process.execPath, [tsserver, "--pluginProbeLocations", project, "--disableAutomaticTypingAcquisition"], { cwd: project });
  const last = requests.length;
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`tsserver did not answer:\n${output}`));
    }, 60_000);
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of output.split("\n")) {
        if (!line.startsWith("{")) continue;
        const message = JSON.parse(line) as { type: string; request_seq?: number };
        if (message.type === "response" && message.request_seq === last) {
          clearTimeout(timer);
          child.kill();
          resolve(message as never);
        }
      }
    });
    requests.forEach((request, index) => child.stdin.write(`${JSON.stringify({ seq: index + 1, type: "request", ...request })}\n`));
  });
}

describe("automemo/typescript/language-service in tsserver", () => {
  it("tsserver loads the plugin from the project's node_modules and reports the diagnostics", { timeout: 90_000 }, async () => {
    const project = copyProject("tsserver");
    const config = JSON.parse(JSON.stringify(await import(join(fixtureProject, "tsconfig.json"), { with: { type: "json" } }))).default;
    config.compilerOptions.plugins = [{ name: "automemo/typescript/language-service", hashable: ["Decimal"] }];
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify(config));
    const file = join(project, "src/params.ts");
    const response = await askTsserver(project, [
      { command: "open", arguments: { file } },
      { command: "semanticDiagnosticsSync", arguments: { file } },
    ]);
    const found = response.body.map((diagnostic) => `src/params.ts:${diagnostic.start.line} ${diagnostic.category} ${/\((AUTOMEMO_[A-Z_]+)\)$/.exec(diagnostic.text)?.[1]}`).sort();
    expect(found).toEqual(expected.filter((line) => line.startsWith("src/params.ts:")));
  });
});
