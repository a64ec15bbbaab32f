/**
 * `automemo/jest`: babel-jest whose cache key also covers the code hashes the
 * `automemo/babel` plugin emits, so an edit to a helper in another file (or another
 * installed version of an imported package) transforms the test's modules again
 * instead of reusing the old output from Jest's cache. The Babel config stays yours;
 * list `automemo/babel` in it. Options are babel-jest's.
 *
 * @example
 * ```js
 * // jest.config.js
 * module.exports = { transform: { "\\.[jt]sx?$": "automemo/jest" } };
 * ```
 */
import { loadProjectPackage, withCodeHashKeys, type JestTransformer, type JestTransformerFactory } from "./cache-key.ts";

/** babel-jest's options (`excludeJestPreset` and Babel options), passed through as given. */
export type BabelJestOptions = Record<string, unknown>;

export function createTransformer(options?: BabelJestOptions): JestTransformer {
  const babelJest = loadProjectPackage<JestTransformerFactory<BabelJestOptions> & { default?: JestTransformerFactory<BabelJestOptions> }>("babel-jest", "automemo/jest");
  // The Babel plugin's own options (root, dependencies) come from the Babel config; the
  // key is planned with Jest's rootDir, which only decides where saved dependency data is.
  return withCodeHashKeys((babelJest.default ?? babelJest).createTransformer(options));
}

const transformerFactory: JestTransformerFactory<BabelJestOptions> = { createTransformer };
export default transformerFactory;
