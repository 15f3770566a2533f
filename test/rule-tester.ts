import path from "node:path";
import { fileURLToPath } from "node:url";
import { RuleTester } from "@typescript-eslint/rule-tester";
import * as espree from "espree";

export const ruleTesterFixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/rule-tester");

/** Syntactic tester: TypeScript parser, no type information. */
export const syntacticTester = new RuleTester();

/** Plain-JavaScript tester: ESLint's default parser (espree). */
export const javascriptTester = new RuleTester({
  languageOptions: { parser: espree as never, ecmaVersion: 2025, sourceType: "module" },
});

/** Type-aware tester against fixtures/rule-tester/tsconfig.json (ambient lock APIs in locks.d.ts). */
export const typedTester = new RuleTester({
  languageOptions: {
    parserOptions: {
      project: "./tsconfig.json",
      tsconfigRootDir: ruleTesterFixtures,
    },
  },
});
