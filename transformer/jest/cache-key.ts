import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import path from "node:path";
import { AutomemoError } from "../../runtime/errors.ts";
import { mightContainTags, planModule } from "../core/index.ts";
import { storeFingerprint } from "../core/deps/fingerprint.ts";
import type { HostOptions } from "../hosts/options.ts";

/** The parts of Jest's transform options these transformers read (Jest 29 and 30). */
interface JestTransformOptions {
  readonly config: { readonly rootDir: string; readonly cwd: string };
}

/** A Jest transformer as Jest calls it: the sync and async halves are each optional. */
export interface JestTransformer {
  readonly canInstrument?: boolean;
  getCacheKey?(source: string, filename: string, options: JestTransformOptions): string;
  getCacheKeyAsync?(source: string, filename: string, options: JestTransformOptions): Promise<string>;
  process(source: string, filename: string, options: JestTransformOptions): unknown;
  processAsync?(source: string, filename: string, options: JestTransformOptions): Promise<unknown>;
}

/** What a transformer module exports: Jest calls `createTransformer` with the options of its `transform` entry. */
export interface JestTransformerFactory<Options> {
  createTransformer(options?: Options): JestTransformer;
}

/**
 * Jest reuses a transformed file while its cache key is unchanged, and the keys of
 * babel-jest and ts-jest cover the file's own text and the config, not the helpers in
 * other files whose code the emitted hashes cover. This folds those hashes into the
 * key: the file is planned as the compile host will plan it (the planner reuses the
 * dependency work it saved, so an unchanged closure costs a few stats), and the key
 * changes exactly when an emitted hash would. Files without tags keep the base key.
 */
function keyWithCodeHashes(baseKey: string, source: string, filename: string, options: JestTransformOptions, hostOptions: HostOptions = {}): string {
  if (hostOptions.dependencies === false || !mightContainTags(source)) return baseKey;
  const plan = planModule(source, {
    filename,
    // The hashes do not depend on the root; it only picks the saved dependency data.
    root: hostOptions.root ? path.resolve(options.config.rootDir, hostOptions.root) : options.config.rootDir,
    dependencyCache: hostOptions.dependencyCache,
  });
  if (plan.functions.length === 0) return baseKey;
  const hash = createHash("sha1").update(baseKey).update("\0automemo\0").update(storeFingerprint());
  for (const planned of plan.functions) hash.update("\0").update(planned.meta.hash);
  return hash.digest("hex");
}

/** The transformer package (`babel-jest`, `ts-jest`) the project installed, else the one next to automemo. */
export function loadProjectPackage<T>(name: string, setup: string): T {
  const from = [path.join(process.cwd(), "package.json"), import.meta.url];
  for (const base of from) {
    try {
      return createRequire(base)(name) as T;
    } catch (error) {
      if ((error as { code?: string }).code !== "MODULE_NOT_FOUND") throw error;
    }
  }
  throw new AutomemoError(
    "MISSING_PEER_DEPENDENCY",
    `[automemo] ${setup} needs the '${name}' package, which could not be loaded from ${process.cwd()}.\nFix it: npm install --save-dev ${name}`,
  );
}

/** `transformer` with its cache keys extended by `keyWithCodeHashes`. */
export function withCodeHashKeys(transformer: JestTransformer, hostOptions: HostOptions = {}): JestTransformer {
  const getCacheKey = transformer.getCacheKey?.bind(transformer);
  const getCacheKeyAsync = transformer.getCacheKeyAsync?.bind(transformer);
  return {
    canInstrument: transformer.canInstrument,
    process: transformer.process.bind(transformer),
    processAsync: transformer.processAsync?.bind(transformer),
    getCacheKey: getCacheKey && ((source, filename, options) => keyWithCodeHashes(getCacheKey(source, filename, options), source, filename, options, hostOptions)),
    getCacheKeyAsync:
      getCacheKeyAsync &&
      (async (source, filename, options) => keyWithCodeHashes(await getCacheKeyAsync(source, filename, options), source, filename, options, hostOptions)),
  };
}
