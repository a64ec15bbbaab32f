/**
 * Bun (runtime plugin and Bun.build), Deno (in-thread module hooks) and Rolldown / tsdown,
 * each set up literally as its docs page says: a tagged function really hits the cache, its
 * results persist on disk across runs, a helper edit in another file recomputes, a
 * whitespace-only edit does not; watch modes follow an edit; and a result cached by one host
 * is a hit in the others (same ids and code hashes everywhere).
 */
import { execFileSync, spawn } from "node:child_process";
import { readdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { node24OrSkip } from "../support/node24.ts";
import { bunOrSkip, denoOrSkip } from "../support/runtimes.ts";
import { waitUntil } from "../support/wait.ts";
import { RedisServer } from "../stores/helpers/redis-server.ts";
import { redisTestsEnabled } from "../stores/helpers/redis-tests.ts";
import {
  docsBlock,
  editHelper,
  execInProject,
  expectCacheFollowsTheCode,
  expectComputed,
  expectFromDisk,
  repo,
  runProject,
  writeRuntimeProject,
  type ProjectRun,
} from "./runtime-project.ts";

const rolldownCli = join(repo, "node_modules/.bin/rolldown");
const tsdownCli = join(repo, "node_modules/tsdown/dist/run.mjs");

/** `deno ...` command lines of docs/deno.md's run block, as argument lists. */
function denoCommands(): string[][] {
  return docsBlock("deno.md", "run")
    .trim()
    .split("\n")
    .map((line) => line.split(/\s+/).slice(1));
}

/**
 * Runs a watching process and returns the JSON lines it prints, as they come. The process is
 * killed (with its children) by the returned `stop`.
 */
function watchProject(root: string, command: string, args: readonly string[]) {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, AUTOMEMO_CACHE_DIR: join(root, ".automemo-cache"), NO_COLOR: "1" },
    detached: true,
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const runs = (): ProjectRun[] =>
    output
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as ProjectRun);
  const nextRun = async (count: number): Promise<ProjectRun> => {
    await waitUntil(() => runs().length >= count, () => `run ${count} of \`${command} ${args.join(" ")}\`; output so far:\n${output}`, { timeoutMs: 20_000 });
    return runs()[count - 1]!;
  };
  const stop = () => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  };
  return { nextRun, stop };
}

/** Watchers notice edits by modification time; editors save a second or more apart. */
const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe("Bun", () => {
  it("bun run with the preload from docs/bun.md follows the code, with results on disk", (context) => {
    const bun = bunOrSkip(context);
    const root = writeRuntimeProject("bun-run", { "bunfig.toml": docsBlock("bun.md", "bunfig.toml") });
    expectCacheFollowsTheCode(root, () => runProject(root, bun, ["run", "src/entry.ts"]));
  });

  it("bun test runs tests through the cache", (context) => {
    const bun = bunOrSkip(context);
    const root = writeRuntimeProject("bun-test", {
      "bunfig.toml": docsBlock("bun.md", "bunfig.toml"),
      "src/math.test.ts": `import { expect, test } from "bun:test";
import { stats } from "automemo";
import { scaled } from "./math.ts";

test("a repeated call is a hit", () => {
  expect(scaled(5)).toBe(scaled(5));
  expect(stats(scaled)).toMatchObject({ hits: 1, misses: 1 });
  console.log(JSON.stringify({ results: [scaled(3)], computations: 0, stats: stats(scaled) }));
});
`,
    });
    const run = runProject(root, bun, ["test"]);
    expect(run.stats).toMatchObject({ hits: 1, misses: 2 });
  });

  it("Bun.build with docs/bun.md's build script follows the code", (context) => {
    const bun = bunOrSkip(context);
    const root = writeRuntimeProject("bun-build", { "build.ts": docsBlock("bun.md", "build.ts") });
    expectCacheFollowsTheCode(root, () => {
      execInProject(root, bun, ["run", "build.ts"]);
      return runProject(root, bun, ["out/entry.js"]);
    });
  });

  it("bun --watch reruns with the new code hash after a helper edit", async (context) => {
    const bun = bunOrSkip(context);
    const root = writeRuntimeProject("bun-watch", { "bunfig.toml": docsBlock("bun.md", "bunfig.toml") });
    const watcher = watchProject(root, bun, ["--watch", "src/entry.ts"]);
    try {
      expectComputed(await watcher.nextRun(1), 2);
      await pause(1_100);
      editHelper(root, (text) => text.replace("return 2;", "return 3;"));
      expectComputed(await watcher.nextRun(2), 3);
      await pause(1_100);
      editHelper(root, (text) => text.replace("return 3;", "return   3 ;"));
      expectFromDisk(await watcher.nextRun(3), 3);
    } finally {
      watcher.stop();
    }
  });

  it("bun test --watch reruns the tests with the new code hash after a helper edit", async (context) => {
    const bun = bunOrSkip(context);
    const root = writeRuntimeProject("bun-test-watch", {
      "bunfig.toml": docsBlock("bun.md", "bunfig.toml"),
      "src/math.test.ts": `import { test } from "bun:test";
import * as math from "./math.ts";

test("prints what was computed", () => {
  console.log(JSON.stringify({ results: [math.scaled(3), math.scaled(3), math.scaled(4)], computations: math.computations, stats: { hits: 0, misses: 0, storeHits: 0 } }));
});
`,
    });
    const watcher = watchProject(root, bun, ["test", "--watch"]);
    try {
      expect((await watcher.nextRun(1)).results).toEqual([6, 6, 8]);
      await pause(1_100);
      editHelper(root, (text) => text.replace("return 2;", "return 3;"));
      expect((await watcher.nextRun(2)).results).toEqual([9, 9, 12]);
    } finally {
      watcher.stop();
    }
  });

  it.skipIf(!redisTestsEnabled("the Bun + Redis test"))("persist: \"redis\" works on Bun through node-redis", async (context) => {
    const bun = bunOrSkip(context);
    const server = await RedisServer.start();
    try {
      const root = writeRuntimeProject("bun-redis", {
        "bunfig.toml": docsBlock("bun.md", "bunfig.toml"),
        "src/remote.ts": `export let computations = 0;

/** @memo { persist: "redis" } */
export async function doubled(n: number): Promise<number> {
  computations++;
  return n * 2;
}
`,
        "src/redis-entry.ts": `import { stats } from "automemo";
import * as remote from "./remote.ts";

const results = [await remote.doubled(3), await remote.doubled(3), await remote.doubled(4)];
console.log(JSON.stringify({ results, computations: remote.computations, stats: stats(remote.doubled) }));
`,
      });
      symlinkSync(join(repo, "node_modules/redis"), join(root, "node_modules/redis"), "dir");
      const run = () => JSON.parse(execFileSync(bun, ["run", "src/redis-entry.ts"], { cwd: root, encoding: "utf8", env: { ...process.env, AUTOMEMO_REDIS_URL: server.url } }).trim().split("\n").at(-1)!) as ProjectRun;
      expect(run()).toMatchObject({ results: [6, 6, 8], computations: 2, stats: { hits: 1, storeHits: 0 } });
      expect(run()).toMatchObject({ results: [6, 6, 8], computations: 0, stats: { hits: 1, storeHits: 2 } });
    } finally {
      await server.kill();
    }
  });
});

describe("Deno", () => {
  it("deno run with the preload from docs/deno.md follows the code, with results on disk", (context) => {
    const deno = denoOrSkip(context);
    const [runArgs] = denoCommands();
    const root = writeRuntimeProject("deno-run");
    expectCacheFollowsTheCode(root, () => runProject(root, deno, runArgs!.map((arg) => (arg === "src/report.ts" ? "src/entry.ts" : arg))));
  });

  it("deno test with the preload from docs/deno.md runs tests through the cache", (context) => {
    const deno = denoOrSkip(context);
    const [, testArgs] = denoCommands();
    const root = writeRuntimeProject("deno-test", {
      "src/math_test.ts": `import { stats } from "automemo";
import { scaled } from "./math.ts";

Deno.test("a repeated call is a hit", () => {
  if (scaled(5) !== scaled(5)) throw new Error("different results");
  console.log(JSON.stringify({ results: [scaled(3)], computations: 0, stats: stats(scaled) }));
});
`,
    });
    const run = runProject(root, deno, testArgs!);
    expect(run.stats).toMatchObject({ hits: 1, misses: 2 });
  });

  it("deno run --watch reruns with the new code hash after a helper edit", async (context) => {
    const deno = denoOrSkip(context);
    const [runArgs] = denoCommands();
    const root = writeRuntimeProject("deno-watch");
    const args = runArgs!.map((arg) => (arg === "src/report.ts" ? "src/entry.ts" : arg));
    const watcher = watchProject(root, deno, [args[0]!, "--watch", ...args.slice(1)]);
    try {
      expectComputed(await watcher.nextRun(1), 2);
      await pause(1_100);
      editHelper(root, (text) => text.replace("return 2;", "return 3;"));
      expectComputed(await watcher.nextRun(2), 3);
    } finally {
      watcher.stop();
    }
  });
});

describe("Rolldown and tsdown", () => {
  it("rolldown -c with docs/rolldown.md's config follows the code", () => {
    const root = writeRuntimeProject("rolldown-cli", { "rolldown.config.mjs": docsBlock("rolldown.md", "rolldown.config.mjs") });
    expectCacheFollowsTheCode(root, () => {
      execInProject(root, rolldownCli, ["-c", "rolldown.config.mjs"]);
      return runProject(root, process.execPath, ["dist/entry.js"]);
    });
  });

  it("rolldown watch re-transforms a module when a helper in another file changes", async () => {
    const { watch } = await import("rolldown");
    const { default: automemo } = await import("../../transformer/bundlers/rolldown.ts");
    const root = writeRuntimeProject("rolldown-watch");
    const bundle = join(root, "dist/entry.js");
    let builds = 0;
    const watcher = watch({
      input: join(root, "src/entry.ts"),
      cwd: root,
      external: ["automemo"],
      output: { dir: join(root, "dist"), format: "esm" },
      plugins: [automemo({ root })],
    });
    watcher.on("event", (event) => {
      if (event.code === "BUNDLE_END") builds++;
      if (event.code === "BUNDLE_END" || event.code === "ERROR") void event.result?.close();
    });
    try {
      await waitUntil(() => builds >= 1, () => "the first rolldown watch build");
      expectComputed(runProject(root, process.execPath, [bundle]), 2);
      await pause(300);
      editHelper(root, (text) => text.replace("return 2;", "return 3;"));
      await waitUntil(() => builds >= 2, () => "a rebuild after the helper edit");
      expectComputed(runProject(root, process.execPath, [bundle]), 3);
    } finally {
      await watcher.close();
    }
  });

  it("tsdown with docs/rolldown.md's config follows the code", (context) => {
    // tsdown loads a .ts config natively only on Node 22.18+ (on Node 20 it needs the `unrun` package).
    const node24 = node24OrSkip(context, "tsdown loads tsdown.config.ts with Node's own type stripping");
    const root = writeRuntimeProject("tsdown", {
      "tsdown.config.ts": docsBlock("rolldown.md", "tsdown.config.ts"),
      "src/index.ts": `import "./entry.ts";\n`,
    });
    expectCacheFollowsTheCode(root, () => {
      execInProject(root, node24, [tsdownCli]);
      const output = readdirSync(join(root, "dist")).find((file) => /^index\.m?js$/.test(file));
      if (!output) throw new Error(`tsdown wrote no dist/index.js: ${readdirSync(join(root, "dist")).join(", ")}`);
      return runProject(root, process.execPath, [join("dist", output)]);
    });
  });
});

describe("one cache across hosts", () => {
  it("a result cached under Node's loader is a disk hit under Deno and in a Rolldown bundle; Bun files its own entries under the same id and code hash, beside Node's", (context) => {
    const bun = bunOrSkip(context);
    const deno = denoOrSkip(context);
    const root = writeRuntimeProject("across-hosts", {
      "bunfig.toml": docsBlock("bun.md", "bunfig.toml"),
      "rolldown.config.mjs": docsBlock("rolldown.md", "rolldown.config.mjs"),
    });
    expectComputed(runProject(root, process.execPath, ["--import", "automemo/register", "src/entry.ts"]), 2);
    const [denoArgs] = denoCommands();
    expectFromDisk(runProject(root, deno, denoArgs!.map((arg) => (arg === "src/report.ts" ? "src/entry.ts" : arg))), 2);
    execInProject(root, rolldownCli, ["-c", "rolldown.config.mjs"]);
    expectFromDisk(runProject(root, process.execPath, ["dist/entry.js"]), 2);
    // Bun serializes with JavaScriptCore, not V8: its entries sit beside Node's under the same version.
    const versions = () => readdirSync(join(root, ".automemo-cache")).flatMap((folder) => readdirSync(join(root, ".automemo-cache", folder)).map((name) => `${folder}/${name}`));
    const before = versions();
    expectComputed(runProject(root, bun, ["run", "src/entry.ts"]), 2);
    expectFromDisk(runProject(root, bun, ["run", "src/entry.ts"]), 2);
    expect(versions()).toEqual(before);
    // ...and Bun's writes left Node's entries as they were.
    expectFromDisk(runProject(root, process.execPath, ["--import", "automemo/register", "src/entry.ts"]), 2);
  });
});
