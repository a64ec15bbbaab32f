/**
 * Every fenced code block of README.md still works, by one rule per kind of block:
 * - `ts`: type-checks (strict) against the package's own types, resolved the way a user's
 *   project resolves `automemo` (package.json "exports" to `dist/*.d.ts`), with the
 *   reader's own names of `PLACEHOLDERS` declared; then the text host transforms it and
 *   every tag in it applies (no diagnostic, one cached function per tag).
 * - `json`: parses.
 * - `sh`: every command (lines, and commands joined with `&&`) is one of
 *   - `npm install [packages]`: installs from the registry, so it is not run;
 *   - `npm <script>` / `npm run <script>`: the script exists in package.json (not run:
 *     they build and run the whole suite);
 *   - `npx automemo run <file>`: run in a throw-away project, twice, the second run served
 *     from the disk cache; with `--watch` it never exits, so only its flags are checked;
 *   - `npx automemo cache <command>`: run against that project's cache, exiting 0.
 *   A command none of these rules covers fails the test: add a rule for it.
 * - `text`: output samples and command synopses, never run.
 * A block of any other language fails the test.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planModule, transformSource } from "../../transformer/core/index.ts";
import { repo } from "../bundlers/sample-project.ts";
import { type FencedBlock, fencedBlocks } from "../support/markdown.ts";

const README = readFileSync(join(repo, "README.md"), "utf8");
const blocks = fencedBlocks(README);

/** Names README snippets use without declaring them: the reader's own types and functions. */
const PLACEHOLDERS = `interface Db {
  query(sql: string): Promise<unknown[]>;
}
declare function loadHugeModel(path: string): object;
declare function fetchRates(day: string): Promise<Record<string, number>>;
`;

/** The file `npx automemo run <file>` runs: what the README leaves to the reader. */
const SCRIPT = `/** @memo */
function square(n: number): number {
  console.log("computing", n);
  return n * n;
}
console.log("result", square(3), square(3));
`;

const CLI = join(repo, "dist", "cli.js");
const packageScripts = (JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

let project = "";

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error("run `npm run build` first (npm test does)");
  // Inside the repository, so the loader finds its type stripper (esbuild) as in a project that installed it.
  const parent = join(repo, "test", ".tmp");
  mkdirSync(parent, { recursive: true });
  project = mkdtempSync(join(parent, "readme-"));
  mkdirSync(join(project, "node_modules"));
  symlinkSync(repo, join(project, "node_modules", "automemo"), "dir");
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "readme-project", private: true, type: "module" }));
  writeFileSync(join(project, "placeholders.d.ts"), PLACEHOLDERS);
});

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

/** Tags at the start of a JSDoc line (`/** @memo` or ` * @memo`): each must become one cached function. */
function tagCount(code: string): number {
  return code.match(/(?:\/\*\*|^[ \t]*\*)[ \t]*@(?:memo|singleton)\b/gm)?.length ?? 0;
}

function typeErrors(files: readonly string[]): string[] {
  const program = ts.createProgram([join(project, "placeholders.d.ts"), ...files], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ["lib.es2023.d.ts", "lib.dom.d.ts"],
    types: [],
    skipLibCheck: true,
  });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const where = diagnostic.file ? `${diagnostic.file.fileName.slice(project.length + 1)}:${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1}` : "";
    return `${where} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`;
  });
}

function runCli(args: readonly string[]): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [CLI, ...args], { cwd: project, encoding: "utf8", timeout: 60_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** The commands of a shell block: one per line or `&&` part, comments and prompts dropped. */
function commandsOf(block: FencedBlock): string[] {
  return block.body
    .split("\n")
    .map((line) => line.replace(/\s#.*$/, "").trim())
    .flatMap((line) => line.split("&&").map((part) => part.trim()))
    .filter((command) => command !== "");
}

const byLanguage = (language: string): FencedBlock[] => blocks.filter((block) => block.language === language);

describe("README.md code blocks", () => {
  it("are all of a language with a rule", () => {
    expect(blocks.length).toBeGreaterThan(0);
    const unruled = blocks.filter((block) => !["ts", "json", "sh", "text"].includes(block.language));
    expect(unruled.map((block) => `${block.language || "(no language)"}: ${block.body.split("\n")[0]}`)).toEqual([]);
  });

  it("type-check (ts) against the package's types and transform, every tag applying", () => {
    const snippets = byLanguage("ts");
    expect(snippets.length).toBeGreaterThan(0);
    const files = snippets.map((block, index) => {
      const file = join(project, `snippet-${index + 1}.ts`);
      // `export {}` keeps each snippet a module of its own, so their names never collide.
      writeFileSync(file, `${block.body}\nexport {};\n`);
      return file;
    });
    expect(typeErrors(files)).toEqual([]);
    for (const [index, block] of snippets.entries()) {
      const options = { filename: files[index]!, root: project, dependencyCache: false } as const;
      expect(planModule(block.body, options).diagnostics).toEqual([]);
      expect(planModule(block.body, options).functions).toHaveLength(tagCount(block.body));
      if (tagCount(block.body) > 0) expect(transformSource(block.body, options)?.code).toContain("cacheHandle");
    }
  });

  it("parse (json)", () => {
    for (const block of byLanguage("json")) expect(() => JSON.parse(block.body)).not.toThrow();
  });

  it("run, or are covered by a stated rule (sh)", () => {
    const commands = byLanguage("sh").flatMap(commandsOf);
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) {
      const words = command.split(/\s+/);
      if (words[0] === "npm" && (words[1] === "install" || words[1] === "i")) continue;
      if (words[0] === "npm") {
        const script = words[1] === "run" ? words[2] : words[1];
        expect(packageScripts, command).toHaveProperty([script!]);
        continue;
      }
      expect(words.slice(0, 2), `no rule covers \`${command}\``).toEqual(["npx", "automemo"]);
      const args = words.slice(2);
      if (args[0] === "run") {
        const file = args.at(-1)!;
        writeFileSync(join(project, file), SCRIPT);
        if (args.includes("--watch")) {
          expect(args.slice(1, -1).every((flag) => ["--watch", "--quiet", "--no-persist"].includes(flag)), command).toBe(true);
          continue;
        }
        const first = runCli(args);
        expect(first.status, first.output).toBe(0);
        expect(first.output).toContain("computing 3");
        const second = runCli(args);
        expect(second.status, second.output).toBe(0);
        expect(second.output).toContain("result 9 9");
        expect(second.output).not.toContain("computing");
        continue;
      }
      expect(args[0], `no rule covers \`${command}\``).toBe("cache");
      const run = runCli(args);
      expect(run.status, `${command}\n${run.output}`).toBe(0);
    }
  });
});
