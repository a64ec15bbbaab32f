/**
 * `automemo/jest/ts-jest`: ts-jest with the automemo TypeScript transformer added in
 * front of its `astTransformers.before`, and a cache key that also covers the code
 * hashes that transformer emits, so an edit to a helper in another file (or another
 * installed version of an imported package) transforms the test's modules again
 * instead of reusing the old output from Jest's cache. Options are ts-jest's, plus
 * `automemo` (the options of `automemo/typescript`: `root`, `dependencies`, ...).
 *
 * @example
 * ```js
 * // jest.config.js
 * module.exports = { transform: { "^.+\\.tsx?$": ["automemo/jest/ts-jest", { tsconfig: "tsconfig.json" }] } };
 * ```
 */
import { createRequire } from "node:module";
import { parseHostOptions, type HostOptions } from "../hosts/options.ts";
import { loadProjectPackage, withCodeHashKeys, type JestTransformer, type JestTransformerFactory } from "./cache-key.ts";

/** An entry of ts-jest's `astTransformers.before`. */
type AstTransformerEntry = string | { readonly path: string; readonly options?: unknown };

export interface TsJestWithAutomemoOptions extends Record<string, unknown> {
  /** Options of the automemo TypeScript transformer. */
  readonly automemo?: HostOptions;
  readonly astTransformers?: { readonly before?: readonly AstTransformerEntry[]; readonly [stage: string]: unknown };
}

const TRANSFORMER_MODULE = "automemo/typescript";

export function createTransformer(options: TsJestWithAutomemoOptions = {}): JestTransformer {
  const { automemo, astTransformers, ...tsJestOptions } = options;
  const hostOptions = parseHostOptions(automemo, `the "automemo" option of automemo/jest/ts-jest`);
  const others = (astTransformers?.before ?? []).filter((entry) => (typeof entry === "string" ? entry : entry.path) !== TRANSFORMER_MODULE);
  const tsJest = loadProjectPackage<JestTransformerFactory<Record<string, unknown>> & { default?: JestTransformerFactory<Record<string, unknown>> }>("ts-jest", "automemo/jest/ts-jest");
  const transformer = (tsJest.default ?? tsJest).createTransformer({
    ...tsJestOptions,
    // First: automemo finds functions by their position in the source.
    // By absolute path: ts-jest resolves names from its own folder, which need not see automemo.
    astTransformers: { ...astTransformers, before: [{ path: createRequire(import.meta.url).resolve(TRANSFORMER_MODULE), options: hostOptions }, ...others] },
  });
  return withCodeHashKeys(transformer, hostOptions);
}

const transformerFactory: JestTransformerFactory<TsJestWithAutomemoOptions> = { createTransformer };
export default transformerFactory;
