import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { SyntaxKind, TypeFormatFlags, type Project, type SourceFile } from "ts-morph";
import {
  findAcquisitions,
  judgeSite,
  compoundReleaseOf,
  applyEdits,
  collectImports,
  buildLockModel,
  type AcquisitionSite,
  type LockModel,
  type ModelOptions,
} from "eslint-plugin-lock-scope/core";
import { parseSource, SourceParseError } from "../parse.js";
import { declaredTypeKey, migrateSource, type SiteOutcome } from "../call-sites/migrate-source.js";
import {
  encodeLike,
  readSourceFile,
  staleTempFile,
  TEMP_FILE_PATTERN,
  writeFileAtomic,
  type SourceFileText,
  listSourceFiles,
  shardFiles,
} from "eslint-plugin-lock-scope/cli";
import {
  checkUsingSupport,
  addDisposableLib,
  describeTypeError,
  findTsconfig,
  loadProject,
  newTypeErrors,
  typeErrors,
  verificationScope,
  type NewDiagnostic,
  type TypeCheckError,
} from "./project.js";
import { analyseProviderSite, createProviderAnalysis, type ProviderAnalysis, type ProviderFallback } from "./providers.js";
import { CallSiteReplanner, dropProvidersOutside, verifyProviderEdits } from "./provider-fallback.js";
import { decideRuntime, type Runtime } from "./runtime.js";

/**
 * `lock-scope migrate`: one run across a repository. Analyse everything first
 * (ts-morph for types and providers, the shared core for call sites), then
 * verify the new texts with the project's own tsconfig, then write atomically.
 */

/**
 * `rejected`: the planned rewrite adds a type error, so it is not written (`rejectedBecause` says
 * which, where); `output` still holds it, so a dry run shows the diff.
 */
export type FileStatus = "modified" | "unchanged" | "skipped" | "error" | "rejected";

export interface FileReport {
  readonly file: string;
  status: FileStatus;
  added: number;
  removed: number;
  sites: SiteOutcome[];
  error?: string;
  /** Why verification rejected the rewrite (status `rejected`): the first new type error, with its file and line:column. */
  rejectedBecause?: string;
  /** Sites the rejected rewrite would have changed (now left for a human, or kept when correct). */
  rejectedSites?: number;
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
  /** Worker threads for the call-site step (1 = in-process; Infinity = by the size of the source, see migrateCallSites). */
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
  /** `--update-tsconfig`: the tsconfig's text before and after the edit (written with `write`, verified against in both modes). */
  readonly tsconfigEdit?: { readonly original: SourceFileText; readonly updated: string };
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
  let tsconfigEdit: { original: SourceFileText; updated: string } | undefined;
  if (options.project !== undefined && !fs.existsSync(path.resolve(options.cwd, options.project))) {
    throw new MigrationConfigError(
      `--project ${options.project}: no such file. Give the path of a tsconfig.json, or leave --project out to use the nearest one.`,
    );
  }
  const firstPath = path.resolve(options.cwd, options.paths[0] ?? ".");
  // Where the code runs decides the form of every fix: `using`, or try/finally where it cannot run.
  const cannotRunUsing = new Map(
    decideRuntime({ files, firstPath, tsconfig: findTsconfig(firstPath, options.project, options.cwd), override: options.runtime }).cannotRunUsing,
  );
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
        // Verified against the updated lib in memory, dry run or not; written with the sources (phase 4).
        project = loadProject(tsconfig, updated);
        support = checkUsingSupport(project, tsconfig, true);
        if (support.ok) {
          tsconfigUpdated = true;
          tsconfigEdit = { original, updated };
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
  // Files the provider step parsed and found no acquisition in: the call-site step would find none either.
  const withoutSites = new Set<string>();
  if (project) analyseProviders(project, texts, providers, reports, options, cannotRunUsing, declaredTypes, withoutSites);
  // Provider edits this run would not write, or that do not type-check on their own, are dropped before any call site relies on them.
  dropProvidersOutside(providers, new Set(listed.map((file) => path.resolve(file))), options.cwd);
  if (project && tsconfig) verifyProviderEdits(project, providers, tsconfig);

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
    if (withoutSites.has(file) && providerEdits.length === 0) {
      reports.set(file, {
        file,
        status: "unchanged",
        added: 0,
        removed: 0,
        sites: [],
        correctSitesKept: 0,
        ...(cannotRunUsing.has(file) ? { noUsing: cannotRunUsing.get(file) } : {}),
      });
      continue;
    }
    inputs.push({ file, text: providerEdits.length > 0 ? applyEdits(original.text, providerEdits) : original.text });
  }
  const handles = new Map<string, "async" | "sync">();
  const reasons = new Map<string, string>();
  for (const [label, decision] of providers.decisions) {
    if (decision.disposable) handles.set(label, decision.disposable);
    else if (decision.reason) reasons.set(label, decision.reason);
  }
  // Reasons say what this run did: the provider step and the checker's types need the type check and a tsconfig.
  const typesHint = !options.typeCheck
    ? "run without --no-type-check, so the checker's type is used"
    : !project
      ? "give the codemod the tsconfig.json that compiles this file (--project), so the checker's type is used"
      : "";
  const outsideProject = new Set(project ? inputs.map((input) => input.file).filter((file) => !project!.getSourceFile(file)) : []);
  const outsideProjectHint = tsconfig
    ? `add this file to ${path.relative(options.cwd, tsconfig) || tsconfig} ("include"), so the checker's type is used`
    : typesHint;
  const job: CallSiteJob = {
    model: options.lockModel,
    handles,
    reasons,
    modernize: options.modernize,
    noUsing: new Set(cannotRunUsing.keys()),
    declaredTypes,
    typesHint,
    outsideProject,
    outsideProjectHint,
  };
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
  if (project && tsconfig) {
    const replanner = new CallSiteReplanner(
      project,
      providers,
      handles,
      reasons,
      () => reports.values(),
      (file, text, h, r) => migrateOne(file, text, { ...job, handles: h, reasons: r }),
      options.cwd,
    );
    verify(project, tsconfig, reports, options, replanner);
  }
  for (const report of reports.values()) if (report.status === "rejected") leaveRejectedSitesToHuman(report);

  // Phase 4: write — after the temp files a killed run left next to this run's files (dry run: counted only).
  const staleTempFiles = cleanStaleTempFiles(files, options.write);
  if (tsconfigEdit && options.write) writeFileAtomic(tsconfig!, encodeLike(tsconfigEdit.original, tsconfigEdit.updated), tsconfigEdit.original.mode);
  for (const report of reports.values()) {
    if ((report.status !== "modified" && report.status !== "rejected") || !report.output || !report.original || !owned.has(report.file)) continue;
    // A rejected file keeps its planned diff (shown by a dry run) and its line counts, and is never written.
    const counts = lineCounts(report.original.text, report.output);
    report.added = counts.added;
    report.removed = counts.removed;
    if (report.status === "rejected") continue;
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
  const ordered = [...reports.values()]
    .filter((r) => owned.has(r.file) || problems.some((p) => p.path === r.file))
    .sort((a, b) => a.file.localeCompare(b.file));
  return {
    files: ordered,
    tsconfig,
    tsconfigUpdated,
    ...(tsconfigEdit ? { tsconfigEdit } : {}),
    staleTempFiles,
    ...(providers.fallbacks.length > 0 ? { providerFallbacks: providers.fallbacks } : {}),
  };
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
  withoutSites: Set<string>,
): void {
  const model = buildLockModel(options.lockModel);
  let done = 0;
  for (const [file, original] of texts) {
    options.onProgress?.(++done, texts.size, "types");
    // Most files of a code base hold no acquisition: they are not parsed here (the call-site step parses every file).
    if (!mayAcquire(original.text, model)) continue;
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
    const sites = findAcquisitions(program, model, imports, original.text);
    if (sites.length === 0) withoutSites.add(file);
    for (const site of sites) {
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
 * Can `text` hold an acquisition? Every acquisition the analysis finds is a call whose callee name
 * passes the model's name filter or its usage-inferred name pattern (findAcquisitions: classifyCall,
 * inferAcquisition), or an identifier imported from a module a matcher names: each appears in the
 * text as a word, or as that module's name. Reading the words costs a fraction of a parse.
 */
function mayAcquire(text: string, model: LockModel): boolean {
  for (const acquire of model.acquires) if (acquire.matcher.module !== undefined && text.includes(acquire.matcher.module)) return true;
  const seen = new Set<string>();
  for (const [word] of text.matchAll(/[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*/gu)) {
    if (seen.has(word)) continue;
    seen.add(word);
    if (model.candidateName(word) || model.inference?.acquisitionName.test(word)) return true;
  }
  return false;
}

/**
 * The checker's types of the declarations without annotation that sit beside a reported
 * acquisition in its block: the planner declares such a name before the locked region when it is
 * used after it (`let kept: string[];`). Keyed by name and initializer (declaredTypeKey).
 */
function collectDeclaredTypes(sourceFile: SourceFile, site: AcquisitionSite, text: string, out: Map<string, [string, string][]>): void {
  const form = site.form;
  if (form.kind !== "tracked" || (form.acquireAt?.type !== "VariableDeclarator" && form.acquireAt?.type !== "AssignmentExpression")) return;
  // The statement list that holds the acquisition: a block, or the file's top level.
  const block = form.acquireAt.parent?.parent;
  if (block?.type !== "BlockStatement" && block?.type !== "Program") return;
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

/**
 * Type-checks the rewrite before anything is written: the changed files and the files that import
 * them (verificationScope), file by file, before and after. A file whose rewrite adds a type error
 * is rejected (its text restored in the project, its planned output kept for the report); errors
 * in files the run did not change point at the provider edits, so every changed file is rejected.
 * Rounds repeat while rejecting made new errors appear (a rewrite that needed a rejected one).
 */
function verify(project: Project, tsconfig: string, reports: Map<string, FileReport>, options: MigrateOptions, replanner?: CallSiteReplanner): void {
  const pending = [...reports.values()].filter((r) => r.status === "modified" && project.getSourceFile(r.file));
  if (pending.length === 0) return;
  const scope = verificationScope(
    project,
    pending.map((r) => r.file),
  );
  const setText = (report: FileReport, text: string) => project.getSourceFileOrThrow(report.file).replaceWithText(text);
  for (const report of pending) setText(report, report.output!);
  // The errors before the rewrite, asked only of the files that have errors after it (a clean result
  // needs no second check): the rewritten files are set back for that, then rewritten again. A global
  // error can come from any file checked: for it, the files checked after are checked before too.
  const before = new Map<string, TypeCheckError[]>();
  const known = new Set<string>();
  let allKnown = false;
  const learnBefore = (files: readonly string[]) => {
    const missing = allKnown ? [] : files.filter((file) => !known.has(file));
    if (missing.length === 0) return;
    const wide = missing.includes(tsconfig);
    const checked = wide ? scope.files : new Set(missing);
    const applied = pending.filter((report) => report.status === "modified");
    for (const report of applied) setText(report, report.original!.text);
    for (const [file, errors] of typeErrors(project, checked, tsconfig)) if (wide || file !== tsconfig) before.set(file, errors);
    for (const report of applied) setText(report, report.output!);
    if (checked === undefined) allKnown = true;
    else checked.forEach((file) => known.add(file));
    if (wide) known.add(tsconfig);
  };
  const rejectedSoFar: string[] = [];
  const rel = (file: string) => path.relative(options.cwd, file) || file;
  for (let round = 0; ; round++) {
    options.onProgress?.(round + 1, round + 1, "verify");
    const after = typeErrors(project, scope.files, tsconfig);
    learnBefore([...after.keys()]);
    const fresh = newTypeErrors(after, before);
    const modified = pending.filter((report) => report.status === "modified");
    const rejected = modified.filter((report) => fresh.has(path.resolve(report.file)));
    // Errors in files we did not change (or global ones, filed under the tsconfig) point at the provider edits.
    const foreign = [...fresh.keys()].filter((file) => !pending.some((r) => path.resolve(r.file) === file));
    if (rejected.length === 0 && foreign.length === 0) return;
    // Before rejecting: fall back to try/finally where a handle made a file fail (provider-fallback.ts);
    // the files planned again are checked in the next round, and each re-plan earns one more round.
    if (rejected.length > 0 && replanner && round < 4 + replanner.retries && replanner.retry(rejected, asDiagnostics(fresh)).size > 0) continue;
    // After four rounds, stop narrowing down: what is left is rejected whole, so nothing unverified is written.
    const toReject = rejected.length > 0 && round < 4 + (replanner?.retries ?? 0) ? rejected : modified;
    for (const report of toReject) {
      const file = path.resolve(report.file);
      const own = fresh.get(file);
      const elsewhere = foreign.length > 0 ? fresh.get(foreign[0]!) : undefined;
      const needed = rejectedSoFar.find((other) => scope.importers.get(other)?.has(file));
      const cause = own
        ? `the rewrite adds a type error: ${describeTypeError(own, options.cwd, true)}`
        : elsewhere
          ? `this run's edits add a type error outside the files they change: ${describeTypeError(elsewhere, options.cwd)}`
          : "verification did not settle after four rounds of rejections";
      report.status = "rejected";
      report.rejectedBecause = needed ? `it needs the rewrite of ${rel(needed)}, which was rejected; ${cause}` : cause;
      setText(report, report.original!.text);
    }
    rejectedSoFar.push(...toReject.map((report) => path.resolve(report.file)));
    if (toReject === modified) return;
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

/**
 * A rejected file's sites are not rewritten: each reported site it would have fixed is left for a
 * human with the verification's reason, and a correct site it would have modernised is kept.
 */
function leaveRejectedSitesToHuman(report: FileReport): void {
  const reason = `not rewritten: ${report.rejectedBecause!.replace(/\.$/, "")}; fix that type error and run again, or fix this site by hand`;
  let kept = 0;
  report.sites = report.sites.flatMap((site) => {
    if (site.action !== "rewritten") return [site];
    if (site.verdict === "safe") {
      kept++;
      return [];
    }
    return [{ ...site, action: "manual" as const, reason }];
  });
  if (kept > 0) report.correctSitesKept = (report.correctSitesKept ?? 0) + kept;
  report.rejectedSites = kept + report.sites.filter((site) => site.reason === reason).length;
}

/** The verification's new type errors in the form the replanner reads (a global one has no line). */
function asDiagnostics(fresh: ReadonlyMap<string, TypeCheckError>): Map<string, NewDiagnostic> {
  return new Map([...fresh].map(([file, error]) => [file, { file: error.file, line: error.line ?? 1, column: error.column ?? 1, message: error.message }]));
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
  /**
   * What a reason about a name without a type suggests besides an annotation: how this run could
   * have had the checker's type ("" when the checker ran on the file). Files the tsconfig does not
   * compile get `outsideProjectHint`.
   */
  readonly typesHint: string;
  readonly outsideProject: ReadonlySet<string>;
  readonly outsideProjectHint: string;
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
      typesHint: job.outsideProject.has(file) ? job.outsideProjectHint : job.typesHint,
    });
    return { file, output: result.output, sites: result.sites, correctSitesKept: result.correctSitesKept };
  } catch (error) {
    return { file, output: text, sites: [], error: parseErrorText(error) };
  }
}

/** Source characters per worker thread when `--workers` is not given. */
const WORKER_SOURCE_SIZE = 2_000_000;

async function migrateCallSites(inputs: { file: string; text: string }[], job: CallSiteJob, options: MigrateOptions): Promise<CallSiteResult[]> {
  // A worker costs about 1.8 s of CPU to start (its own parser and TypeScript) and parses ~0.25 MB/s:
  // below ~1 MB of source a second thread makes the run slower even on an idle core (bench/migrate-vs-scan.mjs).
  // By default one worker per 2 MB of source; an explicit --workers is taken as given (up to one per CPU and file).
  const size = inputs.reduce((n, input) => n + input.text.length, 0);
  const wanted = Number.isFinite(options.workers) ? Math.min(options.workers, inputs.length) : Math.ceil(size / WORKER_SOURCE_SIZE);
  const workers = Math.max(1, Math.min(wanted, os.availableParallelism()));
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
            workerData: {
              inputs: chunk,
              job: {
                ...job,
                handles: [...job.handles],
                reasons: [...job.reasons],
                noUsing: [...job.noUsing],
                declaredTypes: [...job.declaredTypes],
                outsideProject: [...job.outsideProject],
              },
            },
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
  if (!/\busing\b/.test(text)) return 0; // no `using` declaration without the word
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
