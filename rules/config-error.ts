import type { RuleContext, RuleListener } from "@typescript-eslint/utils/ts-eslint";

/** The message every rule shows for a lock configuration it cannot use. */
export const invalidConfigurationMessage = "Invalid lock-scope configuration in your ESLint config: {{problem}}";

/**
 * A configuration the rule cannot use becomes one finding at the top of each file, one line
 * naming the key and the fix, instead of an exception (ESLint prints those as "Oops! Something
 * went wrong!" with a stack, and stops the whole run).
 */
export function reportInvalidConfiguration<MessageIds extends string>(
  context: Readonly<RuleContext<MessageIds, readonly unknown[]>>,
  messageId: MessageIds,
  error: unknown,
): RuleListener {
  const problem = String((error as Error | null)?.message ?? error);
  return {
    Program() {
      context.report({ loc: { line: 1, column: 0 }, messageId, data: { problem } });
    },
  };
}
