/**
 * What every command shares (`eslint-plugin-lock-scope/cli`): the I/O seam, one-line usage errors,
 * the progress bar, source-file listing and reading, atomic writes. The codemod package's
 * `migrate` command uses it too, so file handling and error wording are the same everywhere.
 */
export * from "./errors.js";
export * from "./io.js";
export * from "./progress.js";
export * from "./paths.js";
export * from "./file-system.js";
export * from "./files.js";
export { runCommand, debugFlag, type Command } from "./main.js";
export { lockConfigsFor, type ProjectLockConfig, type ConfigLookup } from "./eslint-config.js";
