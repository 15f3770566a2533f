import type { TSESTree } from "@typescript-eslint/utils";
import {
  AST_NODE_TYPES,
  isReleaserFunction,
  type HandleBinding,
  findAcquisitions,
  type AcquisitionSite,
  followedLockOf,
  judgeSite,
  releaseIsAsyncFor,
  releaseKnownAsync,
  releaseKnownSync,
  type AnalysisContext,
  type Verdict,
  applyEdits,
  type TextEdit,
  planUsingRewrite,
  planReleaseOnFailure,
  compoundReleaseOf,
  releasedAfter,
  planReleaseBeforeTry,
  planGuardedReleases,
  destructuredRelease,
  type RewritePlan,
  unboundHandleReason,
  type Disposal,
  collectImports,
  buildLockModel,
  fileModuleSource,
  type ModelOptions,
} from "eslint-plugin-lock-scope/core";
import { parseSource } from "../parse.js";

/**
 * The call-site half of the migration, for one file: finds every acquisition
 * with the shared analysis, and rewrites it to a disposable lock scope where
 * the shared planner can keep behaviour. Pure: text in, text and a per-site
 * report out. Used by `lock-scope migrate` and by the jscodeshift transform.
 */

/** `kept`: a correct site `modernize` left as it is (listed only with `explainKept`, with the reason). */
export type SiteAction = "rewritten" | "manual" | "kept";

export interface SiteOutcome {
  /** Position of the acquiring call in the input text (1-based line, 1-based column). */
  readonly line: number;
  readonly column: number;
  readonly api: string;
  /** What the rule says about the site before migration. */
  readonly verdict: Verdict["kind"] | "leak";
  readonly action: SiteAction;
  readonly reason?: string;
  /**
   * A rewritten site that `require-release` still reports in the output (the rewrite closed some
   * paths, not all): what the rule says now. Counted with the leaks left for a human, not as fixed.
   */
  readonly stillReported?: string;
}

export interface SourceMigration {
  readonly output: string;
  /** Sites the rule reports (rewritten or manual) and correct sites that were modernised. */
  readonly sites: SiteOutcome[];
  /** Correct sites (released in a `finally`) left as they are: without `modernize`, or without `using` at runtime. */
  readonly correctSitesKept: number;
}

export interface CallSiteOptions {
  readonly model?: ModelOptions;
  /**
   * How the handle returned by an acquisition is disposable, keyed by the
   * acquiring callee label (`acquireSessionWriteLock`): from the type checker
   * or from the provider step that makes handles disposable at their source.
   * `"assume"` treats every handle as disposable (after running the provider step by hand).
   */
  readonly disposableHandles?: ReadonlyMap<string, "async" | "sync"> | "assume";
  /** Why handles of an API cannot be made disposable (by callee label), for the manual report. */
  readonly handleReasons?: ReadonlyMap<string, string>;
  /**
   * Also rewrite correct `try/finally` sites to `using` (default false: a run fixes leaks, and a
   * user who runs it for that should not get a diff of safe code).
   */
  readonly modernize?: boolean;
  /**
   * Can the code of this file run `using` where it runs (default true)? When not (Node 20/22
   * running the file as written), leaks are fixed with `try { … } finally { release }` instead,
   * which needs no disposable handle, and correct sites are never modernised.
   */
  readonly canRunUsing?: boolean;
  /**
   * Types the checker inferred for declarations without annotation, keyed by `declaredTypeKey`:
   * a name declared inside a locked region and used after it is declared before the region with it.
   */
  readonly declaredTypes?: ReadonlyMap<string, string>;
  /** How this run could have had the checker's types, for the manual reason of a name without one (see PlanInput). */
  readonly typesHint?: string;
  /** With `modernize`: list each correct site left as it is, as action `kept` with the reason (default false). */
  readonly explainKept?: boolean;
}

/**
 * The key of a declaration in `declaredTypes`: its name and initializer text. Positions would not
 * do: rewrites of earlier sites move them; the same name and initializer twice in a file are one
 * expression in practice, and the verification step type-checks the result anyway.
 */
export function declaredTypeKey(name: string, initializer: string): string {
  return `${name}\u0000${initializer}`;
}

export function migrateSource(sourceText: string, filePath: string, options: CallSiteOptions = {}): SourceMigration {
  const model = buildLockModel(options.model);
  const canRunUsing = options.canRunUsing ?? true;
  // Modernising means `using`: a runtime without it keeps its correct try/finally code.
  const modernize = (options.modernize ?? false) && canRunUsing;
  let text = sourceText;
  let program = parseSource(text, filePath);
  const javascript = /\.[cm]?jsx?$/.test(filePath);
  const declaredTypes = options.declaredTypes;
  const typeOf = declaredTypes
    ? (declarator: TSESTree.VariableDeclarator) =>
        declarator.id.type === AST_NODE_TYPES.Identifier && declarator.init
          ? declaredTypes.get(declaredTypeKey(declarator.id.name, text.slice(declarator.init.range[0], declarator.init.range[1])))
          : undefined
    : undefined;
  const inputImports = collectImports(program);
  const original = findAcquisitions(program, model, inputImports, text);
  const outcomes: (SiteOutcome | undefined)[] = original.map(() => undefined);
  // Calls into relative imports are seen into as the rule sees them (core/analysis/callees.ts).
  const inputContext: AnalysisContext = {
    model,
    imports: inputImports,
    sourceText: text,
    modules: fileModuleSource(program, filePath, parseSource),
  };
  let correctInInput = 0;
  const correctAt: boolean[] = [];
  // The first pass plans on this same tree: it reuses these sites, imports and verdicts.
  const inputVerdicts = original.map((site) => judgeSite(site, inputContext));
  const reportedInInput = inputVerdicts.map((verdict, index) => {
    correctAt[index] = verdict.kind === "safe" && verdict.why === "released";
    if (correctAt[index]) correctInInput++;
    return verdict.kind === "safe" ? undefined : verdict.kind;
  });

  // Sites are followed across reparses by the offset of their call, shifted by each batch's edits;
  // a `using` declaration is no acquisition to find (it is released by construction), so ordinals
  // hold only while no site became `using`. A call inside an edited range (a wrapped region) keeps
  // its ordinal when the count did not change. Each pass plans every remaining site on the same tree and applies, in one batch, the plans
  // of sites in different functions whose edits do not overlap (one parse per pass, not per
  // site). Within a function, outer (earlier) locks go first: once an outer lock is `using`, an
  // inner lock's release is often the last statement and needs no extra block. Passes repeat
  // while a pass rewrote something: rewriting one lock can make another one's plan possible (LIFO).
  const rewritten = new Set<number>();
  const offsets = original.map((site) => site.call.range[0]);
  for (let pass = 0; pass <= original.length; pass++) {
    const imports = pass === 0 ? inputImports : collectImports(program);
    const found = pass === 0 ? original : findAcquisitions(program, model, imports, text);
    const byOffset = new Map(found.map((site) => [site.call.range[0], site] as const));
    const sites = original.map((_, index) => byOffset.get(offsets[index]!) ?? (found.length === original.length ? found[index] : undefined));
    const context: AnalysisContext =
      pass === 0 ? inputContext : { model, imports, sourceText: text, modules: fileModuleSource(program, filePath, parseSource) };
    const batch: { index: number; edits: readonly TextEdit[]; span: [number, number] }[] = [];
    const owners = new Set<TSESTree.Node>();
    for (let index = 0; index < original.length; index++) {
      if (rewritten.has(index)) continue;
      const site = sites[index];
      if (!site) continue;
      const first = original[index]!;
      const verdict = pass === 0 ? inputVerdicts[index]! : judgeSite(site, context);
      const reported = verdict.kind !== "safe";
      if (!reported && !(modernize && verdict.why === "released")) continue;
      const base = { line: first.call.loc.start.line, column: first.call.loc.start.column + 1, api: first.label, verdict: verdict.kind };
      const keep = (reason: string) => {
        if (!reported && options.explainKept) outcomes[index] = { ...base, action: "kept", reason };
      };
      // Reasons name lines of the current text; earlier rewrites may have moved them.
      const delta = first.call.loc.start.line - site.call.loc.start.line;
      const inInput = (reason: string) => (delta === 0 ? reason : reason.replace(/\bline (\d+)/g, (_, n: string) => `line ${Number(n) + delta}`));

      if (verdict.kind === "leak" && verdict.leak.reason === "processExit") {
        outcomes[index] = {
          ...base,
          action: "manual",
          reason: "`process.exit()` skips `finally` and `using` disposal; release the lock (or return) before exiting",
        };
        continue;
      }
      // A release handed to a callback (`p.finally(release)`) is the planner's business; a handle handed over is not.
      // So is a lock lent to a call (`migration.up(runner)`) and released after it by this function.
      const handedOver = verdict.transfers?.find(
        (node) =>
          !(
            node.type === AST_NODE_TYPES.CallExpression &&
            site.form.kind === "tracked" &&
            (node.arguments.some((a) => isReleaserFunction((site.form as { binding: HandleBinding }).binding, a, text)) ||
              releasedAfter(site.form.binding, site.form.block, node, text))
          ),
      );
      const owner = site.form.kind === "tracked" ? site.form.owner : program;
      let plan: RewritePlan;
      // A release that also writes (`writeAndUnlock(data)`) stays as it is; the failure paths before it release.
      const hint = options.typesHint === undefined ? {} : { typesHint: options.typesHint };
      const compound = reported && site.form.kind === "tracked" ? compoundReleaseOf(site.form.binding, site.form.block, text) : undefined;
      if (compound !== undefined) {
        if (owners.has(owner)) continue; // same function as a plan in this batch: next pass
        plan =
          typeof compound === "string"
            ? { kind: "manual", reason: compound }
            : planReleaseOnFailure(site, {
                sourceText: text,
                handOver: compound,
                releaseIsAsync: releaseIsAsyncFor(site),
                releaseKnownAsync: releaseKnownAsync(site),
                releasedByHandOver: true,
                javascript,
                typeOf,
                ...hint,
              });
      } else if (handedOver) {
        // Handed over on success: only the failure paths are this function's to close (release and rethrow).
        if (!reported) {
          keep("the handle is handed over to other code on success, so `using` would release it too early");
          continue;
        }
        if (owners.has(owner)) continue; // same function as a plan in this batch: next pass
        plan = planReleaseOnFailure(site, {
          sourceText: text,
          handOver: handedOver,
          releaseIsAsync: releaseIsAsyncFor(site),
          releaseKnownAsync: releaseKnownAsync(site),
        });
      } else {
        // `using` needs a local name for the lock; a lock in a wrapper's field or acquired on one branch gets the try/finally form.
        // So does a destructured one (`const [connection, release] = await obtain()`).
        const unbound =
          site.form.kind === "tracked" &&
          (unboundHandleReason(site.form.binding) !== undefined || destructuredRelease(site.form.acquireAt, site.form.binding) !== undefined);
        let tryFinally = !canRunUsing || unbound;
        let disposal = tryFinally ? tryFinallyDisposal(site) : disposalFor(site, options.disposableHandles, options.handleReasons);
        // A handle that is not disposable and cannot be made so here (a `.d.ts`-only or package API): a
        // leak gets the handle adapter (the handle stays as it is, `await using _lockScope = { … }` after
        // it releases it); where the adapter does not fit, or for a release function no adapter fits, the
        // try/finally form calls the API's own release and needs no disposable at all.
        let fallback: Disposal | string | undefined;
        if (typeof disposal === "string" && !tryFinally && isNotDisposable(site, options.disposableHandles, options.handleReasons)) {
          fallback = tryFinallyDisposal(site);
          const adapter = reported ? handleAdapterDisposal(site) : undefined;
          if (adapter) disposal = adapter;
          else if (typeof fallback !== "string") {
            tryFinally = true;
            disposal = fallback;
          }
        }
        if (typeof disposal === "string") {
          if (reported) outcomes[index] = { ...base, action: "manual", reason: inInput(disposal) };
          keep(inInput(disposal));
          continue;
        }
        // Modernising is `using`: a correct try/finally site has nothing to gain from the try/finally form.
        if (!reported && tryFinally) {
          keep(
            unbound
              ? "`using` needs the lock in a local name of its own, and this one is not"
              : (options.handleReasons?.get(first.label) ?? `the handle returned by \`${first.label}\` is not disposable, so \`using\` cannot release it`),
          );
          continue;
        }
        if (owners.has(owner)) continue; // same function as a plan in this batch: next pass
        const planFor = (chosen: Disposal, tryFinallyForm: boolean) =>
          planUsingRewrite(site, {
            sourceText: text,
            disposal: chosen,
            effects: followedLockOf(site, context),
            form: tryFinallyForm ? "tryFinally" : "using",
            // `await using` awaits an async release; the try/finally form (and the handle adapter's dispose) must say so.
            awaitRelease: verdict.kind === "releaseNotAwaited" || ((tryFinallyForm || chosen.adapter === "handle") && releaseKnownAsync(site)),
            javascript,
            typeOf,
            ...hint,
            everyNormalPathReleases: (verdict.kind !== "leak" || verdict.leak.reason === "throw") && (verdict.transfers ?? []).length === 0,
          });
        plan = planFor(disposal, tryFinally);
        if (plan.kind === "manual" && disposal.adapter === "handle" && fallback !== undefined && typeof fallback !== "string") plan = planFor(fallback, true);
      }
      // A `try` whose `finally` releases, started too late: the statements before it release on failure.
      if (plan.kind === "manual" && reported && compound === undefined) {
        const beforeTry = planReleaseBeforeTry(site, {
          sourceText: text,
          javascript,
          typeOf,
          ...hint,
          awaitRelease: verdict.kind === "releaseNotAwaited" || releaseKnownAsync(site),
        });
        if (beforeTry.kind === "rewrite") plan = beforeTry;
      }
      // Last: a `catch` or `finally` that releases after work that can throw gets that work guarded, and a
      // `try` whose `catch` releases is extended over the work before it. Only exceptions can leak then,
      // and the plan is kept only when the rule no longer reports the site on its output.
      if (plan.kind === "manual" && verdict.kind === "leak" && verdict.leak.reason === "throw" && compound === undefined) {
        const guardedPlan = planGuardedReleases(site, { sourceText: text });
        if (guardedPlan.kind === "rewrite" && closesEveryLeak(text, guardedPlan.edits, site.call.range[0], filePath, model)) plan = guardedPlan;
      }
      if (plan.kind === "manual") {
        if (reported) outcomes[index] = { ...base, action: "manual", reason: inInput(plan.reason) };
        keep(inInput(plan.reason));
        continue;
      }
      const span: [number, number] = [Math.min(...plan.edits.map((e) => e.range[0])), Math.max(...plan.edits.map((e) => e.range[1]))];
      if (batch.some((b) => span[0] < b.span[1] && b.span[0] < span[1])) continue; // nested functions: next pass
      owners.add(owner);
      batch.push({ index, edits: plan.edits, span });
      outcomes[index] = { ...base, action: "rewritten" };
    }
    if (batch.length === 0) break;
    const next = applyEdits(
      text,
      batch.flatMap((b) => b.edits),
    );
    try {
      program = parseSource(next, filePath);
    } catch (error) {
      // A planner bug must never produce unparsable code: keep these sites for a human.
      for (const { index } of batch) {
        outcomes[index] = { ...outcomes[index]!, action: "manual", reason: `the rewrite would not parse (${(error as Error).message})` };
      }
      break;
    }
    text = next;
    const applied = batch.flatMap((b) => b.edits);
    for (let index = 0; index < offsets.length; index++) offsets[index] = shiftedOffset(sites[index]?.call.range[0] ?? -1, applied);
    for (const { index } of batch) rewritten.add(index);
  }
  // Every rewrite is judged again on the output: "fixed" means the rule no longer reports it.
  if (rewritten.size > 0) {
    const imports = collectImports(program);
    const found = findAcquisitions(program, model, imports, text);
    const byOffset = new Map(found.map((site) => [site.call.range[0], site] as const));
    const context: AnalysisContext = { model, imports, sourceText: text, modules: fileModuleSource(program, filePath, parseSource) };
    for (const index of rewritten) {
      const site = byOffset.get(offsets[index]!) ?? (found.length === original.length ? found[index] : undefined);
      const verdict = site ? judgeSite(site, context) : undefined;
      if (verdict && verdict.kind !== "safe" && outcomes[index]) outcomes[index] = { ...outcomes[index], stillReported: verdict.kind };
    }
  }
  // A site the rule reports in the input is always listed: rewritten, or manual with a reason.
  for (let index = 0; index < original.length; index++) {
    if (outcomes[index] || !reportedInInput[index]) continue;
    const first = original[index]!;
    outcomes[index] = {
      line: first.call.loc.start.line,
      column: first.call.loc.start.column + 1,
      api: first.label,
      verdict: reportedInInput[index]!,
      action: "manual",
      reason: "left as it is: rewriting the other locks of this function did not give it a plan that keeps behaviour",
    };
  }
  if (options.explainKept && options.modernize) {
    for (const [index, correct] of correctAt.entries()) {
      if (!correct || outcomes[index]) continue;
      const first = original[index]!;
      outcomes[index] = {
        line: first.call.loc.start.line,
        column: first.call.loc.start.column + 1,
        api: first.label,
        verdict: "safe",
        action: "kept",
        reason: canRunUsing
          ? "left as it is: rewriting the other locks of this function did not give it a plan that keeps behaviour"
          : "this file cannot run `using` where it runs",
      };
    }
  }
  const sites = outcomes.filter((o): o is SiteOutcome => o !== undefined);
  const modernised = sites.filter((s) => s.verdict === "safe" && s.action === "rewritten").length;
  return { output: text, sites, correctSitesKept: correctInInput - modernised };
}

/** Does the rule report nothing for the acquisition at `offset` once `edits` are applied to `text`? */
function closesEveryLeak(text: string, edits: readonly TextEdit[], offset: number, filePath: string, model: ReturnType<typeof buildLockModel>): boolean {
  const after = shiftedOffset(offset, edits);
  if (after < 0) return false;
  const output = applyEdits(text, edits);
  let program: TSESTree.Program;
  try {
    program = parseSource(output, filePath);
  } catch {
    return false;
  }
  const imports = collectImports(program);
  const site = findAcquisitions(program, model, imports, output).find((candidate) => candidate.call.range[0] === after);
  if (!site) return false;
  return judgeSite(site, { model, imports, sourceText: output, modules: fileModuleSource(program, filePath, parseSource) }).kind === "safe";
}

type TrackedForm = Extract<AcquisitionSite["form"], { kind: "tracked" }>;

/** The form of a site the codemod can rewrite (a handle bound by a statement), or why it cannot. */
function rewritableForm(site: AcquisitionSite): (TrackedForm & { acquireAt: NonNullable<TrackedForm["acquireAt"]> }) | string {
  const form = site.form;
  if (form.kind !== "tracked")
    return form.kind === "discarded"
      ? "the acquisition's handle is discarded; the codemod cannot tell where the lock should be released"
      : "nothing to rewrite";
  if (form.acquireAt === undefined) return "the lock is used in a `.then()` chain; rewrite it to async/await first";
  return form as TrackedForm & { acquireAt: NonNullable<TrackedForm["acquireAt"]> };
}

/**
 * The try/finally form calls the API's own release, so the handle need not be disposable; only
 * whether the release is awaited matters (`keyword`). Why a site cannot be rewritten is the planner's.
 */
function tryFinallyDisposal(site: AcquisitionSite): Disposal | string {
  const form = rewritableForm(site);
  if (typeof form === "string") return form;
  // The try/finally form keeps the release as written: a wrapper's field or an ownership test is fine.
  if (unboundHandleReason(form.binding) || destructuredRelease(form.acquireAt, form.binding))
    return { keyword: releaseIsAsyncFor(site) ? "await using" : "using", adapter: false };
  const name = boundIdentifier(form.acquireAt);
  const style = name === undefined ? undefined : bindingStyle(name, form.binding);
  if (style === undefined) return "the acquisition does not bind a single handle or release function";
  return { keyword: releaseIsAsyncFor(site) ? "await using" : "using", adapter: style === "function" ? "releaseFunction" : false };
}

/** How this site's lock can be disposed of, or why it cannot. */
function disposalFor(site: AcquisitionSite, handles: CallSiteOptions["disposableHandles"], reasons?: ReadonlyMap<string, string>): Disposal | string {
  const form = rewritableForm(site);
  if (typeof form === "string") return form;
  const unbound = unboundHandleReason(form.binding);
  if (unbound) return unbound;
  const name = boundIdentifier(form.acquireAt);
  const style = name === undefined ? undefined : bindingStyle(name, form.binding);
  if (style === "function") {
    // The adapter member follows the release's type when the checker knows it (`() => void`: `[Symbol.dispose]`).
    const known = handles === "assume" ? undefined : handles?.get(site.label);
    if (!known && reasons?.get(site.label)) return reasons.get(site.label)!;
    return { keyword: (known ? known === "async" : releaseIsAsyncFor(site)) ? "await using" : "using", adapter: "releaseFunction" };
  }
  if (style === "handle") {
    const known = handles === "assume" ? (releaseIsAsyncFor(site) ? "async" : "sync") : handles?.get(site.label);
    if (!known && reasons?.get(site.label)) return reasons.get(site.label)!;
    if (!known)
      return `the handle returned by \`${site.label}\` is not known to be disposable; give its type a \`[Symbol.asyncDispose]()\` method that releases it`;
    return { keyword: known === "async" ? "await using" : "using", adapter: false };
  }
  return "the acquisition does not bind a single handle or release function";
}

/**
 * The handle adapter for a leaky site whose handle is not disposable: a handle (not a release
 * function) bound by a `const` of its own. The keyword follows the release (async: `await using`).
 */
function handleAdapterDisposal(site: AcquisitionSite): Disposal | undefined {
  const form = rewritableForm(site);
  if (typeof form === "string" || unboundHandleReason(form.binding) || destructuredRelease(form.acquireAt, form.binding)) return undefined;
  const name = boundIdentifier(form.acquireAt);
  if (name === undefined || form.acquireAt.type !== AST_NODE_TYPES.VariableDeclarator || bindingStyle(name, form.binding) !== "handle") return undefined;
  // A release its declaration says is synchronous (`unlock(): void`) gets `using`, even after an awaited acquisition.
  const async = !releaseKnownSync(site) && releaseIsAsyncFor(site);
  return { keyword: async ? "await using" : "using", adapter: "handle" };
}

/**
 * A handle-style site whose handle is not known to be disposable, or a release function no adapter
 * fits (a reason says why: it may return a promise or not, or the adapter did not type-check).
 */
function isNotDisposable(site: AcquisitionSite, handles: CallSiteOptions["disposableHandles"], reasons?: ReadonlyMap<string, string>): boolean {
  const form = site.form;
  if (form.kind !== "tracked" || form.acquireAt === undefined) return false;
  const name = boundIdentifier(form.acquireAt);
  const style = name === undefined ? undefined : bindingStyle(name, form.binding);
  if (handles === "assume" || handles?.get(site.label)) return false;
  return style === "handle" || (style === "function" && reasons?.has(site.label) === true);
}

function boundIdentifier(node: TSESTree.Node): string | undefined {
  if (node.type === AST_NODE_TYPES.VariableDeclarator && node.id.type === AST_NODE_TYPES.Identifier) return node.id.name;
  if (node.type === AST_NODE_TYPES.AssignmentExpression && node.left.type === AST_NODE_TYPES.Identifier) return node.left.name;
  return undefined;
}

/** After `refineByUsage`, a name is a handle or a release function (both when unused: prefer the handle). */
function bindingStyle(name: string, binding: { handleNames: Set<string>; releaseFnNames: Set<string> }): "handle" | "function" | undefined {
  if (binding.handleNames.has(name)) return "handle";
  if (binding.releaseFnNames.has(name)) return "function";
  return undefined;
}

/** Where `offset` lands once `edits` are applied; -1 when an edit covers it (or it was -1). */
function shiftedOffset(offset: number, edits: readonly TextEdit[]): number {
  if (offset < 0) return -1;
  let shift = 0;
  for (const edit of edits) {
    // An insertion at the offset goes before the call; a replacement that starts at or before it and ends after it removes it.
    if (edit.range[1] <= offset) shift += edit.text.length - (edit.range[1] - edit.range[0]);
    else if (edit.range[0] <= offset) return -1;
  }
  return offset + shift;
}
