import { execFileSync } from "node:child_process";
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type * as TS from "typescript";
import { afterEach, describe, expect, it } from "vitest";
import { createDiskResolver, createTypeScriptDependencyResolver } from "../../transformer/core/index.ts";
import { readToEnd } from "../../transformer/core/deps/file-reads.ts";
import { pathCandidates, readPathMapping, stripJsonComments } from "../../transformer/core/deps/tsconfig.ts";

const ts = createRequire(import.meta.url)("typescript") as typeof TS;
const projects: string[] = [];

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "automemo-resolve-"));
  projects.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

afterEach(() => {
  for (const root of projects.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe("tsconfig paths", () => {
  it("reads JSONC: comments and trailing commas, not inside strings", () => {
    const text = `{ // c\n "a": "// not a comment", /* b */ "b": [1, 2,], }`;
    expect(JSON.parse(stripJsonComments(text))).toEqual({ a: "// not a comment", b: [1, 2] });
  });

  it("inherits paths through extends and resolves them against the declaring config", () => {
    const root = project({
      "configs/base.json": `{ "compilerOptions": { "paths": { "@lib/*": ["../lib/*"], "exact": ["../lib/exact.ts"] } } }`,
      "tsconfig.json": `{ "extends": "./configs/base.json" }`,
    });
    const mapping = readPathMapping(join(root, "tsconfig.json"), (path) => createDiskResolver().readFile(path))!;
    expect(pathCandidates("@lib/math/sum", mapping)).toEqual([join(root, "lib/math/sum")]);
    expect(pathCandidates("exact", mapping)).toEqual([join(root, "lib/exact.ts")]);
    expect(pathCandidates("other", mapping)).toEqual([]);
  });

  it("prefers the wildcard pattern with the longest prefix, and baseUrl re-bases paths", () => {
    const mapping = { baseUrl: "/p/src", pathsBase: "/p/src", paths: { "*": ["vendor/*"], "@app/*": ["app/*"] } };
    expect(pathCandidates("@app/x", mapping)).toEqual(["/p/src/app/x"]);
    expect(pathCandidates("lodash", mapping)).toEqual(["/p/src/vendor/lodash"]);
  });
});

describe("createDiskResolver", () => {
  it("applies TypeScript's extension rules to relative imports", () => {
    const root = project({ "src/a.ts": "", "src/x.ts": "", "src/m.mts": "", "src/dir/index.ts": "", "src/plain.js": "", "src/data.json": "{}" });
    const resolver = createDiskResolver();
    const from = join(root, "src/a.ts");
    expect(resolver.resolve("./x.js", from)).toEqual({ kind: "file", path: join(root, "src/x.ts") });
    expect(resolver.resolve("./x", from)).toEqual({ kind: "file", path: join(root, "src/x.ts") });
    expect(resolver.resolve("./m.mjs", from)).toEqual({ kind: "file", path: join(root, "src/m.mts") });
    expect(resolver.resolve("./dir", from)).toEqual({ kind: "file", path: join(root, "src/dir/index.ts") });
    expect(resolver.resolve("./plain.js", from)).toEqual({ kind: "file", path: join(root, "src/plain.js") });
    expect(resolver.resolve("./data.json", from)).toEqual({ kind: "file", path: join(root, "src/data.json") });
    expect(resolver.resolve("./missing", from)).toBeNull();
  });

  it("names built-ins with the node: prefix and packages by name and installed version", () => {
    const root = project({
      "src/a.ts": "",
      "node_modules/@scope/pkg/package.json": `{ "name": "@scope/pkg", "version": "2.3.4" }`,
      "src/node_modules/nested/package.json": `{ "name": "nested", "version": "0.0.1" }`,
    });
    const resolver = createDiskResolver();
    const from = join(root, "src/a.ts");
    expect(resolver.resolve("fs", from)).toEqual({ kind: "builtin", name: "node:fs" });
    expect(resolver.resolve("node:fs/promises", from)).toEqual({ kind: "builtin", name: "node:fs/promises" });
    expect(resolver.resolve("@scope/pkg/deep/file.js", from)).toMatchObject({ kind: "package", name: "@scope/pkg", version: "2.3.4" });
    expect(resolver.resolve("nested", from)).toMatchObject({ kind: "package", name: "nested", version: "0.0.1" });
    expect(resolver.resolve("not-installed", from)).toBeNull();
  });

  it("maps tsconfig paths and baseUrl before looking in node_modules", () => {
    const root = project({
      "tsconfig.json": `{ "compilerOptions": { "baseUrl": "./src", "paths": { "~/*": ["./*"] } } }`,
      "src/a.ts": "",
      "src/util/format.ts": "",
      "node_modules/leftpad/package.json": `{ "version": "9.9.9" }`,
    });
    const resolver = createDiskResolver();
    const from = join(root, "src/a.ts");
    expect(resolver.resolve("~/util/format", from)).toEqual({ kind: "file", path: join(root, "src/util/format.ts") });
    expect(resolver.resolve("util/format", from)).toEqual({ kind: "file", path: join(root, "src/util/format.ts") });
    expect(resolver.resolve("leftpad", from)).toMatchObject({ kind: "package", name: "leftpad", version: "9.9.9" });
  });

  it("sees an edit to a config that tsconfig.json extends", () => {
    const root = project({
      "configs/base.json": `{ "compilerOptions": { "paths": { "@lib/*": ["../lib/*"] } } }`,
      "tsconfig.json": `{ "extends": "./configs/base.json" }`,
      "lib/x.ts": "",
      "vendor/x.ts": "",
      "src/a.ts": "",
    });
    const resolver = createDiskResolver();
    const from = join(root, "src/a.ts");
    expect(resolver.resolve("@lib/x", from)).toEqual({ kind: "file", path: join(root, "lib/x.ts") });
    writeFileSync(join(root, "configs/base.json"), `{ "compilerOptions": { "paths": { "@lib/*": ["../vendor/*"] } } }`);
    expect(resolver.resolve("@lib/x", from)).toEqual({ kind: "file", path: join(root, "vendor/x.ts") });
  });

  it("sees a changed file through its text cache", () => {
    const root = project({ "src/a.ts": "one" });
    const resolver = createDiskResolver();
    const path = join(root, "src/a.ts");
    expect(resolver.readFile(path)).toBe("one");
    writeFileSync(path, "two");
    expect(resolver.readFile(path)).toBe("two");
    rmSync(path);
    expect(resolver.readFile(path)).toBeUndefined();
  });

  it("sees an edit made after a resolution that no read followed", { timeout: 10_000 }, async () => {
    const root = project({ "src/a.ts": "export const v = 1;\n", "src/x/c.ts": "" });
    const path = join(root, "src/a.ts");
    const old = new Date(Date.now() - 60_000);
    utimesSync(path, old, old);
    // Past the racy window of the file's ctime (which cannot be set back), so the text cache trusts stamps.
    await new Promise((done) => setTimeout(done, 2_100));
    const resolver = createDiskResolver();
    expect(resolver.readFile(path)).toBe("export const v = 1;\n");
    // The resolution stats a.ts; the session already has its text, so no read follows.
    expect(resolver.resolve("../a.ts", join(root, "src/x/c.ts"))).toEqual({ kind: "file", path });
    writeFileSync(path, "export const v = 22;\n");
    const later = new Date(Date.now() - 30_000);
    utimesSync(path, later, later);
    expect(resolver.readFile(path)).toBe("export const v = 22;\n");
  });
});

describe("createDiskResolver reads", () => {
  const pastRacyWindow = (): Promise<void> => new Promise((done) => setTimeout(done, 2_100));

  it("sees a same-size edit whose mtime was set back (by its ctime)", { timeout: 10_000 }, async () => {
    const root = project({ "src/a.ts": "export const v = 1;\n" });
    const path = join(root, "src/a.ts");
    const old = new Date(Date.now() - 60_000);
    utimesSync(path, old, old);
    await pastRacyWindow();
    const resolver = createDiskResolver();
    expect(resolver.readFile(path)).toBe("export const v = 1;\n");
    // Same inode, same size, same mtime: only the ctime tells.
    writeFileSync(path, "export const v = 2;\n");
    utimesSync(path, old, old);
    expect(resolver.readFile(path)).toBe("export const v = 2;\n");
  });

  it("does not read directories, whether never read or replacing a file", () => {
    const root = project({ "src/a.ts": "one", "src/from.ts": "", "src/dir.ts/index.ts": "" });
    const resolver = createDiskResolver();
    expect(resolver.readFile(join(root, "src"))).toBeUndefined();
    expect(resolver.readFile(join(root, "src/dir.ts"))).toBeUndefined();
    // `./dir.ts` names a directory: not the file, but the index inside it.
    expect(resolver.resolve("./dir.ts", join(root, "src/from.ts"))).toEqual({ kind: "file", path: join(root, "src/dir.ts/index.ts") });
    const path = join(root, "src/a.ts");
    expect(resolver.resolve("./a.js", join(root, "src/from.ts"))).toEqual({ kind: "file", path });
    expect(resolver.readFile(path)).toBe("one");
    rmSync(path);
    mkdirSync(path);
    expect(resolver.readFile(path)).toBeUndefined();
    // The resolution that led to it is forgotten with it.
    expect(resolver.resolve("./a.js", join(root, "src/from.ts"))).toBeNull();
  });

  it("answers undefined for files it cannot read: broken links, link loops, no permission", () => {
    const root = project({ "src/a.ts": "one" });
    const resolver = createDiskResolver();
    symlinkSync(join(root, "src/missing.ts"), join(root, "src/broken.ts"));
    symlinkSync(join(root, "src/loop2.ts"), join(root, "src/loop1.ts"));
    symlinkSync(join(root, "src/loop1.ts"), join(root, "src/loop2.ts"));
    expect(resolver.readFile(join(root, "src/broken.ts"))).toBeUndefined();
    expect(resolver.readFile(join(root, "src/loop1.ts"))).toBeUndefined();
    expect(resolver.readFile(join(root, "src/nothing.ts"))).toBeUndefined();
    const path = join(root, "src/a.ts");
    chmodSync(path, 0o000);
    // Root reads it anyway; then so must the resolver.
    let readable = true;
    try {
      readFileSync(path, "utf8");
    } catch {
      readable = false;
    }
    expect(resolver.readFile(path)).toBe(readable ? "one" : undefined);
  });

  it.skipIf(process.platform === "win32")("does not hang on a FIFO, which is no file", () => {
    const root = project({});
    const path = join(root, "pipe.ts");
    execFileSync("mkfifo", [path]);
    expect(createDiskResolver().readFile(path)).toBeUndefined();
  });

  it("decodes like readFileSync(path, \"utf8\"): BOM, invalid bytes, large and empty files, one after another", () => {
    const root = project({});
    const bytes = [
      Buffer.from([0xef, 0xbb, 0xbf, 0x61, 0xff, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98]),
      Buffer.from("é€😀".repeat(300_000)), // past every kept buffer, multi-byte characters across read boundaries
      Buffer.alloc(0),
      Buffer.from("short"),
    ];
    const resolver = createDiskResolver();
    bytes.forEach((content, index) => writeFileSync(join(root, `f${index}.ts`), content));
    for (let index = 0; index < bytes.length; index++) {
      const path = join(root, `f${index}.ts`);
      expect(resolver.readFile(path)).toBe(readFileSync(path, "utf8"));
    }
  });

  it.skipIf(process.platform !== "linux")("reads past the size fstat gave (a file that grew, or one that reports no size)", () => {
    const root = project({ "big.ts": "x".repeat(300_000) + "end" });
    const path = join(root, "big.ts");
    const fd = openSync(path, "r");
    try {
      // As if fstat had run before the file grew to its present size.
      expect(readToEnd(fd, 10)).toBe(readFileSync(path, "utf8"));
    } finally {
      closeSync(fd);
    }
    // /proc files report size 0 and have content.
    expect(createDiskResolver().readFile("/proc/self/mountinfo")?.length).toBeGreaterThan(0);
  });
});

describe("createTypeScriptDependencyResolver", () => {
  function programFor(root: string, files: string[], options: TS.CompilerOptions = {}): TS.Program {
    return ts.createProgram(files.map((file) => join(root, file)), { noLib: true, types: [], allowJs: true, moduleResolution: ts.ModuleResolutionKind.Bundler, module: ts.ModuleKind.ESNext, ...options });
  }

  it("resolves like the program, names packages and built-ins like the disk resolver", () => {
    const root = project({
      "src/a.ts": `import "./b.js"; import "~/c"; import "pkg";`,
      "src/b.ts": "export const b = 1;",
      "src/c.ts": "export const c = 1;",
      "node_modules/pkg/package.json": `{ "name": "pkg", "version": "1.2.3", "types": "index.d.ts" }`,
      "node_modules/pkg/index.d.ts": "export declare const p: number;",
    });
    const program = programFor(root, ["src/a.ts"], { baseUrl: root, paths: { "~/*": ["src/*"] } });
    const resolver = createTypeScriptDependencyResolver(ts, program);
    const from = join(root, "src/a.ts");
    expect(resolver.resolve("./b.js", from)).toEqual({ kind: "file", path: join(root, "src/b.ts") });
    expect(resolver.resolve("~/c", from)).toEqual({ kind: "file", path: join(root, "src/c.ts") });
    expect(resolver.resolve("pkg", from)).toMatchObject({ kind: "package", name: "pkg", version: "1.2.3" });
    expect(resolver.resolve("node:path", from)).toEqual({ kind: "builtin", name: "node:path" });
    expect(resolver.resolve("./nowhere", from)).toBeNull();
    expect(resolver.readFile(join(root, "src/b.ts"))).toBe("export const b = 1;");
  });

  it("hashes the JavaScript file a declaration file describes, as the disk resolver does", () => {
    const root = project({ "src/a.ts": `import { legacy } from "./legacy";`, "src/legacy.d.ts": "export declare function legacy(): void;", "src/legacy.js": "export function legacy() {}" });
    const program = programFor(root, ["src/a.ts"], { allowJs: false });
    const resolver = createTypeScriptDependencyResolver(ts, program);
    const from = join(root, "src/a.ts");
    expect(resolver.resolve("./legacy", from)).toEqual(createDiskResolver().resolve("./legacy", from));
  });
});
