import tsParser from "@typescript-eslint/parser";
import type { TSESLint } from "@typescript-eslint/utils";
import { packageInfo } from "./package-info.js";
import { rules } from "./rules/index.js";

const { name, version } = packageInfo;

/** Files the configs apply to: JavaScript and TypeScript in all module flavours. */
const files = ["**/*.{js,mjs,cjs,jsx,ts,tsx,mts,cts}"];

type FlatConfig = TSESLint.FlatConfig.Config;

const plugin = {
  meta: { name, version, namespace: "lock-scope" },
  rules,
  configs: {} as { recommended: FlatConfig; "recommended-type-checked": FlatConfig; strict: FlatConfig; "strict-type-checked": FlatConfig },
};

const recommendedRules: FlatConfig["rules"] = {
  "lock-scope/require-release": "error",
};

plugin.configs.recommended = {
  name: "lock-scope/recommended",
  files,
  plugins: { "lock-scope": plugin as unknown as TSESLint.FlatConfig.Plugin },
  // The TypeScript parser also parses plain JavaScript; no type information is requested.
  languageOptions: { parser: tsParser, sourceType: "module" },
  rules: recommendedRules,
};

plugin.configs["recommended-type-checked"] = {
  name: "lock-scope/recommended-type-checked",
  files,
  plugins: { "lock-scope": plugin as unknown as TSESLint.FlatConfig.Plugin },
  languageOptions: { parser: tsParser, sourceType: "module", parserOptions: { projectService: true } },
  rules: recommendedRules,
};

const strictRules: FlatConfig["rules"] = {
  ...recommendedRules,
  "lock-scope/no-slow-await-while-locked": "error",
};

plugin.configs.strict = {
  ...plugin.configs.recommended,
  name: "lock-scope/strict",
  rules: strictRules,
};

plugin.configs["strict-type-checked"] = {
  ...plugin.configs["recommended-type-checked"],
  name: "lock-scope/strict-type-checked",
  rules: strictRules,
};

export default plugin;
export type { RequireReleaseOptions } from "./rules/require-release.js";
export type { NoSlowAwaitOptions } from "./rules/no-slow-await-while-locked.js";
export type { LockApiSpec, AcquireSpec, CalleeMatcher, ReleaseSpec } from "./core/lock-api/types.js";

