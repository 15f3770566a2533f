import path from "node:path";
import type { Project } from "ts-morph";
import { applyEdits } from "eslint-plugin-lock-scope/core";
import type { SiteOutcome } from "../call-sites/migrate-source.js";
import { typeErrors, verificationScope, type NewDiagnostic, type TypeCheckError } from "./project.js";
import { dropProviders, providerGroups, type ProviderAnalysis, type ProviderEdit } from "./providers.js";

/**
 * A provider change that cannot be verified must not take its call sites down with it: the provider is dropped (before
 * planning, or file by file during verification) and its call sites get try/finally. The steps: docs/design.md,
 * "codemods/migrate/provider-fallback.ts".
 */

interface Fresh {
  readonly file: string;
  readonly start: number;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** Errors of `scope` now that were not in `before` (as `code:message` multisets per file), every one. */
function freshDiagnostics(project: Project, scope: ReadonlySet<string> | undefined, tsconfig: string, before: ReadonlyMap<string, TypeCheckError[]>): Fresh[] {
  const result: Fresh[] = [];
  for (const [file, errors] of typeErrors(project, scope, tsconfig)) {
    const left = (before.get(file) ?? []).map((e) => e.key);
    for (const error of errors) {
      const index = left.indexOf(error.key);
      if (index >= 0) left.splice(index, 1);
      else result.push({ file, start: error.start ?? 0, line: error.line ?? 1, column: error.column ?? 1, message: error.message });
    }
  }
  return result;
}

/**
 * A provider edit in a file outside the paths of this run (not in any shard) would never be
 * written, and its call sites would rely on a member that is not there: such providers are
 * dropped before planning, and their call sites get the try/finally form. `listed`: every file of
 * the run, before sharding (another shard writes its own provider files).
 */
export function dropProvidersOutside(analysis: ProviderAnalysis, listed: ReadonlySet<string>, cwd: string): void {
  for (;;) {
    const outside = analysis.owned.find((owned) => !listed.has(owned.file));
    if (!outside) return;
    const rel = path.relative(cwd, outside.file);
    dropProviders(analysis, outside.labels, {
      file: outside.file,
      message: `${rel} is not among the paths given to this run; include it to make the handle disposable there`,
      kind: "outsidePaths",
    });
  }
}

/**
 * Type-checks the provider edits on their own (step 1 above) and drops every provider whose change
 * adds an error, compared with the errors of the same files before any edit. Leaves the project
 * as it found it.
 */
export function verifyProviderEdits(project: Project, analysis: ProviderAnalysis, tsconfig: string): void {
  if (analysis.owned.length === 0) return;
  // Only the provider files and what imports them can change (the verification's scope, project.ts).
  const scope = verificationScope(project, [...new Set(analysis.owned.map((owned) => owned.file))]).files;
  const before = typeErrors(project, scope, tsconfig);
  const originals = new Map<string, string>();
  for (const owned of analysis.owned) {
    const sourceFile = project.getSourceFile(owned.file);
    if (sourceFile && !originals.has(owned.file)) originals.set(owned.file, sourceFile.getFullText());
  }
  /** Puts exactly `edits` into the project; returns where each inserted text landed. */
  const apply = (edits: readonly ProviderEdit[]): { file: string; start: number; end: number; owned: ProviderEdit }[] => {
    const spans: { file: string; start: number; end: number; owned: ProviderEdit }[] = [];
    for (const [file, original] of originals) {
      const mine = edits.filter((e) => e.file === file).sort((a, b) => a.edit.range[0] - b.edit.range[0]);
      let delta = 0;
      for (const owned of mine) {
        const start = owned.edit.range[0] + delta;
        spans.push({ file, start, end: start + owned.edit.text.length, owned });
        delta += owned.edit.text.length - (owned.edit.range[1] - owned.edit.range[0]);
      }
      const text =
        mine.length > 0
          ? applyEdits(
              original,
              mine.map((e) => e.edit),
            )
          : original;
      const sourceFile = project.getSourceFileOrThrow(file);
      if (sourceFile.getFullText() !== text) sourceFile.replaceWithText(text);
    }
    return spans;
  };
  interface Span {
    file: string;
    start: number;
    end: number;
    owned: ProviderEdit;
  }
  // The change is not written: say where the error is in the file as it is (the inserted members moved it).
  const drop = (labels: Iterable<string>, cause: Fresh, spans: readonly Span[]) => {
    const original = originals.get(cause.file);
    let at = cause.start;
    for (const span of spans) {
      if (span.file !== cause.file || span.start >= cause.start) continue;
      at -= Math.min(span.end, cause.start) - span.start;
    }
    const where = original === undefined ? { line: cause.line, column: cause.column } : lineAndColumn(original, at);
    return dropProviders(analysis, labels, { file: cause.file, ...where, message: cause.message, kind: "typeError" });
  };
  try {
    for (let guard = 0; guard < 64 && analysis.owned.length > 0; guard++) {
      const groups = providerGroups(analysis);
      const spans = apply(analysis.owned);
      const fresh = freshDiagnostics(project, scope, tsconfig, before);
      if (fresh.length === 0) return;
      // An error inside an inserted member belongs to the provider that inserted it.
      const named = new Map<string, Fresh>();
      for (const diagnostic of fresh) {
        const span = spans.find((s) => s.file === diagnostic.file && s.start <= diagnostic.start && diagnostic.start < s.end);
        for (const label of span?.owned.labels ?? []) if (!named.has(label)) named.set(label, diagnostic);
      }
      if (named.size > 0) {
        for (const [label, cause] of named) if (analysis.owned.some((o) => o.labels.has(label))) drop([label], cause, spans);
        continue;
      }
      // Elsewhere (a double that no longer fits, a caller of a changed type): check each provider alone.
      if (groups.length === 1) {
        drop(groups[0]!.labels, fresh[0]!, spans);
        continue;
      }
      let found = false;
      for (const group of groups) {
        const own = apply(group.edits);
        const errors = freshDiagnostics(project, scope, tsconfig, before);
        if (errors.length > 0) {
          drop(group.labels, errors[0]!, own);
          found = true;
        }
      }
      // Only their combination fails: none of them can be trusted.
      if (!found) for (const group of groups) drop(group.labels, fresh[0]!, spans);
    }
  } finally {
    for (const [file, original] of originals) {
      const sourceFile = project.getSourceFileOrThrow(file);
      if (sourceFile.getFullText() !== original) sourceFile.replaceWithText(original);
    }
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf("\n") + 1;
  return { line: before.split("\n").length, column: offset - lineStart + 1 };
}

/** What the replanner reads of a file's plan (run-migration's PlannedFile / VerifiedFile); it never changes one. */
export interface ReplannableReport {
  readonly file: string;
  readonly status: string;
  readonly sites: readonly SiteOutcome[];
  readonly correctSitesKept?: number;
  readonly output?: string;
  readonly original?: { readonly text: string };
}

export interface ReplanResult {
  readonly output: string;
  readonly sites: readonly SiteOutcome[];
  readonly correctSitesKept?: number;
  readonly error?: string;
}

/**
 * Step 2 above: re-plans, with handles as not disposable, the files verification would reject.
 * It returns new plans and puts their text into the project (the verification's workspace); what
 * it keeps changing is the provider decisions: `providers`, and the call-site job's `handles` and
 * `reasons`, when a provider is dropped.
 */
export class CallSiteReplanner {
  /** Re-plans done: each one earns the verification another round. */
  retries = 0;
  private readonly notDisposable = new Map<string, Set<string>>();
  /** Files reduced to their provider edits (b): their own call sites stay as they are. */
  private readonly providerOnly = new Set<string>();

  constructor(
    private readonly project: Project,
    private readonly providers: ProviderAnalysis,
    /** The call-site job's maps (label → disposal, label → reason); updated when a provider is dropped. */
    private readonly handles: Map<string, "async" | "sync">,
    private readonly reasons: Map<string, string>,
    private readonly migrate: (file: string, text: string, handles: Map<string, "async" | "sync">, reasons: Map<string, string>) => ReplanResult,
    private readonly cwd: string,
  ) {}

  /**
   * For the files verification is about to reject (with their first new diagnostic): re-plans
   * what can fall back to try/finally. `plans`: every file's current plan (a dropped provider
   * re-plans the files that relied on it). Returns the new plan of every file re-planned, by file:
   * verification checks those again in its next round instead of rejecting them now.
   */
  retry<Plan extends ReplannableReport>(rejected: readonly Plan[], diagnostics: ReadonlyMap<string, NewDiagnostic>, plans: Iterable<Plan>): Map<string, Plan> {
    const replanned = new Map<string, Plan>();
    const current = (plan: Plan): Plan => replanned.get(plan.file) ?? plan;
    for (const rejectedPlan of rejected) {
      if (replanned.has(rejectedPlan.file)) continue; // already planned again after its diagnostic: check it again first
      const report = current(rejectedPlan);
      const file = path.resolve(report.file);
      const diagnostic = diagnostics.get(file);
      // First this file's own handles: try/finally needs none of them disposable.
      const local = this.notDisposable.get(file) ?? new Set<string>();
      const apis = [...new Set(report.sites.filter((s) => s.action === "rewritten" && this.handles.has(s.api) && !local.has(s.api)).map((s) => s.api))];
      if (apis.length > 0) {
        for (const api of apis) local.add(api);
        this.notDisposable.set(file, local);
        const again = this.replan(report, diagnostic);
        if (again) {
          replanned.set(report.file, again);
          continue;
        }
      }
      // A provider file: keep the provider edits, leave its own call sites (the dependents still rely on it).
      const where = diagnostic ? `${path.relative(this.cwd, diagnostic.file)}:${diagnostic.line}:${diagnostic.column} ${diagnostic.message}` : "a type error";
      const providerEdits = this.providers.edits.get(file) ?? [];
      if (providerEdits.length > 0 && !this.providerOnly.has(file) && report.original) {
        this.providerOnly.add(file);
        const output = applyEdits(report.original.text, providerEdits);
        if (output !== report.output) {
          const sites = report.sites.map((s) =>
            s.action === "rewritten"
              ? { ...s, action: "manual" as const, reason: `the rewrite would add a type error, so this site was left as it is: ${where}` }
              : s,
          );
          this.project.getSourceFile(report.file)?.replaceWithText(output);
          replanned.set(report.file, { ...report, output, sites });
          continue;
        }
      }
      // Then the provider edits this file carries: dropped everywhere, with every file that relied on them.
      const labels = this.providers.owned.filter((o) => o.file === file).flatMap((o) => [...o.labels]);
      if (labels.length === 0) continue;
      const editedBefore = new Set(this.providers.owned.map((o) => o.file));
      const dropped = dropProviders(this.providers, labels, {
        ...(diagnostic ? { file: diagnostic.file, line: diagnostic.line, column: diagnostic.column } : {}),
        message: diagnostic?.message ?? "the file that carries it would not type-check",
        kind: "typeError",
      });
      for (const label of dropped) {
        this.handles.delete(label);
        this.reasons.set(label, this.providers.decisions.get(label)?.reason ?? "");
      }
      const stillEdited = new Set(this.providers.owned.map((o) => o.file));
      for (const plan of plans) {
        const other = current(plan);
        if (other.status !== "modified") continue;
        const otherFile = path.resolve(other.file);
        const relied = other.sites.some((s) => dropped.includes(s.api)) || (editedBefore.has(otherFile) && !stillEdited.has(otherFile));
        if (other.file !== report.file && !relied) continue;
        const again = this.replan(other, diagnostic);
        if (again) replanned.set(other.file, again);
      }
    }
    this.retries += replanned.size > 0 ? 1 : 0;
    return replanned;
  }

  /** The file planned again with its handles as not disposable; undefined when that changes nothing. */
  private replan<Plan extends ReplannableReport>(report: Plan, diagnostic: NewDiagnostic | undefined): Plan | undefined {
    if (!report.original) return undefined;
    const file = path.resolve(report.file);
    const local = this.notDisposable.get(file) ?? new Set<string>();
    const handles = new Map([...this.handles].filter(([label]) => !local.has(label)));
    const reasons = new Map(this.reasons);
    const where = diagnostic ? `${path.relative(this.cwd, diagnostic.file)}:${diagnostic.line}:${diagnostic.column} ${diagnostic.message}` : "a type error";
    for (const label of local) reasons.set(label, `\`await using\` with this handle does not type-check here (${where})`);
    const input = applyEdits(report.original.text, this.providers.edits.get(file) ?? []);
    const result = this.providerOnly.has(file)
      ? { output: input, sites: report.sites, correctSitesKept: report.correctSitesKept }
      : this.migrate(report.file, input, handles, reasons);
    if (("error" in result && result.error) || result.output === report.output) return undefined;
    const changed = result.output !== report.original.text;
    this.project.getSourceFile(report.file)?.replaceWithText(result.output);
    return {
      ...report,
      status: changed ? "modified" : "unchanged",
      output: changed ? result.output : undefined,
      sites: result.sites,
      correctSitesKept: result.correctSitesKept,
    };
  }
}
