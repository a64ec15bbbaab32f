import { describe, expect, it } from "vitest";
import { chooseEmittedNames } from "../../transformer/core/emitted-names.ts";
import { transformSource } from "../../transformer/core/index.ts";

const transform = (source: string) => transformSource(source, { filename: "/p/src/a.ts", root: "/p", dependencies: false })!.code;

describe("generated names never collide with the file's names", () => {
  it("uses __am_ when the file never mentions it", () => {
    expect(chooseEmittedNames("const x = 1;")).toMatchObject({ cacheHandle: "__am_cacheHandle", miss: "__am_MISS", lookupResult: "__am_r", handlePrefix: "__am_" });
  });

  it.each([
    ["a declaration", "const __am_MISS = 1;"],
    ["a later declaration", "f(); function __am_r() {}"],
    ["a free identifier", "typeof __am_0"],
    ["a string evaluated later", 'eval("__am_r")'],
    ["a comment", "// __am_cacheHandle"],
    ["an escaped identifier", "const \\u005f_am_MISS = 1;"],
    ["a braced escape", "const \\u{5f}\\u{5F}am_r = 1;"],
  ])("moves to another prefix when the file has %s", (_label, source) => {
    expect(chooseEmittedNames(source).handlePrefix).toBe("__am1_");
  });

  it("skips every prefix in use", () => {
    expect(chooseEmittedNames("__am_x; __am1_y; __am2_z").handlePrefix).toBe("__am3_");
  });

  it("output of an earlier run keeps its prefix when transformed again", () => {
    const once = transform("const __am_r = 0;\n/** @memo */\nexport function f(x) { return x; }\n");
    expect(once).toContain("__am1_0");
    expect(transformSource(once, { filename: "/p/src/a.ts", root: "/p", dependencies: false })).toBeNull();
    const withNew = transform(`${once}\n/** @memo */\nexport function g(x) { return x; }\n`);
    expect(withNew).toContain("const __am1_1 = __am1_cacheHandle");
    expect(withNew.match(/import \{ cacheHandle/g)).toHaveLength(1);
  });
});
