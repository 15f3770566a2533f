import { buildLockModel, type LockModel, type ModelOptions } from "../core/lock-api/model.js";

const models = new WeakMap<ModelOptions, LockModel>();

/**
 * The lock model for a rule's merged options object. `createRule` hands every file the same
 * merged object for equal options, so the model is looked up by identity instead of being
 * re-keyed (JSON) for each linted file. Errors (unknown presets, bad APIs) are never cached:
 * every file reports them.
 */
export function lockModelFor(options: ModelOptions): LockModel {
  let model = models.get(options);
  if (!model) {
    model = buildLockModel({ presets: options.presets, apis: options.apis });
    models.set(options, model);
  }
  return model;
}
