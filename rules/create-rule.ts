import { ESLintUtils } from "@typescript-eslint/utils";

export interface LockScopeDocs {
  description: string;
  recommended?: boolean;
  requiresTypeChecking?: boolean;
}

/** The plugin's rule factory: every rule gets a docs URL into `docs/rules/`. */
export const createRule = ESLintUtils.RuleCreator<LockScopeDocs>(
  (name) => `https://github.com/lock-scope/eslint-plugin-lock-scope/blob/main/docs/rules/${name}.md`,
);
