/**
 * Every wait for a disk lock is bounded: whatever sits at a lock path (a directory, a
 * symlink, a FIFO, a file that is not a lock, an mtime in the future) stops blocking
 * after the lock timeout and is removed without following it or deleting anything that
 * is not ours; and a process never waits for a lock it holds itself.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clearAll, configure, memo, stats } from "../../runtime/index.ts";
import { resetSettingsForTesting } from "../../runtime/handle/configure.ts";
import { DiskStore } from "../../runtime/stores/disk.ts";
import { functionDirName, versionDirName } from "../../runtime/stores/disk-layout.ts";
import type { StoreFunction } from "../../runtime/stores/store.ts";
import { uniqueId } from "../runtime/helpers.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

const KEY = "0123456789abcdef0123456789abcdef";
const STALE_MS = 200;

let temp: ReturnType<typeof makeTempDir>;
let warnings: string[];
const fn: StoreFunction = { id: "src/db.ts#loadRows", version: "aaaa1111" };

function newStore(): DiskStore {
  return new DiskStore({ dir: temp.path, lockStaleMs: STALE_MS, warn: (message) => warnings.push(message) });
}

function lockPath(): string {
  return join(temp.path, functionDirName(fn.id), versionDirName(fn.version), `${KEY}.lock`);
}

/** Creates the version directory (a write of another key) and returns the key's lock path. */
function preparedLockPath(store: DiskStore): string {
  store.writeSync(fn, "fedcba9876543210fedcba9876543210", "prepare directories");
  return lockPath();
}

function age(path: string, ms: number): void {
  const then = new Date(Date.now() - ms);
  utimesSync(path, then, then);
}

beforeEach(() => {
  temp = makeTempDir("disk-lock");
  warnings = [];
});
afterEach(() => temp.remove());

describe("a lock path holding something that is not a lock", () => {
  it("removes an empty directory once it is older than the lock timeout", async () => {
    const store = newStore();
    const path = preparedLockPath(store);
    mkdirSync(path);
    age(path, 10_000);
    expect(await store.computeOnce(fn, KEY, async () => "taken over")).toBe("taken over");
    expect(store.readSync(fn, KEY)).toEqual({ value: "taken over" });
    expect(existsSync(path)).toBe(false);
  });

  it("renames a non-empty directory aside, keeping what is inside it", () => {
    const store = newStore();
    const path = preparedLockPath(store);
    mkdirSync(path);
    writeFileSync(join(path, "precious.txt"), "not ours");
    age(path, 10_000);
    expect(store.computeOnceSync(fn, KEY, () => "taken over")).toBe("taken over");
    const aside = readdirSync(join(path, "..")).find((name) => name.startsWith(`${KEY}.lock.stale-`));
    expect(aside).toBeDefined();
    expect(readFileSync(join(path, "..", aside!, "precious.txt"), "utf8")).toBe("not ours");
  });

  it("unlinks a dangling symlink without creating its target", async () => {
    const store = newStore();
    const path = preparedLockPath(store);
    const target = join(temp.path, "nowhere", "target");
    symlinkSync(target, path);
    const started = Date.now();
    expect(await store.computeOnce(fn, KEY, async () => "taken over")).toBe("taken over");
    // lutimes cannot age a link portably: the wait itself is the bound.
    expect(Date.now() - started).toBeGreaterThanOrEqual(STALE_MS);
    expect(Date.now() - started).toBeLessThan(STALE_MS + 2_000);
    expect(existsSync(join(temp.path, "nowhere"))).toBe(false);
  });

  it("unlinks a symlink to a real file and leaves the file alone", () => {
    const store = newStore();
    const path = preparedLockPath(store);
    const victim = join(temp.path, "victim.txt");
    writeFileSync(victim, "keep me");
    symlinkSync(victim, path);
    expect(store.computeOnceSync(fn, KEY, () => "taken over")).toBe("taken over");
    expect(readFileSync(victim, "utf8")).toBe("keep me");
  });

  it("does not block on a FIFO at the lock path", () => {
    const store = newStore();
    const path = preparedLockPath(store);
    execFileSync("mkfifo", [path]);
    expect(store.computeOnceSync(fn, KEY, () => "taken over")).toBe("taken over");
    expect(existsSync(path)).toBe(false);
  });

  it("bounds the wait even when the thing's mtime lies in the future", async () => {
    const store = newStore();
    const path = preparedLockPath(store);
    mkdirSync(path);
    age(path, -3_600_000);
    const started = Date.now();
    expect(await store.computeOnce(fn, KEY, async () => "taken over")).toBe("taken over");
    expect(Date.now() - started).toBeLessThan(STALE_MS + 2_000);
  });

  it("still waits for a readable lock that its holder keeps fresh", async () => {
    const store = newStore();
    const path = preparedLockPath(store);
    writeFileSync(path, "another-host\n1\nabc");
    const refresh = setInterval(() => age(path, 0), 20);
    setTimeout(() => {
      clearInterval(refresh);
      store.writeSync(fn, KEY, "from the holder");
    }, STALE_MS * 3);
    try {
      expect(await store.computeOnce(fn, KEY, async () => "computed twice")).toBe("from the holder");
    } finally {
      clearInterval(refresh);
    }
  });
});

describe("a lock held by this process", () => {
  let dir: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    dir = makeTempDir("disk-reentrant");
    // A long timeout: before the fix each level of the recursion waited this long.
    configure({ cacheDir: dir.path, lockTimeoutMs: 30_000 });
  });
  afterEach(async () => {
    await clearAll();
    resetSettingsForTesting();
    configure({ lockTimeoutMs: 30_000 });
    dir.remove();
  });

  it("is never waited for: a sync function calling itself with the same key recurses like untransformed code", () => {
    let depth = 0;
    const calls: number[] = [];
    const meta = { id: uniqueId("reentrant-disk"), hash: "v1", params: ["n"], options: { persist: "disk" } };
    const climb: (n: number) => number = memo((n: number): number => {
      calls.push(n);
      // Three levels with the same key, as a function guarded by a depth counter would.
      if (++depth < 3) return climb(n) + 1;
      return 0;
    }, meta);
    const started = Date.now();
    expect(climb(7)).toBe(2);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(calls).toEqual([7, 7, 7]);
    expect(climb(7)).toBe(2);
    expect(stats(climb).hits).toBe(1);
  });
});
