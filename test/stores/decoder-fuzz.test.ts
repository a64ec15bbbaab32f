/**
 * Whatever sits in a cache entry (disk file or Redis value), reading it gives a miss or
 * the right value: never a throw, a hang, or a Promise from a function that returns
 * plain values. Codec level first, then through a real @memo function on disk and Redis.
 */
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { serialize } from "node:v8";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { memo } from "../../runtime/index.ts";
import { sharedRuntime } from "../../runtime/handle/shared.ts";
import { decodeEntry, DefectiveEntry, encodeEntry } from "../../runtime/stores/codec.ts";
import { MAX_DECODED_DEPTH, measureDecodedShape } from "../../runtime/stores/decoded-shape.ts";
import { envelopeAround, hostileRecords, hugeSparseArray, mutatedEnvelope, nested, sharedBufferViewsRecord, storedRecord } from "./helpers/crafted-entries.ts";
import { RedisServer } from "./helpers/redis-server.ts";
import { redisTestsEnabled, startRedisForSuite, type RawRedisClient } from "./helpers/redis-tests.ts";
import { persistedMemoSuite } from "./helpers/persisted-suite.ts";
import { adversarialValue } from "../hash/adversarial-values.ts";

/** Values to store: anything fast-check makes, plus boxed primitives and records around them. */
const storedValue = fc.oneof(
  fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true, withBigInt: true }),
  fc.record({ async: fc.boolean(), value: fc.anything({ withBoxedValues: true, withMap: true, withTypedArray: true }) }),
);

function serialized(value: unknown): Buffer | undefined {
  try {
    return serialize(value);
  } catch {
    return undefined;
  }
}

/** What automemo's own encoder writes (views by reference, fixup tables), or nothing when it refuses the value. */
function exactlyEncoded(value: unknown): Buffer | undefined {
  try {
    return encodeEntry("fuzz", { async: false, value }, { createdAt: 0, expiresAt: 0 });
  } catch {
    return undefined;
  }
}

/** Values whose entries carry fixups (null prototypes, lastIndex, errors) and views sharing buffers. */
const fixupValue = fc.oneof(
  adversarialValue,
  fc.constantFrom(
    () => Object.assign(Object.create(null) as object, { a: { b: Object.create(null) as object } }),
    () => Object.assign(new RangeError("r", { cause: new AggregateError([new Error("e")]) }), { code: "E" }),
    () => Object.assign(/x/g, { lastIndex: 2 }),
    () => {
      const buffer = new ArrayBuffer(16);
      return [new Uint16Array(buffer, 2, 3), new DataView(buffer, 4, 8), buffer];
    },
  ).map((make) => make()),
);

/** Raw bytes, payloads behind a valid CRC, and mutated valid envelopes. */
const storedBytes: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => envelopeAround(bytes)),
  storedValue.map((value) => serialized(value)).filter((bytes): bytes is Buffer => bytes !== undefined).map((payload) => envelopeAround(payload)),
  storedValue.chain((value) => {
    const payload = serialized({ async: false, value });
    return payload === undefined ? fc.constant(Buffer.alloc(0)) : mutatedEnvelope(envelopeAround(payload));
  }),
  fixupValue.chain((value) => {
    const entry = exactlyEncoded(value);
    return entry === undefined ? fc.constant(Buffer.alloc(0)) : fc.oneof(fc.constant(entry), mutatedEnvelope(entry));
  }),
);

describe("decodeEntry on crafted and mutated bytes", () => {
  it("returns an entry or a defect for any bytes, and never throws", () => {
    fc.assert(
      fc.property(storedBytes, (bytes) => {
        const decoded = decodeEntry(bytes);
        expect(decoded instanceof DefectiveEntry || "value" in decoded).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it("refuses, without walking it, a value that declares more elements than its bytes hold", () => {
    const sparse = decodeEntry(storedRecord(hugeSparseArray()));
    expect(sparse).toBeInstanceOf(DefectiveEntry);
    expect((sparse as DefectiveEntry).defect).toBe("oversized-shape");
    expect((decodeEntry(sharedBufferViewsRecord(10_000)) as DefectiveEntry).defect).toBe("oversized-shape");
    expect((decodeEntry(storedRecord(nested(3_000))) as DefectiveEntry).defect).toBe("oversized-shape");
  });

  it("walks each object once: 60 diamonds in a row (2^60 paths through 61 objects) and a cycle decode, with their sharing", () => {
    let diamonds: Record<string, unknown> = {};
    for (let i = 0; i < 60; i++) diamonds = { left: diamonds, right: diamonds };
    const cycle: Record<string, unknown> = { diamonds };
    cycle.self = cycle;
    const started = performance.now();
    const decoded = decodeEntry(storedRecord(cycle));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(decoded).not.toBeInstanceOf(DefectiveEntry);
    const value = ((decoded as { value: { value: Record<string, unknown> } }).value).value;
    expect(value.self).toBe(value);
    const top = value.diamonds as Record<string, unknown>;
    expect(top.left).toBe(top.right);
  });

  it("bounds the depth a recursive copier reaches, also through a cycle: a chain that loops back counts its length", () => {
    // V8's own deserializer overflows near 2,100 levels (a miss too), so the bound is checked on the decoded graph.
    const loop = (levels: number): object => {
      const top: Record<string, unknown> = {};
      let node = top;
      for (let i = 1; i < levels; i++) node = node.next = {};
      node.next = top;
      return top;
    };
    expect(measureDecodedShape(loop(MAX_DECODED_DEPTH), 100 * MAX_DECODED_DEPTH)).toBe(true);
    expect(measureDecodedShape(loop(MAX_DECODED_DEPTH + 1), 100 * MAX_DECODED_DEPTH)).toBe(false);
  });

  it("keeps honest values: a sparse array of a million slots, 1,500 levels of nesting, views of separate buffers", () => {
    const sparse: unknown[] = [];
    sparse[999_999] = 1;
    for (const value of [sparse, nested(1_500), Array.from({ length: 100 }, () => new Uint8Array(1024))]) {
      const decoded = decodeEntry(encodeEntry("f", value, { createdAt: 0, expiresAt: 0 }));
      expect(decoded).not.toBeInstanceOf(DefectiveEntry);
    }
  });
});

/** The computation every crafted entry competes with. */
const computed = (x: number) => ({ x, rows: [x, x + 1] });

/** A plain-data record's value, when `bytes` decode to one a function of this kind may return. */
function plantedValue(bytes: Buffer, async: boolean): { value: unknown } | undefined {
  const decoded = decodeEntry(bytes);
  if (decoded instanceof DefectiveEntry) return undefined;
  const record = decoded.value as { async?: unknown; value?: unknown };
  return typeof record === "object" && record !== null && record.async === async ? { value: record.value } : undefined;
}

/** The result is the computation's, or (a record with plain data was planted) the planted value. */
function expectComputedOrPlanted(result: unknown, x: number, bytes: Buffer, async: boolean): void {
  if (isDeepStrictEqual(result, computed(x))) return;
  const planted = plantedValue(bytes, async);
  expect(planted, `got ${typeof result === "object" && result !== null ? Object.prototype.toString.call(result) : String(result)} for crafted bytes ${bytes.toString("hex").slice(0, 200)}`).toBeDefined();
  expect(isDeepStrictEqual(result, planted!.value)).toBe(true);
}

/** A fresh process: the in-memory handle is gone, the store is not. */
function forgetInMemory(id: string): void {
  sharedRuntime().handles.delete(id);
}

let counter = 0;

describe("a @memo function whose disk entry was crafted", () => {
  const suite = persistedMemoSuite("decoder-fuzz", (dir) => ({ cacheDir: dir }));

  /** A sync (or async) persisted memo function whose one entry exists on disk, and a way to replace that entry. */
  function persistedFunction(async: boolean) {
    const id = `test/decoder.ts#load${++counter}`;
    const meta = { id, hash: "v1", params: ["x"], options: { persist: "disk" } };
    const folder = `test_decoder.ts_load${counter}-`;
    let calls = 0;
    const create = () => (async ? memo(async (x: number) => (calls++, computed(x)), meta) : memo((x: number) => (calls++, computed(x)), meta)) as (x: number) => unknown;
    const f = {
      id,
      call: create(),
      calls: () => calls,
      /** Replaces the function's one entry file, then starts over as a fresh process would. */
      plant(bytes: Buffer) {
        const root = join(suite.dir, readdirSync(suite.dir).find((name) => name.startsWith(folder))!);
        const version = join(root, readdirSync(root).find((name) => name.startsWith("v-"))!);
        const entry = readdirSync(version).find((name) => name.endsWith(".entry"))!;
        writeFileSync(join(version, entry), bytes);
        f.restart();
      },
      restart() {
        forgetInMemory(id);
        f.call = create();
      },
    };
    return f;
  }

  it("computes again, returns no Promise and warns, when a sync function's entry claims a promise result", () => {
    const f = persistedFunction(false);
    expect(f.call(3)).toEqual(computed(3));
    f.plant(storedRecord({ x: 3, rows: ["from the attacker"] }, true));
    const result = f.call(3);
    expect(result).not.toBeInstanceOf(Promise);
    expect(result).toEqual(computed(3));
    expect(f.calls()).toBe(2);
    expect(suite.warnings.join("\n")).toMatch(/\[automemo\].*claims a promise result/);
  });

  it("believes stored promise results of a non-async function once it returned a promise in this process", async () => {
    const id = `test/decoder.ts#viaPromise${++counter}`;
    const meta = { id, hash: "v1", params: ["x"], options: { persist: "disk" } };
    let calls = 0;
    const create = () => memo((x: number) => (calls++, Promise.resolve(computed(x))), meta) as (x: number) => Promise<unknown>;
    const first = create();
    await first(1);
    await first(2);
    expect(calls).toBe(2);
    forgetInMemory(id);
    const restarted = create();
    // Not known to return promises yet: its first stored async record is doubted and recomputed...
    await expect(restarted(1)).resolves.toEqual(computed(1));
    expect(calls).toBe(3);
    // ...after which its stored records are hits.
    await expect(restarted(2)).resolves.toEqual(computed(2));
    expect(calls).toBe(3);
    expect(suite.warnings).toEqual([]);
  });

  it.each(hostileRecords)("treats $name as a miss, for a sync function", ({ bytes }) => {
    const f = persistedFunction(false);
    expect(f.call(4)).toEqual(computed(4));
    f.plant(bytes());
    const result = f.call(4);
    expect(result).not.toBeInstanceOf(Promise);
    expect(result).toEqual(computed(4));
    expect(f.calls()).toBe(2);
    // The computation overwrote the crafted entry: the next fresh process reads it.
    f.restart();
    expect(f.call(4)).toEqual(computed(4));
    expect(f.calls()).toBe(2);
  });

  it.each(hostileRecords)("treats $name as a miss, for an async function", async ({ bytes }) => {
    const f = persistedFunction(true);
    await expect(f.call(5)).resolves.toEqual(computed(5));
    f.plant(bytes());
    await expect(f.call(5)).resolves.toEqual(computed(5));
    expect(f.calls()).toBe(2);
  });

  it("answers any crafted entry with the computed value or the planted plain value, never a throw or a Promise (sync and async)", async () => {
    const sync = persistedFunction(false);
    sync.call(1);
    const async = persistedFunction(true);
    await async.call(1);
    await fc.assert(
      fc.asyncProperty(storedBytes, async (bytes) => {
        sync.plant(bytes);
        const result = sync.call(1);
        expect(result).not.toBeInstanceOf(Promise);
        expectComputedOrPlanted(result, 1, bytes, false);
        async.plant(bytes);
        const promised = async.call(1);
        expect(promised).toBeInstanceOf(Promise);
        expectComputedOrPlanted(await promised, 1, bytes, true);
      }),
      { numRuns: 150 },
    );
    // One warning per kind of problem and store, not one per entry.
    expect(suite.warnings.length).toBeLessThanOrEqual(3);
  });
});

describe.skipIf(!redisTestsEnabled("the Redis decoder fuzz tests"))("a @memo function whose Redis value was crafted", () => {
  let server: RedisServer;
  let raw: RawRedisClient;

  startRedisForSuite((started, client) => {
    server = started;
    raw = client;
  });
  const suite = persistedMemoSuite("decoder-fuzz-redis", () => ({ redisUrl: server.url }));

  async function persistedFunction() {
    const id = `test/decoder.ts#fetch${++counter}`;
    let calls = 0;
    const create = () => memo(async (x: number) => (calls++, computed(x)), { id, hash: "v1", params: ["x"], options: { persist: "redis" } }) as (x: number) => Promise<unknown>;
    const f = {
      call: create(),
      calls: () => calls,
      async plant(bytes: Buffer) {
        await raw.set(redisKey!, bytes);
        forgetInMemory(id);
        f.call = create();
      },
    };
    await f.call(2);
    const [redisKey] = await raw.keys(`automemo:${id}:*`);
    return f;
  }

  it.each(hostileRecords)("treats $name as a miss", async ({ bytes }) => {
    const f = await persistedFunction();
    await f.plant(bytes());
    await expect(f.call(2)).resolves.toEqual(computed(2));
    expect(f.calls()).toBe(2);
  });

  it("answers any crafted value with the computed value or the planted plain value, never a throw", async () => {
    const f = await persistedFunction();
    await fc.assert(
      fc.asyncProperty(storedBytes, async (bytes) => {
        await f.plant(bytes);
        expectComputedOrPlanted(await f.call(2), 2, bytes, true);
      }),
      { numRuns: 80 },
    );
    expect(suite.warnings.length).toBeLessThanOrEqual(3);
  });
});
