import type * as TS from "typescript";
import { AutomemoError } from "../../runtime/errors.ts";

/**
 * The `typescript` package cannot run automemo's transformer: TypeScript 7 (the native
 * compiler) ships no JavaScript compiler API, only its version.
 */
export class UnsupportedTypeScriptError extends AutomemoError {
  readonly version: string;

  constructor(details: { version: string; where: string }) {
    super(
      "UNSUPPORTED_TYPESCRIPT",
      `TypeScript ${details.version} (${details.where}) runs no JavaScript transformers: ` +
        `TypeScript 7 is a native compiler without the compiler API that ts-patch, ts-loader and ts-jest call. ` +
        `Fix it: use typescript@6 (or ^5.9) with ts-patch (npm install --save-dev typescript@6 ts-patch), ` +
        `or the Babel, bundler or loader host (automemo/babel, automemo/vite, ..., automemo/register), which work whatever TypeScript is installed.`,
    );
    this.version = details.version;
  }
}

/**
 * Fails with the fix when `ts` is TypeScript 7+ (or anything else without the compiler
 * API), before any code of automemo's would crash on a missing `ts.ModuleKind`.
 */
export function assertTypeScriptRunsTransformers(ts: unknown, where: string): asserts ts is typeof TS {
  const api = ts as Partial<typeof TS> | undefined;
  if (typeof api?.createProgram === "function" && typeof api.factory === "object") return;
  throw new UnsupportedTypeScriptError({ version: typeof api?.version === "string" ? api.version : "(unknown version)", where });
}
