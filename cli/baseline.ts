import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { ESLint, Linter } from "eslint";

/**
 * Baseline mode for adopting the rules on a large codebase: the findings that
 * exist today are recorded in a file and not reported again; new ones fail.
 *
 * A finding is identified by file, rule, message id and a fingerprint of the
 * source line it sits on (whitespace-trimmed) plus its occurrence number among
 * identical lines in that file — so it survives lines moving up or down, and
 * a second identical leak in the same file is still new.
 */
export interface BaselineEntry {
  readonly file: string;
  readonly ruleId: string;
  readonly messageId: string;
  readonly fingerprint: string;
}

export interface BaselineFile {
  readonly version: 1;
  readonly entries: BaselineEntry[];
}

export function fingerprintResults(results: readonly ESLint.LintResult[], root: string): Map<Linter.LintMessage, BaselineEntry> {
  const map = new Map<Linter.LintMessage, BaselineEntry>();
  for (const result of results) {
    const file = path.relative(root, result.filePath).split(path.sep).join("/");
    const lines = (result.source ?? safeRead(result.filePath)).split(/\r?\n/);
    const seen = new Map<string, number>();
    for (const message of result.messages) {
      if (!message.ruleId) continue;
      const lineText = (lines[message.line - 1] ?? "").trim();
      const base = `${message.ruleId}\0${message.messageId ?? ""}\0${lineText}`;
      const occurrence = seen.get(base) ?? 0;
      seen.set(base, occurrence + 1);
      const fingerprint = createHash("sha256").update(`${base}\0${occurrence}`).digest("hex").slice(0, 16);
      map.set(message, { file, ruleId: message.ruleId, messageId: message.messageId ?? "", fingerprint });
    }
  }
  return map;
}

export function readBaseline(file: string): BaselineFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`cannot read baseline ${file}: ${(error as Error).message}. Create it with --update-baseline.`);
  }
  const baseline = parsed as BaselineFile;
  if (!baseline || baseline.version !== 1 || !Array.isArray(baseline.entries)) {
    throw new Error(`${file} is not a lock-scope baseline (expected {"version": 1, "entries": [...]}); recreate it with --update-baseline.`);
  }
  return baseline;
}

export function writeBaseline(file: string, entries: Iterable<BaselineEntry>): number {
  const sorted = [...entries].sort((a, b) => a.file.localeCompare(b.file) || a.fingerprint.localeCompare(b.fingerprint));
  const content: BaselineFile = { version: 1, entries: sorted };
  fs.writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
  return sorted.length;
}

/** Removes baselined findings from the results (recomputing the counts); returns how many were suppressed. */
export function applyBaseline(results: ESLint.LintResult[], baseline: BaselineFile, root: string): number {
  const known = new Set(baseline.entries.map((e) => `${e.file}\0${e.ruleId}\0${e.messageId}\0${e.fingerprint}`));
  const fingerprints = fingerprintResults(results, root);
  let suppressed = 0;
  for (const result of results) {
    const kept = result.messages.filter((message) => {
      const entry = fingerprints.get(message);
      const isKnown = entry !== undefined && known.has(`${entry.file}\0${entry.ruleId}\0${entry.messageId}\0${entry.fingerprint}`);
      if (isKnown) suppressed++;
      return !isKnown;
    });
    result.messages = kept;
    result.errorCount = kept.filter((m) => m.severity === 2).length;
    result.warningCount = kept.filter((m) => m.severity === 1).length;
    result.fatalErrorCount = kept.filter((m) => m.fatal).length;
  }
  return suppressed;
}

function safeRead(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  }
}
