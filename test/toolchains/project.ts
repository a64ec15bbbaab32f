/**
 * One throw-away project for the toolchain tests (Jest, webpack + babel-loader,
 * Next.js): a cached function that calls a helper in another file and reads an
 * installed package, with `persist: "disk"`, so a stale transform shows as an old
 * value or a missing recomputation. It lives under `.cache/toolchains/` in the
 * repository, so the toolchains resolve from the repository's node_modules; automemo
 * itself is a copy of `dist/` in the project's own node_modules, as an install would
 * put it (a symlink would make Jest transform automemo's own files).
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fencedBlocks } from "../support/markdown.ts";

export const repo = resolve(import.meta.dirname, "../..");

/** The helper before and after an edit, and a whitespace-only edit of the second (same code hash). */
export const HELPER = {
  first: "export function scale(n: number): number {\n  return n * 10;\n}\n",
  edited: "export function scale(n: number): number {\n  return n * 20;\n}\n",
  reformatted: "\n\nexport function scale(  n: number ): number {\n\n    return n *   20;   // doubled\n}\n",
};

const TOTAL = `import { appendFileSync } from "node:fs";
import { rate } from "tax-rates";
import { scale } from "./helper";

/** @memo { persist: "disk" } */
export function total(n: number): number {
  // One line per computation: a disk-cache hit adds none.
  appendFileSync(process.env.COMPUTE_LOG!, "computed\\n");
  return scale(n) + rate;
}
`;

/** Type annotations out, for a JavaScript project. */
function withoutTypes(code: string): string {
  return code.replace(/\(n: number\): number/g, "(n)").replace(/\( {2}n: number \): number/g, "(  n )").replace("COMPUTE_LOG!", "COMPUTE_LOG");
}

export class ToolchainProject {
  readonly dir: string;

  /** In `language` "js", the sources are `src/helper.js` and `src/total.js` (Next.js type-checks, and installs types, for TypeScript). */
  constructor(name: string, readonly language: "ts" | "js" = "ts") {
    const parent = join(repo, ".cache", "toolchains");
    mkdirSync(parent, { recursive: true });
    this.dir = mkdtempSync(join(parent, `${name}-`));
    if (!existsSync(join(repo, "dist", "jest.cjs"))) throw new Error("run `npm run build` first (npm test does)");
    cpSync(join(repo, "dist"), join(this.dir, "node_modules/automemo/dist"), { recursive: true });
    cpSync(join(repo, "package.json"), join(this.dir, "node_modules/automemo/package.json"));
    this.write("package.json", JSON.stringify({ name: `${name}-project`, private: true, version: "1.0.0" }));
    this.installRates("1.0.0");
    this.writeHelper(HELPER.first);
    this.write(`src/total.${language}`, language === "ts" ? TOTAL : withoutTypes(TOTAL));
  }

  get computeLog(): string {
    return join(this.dir, "computed.log");
  }

  /** How many times `total` has computed so far. */
  computations(): number {
    return existsSync(this.computeLog) ? readFileSync(this.computeLog, "utf8").split("\n").filter(Boolean).length : 0;
  }

  /** The imported package, at `version` (its code never changes: only a reinstall of another version). */
  installRates(version: string): void {
    this.write("node_modules/tax-rates/package.json", JSON.stringify({ name: "tax-rates", version, main: "index.js", types: "index.d.ts" }));
    this.write("node_modules/tax-rates/index.js", "exports.rate = 3;\n");
    this.write("node_modules/tax-rates/index.d.ts", "export declare const rate: number;\n");
  }

  /** Writes the helper the cached function calls (a `HELPER` version). */
  writeHelper(code: string): void {
    this.write(`src/helper.${this.language}`, this.language === "ts" ? code : withoutTypes(code));
  }

  write(path: string, text: string): void {
    mkdirSync(dirname(join(this.dir, path)), { recursive: true });
    writeFileSync(join(this.dir, path), text);
  }

  read(path: string): string {
    return readFileSync(join(this.dir, path), "utf8");
  }

  /** Runs `node <script> ...args` in the project; throws with the output when it fails. */
  node(script: string, args: readonly string[], env: Record<string, string> = {}): string {
    const result = spawnSync(process.execPath, [script, ...args], {
      cwd: this.dir,
      encoding: "utf8",
      env: { ...process.env, COMPUTE_LOG: this.computeLog, ...env },
      timeout: 240_000,
    });
    if (result.status !== 0) throw new Error(`${script} ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
    return result.stdout + result.stderr;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The code blocks of a docs page (or of its `section`, a heading line) whose fence
 * names a file (```js jest.config.js), by file name: the tests build exactly what
 * the page shows.
 */
export function docsFiles(page: string, section?: string): Map<string, string> {
  const blocks = fencedBlocks(readFileSync(join(repo, "docs", page), "utf8"), section);
  return new Map(blocks.filter((block) => /^[\w./-]+$/.test(block.label)).map((block) => [block.label, block.body]));
}
