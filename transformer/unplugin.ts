/**
 * The bundler host: one unplugin factory behind `automemo/vite`, `automemo/rollup`,
 * `automemo/webpack`, `automemo/esbuild` and `automemo/rspack`. It knows nothing about
 * annotated functions: it filters module ids, hands the source to the core's
 * `transformSource` (magic-string edits at original offsets) and reports misuse as a
 * build error with the core's code frame.
 *
 * @example
 * ```ts
 * // vite.config.ts
 * import automemo from "automemo/vite";
 * export default { plugins: [automemo()] };
 * ```
 */
import { createUnplugin, type FilterPattern, type UnpluginBuildContext } from "unplugin";
import type { ViteDevServer } from "vite";
import { AutomemoError } from "../runtime/errors.ts";
import { TransformError } from "./core/errors.ts";
import { createBuildSession, mightContainTags, TAG_PATTERN, transformSource } from "./core/index.ts";
import { DependentModules } from "./bundlers/dependents.ts";
import { dependenciesChanged, stampDependencies, type DependencyStampsMeta } from "./bundlers/rollup-cache.ts";
import { WebpackModuleDependencies, type WebpackCompilerLike } from "./bundlers/webpack-dependencies.ts";

export interface AutomemoPluginOptions {
  /** Module ids to transform. Default: every `.js/.jsx/.ts/.tsx` (and `.mjs/.cjs/.mts/.cts`) file. */
  include?: FilterPattern;
  /** Module ids to skip. Default: anything under `node_modules`. */
  exclude?: FilterPattern;
  /** Function ids are relative to this folder. Default: the bundler's root (Vite `root`, webpack/Rspack `context`, esbuild `absWorkingDir`), else the working directory. */
  root?: string;
  /** Where the emitted code imports the runtime from. Default `automemo`. */
  runtimeModule?: string;
  /** Emit source maps for the edits. Default: whenever the bundler asks for them. */
  sourceMap?: boolean;
  /** Fold the hashes of the helpers a cached function calls into its code hash (same file and imported files). Default `true`. */
  dependencies?: boolean;
  /** Folder (relative to `root`) for the saved per-file summaries that let later builds skip unchanged files, or `false`. Default `node_modules/.cache/automemo` when the root has `node_modules`. */
  dependencyCache?: string | false;
}

export const DEFAULT_INCLUDE = /\.[cm]?[jt]sx?$/;
export const DEFAULT_EXCLUDE = /[\\/]node_modules[\\/]/;

/** Whether the host bundler wants a map for this module (Rollup always consumes one; Vite is decided in `configResolved`). */
function bundlerWantsSourceMap(context: UnpluginBuildContext): boolean {
  const native = context.getNativeBuildContext?.();
  if (!native) return true;
  if (native.framework === "webpack" || native.framework === "rspack") return native.loaderContext?.sourceMap !== false;
  if (native.framework === "esbuild") return Boolean(native.build.initialOptions.sourcemap);
  return true;
}

/** The module webpack's loader context is building (its `_module`). */
function webpackModuleOf(context: UnpluginBuildContext): object | undefined {
  const native = context.getNativeBuildContext?.();
  return native?.framework === "webpack" ? (native.loaderContext as { _module?: object } | undefined)?._module : undefined;
}

/** The part of Vitest's `configureVitest` context this needs (Vitest 4: experimental). */
interface VitestCacheKeyContext {
  experimental_defineCacheKeyGenerator?(generator: (file: { sourceCode: string }) => false | undefined): void;
}

/** The module graph calls this needs, common to Vite 5's one graph and Vite 6+'s per-environment graphs. */
interface ModuleGraphLike {
  getModulesByFile(file: string): Set<object> | undefined;
  invalidateModule(module: object): void;
}

/** Hard-invalidates `files` in every module graph of the dev server (Vite 6+: client, ssr, ...; Vite 5: the one graph). */
function invalidateEverywhere(server: ViteDevServer, files: readonly string[]): void {
  const environments = (server as { environments?: Record<string, { moduleGraph: ModuleGraphLike }> }).environments;
  const graphs: ModuleGraphLike[] = environments ? Object.values(environments).map((environment) => environment.moduleGraph) : [server.moduleGraph as ModuleGraphLike];
  for (const graph of graphs) {
    for (const file of files) for (const module of graph.getModulesByFile(file) ?? []) graph.invalidateModule(module);
  }
}

export const automemoUnplugin = createUnplugin<AutomemoPluginOptions | undefined, false>((options = {}, meta) => {
  let root = options.root ?? process.cwd();
  // Maps cost a third of the transform; a Vite production build without `build.sourcemap` never reads them.
  let viteWantsSourceMap = true;
  // Other bundlers take watch files cheaply; a one-off Vite build never rebuilds, and there
  // each `addWatchFile` is a call into native code.
  let reportWatchFiles = true;
  const dependents = new DependentModules();
  const webpackDependencies = new WebpackModuleDependencies();
  let devServer: ViteDevServer | undefined;
  // One build session per build: each dependency file is read and checked once per build, and
  // an edit the bundler reports (`watchChange`) starts a new one, so every file is checked again.
  const session = createBuildSession();
  if (!options.root) {
    if (meta.framework === "webpack") root = meta.webpack.compiler.context;
    else if (meta.framework === "rspack") root = meta.rspack.compiler.context;
  }

  return {
    name: "automemo",
    enforce: "pre",
    buildStart() {
      session.invalidate();
    },
    watchChange() {
      session.invalidate();
    },
    vite: {
      configResolved(config) {
        if (!options.root) root = config.root;
        viteWantsSourceMap = config.command === "serve" || Boolean(config.build.sourcemap);
        reportWatchFiles = config.command === "serve" || Boolean(config.build.watch);
      },
      configureServer(server) {
        devServer = server;
      },
      // Vitest's `experimental.fsModuleCache` keys a module on its own text and the config:
      // files with tags (whose code hashes read other files) are left out of it.
      configureVitest(context: VitestCacheKeyContext) {
        context.experimental_defineCacheKeyGenerator?.(({ sourceCode }) => (mightContainTags(sourceCode) ? false : undefined));
      },
      // `addWatchFile` alone is not enough in Vite's dev server: when the changed file is also
      // a static import of the module, Vite only soft-invalidates the module (it keeps the
      // transformed code and refreshes import URLs), which would keep the stale hashes.
      // This hook runs before Vite invalidates anything, so the hard invalidation sticks.
      watchChange(file) {
        session.invalidate();
        const modules = dependents.of(file.replaceAll("\\", "/"));
        if (devServer && modules.length > 0) invalidateEverywhere(devServer, modules);
      },
    },
    webpack(compiler) {
      webpackDependencies.apply(compiler as unknown as WebpackCompilerLike, "automemo");
    },
    rollup: {
      // A module reused from `cache: previousBundle.cache` is transformed again when a file its hashes cover changed.
      shouldTransformCachedModule({ meta: moduleMeta }) {
        return dependenciesChanged((moduleMeta as { automemo?: DependencyStampsMeta }).automemo) ? true : null;
      },
    },
    esbuild: {
      // esbuild checks this regex natively, so files that can never match skip the JS round trip.
      onLoadFilter: options.include ? undefined : DEFAULT_INCLUDE,
      config(initialOptions) {
        if (!options.root && initialOptions.absWorkingDir) root = initialOptions.absWorkingDir;
      },
    },
    transform: {
      filter: {
        id: { include: options.include ?? DEFAULT_INCLUDE, exclude: options.exclude ?? DEFAULT_EXCLUDE },
        // The core's own pre-filter, as a RegExp: bundlers with native filters never call into JS for untagged files.
        code: TAG_PATTERN,
      },
      handler(code, id) {
        const filename = id.replace(/[?#].*$/, "");
        try {
          const result = transformSource(code, {
            filename,
            root,
            runtimeModule: options.runtimeModule,
            dependencies: options.dependencies,
            dependencyCache: options.dependencyCache,
            session,
            sourceMap: options.sourceMap ?? (viteWantsSourceMap && bundlerWantsSourceMap(this)),
          });
          // Only Vite's dev server reads this (`watchChange`); a module that lost its tags drops its entries.
          if (devServer) dependents.record(filename, result?.dependencyFiles ?? []);
          if (!result) return null;
          // A dev server or watch build re-transforms this module when a file its hashes cover changes.
          if (reportWatchFiles) for (const file of result.dependencyFiles) this.addWatchFile(file);
          if (meta.framework === "webpack") webpackDependencies.note(webpackModuleOf(this), result.dependencyFiles);
          const transformed = { code: result.code, map: result.map ?? null };
          return meta.framework === "rollup" ? { ...transformed, meta: { automemo: stampDependencies(result.dependencyFiles) } } : transformed;
        } catch (error) {
          if (!(error instanceof AutomemoError)) throw error;
          // The message already holds the code frame; `error()` stops the build in every bundler.
          const loc = error instanceof TransformError ? { ...error.loc, file: filename } : undefined;
          this.error({ message: error.message, id: filename, code: error.code, loc });
          return null;
        }
      },
    },
  };
});
