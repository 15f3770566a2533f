import noSlowAwaitWhileLocked from "./no-slow-await-while-locked.js";
import requireRelease from "./require-release.js";

/** Every rule of the plugin, by name (without the `lock-scope/` prefix). */
export const rules = {
  "require-release": requireRelease,
  "no-slow-await-while-locked": noSlowAwaitWhileLocked,
};
