/**
 * The shared core: lock-API model, path analysis, verdicts and fix planning. The rules use it
 * from source; the codemod package imports it through this entry (`eslint-plugin-lock-scope/core`).
 */
export * from "./lock-api/types.js";
export * from "./lock-api/presets.js";
export * from "./lock-api/model.js";
export * from "./lock-api/imports.js";
export * from "./analysis/sites.js";
export * from "./analysis/verdict.js";
export { isReleaseCall, isReleaserFunction, type HandleBinding } from "./analysis/binding.js";
export type { Leak, LeakReason, Via } from "./analysis/paths.js";
export type { ModuleSource } from "./analysis/callees.js";
export { fileModuleSource, type ParseModule } from "./analysis/file-modules.js";
export { AST_NODE_TYPES, describe, descendants } from "./ast/nodes.js";
export * from "./fix/text-edit.js";
export {
  planUsingRewrite,
  planReleaseOnFailure,
  compoundReleaseOf,
  releasedAfter,
  planReleaseBeforeTry,
  planGuardedReleases,
  destructuredRelease,
  unboundHandleReason,
  type Disposal,
  type RewritePlan,
} from "./fix/using-rewrite.js";
export { typeFactsAt } from "./types/type-facts.js";
