import { MigrationConfigError, failedReport, type FileReport, type MigrateOptions, type MigrationResult } from "./records.js";
import { CallSiteReplanner } from "./provider-fallback.js";
import { listFiles } from "./stages/list-files.js";
import { loadMigrationProject } from "./stages/load-project.js";
import { planProviders } from "./stages/plan-providers.js";
import { migrateOne, planCallSites } from "./stages/plan-call-sites.js";
import { verifyPlans } from "./stages/verify.js";
import { writeFiles } from "./stages/write.js";

export { MigrationConfigError };
export type { FileReport, FileStatus, MigrateOptions, MigrationResult } from "./records.js";

/**
 * `lock-scope migrate`: one run across a repository, as six stages (migrate/stages/), each a
 * function of what the ones before it returned. Everything is analysed before anything is
 * edited, and verified before anything is written:
 *
 * 1. list files: the paths, sharded, each file read once (list-files.ts);
 * 2. load project: the tsconfig, where the code runs (`using` or try/finally), the ts-morph project (load-project.ts);
 * 3. providers: handles made disposable at their source, checked on their own (plan-providers.ts);
 * 4. call sites: each file planned by the shared analysis and planner, in workers when large (plan-call-sites.ts);
 * 5. verify: the plans type-checked with the project's own tsconfig; re-planned or rejected (verify.ts);
 * 6. write: atomic writes of the accepted plans, and the reports (write.ts).
 *
 * A file's record goes from planned to verified to written; a file that fails at any stage gets
 * an error report and leaves the pipeline.
 */
export async function runMigration(options: MigrateOptions): Promise<MigrationResult> {
  const listing = listFiles(options);
  const setup = loadMigrationProject(options, listing.files);
  const providers = planProviders(setup, listing.texts, listing.listed, options);
  const calls = await planCallSites(setup, providers, listing.texts, new Set(providers.unparsable.map((failed) => failed.file)), options);
  const { project, tsconfig } = setup;
  // The replanner plans again with the call-site job's maps, which it updates when it drops a provider.
  const handles = new Map(calls.job.handles);
  const reasons = new Map(calls.job.reasons);
  const verified =
    project && tsconfig
      ? verifyPlans({
          project,
          tsconfig,
          planned: calls.planned,
          replanner: new CallSiteReplanner(
            project,
            providers.analysis,
            handles,
            reasons,
            (file, text, h, r) => migrateOne(file, text, { ...calls.job, handles: h, reasons: r }),
            options.cwd,
          ),
          cwd: options.cwd,
          onProgress: options.onProgress,
        })
      : calls.planned;
  const owned = new Set(listing.files);
  const written = writeFiles({ verified, owned, write: options.write, tsconfig, tsconfigEdit: setup.tsconfigEdit });
  const failed = [...listing.unreadable, ...providers.unparsable, ...calls.failed].filter((failure) => owned.has(failure.file));
  const reports: FileReport[] = [...listing.listingProblems, ...failed].map(failedReport).concat(written.reports);
  return {
    files: reports.sort((a, b) => a.file.localeCompare(b.file)),
    tsconfig,
    tsconfigUpdated: written.tsconfigEdit !== undefined,
    ...(written.tsconfigEdit ? { tsconfigEdit: written.tsconfigEdit } : {}),
    ...(written.tsconfigNotUpdated ? { tsconfigNotUpdated: written.tsconfigNotUpdated } : {}),
    staleTempFiles: written.staleTempFiles,
    ...(providers.analysis.fallbacks.length > 0 ? { providerFallbacks: providers.analysis.fallbacks } : {}),
  };
}
