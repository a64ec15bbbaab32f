/**
 * The project every bundler cache test builds, and the one scenario they all run.
 *
 * `src/price.ts` holds `@memo { persist: "disk" }` `price(n)`, which calls `rate()` from
 * `src/helper.ts` and reads `vat` from the package `tax-rates` (in the project's own
 * node_modules). `src/main.ts` prints the result and how many times `price` really ran.
 * automemo itself is installed as a user would have it: `node_modules/automemo` holds
 * the package's `package.json` and built `dist/` (run `npm run build` first), so the
 * docs' configs import `automemo/<bundler>` literally.
 *
 * The scenario (`expectCacheFollowsHelpers`): build with the tool's cache on and run →
 * a whitespace-only edit of the helper → build, run: same code hash, nothing recomputes →
 * a real edit of the helper → build, run: new hash, recomputed with the new value →
 * a version bump of `tax-rates` → build, run: new hash, recomputed.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { expect } from "vitest";
import { repo } from "../bundlers/sample-project.ts";

export { repo };

/** One `build and run` of the project: the code hash the output embeds for `price`, and what running it printed. */
export interface BuildOutcome {
  readonly hash: string;
  readonly value: number;
  /** How many times `price` ran (0: served from the disk cache). */
  readonly computed: number;
}

export type SourceLanguage = "ts" | "js";

const HELPER = `export function rate() {
  return 2;
}
`;

/** Same tokens as HELPER: only blank lines and indentation differ. */
const HELPER_WHITESPACE_EDIT = `export function rate() {

    return 2;

}
`;

const HELPER_LOGIC_EDIT = `export function rate() {
  return 3;
}
`;

function priceSource(language: SourceLanguage): string {
  const types = language === "ts";
  const imports = types ? `import { vat } from "tax-rates";\nimport { rate } from "./helper";` : `import { vat } from "tax-rates";\nimport { rate } from "./helper.js";`;
  return `${imports}

export const computed${types ? ": number[]" : ""} = [];

/** @memo { persist: "disk" } */
export function price(n${types ? ": number" : ""})${types ? ": number" : ""} {
  computed.push(n);
  return n * rate() + vat;
}
`;
}

function mainSource(language: SourceLanguage): string {
  return `import { computed, price } from "./price${language === "ts" ? "" : ".js"}";

console.log(JSON.stringify({ value: price(5), computed: computed.length }));
`;
}

function taxRatesManifest(version: string): string {
  return `${JSON.stringify({ name: "tax-rates", version, type: "module", main: "index.js", types: "index.d.ts" }, null, 2)}\n`;
}

/** The value `price(5)` returns with the original helper, and after the real edit. */
export const VALUE_BEFORE = 20;
const VALUE_AFTER = 25;

/**
 * Writes a fresh project into test/.tmp/toolchains/<name> and returns its root.
 * `files` adds or replaces files (configs, tsconfig.json).
 */
export function writeToolchainProject(name: string, language: SourceLanguage, files: Record<string, string> = {}): string {
  expect(existsSync(join(repo, "dist/vite.js")), "run `npm run build` first: the project installs automemo from dist/").toBe(true);
  const root = join(repo, "test/.tmp/toolchains", name);
  rmSync(root, { recursive: true, force: true });
  const all: Record<string, string> = {
    [`src/helper.${language}`]: HELPER,
    [`src/price.${language}`]: priceSource(language),
    [`src/main.${language}`]: mainSource(language),
    "node_modules/tax-rates/package.json": taxRatesManifest("1.0.0"),
    "node_modules/tax-rates/index.js": "export const vat = 10;\n",
    "node_modules/tax-rates/index.d.ts": "export declare const vat: number;\n",
    "package.json": `${JSON.stringify({ name: name.replaceAll("/", "-"), private: true, type: "module" }, null, 2)}\n`,
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const installed = join(root, "node_modules/automemo");
  cpSync(join(repo, "dist"), join(installed, "dist"), { recursive: true });
  cpSync(join(repo, "package.json"), join(installed, "package.json"));
  return root;
}

/** Where the project's helper lives. */
function helperFile(root: string): string {
  return existsSync(join(root, "src/helper.ts")) ? join(root, "src/helper.ts") : join(root, "src/helper.js");
}

function editHelper(root: string, edit: "whitespace" | "logic"): void {
  writeFileSync(helperFile(root), edit === "whitespace" ? HELPER_WHITESPACE_EDIT : HELPER_LOGIC_EDIT);
}

function bumpTaxRates(root: string): void {
  writeFileSync(join(root, "node_modules/tax-rates/package.json"), taxRatesManifest("1.0.1"));
}

/** The code hash emitted for the (one) cached function in `code`, minified or not. */
export function embeddedHash(code: string): string {
  const match = /hash:\s*"([0-9a-f]+)"/.exec(code);
  expect(match, "the output embeds a code hash (was the file transformed?)").not.toBeNull();
  return match![1]!;
}

/** Runs a built bundle in a child process with the project's disk cache. */
function runBuilt(root: string, file: string): Omit<BuildOutcome, "hash"> {
  const out = execFileSync(process.execPath, [file], { cwd: root, encoding: "utf8", env: { ...process.env, AUTOMEMO_CACHE_DIR: join(root, ".memo-cache") } });
  return JSON.parse(out) as Omit<BuildOutcome, "hash">;
}

/** Builds `file` (relative to root) and returns hash + run of it: the usual `buildAndRun` for tools that write a bundle. */
export function outcomeOf(root: string, file: string): BuildOutcome {
  const path = join(root, file);
  return { hash: embeddedHash(readFileSync(path, "utf8")), ...runBuilt(root, path) };
}

export interface ScenarioOptions {
  /** Also bump the package's version (tools that do not watch node_modules see it only after a restart). Default true. */
  readonly packageBump?: boolean;
  /**
   * Check how often `price` ran. Default true. Off where the function runs in the test's
   * own process (Vite's `ssrLoadModule`): the runtime's in-memory entries are shared by
   * every project loaded there, so there the hash (which keys every entry) is what counts.
   */
  readonly countComputations?: boolean;
}

/**
 * The scenario every toolchain test runs. `buildAndRun` builds (or rebuilds, or
 * reloads) with the tool's own cache on and returns what came out.
 */
export async function expectCacheFollowsHelpers(root: string, buildAndRun: () => Promise<BuildOutcome>, options: ScenarioOptions = {}): Promise<void> {
  const counted = options.countComputations === false ? ({ hash, value }: BuildOutcome) => ({ hash, value }) : (outcome: BuildOutcome) => outcome;
  const expectRun = (outcome: BuildOutcome, expected: Omit<BuildOutcome, "hash">, message: string) =>
    expect(counted({ hash: outcome.hash, ...expected }), message).toEqual(counted(outcome));

  const first = await buildAndRun();
  expectRun(first, { value: VALUE_BEFORE, computed: 1 }, "first build");

  editHelper(root, "whitespace");
  const afterWhitespace = await buildAndRun();
  expect(afterWhitespace.hash, "a whitespace-only helper edit keeps the hash").toBe(first.hash);
  expectRun(afterWhitespace, { value: VALUE_BEFORE, computed: 0 }, "a whitespace-only helper edit keeps the cached value");

  editHelper(root, "logic");
  const afterEdit = await buildAndRun();
  expect(afterEdit.hash, "a helper edit changes the code hash").not.toBe(first.hash);
  expectRun(afterEdit, { value: VALUE_AFTER, computed: 1 }, "a helper edit recomputes");

  if (options.packageBump === false) return;
  bumpTaxRates(root);
  const afterBump = await buildAndRun();
  expect(afterBump.hash, "a package version bump changes the code hash").not.toBe(afterEdit.hash);
  expectRun(afterBump, { value: VALUE_AFTER, computed: 1 }, "a package version bump recomputes");
}
