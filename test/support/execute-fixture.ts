import { createRequire } from "node:module";
import ts from "typescript";
import { sharedRuntime } from "../../runtime/handle/shared.ts";

/**
 * Runs a fixture program (TS or JS, ESM or CommonJS) in this process: types are
 * stripped with `transpileModule` into CommonJS, and `require` of the runtime
 * module name resolves to the real runtime, so the test sees the same handles
 * (and `stats`) the program used.
 */
const nodeRequire = createRequire(import.meta.url);

export interface ProgramResult {
  /** JSON round trip of what `run()` returned (awaited). */
  readonly value: unknown;
}

/** Evaluates a program and returns its `module.exports` (ESM exports become CommonJS ones). */
export async function loadProgram(code: string, filename: string, runtimeModule = "automemo"): Promise<Record<string, unknown>> {
  const { outputText } = ts.transpileModule(code, {
    fileName: filename.replace(/\.(c|m)?js$/, ".$1ts").replace(/\.jsx$/, ".tsx"),
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      useDefineForClassFields: true,
    },
  });
  // Loaded on first use, so suites that only compare text do not depend on the runtime.
  const runtime = await import("../../runtime/index.ts");
  const module = { exports: {} as Record<string, unknown> };
  const requireFromFixture = (specifier: string): unknown => (specifier === runtimeModule ? runtime : nodeRequire(specifier));
  const evaluate = new Function("require", "module", "exports", outputText) as (
    require: (specifier: string) => unknown,
    module: { exports: unknown },
    exports: unknown,
  ) => void;
  evaluate(requireFromFixture, module, module.exports);
  return module.exports;
}

export async function runFixtureProgram(code: string, filename: string, runtimeModule = "automemo"): Promise<ProgramResult> {
  const exported = (await loadProgram(code, filename, runtimeModule)) as { run?: () => unknown; default?: { run?: () => unknown } };
  const run = exported.run ?? exported.default?.run;
  if (typeof run !== "function") throw new Error(`${filename} has no exported run()`);
  return { value: JSON.parse(JSON.stringify((await run()) ?? null)) };
}

/** Sum of cache hits of the given function ids, from the process-wide registry. */
export function totalHits(ids: readonly string[]): number {
  let hits = 0;
  for (const id of ids) hits += sharedRuntime().handles.get(id)?.stats().hits ?? 0;
  return hits;
}

/** Empties the caches of the given ids, so a run starts cold whatever ran before. */
export async function clearHandles(ids: readonly string[]): Promise<void> {
  for (const id of ids) await sharedRuntime().handles.get(id)?.clear();
}
