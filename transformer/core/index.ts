/**
 * The host-neutral transformer core: parse (oxc-parser), find `@memo` / `@singleton`
 * functions, hash and plan the rewrite, and apply it as text. Hosts (Babel,
 * TypeScript) use `planModule`; bundlers and the Node loader use `transformSource`.
 */
export { planModule, projectRelativePath } from "./planner.ts";
export { transformSource, type TransformSourceOptions, type TransformSourceResult } from "./emit-text.ts";
export { mightContainTags, TAG_PATTERN } from "./tags.ts";
export { holdsOffset } from "./offsets.ts";
export { formatCodeFrame, locate, TransformError, type SourceLocation } from "./errors.ts";
export {
  clearDependencyCaches,
  saveDependencyCaches,
  createDiskResolver,
  createTypeScriptDependencyResolver,
  type DependencyResolver,
  type ResolvedImport,
} from "./deps/index.ts";
export { ARGUMENT_COUNT_KEY } from "./plan.ts";
export { ANY_PREFIX, DEFAULT_NAMES, type EmittedNames } from "./emitted-names.ts";
export type { ModulePlan, PlanDiagnostic, PlannedFunction, PlanOptions, SourceRange } from "./plan.ts";
