import path from "node:path";
import type { Project } from "ts-morph";
import { describeTypeError, newTypeErrors, typeErrors, verificationScope, type NewDiagnostic, type TypeCheckError } from "../project.js";
import type { CallSiteReplanner } from "../provider-fallback.js";
import type { PlannedFile, VerifiedFile } from "../records.js";

/**
 * Stage 5: type-checks the plans before anything is written: the changed files and the files that
 * import them (verificationScope), file by file, before and after. A file whose rewrite adds a type
 * error is first planned again with try/finally (the replanner, provider-fallback.ts), else
 * rejected (its text restored in the project, its planned output kept for the report); errors in
 * files the run did not change point at the provider edits, so every changed file is rejected.
 */

/**
 * Rounds of rejections before verification stops narrowing down. Rejecting a file can make a file
 * that needed its rewrite fail in the next round (a chain of rewrites that rely on each other),
 * so rounds repeat while new errors appear; rejection chains in real repositories are one or two
 * long, and each round costs a type check of the scope. After these rounds, whatever still has new
 * errors is rejected whole, so nothing unverified is written. A round the replanner used to plan
 * files again (instead of rejecting them) does not count: it earns one more (`replanner.retries`).
 */
export const REJECTION_ROUNDS = 4;

export interface VerifyInput {
  readonly project: Project;
  readonly tsconfig: string;
  readonly planned: readonly PlannedFile[];
  readonly replanner?: CallSiteReplanner;
  readonly cwd: string;
  readonly onProgress?: (done: number, total: number, phase: string) => void;
}

/**
 * Returns one record per plan, in the same order: `modified` (verified), `unchanged`, or
 * `rejected` with the reason and its sites left for a human (leaveRejectedSitesToHuman). The
 * project ends with the accepted texts.
 */
export function verifyPlans(input: VerifyInput): VerifiedFile[] {
  const { project, tsconfig, replanner, cwd } = input;
  // The plans as verification goes: replaced (never changed) when a file is re-planned or rejected.
  const plans = new Map<string, VerifiedFile>(input.planned.map((plan) => [plan.file, plan]));
  const result = () => input.planned.map((plan) => finish(plans.get(plan.file)!));
  const pending = input.planned.filter((plan) => plan.status === "modified" && project.getSourceFile(plan.file)).map((plan) => plan.file);
  if (pending.length === 0) return result();
  const pendingPaths = new Set(pending.map((file) => path.resolve(file)));
  const scope = verificationScope(project, pending);
  const setText = (file: string, text: string) => project.getSourceFileOrThrow(file).replaceWithText(text);
  const modifiedNow = () => pending.map((file) => plans.get(file)!).filter((plan) => plan.status === "modified");
  for (const plan of modifiedNow()) setText(plan.file, plan.output!);
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
    const applied = modifiedNow();
    for (const plan of applied) setText(plan.file, plan.original!.text);
    for (const [file, errors] of typeErrors(project, checked, tsconfig)) if (wide || file !== tsconfig) before.set(file, errors);
    for (const plan of applied) setText(plan.file, plan.output!);
    if (checked === undefined) allKnown = true;
    else checked.forEach((file) => known.add(file));
    if (wide) known.add(tsconfig);
  };
  const rejectedSoFar: string[] = [];
  const rel = (file: string) => path.relative(cwd, file) || file;
  const roundLimit = () => REJECTION_ROUNDS + (replanner?.retries ?? 0);
  for (let round = 0; ; round++) {
    input.onProgress?.(round + 1, round + 1, "verify");
    const after = typeErrors(project, scope.files, tsconfig);
    learnBefore([...after.keys()]);
    const fresh = newTypeErrors(after, before);
    const modified = modifiedNow();
    const rejected = modified.filter((plan) => fresh.has(path.resolve(plan.file)));
    // Errors in files we did not change (or global ones, filed under the tsconfig) point at the provider edits.
    const foreign = [...fresh.keys()].filter((file) => !pendingPaths.has(file));
    if (rejected.length === 0 && foreign.length === 0) return result();
    // Before rejecting: fall back to try/finally where a handle made a file fail (provider-fallback.ts);
    // the files planned again are checked in the next round.
    if (rejected.length > 0 && replanner && round < roundLimit()) {
      const replanned = replanner.retry(rejected, asDiagnostics(fresh), plans.values());
      for (const [file, plan] of replanned) plans.set(file, plan);
      if (replanned.size > 0) continue;
    }
    // Out of rounds: stop narrowing down; what is left is rejected whole, so nothing unverified is written.
    const toReject = rejected.length > 0 && round < roundLimit() ? rejected : modified;
    for (const plan of toReject) {
      const file = path.resolve(plan.file);
      const own = fresh.get(file);
      const elsewhere = foreign.length > 0 ? fresh.get(foreign[0]!) : undefined;
      const needed = rejectedSoFar.find((other) => scope.importers.get(other)?.has(file));
      const cause = own
        ? `the rewrite adds a type error: ${describeTypeError(own, cwd, true)}`
        : elsewhere
          ? `this run's edits add a type error outside the files they change: ${describeTypeError(elsewhere, cwd)}`
          : `verification did not settle after ${REJECTION_ROUNDS} rounds of rejections`;
      plans.set(plan.file, {
        ...plan,
        status: "rejected",
        rejectedBecause: needed ? `it needs the rewrite of ${rel(needed)}, which was rejected; ${cause}` : cause,
      });
      setText(plan.file, plan.original!.text);
    }
    rejectedSoFar.push(...toReject.map((plan) => path.resolve(plan.file)));
    if (toReject === modified) return result();
  }
}

/** A rejected plan's final record; every other plan as it is. */
function finish(plan: VerifiedFile): VerifiedFile {
  return plan.status === "rejected" ? leaveRejectedSitesToHuman(plan) : plan;
}

/**
 * A rejected file's sites are not rewritten: each reported site it would have fixed is left for a
 * human with the verification's reason, and a correct site it would have modernised is kept, with
 * that reason too.
 */
export function leaveRejectedSitesToHuman(plan: VerifiedFile): VerifiedFile {
  const reason = `not rewritten: ${(plan.rejectedBecause ?? "").replace(/\.$/, "")}; fix that type error and run again, or fix this site by hand`;
  let kept = 0;
  const sites = plan.sites.map((site) => {
    if (site.action !== "rewritten") return site;
    if (site.verdict === "safe") kept++;
    return { ...site, action: site.verdict === "safe" ? ("kept" as const) : ("manual" as const), reason };
  });
  return {
    ...plan,
    sites,
    correctSitesKept: plan.correctSitesKept + kept,
    rejectedSites: sites.filter((site) => site.reason === reason).length,
  };
}

/** The verification's new type errors in the form the replanner reads (a global one has no line). */
function asDiagnostics(fresh: ReadonlyMap<string, TypeCheckError>): Map<string, NewDiagnostic> {
  return new Map([...fresh].map(([file, error]) => [file, { file: error.file, line: error.line ?? 1, column: error.column ?? 1, message: error.message }]));
}
