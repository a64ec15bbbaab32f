import { build } from "esbuild";
import { runInNewContext } from "node:vm";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const STORES_ENTRY = fileURLToPath(new URL("../../runtime/stores/index.ts", import.meta.url));

describe("the store layer in a browser bundle", () => {
  it("imports no Node built-ins, evaluates without process/Buffer, and explains what is missing when used", async () => {
    const result = await build({ entryPoints: [STORES_ENTRY], bundle: true, platform: "browser", format: "iife", globalName: "stores", write: false, logLevel: "silent" });
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/from\s*["']node:|require\(["']node:|require\(["'](fs|path|os|crypto|v8|zlib)["']\)/);
    expect(code).not.toContain("node_modules/redis");
    const context: Record<string, unknown> = {};
    runInNewContext(`${code}\nthis.stores = stores;`, context);
    const stores = context.stores as typeof import("../../runtime/stores/index.ts");
    let thrown: unknown;
    try {
      stores.getStore("disk");
    } catch (error) {
      thrown = error;
    }
    expect((thrown as { code?: string }).code).toBe("NODE_ONLY_FEATURE");
    expect((thrown as Error).message).toMatch(/^\[automemo\] A persistent cache store needs the Node\.js module 'node:\w+'/);
  });
});
