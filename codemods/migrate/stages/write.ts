import fs from "node:fs";
import path from "node:path";
import { encodeLike, staleTempFile, TEMP_FILE_PATTERN, writeFileAtomic } from "eslint-plugin-lock-scope/cli";
import type { FileReport, TsconfigEdit, VerifiedFile } from "../records.js";
import { needsDisposableLib, unreadUsingBindings } from "../using-bindings.js";

/** Stage 6: the write (or, in a dry run, what would be written), and each file's report. */
export interface WriteInput {
  readonly verified: readonly VerifiedFile[];
  /** This shard's files: only these are written and reported (provider files of other shards were edited in memory only). */
  readonly owned: ReadonlySet<string>;
  readonly write: boolean;
  readonly tsconfig?: string;
  readonly tsconfigEdit?: TsconfigEdit;
}

export interface WriteOutcome {
  /** One report per owned file, in the order of `verified`. */
  readonly reports: FileReport[];
  /** The tsconfig edit, when it was needed (written with `write`). */
  readonly tsconfigEdit?: TsconfigEdit;
  /** Why `--update-tsconfig` left the tsconfig as it is. */
  readonly tsconfigNotUpdated?: string;
  readonly staleTempFiles: { readonly found: number; readonly removed: number };
}

/**
 * Counts the lines of every owned plan, and with `write` writes the accepted ones atomically (a
 * rejected file keeps its planned diff and line counts, and is never written), after removing the
 * temp files a killed run left next to them (a dry run counts them only). The tsconfig edit is
 * written first, and only when an accepted file needs it.
 */
export function writeFiles(input: WriteInput): WriteOutcome {
  const staleTempFiles = cleanStaleTempFiles([...input.owned], input.write);
  const accepted = input.verified.filter((plan) => plan.status === "modified" && plan.output !== undefined && plan.original !== undefined);
  const edit = input.tsconfigEdit;
  const libNeeded = edit !== undefined && accepted.some((plan) => needsDisposableLib(plan.original!.text, plan.output!));
  if (edit && libNeeded && input.write && input.tsconfig) writeFileAtomic(input.tsconfig, encodeLike(edit.original, edit.updated), edit.original.mode);
  const reports = input.verified.filter((plan) => input.owned.has(plan.file)).map((plan) => reportFor(plan, input.write));
  return {
    reports,
    staleTempFiles,
    ...(edit && libNeeded ? { tsconfigEdit: edit } : {}),
    ...(edit && !libNeeded
      ? { tsconfigNotUpdated: 'no fix uses `using` (every one is try { … } finally { release }), so its lib needs no "ESNext.Disposable"' }
      : {}),
  };
}

function reportFor(plan: VerifiedFile, write: boolean): FileReport {
  const base: FileReport = { ...plan, added: 0, removed: 0 };
  if ((plan.status !== "modified" && plan.status !== "rejected") || plan.output === undefined || plan.original === undefined) return base;
  const counts = lineCounts(plan.original.text, plan.output);
  if (plan.status === "rejected") return { ...base, ...counts };
  const report: FileReport = {
    ...base,
    ...counts,
    unreadUsing: unreadUsingBindings(plan.output, plan.file) - unreadUsingBindings(plan.original.text, plan.file),
  };
  if (!write) return report;
  try {
    writeFileAtomic(plan.file, encodeLike(plan.original, plan.output), plan.original.mode);
    return report;
  } catch (error) {
    return { ...report, status: "error", error: `cannot write: ${(error as Error).message}` };
  }
}

/**
 * Looks for stale temp files in the folders of `files` only (this shard's files), each real
 * folder once. See staleTempFile for what is removed and what is never touched.
 */
export function cleanStaleTempFiles(files: readonly string[], remove: boolean): { found: number; removed: number } {
  let found = 0;
  let removed = 0;
  const done = new Set<string>();
  for (const dir of new Set(files.map((file) => path.dirname(file)))) {
    let real: string;
    let names: fs.Dirent[];
    try {
      real = fs.realpathSync(dir);
      if (done.has(real)) continue;
      done.add(real);
      names = fs.readdirSync(real, { withFileTypes: true });
    } catch {
      continue; // an unreadable folder: its files are reported on their own
    }
    // Dirent types come from the listing itself: a symbolic link is never `isFile()`.
    for (const entry of names) {
      if (!entry.isFile() || !TEMP_FILE_PATTERN.test(entry.name)) continue;
      const outcome = staleTempFile(path.join(real, entry.name), remove);
      if (outcome === undefined) continue;
      found++;
      if (remove && outcome === "stale") removed++;
    }
  }
  return { found, removed };
}

/** Lines added and removed: a longest common subsequence on lines (a rough count for very large files). */
export function lineCounts(before: string, after: string): { added: number; removed: number } {
  const a = before.split("\n");
  const b = after.split("\n");
  if (a.length * b.length > 4_000_000) return { added: Math.max(0, b.length - a.length), removed: Math.max(0, a.length - b.length) };
  const dp: Uint32Array[] = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      dp[i]![j] = a[i] === b[j] ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
    }
  }
  const common = dp[0]![0]!;
  return { added: b.length - common, removed: a.length - common };
}
