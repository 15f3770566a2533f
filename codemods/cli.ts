import { execFileSync } from "node:child_process";
import path from "node:path";
import { parseArgs } from "node:util";
import { MIGRATE_HELP } from "./help.js";
import { createTwoFilesPatch } from "diff";
import { listSourceFiles, lockConfigsFor, oneLine, parseShard, UsageError, type CliIO, progressBar } from "eslint-plugin-lock-scope/cli";
import type { ModelOptions } from "eslint-plugin-lock-scope/core";
import { MigrationConfigError, runMigration, type FileReport, type MigrationResult } from "./migrate/run-migration.js";
import { RUNTIMES, type Runtime } from "./migrate/runtime.js";

export { MIGRATE_HELP };

/**
 * `lock-scope migrate` / `lock-scope-codemod`. With `--json`, a run that stops with exit 2 (a usage
 * or configuration error) prints `{ "error": "…" }` on stdout as well, so a script always has JSON to
 * parse; the one-line message still goes to stderr (runCommand).
 */
export async function migrate(argv: string[], io: CliIO): Promise<number> {
  if (!argv.includes("--json")) return migrateCommand(argv, io);
  try {
    return await migrateCommand(argv, io);
  } catch (error) {
    io.stdout(`${JSON.stringify({ error: oneLine(String((error as Error | null)?.message ?? error)) }, null, 2)}\n`);
    throw error;
  }
}

async function migrateCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      write: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      force: { type: "boolean", default: false },
      project: { type: "string" },
      "update-tsconfig": { type: "boolean", default: false },
      "no-type-check": { type: "boolean", default: false },
      modernize: { type: "boolean", default: false },
      // Accepted for scripts written when modernising was the default: it is the default now.
      "no-modernize": { type: "boolean", default: false },
      runtime: { type: "string" },
      config: { type: "string" },
      "no-config": { type: "boolean", default: false },
      shard: { type: "string" },
      workers: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    io.stdout(MIGRATE_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError("migrate needs at least one file or folder. Try: npx lock-scope-codemod src");
  let shard;
  try {
    shard = parseShard(values.shard);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const workers = values.workers === undefined ? Number.POSITIVE_INFINITY : Number(values.workers);
  if (!Number.isInteger(workers) && workers !== Number.POSITIVE_INFINITY) throw new UsageError(`--workers must be a whole number (got "${values.workers}")`);
  if (workers < 1) throw new UsageError("--workers must be at least 1");
  if (values.runtime !== undefined && !(RUNTIMES as readonly string[]).includes(values.runtime)) {
    throw new UsageError(`--runtime must be one of ${RUNTIMES.join(", ")} (got "${values.runtime}")`);
  }
  if (values.modernize && values["no-modernize"])
    throw new UsageError("--modernize and --no-modernize contradict each other; leave one out (the default is --no-modernize)");

  if (values.write && !values.force) {
    const dirty = dirtyFiles(io.cwd, positionals);
    if (dirty.length > 0) {
      throw new UsageError(
        `refusing to write: ${dirty.length} file(s) have uncommitted changes (${dirty.slice(0, 3).join(", ")}${dirty.length > 3 ? ", …" : ""}). Commit or stash them, or pass --force.`,
      );
    }
  }

  const lockModel = await projectLockModel(positionals, io.cwd, values.config, values["no-config"]);
  const bar = progressBar(io.isTTY && !values.json, io.stderr);
  let result: MigrationResult;
  try {
    result = await runMigration({
      paths: positionals,
      cwd: io.cwd,
      write: values.write,
      project: values.project,
      typeCheck: !values["no-type-check"],
      updateTsconfig: values["update-tsconfig"],
      shard,
      workers,
      modernize: values.modernize,
      runtime: values.runtime as Runtime | undefined,
      lockModel,
      onProgress: (done, total, phase) => {
        bar.update(done, total, phase);
      },
    });
  } catch (error) {
    bar.done();
    if (error instanceof MigrationConfigError) throw new UsageError(error.message);
    throw error;
  }
  bar.done();

  const manual = result.files.reduce((n, f) => n + f.sites.filter((s) => s.action === "manual" || s.stillReported !== undefined).length, 0);
  const errors = result.files.filter((f) => f.status === "error" || f.status === "rejected").length;
  if (values.json) {
    io.stdout(`${JSON.stringify(jsonReport(result, io.cwd, values.write), null, 2)}\n`);
  } else {
    if (!values.write) {
      // The planned diff of every file, the tsconfig's first; a rejected file's diff comes with a header line saying why.
      const diffs = [
        tsconfigDiff(result, io.cwd),
        ...result.files.map((file) => (file.status === "modified" || file.status === "rejected" ? diffOf(file, io.cwd) : "")),
      ];
      for (const diff of diffs) if (diff) io.stdout(io.colour ? colourDiff(diff) : diff);
    }
    for (const file of result.files) {
      const rel = path.relative(io.cwd, file.file);
      if (file.status === "error") io.stderr(`${rel}: error: ${file.error}\n`);
      if (file.status === "rejected") io.stderr(`${rel}: rejected, ${values.write ? "not written" : "--write would not write it"}: ${file.rejectedBecause}\n`);
      for (const site of file.sites.filter((s) => s.action === "manual")) {
        io.stderr(`${rel}:${site.line}:${site.column}: manual: \`${site.api}\`: ${site.reason}\n`);
      }
      for (const site of file.sites.filter((s) => s.action === "kept"))
        io.stderr(`${rel}:${site.line}:${site.column}: kept: \`${site.api}\`: ${site.reason ?? ""}\n`);
      for (const site of file.sites.filter((s) => s.stillReported !== undefined)) {
        io.stderr(
          `${rel}:${site.line}:${site.column}: rewritten in part: \`${site.api}\`: require-release still reports it (${site.stillReported}); finish it by hand\n`,
        );
      }
    }
    io.stderr(noUsingLines(result, io.cwd));
    io.stderr(providerFallbackLines(result, io.cwd));
    if (result.tsconfigUpdated)
      io.stderr(`${values.write ? "updated" : "would update"} ${path.relative(io.cwd, result.tsconfig!)}: added "ESNext.Disposable" to compilerOptions.lib\n`);
    if (result.tsconfigNotUpdated) io.stderr(`${path.relative(io.cwd, result.tsconfig!)} not updated, not needed: ${result.tsconfigNotUpdated}\n`);
    io.stderr(summaryTable(result, values.write) + staleTempFilesLine(result, values.write));
    if (values.write) io.stderr(unreadUsingLine(result));
  }
  return manual > 0 || errors > 0 ? 1 : 0;
}

/**
 * The lock APIs the project configured for ESLint (`settings["lock-scope"]`, the rule's options),
 * read through ESLint's config loading, so the codemod rewrites what `npx eslint` reports. One run
 * takes one configuration: files under different ones are migrated in separate runs.
 */
async function projectLockModel(
  paths: readonly string[],
  cwd: string,
  configFile: string | undefined,
  ignoreConfig: boolean,
): Promise<ModelOptions | undefined> {
  if (ignoreConfig) return undefined;
  try {
    await import("eslint");
  } catch {
    if (configFile !== undefined)
      throw new UsageError(`--config ${configFile}: reading an ESLint config needs the eslint package, which is not installed here.`);
    return undefined; // no ESLint, so no ESLint config to read: the built-in presets apply
  }
  const { files } = listSourceFiles(paths, cwd);
  const groups = await lockConfigsFor(files, { cwd, configFile });
  if (groups.size > 1) {
    const sources = [...groups.keys()].map((g) => (g.source ? path.relative(cwd, g.source) : "no config"));
    throw new UsageError(`these files use ${groups.size} different lock configurations (${sources.join(", ")}): migrate each package in its own run.`);
  }
  return [...groups.keys()][0]?.model;
}

function dirtyFiles(cwd: string, paths: string[]): string[] {
  try {
    const out = execFileSync("git", ["status", "--porcelain", "--", ...paths], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return out
      .split("\n")
      .filter((line) => line.trim().length > 0)
      .map((line) => line.slice(3));
  } catch {
    return []; // not a git repository: nothing to protect
  }
}

function diffOf(file: FileReport, cwd: string): string {
  const rel = path.relative(cwd, file.file).split(path.sep).join("/");
  const diff = createTwoFilesPatch(`a/${rel}`, `b/${rel}`, file.original!.text, file.output!, undefined, undefined, { context: 3 }).replace(/^=+\n/m, "");
  // `git apply` and `patch` skip text before a file's `---` line: the header keeps the diff readable, not inapplicable.
  return file.status === "rejected" ? `# rejected, --write would not write ${rel}: ${file.rejectedBecause}\n${diff}` : diff;
}

/** `--update-tsconfig` in a dry run: the tsconfig's planned diff. */
function tsconfigDiff(result: MigrationResult, cwd: string): string {
  if (!result.tsconfigEdit || !result.tsconfig) return "";
  const rel = path.relative(cwd, result.tsconfig).split(path.sep).join("/");
  return createTwoFilesPatch(`a/${rel}`, `b/${rel}`, result.tsconfigEdit.original.text, result.tsconfigEdit.updated, undefined, undefined, {
    context: 3,
  }).replace(/^=+\n/m, "");
}

function jsonReport(result: MigrationResult, cwd: string, written: boolean): unknown {
  return {
    written,
    tsconfig: result.tsconfig ? path.relative(cwd, result.tsconfig) : null,
    tsconfigUpdated: result.tsconfigUpdated ?? false,
    ...(result.tsconfigNotUpdated ? { tsconfigNotUpdated: result.tsconfigNotUpdated } : {}),
    files: result.files.map((f) => ({
      file: path.relative(cwd, f.file).split(path.sep).join("/"),
      status: f.status,
      added: f.added,
      removed: f.removed,
      ...(f.error ? { error: f.error } : {}),
      ...(f.rejectedBecause ? { rejectedBecause: f.rejectedBecause } : {}),
      ...(f.noUsing ? { noUsing: f.noUsing } : {}),
      sites: f.sites.map((s) => ({
        line: s.line,
        column: s.column,
        api: s.api,
        verdict: s.verdict,
        action: s.action,
        ...(s.reason ? { reason: s.reason } : {}),
      })),
    })),
    summary: { ...summary(result), ...staleTempFilesSummary(result, written) },
    ...(result.providerFallbacks
      ? {
          providerFallbacks: result.providerFallbacks.map((f) => ({ ...f, ...(f.file ? { file: path.relative(cwd, f.file).split(path.sep).join("/") } : {}) })),
        }
      : {}),
  };
}

/**
 * One line per provider change that was not made: it did not type-check (`file:line:column` of the
 * first new error, and the error) or it is in a file outside the run's paths. Its handle stays as
 * it is, and its call sites got the handle adapter (the try/finally form where `using` cannot run).
 */
function providerFallbackLines(result: MigrationResult, cwd: string): string {
  let text = "";
  for (const fallback of result.providerFallbacks ?? []) {
    const where = fallback.file ? `${path.relative(cwd, fallback.file)}${fallback.line ? `:${fallback.line}:${fallback.column}` : ""}: ` : "";
    const apis = fallback.apis.map((api) => `\`${api}\``).join(", ");
    const why = fallback.kind === "typeError" ? `the change would add a type error: ${fallback.message.replace(/\.$/, "")}` : fallback.message;
    text += `${where}note: ${apis}: the handle was not made disposable, ${why}; its call sites get the handle adapter instead (try { … } finally { release } where \`using\` cannot run)\n`;
  }
  return text;
}

/** JSON keys, only when non-zero: `staleTempFilesRemoved` (--write), `staleTempFilesFound` (left in place: a dry run, or removal failed). */
function staleTempFilesSummary(result: MigrationResult, written: boolean): Record<string, number> {
  const { found, removed } = result.staleTempFiles;
  const left = found - (written ? removed : 0);
  return { ...(removed > 0 ? { staleTempFilesRemoved: removed } : {}), ...(left > 0 ? { staleTempFilesFound: left } : {}) };
}

/** One summary line, only when there were stale temp files. */
function staleTempFilesLine(result: MigrationResult, written: boolean): string {
  const { found, removed } = result.staleTempFiles;
  if (found === 0) return "";
  const files = (n: number) => `${n} stale temp file${n === 1 ? "" : "s"}`;
  if (!written) return `  ${files(found)} from an interrupted run; --write removes them\n`;
  const failed = found - removed;
  if (removed === 0) return `  ${files(failed)} from an interrupted run could not be removed\n`;
  return `  removed ${files(removed)} from an interrupted run${failed > 0 ? `; ${failed} could not be removed` : ""}\n`;
}

/**
 * One line per reason for the files whose leaks got try/finally because they cannot run `using`
 * where they run: the first file, how many more, why, and the setting that would allow `using`.
 */
function noUsingLines(result: MigrationResult, cwd: string): string {
  const byReason = new Map<string, string[]>();
  for (const file of result.files) {
    if (!file.noUsing || !file.sites.some((s) => s.action === "rewritten")) continue;
    byReason.set(file.noUsing, [...(byReason.get(file.noUsing) ?? []), path.relative(cwd, file.file)]);
  }
  let text = "";
  for (const [reason, files] of byReason) {
    const more = files.length > 1 ? ` (and ${files.length - 1} more file${files.length > 2 ? "s" : ""})` : "";
    text += `${files[0]}${more}: leaks fixed with try { … } finally { release } instead of \`await using\`: ${reason}\n`;
  }
  return text;
}

/**
 * A `using` binding that is never read is how a lock scope looks, but no-unused-vars (ESLint's and
 * typescript-eslint's, in their recommended configs) reports it unless `ignoreUsingDeclarations`
 * is set; no name avoids that without user config. One line after writing says what to set.
 */
function unreadUsingLine(result: MigrationResult): string {
  const unread = result.files.reduce((n, f) => n + (f.status === "modified" ? Math.max(0, f.unreadUsing ?? 0) : 0), 0);
  if (unread === 0) return "";
  return `note: ${unread} new \`using\` binding${unread === 1 ? " is" : "s are"} never read; no-unused-vars reports ${unread === 1 ? "it" : "them"} unless you set "@typescript-eslint/no-unused-vars": ["error", { "ignoreUsingDeclarations": true }] in eslint.config.js (or "no-unused-vars" with the same option in a JavaScript project)\n`;
}

function summary(result: MigrationResult) {
  const count = (status: string) => result.files.filter((f) => f.status === status).length;
  // A file the type check rejected (status "error") was not written: its planned rewrites fixed nothing.
  const sites = result.files.flatMap((f) => (f.status === "error" ? f.sites.filter((s) => s.action !== "rewritten") : f.sites));
  // "Leaks" are the sites require-release reports (a leak, an unawaited release, a discarded handle).
  const reported = sites.filter((s) => s.verdict !== "safe");
  return {
    files: result.files.length,
    modified: count("modified"),
    unchanged: count("unchanged"),
    // No file is skipped any more (an unreadable one is an error): the key stays for scripts that read it.
    skipped: 0,
    errors: count("error"),
    rejected: count("rejected"),
    sitesRewritten: sites.filter((s) => s.action === "rewritten").length,
    sitesManual: sites.filter((s) => s.action === "manual").length,
    // A rewrite the rule still reports closed some paths, not all: it is left for a human too.
    leaksFixed: reported.filter((s) => s.action === "rewritten" && s.stillReported === undefined).length,
    leaksLeftForHuman: reported.filter((s) => s.action === "manual" || s.stillReported !== undefined).length,
    correctSitesModernised: sites.filter((s) => s.verdict === "safe" && s.action === "rewritten").length,
    correctSitesKept: result.files.reduce((n, f) => n + (f.correctSitesKept ?? 0), 0),
    // Sites a rejected file would have rewritten: left for a human (leaks) or kept (correct sites).
    rewritesRejected: result.files.reduce((n, f) => n + (f.status === "rejected" ? (f.rejectedSites ?? 0) : 0), 0),
    unreadUsingBindings: result.files.reduce((n, f) => n + (f.status === "modified" ? Math.max(0, f.unreadUsing ?? 0) : 0), 0),
    // What is (or would be) written: a rejected file's planned lines are in its own entry only.
    linesAdded: result.files.reduce((n, f) => n + (f.status === "modified" ? f.added : 0), 0),
    linesRemoved: result.files.reduce((n, f) => n + (f.status === "modified" ? f.removed : 0), 0),
  };
}

function summaryTable(result: MigrationResult, written: boolean): string {
  const s = summary(result);
  const rows: [string, number][] = [
    [written ? "modified" : "would modify", s.modified],
    ["unchanged", s.unchanged],
    ["errors", s.errors],
    ["rejected by type check", s.rejected],
    ["leaks fixed", s.leaksFixed],
    ["leaks left for a human", s.leaksLeftForHuman],
    ["correct sites modernised", s.correctSitesModernised],
    ["correct sites kept", s.correctSitesKept],
    ["lines +/-", s.linesAdded - s.linesRemoved],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const value = (k: string, v: number) =>
    k === "lines +/-"
      ? `+${s.linesAdded} -${s.linesRemoved}`
      : k === "correct sites kept" && v > 0
        ? `${v}  (already released in a finally; --modernize rewrites them to \`using\`)`
        : v;
  return `\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${value(k, v)}`).join("\n")}\n`;
}

/** ANSI colours for a unified diff (only when the terminal supports them). */
function colourDiff(diff: string): string {
  return diff
    .split("\n")
    .map((line) =>
      line.startsWith("+++") || line.startsWith("---")
        ? `\x1b[1m${line}\x1b[22m`
        : line.startsWith("+")
          ? `\x1b[32m${line}\x1b[39m`
          : line.startsWith("-")
            ? `\x1b[31m${line}\x1b[39m`
            : line.startsWith("@@")
              ? `\x1b[36m${line}\x1b[39m`
              : line,
    )
    .join("\n");
}
