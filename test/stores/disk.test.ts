import { chmodSync, existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { UnserializableReturnValueError } from "../../runtime/errors.ts";
import { DiskStore } from "../../runtime/stores/disk.ts";
import { functionDirName, versionDirName } from "../../runtime/stores/disk-layout.ts";
import type { StoreFunction } from "../../runtime/stores/store.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

const KEY_A = "0123456789abcdef0123456789abcdef";
const KEY_B = "fedcba9876543210fedcba9876543210";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let temp: ReturnType<typeof makeTempDir>;
let warnings: string[];
let store: DiskStore;
const fn: StoreFunction = { id: "src/db.ts#loadRows", version: "aaaa1111" };

function newStore(options: { lockStaleMs?: number } = {}): DiskStore {
  return new DiskStore({ dir: temp.path, warn: (message) => warnings.push(message), ...options });
}

function versionDir(f: StoreFunction): string {
  return join(temp.path, functionDirName(f.id), versionDirName(f.version));
}

function entryFile(f: StoreFunction, key: string): string {
  return join(versionDir(f), `${key}.entry`);
}

beforeEach(() => {
  temp = makeTempDir("disk");
  warnings = [];
  store = newStore();
});
afterEach(() => temp.remove());

describe("DiskStore reads and writes", () => {
  it("round-trips structured values through the sync and async APIs", async () => {
    const value = { rows: [1, 2, 3], when: new Date(5), tags: new Set(["a"]), index: new Map([["k", 1n]]), bytes: new Uint8Array([0, 255]) };
    store.writeSync(fn, KEY_A, value);
    expect(store.readSync(fn, KEY_A)).toEqual({ value });
    await store.write(fn, KEY_B, "second");
    expect(await store.read(fn, KEY_B)).toEqual({ value: "second" });
    expect(store.readSync(fn, KEY_B)).toEqual({ value: "second" });
  });

  it("returns a fresh copy, never the written object", () => {
    const value = { n: 1 };
    store.writeSync(fn, KEY_A, value);
    const hit = store.readSync(fn, KEY_A)!;
    expect(hit.value).toEqual(value);
    expect(hit.value).not.toBe(value);
  });

  it("misses unknown keys and other code versions", async () => {
    store.writeSync(fn, KEY_A, 1);
    expect(store.readSync(fn, KEY_B)).toBeUndefined();
    expect(await store.read({ ...fn, version: "bbbb2222" }, KEY_A)).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it("keeps the real id in meta.json and uses owner-only permissions", () => {
    store.writeSync(fn, KEY_A, "v");
    const functionDir = join(temp.path, functionDirName(fn.id));
    expect(JSON.parse(readFileSync(join(functionDir, "meta.json"), "utf8"))).toEqual({ id: fn.id });
    expect(statSync(entryFile(fn, KEY_A)).mode & 0o777).toBe(0o600);
    expect(statSync(join(functionDir, "meta.json")).mode & 0o777).toBe(0o600);
    expect(statSync(functionDir).mode & 0o777).toBe(0o700);
    expect(statSync(versionDir(fn)).mode & 0o777).toBe(0o700);
  });

  it("leaves no temporary files behind", async () => {
    store.writeSync(fn, KEY_A, 1);
    await store.write(fn, KEY_B, 2);
    expect(readdirSync(versionDir(fn)).sort()).toEqual([`${KEY_A}.entry`, `${KEY_B}.entry`]);
  });

  it("hashes keys that are not plain file names, so they cannot escape the directory", () => {
    store.writeSync(fn, "../../escape", 1);
    expect(store.readSync(fn, "../../escape")).toEqual({ value: 1 });
    expect(readdirSync(versionDir(fn))).toEqual([expect.stringMatching(/^[0-9a-f]{32}\.entry$/)]);
  });

  it("rejects values that cannot be serialised with a clear error", () => {
    expect(() => store.writeSync(fn, KEY_A, { callback: () => 1 })).toThrow(UnserializableReturnValueError);
  });

  it("deletes one entry, or every version of a function", async () => {
    store.writeSync(fn, KEY_A, 1);
    store.writeSync(fn, KEY_B, 2);
    await store.delete(fn, KEY_A);
    expect(store.readSync(fn, KEY_A)).toBeUndefined();
    expect(store.readSync(fn, KEY_B)).toEqual({ value: 2 });
    await store.delete(fn);
    expect(existsSync(join(temp.path, functionDirName(fn.id)))).toBe(false);
    store.writeSync(fn, KEY_A, 3);
    expect(store.readSync(fn, KEY_A)).toEqual({ value: 3 });
  });

  it("recreates its directories when another process cleared them", () => {
    store.writeSync(fn, KEY_A, 1);
    temp.remove();
    store.writeSync(fn, KEY_B, 2);
    expect(store.readSync(fn, KEY_B)).toEqual({ value: 2 });
  });
});

describe("DiskStore ttl and bounds", () => {
  it("honours ttl from the stored timestamps", async () => {
    const shortLived = { ...fn, ttlMs: 120 };
    store.writeSync(shortLived, KEY_A, "fresh");
    expect(store.readSync(shortLived, KEY_A)).toEqual({ value: "fresh" });
    await sleep(180);
    expect(store.readSync(shortLived, KEY_A)).toBeUndefined();
    expect(await store.read(shortLived, KEY_A)).toBeUndefined();
  });

  it("applies a ttl that was added or shortened after the entry was written", () => {
    const clock = vi.spyOn(Date, "now").mockReturnValue(Date.now() - 60_000);
    store.writeSync(fn, KEY_A, "written a minute ago without ttl");
    clock.mockRestore();
    expect(store.readSync(fn, KEY_A)).toEqual({ value: "written a minute ago without ttl" });
    expect(store.readSync({ ...fn, ttlMs: 120_000 }, KEY_A)).toEqual({ value: "written a minute ago without ttl" });
    expect(store.readSync({ ...fn, ttlMs: 10_000 }, KEY_A)).toBeUndefined();
  });

  it("keeps at most maxEntries files, evicting the oldest written", () => {
    const bounded = { ...fn, maxEntries: 3 };
    for (let index = 0; index < 6; index++) {
      const key = String(index).repeat(32);
      store.writeSync(bounded, key, index);
      const stamp = new Date(Date.now() - (10 - index) * 1000);
      utimesSync(entryFile(bounded, key), stamp, stamp);
    }
    const left = readdirSync(versionDir(bounded)).sort();
    expect(left).toEqual(["3", "4", "5"].map((digit) => `${digit.repeat(32)}.entry`));
  });

  it("keeps the directory under maxBytes", () => {
    const bounded = { ...fn, maxBytes: 5_000 };
    for (let index = 0; index < 10; index++) store.writeSync(bounded, String(index).repeat(32), "x".repeat(1_000));
    const total = readdirSync(versionDir(bounded)).reduce((sum, name) => sum + statSync(join(versionDir(bounded), name)).size, 0);
    expect(total).toBeLessThanOrEqual(5_000);
    expect(total).toBeGreaterThan(3_000);
    expect(store.readSync(bounded, "9".repeat(32))).toEqual({ value: "x".repeat(1_000) });
  });
});

describe("DiskStore pruning of old code versions", () => {
  it("removes other versions of a function when a new version is first written", () => {
    store.writeSync(fn, KEY_A, "old");
    const other: StoreFunction = { id: "src/other.ts#keep", version: "1" };
    store.writeSync(other, KEY_A, "untouched");
    const next = { ...fn, version: "bbbb2222" };
    const restarted = newStore();
    expect(restarted.readSync(next, KEY_A)).toBeUndefined();
    expect(existsSync(versionDir(fn))).toBe(true);
    restarted.writeSync(next, KEY_A, "new");
    expect(existsSync(versionDir(fn))).toBe(false);
    expect(restarted.readSync(next, KEY_A)).toEqual({ value: "new" });
    expect(restarted.readSync(other, KEY_A)).toEqual({ value: "untouched" });
  });
});

describe("DiskStore with damaged files", () => {
  const damages: [string, (file: string) => void][] = [
    ["a flipped payload byte", (file) => {
      const bytes = readFileSync(file);
      bytes[bytes.length - 2] ^= 0xff;
      writeFileSync(file, bytes);
    }],
    ["a flipped timestamp byte", (file) => {
      const bytes = readFileSync(file);
      bytes[12] ^= 0x01;
      writeFileSync(file, bytes);
    }],
    ["a truncated file", (file) => truncateSync(file, statSync(file).size - 10)],
    ["a file cut inside the header", (file) => truncateSync(file, 20)],
    ["an empty file", (file) => truncateSync(file, 0)],
    ["a foreign file", (file) => writeFileSync(file, JSON.stringify({ rows: [1, 2, 3] }))],
    ["a newer format version", (file) => {
      const bytes = readFileSync(file);
      bytes[6] = 99;
      writeFileSync(file, bytes);
    }],
  ];

  for (const [name, damage] of damages) {
    it(`treats ${name} as a miss, warns once naming the file, and is rewritten`, async () => {
      store.writeSync(fn, KEY_A, { rows: [1, 2, 3] });
      damage(entryFile(fn, KEY_A));
      expect(store.readSync(fn, KEY_A)).toBeUndefined();
      expect(await store.read(fn, KEY_A)).toBeUndefined();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(entryFile(fn, KEY_A));
      expect(warnings[0]).toMatch(/^\[automemo\] /);
      store.writeSync(fn, KEY_A, { rows: [4] });
      expect(store.readSync(fn, KEY_A)).toEqual({ value: { rows: [4] } });
    });
  }

  it("warns only once per store even for many damaged files", () => {
    store.writeSync(fn, KEY_A, 1);
    store.writeSync(fn, KEY_B, 2);
    truncateSync(entryFile(fn, KEY_A), 5);
    truncateSync(entryFile(fn, KEY_B), 5);
    expect(store.readSync(fn, KEY_A)).toBeUndefined();
    expect(store.readSync(fn, KEY_B)).toBeUndefined();
    expect(warnings).toHaveLength(1);
  });
});

describe("DiskStore.computeOnce in one process", () => {
  it("runs one computation for concurrent callers and gives all of them the value", async () => {
    let computations = 0;
    const compute = async () => {
      computations++;
      await sleep(50);
      return { answer: 42 };
    };
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => store.computeOnce(fn, KEY_A, compute)));
    expect(computations).toBe(1);
    expect(results).toEqual(Array(5).fill({ answer: 42 }));
    expect(readdirSync(versionDir(fn))).toEqual([`${KEY_A}.entry`]);
  });

  it("computeOnceSync stores the value once and then serves it without computing", () => {
    let computations = 0;
    const compute = () => (computations++, { answer: 42 });
    expect(store.computeOnceSync(fn, KEY_A, compute)).toEqual({ answer: 42 });
    expect(newStore().computeOnceSync(fn, KEY_A, compute)).toEqual({ answer: 42 });
    expect(computations).toBe(1);
    expect(() => store.computeOnceSync(fn, KEY_B, () => {
      throw new Error("sync boom");
    })).toThrow("sync boom");
    expect(store.computeOnceSync(fn, KEY_B, () => "after the failure")).toBe("after the failure");
    expect(readdirSync(versionDir(fn)).filter((name) => name.endsWith(".lock"))).toEqual([]);
  });

  it("does not cache a failed computation and releases the lock", async () => {
    await expect(store.computeOnce(fn, KEY_A, async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await store.computeOnce(fn, KEY_A, async () => "second try")).toBe("second try");
  });

  it("breaks a lock whose holder stopped refreshing it", async () => {
    const quick = newStore({ lockStaleMs: 200 });
    store.writeSync(fn, KEY_B, "prepare directories");
    const lock = join(versionDir(fn), `${KEY_A}.lock`);
    writeFileSync(lock, "another-host\n1\nabc");
    const old = new Date(Date.now() - 10_000);
    utimesSync(lock, old, old);
    expect(await quick.computeOnce(fn, KEY_A, async () => "taken over")).toBe("taken over");
  });

  it("breaks at once a lock held by a dead process on this host", async () => {
    store.writeSync(fn, KEY_B, "prepare directories");
    const { hostname } = await import("node:os");
    writeFileSync(join(versionDir(fn), `${KEY_A}.lock`), `${hostname()}\n2147483646\nabc`);
    const started = Date.now();
    expect(await store.computeOnce(fn, KEY_A, async () => "taken over")).toBe("taken over");
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe("DiskStore on an unusable directory", () => {
  it("warns once and keeps working without persisting when the cache root cannot be created", async () => {
    const blocker = join(temp.path, "a-file");
    writeFileSync(blocker, "not a directory");
    const broken = new DiskStore({ dir: join(blocker, "cache"), warn: (message) => warnings.push(message) });
    expect(() => broken.writeSync(fn, KEY_A, 1)).not.toThrow();
    await broken.write(fn, KEY_B, 2);
    expect(broken.readSync(fn, KEY_A)).toBeUndefined();
    expect(await broken.computeOnce(fn, KEY_A, async () => "computed anyway")).toBe("computed anyway");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^\[automemo\] could not write to the disk cache in .*a-file.*ENOTDIR/);
  });

  // Root ignores permission bits, so this case can only be exercised as a normal user.
  it.skipIf(process.getuid?.() === 0)("computes without the lock when the version directory is read-only", async () => {
    store.writeSync(fn, KEY_B, "prepare directories");
    chmodSync(versionDir(fn), 0o500);
    try {
      expect(await store.computeOnce(fn, KEY_A, async () => "computed anyway")).toBe("computed anyway");
      expect(warnings).toHaveLength(1);
    } finally {
      chmodSync(versionDir(fn), 0o700);
    }
  });
});
