/**
 * CommonJS support on the main thread, where the hooks-thread module hooks (Node 20, and
 * 22 before 22.15) do not reach:
 * `require("./util.js")` and `require("./util")` find `./util.ts` (Node resolves
 * `require` inside hook-loaded CommonJS with the CommonJS resolver too), and a `.ts` /
 * `.cts` / `.tsx` file reached by a plain `require()` is compiled like the hooks do.
 * Where another loader already compiles required TypeScript (tsx), it keeps every file
 * but the project files with tags, which automemo compiles: otherwise their tags would
 * silently not apply.
 */
import { readFileSync } from "node:fs";
import Module from "node:module";
import { mightContainTags } from "../core/index.ts";
import { compileForNode } from "./compile.ts";
import type { ProjectFilesListener } from "./project-modules.ts";
import { isRelativeSpecifier, typeScriptCandidates } from "./specifiers.ts";

const NODE_MODULES = /[\\/]node_modules[\\/]/;

interface CommonJsInternals {
  _resolveFilename(request: string, parent: unknown, ...rest: unknown[]): string;
  _extensions: Record<string, (module: { _compile(code: string, filename: string): void }, filename: string) => void>;
}

export function installCommonJsSupport(onProjectFiles?: ProjectFilesListener): void {
  const internals = Module as unknown as CommonJsInternals;
  const resolveFilename = internals._resolveFilename;
  internals._resolveFilename = function resolveTypeScriptSpelling(request, parent, ...rest) {
    try {
      return resolveFilename.call(this, request, parent, ...rest);
    } catch (error) {
      if ((error as { code?: string }).code !== "MODULE_NOT_FOUND" || !isRelativeSpecifier(request)) throw error;
      for (const candidate of typeScriptCandidates(request)) {
        try {
          return resolveFilename.call(this, candidate, parent, ...rest);
        } catch {
          // not this spelling; try the next one
        }
      }
      throw error;
    }
  };
  for (const extension of [".ts", ".cts", ".tsx"]) {
    const existing = internals._extensions[extension];
    internals._extensions[extension] = (module, filename) => {
      const source = readFileSync(filename, "utf8");
      if (existing && (NODE_MODULES.test(filename) || !mightContainTags(source))) return existing(module, filename);
      // A required file is CommonJS whatever its package says (require(esm) is not what a .ts author means here).
      const compiled = compileForNode(source, filename, "commonjs")!;
      onProjectFiles?.([filename, ...compiled.dependencyFiles]);
      module._compile(compiled.code, filename);
    };
  }
}
