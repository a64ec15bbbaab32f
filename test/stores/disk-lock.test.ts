/**
 * Every wait for a disk lock is bounded: whatever sits at a lock path (a directory, a
 * symlink, a FIFO, a file that is not a lock, an mtime in the future) stops blocking
 * after the lock timeout and is removed without following it or deleting anything that
 * is not ours; and a process never waits for a lock it holds itself.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
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

// Another user's lock: the test runs as root and runs the store as `nobody`.
const asOtherUser = process.getuid?.() === 0 && spawnSync("runuser", ["-u", "nobody", "--", "true"]).status === 0;

describe.skipIf(!asOtherUser)("a lock of another user", () => {
  const child = join(import.meta.dirname, "helpers", "lock-child.ts");
  const nobody = () => Number(execFileSync("id", ["-u", "nobody"], { encoding: "utf8" }).trim());
  const runAsNobody = () => {
    const result = spawnSync("runuser", ["-u", "nobody", "--", process.execPath, "--import", "tsx", child, temp.path], { encoding: "utf8", timeout: 30_000 });
    expect(result.stderr).toBe("");
    return JSON.parse(result.stdout) as { value: string; warnings: string[]; ms: number };
  };
  /** The store's folders, owned by nobody, and the key's lock path. */
  const prepareFor = (uid: number) => {
    const path = preparedLockPath(newStore());
    execFileSync("chown", ["-R", `${uid}`, temp.path]);
    chmodSync(temp.path, 0o700);
    return path;
  };

  it("that it cannot read is stale after the lock timeout and replaced", () => {
    const path = prepareFor(nobody());
    writeFileSync(path, "root's lock\n", { mode: 0o600 });
    chownSync(path, 0, 0);
    // Fresh for the next hour by its mtime: only the bound on the wait (the child's 300 ms timeout) ends it.
    age(path, -3_600_000);
    const outcome = runAsNobody();
    expect(outcome.value).toBe(`computed by ${nobody()}`);
    expect(outcome.ms).toBeGreaterThanOrEqual(300);
    expect(outcome.ms).toBeLessThan(5_000);
    expect(outcome.warnings).toEqual([]);
  });

  it("that it cannot remove is waited for only until the lock timeout, then computed without the lock", () => {
    const path = prepareFor(nobody());
    const versionDir = join(path, "..");
    // A sticky directory: nobody may create files in it, but not remove or rename root's.
    chownSync(versionDir, 0, 0);
    chmodSync(versionDir, 0o1777);
    mkdirSync(path);
    writeFileSync(join(path, "inside"), "root's");
    const outcome = runAsNobody();
    expect(outcome.value).toBe(`computed by ${nobody()}`);
    expect(outcome.ms).toBeLessThan(STALE_MS + 5_000);
    expect(outcome.warnings).toHaveLength(1);
    expect(outcome.warnings[0]).toMatch(/^\[automemo\] the lock .*\.lock is not a lock automemo can read or remove.*computing without it/);
    expect(readFileSync(join(path, "inside"), "utf8")).toBe("root's");
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
