/** The message every rule shows for a lock configuration it cannot use. */
export const invalidConfigurationMessage = "Invalid lock-scope configuration in your ESLint config: {{problem}}";

/**
 * A configuration the rule cannot use becomes one finding at the top of each file (the rule
 * reports it at `CONFIGURATION_ERROR_LOCATION` with this problem as data), one line naming the
 * key and the fix, instead of an exception (ESLint prints those as "Oops! Something went
 * wrong!" with a stack, and stops the whole run).
 */
export function configurationProblem(error: unknown): string {
  return String((error as Error | null)?.message ?? error);
}

export const CONFIGURATION_ERROR_LOCATION = { line: 1, column: 0 } as const;

/** What `build()` returns, or the problem when the configuration it reads cannot work. */
export function tryConfiguration<T>(build: () => T): { readonly value: T } | { readonly problem: string } {
  try {
    return { value: build() };
  } catch (error) {
    return { problem: configurationProblem(error) };
  }
}

/** Listeners that only run `report` once per file, at the Program: a rule with a configuration it cannot use. */
export function onProgram(report: () => void): { Program: () => void } {
  return { Program: report };
}
