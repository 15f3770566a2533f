import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { ESLint, Linter } from "eslint";
import { oneLine } from "./errors.js";
import { byCodeUnits as compare, isWithin } from "./paths.js";
import { describeFileError, writeFileAtomic } from "./file-system.js";

/**
 * Baseline mode for adopting the rules on a large codebase: the findings that
 * exist today are recorded in a file and not reported again; new ones fail.
 *
 * A finding is identified by file, rule, message id and a fingerprint of the
 * source line it sits on (whitespace-trimmed) plus its occurrence number among
 * identical lines in that file — so it survives lines moving up or down, and
 * a second identical leak in the same file is still new.
 *
 * Files are recorded relative to a root (scan uses the baseline file's folder)
 * with "/" separators, so the file means the same on every machine and OS.
 * Fatal messages (parse errors, unreadable files) are never recorded.
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

/** Why a baseline could not be used: `missing` and `invalid` are fixed by recreating it, `io` by the file system. */
export class BaselineError extends Error {
  override readonly name = "BaselineError";
  constructor(
    readonly kind: "missing" | "invalid" | "io",
    message: string,
  ) {
    super(message);
  }
}

/** ESLint's (and TypeScript's) line breaks: message line numbers count these. */
const LINE_BREAK = /\r\n|[\r\n\u2028\u2029]/;

/** ESLint's own problems without a rule (an unused `eslint-disable lock-scope/…` directive) are recorded under this id. */
const DIRECTIVE_RULE = "eslint";

export function fingerprintResults(results: readonly ESLint.LintResult[], root: string): Map<Linter.LintMessage, BaselineEntry> {
  const map = new Map<Linter.LintMessage, BaselineEntry>();
  for (const result of results) {
    const messages = result.messages.filter((m) => !m.fatal);
    if (messages.length === 0) continue;
    const file = toBaselinePath(root, result.filePath);
    const lines = (result.source ?? safeRead(result.filePath)).split(LINE_BREAK);
    const seen = new Map<string, number>();
    for (const message of messages) {
      const ruleId = message.ruleId ?? DIRECTIVE_RULE;
      const messageId = message.messageId ?? (message.ruleId ? "" : message.message);
      const lineText = (lines[message.line - 1] ?? "").trim();
      const base = `${ruleId}\0${messageId}\0${lineText}`;
      const occurrence = seen.get(base) ?? 0;
      seen.set(base, occurrence + 1);
      const fingerprint = createHash("sha256").update(`${base}\0${occurrence}`).digest("hex").slice(0, 16);
      map.set(message, { file, ruleId, messageId, fingerprint });
    }
  }
  return map;
}

export function readBaseline(file: string): BaselineFile {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    const cause = describeFileError(error);
    if (cause.kind === "missing") throw new BaselineError("missing", "does not exist");
    if (cause.kind === "folder") throw new BaselineError("io", cause.text);
    throw new BaselineError("io", `cannot be read (${cause.kind === "permissionDenied" ? cause.text : oneLine((error as Error).message)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    if (/^(<<<<<<<|>>>>>>>|=======)( |$)/m.test(text)) throw new BaselineError("invalid", "contains merge conflict markers");
    throw new BaselineError("invalid", `is not valid JSON (${oneLine((error as Error).message)})`);
  }
  if (!isBaselineShape(parsed)) throw new BaselineError("invalid", `is not a lock-scope baseline (expected {"version": 1, "entries": [...]})`);
  const baseline = parsed as BaselineFile;
  const bad = parsed.entries.findIndex((e) => !isEntry(e));
  if (bad >= 0) throw new BaselineError("invalid", `has a malformed entry at index ${bad} (expected file, ruleId, messageId and fingerprint strings)`);
  return baseline;
}

/** Writes the baseline atomically (temporary file + rename), sorted so that it diffs well. Returns the number of entries. */
export function writeBaseline(file: string, entries: Iterable<BaselineEntry>): number {
  const unique = new Map([...entries].map((e) => [entryKey(e), { file: e.file, ruleId: e.ruleId, messageId: e.messageId, fingerprint: e.fingerprint }]));
  const sorted = [...unique.values()].sort(
    (a, b) => compare(a.file, b.file) || compare(a.ruleId, b.ruleId) || compare(a.messageId, b.messageId) || compare(a.fingerprint, b.fingerprint),
  );
  const content: BaselineFile = { version: 1, entries: sorted };
  const folder = path.dirname(path.resolve(file));
  if (!fs.existsSync(folder)) throw new BaselineError("io", `cannot be written: the folder ${folder} does not exist`);
  let mode = 0o644;
  try {
    mode = fs.statSync(file).mode & 0o777;
  } catch {
    // a new file
  }
  try {
    writeFileAtomic(file, `${JSON.stringify(content, null, 2)}\n`, mode);
  } catch (error) {
    const cause = describeFileError(error);
    const reason = cause.kind === "permissionDenied" ? cause.text : cause.kind === "folder" ? "it is a folder" : oneLine((error as Error).message);
    throw new BaselineError("io", `cannot be written (${reason})`);
  }
  return sorted.length;
}

export interface BaselineMatch {
  /** Findings removed from the results because the baseline records them. */
  readonly suppressed: number;
  /** Baseline entries no current finding matched. */
  readonly unmatched: BaselineEntry[];
}

/** Removes baselined findings from the results (recomputing the counts). Fatal messages are never removed. */
export function applyBaseline(results: ESLint.LintResult[], baseline: BaselineFile, root: string): BaselineMatch {
  const known = new Map(baseline.entries.map((e) => [entryKey(e), e]));
  const matched = new Set<string>();
  const fingerprints = fingerprintResults(results, root);
  let suppressed = 0;
  for (const result of results) {
    const kept = result.messages.filter((message) => {
      const entry = fingerprints.get(message);
      const key = entry && entryKey(entry);
      if (key === undefined || !known.has(key)) return true;
      matched.add(key);
      suppressed++;
      return false;
    });
    if (kept.length === result.messages.length) continue;
    result.messages = kept;
    result.errorCount = kept.filter((m) => m.severity === 2).length;
    result.warningCount = kept.filter((m) => m.severity === 1).length;
    result.fatalErrorCount = kept.filter((m) => m.fatal).length;
    result.fixableErrorCount = kept.filter((m) => m.severity === 2 && m.fix).length;
    result.fixableWarningCount = kept.filter((m) => m.severity === 1 && m.fix).length;
  }
  return { suppressed, unmatched: [...known].filter(([key]) => !matched.has(key)).map(([, entry]) => entry) };
}

/**
 * Which part of the code base a run looked at: the input paths, minus the files it could
 * not analyse. Baseline entries outside it say nothing about this run: they are neither
 * "fixed" nor dropped by an update.
 */
export interface ScanScope {
  /** Absolute input files and folders. */
  readonly inputs: readonly string[];
  /** Absolute paths of files that could not be analysed (parse errors, unreadable files). */
  readonly unanalysed: ReadonlySet<string>;
}

export function inScope(entry: BaselineEntry, root: string, scope: ScanScope): boolean {
  const file = path.resolve(root, ...entry.file.split("/"));
  if (scope.unanalysed.has(file)) return false;
  return scope.inputs.some((input) => isWithin(input, file));
}

/** The entries an update writes: today's findings, plus the old entries for files this run did not analyse. */
export function updatedEntries(
  old: readonly BaselineEntry[],
  current: Iterable<BaselineEntry>,
  root: string,
  scope: ScanScope,
): { entries: BaselineEntry[]; kept: number } {
  const kept = old.filter((entry) => !inScope(entry, root, scope));
  return { entries: [...kept, ...current], kept: kept.length };
}

export function entryKey(e: BaselineEntry): string {
  return `${e.file}\0${e.ruleId}\0${e.messageId}\0${e.fingerprint}`;
}

function toBaselinePath(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join("/");
}

/** `{ "version": 1, "entries": [...] }`, entries not yet checked. */
function isBaselineShape(value: unknown): value is { version: 1; entries: unknown[] } {
  if (typeof value !== "object" || value === null) return false;
  const { version, entries } = value as Record<string, unknown>;
  return version === 1 && Array.isArray(entries);
}

function isEntry(e: unknown): e is BaselineEntry {
  if (typeof e !== "object" || e === null) return false;
  const { file, ruleId, messageId, fingerprint } = e as Record<string, unknown>;
  return typeof file === "string" && typeof ruleId === "string" && typeof messageId === "string" && typeof fingerprint === "string";
}

function safeRead(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  }
}
