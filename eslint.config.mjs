// The project lints itself: typescript-eslint's strictest type-checked configs on the product code,
// eslint-plugin-eslint-plugin on the rules, and this plugin's own strict config (from the build:
// `npm run lint` runs after `npm run build`). Tests, benchmarks and fixtures are not linted here:
// fixtures are inputs of the rules under test, and tests hold source text in strings.
import eslintPlugin from "eslint-plugin-eslint-plugin";
import tseslint from "typescript-eslint";
import lockScope from "./dist/index.js";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "fixtures/**", "test/**", "bench/**", "docs/**", "*.mjs", "**/*.js", ".try-*"] },
  {
    files: ["index.ts", "package-info.ts", "core/**/*.ts", "rules/**/*.ts", "cli/**/*.ts", "codemods/**/*.ts"],
    extends: [tseslint.configs.strictTypeChecked, tseslint.configs.stylisticTypeChecked, lockScope.configs["strict-type-checked"]],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // With "noUncheckedIndexedAccess", `list[i]!` after a bounds check is how the code says "checked": kept.
      "@typescript-eslint/no-non-null-assertion": "off",
      // Numbers (line, column, counts) in messages are the point of most template strings here.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
    },
  },
  {
    // Index loops on the analysis' hot paths are deliberate: no iterator per loop (ded5dbe, "Interpreter allocates less").
    files: ["core/analysis/**/*.ts", "core/lock-api/model.ts"],
    rules: { "@typescript-eslint/prefer-for-of": "off" },
  },
  { files: ["rules/**/*.ts"], ...eslintPlugin.configs.recommended },
);
