/**
 * `automemo run` end to end with the built CLI (disk cache on by default, --no-persist,
 * --quiet, --watch reruns in the same process), plus its argument parsing and summary.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseRunArgs } from "../../cli/run/args.ts";
import { activityBetween, formatSummary, type ActivitySnapshot, type FunctionActivity } from "../../cli/run/summary.ts";
import { waitUntil } from "../support/wait.ts";

const repo = resolve(import.meta.dirname, "../..");
const cli = join(repo, "dist/cli.js");

const STABLE_TS = `/** @memo */
export function stable(n: number): number {
  console.log("computing stable");
  return n + 1;
}
`;
const EDITED_TS = `/** @memo */
export function edited(n: number): number {
  console.log("computing edited");
  return n * 2;
}
`;
const MAIN_TS = `import { stable } from "./stable.js";
import { edited } from "./edited.js";

console.log(\`values \${stable(2)} \${edited(2)} \${stable(2)}\`);
`;

function writeProject(name: string, overrides: Record<string, string> = {}): string {
  const root = join(repo, "test/.tmp/run", name);
  rmSync(root, { recursive: true, force: true });
  for (const [path, text] of Object.entries({ "main.ts": MAIN_TS, "stable.ts": STABLE_TS, "edited.ts": EDITED_TS, ...overrides })) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  // A package.json of its own hides the repository's, through which `automemo` resolves to itself.
  if (overrides["package.json"]) {
    mkdirSync(join(root, "node_modules"));
    symlinkSync(repo, join(root, "node_modules/automemo"), "dir");
  }
  return root;
}

function runCli(root: string, args: string[]) {
  const run = spawnSync(process.execPath, [cli, "run", ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, AUTOMEMO_CACHE_DIR: join(root, ".automemo-cache") },
  });
  expect(run.status, run.stderr).toBe(0);
  return run;
}

describe("automemo run (built CLI)", () => {
  beforeAll(() => {
    expect(existsSync(cli), "run `npm run build` first (npm test does)").toBe(true);
  });

  it("answers the second run from the disk store by default, in a new process", () => {
    const root = writeProject("persist");
    const first = runCli(root, ["main.ts"]);
    expect(first.stdout).toBe("computing stable\ncomputing edited\nvalues 3 4 3\n");
    expect(first.stderr).toMatch(/miss +stable\.ts#stable +1 hit, 1 computed in \d/);
    const second = runCli(root, ["main.ts"]);
    expect(second.stdout).toBe("values 3 4 3\n");
    expect(second.stderr).toMatch(/stable\.ts#stable +1 hit, 1 from disk/);
  });

  it("prints why each miss happened with --explain, and the main reason in the summary", () => {
    const root = writeProject("explain", {
      "rows.ts": `/** @memo */\nexport function loadRows(table: string): string {\n  return table.toUpperCase();\n}\n`,
      "main.ts": `import { loadRows } from "./rows.js";\nconsole.log(loadRows("users"), loadRows("orders"), loadRows("admins"));\n`,
    });
    const run = runCli(root, ["--no-persist", "--explain", "main.ts"]);
    expect(run.stderr).toContain(`[automemo] miss rows.ts#loadRows: first call\n[automemo] miss rows.ts#loadRows: new arguments (table: "users" → "orders")\n`);
    expect(run.stderr).toMatch(/miss +rows\.ts#loadRows +3 computed in \d+ ms, .*missed: new arguments/);
    expect(runCli(root, ["--no-persist", "main.ts"]).stderr).not.toContain("[automemo] miss");
  });

  it("keeps a store a tag names with --no-persist", () => {
    const root = writeProject("persist-tagged", { "stable.ts": STABLE_TS.replace("/** @memo */", '/** @memo { persist: "disk" } */') });
    runCli(root, ["--no-persist", "main.ts"]);
    const second = runCli(root, ["--no-persist", "main.ts"]);
    expect(second.stdout).toBe("computing edited\nvalues 3 4 3\n");
  });

  it("asks the runtime for disk persistence by default (AUTOMEMO_DEFAULT_PERSIST), and not with --no-persist", () => {
    const root = writeProject("persist-default", { "env.ts": "console.log(`persist=${process.env.AUTOMEMO_DEFAULT_PERSIST}`);\n" });
    expect(runCli(root, ["--quiet", "env.ts"]).stdout).toBe("persist=disk\n");
    expect(runCli(root, ["--quiet", "--no-persist", "env.ts"]).stdout).toBe("persist=undefined\n");
  });

  it("reports after work the script did not await (the summary waits for the event loop to drain)", () => {
    const root = writeProject("unawaited", {
      "later.ts": 'import { stable } from "./stable.js";\n\nsetTimeout(() => console.log(`later ${stable(1)} ${stable(1)}`), 50);\n',
    });
    const run = runCli(root, ["--no-persist", "later.ts"]);
    expect(run.stdout).toBe("computing stable\nlater 2 2\n");
    expect(run.stderr).toMatch(/miss +stable\.ts#stable +1 hit, 1 computed in \d+ ms/);
  });

  it("keeps results in memory only with --no-persist, and prints no summary with --quiet", () => {
    const root = writeProject("no-persist");
    runCli(root, ["--no-persist", "main.ts"]);
    const second = runCli(root, ["--no-persist", "--quiet", "main.ts"]);
    expect(second.stdout).toBe("computing stable\ncomputing edited\nvalues 3 4 3\n");
    expect(second.stderr).toBe("");
  });

  describe("--watch", () => {
    let child: ChildProcess | undefined;
    afterEach(() => {
      child?.kill();
    });

    /** Starts `automemo run --watch --no-persist <script>` in `root`; `waitFor` resolves once stdout matches. */
    function startWatching(root: string, script: string) {
      child = spawn(process.execPath, [cli, "run", "--watch", "--no-persist", script], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
      const output = { stdout: "", stderr: "" };
      child.stdout!.on("data", (chunk: Buffer) => (output.stdout += chunk));
      child.stderr!.on("data", (chunk: Buffer) => (output.stderr += chunk));
      const waitFor = (pattern: RegExp) =>
        waitUntil(() => pattern.test(output.stdout), () => `stdout matches ${pattern}\nstdout:\n${output.stdout}\nstderr:\n${output.stderr}`, { timeoutMs: 20_000, everyMs: 50 });
      return { output, waitFor };
    }

    it("reruns in the same process on save; only the edited function recomputes", async () => {
      const root = writeProject("watch");
      const { output, waitFor } = startWatching(root, "main.ts");

      await waitFor(/values 3 4 3\n/);
      expect(output.stdout).toBe("computing stable\ncomputing edited\nvalues 3 4 3\n");
      const edited = join(root, "edited.ts");
      writeFileSync(edited, readFileSync(edited, "utf8").replace("n * 2", "n * 5"));
      await waitFor(/values 3 10 3\n/);
      expect(output.stdout).toBe("computing stable\ncomputing edited\nvalues 3 4 3\ncomputing edited\nvalues 3 10 3\n");
      expect(output.stderr).toContain("edited.ts changed, rerunning");
    });

    it("reruns when only a helper changes, also outside the script's folder, and the function using it recomputes", async () => {
      const root = writeProject("watch-helper", {
        "lib/rate.ts": "export function rate(): number {\n  return 2;\n}\n",
        "lib/price.ts": `import { rate } from "./rate.ts";\n\n/** @memo */\nexport function price(n: number): number {\n  console.log("computing price");\n  return n * rate();\n}\n`,
        "scripts/main.ts": `import { price } from "../lib/price.ts";\n\nconsole.log(\`price \${price(5)} \${price(5)}\`);\n`,
      });
      const { output, waitFor } = startWatching(root, "scripts/main.ts");

      await waitFor(/price 10 10\n/);
      const rate = join(root, "lib/rate.ts");
      writeFileSync(rate, readFileSync(rate, "utf8").replace("return 2;", "return 3;"));
      await waitFor(/price 15 15\n/);
      expect(output.stdout).toBe("computing price\nprice 10 10\ncomputing price\nprice 15 15\n");
      expect(output.stderr).toContain("rate.ts changed, rerunning");
    });
  });
});

/** Saves the way vim, JetBrains IDEs and `sed -i` do: write a temporary file, rename it over the original. */
function renameSave(file: string, edit: (text: string) => string): void {
  const temporary = join(dirname(file), `.${Date.now()}.tmp`);
  writeFileSync(temporary, edit(readFileSync(file, "utf8")));
  renameSync(temporary, file);
}

describe("automemo run --watch with editors' saves (rename over, delete and re-create, new folders)", () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill();
  });

  /** `automemo run --watch --no-persist main.ts` in `root`; `waitFor` resolves once stdout matches. */
  function startWatching(root: string) {
    child = spawn(process.execPath, [cli, "run", "--watch", "--no-persist", "main.ts"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    const output = { stdout: "", stderr: "" };
    child.stdout!.on("data", (chunk: Buffer) => (output.stdout += chunk));
    child.stderr!.on("data", (chunk: Buffer) => (output.stderr += chunk));
    const waitFor = (pattern: RegExp, stream: "stdout" | "stderr" = "stdout") =>
      waitUntil(() => pattern.test(output[stream]), () => `${stream} matches ${pattern}\nstdout:\n${output.stdout}\nstderr:\n${output.stderr}`, {
        timeoutMs: 20_000,
        everyMs: 50,
      });
    return { output, waitFor };
  }

  it.each(["module", "commonjs"])("reruns after each of three rename-saves in a row, recomputing only the edited function (%s package)", async (type) => {
    const root = writeProject(`watch-rename-${type}`, { "package.json": JSON.stringify({ type }) });
    const { output, waitFor } = startWatching(root);
    await waitFor(/values 3 4 3\n/);
    let expected = "computing stable\ncomputing edited\nvalues 3 4 3\n";
    for (const factor of [5, 6, 7]) {
      renameSave(join(root, "edited.ts"), (text) => text.replace(/n \* \d+/, `n * ${factor}`));
      await waitFor(new RegExp(`values 3 ${2 * factor} 3\\n`));
      expected += `computing edited\nvalues 3 ${2 * factor} 3\n`;
      expect(output.stdout).toBe(expected);
    }
    expect(output.stderr).not.toContain("no cached function was called");
  });

  it("follows a file that is deleted and created again", async () => {
    const root = writeProject("watch-recreate");
    const { output, waitFor } = startWatching(root);
    await waitFor(/values 3 4 3\n/);
    const edited = join(root, "edited.ts");
    const text = readFileSync(edited, "utf8");
    unlinkSync(edited);
    await waitFor(/edited\.ts changed, rerunning[\s\S]*(Cannot find module|ERR_MODULE_NOT_FOUND)/, "stderr");
    writeFileSync(edited, text.replace("n * 2", "n * 9"));
    await waitFor(/values 3 18 3\n/);
    expect(output.stdout).toBe("computing stable\ncomputing edited\nvalues 3 4 3\ncomputing edited\nvalues 3 18 3\n");
  });

  it("watches a file in a folder created after it started, once the script imports it", async () => {
    const root = writeProject("watch-new-folder");
    const { output, waitFor } = startWatching(root);
    await waitFor(/values 3 4 3\n/);
    mkdirSync(join(root, "plugins/extra"), { recursive: true });
    writeFileSync(join(root, "plugins/extra/tax.ts"), `/** @memo */\nexport function tax(n: number): number {\n  console.log("computing tax");\n  return n + 100;\n}\n`);
    renameSave(join(root, "main.ts"), (text) => `import { tax } from "./plugins/extra/tax.js";\n${text}console.log(\`tax \${tax(1)}\`);\n`);
    await waitFor(/tax 101\n/);
    renameSave(join(root, "plugins/extra/tax.ts"), (text) => text.replace("n + 100", "n + 200"));
    await waitFor(/tax 201\n/);
    expect(output.stdout).toBe(
      "computing stable\ncomputing edited\nvalues 3 4 3\nvalues 3 4 3\ncomputing tax\ntax 101\nvalues 3 4 3\ncomputing tax\ntax 201\n",
    );
  });
});

describe("run arguments", () => {
  it("takes flags before or after the script and hands the rest to the script", () => {
    expect(parseRunArgs(["--watch", "a.ts", "--quiet", "x", "--flag"])).toEqual({
      script: "a.ts",
      scriptArgs: ["x", "--flag"],
      watch: true,
      quiet: true,
      persist: true,
      explain: false,
    });
    expect(parseRunArgs(["a.ts", "--explain"])).toMatchObject({ script: "a.ts", explain: true });
    expect(parseRunArgs(["--no-persist", "--", "a.ts", "-q"])).toMatchObject({ script: "a.ts", scriptArgs: ["-q"], persist: false, quiet: false });
  });

  it("rejects unknown options and a missing script with the usage", () => {
    expect(() => parseRunArgs(["--wtach", "a.ts"])).toThrow(/\[automemo\] Unknown option '--wtach'[\s\S]*Usage: automemo run/);
    expect(() => parseRunArgs([])).toThrow(/needs the script/);
  });
});

describe("run summary", () => {
  const activity = (id: string, counters: Partial<FunctionActivity>): FunctionActivity => ({
    id,
    hits: 0,
    misses: 0,
    storeHits: undefined,
    computeMs: undefined,
    ...counters,
  });
  const snapshot = (...entries: [hash: string, FunctionActivity][]): ActivitySnapshot => new Map(entries.map(([hash, entry]) => [`${entry.id}\n${hash}`, entry]));

  it("reports only the functions called between two snapshots", () => {
    const before = snapshot(["1", activity("a.ts#f", { hits: 1, misses: 1 })], ["1", activity("a.ts#g", { misses: 2 })]);
    const after = snapshot(["1", activity("a.ts#f", { hits: 4, misses: 1 })], ["1", activity("a.ts#g", { misses: 2 })], ["1", activity("b.ts#h", { misses: 1 })]);
    expect(activityBetween(before, after).map((entry) => [entry.id, entry.hits, entry.misses])).toEqual([
      ["a.ts#f", 3, 0],
      ["b.ts#h", 0, 1],
    ]);
  });

  it("counts an edited function's new version (a new handle replacing the old one)", () => {
    const before = snapshot(["old", activity("a.ts#f", { misses: 1 })]);
    const after = snapshot(["new", activity("a.ts#f", { misses: 1 })]);
    expect(activityBetween(before, after)).toMatchObject([{ id: "a.ts#f", hits: 0, misses: 1 }]);
  });

  it("estimates the time saved from the average computation when the runtime reports compute time", () => {
    const totals = snapshot(["1", activity("a.ts#f", { hits: 3, misses: 2, storeHits: 0, computeMs: 3000 })]);
    const text = formatSummary([activity("a.ts#f", { hits: 3, misses: 0, storeHits: 0, computeMs: 0 })], totals, 20);
    expect(text).toContain("about 4.50 s saved by hits");
    expect(text).toMatch(/hit +a\.ts#f +3 hits/);
    expect(formatSummary([activity("a.ts#f", { hits: 1 })], snapshot(["1", activity("a.ts#f", { hits: 1 })]), 5)).not.toContain("saved");
  });

  it("tells disk hits from computations when the runtime counts store hits, and says 'miss' when it does not", () => {
    const known = activity("a.ts#f", { hits: 1, misses: 3, storeHits: 2, computeMs: 1500, store: "disk" });
    expect(formatSummary([known], snapshot(["1", known]), 5)).toMatch(/miss +a\.ts#f +1 hit, 2 from disk, 1 computed in 1\.50 s/);
    const shared = activity("a.ts#f", { hits: 1, misses: 3, storeHits: 3, computeMs: 0, store: "redis" });
    expect(formatSummary([shared], snapshot(["1", shared]), 5)).toMatch(/hit +a\.ts#f +1 hit, 3 from redis$/m);
    const unknown = activity("a.ts#f", { hits: 1, misses: 3 });
    expect(formatSummary([unknown], snapshot(["1", unknown]), 5)).toMatch(/miss +a\.ts#f +1 hit, 3 misses$/m);
  });

  it("names the main miss reason when misses were explained", () => {
    const explained: FunctionActivity = { id: "a.ts#f", hits: 0, misses: 2, storeHits: 0, computeMs: 4, mainMissReason: "code changed" };
    expect(formatSummary([explained], snapshot(["1", explained]), 5)).toMatch(/miss +a\.ts#f +2 computed in 4 ms, missed: code changed$/m);
  });

  it("says a disk hit is a hit, counts in English, and leaves out savings under a millisecond", () => {
    const fromDisk = activity("a.ts#f", { hits: 0, misses: 1, storeHits: 1, computeMs: 0, store: "disk" });
    const text = formatSummary([fromDisk], snapshot(["1", fromDisk]), 5);
    expect(text).toMatch(/hit +a\.ts#f +1 hit from disk$/m);
    expect(text).not.toContain("0 hits");
    const cheap = activity("a.ts#g", { hits: 2, misses: 1, storeHits: 0, computeMs: 0.01 });
    expect(formatSummary([cheap], snapshot(["1", cheap]), 5)).not.toContain("saved");
    const once = activity("a.ts#h", { hits: 0, misses: 1, storeHits: 0, computeMs: 2 });
    expect(formatSummary([once], snapshot(["1", once]), 5)).toMatch(/miss +a\.ts#h +1 computed in 2 ms$/m);
  });

  it("shows stale answers and background refreshes (staleWhileRevalidate / staleIfError)", () => {
    const before = snapshot(["1", activity("a.ts#f", { hits: 1, misses: 1, storeHits: 0, computeMs: 1, staleHits: 0, refreshes: 0, refreshErrors: 0 })]);
    const after = snapshot(["1", activity("a.ts#f", { hits: 1, misses: 1, storeHits: 0, computeMs: 1, staleHits: 3, refreshes: 2, refreshErrors: 1 })]);
    const [delta] = activityBetween(before, after);
    expect(delta).toMatchObject({ hits: 0, misses: 0, staleHits: 3, refreshes: 2, refreshErrors: 1 });
    expect(formatSummary([delta], after, 5)).toMatch(/a\.ts#f +0 hits, 3 stale, 2 refreshes \(1 failed\)$/m);
  });

  it("shows the memory each function's entries hold, and the total", () => {
    const big = activity("a.ts#big", { hits: 1, misses: 1, storeHits: 0, computeMs: 1, bytes: 3 * 1024 * 1024 });
    const small = activity("a.ts#small", { hits: 0, misses: 2, storeHits: 0, computeMs: 1, bytes: 512 });
    const text = formatSummary([big, small], snapshot(["1", big], ["1", small]), 5);
    expect(text).toMatch(/a\.ts#big +1 hit, 1 computed in 1 ms, 3\.0 MB held$/m);
    expect(text).toMatch(/a\.ts#small +2 computed in 1 ms, 512 B held$/m);
    expect(text.split("\n")[0]).toMatch(/, 3\.0 MB held in memory$/);
  });
});
