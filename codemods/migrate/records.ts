import type { ModelOptions } from "eslint-plugin-lock-scope/core";
import type { SourceFileText } from "eslint-plugin-lock-scope/cli";
import type { SiteOutcome } from "../call-sites/migrate-source.js";
import type { ProviderFallback } from "./providers.js";
import type { Runtime } from "./runtime.js";

/**
 * What `lock-scope migrate` takes and gives, and the record each file carries from stage to stage
 * (run-migration.ts runs the stages in migrate/stages/): a source is read, a plan is made for it
 * (PlannedFile), verification accepts or rejects the plan (VerifiedFile), and the write stage
 * writes it and reports it (FileReport). Each stage returns new records; none changes the ones it
 * was given.
 */

export interface MigrateOptions {
  readonly paths: readonly string[];
  readonly cwd: string;
  readonly write: boolean;
  readonly project?: string;
  readonly typeCheck: boolean;
  readonly updateTsconfig: boolean;
  readonly shard?: { index: number; count: number };
  /** Worker threads for the call-site step (1 = in-process; Infinity = by the size of the source, see migrateCallSites). */
  readonly workers: number;
  readonly modernize: boolean;
  /** `--runtime`: the Node the code runs on, instead of the one package.json declares. */
  readonly runtime?: Runtime;
  /** The lock APIs to recognise (the user's `settings["lock-scope"]`, validated); default: every preset. */
  readonly lockModel?: ModelOptions;
  readonly onProgress?: (done: number, total: number, phase: string) => void;
}

/** A run that cannot start (a missing path or tsconfig, a project that cannot use `using`): one line, exit 2. */
export class MigrationConfigError extends Error {
  override readonly name = "MigrationConfigError";
}

/** A file that could not be listed, read, parsed or written: its one-line message. */
export interface FailedFile {
  readonly file: string;
  readonly error: string;
}

/**
 * A file's plan, before verification. `modified`: `output` is the text it would get and `original`
 * the text it has; an `unchanged` file keeps no text (memory stays flat on large repositories).
 */
export interface PlannedFile {
  readonly file: string;
  readonly status: "modified" | "unchanged";
  readonly sites: readonly SiteOutcome[];
  /** Correct sites (released in a `finally`) left as they are. */
  readonly correctSitesKept: number;
  /**
   * Why this file cannot run `using` where the project runs it: its leaks are fixed with
   * `try { … } finally { release }` instead (one line, with the setting that would allow `using`).
   */
  readonly noUsing?: string;
  readonly original?: SourceFileText;
  readonly output?: string;
}

/**
 * A plan after verification. `rejected`: the planned rewrite adds a type error, so it is not written
 * (`rejectedBecause` says which, where); `output` still holds it, so a dry run shows the diff.
 */
export interface VerifiedFile extends Omit<PlannedFile, "status"> {
  readonly status: "modified" | "unchanged" | "rejected";
  /** Why verification rejected the rewrite: the first new type error, with its file and line:column. */
  readonly rejectedBecause?: string;
  /** Sites the rejected rewrite would have changed (now left for a human, or kept when correct). */
  readonly rejectedSites?: number;
}

export type FileStatus = "modified" | "unchanged" | "error" | "rejected";

/** What the run did with a file: the report `--json` prints and the command summarises. */
export interface FileReport {
  readonly file: string;
  readonly status: FileStatus;
  /** Lines the rewrite adds and removes (a rejected file: what it would have). */
  readonly added: number;
  readonly removed: number;
  readonly sites: readonly SiteOutcome[];
  readonly error?: string;
  readonly rejectedBecause?: string;
  readonly rejectedSites?: number;
  readonly correctSitesKept?: number;
  readonly noUsing?: string;
  /** `using` declarations the rewrite added whose name is never read (no-unused-vars reports them). */
  readonly unreadUsing?: number;
  /** New text when modified or rejected (not serialised in JSON reports). */
  readonly output?: string;
  readonly original?: SourceFileText;
}

/** `--update-tsconfig`: the tsconfig's text before and after the edit (written with `write`, verified against in both modes). */
export interface TsconfigEdit {
  readonly original: SourceFileText;
  readonly updated: string;
}

export interface MigrationResult {
  readonly files: FileReport[];
  readonly tsconfig?: string;
  readonly tsconfigUpdated?: boolean;
  readonly tsconfigEdit?: TsconfigEdit;
  /**
   * `--update-tsconfig` when the tsconfig was left as it is although its `lib` lacks
   * `"ESNext.Disposable"`: why it was not needed (every fix is try/finally: no `using` is written).
   */
  readonly tsconfigNotUpdated?: string;
  /**
   * Temp files of an interrupted run (`.<name>.lock-scope-<pid>-<time>.tmp` whose process is gone)
   * in the folders of this run's files: `found`, and `removed` of them (only with `write`).
   */
  readonly staleTempFiles: { readonly found: number; readonly removed: number };
  /** Provider changes not made (they did not type-check, or edit a file outside the paths): their APIs' call sites got the try/finally form instead. */
  readonly providerFallbacks?: ProviderFallback[];
}

/** A file that failed as a report: nothing planned, nothing written. */
export function failedReport(failed: FailedFile): FileReport {
  return { file: failed.file, status: "error", added: 0, removed: 0, sites: [], error: failed.error };
}
