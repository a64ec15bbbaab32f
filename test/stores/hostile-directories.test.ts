/**
 * Nothing planted in a cache directory makes automemo write outside its own files,
 * and a directory others can write (or own) is refused: links at every path the disk
 * store, the `automemo cache` command and the dependency cache write; foreign owners
 * and loose modes (also from a process running as `nobody`); directories and dangling
 * links at entry paths; full and read-only file systems.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DiskStore } from "../../runtime/stores/disk.ts";
import { DiskInventory } from "../../runtime/stores/disk-inventory.ts";
import { functionDirName, versionDirName } from "../../runtime/stores/disk-layout.ts";
import type { StoreFunction } from "../../runtime/stores/store.ts";
import { SavedMap } from "../../transformer/core/deps/saved-map.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

const KEY = "0123456789abcdef0123456789abcdef";
const OTHER_KEY = "fedcba9876543210fedcba9876543210";
const fn: StoreFunction = { id: "src/db.ts#loadRows", version: "v1" };
const isRoot = process.getuid?.() === 0;
const nobody = 65534;

let temp: ReturnType<typeof makeTempDir>;
let root: string;
/** Where planted links point: must stay exactly as it was. */
let outside: string;
let warnings: string[];

function newStore(options: { trustDir?: boolean; dir?: string; lockStaleMs?: number } = {}): DiskStore {
  return new DiskStore({ dir: root, warn: (message) => warnings.push(message), ...options });
}

const functionDir = (f = fn) => join(root, functionDirName(f.id));
const versionDir = (f = fn) => join(functionDir(f), versionDirName(f.version));
const entryPath = (key = KEY) => join(versionDir(), `${key}.entry`);

/** The victim: a file and a folder outside the cache that links will point at. */
function outsideUntouched(): void {
  expect(readFileSync(join(outside, "secret.txt"), "utf8")).toBe("do not touch");
  expect(readdirSync(outside).sort()).toEqual(["secret.txt", "victim-dir"]);
  expect(readdirSync(join(outside, "victim-dir"))).toEqual(["keep.txt"]);
}

beforeEach(() => {
  temp = makeTempDir("hostile");
  root = join(temp.path, "cache");
  outside = join(temp.path, "outside");
  mkdirSync(join(outside, "victim-dir"), { recursive: true });
  writeFileSync(join(outside, "secret.txt"), "do not touch");
  writeFileSync(join(outside, "victim-dir", "keep.txt"), "keep");
  warnings = [];
});
afterEach(() => temp.remove());

describe("links planted where automemo writes", () => {
  it("never writes through a link at a temp name, meta.json or an entry path", async () => {
    mkdirSync(versionDir(), { recursive: true, mode: 0o700 });
    const secret = join(outside, "secret.txt");
    // The names earlier versions used (pid + counter) and the final names.
    for (let n = 1; n <= 20; n++) {
      symlinkSync(secret, join(functionDir(), `meta.json.${process.pid}.${n}.tmp`));
      symlinkSync(secret, join(versionDir(), `.${KEY}.${process.pid}.${n}.tmp`));
    }
    symlinkSync(secret, join(functionDir(), "meta.json"));
    symlinkSync(secret, entryPath(KEY));
    symlinkSync(join(outside, "does-not-exist"), entryPath(OTHER_KEY));
    const store = newStore();
    expect(store.readSync(fn, KEY)).toBeUndefined();
    expect(store.readSync(fn, OTHER_KEY)).toBeUndefined();
    store.writeSync(fn, KEY, { rows: 1 });
    await store.write(fn, OTHER_KEY, { rows: 2 });
    outsideUntouched();
    expect(existsSync(join(outside, "does-not-exist"))).toBe(false);
    // The links at the entry paths were replaced by real files.
    expect(lstatSync(entryPath(KEY)).isFile()).toBe(true);
    expect(newStore().readSync(fn, KEY)).toEqual({ value: { rows: 1 } });
    expect(newStore().readSync(fn, OTHER_KEY)).toEqual({ value: { rows: 2 } });
  });

  it("creates every file under an unpredictable name with O_EXCL and O_NOFOLLOW, then renames it", async () => {
    const fs = process.getBuiltinModule("node:fs");
    const opened: { path: string; flags: number }[] = [];
    const { openSync } = fs;
    const { open } = fs.promises;
    fs.openSync = ((path: string, flags: number, mode?: number) => (opened.push({ path, flags }), openSync(path, flags, mode))) as typeof fs.openSync;
    fs.promises.open = ((path: string, flags: number, mode?: number) => (opened.push({ path, flags }), open(path, flags, mode))) as typeof fs.promises.open;
    try {
      const store = newStore();
      store.writeSync(fn, KEY, 1);
      await store.write(fn, OTHER_KEY, 2);
    } finally {
      fs.openSync = openSync;
      fs.promises.open = open;
    }
    const { O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
    const writes = opened.filter(({ flags }) => (flags & O_CREAT) !== 0);
    // meta.json and the two entries.
    expect(writes.map(({ path }) => path.replace(/\.[\w-]{12}\.tmp$/, ".<random>.tmp")).sort()).toEqual(
      [join(functionDir(), ".meta.json.<random>.tmp"), join(versionDir(), `.${KEY}.entry.<random>.tmp`), join(versionDir(), `.${OTHER_KEY}.entry.<random>.tmp`)].sort(),
    );
    for (const { path, flags } of writes) {
      expect(path).not.toContain(String(process.pid));
      expect(flags & (O_EXCL | O_NOFOLLOW)).toBe(O_EXCL | O_NOFOLLOW);
    }
    expect(readdirSync(versionDir()).sort()).toEqual([`${KEY}.entry`, `${OTHER_KEY}.entry`].sort());
  });

  it("leaves no temp file when the rename fails (a directory at the entry path)", () => {
    mkdirSync(entryPath(KEY), { recursive: true });
    newStore().writeSync(fn, KEY, 1);
    expect(readdirSync(versionDir())).toEqual([`${KEY}.entry`]);
    expect(warnings).toHaveLength(1);
  });

  it("refuses a link where the function's or the version's directory should be", () => {
    mkdirSync(root, { mode: 0o700 });
    symlinkSync(join(outside, "victim-dir"), functionDir());
    const store = newStore();
    store.writeSync(fn, KEY, 1);
    expect(store.readSync(fn, KEY)).toBeUndefined();
    outsideUntouched();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/\[automemo\] not using the disk cache for src\/db\.ts#loadRows: .* is a symbolic link .*Fix: rm /);

    const other: StoreFunction = { id: "src/db.ts#other", version: "v1" };
    mkdirSync(functionDir(other), { mode: 0o700 });
    symlinkSync(join(outside, "victim-dir"), versionDir(other));
    const second = newStore();
    second.writeSync(other, KEY, 1);
    expect(second.readSync(other, KEY)).toBeUndefined();
    outsideUntouched();
  });

  it("follows a link at the cache root itself (a user's choice), checking its target", () => {
    const real = join(temp.path, "real-cache");
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, root);
    const store = newStore();
    store.writeSync(fn, KEY, "kept");
    expect(store.readSync(fn, KEY)).toEqual({ value: "kept" });
    expect(existsSync(join(real, functionDirName(fn.id)))).toBe(true);
  });

  it("removes older versions and single entries without following links", async () => {
    mkdirSync(functionDir(), { recursive: true, mode: 0o700 });
    symlinkSync(join(outside, "victim-dir"), join(functionDir(), "v-old"));
    const store = newStore();
    store.writeSync(fn, KEY, 1);
    expect(existsSync(join(functionDir(), "v-old"))).toBe(false);
    symlinkSync(join(outside, "secret.txt"), entryPath(OTHER_KEY));
    await store.delete(fn, OTHER_KEY);
    await store.delete(fn);
    outsideUntouched();
  });

  it("survives a lock file that is a link to someone else's file", () => {
    mkdirSync(versionDir(), { recursive: true, mode: 0o700 });
    const secret = join(outside, "secret.txt");
    utimesSync(secret, new Date(0), new Date(0));
    symlinkSync(secret, join(versionDir(), `${KEY}.lock`));
    expect(newStore({ lockStaleMs: 50 }).computeOnceSync(fn, KEY, () => "computed")).toBe("computed");
    outsideUntouched();
  });

  it("treats a directory or a dangling link at an entry path as a miss and still returns results", () => {
    mkdirSync(entryPath(KEY), { recursive: true });
    symlinkSync(join(temp.path, "nowhere"), entryPath(OTHER_KEY));
    const store = newStore();
    expect(store.readSync(fn, KEY)).toBeUndefined();
    expect(store.computeOnceSync(fn, KEY, () => "a")).toBe("a");
    expect(store.computeOnceSync(fn, OTHER_KEY, () => "b")).toBe("b");
    expect(newStore().readSync(fn, OTHER_KEY)).toEqual({ value: "b" });
    expect(warnings.length).toBeLessThanOrEqual(1);
  });
});

describe.skipIf(process.platform === "win32")("owners and modes (ssh's rules)", () => {
  function expectRefused(store: DiskStore, fix: RegExp): void {
    store.writeSync(fn, KEY, 1);
    expect(store.readSync(fn, KEY)).toBeUndefined();
    expect(store.computeOnceSync(fn, KEY, () => "memory only")).toBe("memory only");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(fix);
    expect(warnings[0]).toContain("trustCacheDir");
  }

  it("refuses a world-writable or group-writable cache root, and says how to fix it", () => {
    mkdirSync(root, { mode: 0o700 });
    chmodSync(root, 0o777);
    expectRefused(newStore(), new RegExp(`${root} is writable by every user \\(mode 777\\)\\. Fix: chmod go-w ${root}`));
    expect(readdirSync(root)).toEqual([]);
    warnings = [];
    chmodSync(root, 0o770);
    expectRefused(newStore(), /is writable by its group \(mode 770\)/);
  });

  it("refuses a function directory that others can write", () => {
    mkdirSync(functionDir(), { recursive: true, mode: 0o700 });
    chmodSync(functionDir(), 0o757);
    expectRefused(newStore(), /chmod go-w/);
  });

  it("uses a loose directory when trusted, never a link", () => {
    mkdirSync(root, { mode: 0o700 });
    chmodSync(root, 0o777);
    const trusted = newStore({ trustDir: true });
    trusted.writeSync(fn, KEY, "shared on purpose");
    expect(trusted.readSync(fn, KEY)).toEqual({ value: "shared on purpose" });
    expect(warnings).toEqual([]);
    const other: StoreFunction = { id: "src/x.ts#f", version: "v1" };
    symlinkSync(join(outside, "victim-dir"), functionDir(other));
    trusted.writeSync(other, KEY, 1);
    outsideUntouched();
  });

  it.skipIf(!isRoot)("refuses a cache root or function directory owned by another user", () => {
    mkdirSync(root, { mode: 0o700 });
    chownSync(root, nobody, nobody);
    expectRefused(newStore(), new RegExp(`${root} is owned by another user \\(uid ${nobody}; this process runs as uid 0\\)\\. Fix: chown -R 0 ${root}`));
    warnings = [];
    chownSync(root, 0, 0);
    mkdirSync(functionDir(), { mode: 0o700 });
    chownSync(functionDir(), nobody, nobody);
    expectRefused(newStore(), /is owned by another user/);
  });

  it.skipIf(!isRoot || !existsSync("/usr/sbin/runuser"))("a process running as nobody refuses a cache root that root owns and everyone can write", () => {
    const runtime = join(process.cwd(), "dist", "index.js");
    if (!existsSync(runtime)) throw new Error("run `npm run build` first: the child process imports dist/index.js");
    chmodSync(temp.path, 0o755);
    mkdirSync(root, { mode: 0o777 });
    chmodSync(root, 0o777);
    const script = [
      `import { configure, memo } from ${JSON.stringify(runtime)};`,
      `configure({ cacheDir: ${JSON.stringify(root)} });`,
      `let calls = 0;`,
      `const load = memo((x) => (calls++, { x }), { id: "child.ts#load", hash: "v1", params: ["x"], options: { persist: "disk" } });`,
      `console.log(JSON.stringify([load(1), load(1), calls]));`,
    ].join("\n");
    const child = spawnSync("runuser", ["-u", "nobody", "--", process.execPath, "--input-type=module", "-e", script], { encoding: "utf8", cwd: "/" });
    expect(child.status, child.stderr).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual([{ x: 1 }, { x: 1 }, 1]);
    expect(child.stderr).toContain(`${root} is owned by another user (uid 0; this process runs as uid ${nobody})`);
    expect(child.stderr.match(/\[automemo\]/g)).toHaveLength(1);
    expect(readdirSync(root)).toEqual([]);
  });
});

describe("automemo cache clear and prune", () => {
  it("never delete through a link planted where a function's or version's directory should be", async () => {
    const store = newStore();
    store.writeSync(fn, KEY, 1);
    // A link named like a function directory, aimed at a folder that looks like one.
    writeFileSync(join(outside, "victim-dir", "meta.json"), JSON.stringify({ id: "src/evil.ts#f" }));
    mkdirSync(join(outside, "victim-dir", "v-x"));
    writeFileSync(join(outside, "victim-dir", "v-x", "keep.entry"), "x");
    symlinkSync(join(outside, "victim-dir"), join(root, "src_evil.ts_f-0000000000"));
    // A link named like an older version, inside a real function directory.
    symlinkSync(join(outside, "victim-dir"), join(functionDir(), "v-older"));
    const inventory = new DiskInventory(root);
    expect((await inventory.list()).map((summary) => summary.id)).toEqual([fn.id]);
    await inventory.prune();
    await inventory.clear();
    expect(readFileSync(join(outside, "secret.txt"), "utf8")).toBe("do not touch");
    expect(readdirSync(join(outside, "victim-dir")).sort()).toEqual(["keep.txt", "meta.json", "v-x"]);
    expect(readdirSync(join(outside, "victim-dir", "v-x"))).toEqual(["keep.entry"]);
    expect(existsSync(functionDir())).toBe(false);
  });
});

describe("the dependency cache's saved files", () => {
  const codec = {
    encode: (entries: readonly (readonly [string, number])[]) => entries,
    decode: (payload: unknown) => new Map(payload as [string, number][]),
  };

  it("replaces a link at its file instead of writing through it, and leaves no temp file", () => {
    mkdirSync(root, { mode: 0o700 });
    const file = join(root, "module-summaries.json");
    symlinkSync(join(outside, "secret.txt"), file);
    const map = new SavedMap(file, "fp", codec, temp.path);
    expect(map.get("a")).toBeUndefined();
    map.set("a", 1);
    map.save(100, () => true);
    outsideUntouched();
    expect(lstatSync(file).isFile()).toBe(true);
    expect(readdirSync(root)).toEqual(["module-summaries.json"]);
    expect(new SavedMap(file, "fp", codec, temp.path).get("a")).toBe(1);
  });

  it.skipIf(process.platform === "win32")("neither reads nor writes a folder others can write", () => {
    mkdirSync(root, { mode: 0o700 });
    const file = join(root, "plan-records.json");
    writeFileSync(file, JSON.stringify({ fingerprint: "fp", payload: [["planted", 666]] }));
    chmodSync(root, 0o777);
    const original = console.warn;
    const printed: string[] = [];
    console.warn = (message: string) => void printed.push(message);
    try {
      const map = new SavedMap(file, "fp", codec, temp.path);
      expect(map.get("planted")).toBeUndefined();
      map.set("mine", 1);
      map.save(100, () => true);
    } finally {
      console.warn = original;
    }
    expect(JSON.parse(readFileSync(file, "utf8")).payload).toEqual([["planted", 666]]);
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatch(/\[automemo\] not using the dependency cache in .* is writable by every user .*chmod go-w/);
  });
});

/** A tiny tmpfs mounted for the test; undefined (the test is skipped with the reason printed) where mounting is not permitted. */
function mountTmpfs(dir: string, size: string): (() => void) | undefined {
  mkdirSync(dir, { recursive: true });
  const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${size},mode=0700`, "tmpfs", dir], { encoding: "utf8" });
  if (mounted.status !== 0) {
    console.log(`[automemo tests] skipping a file-system test: mount -t tmpfs failed (${(mounted.stderr || String(mounted.error)).trim()})`);
    return undefined;
  }
  return () => void spawnSync("umount", ["-l", dir]);
}

describe.skipIf(!isRoot || process.platform !== "linux")("full and read-only file systems", () => {
  it("returns every result on a full disk, with one warning and no temp files left behind", async () => {
    const unmount = mountTmpfs(root, "64k");
    if (!unmount) return;
    try {
      const store = newStore();
      const big = "x".repeat(20_000);
      for (let i = 0; i < 8; i++) {
        const key = String(i).repeat(32);
        expect(store.computeOnceSync(fn, key, () => big + i)).toBe(big + i);
        expect(await store.computeOnce(fn, key.replace(/./, "a"), async () => big + i)).toBe(big + i);
      }
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/could not write to the disk cache .*ENOSPC/);
      expect(readdirSync(versionDir()).filter((name) => name.endsWith(".tmp") || name.endsWith(".lock"))).toEqual([]);
    } finally {
      unmount();
    }
  });

  it("serves what a read-only cache holds and computes the rest, with one warning", () => {
    const unmount = mountTmpfs(root, "1m");
    if (!unmount) return;
    try {
      newStore().writeSync(fn, KEY, "stored before");
      const remounted = spawnSync("mount", ["-o", "remount,ro", root], { encoding: "utf8" });
      expect(remounted.status, remounted.stderr).toBe(0);
      const store = newStore();
      expect(store.readSync(fn, KEY)).toEqual({ value: "stored before" });
      expect(store.computeOnceSync(fn, KEY, () => "recomputed")).toBe("stored before");
      expect(store.computeOnceSync(fn, OTHER_KEY, () => "computed")).toBe("computed");
      store.writeSync(fn, OTHER_KEY, "not persisted");
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/EROFS/);
      expect(statSync(root).isDirectory()).toBe(true);
    } finally {
      unmount();
    }
  });
});
