/** The shared core: lock-API model, path analysis and verdicts. Used by the rules and the codemods. */
export * from "./lock-api/types.js";
export * from "./lock-api/presets.js";
export * from "./lock-api/model.js";
export * from "./lock-api/imports.js";
export * from "./analysis/sites.js";
export * from "./analysis/verdict.js";
export type { Leak, LeakReason, Via } from "./analysis/paths.js";
