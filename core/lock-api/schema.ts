import type { JSONSchema4 } from "@typescript-eslint/utils/json-schema";
import { defaultPresetIds } from "./presets.js";

/**
 * JSON schema of the lock-API options shared by both rules. It checks only the outer shape:
 * `resolveLockConfig` (settings.ts) checks the rest with one-line messages that name the key
 * and the allowed values, where ESLint's `oneOf` errors print eight lines naming neither.
 */
export const lockModelOptionProperties: Record<string, JSONSchema4> = {
  presets: {
    type: "array",
    items: { type: "string" },
    description: `Built-in lock APIs to recognise (default: all of ${defaultPresetIds.join(", ")}). Wins over settings["lock-scope"].presets.`,
  },
  apis: {
    type: "array",
    items: { type: "object" },
    description:
      'Your own lock APIs (`{ id, acquire: [{ callee, release, releaseIsAsync }] }`), matched before the presets. Wins over settings["lock-scope"].apis.',
  },
};
