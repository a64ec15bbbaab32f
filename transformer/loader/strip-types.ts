/**
 * Type stripping for the Node loader, after the automemo edits. Tried in this order,
 * the first that can handle a file wins:
 *
 * 1. Node's own `module.stripTypeScriptTypes` (Node 22.13+ / 23.2+), in strip mode: it
 *    replaces types with spaces, so positions do not move and no source map is needed,
 *    and it is what `node file.ts` itself runs. It cannot run TypeScript that needs code
 *    generation (enums, namespaces, parameter properties, `import =`), JSX, or `import`
 *    in a file that must run as CommonJS; such files go to the next stripper. (Its
 *    `"transform"` mode is not used: Node 26 removed it.)
 * 2. The project's `esbuild`: handles all of that, and turns `import` into `require`.
 * 3. The project's `typescript`, version 5 or 6 (`transpileModule`). TypeScript 7 has no
 *    JavaScript API, so it is skipped.
 *
 * None of them is a dependency of automemo. `AUTOMEMO_TYPE_STRIPPER=esbuild|typescript|node`
 * forces one (e.g. for code that imports types without `import type`, which Node's
 * stripping keeps as a runtime import and esbuild and TypeScript remove).
 */
import Module, { createRequire } from "node:module";
import { join } from "node:path";
import { parseSync } from "oxc-parser";
import { AutomemoError } from "../../runtime/errors.ts";

export type ModuleKind = "module" | "commonjs";

export interface StrippedModule {
  readonly code: string;
  /** Source map from the input text to `code` (JSON text), or null when every position is unchanged. */
  readonly map: string | null;
}

/** Names the environment variable that forces one stripper. */
const TYPE_STRIPPER_ENV = "AUTOMEMO_TYPE_STRIPPER";

interface TypeStripper {
  readonly name: "node" | "esbuild" | "typescript";
  /** Throws `CannotStrip` when this stripper cannot handle the file (the next one may). */
  strip(source: string, filename: string, kind: ModuleKind): StrippedModule;
}

/** One stripper declines one file; the reason ends up in the error if no other can take it. */
class CannotStrip extends Error {}

/** No installed stripper can run a TypeScript file. */
class TypeStripperMissingError extends AutomemoError {
  constructor(filename: string, reasons: readonly string[]) {
    const nodeHasStripping = typeof stripTypeScriptTypesOfNode() === "function";
    const fix = nodeHasStripping
      ? "npm install --save-dev esbuild"
      : `npm install --save-dev esbuild (or run Node 22.13+, whose built-in type stripping needs no package)`;
    super("NO_TYPE_STRIPPER", `Cannot run ${filename}: ${reasons.join("; ")}. Fix it: ${fix}`);
  }
}

type NodeStripTypes = (code: string, options?: { mode?: "strip"; sourceUrl?: string }) => string;

function stripTypeScriptTypesOfNode(): NodeStripTypes | undefined {
  return (Module as unknown as { stripTypeScriptTypes?: NodeStripTypes }).stripTypeScriptTypes;
}

/**
 * Node 22 and 24 flag `stripTypeScriptTypes` as experimental and print a warning on first
 * use; the loader's users did not call it, so that warning (only that one) is dropped.
 */
function withoutExperimentalWarning<T>(run: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = function filtered(this: unknown, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === "string" ? warning : warning.message;
    if (/stripTypeScriptTypes/.test(text)) return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return run();
  } finally {
    process.emitWarning = emitWarning;
  }
}

function fromNode(stripTypes: NodeStripTypes): TypeStripper {
  return {
    name: "node",
    strip(source, filename, kind) {
      if (/x$/.test(filename)) throw new CannotStrip("Node's type stripping does not support JSX (.tsx)");
      let code: string;
      try {
        code = withoutExperimentalWarning(() => stripTypes(source, { mode: "strip" }));
      } catch (error) {
        if ((error as { code?: string }).code !== "ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX") throw error;
        throw new CannotStrip(`Node's type stripping cannot run it (${(error as Error).message.split("\n")[0]})`);
      }
      if (kind === "commonjs" && parseSync(filename, code, { lang: "js" }).module.hasModuleSyntax) {
        throw new CannotStrip(
          `it uses import/export but runs as CommonJS (no "type": "module" in its package.json), and Node's type stripping does not turn import into require (or rename the file to .mts, or set "type": "module")`,
        );
      }
      return { code, map: null };
    },
  };
}

function fromEsbuild(esbuild: typeof import("esbuild")): TypeStripper {
  return {
    name: "esbuild",
    strip(source, filename, kind) {
      const output = esbuild.transformSync(source, {
        loader: filename.endsWith("x") ? "tsx" : "ts",
        format: kind === "module" ? "esm" : "cjs",
        target: "node20",
        sourcemap: "external",
        sourcefile: filename,
        sourcesContent: true,
      });
      return { code: output.code, map: output.map };
    },
  };
}

function fromTypeScript(ts: typeof import("typescript")): TypeStripper {
  return {
    name: "typescript",
    strip(source, filename, kind) {
      const output = ts.transpileModule(source, {
        fileName: filename,
        compilerOptions: {
          module: kind === "module" ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
          target: ts.ScriptTarget.ES2022,
          jsx: ts.JsxEmit.ReactJSX,
          sourceMap: true,
          inlineSources: true,
          esModuleInterop: true,
        },
      });
      return { code: output.outputText.replace(/\n\/\/# sourceMappingURL=.*$/, ""), map: output.sourceMapText ?? "" };
    },
  };
}

interface Candidates {
  readonly strippers: readonly TypeStripper[];
  /** Why an installed package was passed over, for the error when nothing fits. */
  readonly skipped: readonly string[];
}

function loadFromProject<T>(name: string): T | undefined {
  const projectRequire = createRequire(join(process.cwd(), "package.json"));
  try {
    return projectRequire(name) as T;
  } catch {
    return undefined;
  }
}

/** What this process can strip with, in order of preference; looked up once. */
function findCandidates(): Candidates {
  const strippers: TypeStripper[] = [];
  const skipped: string[] = [];
  const nodeStrip = stripTypeScriptTypesOfNode();
  if (nodeStrip) strippers.push(fromNode(nodeStrip));
  else skipped.push(`Node ${process.versions.node} has no built-in type stripping (Node 22.13+ has)`);
  const esbuild = loadFromProject<typeof import("esbuild")>("esbuild");
  if (typeof esbuild?.transformSync === "function") strippers.push(fromEsbuild(esbuild));
  const ts = loadFromProject<typeof import("typescript") & { version?: string }>("typescript");
  if (typeof ts?.transpileModule === "function") strippers.push(fromTypeScript(ts));
  else if (ts) skipped.push(`the installed typescript ${ts.version ?? ""} has no JavaScript API (TypeScript 7 has none; 5 and 6 do)`.replace("  ", " "));
  if (!esbuild && !ts) skipped.push(`neither esbuild nor typescript is installed in ${process.cwd()}`);

  const forced = process.env[TYPE_STRIPPER_ENV];
  if (forced) {
    const chosen = strippers.filter((stripper) => stripper.name === forced);
    if (chosen.length === 0) skipped.push(`${TYPE_STRIPPER_ENV}=${forced} names no available stripper (node, esbuild or typescript)`);
    return { strippers: chosen, skipped };
  }
  return { strippers, skipped };
}

let candidates: Candidates | undefined;

/** Strips `source` (a TS file already edited by automemo) to JavaScript of module kind `kind`. */
export function stripTypes(source: string, filename: string, kind: ModuleKind): StrippedModule {
  candidates ??= findCandidates();
  const reasons: string[] = [];
  for (const stripper of candidates.strippers) {
    try {
      return stripper.strip(source, filename, kind);
    } catch (error) {
      if (!(error instanceof CannotStrip)) throw error;
      reasons.push(error.message);
    }
  }
  throw new TypeStripperMissingError(filename, [...reasons, ...candidates.skipped]);
}
