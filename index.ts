import type { TSESLint } from "@typescript-eslint/utils";
import { packageInfo } from "./package-info.js";
import { rules } from "./rules/index.js";

const { name, version } = packageInfo;

/** Files the syntactic configs apply to: JavaScript and TypeScript in all module flavours. */
const files = ["**/*.{js,mjs,cjs,jsx,ts,tsx,mts,cts}"];
/** The type-checked configs ask for type information, which only TypeScript files have in most projects. */
const typeScriptFiles = ["**/*.{ts,tsx,mts,cts}"];

type FlatConfig = TSESLint.FlatConfig.Config;

const plugin = {
  meta: { name, version, namespace: "lock-scope" },
  rules,
  configs: {} as { recommended: FlatConfig; "recommended-type-checked": FlatConfig; strict: FlatConfig; "strict-type-checked": FlatConfig },
};

const plugins = { "lock-scope": plugin as unknown as TSESLint.FlatConfig.Plugin };

const recommendedRules: FlatConfig["rules"] = {
  "lock-scope/require-release": "error",
};
const strictRules: FlatConfig["rules"] = {
  ...recommendedRules,
  "lock-scope/no-slow-await-while-locked": "error",
};

// No config sets a parser: ESLint's default parses JavaScript, and TypeScript files keep the
// parser the user already configured (typescript-eslint's configs). So importing the plugin
// loads neither a parser nor TypeScript, and never replaces the user's parser.
plugin.configs.recommended = { name: "lock-scope/recommended", files, plugins, rules: recommendedRules };
plugin.configs.strict = { name: "lock-scope/strict", files, plugins, rules: strictRules };

// Type information through typescript-eslint's project service, for TypeScript files only; the
// parser options merge with the user's own (tsconfigRootDir, allowDefaultProject…).
const typeChecked = { files: typeScriptFiles, plugins, languageOptions: { parserOptions: { projectService: true } } };
plugin.configs["recommended-type-checked"] = { ...typeChecked, name: "lock-scope/recommended-type-checked", rules: recommendedRules };
plugin.configs["strict-type-checked"] = { ...typeChecked, name: "lock-scope/strict-type-checked", rules: strictRules };

export default plugin;
export type { RequireReleaseOptions } from "./rules/require-release.js";
export type { NoSlowAwaitOptions } from "./rules/no-slow-await-while-locked.js";
export type { LockSettings } from "./core/lock-api/settings.js";
export type { LockApiSpec, AcquireSpec, CalleeMatcher, ReleaseSpec } from "./core/lock-api/types.js";
