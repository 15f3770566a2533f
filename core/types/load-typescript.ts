import { createRequire } from "node:module";
import type { TypeScriptModule } from "./type-facts.js";

const require = createRequire(import.meta.url);

/**
 * The `typescript` module typescript-eslint's program comes from (an optional peer
 * dependency). Loaded only when a rule has a program; null when it cannot be found.
 */
export function loadTypeScript(): TypeScriptModule | null {
  try {
    return require("typescript") as TypeScriptModule;
  } catch {
    return null;
  }
}
