/**
 * Which transformed modules embed hashes computed from which other files, so a
 * watcher that sees one of those files change can send its importers back through
 * the transform. Keyed by the dependency file's absolute path; a module's entries are
 * replaced each time it is transformed again.
 */
export class DependentModules {
  private readonly byDependency = new Map<string, Set<string>>();
  private readonly byModule = new Map<string, readonly string[]>();

  record(module: string, dependencyFiles: readonly string[]): void {
    for (const file of this.byModule.get(module) ?? []) this.byDependency.get(file)?.delete(module);
    this.byModule.set(module, dependencyFiles);
    for (const file of dependencyFiles) {
      let modules = this.byDependency.get(file);
      if (!modules) this.byDependency.set(file, (modules = new Set()));
      modules.add(module);
    }
  }

  /** The modules whose hashes depend on `file`. */
  of(file: string): readonly string[] {
    return [...(this.byDependency.get(file) ?? [])];
  }
}
