/**
 * Signed entries (`configure({ signingKey })` / AUTOMEMO_SIGNING_KEY): with a key, only
 * an entry signed with it for its own function, version and key is read; unsigned,
 * wrongly signed, moved or tampered entries are misses with one warning. Disk and Redis.
 */
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RESP_TYPES } from "redis";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { clearAll, configure, InvalidOptionError, memo } from "../../runtime/index.ts";
import { sharedRuntime } from "../../runtime/handle/shared.ts";
import { decodeEntry, DefectiveEntry, encodeEntry, ENTRY_HEADER_BYTES, entryAddress } from "../../runtime/stores/codec.ts";
import { DiskStore } from "../../runtime/stores/disk.ts";
import { functionDirName, versionDirName } from "../../runtime/stores/disk-layout.ts";
import { closeStores, resetStores } from "../../runtime/stores/index.ts";
import { RedisStore } from "../../runtime/stores/redis.ts";
import type { StoreFunction } from "../../runtime/stores/store.ts";
import { envelopeAround } from "./helpers/crafted-entries.ts";
import { RedisServer } from "./helpers/redis-server.ts";
import { redisTestsEnabled, startRedisForSuite, type RawRedisClient } from "./helpers/redis-tests.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

const KEY = "0123456789abcdef0123456789abcdef";
const OTHER_KEY = "fedcba9876543210fedcba9876543210";
const SECRET = "correct horse battery staple";
const fn: StoreFunction = { id: "src/db.ts#loadRows", version: "v1" };

/** Re-wraps a signed entry's payload after changing one byte, with a valid CRC but the old signature. */
function tampered(signed: Buffer): Buffer {
  const payloadLength = signed.readDoubleLE(24);
  const payload = Buffer.from(signed.subarray(ENTRY_HEADER_BYTES, ENTRY_HEADER_BYTES + payloadLength));
  payload[payload.length - 1] ^= 1;
  return Buffer.concat([envelopeAround(payload, 1), signed.subarray(ENTRY_HEADER_BYTES + payloadLength)]);
}

describe("the codec's signatures", () => {
  const seal = { secret: SECRET, address: entryAddress(fn.id, fn.version, KEY) };
  const signed = encodeEntry(fn.id, { rows: [1] }, { createdAt: 1, expiresAt: 0 }, seal);

  it("accepts an entry signed for its address with the key, and reads it without a key too", () => {
    expect(decodeEntry(signed, seal)).toMatchObject({ value: { rows: [1] } });
    expect(decodeEntry(signed)).toMatchObject({ value: { rows: [1] } });
  });

  it.each([
    ["an unsigned entry", () => decodeEntry(encodeEntry(fn.id, 1, { createdAt: 1, expiresAt: 0 }), seal), "unsigned"],
    ["a wrong key", () => decodeEntry(signed, { ...seal, secret: "guess" }), "bad-signature"],
    ["another key of the function", () => decodeEntry(signed, { ...seal, address: entryAddress(fn.id, fn.version, OTHER_KEY) }), "bad-signature"],
    ["another version", () => decodeEntry(signed, { ...seal, address: entryAddress(fn.id, "v2", KEY) }), "bad-signature"],
    ["another function", () => decodeEntry(signed, { ...seal, address: entryAddress("src/db.ts#other", fn.version, KEY) }), "bad-signature"],
    ["a tampered payload with a fixed-up CRC", () => decodeEntry(tampered(signed), seal), "bad-signature"],
    ["a cut signature", () => decodeEntry(signed.subarray(0, signed.length - 1), seal), "truncated"],
  ])("refuses %s", (_name, decode, defect) => {
    const decoded = decode();
    expect(decoded).toBeInstanceOf(DefectiveEntry);
    expect((decoded as DefectiveEntry).defect).toBe(defect);
  });
});

describe("DiskStore with a signing key", () => {
  let temp: ReturnType<typeof makeTempDir>;
  let warnings: string[];
  const store = (signingKey?: string) => new DiskStore({ dir: temp.path, signingKey, warn: (message) => warnings.push(message) });
  const entry = (key: string) => join(temp.path, functionDirName(fn.id), versionDirName(fn.version), `${key}.entry`);

  beforeEach(() => {
    temp = makeTempDir("signing");
    warnings = [];
  });
  afterEach(() => temp.remove());

  it("reads its own signed entries", () => {
    store(SECRET).writeSync(fn, KEY, { rows: 2 });
    expect(store(SECRET).readSync(fn, KEY)).toEqual({ value: { rows: 2 } });
    expect(readFileSync(entry(KEY))[7]).toBe(1);
    expect(warnings).toEqual([]);
  });

  it("treats an unsigned entry as a miss, with one warning", () => {
    store().writeSync(fn, KEY, "planted");
    store().writeSync(fn, OTHER_KEY, "planted too");
    const signed = store(SECRET);
    expect(signed.readSync(fn, KEY)).toBeUndefined();
    expect(signed.readSync(fn, OTHER_KEY)).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/unsigned: not signed, and a signing key is configured/);
  });

  it("treats an entry signed with another key, moved to another key, or tampered with as a miss", () => {
    store("another secret").writeSync(fn, KEY, "wrong key");
    expect(store(SECRET).readSync(fn, KEY)).toBeUndefined();
    store(SECRET).writeSync(fn, KEY, "for KEY");
    copyFileSync(entry(KEY), entry(OTHER_KEY));
    expect(store(SECRET).readSync(fn, OTHER_KEY)).toBeUndefined();
    writeFileSync(entry(KEY), tampered(readFileSync(entry(KEY))));
    expect(store(SECRET).readSync(fn, KEY)).toBeUndefined();
    expect(warnings.every((message) => message.includes("bad-signature"))).toBe(true);
  });

  it("signs through configure({ signingKey }) and refuses an empty key", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await resetStores();
    try {
      configure({ cacheDir: temp.path, signingKey: SECRET });
      const id = `test/signing.ts#load${Math.random().toString(36).slice(2)}`;
      const meta = { id, hash: "v1", params: ["x"], options: { persist: "disk" } };
      let calls = 0;
      expect(memo((x: number) => (calls++, x * 2), meta)(4)).toBe(8);
      sharedRuntime().handles.delete(id);
      expect(memo((x: number) => (calls++, x * 2), meta)(4)).toBe(8);
      expect(calls).toBe(1);
      const folder = join(temp.path, functionDirName(id), versionDirName("v1"));
      const [name] = readdirSync(folder).filter((file) => file.endsWith(".entry"));
      expect(readFileSync(join(folder, name!))[7]).toBe(1);
      expect(() => configure({ signingKey: "" })).toThrow(InvalidOptionError);
    } finally {
      await clearAll();
      await closeStores();
      await resetStores();
      warn.mockRestore();
    }
  });
});

describe.skipIf(!redisTestsEnabled("the Redis signing tests"))("RedisStore with a signing key", () => {
  let server: RedisServer;
  let raw: RawRedisClient;
  let warnings: string[];
  let stores: RedisStore[];
  const store = (signingKey?: string) => {
    const created = new RedisStore({ url: server.url, timeoutMs: 500, signingKey, warn: (message) => warnings.push(message) });
    stores.push(created);
    return created;
  };
  const binary = () => raw.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });

  startRedisForSuite((started, client) => {
    server = started;
    raw = client;
  });
  beforeEach(async () => {
    warnings = [];
    stores = [];
    await raw.flushAll();
  });
  afterEach(async () => {
    await Promise.all(stores.map((created) => created.close()));
  });

  it("reads its own signed values and refuses unsigned, wrongly signed, moved and tampered ones", async () => {
    const signed = store(SECRET);
    await signed.write(fn, KEY, { rows: 3 });
    expect(await store(SECRET).read(fn, KEY)).toEqual({ value: { rows: 3 } });
    const bytes = (await binary().get(signed.entryKey(fn, KEY)))!;

    await raw.set(signed.entryKey(fn, OTHER_KEY), bytes);
    expect(await store(SECRET).read(fn, OTHER_KEY)).toBeUndefined();
    await raw.set(signed.entryKey(fn, KEY), tampered(bytes));
    expect(await store(SECRET).read(fn, KEY)).toBeUndefined();
    await store("another secret").write(fn, KEY, "wrong key");
    expect(await store(SECRET).read(fn, KEY)).toBeUndefined();
    await store().write(fn, KEY, "unsigned");
    const reader = store(SECRET);
    expect(await reader.read(fn, KEY)).toBeUndefined();
    expect(warnings.at(-1)).toMatch(/unsigned: not signed/);
    expect(await store().read(fn, KEY)).toEqual({ value: "unsigned" });
  });
});
