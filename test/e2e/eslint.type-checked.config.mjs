// Type-aware, as the README shows: typescript-eslint's parser, the type-checked config, and where the tsconfig lives.
import tseslint from "typescript-eslint";
import lockScope from "eslint-plugin-lock-scope";

export default [
  tseslint.configs.base,
  lockScope.configs["recommended-type-checked"],
  { languageOptions: { parserOptions: { tsconfigRootDir: new URL("../../fixtures/example-project", import.meta.url).pathname } } },
];
