import { describe, expect, it } from "vitest";
import { InvalidOptionError } from "../../runtime/errors.ts";
import { parseByteSize, parseDuration, suggestName, validateOptions } from "../../runtime/options.ts";

describe("validateOptions", () => {
  it("normalizes durations and sizes", () => {
    expect(validateOptions({ ttl: 2 }, "memo", "w")).toEqual({ ttlMs: 2000 });
    expect(validateOptions({ ttl: "250ms" }, "memo", "w").ttlMs).toBe(250);
    expect(validateOptions({ ttl: "10s" }, "memo", "w").ttlMs).toBe(10_000);
    expect(validateOptions({ ttl: "5m" }, "memo", "w").ttlMs).toBe(300_000);
    expect(validateOptions({ ttl: "2h" }, "memo", "w").ttlMs).toBe(7_200_000);
    expect(validateOptions({ ttl: "1d" }, "memo", "w").ttlMs).toBe(86_400_000);
    expect(validateOptions({ ttl: "1h30m" }, "memo", "w").ttlMs).toBe(5_400_000);
    expect(validateOptions({ ttl: "1m 30s" }, "memo", "w").ttlMs).toBe(90_000);
    expect(validateOptions({ maxBytes: "64MB" }, "memo", "w").maxBytes).toBe(64 * 1024 * 1024);
    expect(validateOptions({ maxBytes: "512KB" }, "memo", "w").maxBytes).toBe(512 * 1024);
    expect(validateOptions({ maxBytes: "1GB" }, "memo", "w").maxBytes).toBe(1024 ** 3);
    expect(validateOptions({ maxBytes: 1000 }, "memo", "w").maxBytes).toBe(1000);
    expect(validateOptions({ maxEntries: 10, persist: "disk", deps: false }, "memo", "w")).toEqual({ maxEntries: 10, persist: "disk", deps: false });
    expect(validateOptions({ key: "identity" }, "singleton", "w")).toEqual({ key: "identity" });
    expect(validateOptions(undefined, "memo", "w")).toEqual({});
  });

  it("rejects bad values, naming option, place and fix", () => {
    const cases: [unknown, RegExp][] = [
      [{ ttl: "soon" }, /^\[automemo\] Invalid option 'ttl' in src\/a\.ts:3: "soon" is not a duration\. Use a number of seconds/],
      [{ ttl: "10" }, /"10" is not a duration/],
      [{ ttl: 0 }, /0 is not a positive, finite number of seconds/],
      [{ ttl: "1h30" }, /"1h30" is not a duration/],
      [{ maxEntries: 1.5 }, /Invalid option 'maxEntries' in src\/a\.ts:3: 1\.5 is not a positive whole number\. Use a whole number of entries/],
      [{ maxEntries: 0 }, /0 is not a positive whole number/],
      [{ maxBytes: "64 potatoes" }, /"64 potatoes" is not a size\. Use a number of bytes/],
      [{ persist: "" }, /Invalid option 'persist'.*"" is not a store name\. Use "disk", "redis"/],
      [{ persist: 3 }, /3 is not a store name/],
      [{ deps: "yes" }, /'deps'.*"yes" is not a boolean/],
      [{ tll: 3 }, /Invalid option 'tll' in src\/a\.ts:3: this option does not exist\. Did you mean 'ttl'\?/],
      [{ max_entries: 3 }, /Did you mean 'maxEntries'\?/],
      [{ colour: 3 }, /Known options: ttl, maxEntries, maxBytes, persist, key, deps, tags, staleWhileRevalidate, staleIfError\./],
      [[1], /expected an object literal such as \{ ttl: "1h" \}, got an array/],
    ];
    for (const [raw, message] of cases) {
      let error: unknown;
      try {
        validateOptions(raw, "memo", "src/a.ts:3");
      } catch (caught) {
        error = caught;
      }
      expect(error, JSON.stringify(raw)).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toMatch(message);
      expect((error as InvalidOptionError).code).toBe("INVALID_OPTION");
    }
  });

  it("keeps memo-only and singleton-only options apart", () => {
    expect(() => validateOptions({ maxBytes: "1MB" }, "singleton", "w")).toThrow(/'maxBytes' applies to @memo only/);
    expect(() => validateOptions({ persist: "disk" }, "singleton", "w")).toThrow(/'persist' applies to @memo only/);
    expect(() => validateOptions({ key: "identity" }, "memo", "w")).toThrow(/'key' applies to @singleton only/);
    expect(() => validateOptions({ key: "weak" }, "singleton", "w")).toThrow(/"weak" is not a keying mode/);
  });

  it("exposes its parsers and the did-you-mean helper", () => {
    expect(parseDuration("1.5s", "ttl", "w")).toBe(1500);
    expect(parseByteSize("1.5KiB", "maxBytes", "w")).toBe(1536);
    expect(suggestName("maxentries", ["ttl", "maxEntries"])).toBe("maxEntries");
    expect(suggestName("banana", ["ttl", "maxEntries"])).toBeUndefined();
  });
});
