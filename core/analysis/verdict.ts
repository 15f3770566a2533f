import type { TSESTree } from "@typescript-eslint/utils";
import { declaredReleaseIsAsync } from "./declared-release.js";
import { AST_NODE_TYPES, walk, type Node } from "../ast/nodes.js";
import type { ImportMap } from "../lock-api/imports.js";
import type { LockModel } from "../lock-api/model.js";
import { isProcessExit, type FollowedLock } from "./effects.js";
import { interpret, type Leak } from "./paths.js";
import type { AcquisitionSite, SiteForm } from "./sites.js";
import type { ModuleSource } from "./callees.js";

/**
 * The verdict on one acquisition: the single descriptor that the rule turns
 * into a report and the codemod turns into a rewrite or a "manual" entry.
 */
export type Verdict = (
  | { readonly kind: "safe"; readonly why: SafeReason }
  /** `others`: the other ways out while held (distinct statements), strongest first. */
  | { readonly kind: "leak"; readonly leak: Leak; readonly others: readonly Leak[] }
  | { readonly kind: "discarded" }
  | { readonly kind: "releaseNotAwaited"; readonly release: Node }
  /** Acquired together with other promises: a rejection of another loses this lock. */
  | { readonly kind: "groupedAcquisition"; readonly group: TSESTree.CallExpression }
) & {
  /** Where the held lock is handed over on some path (returned, stored, given to a sink). */
  readonly transfers?: readonly Node[];
};

export type SafeReason = "using" | "transferred" | "released" | "untracked" | "notALock";

/** Facts a type checker may add; every field optional so the analysis runs without one. */
export interface TypeFacts {
  /** `false` when types show the result is not a lock handle (no release, not callable). */
  readonly isLockHandle?: boolean;
  /** Whether the release returns a promise. */
  readonly releaseIsAsync?: boolean;
  /**
   * For an acquisition given to a helper whose result is bound to a name (`disposable(await
   * acquire(), …)`, `SiteForm` "transferred" with an `adapter`): the dispose methods that result has.
   */
  readonly adapterDisposal?: { readonly async: boolean; readonly sync: boolean };
}

export interface AnalysisContext {
  readonly model: LockModel;
  readonly imports: ImportMap;
  readonly sourceText: string;
  /** Reads the file's relative imports so calls into them are seen into; absent, they are not. */
  readonly modules?: ModuleSource;
}

export function judgeSite(site: AcquisitionSite, context: AnalysisContext, facts: TypeFacts = {}): Verdict {
  if (facts.isLockHandle === false) return { kind: "safe", why: "notALock" };
  const form = judgedForm(site, facts);
  switch (form.kind) {
    case "using": {
      // `process.exit()` skips disposal too.
      const exit = processExitAfter(form.block, form.declaration.range[1]);
      return exit ? { kind: "leak", leak: { reason: "processExit", escape: exit, order: exit.range[0] }, others: [] } : { kind: "safe", why: "using" };
    }
    case "transferred":
      return { kind: "safe", why: "transferred" };
    case "untracked":
      return { kind: "safe", why: "untracked" };
    case "discarded":
      return { kind: "discarded" };
    case "grouped":
      return { kind: "groupedAcquisition", group: form.group };
    case "tracked":
      break;
  }
  const owner = form.owner;
  const body = owner.type === AST_NODE_TYPES.Program ? owner : owner.body;
  // One place decides: the path interpreter, for every tracked site (no shape-specific shortcuts
  // to keep in agreement with it; on real code they saved no measurable time, bench/RESULTS.md).
  const report = interpret(body, {
    effects: followedLockOf(site, context, form)!,
    block: form.block,
    heldOnEntry: form.acquireAt === undefined,
    releaseIsAsync: releaseKnownAsync(site, facts),
    ownerIsAsync: owner.type !== AST_NODE_TYPES.Program && owner.async,
  });
  const transfers = report.transfers;
  const [leak, ...others] = rankedLeaks(report.leaks);
  if (leak) return { kind: "leak", leak, others, transfers };
  const unawaited = report.unawaitedReleases[0];
  if (unawaited) return { kind: "releaseNotAwaited", release: unawaited, transfers };
  return { kind: "safe", why: "released", transfers };
}

/**
 * The form the verdict judges: the site's own, except for an acquisition given to a helper whose
 * result types show disposable (`await using lock = disposable(await acquire(), (h) => h.release())`,
 * a `T & AsyncDisposable`): that result is the handle made disposable, released by the `using` that
 * binds it (when its dispose method fits the keyword) or followed as the handle. A helper whose
 * result is not disposable, or unknown without types, takes the handle over (as before).
 */
export function judgedForm(site: AcquisitionSite, facts: TypeFacts = {}): SiteForm {
  const form = site.form;
  if (form.kind !== "transferred" || !form.adapter || !facts.adapterDisposal) return form;
  const { using, tracked } = form.adapter;
  if (using && disposalFits(using.declaration, facts.adapterDisposal)) return using;
  return tracked;
}

/** `await using` takes either dispose method; `using` needs `[Symbol.dispose]`. */
function disposalFits(declaration: TSESTree.VariableDeclaration, disposal: NonNullable<TypeFacts["adapterDisposal"]>): boolean {
  return declaration.kind === "await using" ? disposal.async || disposal.sync : disposal.sync;
}

/** The block whose end a normal path reaches while the lock is held (for "reaches line N" messages). */
export function heldScopeOf(site: AcquisitionSite, facts: TypeFacts = {}): Node | undefined {
  const form = judgedForm(site, facts);
  return form.kind === "tracked" ? form.block : undefined;
}

function processExitAfter(block: Node, offset: number): Node | undefined {
  let found: Node | undefined;
  walk(
    block,
    (node) => {
      if (found || node.range[1] <= offset) return node.range[1] <= offset && node !== block ? "skip" : undefined;
      if (node.type === AST_NODE_TYPES.CallExpression && isProcessExit(node)) found = node;
      return undefined;
    },
    true,
  );
  return found;
}

/** The effect context the path analysis (and the fix planner) uses for a tracked site. */
export function followedLockOf(site: AcquisitionSite, context: AnalysisContext, form: SiteForm = site.form): FollowedLock | undefined {
  if (form.kind !== "tracked") return undefined;
  return {
    binding: form.binding,
    acquireAt: form.acquireAt,
    siteCall: site.call,
    model: context.model,
    imports: context.imports,
    sourceText: context.sourceText,
    modules: context.modules,
    releaseNames: releaseNamesOf(context.model),
    isLocalName: (name) => localNamesOf(form.owner).has(name),
  };
}

/** Whether releasing this acquisition returns a promise: types first, then the API spec (`auto`: the acquisition is awaited or chained). */
export function releaseIsAsyncFor(site: AcquisitionSite, facts: TypeFacts = {}): boolean {
  if (facts.releaseIsAsync !== undefined) return facts.releaseIsAsync;
  const declared = site.acquire.spec.releaseIsAsync;
  if (declared !== "auto") return declared;
  return site.awaited || (site.form.kind === "tracked" && site.form.acquireAt === undefined);
}

/**
 * Whether the release is known to return a promise, the only case where a release without
 * `await` is reported: from types, or from an API that says so. An awaited acquisition says
 * nothing about its release (async-mutex: async acquire, synchronous release). Known means: types,
 * the acquiring function's declaration in the same file (`declared-release.ts`), or the API spec.
 */
export function releaseKnownAsync(site: AcquisitionSite, facts: TypeFacts = {}): boolean {
  return facts.releaseIsAsync ?? declaredReleaseIsAsync(site) ?? site.acquire.spec.releaseIsAsync === true;
}

/** Whether the release is known to return no promise (`unlock(): void`), from the same sources as releaseKnownAsync. */
export function releaseKnownSync(site: AcquisitionSite, facts: TypeFacts = {}): boolean {
  return (facts.releaseIsAsync ?? declaredReleaseIsAsync(site) ?? site.acquire.spec.releaseIsAsync) === false;
}

/**
 * The leak to report, the strongest witness first: `process.exit` (it skips every `finally`), then
 * a normal path that leaves without releasing (`return`, `break`, falling off the end: a reader
 * cannot dismiss those), then an awaited call that throws (I/O, a model call), then any other
 * throw; the earliest in source order among equals.
 */
function rankedLeaks(leaks: readonly Leak[]): Leak[] {
  const sorted = [...leaks].sort((a, b) => rank(a) - rank(b) || a.order - b.order);
  const distinct: Leak[] = [];
  for (const leak of sorted) if (!distinct.some((other) => other.escape === leak.escape)) distinct.push(leak);
  return distinct;
}

function rank(leak: Leak): number {
  switch (leak.reason) {
    case "processExit":
      return 0;
    case "exit":
    case "end":
      return 1;
    default:
      return isAwaited(leak.escape) ? 2 : 3;
  }
}

function isAwaited(node: Node): boolean {
  return node.type === AST_NODE_TYPES.AwaitExpression || node.parent?.type === AST_NODE_TYPES.AwaitExpression;
}

const releaseNamesCache = new WeakMap<LockModel, ReadonlySet<string>>();

function releaseNamesOf(model: LockModel): ReadonlySet<string> {
  let names = releaseNamesCache.get(model);
  if (!names) {
    const set = new Set<string>();
    for (const acquire of model.acquires) {
      for (const release of acquire.spec.release) {
        if (release.kind === "handleMethod" || release.kind === "receiverMethod") release.methods.forEach((m) => set.add(m));
        if (release.kind === "moduleFunction") release.functions.forEach((f) => set.add(f));
      }
    }
    names = set;
    releaseNamesCache.set(model, names);
  }
  return names;
}

const localNamesCache = new WeakMap<Node, ReadonlySet<string>>();

/** Names declared inside a function (params, variables, nested functions); module scope for a program. */
function localNamesOf(owner: Node): ReadonlySet<string> {
  let names = localNamesCache.get(owner);
  if (names) return names;
  const set = new Set<string>();
  const addPattern = (pattern: Node): void => {
    walk(pattern, (node) => {
      if (node.type === AST_NODE_TYPES.Identifier) set.add(node.name);
      return undefined;
    });
  };
  if (owner.type !== AST_NODE_TYPES.Program && "params" in owner) (owner as TSESTree.FunctionLike).params.forEach(addPattern);
  walk(
    owner,
    (node) => {
      if (node.type === AST_NODE_TYPES.VariableDeclarator) addPattern(node.id);
      if (node.type === AST_NODE_TYPES.FunctionDeclaration && node.id) set.add(node.id.name);
      return undefined;
    },
    true,
  );
  names = set;
  localNamesCache.set(owner, names);
  return names;
}
