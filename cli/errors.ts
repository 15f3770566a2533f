/** A known, user-facing error: printed as one line (no stack) with exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
