/**
 * The host-neutral transformer core: parse (oxc-parser), find `@memo` / `@singleton`
 * functions, hash and plan the rewrite, and apply it as text. Hosts (Babel,
 * TypeScript) use `planModule`; bundlers and the Node loader use `transformSource`.
 */
export { planModule, projectRelativePath } from "./planner.ts";
export { transformSource } from "./emit-text.ts";
export { mightContainTags, TAG_PATTERN } from "./tags.ts";
export { holdsOffset } from "./offsets.ts";
export { formatCodeFrame, locate, TransformError } from "./errors.ts";
export {
  clearDependencyCaches,
  saveDependencyCaches,
  createBuildSession,
  createDiskResolver,
  type PlanSession,
  createTypeScriptDependencyResolver,
  type DependencyResolver,
} from "./deps/index.ts";
export { ARGUMENT_COUNT_KEY } from "./plan.ts";
export { ANY_PREFIX, type EmittedNames } from "./emitted-names.ts";
export type { ModulePlan, PlanDiagnostic, PlannedFunction, PlanOptions } from "./plan.ts";
