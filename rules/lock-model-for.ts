import { buildLockModel, type LockModel, type ModelOptions } from "../core/lock-api/model.js";
import { resolveLockConfig, SETTINGS_KEY } from "../core/lock-api/settings.js";

const NO_SETTINGS = {};
const models = new WeakMap<ModelOptions, WeakMap<object, LockModel>>();

/**
 * The lock model for a rule's merged options and the config's shared `settings["lock-scope"]`
 * (options win, key by key). `createRule` hands every file the same merged options object for
 * equal options, and ESLint the same settings object for files under the same config, so the
 * model is looked up by identity. Errors (`LockConfigError`) are never cached: every file reports them.
 */
export function lockModelFor(options: ModelOptions, settings: Readonly<Record<string, unknown>> | undefined): LockModel {
  const shared = (settings?.[SETTINGS_KEY] as object | undefined) ?? NO_SETTINGS;
  let bySettings = models.get(options);
  if (!bySettings) {
    bySettings = new WeakMap();
    models.set(options, bySettings);
  }
  let model = bySettings.get(shared);
  if (!model) {
    const resolved = resolveLockConfig({ presets: options.presets, apis: options.apis }, shared === NO_SETTINGS ? undefined : shared);
    model = buildLockModel(resolved);
    bySettings.set(shared, model);
  }
  return model;
}
