/**
 * webpack's persistent cache decides from each module's file dependencies whether to
 * build it again. The loader declares the files a module's hashes came from with
 * `addDependency`, but a later loader in the chain may clear what earlier ones declared:
 * ts-loader calls `clearDependencies()` and adds back only what its TypeScript program
 * imports, which drops a package's `package.json` (read only for its version) and any
 * helper reached outside that program. So the files are noted per module and added
 * again in `beforeSnapshot`, after every loader ran and before webpack records them.
 */

/** The part of a webpack module this needs. */
interface ModuleWithBuildInfo {
  buildInfo?: { fileDependencies?: { add(file: string): unknown } };
}

/** The part of the webpack compiler this needs (structural, so the types do not require webpack). */
export interface WebpackCompilerLike {
  hooks: { compilation: { tap(name: string, handler: (compilation: object) => void): void } };
  webpack: {
    NormalModule: { getCompilationHooks(compilation: object): { beforeSnapshot: { tap(name: string, handler: (module: ModuleWithBuildInfo) => void): void } } };
  };
}

export class WebpackModuleDependencies {
  private readonly pending = new WeakMap<object, readonly string[]>();

  /** Called from the loader: `module` is the loader context's `_module`. */
  note(module: object | undefined, files: readonly string[]): void {
    if (module && files.length > 0) this.pending.set(module, files);
  }

  apply(compiler: WebpackCompilerLike, pluginName: string): void {
    compiler.hooks.compilation.tap(pluginName, (compilation) => {
      compiler.webpack.NormalModule.getCompilationHooks(compilation).beforeSnapshot.tap(pluginName, (module) => {
        const files = this.pending.get(module);
        if (!files) return;
        this.pending.delete(module);
        const declared = module.buildInfo?.fileDependencies;
        if (declared) for (const file of files) declared.add(file);
      });
    });
  }
}
