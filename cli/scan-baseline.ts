import fs from "node:fs";
import path from "node:path";
import type { ESLint } from "eslint";
import {
  applyBaseline,
  BaselineError,
  entryKey,
  fingerprintResults,
  inScope,
  readBaseline,
  updatedEntries,
  writeBaseline,
  type BaselineFile,
  type ScanScope,
} from "./baseline.js";
import { UsageError } from "./errors.js";

/**
 * `lock-scope scan --baseline <file> [--update-baseline]`: the glue between a scan's
 * results and the baseline file. Paths in the baseline are relative to the folder
 * of the baseline file, so it works from any working directory and on any machine.
 *
 * The file is opened before the scan, so a missing or corrupt baseline (or a folder
 * that cannot hold one) fails at once rather than after linting the whole code base.
 */
export interface BaselineOptions {
  /** The baseline path as the user wrote it (messages name it this way). */
  readonly file: string;
  readonly cwd: string;
  /** The scan's input paths as given, for the scope and for the "recreate it with" hint. */
  readonly inputs: readonly string[];
  readonly typeAware: boolean;
}

export interface OpenBaseline {
  /**
   * Gate mode: removes the findings the baseline records from `results`; returns the
   * one-line summary for stderr. Update mode: records the current findings in the
   * file (atomically); returns the one-line summary.
   * `unanalysed`: absolute paths of the files that could not be analysed.
   */
  finish(results: ESLint.LintResult[], unanalysed: ReadonlySet<string>): string;
}

export function openBaseline(options: BaselineOptions, update: boolean): OpenBaseline {
  const absolute = path.resolve(options.cwd, options.file);
  const root = path.dirname(absolute);
  const scope = (unanalysed: ReadonlySet<string>): ScanScope => ({ inputs: options.inputs.map((input) => path.resolve(options.cwd, input)), unanalysed });

  if (!update) {
    const baseline = attempt(() => readBaseline(absolute), options);
    return {
      finish(results, unanalysed) {
        const { suppressed, unmatched } = applyBaseline(results, baseline, root);
        const remaining = results.reduce((n, r) => n + r.messages.filter((m) => !m.fatal).length, 0);
        const fixed = unmatched.filter((entry) => inScope(entry, root, scope(unanalysed))).length;
        const parts = [`${plural(suppressed, "known finding")} suppressed by baseline ${options.file}`, `${remaining} new`];
        if (fixed > 0) parts.push(`${fixed} fixed since the baseline, run --update-baseline to drop ${fixed === 1 ? "it" : "them"}`);
        return `lock-scope: ${parts.join("; ")}\n`;
      },
    };
  }

  // Update mode: a missing or invalid file is what --update-baseline fixes; an unreadable one is not.
  let old: BaselineFile | undefined;
  let replaced: string | undefined;
  try {
    old = readBaseline(absolute);
  } catch (error) {
    if (!(error instanceof BaselineError) || error.kind === "io") throw usageError(error, options);
    if (error.kind === "invalid") replaced = error.message;
  }
  attempt(() => {
    checkWritableFolder(root);
  }, options);
  return {
    finish(results, unanalysed) {
      const current = [...fingerprintResults(results, root).values()];
      const { entries, kept } = updatedEntries(old?.entries ?? [], current, root, scope(unanalysed));
      // An invalid file cannot tell which of its entries lie outside this scan: keep a copy rather than lose them.
      const backup = replaced ? attempt(() => keepInvalidCopy(absolute), options) : undefined;
      const written = attempt(() => writeBaseline(absolute, entries), options);
      const notes: string[] = [];
      if (!old) {
        notes.push(
          replaced
            ? `replaced a file that ${replaced}; the old file is kept as ${path.basename(backup!)}: entries it had for files outside this scan are not in the new baseline`
            : "new file",
        );
      } else {
        const before = new Set(old.entries.filter((e) => inScope(e, root, scope(unanalysed))).map(entryKey));
        const now = new Set(current.map(entryKey));
        notes.push(`${[...now].filter((k) => !before.has(k)).length} added, ${[...before].filter((k) => !now.has(k)).length} dropped`);
      }
      if (kept > 0) notes.push(`${plural(kept, "entry", "entries")} kept for files not scanned or not analysed`);
      return `lock-scope: wrote baseline ${options.file}: ${plural(written, "finding")} recorded (${notes.join("; ")})\n`;
    },
  };
}

function keepInvalidCopy(file: string): string {
  const copy = `${file}.invalid`;
  try {
    fs.copyFileSync(file, copy);
  } catch (error) {
    throw new BaselineError("io", `cannot be replaced: keeping a copy at ${copy} failed (${(error as Error).message})`);
  }
  return copy;
}

function checkWritableFolder(folder: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(folder);
  } catch {
    throw new BaselineError("io", `cannot be written: the folder ${folder} does not exist`);
  }
  if (!stat.isDirectory()) throw new BaselineError("io", `cannot be written: ${folder} is not a folder`);
  try {
    fs.accessSync(folder, fs.constants.W_OK);
  } catch {
    throw new BaselineError("io", `cannot be written: the folder ${folder} is not writable`);
  }
}

/** Runs a baseline step, turning a BaselineError into a one-line usage error (exit 2) that names the file and the fix. */
function attempt<T>(step: () => T, options: BaselineOptions): T {
  try {
    return step();
  } catch (error) {
    throw usageError(error, options);
  }
}

function usageError(error: unknown, options: BaselineOptions): Error {
  if (!(error instanceof BaselineError)) return error as Error;
  const command = ["lock-scope", "scan", ...options.inputs, ...(options.typeAware ? ["--type-aware"] : []), "--baseline", options.file, "--update-baseline"]
    .map(shellQuote)
    .join(" ");
  const fix =
    error.kind === "missing" ? `Create it with: ${command}` : error.kind === "invalid" ? `Recreate it with: ${command}` : "Check the path and its permissions";
  return new UsageError(`baseline ${options.file} ${error.message}. ${fix}`);
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
