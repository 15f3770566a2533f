import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { SyntaxKind, TypeFormatFlags, type Project, type SourceFile } from "ts-morph";
import { findAcquisitions, judgeSite, compoundReleaseOf, applyEdits, collectImports, buildLockModel, type AcquisitionSite, type ModelOptions } from "eslint-plugin-lock-scope/core";
import { parseSource, SourceParseError } from "../parse.js";
import { declaredTypeKey, migrateSource, type SiteOutcome } from "../call-sites/migrate-source.js";
import { encodeLike, readSourceFile, staleTempFile, TEMP_FILE_PATTERN, writeFileAtomic, type SourceFileText, listSourceFiles, shardFiles } from "eslint-plugin-lock-scope/cli";
import { checkUsingSupport, addDisposableLib, diagnosticsByFile, findTsconfig, loadProject, newDiagnostics } from "./project.js";
import { analyseProviderSite, createProviderAnalysis, type ProviderAnalysis, type ProviderFallback } from "./providers.js";
import { CallSiteReplanner, dropProvidersOutside, verifyProviderEdits } from "./provider-fallback.js";
import { decideRuntime, type Runtime } from "./runtime.js";

/**
 * `lock-scope migrate`: one run across a repository. Analyse everything first
 * (ts-morph for types and providers, the shared core for call sites), then
 * verify the new texts with the project's own tsconfig, then write atomically.
 */

export type FileStatus = "modified" | "unchanged" | "skipped" | "error";

export interface FileReport {
  readonly file: string;
  status: FileStatus;
  added: number;
  removed: number;
  sites: SiteOutcome[];
  error?: string;
  /** Correct sites (released in a `finally`) left as they are. */
  correctSitesKept?: number;
  /**
   * Why this file cannot run `using` where the project runs it: its leaks are fixed with
   * `try { … } finally { release }` instead (one line, with the setting that would allow `using`).
   */
  noUsing?: string;
  /** `using` declarations the rewrite added whose name is never read (no-unused-vars reports them). */
  unreadUsing?: number;
  /** New text when modified (not serialised in JSON reports). */
  output?: string;
  original?: SourceFileText;
}

export interface MigrateOptions {
  readonly paths: readonly string[];
  readonly cwd: string;
  readonly write: boolean;
  readonly project?: string;
  readonly typeCheck: boolean;
  readonly updateTsconfig: boolean;
  readonly shard?: { index: number; count: number };
  /** Worker threads for the call-site step (1 = in-process). */
  readonly workers: number;
  readonly modernize: boolean;
  /** `--runtime`: the Node the code runs on, instead of the one package.json declares. */
  readonly runtime?: Runtime;
  /** The lock APIs to recognise (the user's `settings["lock-scope"]`, validated); default: every preset. */
  readonly lockModel?: ModelOptions;
  readonly onProgress?: (done: number, total: number, phase: string) => void;
}

export interface MigrationResult {
  readonly files: FileReport[];
  readonly tsconfig?: string;
  readonly tsconfigUpdated?: boolean;
  /**
   * Temp files of an interrupted run (`.<name>.lock-scope-<pid>-<time>.tmp` whose process is gone)
   * in the folders of this run's files: `found`, and `removed` of them (only with `write`).
   */
  readonly staleTempFiles: { readonly found: number; readonly removed: number };
  /** Provider changes not made (they did not type-check, or edit a file outside the paths): their APIs' call sites got the try/finally form instead. */
  readonly providerFallbacks?: ProviderFallback[];
}

export class MigrationConfigError extends Error {
  override readonly name = "MigrationConfigError";
}

export async function runMigration(options: MigrateOptions): Promise<MigrationResult> {
  const { files: listed, problems } = listSourceFiles(options.paths, options.cwd);
  if (listed.length === 0 && problems.length > 0 && problems.every((p) => p.message === "no such file or folder")) {
    throw new MigrationConfigError(`no such file or folder: ${problems.map((p) => path.relative(options.cwd, p.path) || p.path).join(", ")}`);
  }
  const files = shardFiles(listed, options.shard, options.cwd);
  const owned = new Set(files);
  const reports = new Map<string, FileReport>();
  for (const problem of problems) {
    reports.set(problem.path, { file: problem.path, status: "error", added: 0, removed: 0, sites: [], error: problem.message });
  }

  // Read every file once; unreadable or binary files are reported and skipped.
  const texts = new Map<string, SourceFileText>();
  for (const file of files) {
    try {
      texts.set(file, readSourceFile(file));
    } catch (error) {
      reports.set(file, { file, status: "error", added: 0, removed: 0, sites: [], error: readError(error) });
    }
  }

  // The project: types, providers, verification.
  let project: Project | undefined;
  let tsconfig: string | undefined;
  let tsconfigUpdated = false;
  if (options.project !== undefined && !fs.existsSync(path.resolve(options.cwd, options.project))) {
    throw new MigrationConfigError(`--project ${options.project}: no such file. Give the path of a tsconfig.json, or leave --project out to use the nearest one.`);
  }
  const firstPath = path.resolve(options.cwd, options.paths[0] ?? ".");
  // Where the code runs decides the form of every fix: `using`, or try/finally where it cannot run.
  const cannotRunUsing = new Map(decideRuntime({ files, firstPath, tsconfig: findTsconfig(firstPath, options.project, options.cwd), override: options.runtime }).cannotRunUsing);
  if (options.typeCheck) {
    tsconfig = findTsconfig(firstPath, options.project, options.cwd);
    // A project none of whose files gets `using` needs no AsyncDisposable in its lib.
    if (tsconfig && files.some((file) => !cannotRunUsing.has(file))) {
      project = loadProject(tsconfig);
      let support = checkUsingSupport(project, tsconfig);
      if (!support.ok && options.updateTsconfig) {
        const original = readSourceFile(tsconfig);
        const target = project.getCompilerOptions().target;
        const targetName = target === undefined ? undefined : (await import("ts-morph")).ts.ScriptTarget[target];
        const updated = addDisposableLib(original.text, targetName);
        if (options.write) writeFileAtomic(tsconfig, encodeLike(original, updated), original.mode);
        tsconfigUpdated = true;
        if (options.write) {
          project = loadProject(tsconfig);
          support = checkUsingSupport(project, tsconfig);
        } else {
          support = { ok: true };
        }
      }
      if (!support.ok) throw new MigrationConfigError(support.message!);
    } else if (tsconfig) {
      project = loadProject(tsconfig);
    }
  }

  // Phase 1: providers (type-aware), before any edit.
  const providers = createProviderAnalysis();
  const declaredTypes = new Map<string, [string, string][]>();
  if (project) analyseProviders(project, texts, providers, reports, options, cannotRunUsing, declaredTypes);
  // Provider edits this run would not write, or that do not type-check on their own, are dropped before any call site relies on them.
  dropProvidersOutside(providers, new Set(listed.map((file) => path.resolve(file))), options.cwd);
  const baseline = project && providers.owned.length > 0 ? diagnosticsByFile(project) : undefined;
  if (project && baseline) verifyProviderEdits(project, providers, baseline);

  // Phase 2: call sites, on the provider-edited texts.
  const inputs: { file: string; text: string }[] = [];
  const providerFiles = new Set(providers.edits.keys());
  for (const file of providerFiles) {
    if (!texts.has(file)) {
      try {
        texts.set(file, readSourceFile(file));
      } catch (error) {
        reports.set(file, { file, status: "error", added: 0, removed: 0, sites: [], error: readError(error) });
      }
    }
  }
  for (const [file, original] of texts) {
    if (reports.get(file)?.status === "error") continue;
    const providerEdits = providers.edits.get(file) ?? [];
    inputs.push({ file, text: providerEdits.length > 0 ? applyEdits(original.text, providerEdits) : original.text });
  }
  const handles = new Map<string, "async" | "sync">();
  const reasons = new Map<string, string>();
  for (const [label, decision] of providers.decisions) {
    if (decision.disposable) handles.set(label, decision.disposable);
    else if (decision.reason) reasons.set(label, decision.reason);
  }
  const job: CallSiteJob = { model: options.lockModel, handles, reasons, modernize: options.modernize, noUsing: new Set(cannotRunUsing.keys()), declaredTypes };
  const results = await migrateCallSites(inputs, job, options);
  if (project && tsconfig) fallBackWhereUnusedUsingFails(project, tsconfig, inputs, results, job, cannotRunUsing, options);
  for (const result of results) {
    const original = texts.get(result.file)!;
    if (result.error) {
      reports.set(result.file, { file: result.file, status: "error", added: 0, removed: 0, sites: [], error: result.error });
      continue;
    }
    const changed = result.output !== original.text;
    reports.set(result.file, {
      file: result.file,
      status: changed ? "modified" : "unchanged",
      added: 0,
      removed: 0,
      sites: result.sites,
      correctSitesKept: result.correctSitesKept,
      ...(cannotRunUsing.has(result.file) ? { noUsing: cannotRunUsing.get(result.file) } : {}),
      output: changed ? result.output : undefined,
      // Unchanged files need nothing more: keep memory flat on large repositories.
      original: changed ? original : undefined,
    });
  }
  texts.clear();

  // Phase 3: verify with the project's own tsconfig; a file whose rewrite adds type errors is not written.
  const replanner = project && new CallSiteReplanner(project, providers, handles, reasons, () => reports.values(), (file, text, h, r) => migrateOne(file, text, { ...job, handles: h, reasons: r }), options.cwd);
  if (project) verify(project, reports, options, baseline, replanner);

  // Phase 4: write — after the temp files a killed run left next to this run's files (dry run: counted only).
  const staleTempFiles = cleanStaleTempFiles(files, options.write);
  for (const report of reports.values()) {
    if (report.status !== "modified" || !report.output || !report.original || !owned.has(report.file)) continue;
    const counts = lineCounts(report.original.text, report.output);
    report.added = counts.added;
    report.removed = counts.removed;
    report.unreadUsing = unreadUsingBindings(report.output, report.file) - unreadUsingBindings(report.original.text, report.file);
    if (options.write) {
      try {
        writeFileAtomic(report.file, encodeLike(report.original, report.output), report.original.mode);
      } catch (error) {
        report.status = "error";
        report.error = `cannot write: ${(error as Error).message}`;
      }
    }
  }
  // Provider files outside this shard were edited in memory only (for verification); their own shard writes them.
  const ordered = [...reports.values()].filter((r) => owned.has(r.file) || problems.some((p) => p.path === r.file)).sort((a, b) => a.file.localeCompare(b.file));
  return { files: ordered, tsconfig, tsconfigUpdated, staleTempFiles, ...(providers.fallbacks.length > 0 ? { providerFallbacks: providers.fallbacks } : {}) };
}

/**
 * Looks for stale temp files in the folders of `files` only (this shard's files), each real
 * folder once. See staleTempFile for what is removed and what is never touched.
 */
function cleanStaleTempFiles(files: readonly string[], remove: boolean): { found: number; removed: number } {
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

function analyseProviders(
  project: Project,
  texts: Map<string, SourceFileText>,
  providers: ProviderAnalysis,
  reports: Map<string, FileReport>,
  options: MigrateOptions,
  noUsing: ReadonlyMap<string, string>,
  declaredTypes: Map<string, [string, string][]>,
): void {
  const model = buildLockModel(options.lockModel);
  let done = 0;
  for (const [file, original] of texts) {
    options.onProgress?.(++done, texts.size, "types");
    const sourceFile = project.getSourceFile(file);
    if (!sourceFile) continue;
    // Work on the normalised text (no BOM, LF) so ESTree and TypeScript positions agree.
    if (sourceFile.getFullText() !== original.text) sourceFile.replaceWithText(original.text);
    let program;
    try {
      program = parseSource(original.text, file);
    } catch (error) {
      reports.set(file, { file, status: "error", added: 0, removed: 0, sites: [], error: parseErrorText(error) });
      continue;
    }
    const imports = collectImports(program);
    for (const site of findAcquisitions(program, model, imports, original.text)) {
      if (site.form.kind !== "tracked") continue;
      const verdict = judgeSite(site, { model, imports, sourceText: original.text });
      if (verdict.kind === "safe" && (verdict.why !== "released" || !options.modernize)) continue;
      collectDeclaredTypes(sourceFile, site, original.text, declaredTypes);
      // Try/finally fixes call the API's own release: no handle needs to be disposable for them;
      // nor does a handle released by a call that also writes (`writeAndUnlock(data)`): it never becomes `using`.
      if (noUsing.has(file) || compoundReleaseOf(site.form.binding, site.form.scope, original.text) !== undefined) continue;
      analyseProviderSite(project, providers, sourceFile, site);
    }
  }
}

/**
 * The checker's types of the declarations without annotation that sit beside a reported
 * acquisition in its block: the planner declares such a name before the locked region when it is
 * used after it (`let kept: string[];`). Keyed by name and initializer (declaredTypeKey).
 */
function collectDeclaredTypes(sourceFile: SourceFile, site: AcquisitionSite, text: string, out: Map<string, [string, string][]>): void {
  const form = site.form;
  if (form.kind !== "tracked" || form.acquireAt?.type !== "VariableDeclarator") return;
  const block = form.acquireAt.parent?.parent;
  if (block?.type !== "BlockStatement") return;
  const entries = out.get(sourceFile.getFilePath()) ?? [];
  for (const statement of block.body) {
    if (statement.type !== "VariableDeclaration" || (statement.kind !== "const" && statement.kind !== "let")) continue;
    for (const declarator of statement.declarations) {
      if (declarator.id.type !== "Identifier" || declarator.id.typeAnnotation || !declarator.init) continue;
      const node = sourceFile.getDescendantAtPos(declarator.id.range[0])?.getParentIfKind(SyntaxKind.VariableDeclaration);
      if (!node) continue;
      const type = node.getType();
      // A type that cannot be written back (anonymous class, unique symbol) or says nothing: leave the site manual.
      const written = type.getText(node, TypeFormatFlags.UseAliasDefinedOutsideCurrentScope | TypeFormatFlags.NoTruncation);
      if (type.isAny() || /\btypeof\b|unique symbol|\.\.\.|__/.test(written)) continue;
      entries.push([declaredTypeKey(declarator.id.name, text.slice(declarator.init.range[0], declarator.init.range[1])), written]);
    }
  }
  if (entries.length > 0) out.set(sourceFile.getFilePath(), entries);
}

function verify(project: Project, reports: Map<string, FileReport>, options: MigrateOptions, baseline?: Map<string, string[]>, replanner?: CallSiteReplanner): void {
  const before = baseline ?? diagnosticsByFile(project);
  const pending = [...reports.values()].filter((r) => r.status === "modified" && project.getSourceFile(r.file));
  for (const report of pending) project.getSourceFileOrThrow(report.file).replaceWithText(report.output!);
  for (let round = 0; round < 4 + (replanner?.retries ?? 0); round++) {
    options.onProgress?.(round + 1, 4, "verify");
    const fresh = newDiagnostics(project, before);
    const rejected = pending.filter((report) => report.status === "modified" && fresh.has(path.resolve(report.file)));
    // Errors that appear in files we did not change point at the provider edits: reject every provider file.
    const foreign = [...fresh.keys()].filter((file) => !pending.some((r) => path.resolve(r.file) === file));
    if (rejected.length === 0 && foreign.length === 0) return;
    const toReject = rejected.length > 0 ? rejected : pending.filter((r) => r.status === "modified");
    // Before rejecting: fall back to try/finally where a handle made that file fail (provider-fallback.ts).
    const replanned = rejected.length > 0 && replanner ? replanner.retry(rejected, fresh) : new Set<unknown>();
    for (const report of toReject) {
      if (replanned.has(report)) continue;
      const diagnostic = fresh.get(path.resolve(report.file)) ?? fresh.get(foreign[0]!);
      report.status = "error";
      report.error = diagnostic
        ? `the rewrite would add a type error, so the file was not written: ${path.relative(options.cwd, diagnostic.file)}:${diagnostic.line}:${diagnostic.column} ${diagnostic.message}`
        : "the rewrite would add type errors, so the file was not written";
      report.output = undefined;
      project.getSourceFileOrThrow(report.file).replaceWithText(report.original!.text);
    }
  }
}

/**
 * `noUnusedLocals` makes TypeScript report a `using` binding that is never read (TS6133: "'lock' is
 * declared but its value is never read"; only names that start with `_` are exempt), and a lock
 * scope's binding usually is never read: every such rewrite would be rejected by the verification
 * step and the leak left unfixed (livekit-client, test/truth/repo-run.mjs). A file whose plan adds
 * such a binding is planned again in the try/finally form, which keeps the name and reads it in
 * its `finally`; the reason is reported like a runtime that cannot run `using`.
 */
function fallBackWhereUnusedUsingFails(
  project: Project,
  tsconfig: string,
  inputs: readonly { file: string; text: string }[],
  results: CallSiteResult[],
  job: CallSiteJob,
  cannotRunUsing: Map<string, string>,
  options: MigrateOptions,
): void {
  if (!project.getCompilerOptions().noUnusedLocals) return;
  const texts = new Map(inputs.map((input) => [input.file, input.text]));
  const reason = `${path.relative(options.cwd, tsconfig) || "tsconfig.json"} "noUnusedLocals": true reports a \`using\` binding that is never read (TS6133: only names that start with "_" are exempt); set "noUnusedLocals": false, or rename the handles with a leading "_", to get \`await using\``;
  for (const [index, result] of results.entries()) {
    const text = texts.get(result.file);
    if (result.error || text === undefined || result.output === text || job.noUsing.has(result.file) || !project.getSourceFile(result.file)) continue;
    if (unreadUsingBindings(result.output, result.file, true) <= unreadUsingBindings(text, result.file, true)) continue;
    cannotRunUsing.set(result.file, reason);
    results[index] = migrateOne(result.file, text, { ...job, noUsing: new Set([...job.noUsing, result.file]) });
  }
}

// ------------------------------------------------------------- call sites

interface CallSiteJob {
  readonly model: ModelOptions | undefined;
  readonly handles: Map<string, "async" | "sync">;
  readonly reasons: Map<string, string>;
  readonly modernize: boolean;
  /** Files that cannot run `using`: fixed with try/finally. */
  readonly noUsing: ReadonlySet<string>;
  /** Per file (ts-morph's path), the checker's types of declarations without annotation (declaredTypeKey → type). */
  readonly declaredTypes: ReadonlyMap<string, [string, string][]>;
  /** By callee label, whether the release function an acquisition returns is async (from types). */
}

export interface CallSiteResult {
  readonly file: string;
  readonly output: string;
  readonly sites: SiteOutcome[];
  readonly correctSitesKept?: number;
  readonly error?: string;
}

/** Migrates one file's call sites (also the worker's job). */
export function migrateOne(file: string, text: string, job: CallSiteJob): CallSiteResult {
  try {
    const types = job.declaredTypes.get(path.resolve(file).split(path.sep).join("/"));
    const result = migrateSource(text, file, {
      model: job.model,
      disposableHandles: job.handles,
      handleReasons: job.reasons,
      modernize: job.modernize,
      canRunUsing: !job.noUsing.has(file),
      ...(types ? { declaredTypes: new Map(types) } : {}),
    });
    return { file, output: result.output, sites: result.sites, correctSitesKept: result.correctSitesKept };
  } catch (error) {
    return { file, output: text, sites: [], error: parseErrorText(error) };
  }
}

async function migrateCallSites(inputs: { file: string; text: string }[], job: CallSiteJob, options: MigrateOptions): Promise<CallSiteResult[]> {
  const workers = Math.max(1, Math.min(options.workers, os.availableParallelism(), Math.ceil(inputs.length / 25)));
  if (workers <= 1) {
    return inputs.map((input, index) => {
      options.onProgress?.(index + 1, inputs.length, "rewrite");
      return migrateOne(input.file, input.text, job);
    });
  }
  const chunks: { file: string; text: string }[][] = Array.from({ length: workers }, () => []);
  inputs.forEach((input, index) => chunks[index % workers]!.push(input));
  let done = 0;
  const parts = await Promise.all(
    chunks.map(
      (chunk) =>
        new Promise<CallSiteResult[]>((resolve, reject) => {
          const worker = new Worker(new URL("./worker.js", import.meta.url), {
            workerData: { inputs: chunk, job: { model: job.model, handles: [...job.handles], reasons: [...job.reasons], modernize: job.modernize, noUsing: [...job.noUsing], declaredTypes: [...job.declaredTypes] } },
          });
          worker.on("message", (message: { progress?: number; results?: CallSiteResult[] }) => {
            if (message.progress) options.onProgress?.((done += message.progress), inputs.length, "rewrite");
            if (message.results) resolve(message.results);
          });
          worker.on("error", reject);
          worker.on("exit", (code) => code !== 0 && reject(new Error(`worker exited with code ${code}`)));
        }),
    ),
  );
  return parts.flat();
}

// ------------------------------------------------------------------ helpers

/**
 * `using` / `await using` declarations whose name is not read in their block. typescript-eslint's
 * and ESLint's no-unused-vars report each one unless `ignoreUsingDeclarations` is set: the
 * codemod says so once after writing (the name is what keeps the lock alive, it cannot go).
 */
function unreadUsingBindings(text: string, file: string, exemptUnderscore = false): number {
  let program;
  try {
    program = parseSource(text, file);
  } catch {
    return 0;
  }
  let unread = 0;
  // The block a declaration belongs to: the nearest statement list on the way down (the parser sets no `parent`).
  const visit = (node: unknown, block: unknown): void => {
    if (!node || typeof node !== "object") return;
    if (Array.isArray(node)) return node.forEach((child) => visit(child, block));
    const n = node as { type?: string; kind?: string; declarations?: { id: { type: string; name?: string } }[] };
    if (n.type === "VariableDeclaration" && (n.kind === "using" || n.kind === "await using")) {
      for (const declarator of n.declarations ?? []) {
        const name = declarator.id.type === "Identifier" ? declarator.id.name : undefined;
        if (name !== undefined && !(exemptUnderscore && name.startsWith("_")) && !readsName(block, name, declarator.id)) unread++;
      }
    }
    const inner = n.type === "BlockStatement" || n.type === "Program" || n.type === "SwitchCase" || n.type === "StaticBlock" ? n : block;
    for (const [key, value] of Object.entries(n)) if (key !== "parent" && key !== "loc" && key !== "range") visit(value, inner);
  };
  visit(program, program);
  return unread;
}

/** Is `name` referenced in `scope` other than by `declaration` (by name: shadowing only makes it say "read")? */
function readsName(scope: unknown, name: string, declaration: unknown): boolean {
  let found = false;
  const visit = (node: unknown): void => {
    if (found || !node || typeof node !== "object") return;
    if (Array.isArray(node)) return node.forEach(visit);
    const n = node as { type?: string; name?: string };
    if (n !== declaration && n.type === "Identifier" && n.name === name) {
      found = true;
      return;
    }
    for (const [key, value] of Object.entries(n)) if (key !== "parent" && key !== "loc" && key !== "range") visit(value);
  };
  visit(scope);
  return found;
}

function readError(error: unknown): string {
  const err = error as NodeJS.ErrnoException;
  if (err.code === "EACCES" || err.code === "EPERM") return "cannot read the file (permission denied); fix its permissions or leave it out";
  if (err instanceof TypeError && /encoded data|decode/i.test(err.message)) return "not UTF-8 text; convert it to UTF-8 or leave it out";
  return err.message;
}

function parseErrorText(error: unknown): string {
  if (error instanceof SourceParseError) return `${error.line}:${error.column} syntax error: ${error.message}; the file was left untouched`;
  return (error as Error).message;
}

function lineCounts(before: string, after: string): { added: number; removed: number } {
  const a = before.split("\n");
  const b = after.split("\n");
  // Longest common subsequence on lines (files are small enough; fall back to a rough count when large).
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
