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
import { AutomemoError } from "../runtime/errors.ts";
import { TransformError } from "./core/errors.ts";
import { transformSource } from "./core/index.ts";

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
}

export const DEFAULT_INCLUDE = /\.[cm]?[jt]sx?$/;
export const DEFAULT_EXCLUDE = /[\\/]node_modules[\\/]/;
/** Same test as the core's `mightContainTags`, expressed declaratively so bundlers with native filters never call into JS for untagged files. */
const TAG_IN_SOURCE = /@(?:memo|singleton)\b/;

/** Whether the host bundler wants a map for this module (Rollup always consumes one; Vite is decided in `configResolved`). */
function bundlerWantsSourceMap(context: UnpluginBuildContext): boolean {
  const native = context.getNativeBuildContext?.();
  if (!native) return true;
  if (native.framework === "webpack" || native.framework === "rspack") return native.loaderContext?.sourceMap !== false;
  if (native.framework === "esbuild") return Boolean(native.build.initialOptions.sourcemap);
  return true;
}

export const automemoUnplugin = createUnplugin<AutomemoPluginOptions | undefined, false>((options = {}, meta) => {
  let root = options.root ?? process.cwd();
  // Maps cost a third of the transform; a Vite production build without `build.sourcemap` never reads them.
  let viteWantsSourceMap = true;
  if (!options.root) {
    if (meta.framework === "webpack") root = meta.webpack.compiler.context;
    else if (meta.framework === "rspack") root = meta.rspack.compiler.context;
  }

  return {
    name: "automemo",
    enforce: "pre",
    vite: {
      configResolved(config) {
        if (!options.root) root = config.root;
        viteWantsSourceMap = config.command === "serve" || Boolean(config.build.sourcemap);
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
        code: TAG_IN_SOURCE,
      },
      handler(code, id) {
        const filename = id.replace(/[?#].*$/, "");
        try {
          const result = transformSource(code, {
            filename,
            root,
            runtimeModule: options.runtimeModule,
            dependencies: options.dependencies,
            sourceMap: options.sourceMap ?? (viteWantsSourceMap && bundlerWantsSourceMap(this)),
          });
          return result && { code: result.code, map: result.map ?? null };
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
