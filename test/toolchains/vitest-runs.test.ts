/**
 * Vitest with the configs of docs/vitest.md taken literally, in processes of their own:
 * `vitest run` again and again with the experimental module cache on (a fresh process
 * per run, as in CI), and `vitest watch` rerunning after each helper edit.
 *
 * Vitest embeds no bundle to read the hash from, so the outcome's `hash` is the list
 * of code versions the disk cache holds for `price` (one directory per code hash): the
 * same list means no new hash was used, a longer one means a new one was.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "vitest";
import { type BuildOutcome, expectCacheFollowsHelpers, repo, writeToolchainProject } from "./bundler-project.ts";
import { configsFromDocs } from "./docs-configs.ts";
import { waitUntil } from "../support/wait.ts";

const VITEST = join(repo, "node_modules/vitest/vitest.mjs");
const RUNS_TIMEOUT_MS = 300_000;

const PRICE_TEST = `import { test } from "vitest";
import { computed, price } from "./price";

test("price", () => {
  console.log(JSON.stringify({ value: price(5), computed: computed.length }));
});
`;

function project(name: string): string {
  return writeToolchainProject(name, "ts", { ...configsFromDocs("vitest.md", ["vitest.config.ts", "vitest.fs-cache.config.ts"]), "src/price.test.ts": PRICE_TEST });
}

/** The code versions (hash directories) the disk cache holds, sorted. */
function codeVersions(root: string): string {
  const cache = join(root, ".memo-cache");
  if (!existsSync(cache)) return "";
  return readdirSync(cache)
    .flatMap((fn) => (existsSync(join(cache, fn)) ? readdirSync(join(cache, fn)).filter((entry) => entry.startsWith("v-")) : []))
    .sort()
    .join(",");
}

const OUTCOME_LINE = /\{"value":\d+,"computed":\d+\}/g;

/** The outer Vitest's variables left out, so the child is a Vitest of its own. */
function env(root: string): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("VITEST") && name !== "NODE_ENV"));
  return { ...inherited, AUTOMEMO_CACHE_DIR: join(root, ".memo-cache"), NO_COLOR: "1" };
}

describe("vitest (docs/vitest.md)", () => {
  it("vitest run, with the experimental module cache: each run uses the current helpers and package versions", async () => {
    const root = project("vitest-run");
    await expectCacheFollowsHelpers(root, async (): Promise<BuildOutcome> => {
      const out = execFileSync(process.execPath, [VITEST, "run", "--config", "vitest.fs-cache.config.ts"], { cwd: root, encoding: "utf8", env: env(root) });
      const run = JSON.parse(out.match(OUTCOME_LINE)!.at(-1)!) as Omit<BuildOutcome, "hash">;
      return { hash: codeVersions(root), ...run };
    });
  }, RUNS_TIMEOUT_MS);

  it("vitest watch: reruns after a helper edit use the new code hash", async () => {
    const root = project("vitest-watch");
    const child = spawn(process.execPath, [VITEST, "watch", "--config", "vitest.config.ts"], { cwd: root, env: env(root), stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    let seen = 0;
    try {
      await expectCacheFollowsHelpers(
        root,
        async () => {
          await waitUntil(() => (output.match(OUTCOME_LINE)?.length ?? 0) > seen, () => `vitest watch prints run ${seen + 1}; output so far:\n${output}`, { timeoutMs: 120_000 });
          const lines = output.match(OUTCOME_LINE)!;
          seen = lines.length;
          return { hash: codeVersions(root), ...(JSON.parse(lines.at(-1)!) as Omit<BuildOutcome, "hash">) };
        },
        // Vite does not watch node_modules: a reinstall needs a restart (the test above covers the bump).
        { packageBump: false },
      );
    } finally {
      child.kill();
    }
  }, RUNS_TIMEOUT_MS);
});
