/**
 * Type stripping for the Node loader. Node 20 cannot run TypeScript, so after the
 * automemo edits the loader turns TS into JS with the project's own `typescript`
 * (resolved from the working directory, so the user's compiler version and its
 * semantics apply) or, when the project has none, with `esbuild` (fast and well
 * kept). Neither is a dependency of automemo.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { AutomemoError } from "../../runtime/errors.ts";

export type ModuleKind = "module" | "commonjs";

export interface StrippedModule {
  readonly code: string;
  /** Source map from the input text to `code` (JSON text). */
  readonly map: string;
}

type Stripper = (source: string, filename: string, kind: ModuleKind) => StrippedModule;

/** TypeScript could not be stripped because no compiler is installed. */
export class TypeStripperMissingError extends AutomemoError {
  constructor(filename: string) {
    super(
      "NO_TYPE_STRIPPER",
      `Cannot run ${filename}: loading TypeScript needs the 'typescript' or 'esbuild' package, and neither is installed in ${process.cwd()}. ` +
        `Fix it: npm install --save-dev typescript`,
    );
  }
}

function fromTypeScript(ts: typeof import("typescript")): Stripper {
  return (source, filename, kind) => {
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
  };
}

function fromEsbuild(esbuild: typeof import("esbuild")): Stripper {
  return (source, filename, kind) => {
    const output = esbuild.transformSync(source, {
      loader: filename.endsWith("x") ? "tsx" : "ts",
      format: kind === "module" ? "esm" : "cjs",
      target: "node20",
      sourcemap: "external",
      sourcefile: filename,
      sourcesContent: true,
    });
    return { code: output.code, map: output.map };
  };
}

let chosen: Stripper | undefined;

/** The project's `typescript` if it has one, else its `esbuild`; chosen once per process. */
export function findTypeStripper(filename: string): Stripper {
  if (chosen) return chosen;
  const projectRequire = createRequire(join(process.cwd(), "package.json"));
  try {
    chosen = fromTypeScript(projectRequire("typescript"));
  } catch {
    try {
      chosen = fromEsbuild(projectRequire("esbuild"));
    } catch {
      throw new TypeStripperMissingError(filename);
    }
  }
  return chosen;
}
