/** A known, user-facing error: printed as one line (no stack) with exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Joins a multi-line message into one line (node:util's parseArgs errors, file-system errors). */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}
