// Type-aware: typescript-eslint's projectService finds fixtures/example-project/tsconfig.json.
import lockScope from "eslint-plugin-lock-scope";

export default [
  {
    ...lockScope.configs["recommended-type-checked"],
    languageOptions: {
      ...lockScope.configs["recommended-type-checked"].languageOptions,
      parserOptions: { projectService: true, tsconfigRootDir: new URL("../../fixtures/example-project", import.meta.url).pathname },
    },
  },
];
