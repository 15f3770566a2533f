import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { Project } from "ts-morph";
import { applyEdits, type ModelOptions } from "eslint-plugin-lock-scope/core";
import type { SourceFileText } from "eslint-plugin-lock-scope/cli";
import { SourceParseError } from "../../parse.js";
import { migrateSource, type SiteOutcome } from "../../call-sites/migrate-source.js";
import type { FailedFile, MigrateOptions, PlannedFile } from "../records.js";
import { unreadUsingBindings } from "../using-bindings.js";
import type { MigrationProject } from "./load-project.js";
import type { ProviderPlan } from "./plan-providers.js";
import { readSources } from "./list-files.js";

/**
 * Stage 4: each file's call sites, planned on its provider-edited text by the shared analysis and
 * planner (call-sites/migrate-source.ts), in worker threads when the source is large. This module
 * loads no ts-morph: the workers import `migrateOne` from it.
 */

export interface CallSiteJob {
  readonly model: ModelOptions | undefined;
  readonly handles: ReadonlyMap<string, "async" | "sync">;
  readonly reasons: ReadonlyMap<string, string>;
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

export interface CallSitePlans {
  /** Every file planned, in the order of the input texts (provider files of other shards last). */
  readonly planned: readonly PlannedFile[];
  /** Provider files of other shards that could not be read, and files that do not parse. */
  readonly failed: readonly FailedFile[];
  /** The job the plans were made with (with every file that fell back to try/finally): the verification's replanner plans again with it. */
  readonly job: CallSiteJob;
  /** The provider-edited input text of each planned file. */
  readonly inputs: ReadonlyMap<string, string>;
}

/**
 * Plans every readable file that did not fail earlier (`failed`): its provider edits applied, then
 * its call sites. A file the provider stage found no acquisition in, and that carries no provider
 * edit, is not parsed again. Provider files of other shards are read and planned too: verification
 * needs their new text (their own shard writes them).
 */
export async function planCallSites(
  setup: MigrationProject,
  providers: ProviderPlan,
  texts: ReadonlyMap<string, SourceFileText>,
  failed: ReadonlySet<string>,
  options: Pick<MigrateOptions, "cwd" | "typeCheck" | "modernize" | "lockModel" | "workers" | "onProgress">,
): Promise<CallSitePlans> {
  const { project, tsconfig, cannotRunUsing } = setup;
  const edits = providers.analysis.edits;
  const otherShards = readSources([...edits.keys()].filter((file) => !texts.has(file)));
  const sources = new Map([...texts, ...otherShards.texts]);
  const unchanged: PlannedFile[] = [];
  const inputs: { file: string; text: string }[] = [];
  for (const [file, original] of sources) {
    if (failed.has(file)) continue;
    const providerEdits = edits.get(file) ?? [];
    if (providers.withoutSites.has(file) && providerEdits.length === 0) {
      unchanged.push({ file, status: "unchanged", sites: [], correctSitesKept: 0, ...noUsingOf(cannotRunUsing, file) });
      continue;
    }
    inputs.push({ file, text: providerEdits.length > 0 ? applyEdits(original.text, providerEdits) : original.text });
  }
  const handles = new Map<string, "async" | "sync">();
  const reasons = new Map<string, string>();
  for (const [label, decision] of providers.analysis.decisions) {
    if (decision.disposable) handles.set(label, decision.disposable);
    else if (decision.reason) reasons.set(label, decision.reason);
  }
  // Reasons say what this run did: the provider step and the checker's types need the type check and a tsconfig.
  const typesHint = !options.typeCheck
    ? "run without --no-type-check, so the checker's type is used"
    : !project
      ? "give the codemod the tsconfig.json that compiles this file (--project), so the checker's type is used"
      : "";
  const outsideProject = new Set(project ? inputs.map((input) => input.file).filter((file) => !project.getSourceFile(file)) : []);
  const outsideProjectHint = tsconfig
    ? `add this file to ${path.relative(options.cwd, tsconfig) || tsconfig} ("include"), so the checker's type is used`
    : typesHint;
  const job: CallSiteJob = {
    model: options.lockModel,
    handles,
    reasons,
    modernize: options.modernize,
    noUsing: new Set(cannotRunUsing.keys()),
    declaredTypes: providers.declaredTypes,
    typesHint,
    outsideProject,
    outsideProjectHint,
  };
  let results = await migrateCallSites(inputs, job, options);
  let noUsing = cannotRunUsing;
  if (project && tsconfig) ({ results, noUsing } = fallBackWhereUnusedUsingFails(project, tsconfig, inputs, results, job, cannotRunUsing, options.cwd));
  const planned: PlannedFile[] = [...unchanged];
  const failures: FailedFile[] = [...otherShards.unreadable];
  for (const result of results) {
    if (result.error !== undefined) {
      failures.push({ file: result.file, error: result.error });
      continue;
    }
    const original = sources.get(result.file)!;
    const changed = result.output !== original.text;
    const reason = noUsing.get(result.file);
    planned.push({
      file: result.file,
      status: changed ? "modified" : "unchanged",
      // A correct site kept because the file cannot run `using` says why, with the setting that would allow it.
      sites:
        reason === undefined
          ? result.sites
          : result.sites.map((site) => (site.action === "kept" && site.reason === NO_USING_HERE ? { ...site, reason: `${NO_USING_HERE}: ${reason}` } : site)),
      correctSitesKept: result.correctSitesKept ?? 0,
      ...noUsingOf(noUsing, result.file),
      // Unchanged files need nothing more: keep memory flat on large repositories.
      ...(changed ? { original, output: result.output } : {}),
    });
  }
  // Files in input order, as the verification and the replanner have always seen them.
  const order = new Map([...sources.keys()].map((file, index) => [file, index]));
  planned.sort((a, b) => order.get(a.file)! - order.get(b.file)!);
  return {
    planned,
    failed: failures,
    job: { ...job, noUsing: new Set(noUsing.keys()) },
    inputs: new Map(inputs.map((input) => [input.file, input.text])),
  };
}

function noUsingOf(noUsing: ReadonlyMap<string, string>, file: string): { noUsing?: string } {
  const reason = noUsing.get(file);
  return reason === undefined ? {} : { noUsing: reason };
}

/** migrateSource's reason for a correct site in a file that cannot run `using`. */
const NO_USING_HERE = "this file cannot run `using` where it runs";

/** Migrates one file's call sites (also the worker's job). */
export function migrateOne(file: string, text: string, job: CallSiteJob): CallSiteResult {
  try {
    const types = job.declaredTypes.get(path.resolve(file).split(path.sep).join("/"));
    const result = migrateSource(text, file, {
      model: job.model,
      disposableHandles: job.handles,
      handleReasons: job.reasons,
      modernize: job.modernize,
      // With --modernize, every correct site left as it is is listed with the reason.
      explainKept: job.modernize,
      canRunUsing: !job.noUsing.has(file),
      ...(types ? { declaredTypes: new Map(types) } : {}),
      typesHint: job.outsideProject.has(file) ? job.outsideProjectHint : job.typesHint,
    });
    return { file, output: result.output, sites: result.sites, correctSitesKept: result.correctSitesKept };
  } catch (error) {
    return { file, output: text, sites: [], error: parseErrorText(error) };
  }
}

export function parseErrorText(error: unknown): string {
  if (error instanceof SourceParseError) return `${error.line}:${error.column} syntax error: ${error.message}; the file was left untouched`;
  return (error as Error).message;
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
  results: readonly CallSiteResult[],
  job: CallSiteJob,
  cannotRunUsing: ReadonlyMap<string, string>,
  cwd: string,
): { results: CallSiteResult[]; noUsing: ReadonlyMap<string, string> } {
  if (!project.getCompilerOptions().noUnusedLocals) return { results: [...results], noUsing: cannotRunUsing };
  const texts = new Map(inputs.map((input) => [input.file, input.text]));
  const noUsing = new Map(cannotRunUsing);
  const reason = `${path.relative(cwd, tsconfig) || "tsconfig.json"} "noUnusedLocals": true reports a \`using\` binding that is never read (TS6133: only names that start with "_" are exempt); set "noUnusedLocals": false, or rename the handles with a leading "_", to get \`await using\``;
  const planned = results.map((result) => {
    const text = texts.get(result.file);
    if (result.error || text === undefined || result.output === text || job.noUsing.has(result.file) || !project.getSourceFile(result.file)) return result;
    if (unreadUsingBindings(result.output, result.file, true) <= unreadUsingBindings(text, result.file, true)) return result;
    noUsing.set(result.file, reason);
    return migrateOne(result.file, text, { ...job, noUsing: new Set([...job.noUsing, result.file]) });
  });
  return { results: planned, noUsing };
}

/** Source characters per worker thread when `--workers` is not given. */
const WORKER_SOURCE_SIZE = 2_000_000;

/** What a worker thread is given: the job's maps and sets as entry lists (structured clone keeps them, but flat is cheaper to post). */
export interface WorkerInput {
  readonly inputs: readonly { file: string; text: string }[];
  readonly job: Omit<CallSiteJob, "handles" | "reasons" | "noUsing" | "declaredTypes" | "outsideProject"> & {
    readonly handles: [string, "async" | "sync"][];
    readonly reasons: [string, string][];
    readonly noUsing: string[];
    readonly declaredTypes: [string, [string, string][]][];
    readonly outsideProject: string[];
  };
}

export function jobFromWorkerInput(job: WorkerInput["job"]): CallSiteJob {
  return {
    ...job,
    handles: new Map(job.handles),
    reasons: new Map(job.reasons),
    noUsing: new Set(job.noUsing),
    declaredTypes: new Map(job.declaredTypes),
    outsideProject: new Set(job.outsideProject),
  };
}

async function migrateCallSites(
  inputs: readonly { file: string; text: string }[],
  job: CallSiteJob,
  options: Pick<MigrateOptions, "workers" | "onProgress">,
): Promise<CallSiteResult[]> {
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
  const workerJob: WorkerInput["job"] = {
    ...job,
    handles: [...job.handles],
    reasons: [...job.reasons],
    noUsing: [...job.noUsing],
    declaredTypes: [...job.declaredTypes],
    outsideProject: [...job.outsideProject],
  };
  let done = 0;
  const parts = await Promise.all(
    chunks.map(
      (chunk) =>
        new Promise<CallSiteResult[]>((resolve, reject) => {
          const workerData: WorkerInput = { inputs: chunk, job: workerJob };
          const worker = new Worker(new URL("../worker.js", import.meta.url), { workerData });
          worker.on("message", (message: { progress?: number; results?: CallSiteResult[] }) => {
            if (message.progress) options.onProgress?.((done += message.progress), inputs.length, "rewrite");
            if (message.results) resolve(message.results);
          });
          worker.on("error", reject);
          worker.on("exit", (code) => {
            if (code !== 0) reject(new Error(`worker exited with code ${code}`));
          });
        }),
    ),
  );
  // Back in input order: the chunks interleave.
  const byFile = new Map(parts.flat().map((result) => [result.file, result]));
  return inputs.map((input) => byFile.get(input.file)!);
}
