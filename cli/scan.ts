import { createRequire } from "node:module";
import path from "node:path";
import { parseArgs } from "node:util";
import { ESLint, type Linter } from "eslint";
import plugin from "../index.js";
import { decodeSource, readSourceBytes, SourceReadError } from "./file-system.js";
import { listSourceFiles } from "./files.js";
import { UsageError } from "./errors.js";
import type { CliIO } from "./io.js";
import { progressBar } from "./progress.js";
import { byCodeUnits as compare, isWithin } from "./paths.js";
import { formatSarif } from "./sarif.js";
import { openBaseline } from "./scan-baseline.js";
import { SETTINGS_KEY } from "../core/lock-api/settings.js";
import { lockConfigsFor, type ProjectLockConfig } from "./eslint-config.js";

export const SCAN_HELP = `Usage: lock-scope scan <paths…> [options]

Runs the lock-scope rules on files or folders (.ts .tsx .mts .cts .js .mjs .cjs),
and nothing else. The lock APIs configured in the project's ESLint config
(settings["lock-scope"]) apply; no config is needed. node_modules, dist and .git
are skipped.

Options:
  --format <stylish|json>  Output format (default: stylish)
  --format sarif           SARIF 2.1.0 for code scanning (new findings only with
                           --baseline; paths relative to the repository root)
  --baseline <file>        Report only findings not recorded in <file> (paths in it
                           are relative to its folder); prints how many it suppressed
  --update-baseline        Write the current findings to the --baseline file (created
                           if missing) instead of reporting them; entries for files
                           this run did not scan or could not analyse are kept
  --config <file>          ESLint config to read the lock configuration from
                           (settings["lock-scope"], the require-release options);
                           default: the one ESLint finds for each file
  --no-config              Ignore the project's ESLint config (built-in presets only)
  --type-aware             Use type information (typescript-eslint projectService;
                           files must belong to a tsconfig.json)
  --max-file-size <size>   Skip larger files with one error line each
                           (default: 4MB; e.g. 500kB, 20MB, 0 for no limit)
  --exit-zero              Exit 0 even when findings or file errors are reported
  -h, --help               Show this help

Files that cannot be analysed (syntax errors, binary or non-UTF-8 files,
broken links, files over the size limit) get one line each on stderr,
"<file>: error: <reason>", and the scan goes on with the others. They are
never recorded in a baseline.

Adopting on a large code base:
  lock-scope scan src --baseline .lock-scope-baseline.json --update-baseline
  lock-scope scan src --baseline .lock-scope-baseline.json     # the CI gate

Exit codes: 0 no (new) findings, 1 findings or files that could not be analysed,
2 usage or internal error (also: a missing or corrupt baseline).
With --update-baseline: 0 once written, 1 if files could not be analysed.
`;

const FORMATS = ["stylish", "json", "sarif"] as const;

export const SCAN_EXTENSIONS = ["ts", "tsx", "mts", "cts", "js", "mjs", "cjs"];
const SCAN_FILES = SCAN_EXTENSIONS.map((ext) => `**/*.${ext}`);

/** Folders scan never enters (ESLint's ignores below say the same for explicit files). */
const SKIPPED_DIRECTORIES = ["node_modules", "dist", ".git"];

const DEFAULT_MAX_FILE_SIZE = "4MB";

/** Files per `lintFiles` call: small enough for a live progress bar, large enough not to matter for speed. */
const BATCH_FILES = 50;
const BATCH_BYTES = 4 * 1024 * 1024;

interface FileError {
  readonly file: string;
  readonly message: string;
}

export async function scan(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseScanArgs(argv);
  if (values.help) {
    io.stdout(SCAN_HELP);
    return 0;
  }
  const format = values.format as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) {
    throw new UsageError(`--format must be one of: ${FORMATS.join(", ")} (got "${values.format}").`);
  }
  const maxBytes = parseSize(values["max-file-size"]);
  if (positionals.length === 0) throw new UsageError("scan needs at least one file or folder. Try: lock-scope scan src");
  if (values["update-baseline"] && values.baseline === undefined) {
    throw new UsageError(
      "--update-baseline needs --baseline <file>, the file to write. Try: lock-scope scan src --baseline .lock-scope-baseline.json --update-baseline",
    );
  }
  if (values.baseline?.trim() === "") throw new UsageError("--baseline needs a file name, e.g. --baseline .lock-scope-baseline.json");

  const extensions = SCAN_EXTENSIONS.map((e) => "." + e).join(" ");
  const cwd = lintRoot(io.cwd, positionals);

  // 1. The files: our own walk (symlink loops, FIFOs and broken links become one line each, never a hang or a throw).
  const listed = listSourceFiles(positionals, io.cwd, { skipDirectories: SKIPPED_DIRECTORIES, includeDeclarations: true });
  const inputs = new Set(positionals.map((p) => path.resolve(io.cwd, p)));
  const missing = listed.problems.filter((p) => inputs.has(p.path) && p.message === "no such file or folder");
  if (missing.length > 0) {
    throw new UsageError(
      `no such file or folder: ${missing.map((p) => path.relative(io.cwd, p.path) || p.path).join(", ")} (scan looks for ${extensions} files)`,
    );
  }
  const fileErrors: FileError[] = listed.problems.map((p) => ({ file: p.path, message: p.message }));
  const ignores = new ESLint({
    cwd,
    overrideConfigFile: true,
    overrideConfig: [{ ignores: SKIPPED_DIRECTORIES.map((dir) => `**/${dir}/**`) }, { files: SCAN_FILES }],
  });
  const files: string[] = [];
  for (const file of listed.files) {
    if (!(await ignores.isPathIgnored(file))) files.push(file);
  }
  if (files.length === 0 && fileErrors.length === 0) {
    const skipped = SKIPPED_DIRECTORIES.join(", ");
    const why =
      listed.files.length > 0 ? `every file is in a folder scan skips (${skipped})` : `no ${extensions} files outside the folders scan skips (${skipped})`;
    throw new UsageError(`nothing to scan in ${positionals.join(", ")}: ${why}`);
  }
  // The user's lock configuration, as `npx eslint` sees it (settings["lock-scope"] and the rule's options).
  const configs = await lockConfigsFor(files, { cwd: io.cwd, configFile: values.config, ignoreConfig: values["no-config"] });
  const parser = typeScriptParser(io.cwd, files);
  const linters = new Map<string, ESLint>();
  for (const [config, group] of configs) {
    const linter = scanLinter(cwd, config, parser, values["type-aware"]);
    for (const file of group) linters.set(file, linter);
  }
  // Before the long part: a missing or corrupt baseline fails now, not after linting everything.
  const baseline =
    values.baseline === undefined
      ? undefined
      : openBaseline({ file: values.baseline, cwd: io.cwd, inputs: positionals, typeAware: values["type-aware"] }, values["update-baseline"]);

  // 2. Lint in batches, checking each file first (binary, non-UTF-8, too large) and isolating a file that makes ESLint throw.
  const bar = progressBar(io.isTTY, io.stderr);
  const results: ESLint.LintResult[] = [];
  let done = 0;
  bar.update(0, files.length, "scan");
  try {
    for (const batch of batches(files, fileErrors, maxBytes)) {
      const linted = await lintBatch(linters, batch.files);
      results.push(...linted.results.map(onlyLockScope));
      fileErrors.push(...linted.errors);
      done += batch.count;
      bar.update(done, files.length, "scan");
    }
  } finally {
    bar.done();
  }

  // 3. Fatal messages (parse errors, files outside the tsconfig with --type-aware) are file errors too.
  for (const result of results) {
    for (const message of result.messages) {
      if (!message.fatal) continue;
      // typescript-eslint's parse errors carry a 0-based column (ESLint passes it through); print it 1-based like every other position.
      const column = message.message.startsWith("Parsing error") ? message.column + 1 : message.column;
      const at = message.line > 0 ? `${message.line}:${column} ` : "";
      fileErrors.push({ file: result.filePath, message: `${at}${message.message}` });
    }
  }

  // 4. The baseline: record the findings (and report none), or keep only those it does not record.
  const baselineSummary = baseline?.finish(results, new Set(fileErrors.map((e) => e.file)));
  if (values["update-baseline"]) {
    printFileErrors(io, fileErrors);
    io.stderr(baselineSummary!);
    return values["exit-zero"] || fileErrors.length === 0 ? 0 : 1;
  }
  const findings = results.reduce((n, r) => n + r.messages.filter((m) => !m.fatal).length, 0);

  // 5. Output: the report on stdout (JSON keeps every file, the unreadable ones as fatal messages); the file errors on stderr.
  const linted = new Set(results.map((r) => r.filePath));
  const everyFile = () => [...results, ...fileErrors.filter((e) => !linted.has(e.file)).map(errorResult)].sort((a, b) => compare(a.filePath, b.filePath));
  let output: string;
  if (format === "sarif") {
    // Only what stylish shows (no inline-suppressed findings), plus the files that could not be analysed as notifications.
    const reported = everyFile()
      .filter((r) => r.messages.length > 0)
      .map((r) => ({ ...r, suppressedMessages: [] }));
    output = formatSarif(reported, linters.values().next().value!.getRulesMetaForResults(reported), io.cwd);
  } else {
    const reported = format === "json" ? everyFile() : results.map((r) => (r.fatalErrorCount > 0 || r.messages.some((m) => m.fatal) ? withoutFatal(r) : r));
    output = await (await ignores.loadFormatter(format)).format(reported);
  }
  if (output.length > 0) io.stdout(output.endsWith("\n") ? output : `${output}\n`);
  printFileErrors(io, fileErrors);
  if (baselineSummary) io.stderr(baselineSummary);
  if (values["exit-zero"]) return 0;
  return findings > 0 || fileErrors.length > 0 ? 1 : 0;
}

/** node:util's errors (unknown option, missing value) are usage errors: main prints them on one line, exit 2. */
function parseScanArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: "string", default: "stylish" },
      "type-aware": { type: "boolean", default: false },
      "exit-zero": { type: "boolean", default: false },
      "max-file-size": { type: "string", default: DEFAULT_MAX_FILE_SIZE },
      baseline: { type: "string" },
      "update-baseline": { type: "boolean", default: false },
      config: { type: "string" },
      "no-config": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
}

/** Parses `--max-file-size`: bytes, or a number with kB / MB / GB (1024-based); 0 means no limit. */
export function parseSize(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?\s*$/i.exec(value);
  if (!match)
    throw new UsageError(`--max-file-size must be a size in bytes or with a unit kB, MB or GB, for example 500kB or 20MB, or 0 for no limit (got "${value}").`);
  const unit = (match[2] ?? "b").toLowerCase()[0];
  const factor = unit === "k" ? 1024 : unit === "m" ? 1024 ** 2 : unit === "g" ? 1024 ** 3 : 1;
  return Math.round(Number(match[1]) * factor);
}

interface Batch {
  readonly files: string[];
  /** Files consumed from the list (linted or reported), for the progress bar. */
  readonly count: number;
}

/** Groups readable files into batches; unreadable ones are reported here and left out. */
function* batches(files: readonly string[], errors: FileError[], maxBytes: number): Generator<Batch> {
  let current: string[] = [];
  let bytes = 0;
  let count = 0;
  for (const file of files) {
    count++;
    try {
      const { buffer } = readSourceBytes(file, { maxBytes });
      decodeSource(buffer);
      current.push(file);
      bytes += buffer.length;
    } catch (error) {
      errors.push({ file, message: error instanceof SourceReadError ? error.message : `cannot read the file: ${(error as Error).message}` });
    }
    if (current.length >= BATCH_FILES || bytes >= BATCH_BYTES) {
      yield { files: current, count };
      current = [];
      bytes = 0;
      count = 0;
    }
  }
  if (count > 0) yield { files: current, count };
}

/** The ESLint that lints scan's files under one lock configuration: only the lock-scope rules, whatever else the project's config enables. */
function scanLinter(cwd: string, config: ProjectLockConfig, parser: Linter.Parser | undefined, typeAware: boolean): ESLint {
  const base = typeAware ? plugin.configs["recommended-type-checked"] : plugin.configs.recommended;
  return new ESLint({
    cwd,
    overrideConfigFile: true,
    overrideConfig: [
      { ignores: SKIPPED_DIRECTORIES.map((dir) => `**/${dir}/**`) },
      {
        ...base,
        files: SCAN_FILES,
        languageOptions: { ...(parser ? { parser } : {}), ...base.languageOptions },
        settings: { [SETTINGS_KEY]: config.model },
      } as never,
    ],
    errorOnUnmatchedPattern: false,
  });
}

/**
 * typescript-eslint's parser, from the scanned project or beside this package (an optional peer:
 * plain JavaScript projects never install it, and ESLint's own parser reads their files).
 */
function typeScriptParser(cwd: string, files: readonly string[]): Linter.Parser | undefined {
  for (const from of [path.join(cwd, "package.json"), import.meta.url]) {
    try {
      return createRequire(from)("@typescript-eslint/parser") as Linter.Parser;
    } catch {
      // not installed there
    }
  }
  const typescript = files.find((file) => /\.[cm]?tsx?$/.test(file));
  if (typescript) {
    throw new UsageError(
      `reading TypeScript (${path.basename(typescript)}…) needs @typescript-eslint/parser, which is not installed. Run: npm install --save-dev typescript-eslint`,
    );
  }
  return undefined;
}

/** Lints a batch, each file with the linter of its lock configuration. */
async function lintBatch(linters: ReadonlyMap<string, ESLint>, files: readonly string[]): Promise<{ results: ESLint.LintResult[]; errors: FileError[] }> {
  const byLinter = new Map<ESLint, string[]>();
  for (const file of files) {
    const linter = linters.get(file)!;
    byLinter.set(linter, [...(byLinter.get(linter) ?? []), file]);
  }
  const results: ESLint.LintResult[] = [];
  const errors: FileError[] = [];
  for (const [linter, group] of byLinter) {
    const linted = await lintIsolated(linter, group);
    results.push(...linted.results);
    errors.push(...linted.errors);
  }
  return { results, errors };
}

/** Lints a batch; when ESLint throws (a rule crashed, a file vanished), lints its files one by one to name the culprit. */
async function lintIsolated(eslint: ESLint, files: string[]): Promise<{ results: ESLint.LintResult[]; errors: FileError[] }> {
  if (files.length === 0) return { results: [], errors: [] };
  try {
    return { results: await eslint.lintFiles(files), errors: [] };
  } catch (error) {
    if (files.length === 1) return { results: [], errors: [{ file: files[0]!, message: crashMessage(error) }] };
    const results: ESLint.LintResult[] = [];
    const errors: FileError[] = [];
    for (const file of files) {
      const one = await lintIsolated(eslint, [file]);
      results.push(...one.results);
      errors.push(...one.errors);
    }
    return { results, errors };
  }
}

/** One line for an exception ESLint threw while linting one file. */
function crashMessage(error: unknown): string {
  // Anything can be thrown, null and undefined included.
  const err = error as (NodeJS.ErrnoException & { messageTemplate?: string }) | null | undefined;
  const text = String(err?.message ?? error);
  if (err?.code === "ENOENT") return "no such file (was it deleted during the run?)";
  const first = text.split("\n")[0]!.trim();
  const line = /Occurred while linting .*:(\d+)/.exec(text)?.[1];
  const rule = /Rule: "([^"]+)"/.exec(text)?.[1];
  if (rule) return `internal error in rule ${rule}${line ? ` at line ${line}` : ""}: ${first} (please report this with the file)`;
  return `internal error while linting: ${first}`;
}

function printFileErrors(io: CliIO, errors: FileError[]): void {
  for (const error of [...errors].sort((a, b) => compare(a.file, b.file))) {
    io.stderr(`${displayPath(io.cwd, error.file)}: error: ${error.message}\n`);
  }
}

function errorResult(error: FileError): ESLint.LintResult {
  const message: Linter.LintMessage = { ruleId: null, fatal: true, severity: 2, message: error.message, line: 0, column: 0 };
  return {
    filePath: error.file,
    messages: [message],
    suppressedMessages: [],
    errorCount: 1,
    fatalErrorCount: 1,
    warningCount: 0,
    fixableErrorCount: 0,
    fixableWarningCount: 0,
    usedDeprecatedRules: [],
  };
}

/** ESLint 10 flags `/* eslint-env … *\/` comments with a "fatal" message but lints the file all the same. */
const ESLINT_ENV_MESSAGE = "/* eslint-env */ comments are no longer supported";

/**
 * Keeps what scan is about: parse errors, the lock-scope rules' findings (including an invalid inline
 * config for them) and unused `eslint-disable` directives that name a lock-scope rule. The code's own
 * comments for rules scan does not run (\`eslint-disable-next-line ban/ban\`, \`/* eslint no-console: … *\/\`,
 * a bare \`/* eslint-disable *\/\`) would otherwise turn into findings.
 */
function onlyLockScope(result: ESLint.LintResult): ESLint.LintResult {
  const keep = (m: Linter.LintMessage) =>
    (m.fatal === true && !m.message.startsWith(ESLINT_ENV_MESSAGE)) ||
    (m.ruleId ?? "").startsWith("lock-scope/") ||
    (m.ruleId === null && m.message.includes("'lock-scope/"));
  if (result.messages.every(keep)) return result;
  const messages = result.messages.filter(keep);
  return {
    ...result,
    messages,
    errorCount: messages.filter((m) => m.severity === 2).length,
    warningCount: messages.filter((m) => m.severity === 1).length,
    fatalErrorCount: messages.filter((m) => m.fatal).length,
    fixableErrorCount: messages.filter((m) => m.severity === 2 && m.fix).length,
    fixableWarningCount: messages.filter((m) => m.severity === 1 && m.fix).length,
  };
}

function withoutFatal(result: ESLint.LintResult): ESLint.LintResult {
  const messages = result.messages.filter((m) => !m.fatal);
  const rest = { ...result };
  delete rest.source;
  return {
    ...rest,
    messages,
    errorCount: messages.filter((m) => m.severity === 2).length,
    warningCount: messages.filter((m) => m.severity === 1).length,
    fatalErrorCount: 0,
  };
}

function displayPath(cwd: string, file: string): string {
  const rel = path.relative(cwd, file);
  return rel.length > 0 && isWithin(cwd, file) ? rel : file;
}

/** ESLint ignores files outside its cwd: lint from the common ancestor when a path lies outside. */
function lintRoot(cwd: string, inputs: readonly string[]): string {
  const resolved = inputs.map((input) => path.resolve(cwd, input));
  if (resolved.every((file) => isWithin(cwd, file))) return cwd;
  let root = path.dirname(resolved[0]!);
  for (const file of resolved) {
    while (!isWithin(root, file)) root = path.dirname(root);
  }
  return root;
}
