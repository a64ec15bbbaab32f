// What the benches call in the core, bundled by shipped-core.ts.
export { collectReferences } from "../transformer/core/deps/references.ts";
export { CodeHasher } from "../transformer/core/hash.ts";
export { clearDependencyCaches, createBuildSession, planModule, transformSource } from "../transformer/core/index.ts";
export { parseModule } from "../transformer/core/parse.ts";
