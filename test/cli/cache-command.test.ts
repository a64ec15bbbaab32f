import { cpSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { formatAge, formatBytes, parseCacheArgs, runCacheCommand } from "../../cli/cache-command.ts";
import { encodeEntry } from "../../runtime/stores/codec.ts";
import { DiskStore } from "../../runtime/stores/disk.ts";
import { functionDirName, versionDirName } from "../../runtime/stores/disk-layout.ts";
import type { StoreFunction } from "../../runtime/stores/store.ts";
import { spawnAndCollect, type ChildResult } from "../stores/helpers/run-child.ts";
import { makeTempDir } from "../stores/helpers/temp-dir.ts";

const CLI = fileURLToPath(new URL("../../cli/main.ts", import.meta.url));
const loadRows: StoreFunction = { id: "src/db.ts#loadRows", version: "old1" };
const fetchUser: StoreFunction = { id: "src/api.ts#Client.fetchUser", version: "f00d", ttlMs: 1 };
const key = (digit: number) => String(digit).repeat(32);

let temp: ReturnType<typeof makeTempDir>;

/** loadRows: an old version (2 entries, written an hour ago) and a current one (2 entries, one fresh); fetchUser: 1 expired entry. */
function populate(): void {
  const store = new DiskStore({ dir: temp.path });
  const clock = vi.spyOn(Date, "now").mockReturnValue(Date.now() - 3_600_000);
  store.writeSync(loadRows, key(1), "x".repeat(2_000));
  store.writeSync(loadRows, key(2), "y");
  clock.mockRestore();
  // A second version next to the first, as left by a process that has not pruned yet.
  const functionDir = join(temp.path, functionDirName(loadRows.id));
  const current = join(functionDir, versionDirName("new2"));
  cpSync(join(functionDir, versionDirName("old1")), current, { recursive: true });
  writeFileSync(join(current, `${key(1)}.entry`), encodeEntry(loadRows.id, "fresh", { createdAt: Date.now(), expiresAt: 0 }), { mode: 0o600 });
  // Written a second ago with a 1 ms ttl: certainly expired by the time a test looks, however fast the machine.
  const secondAgo = vi.spyOn(Date, "now").mockReturnValue(Date.now() - 1_000);
  store.writeSync(fetchUser, key(3), [1, 2]);
  secondAgo.mockRestore();
}

async function run(...args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCacheCommand(args, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } });
  return { code, stdout, stderr };
}

beforeEach(() => {
  temp = makeTempDir("cli");
});
afterEach(() => temp.remove());

describe("automemo cache (disk)", () => {
  it("lists functions, versions, entries, sizes and ages as an aligned table", async () => {
    populate();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const { code, stdout } = await run("ls", "--dir", temp.path);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`disk cache at ${temp.path}`);
    expect(lines[1]).toMatch(/^FUNCTION\s+VERSION\s+ENTRIES\s+SIZE\s+EXPIRED\s+OLDEST\s+NEWEST\s+STATE$/);
    const rows = lines.slice(2);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^src\/api\.ts#Client\.fetchUser\s+f00d\s+1\s+\d+ B\s+1\s+\d+s\s+\d+s\s+current$/);
    expect(rows[1]).toMatch(/^src\/db\.ts#loadRows\s+new2\s+2\s+\d+ B\s+0\s+1h\s+\d+s\s+current$/);
    expect(rows[2]).toMatch(/^src\/db\.ts#loadRows\s+old1\s+2\s+2\.\d KB\s+0\s+1h\s+1h\s+old \(prune removes\)$/);
    // Aligned: every column starts at the same offset on every line.
    const versionColumn = lines[1]!.indexOf("VERSION");
    for (const row of rows.slice(1)) expect(row.slice(versionColumn, versionColumn + 4)).toMatch(/^(new2|old1)$/);
  });

  it("prints the same listing as JSON", async () => {
    populate();
    const { code, stdout } = await run("ls", "--json", "--dir", temp.path);
    expect(code).toBe(0);
    const listing = JSON.parse(stdout);
    expect(listing.store).toBe("disk");
    expect(listing.location).toBe(temp.path);
    expect(listing.functions.map((fn: { id: string }) => fn.id)).toEqual([fetchUser.id, loadRows.id]);
    const [current, old] = listing.functions[1].versions;
    expect(current).toMatchObject({ version: "new2", entries: 2, expired: 0, current: true });
    expect(old).toMatchObject({ version: "old1", entries: 2, expired: 0, current: false });
    expect(old.bytes).toBeGreaterThan(2_000);
    expect(Date.now() - old.newestCreatedAt).toBeGreaterThanOrEqual(3_600_000);
  });

  it("prints totals with stats", async () => {
    populate();
    const table = await run("stats", "--dir", temp.path);
    expect(table.stdout).toMatch(/^functions\s+2$/m);
    expect(table.stdout).toMatch(/^versions\s+3 \(1 old\)$/m);
    expect(table.stdout).toMatch(/^entries\s+5 \(1 expired\)$/m);
    const json = JSON.parse((await run("stats", "--json", "--dir", temp.path)).stdout);
    expect(json).toMatchObject({ functions: 2, versions: 3, oldVersions: 1, entries: 5, expiredEntries: 1 });
  });

  it("prunes old versions and expired entries", async () => {
    populate();
    const { code, stdout } = await run("prune", "--json", "--dir", temp.path);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).removed).toMatchObject({ versions: 1, entries: 3 });
    expect(existsSync(join(temp.path, functionDirName(loadRows.id), versionDirName("old1")))).toBe(false);
    const store = new DiskStore({ dir: temp.path });
    expect(store.readSync({ ...loadRows, version: "new2" }, key(1))).toEqual({ value: "fresh" });
    const after = JSON.parse((await run("stats", "--json", "--dir", temp.path)).stdout);
    expect(after).toMatchObject({ functions: 2, versions: 2, oldVersions: 0, entries: 2, expiredEntries: 0 });
  });

  it("clears one function by id, or everything", async () => {
    populate();
    const one = await run("clear", loadRows.id, "--dir", temp.path);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain("1 function, 2 versions, 4 entries");
    expect(JSON.parse((await run("ls", "--json", "--dir", temp.path)).stdout).functions.map((fn: { id: string }) => fn.id)).toEqual([fetchUser.id]);
    const missing = await run("clear", "src/nope.ts#f", "--dir", temp.path);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("Nothing is cached for 'src/nope.ts#f'");
    expect((await run("clear", "--dir", temp.path)).code).toBe(0);
    expect((await run("ls", "--dir", temp.path)).stdout).toContain("(empty)");
  });

  it("never deletes directories that are not automemo's", async () => {
    writeFileSync(join(temp.path, "keep.txt"), "user data");
    await run("clear", "--dir", temp.path);
    await run("prune", "--dir", temp.path);
    expect(existsSync(join(temp.path, "keep.txt"))).toBe(true);
  });

  it("rejects bad command lines with exit code 2 and the usage", async () => {
    for (const args of [[], ["lz"], ["ls", "extra"], ["ls", "--dir"], ["ls", "--bogus"], ["ls", "--dir", "a", "--redis", "redis://x"], ["ls", "--prefix", "p"], ["clear", "a", "b"]]) {
      const { code, stderr } = await run(...args);
      expect(code, args.join(" ")).toBe(2);
      expect(stderr).toContain("Usage: automemo cache <action>");
    }
    expect(parseCacheArgs(["clear", "src/a.ts#f", "--json", "--dir=/x"])).toEqual({ action: "clear", id: "src/a.ts#f", json: true, dir: "/x", redisUrl: undefined, prefix: undefined });
    expect(parseCacheArgs(["--redis", "ls"]).redisUrl).toBe(process.env.AUTOMEMO_REDIS_URL ?? "redis://127.0.0.1:6379");
    expect(parseCacheArgs(["ls", "--redis", "rediss://cache:6380", "--prefix", "app"])).toMatchObject({ action: "ls", redisUrl: "rediss://cache:6380", prefix: "app" });
  });

  it("formats sizes and ages for people", () => {
    expect([formatBytes(10), formatBytes(2_048), formatBytes(5 * 1024 * 1024)]).toEqual(["10 B", "2.0 KB", "5.0 MB"]);
    expect([formatAge(undefined, 0), formatAge(0, 59_000), formatAge(0, 600_000), formatAge(0, 7_200_000), formatAge(0, 172_800_000)]).toEqual(["-", "59s", "10m", "2h", "2d"]);
  });
});

describe("the automemo bin", () => {
  function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildResult> {
    return spawnAndCollect(["--import", "tsx", CLI, ...args], env);
  }

  it("runs `cache ls --json` on AUTOMEMO_CACHE_DIR and exits 0; a usage error exits 2", async () => {
    populate();
    const listed = await spawnCli(["cache", "ls", "--json"], { AUTOMEMO_CACHE_DIR: temp.path });
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).functions).toHaveLength(2);
    const bad = await spawnCli(["cache", "frobnicate"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Unknown action 'frobnicate'");
  });
});
