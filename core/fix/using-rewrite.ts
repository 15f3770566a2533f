import type { TSESTree } from "@typescript-eslint/utils";
import {
  AST_NODE_TYPES,
  describe,
  descendants,
  isFunctionNode,
  isLoopStatement,
  parentOf,
  statementListOf,
  unwrap,
  walk,
  type FunctionNode,
  type Node,
} from "../ast/nodes.js";
import { isReleaseCall, isReleaserFunction, type HandleBinding } from "../analysis/binding.js";
import { expressionEvents, guardOf, type FollowedLock, type Event } from "../analysis/effects.js";
import type { AcquisitionSite } from "../analysis/sites.js";
import { applyEdits, dedent, indentAt, lineEndWithBreak, lineStart, type TextEdit } from "./text-edit.js";

/**
 * Plans the rewrite of ONE acquisition to a disposable lock scope
 * (`await using lock = await acquire()`), as text edits on the original source
 * so that untouched code stays byte-for-byte. The rule offers the plan as a
 * suggestion; the codemod applies it. Pure: AST and text in, edits out.
 *
 * The locked region runs from the acquisition to the statement that releases
 * on the success path:
 *  - a `try` whose `finally` releases (the release must be the `finally`'s last
 *    statement, so what ran before it still does), or
 *  - a release statement later in the same block.
 * Other releases must end their path (followed by `return`/`throw`, or a
 * `break`/`continue` that leaves the region): `using` now does them.
 * When statements follow the region, it is wrapped in a block so the lock is
 * released at the same point on the success path as before.
 */
export type RewritePlan =
  { readonly kind: "rewrite"; readonly shape: RewriteShape; readonly edits: TextEdit[] } | { readonly kind: "manual"; readonly reason: string };

export type RewriteShape = "tryFinally" | "straightLine" | "releaseOnFailure";

export interface Disposal {
  /** `await using` for an async release, `using` for a sync one. */
  readonly keyword: "await using" | "using";
  /**
   * The inline adapter, for a value that is not disposable itself (none needs a runtime dependency):
   * - `"releaseFunction"`: the acquired release function is wrapped (`{ [Symbol.asyncDispose]: await lockfile.lock(file) }`);
   * - `"handle"`: a handle object the repository does not own (a `.d.ts`-only or package API) stays
   *   bound as it is, and `await using _lockScope = { async [Symbol.asyncDispose]() { await lock.release(); } };`
   *   follows it: the handle keeps its type, identity and every member, frozen or not.
   */
  readonly adapter: false | "releaseFunction" | "handle";
}

export interface PlanInput {
  readonly sourceText: string;
  readonly disposal: Disposal;
  /** The effect context of the site (guards of the handle). */
  readonly effects?: FollowedLock;
  /**
   * `"using"` (default): `await using lock = …`. `"tryFinally"`: for runtimes that cannot run
   * `using` (Node 20 and 22 without TypeScript's down-levelling), the same locked region wrapped
   * in `try { … } finally { <the success-path release> }`, with the acquisition left before the
   * `try`. Same region, same release point on the success path; only the syntax differs.
   */
  readonly form?: "using" | "tryFinally";
  /** The analysis found the release async but not awaited: the try/finally form awaits it (as `await using` would). */
  readonly awaitRelease?: boolean;
  /**
   * Is the file JavaScript (default false: TypeScript)? A declaration hoisted out of the locked
   * region (`let kept;`) needs a type in TypeScript and none in JavaScript.
   */
  readonly javascript?: boolean;
  /**
   * The checker's type of a declared name without annotation (the type-aware step provides it):
   * `let kept: <type>;` when such a declaration is hoisted. Without it, that site stays manual.
   */
  readonly typeOf?: (declarator: TSESTree.VariableDeclarator) => string | undefined;
  /**
   * What the manual reason of such a name suggests besides an annotation: how this run could have
   * had the checker's type ("" when it had the checker and its type cannot be written). Default:
   * "run the codemod with its tsconfig" (the jscodeshift transform, which has no checker).
   */
  readonly typesHint?: string;
  /**
   * The rule finds no normal path (a `return`, the end of the function) that keeps the lock and no
   * hand-over: only exceptions leak it. Then a site whose every release ends its path (`return await
   * lock.unlock()`, `await lock.unlock(); throw e;`) is locked to the end of its function.
   */
  readonly everyNormalPathReleases?: boolean;
}

export function planUsingRewrite(site: AcquisitionSite, input: PlanInput): RewritePlan {
  return guarded(() => {
    const result = plan(site, input);
    if (result.kind === "manual" && GENERIC_REASONS.some((generic) => result.reason.startsWith(generic))) {
      const better = whatToDoReason(site, input);
      if (better) return manual(better);
    }
    return result;
  });
}

/** `queue.release(claimed, …)` / `lockfile.unlock(path)`: a release `using` cannot make; what to do instead. */
function moduleReleaseReason(binding: HandleBinding, block: Node, sourceText: string): string {
  const calls: TSESTree.CallExpression[] = [];
  walk(
    block,
    (node) => {
      if (node.type === AST_NODE_TYPES.CallExpression && isReleaseCall(binding, node, sourceText)) calls.push(node);
      return undefined;
    },
    true,
  );
  const release = calls[0]
    ? `\`${describe(calls[0].callee, sourceText, 40)}(${calls[0].arguments.length > 1 ? `${describe(calls[0].arguments[0]!, sourceText, 20)}, …` : describe(calls[0].arguments[0] ?? calls[0].callee, sourceText, 20)})\` (line${calls.length > 1 ? "s" : ""} ${calls.map((call) => call.loc.start.line).join(", ")})`
    : "a module function";
  return `the lock is released by ${release}, a call that takes the lock as an argument; \`using\` cannot make that call: put it in a \`finally\` by hand (or in a \`catch\` that rethrows, where the lock is handed over on success), or give the handle a \`[Symbol.asyncDispose]()\` that makes it`;
}

/** Reasons that say what the planner could not do, not what a human should do: `whatToDoReason` may say more. */
const GENERIC_REASONS = ["the lock is assigned outside the `try` that releases it", "nothing releases the lock", "no release on the success path"];

/**
 * What a human should do with a site the planner leaves, when the code says more than the planner's
 * generic reason: the release is handed to a callback (typeorm's `stream()`), nothing releases a lock
 * that may be the caller's (typeorm's `synchronize(queryRunner)`), or the release runs only under a
 * flag that keeps the lock on purpose on the other path (openclaw's agent exec: `if (!cleanupError)`).
 */
function whatToDoReason(site: AcquisitionSite, input: PlanInput): string | undefined {
  const form = site.form;
  if (form.kind !== "tracked" || form.acquireAt === undefined) return undefined;
  const { sourceText } = input;
  const binding = form.binding;
  const releases: TSESTree.CallExpression[] = [];
  let handedTo: TSESTree.CallExpression | TSESTree.NewExpression | undefined;
  walk(
    form.block,
    (node) => {
      // Only what runs after the acquisition: an earlier release is another lock's of the same name.
      if (node.type === AST_NODE_TYPES.CallExpression && node.range[0] > site.call.range[1] && isReleaseCall(binding, node, sourceText)) releases.push(node);
      else if (
        (node.type === AST_NODE_TYPES.CallExpression || node.type === AST_NODE_TYPES.NewExpression) &&
        node.range[0] > site.call.range[1] &&
        node.arguments.some((argument) => isReleaserFunction(binding, argument, sourceText))
      )
        handedTo ??= node;
      return undefined;
    },
    true,
  );
  const name = boundName(form.acquireAt) ?? describe(form.acquireAt, sourceText, 30);
  if (releases.length === 0 && handedTo) {
    return `the release is handed to \`${describe(handedTo.callee, sourceText, 40)}(…)\` on line ${handedTo.loc.start.line} as a callback; what runs before that hand-over can throw and leave the lock held: release it there by hand (in a \`catch\` that rethrows, only while the hand-over has not happened, keeping any ownership test of the callback)`;
  }
  if (releases.length === 0) {
    const borrowed =
      form.acquireAt.type === AST_NODE_TYPES.AssignmentExpression &&
      form.owner.type !== AST_NODE_TYPES.Program &&
      form.owner.params.some((param) => param.type === AST_NODE_TYPES.Identifier && param.name === name) &&
      site.call.arguments.some((argument) => argument.type === AST_NODE_TYPES.Identifier && argument.name === name);
    if (borrowed)
      return `nothing in this function releases the lock, and \`${name}\` may be the caller's (\`${describe(site.call, sourceText, 40)}\` gets the parameter): release it in a \`finally\` only when this function created it (for example \`const created = !${name};\` before the acquisition, \`if (created) await ${name}.${binding.handleMethods[0] ?? "release"}()\`)`;
    return undefined;
  }
  // `if (!cleanupError) await stateLock?.release()`: a test that is not about the lock decides whether it is released.
  for (const release of releases) {
    for (let current: Node | undefined = release.parent; current && current !== form.block; current = current.parent) {
      if (isFunctionNode(current)) break;
      if (current.type !== AST_NODE_TYPES.IfStatement || current.test.range[1] > release.range[0]) continue;
      const guard = input.effects ? guardOf(input.effects, current.test) : undefined;
      if (guard?.kind === "handle") continue;
      return `the release on line ${release.loc.start.line} runs only when \`${describe(current.test, sourceText, 40)}\`; otherwise the lock is kept, which may be on purpose (\`using\` or a \`finally\` would release it on every path): decide by hand`;
    }
  }
  return undefined;
}

/** A planner bug becomes a manual site with its message, never a crash of the lint run or the migration. */
function guarded(planner: () => RewritePlan): RewritePlan {
  try {
    return planner();
  } catch (error) {
    return manual(`internal planner error: ${(error as Error).message}`);
  }
}

interface Region {
  readonly block: TSESTree.BlockStatement | TSESTree.Program;
  /** Index of the first and last statement of the locked region in `block.body`. */
  readonly first: number;
  readonly last: number;
}

/**
 * Why a tracked lock has no local name `using` could bind (real-code forms of issue 14), or
 * undefined: a wrapper holds it, it is acquired on one branch of an initialiser, or a field holds it.
 */
/**
 * The release function of a destructured acquisition (`const [connection, release] = await
 * obtainMasterConnection()`, typeorm): `using` cannot bind a pattern, the try/finally form can
 * (its `finally` calls `release()` as written). Undefined for any other binding.
 */
export function destructuredRelease(acquireAt: Node | undefined, binding: HandleBinding): string | undefined {
  if (
    acquireAt?.type !== AST_NODE_TYPES.VariableDeclarator ||
    (acquireAt.id.type !== AST_NODE_TYPES.ArrayPattern && acquireAt.id.type !== AST_NODE_TYPES.ObjectPattern)
  )
    return undefined;
  const released = patternNames(acquireAt.id).filter((name) => binding.releaseFnNames.has(name));
  return released.length === 1 ? released[0] : undefined;
}

export function unboundHandleReason(binding: HandleBinding): string | undefined {
  if (binding.wrapper) return `the handle lives inside \`${binding.wrapper.name}\` (a wrapper object); release it in a \`finally\` by hand`;
  if (binding.conditions && binding.conditions.size > 0)
    return "the lock is acquired on one branch only (`borrowed ?? acquire()`); a `finally` must keep the ownership test";
  if ([...binding.handleNames].some((name) => name.includes("."))) return "the handle is kept in a field; `using` needs a local name";
  return undefined;
}

function plan(site: AcquisitionSite, input: PlanInput): RewritePlan {
  const { sourceText, disposal } = input;
  const form = site.form;
  if (form.kind !== "tracked") return manual(untrackedReason(site));
  const binding = form.binding;
  if (binding.receiver) return manual("the lock is released through its receiver (`lock.release()` after `lock.acquire…()`); bind a disposable handle by hand");
  if (binding.moduleRelease) return manual(moduleReleaseReason(binding, form.block, sourceText));
  if (form.acquireAt === undefined) return manual("the lock is used in a `.then()` chain; rewrite it to async/await first");
  if (binding.successFlagNames.size > 0) return manual("a try-acquisition returns a flag, not a handle");
  // A lock `using` cannot bind (a wrapper's field, a borrowed-or-acquired value) can still get a
  // `finally` that keeps the release as written, ownership test included.
  const unbound = unboundHandleReason(binding);
  if (unbound && input.form !== "tryFinally") return manual(unbound);

  const names = [...binding.handleNames, ...binding.releaseFnNames];
  // A wrapped or borrowed-or-acquired lock is anchored at the declaration its initialiser belongs to.
  const acquireAt = unbound ? (declaratorAround(form.acquireAt) ?? form.acquireAt) : form.acquireAt;
  const bound = boundName(acquireAt) ?? (input.form === "tryFinally" ? destructuredRelease(acquireAt, binding) : undefined);
  if (!bound) return manual(unbound ?? "the lock is bound by destructuring; `using` needs a single name");
  if (names.some((n) => n !== bound && !isAlias(n, form.block))) {
    return manual("the release is reachable through another name");
  }
  if (disposal.adapter === "releaseFunction" && !binding.releaseFnNames.has(bound)) return manual("the handle is not disposable");
  if (disposal.adapter === "handle" && !binding.handleNames.has(bound)) return manual("the acquisition returns a release function, not a handle");
  const tryFinally = input.form === "tryFinally";
  // The try/finally form keeps the name bound to what the API returned: no adapter, no wrapper to see.
  if (disposal.adapter === "releaseFunction" && !tryFinally) {
    // With the adapter the name holds `{ [Symbol.dispose]: fn }`: any use other than a call would see the wrapper.
    const valueUse = descendants(form.block).find((node) => node.type === AST_NODE_TYPES.Identifier && node.name === bound && !isCalleeOrDeclaration(node));
    if (valueUse) return manual(`\`${bound}\` is used as a value on line ${valueUse.loc.start.line}; the adapter would change what it holds`);
  }
  if (!unbound && !tryFinally && disposal.adapter !== "releaseFunction" && !binding.handleNames.has(bound))
    return manual("the acquisition returns a release function; it needs the adapter form");

  const owner = form.owner;
  if (disposal.keyword === "await using" && owner.type !== AST_NODE_TYPES.Program && !owner.async) {
    return manual("`await using` needs an async function; this one is not async");
  }

  // Where the declaration lives: `const x = …` in a block, or `let x;` + `x = …` as the first statement of a `try`.
  const anchor = anchorOf(acquireAt, bound);
  if (typeof anchor === "string") return manual(anchor);
  const { declarationStatement, block, letDeclaration } = anchor;
  // The `let` form is a correct try/finally already (the planner refuses it otherwise): nothing to fix without `using`.
  if (tryFinally && letDeclaration) return manual("the lock is assigned to an outer `let`; without `using` the codemod leaves it as it is");
  const declIndex = block.body.indexOf(declarationStatement as never);
  if (declIndex < 0) return manual("the acquisition is not a statement of its block");

  const releases = releaseStatements(binding, form.block, sourceText, input.effects, tryFinally && unbound !== undefined, acquireAt);
  if (typeof releases === "string") return manual(releases);
  if (releases.length === 0) return manual("nothing releases the lock; the codemod cannot tell where the locked region ends");

  // The success-path release decides where the region ends.
  let regionEnd: Node | undefined;
  let finallyRelease: { tryStatement: TSESTree.TryStatement; statement: Node } | undefined;
  let tailRelease: Node | undefined;
  const exitReleases: Node[] = [];
  // `if (…) { …; release } else { …; release }` right in the block: the `if` ends the region.
  const branchReleases = new Map<TSESTree.IfStatement, Node[]>();
  // `return await lock.unlock();`: ends its path by itself; the `return` stays, without the release.
  const returnReleases = new Set<Node>(releases.filter((release) => release.type === AST_NODE_TYPES.ReturnStatement));
  if (returnReleases.size > 0) {
    const first = [...returnReleases][0]!;
    const other = returnsOnlyReleases(form.owner, returnReleases);
    if (other)
      return manual(
        `the release on line ${first.loc.start.line} is returned as the function's value, and the function returns other values (line ${other.loc.start.line}); release it before the \`return\` by hand`,
      );
  }
  for (const release of releases) {
    if (returnReleases.has(release)) {
      exitReleases.push(release);
      continue;
    }
    const container = release.parent!;
    const tryStatement = container.parent;
    if (
      container.type === AST_NODE_TYPES.BlockStatement &&
      tryStatement?.type === AST_NODE_TYPES.TryStatement &&
      tryStatement.finalizer === container &&
      topStatementOf(tryStatement, block) !== undefined &&
      !finallyRelease
    ) {
      finallyRelease = { tryStatement, statement: release };
      continue;
    }
    if (container === block && block.body.indexOf(release as never) > declIndex && !tailRelease) {
      tailRelease = release;
      continue;
    }
    const branchIf = branchingIfOf(release, block, declIndex);
    if (branchIf) {
      branchReleases.set(branchIf, [...(branchReleases.get(branchIf) ?? []), release]);
      continue;
    }
    const exit = endsItsPath(release, block, input.effects);
    if (exit === "yes") {
      exitReleases.push(release);
      continue;
    }
    if (typeof exit === "object") {
      return manual(
        `the release on line ${release.loc.start.line} is followed by \`${describe(exit.next, sourceText).replace(/;$/, "")}\`, which would run while the lock is held`,
      );
    }
    return manual(`the release on line ${release.loc.start.line} neither ends the locked region nor its path`);
  }
  if (finallyRelease && tailRelease) {
    return manual("the lock is released both in a `finally` and after it");
  }
  // Branch releases: every branch of one `if` chain must end with the release or leave (return/throw).
  let branchTail: { ifStatement: TSESTree.IfStatement; releases: Node[] } | undefined;
  for (const [ifStatement, list] of branchReleases) {
    const problem = branchesProblem(ifStatement, new Set(list));
    if (problem) return manual(problem);
    if (branchTail || finallyRelease || tailRelease)
      return manual(
        `the release on line ${list[0]!.loc.start.line} is one of several success-path releases; the codemod cannot tell where the locked region ends`,
      );
    branchTail = { ifStatement, releases: list };
  }
  const edits: TextEdit[] = [];
  let forceWrap = false;
  let shape: RewriteShape;
  if (finallyRelease) {
    shape = "tryFinally";
    const { tryStatement, statement } = finallyRelease;
    const top = topStatementOf(tryStatement, block)!;
    if (top !== tryStatement) return manual("the releasing `try` is nested inside another statement");
    if (letDeclaration && !isFirstStatementOfTry(acquireAt, tryStatement)) {
      return manual("the acquisition is not the first statement of the `try` that releases it");
    }
    regionEnd = tryStatement;
    const finalizer = tryStatement.finalizer!;
    const index = finalizer.body.indexOf(statement as never);
    if (index !== finalizer.body.length - 1) {
      return manual("the `finally` runs other statements after the release; with `using` they would run before it");
    }
    if (tryStatement.handler && letDeclaration) {
      return manual("a `catch` would run after the release where it used to run before it");
    }
    if (letDeclaration && finalizer.body.length > 1) {
      return manual("the `finally` runs other statements before the release; with `using` inside the `try` they would run after it");
    }
    // Names the `try` block declares must not meet names of the enclosing block once it is unwrapped:
    // then the region gets a block of its own.
    const outerNames = declaredNames(
      block.body.filter((s) => s !== tryStatement && s !== letDeclaration && s !== declarationStatement),
      bound,
    );
    const tryNames = declaredNames(tryStatement.block.body, "");
    if ([...tryNames].some((name) => name !== "" && outerNames.has(name))) {
      const regionNames = declaredNames(block.body.slice(declIndex, block.body.indexOf(tryStatement)), bound);
      if ([...tryNames].some((name) => name !== "" && regionNames.has(name)))
        return manual("the `try` block declares a name that the locked region already declares");
      forceWrap = true;
    }
    // The try/finally form moves the release, with the comments above it in the `finally`, into its own `finally`.
    const tryEdits = rewriteTry(tryStatement, statement, sourceText, tryFinally);
    if (typeof tryEdits === "string") return manual(tryEdits);
    edits.push(...tryEdits);
  } else if (branchTail) {
    shape = "straightLine";
    regionEnd = branchTail.ifStatement;
    if (letDeclaration) return manual("the lock is assigned to an outer `let` but not released in a `finally`");
    for (const release of branchTail.releases) {
      const removal = removeStatement(sourceText, release);
      if (typeof removal === "string") return manual(removal);
      edits.push(removal);
    }
  } else if (tailRelease) {
    shape = "straightLine";
    regionEnd = tailRelease;
    // `const unlock = await lock.lock(); unlock();` waits for the holder: nothing runs while it is held,
    // nothing can leak it, and a `using` scope of nothing would say less than the code does.
    if (block.body.indexOf(tailRelease as never) === declIndex + 1 && exitReleases.length === 0)
      return manual("the lock is released right after it is taken (a wait for its holder): nothing runs while it is held, so there is nothing to scope");
    if (letDeclaration) return manual("the lock is assigned to an outer `let` but not released in a `finally`");
    const removal = removeStatement(sourceText, tailRelease);
    if (typeof removal === "string") return manual(removal);
    edits.push(removal);
  } else if (input.everyNormalPathReleases && exitReleases.length > 0 && form.owner.type !== AST_NODE_TYPES.Program && block === form.owner.body) {
    // Every release ends its path (`return await lock.unlock()`, `await lock.unlock(); throw e;`) and the
    // rule finds no normal path that keeps the lock: the region runs to the end of the function, where
    // `using` (or a `finally`) releases on exactly those paths, and also on the exceptions that leaked.
    shape = "straightLine";
    regionEnd = block.body[block.body.length - 1]!;
    if (letDeclaration) return manual("the lock is assigned to an outer `let` but not released in a `finally`");
  } else {
    return manual("no release on the success path (only on early exits or in a `catch`); the codemod cannot tell where the locked region ends");
  }
  // A release in a nested block that runs before a `using` of that block is disposed: with `using`
  // at the outer block, this lock would be released after that disposal instead of before it.
  // (A `using` of the declaration's own block declared earlier is disposed after us either way: LIFO.)
  for (const release of [
    ...exitReleases,
    ...(finallyRelease ? [finallyRelease.statement] : []),
    ...(tailRelease ? [tailRelease] : []),
    ...(branchTail?.releases ?? []),
  ]) {
    const container = release.parent;
    if (container === block) continue;
    const siblings = container?.type === AST_NODE_TYPES.BlockStatement ? container.body : [];
    const usingBefore = siblings
      .slice(0, siblings.indexOf(release as never))
      .find((s) => s.type === AST_NODE_TYPES.VariableDeclaration && (s.kind === "using" || s.kind === "await using") && s !== declarationStatement);
    if (usingBefore)
      return manual(
        `the release on line ${release.loc.start.line} runs before \`using\` on line ${usingBefore.loc.start.line} is disposed; with \`using\` it would run after`,
      );
  }
  for (const release of exitReleases) {
    if (!within(release, declarationStatement.range[0], regionEnd.range[1])) {
      return manual(`the release on line ${release.loc.start.line} is outside the locked region`);
    }
    if (release.type === AST_NODE_TYPES.ReturnStatement) {
      // `return await lock.unlock();` → `return;`
      const value = release.argument!;
      const cut: [number, number] = [release.range[0] + "return".length, value.range[1]];
      if (hasComment(sourceText, cut, [0, 0])) return manual(`a comment on line ${release.loc.start.line} would be lost`);
      edits.push({ range: cut, text: "" });
      continue;
    }
    const removal = removeStatement(sourceText, release);
    if (typeof removal === "string") return manual(removal);
    edits.push(removal);
  }

  if (tryFinally) {
    const successRelease = finallyRelease?.statement ?? tailRelease ?? branchTail?.releases[0] ?? exitReleases[0]!;
    // One `finally` for every branch: the branches must release the same way.
    const texts = new Set(branchTail?.releases.map((r) => sourceText.slice(r.range[0], r.range[1])) ?? []);
    if (texts.size > 1) return manual("the branches release the lock in different ways; one `finally` cannot hold them all");
    // The `finally` makes the success path's call on every path: an early exit's other call (`lock.release("early")`) would be lost.
    const calls = new Set(releases.map((release) => releaseCallText(release, binding, sourceText)));
    if (calls.size > 1)
      return manual(`the lock is released in different ways (${[...calls].map((c) => `\`${c}\``).join(", ")}); one \`finally\` makes one call`);
    return tryFinallyPlan({
      block,
      declIndex,
      endIndex: block.body.indexOf(regionEnd as never),
      bound,
      successRelease,
      edits,
      awaitRelease: input.awaitRelease === true,
      sourceText,
      input,
      ...(regionEnd === block.body[block.body.length - 1] && !finallyRelease && !tailRelease && !branchTail
        ? { releaseText: releaseCallStatement(successRelease, binding, sourceText, input.awaitRelease === true) }
        : {}),
    });
  }

  // The declaration itself, or the handle adapter after it.
  if (disposal.adapter === "handle") {
    if (letDeclaration) return manual("the lock is assigned to an outer `let`; the adapter needs the handle in a `const` of its own");
    const successRelease = finallyRelease?.statement ?? tailRelease ?? branchTail?.releases[0] ?? exitReleases[0]!;
    // One dispose makes every release: they must make the same call (`lock.release("early")` and `lock.release()` differ).
    const calls = new Set(releases.map((release) => releaseCallText(release, binding, sourceText)));
    if (calls.size > 1) return manual(`the lock is released in different ways (${[...calls].map((c) => `\`${c}\``).join(", ")}); one adapter makes one call`);
    // The dispose is a method of the adapter: `this` and `arguments` there are not the function's.
    if (readsThisOrArguments(successRelease)) return manual("the release reads `this` or `arguments`, which the adapter's dispose would not see");
    const release = releaseToRun(successRelease, block.body.slice(declIndex + 1), bound, {
      sourceText,
      awaitRelease: input.awaitRelease === true,
      ...(input.effects ? { effects: input.effects } : {}),
      ...(!finallyRelease && !tailRelease && !branchTail
        ? { releaseText: releaseCallStatement(successRelease, binding, sourceText, input.awaitRelease === true) }
        : {}),
    });
    if (typeof release !== "string") return manual(release.reason);
    const adapter = handleAdapterEdit(declarationStatement, bound, release, disposal.keyword, sourceText, sourceText.slice(owner.range[0], owner.range[1]));
    if (typeof adapter === "string") return manual(adapter);
    edits.push(adapter);
  } else {
    const declEdits = rewriteDeclaration(anchor, acquireAt, disposal, sourceText);
    if (typeof declEdits === "string") return manual(declEdits);
    edits.push(...declEdits);
  }

  const endIndex = block.body.indexOf(regionEnd as never);
  // Disposal order: a `using` declared after this lock in the same block would now be disposed first.
  const laterUsing = block.body
    .slice(declIndex + 1, endIndex + 1)
    .find((s) => s.type === AST_NODE_TYPES.VariableDeclaration && (s.kind === "using" || s.kind === "await using"));
  if (laterUsing) {
    return manual(`\`using\` on line ${laterUsing.loc.start.line} would then be disposed before this lock, but this lock was released first`);
  }
  const region: Region = { block, first: declIndex, last: endIndex };
  const rest = block.body.slice(endIndex + 1);
  // Nothing follows, or only `return <names and literals>`: evaluating it while still holding the lock is unobservable.
  if (!forceWrap && (rest.length === 0 || (rest.length === 1 && isPureReturn(rest[0]!)))) return { kind: "rewrite", shape, edits };
  // Statements follow: wrap the region in a block so the release point stays where it was.
  if (block.type === AST_NODE_TYPES.Program)
    return manual("statements follow the locked region at module level; `using` would hold the lock to the end of the module");
  const regionStatements = block.body.slice(declIndex + 1, endIndex + 1);
  if (usesNames(rest, new Set([bound]))) return manual(`statements after the locked region use \`${bound}\``);
  const usedAfter = usedNamesDeclaredIn(regionStatements, rest);
  if (usedAfter.size === 0) return { kind: "rewrite", shape, edits: wrapRegion(region, edits, sourceText) };
  // Names declared inside the region are used after it (the incident shape). (a) What follows is
  // cheap (no await, no call that may block or throw): hold the lock to the end of the block.
  if (!forceWrap && input.effects && rest.every((statement) => isCheapStatement(statement, input.effects!))) return { kind: "rewrite", shape, edits };
  // (b) Otherwise declare those names before the region and assign them inside it.
  const hoist = hoistDeclarations(regionStatements, usedAfter, input);
  if (typeof hoist === "string") return manual(hoist);
  return { kind: "rewrite", shape, edits: wrapRegion(region, [...edits, ...hoist.edits], sourceText, undefined, hoist.declarations) };
}

// ---------------------------------------------------- names used after the region

/** Names declared by the top-level statements of `region` (not the lock) that `rest` uses. */
function usedNamesDeclaredIn(region: readonly Node[], rest: readonly Node[]): Set<string> {
  const used = new Set<string>();
  for (const name of declaredNames(region, "")) if (name !== "" && usesNames(rest, new Set([name]))) used.add(name);
  return used;
}

/**
 * Can the statement run while the lock is still held without anyone noticing? No `await` (other
 * waiters would wait longer), no call that may block or throw (the rule's effect model: only the
 * quiet calls of lock-api/quiet-calls.ts pass), no `yield`; `throw new Error(…)` is fine (`using`
 * releases on that path too). `return kept.length` and `log.info(…)` pass, `await fs.writeFile(…)` does not.
 */
function isCheapStatement(statement: Node, effects: FollowedLock): boolean {
  const cheap = (node: Node | null | undefined): boolean => !node || expressionEvents(effects, node).every(quietEvent);
  switch (statement.type) {
    case AST_NODE_TYPES.ExpressionStatement:
      return cheap(statement.expression);
    case AST_NODE_TYPES.VariableDeclaration:
      return (statement.kind === "const" || statement.kind === "let") && statement.declarations.every((d) => cheap(d.init));
    case AST_NODE_TYPES.ReturnStatement:
    case AST_NODE_TYPES.ThrowStatement:
      return cheap(statement.argument);
    case AST_NODE_TYPES.IfStatement:
      return (
        cheap(statement.test) && isCheapStatement(statement.consequent, effects) && (!statement.alternate || isCheapStatement(statement.alternate, effects))
      );
    case AST_NODE_TYPES.BlockStatement:
      return statement.body.every((s) => isCheapStatement(s, effects));
    case AST_NODE_TYPES.EmptyStatement:
    case AST_NODE_TYPES.BreakStatement:
    case AST_NODE_TYPES.ContinueStatement:
      return true;
    default:
      return false;
  }
}

function quietEvent(event: Event): boolean {
  if (event.kind === "branch") return event.whenTrue.every(quietEvent) && event.whenFalse.every(quietEvent);
  // Building an error to throw is no work under the lock.
  if (event.kind === "throw") return event.node.type === AST_NODE_TYPES.NewExpression && isPure(event.node);
  return false;
}

interface Hoist {
  /** `let kept: string[];` lines, to put before the region. */
  readonly declarations: string[];
  /** `const kept = …` → `kept = …` inside the region. */
  readonly edits: TextEdit[];
}

/**
 * Declarations of the region whose names are used after it become assignments, declared by
 * `let` before the region with their type: the annotation as written, else the checker's type
 * (`typeOf`), else none in JavaScript. A TypeScript name without either stays manual.
 */
function hoistDeclarations(
  region: readonly Node[],
  names: ReadonlySet<string>,
  input: Pick<PlanInput, "sourceText" | "javascript" | "typeOf" | "typesHint">,
): Hoist | string {
  const { sourceText } = input;
  const declarations: string[] = [];
  const edits: TextEdit[] = [];
  // `type Entry = …` inside the region: a hoisted `let kept: Entry[];` before it could not name it.
  const regionTypes = region.flatMap((statement) => {
    const declaration = statement.type === AST_NODE_TYPES.ExportNamedDeclaration ? statement.declaration : statement;
    return declaration &&
      (declaration.type === AST_NODE_TYPES.TSTypeAliasDeclaration ||
        declaration.type === AST_NODE_TYPES.TSInterfaceDeclaration ||
        declaration.type === AST_NODE_TYPES.TSEnumDeclaration ||
        declaration.type === AST_NODE_TYPES.ClassDeclaration) &&
      declaration.id
      ? [declaration.id.name]
      : [];
  });
  const regionTypeIn = (type: string) => regionTypes.find((name) => new RegExp(`(?<![\\w$.])${name.replace(/\$/g, "\\$")}(?![\\w$])`, "u").test(type));
  for (const statement of region) {
    if (
      (statement.type === AST_NODE_TYPES.FunctionDeclaration || statement.type === AST_NODE_TYPES.ClassDeclaration) &&
      statement.id &&
      names.has(statement.id.name)
    ) {
      return `\`${statement.id.name}\` is declared inside the locked region by a ${statement.type === AST_NODE_TYPES.FunctionDeclaration ? "function" : "class"} declaration and used after it; move it out by hand`;
    }
    if (statement.type !== AST_NODE_TYPES.VariableDeclaration) continue;
    const hoisted = statement.declarations.filter((d) => patternNames(d.id).some((n) => names.has(n)));
    if (hoisted.length === 0) continue;
    if (statement.kind !== "const" && statement.kind !== "let")
      return `\`${describe(statement, sourceText, 30)}\` is used after the locked region and cannot be declared before it`;
    if (hoisted.length !== statement.declarations.length)
      return `\`${describe(statement, sourceText, 30)}\` declares several names, some used after the locked region; split it by hand`;
    // JavaScript: `const { a, b } = f();` → `let a, b;` before and `({ a, b } = f());` inside (no types to give).
    const only = statement.declarations[0]!;
    if (
      input.javascript &&
      statement.declarations.length === 1 &&
      (only.id.type === AST_NODE_TYPES.ObjectPattern || only.id.type === AST_NODE_TYPES.ArrayPattern) &&
      only.init
    ) {
      declarations.push(`let ${patternNames(only.id).join(", ")};`);
      const object = only.id.type === AST_NODE_TYPES.ObjectPattern;
      edits.push({ range: [statement.range[0], only.range[0]], text: object ? "(" : "" });
      if (object) edits.push({ range: [only.range[1], only.range[1]], text: ")" });
      continue;
    }
    for (const declarator of statement.declarations) {
      if (declarator.id.type !== AST_NODE_TYPES.Identifier)
        return `\`${describe(declarator.id, sourceText, 30)}\` is destructured inside the locked region and used after it; declare its names before the region by hand`;
      const name = declarator.id.name;
      if (!declarator.init) return `\`${name}\` is declared without a value inside the locked region and used after it; declare it before the region by hand`;
      const annotation = declarator.id.typeAnnotation
        ? sourceText.slice(declarator.id.typeAnnotation.range[0], declarator.id.typeAnnotation.range[1])
        : undefined;
      const inferred = annotation === undefined && !input.javascript ? input.typeOf?.(declarator) : undefined;
      if (annotation === undefined && !input.javascript && inferred === undefined) {
        const hint = input.typesHint ?? "run the codemod with its tsconfig";
        const why = hint ? "no type from the checker" : "the checker's type of it cannot be written here";
        return `\`${name}\` is declared inside the locked region and used after it; it has no type annotation and ${why}, so it cannot be declared before the region (annotate it${hint ? `, or ${hint}` : ""})`;
      }
      const typeName = regionTypeIn(annotation ?? inferred ?? "");
      if (typeName !== undefined)
        return `\`${name}\` is used after the locked region and its type names \`${typeName}\`, declared inside the region: declared before the region, \`${name}\` could not name it; move \`${typeName}\` out of the region by hand`;
      declarations.push(`let ${name}${annotation ?? (inferred === undefined ? "" : `: ${inferred}`)};`);
      if (declarator.id.typeAnnotation) edits.push({ range: [declarator.id.typeAnnotation.range[0], declarator.id.typeAnnotation.range[1]], text: "" });
    }
    // `const kept = …;` → `kept = …;` (a statement starting with the name: no parentheses needed).
    edits.push({ range: [statement.range[0], statement.declarations[0]!.range[0]], text: "" });
  }
  if (declarations.length === 0) return "statements after the locked region use names declared inside it";
  return { declarations, edits };
}

// ------------------------------------------------- release on failure (hand-overs)

export interface FailurePlanInput {
  readonly sourceText: string;
  /** Where the lock is handed over on success (`return conn`, `this.locks.set(key, { lock })`). */
  readonly handOver: Node;
  /** May the release be asynchronous (then awaited in the `catch`, where the function is async)? */
  readonly releaseIsAsync: boolean;
  /** Is it known to be (then a function that is not async cannot await it: manual)? */
  readonly releaseKnownAsync?: boolean;
  /**
   * The hand-over is itself the release, one that also does work (`lockResponse.writeAndUnlock(data)`):
   * the `try` ends before it, and the `catch` calls the plain release its name ends with (`unlock()`).
   */
  readonly releasedByHandOver?: boolean;
  /** JavaScript (default false): a name declared before the `try` needs no type. */
  readonly javascript?: boolean;
  /** The checker's type of a declaration without annotation (see PlanInput). */
  readonly typeOf?: PlanInput["typeOf"];
  /** How this run could have had the checker's type (see PlanInput). */
  readonly typesHint?: string;
}

export interface BeforeTryInput {
  readonly sourceText: string;
  /** The release is known to be async: the `catch` (and a new `finally`) await it, as `await using` would. */
  readonly awaitRelease?: boolean;
  /** JavaScript (default false): a name declared before the `try` needs no type. */
  readonly javascript?: boolean;
  /** The checker's type of a declaration without annotation (see PlanInput). */
  readonly typeOf?: PlanInput["typeOf"];
  /** How this run could have had the checker's type (see PlanInput). */
  readonly typesHint?: string;
}

/**
 * A lock released in the `finally` of a `try` that starts too late: what runs between the
 * acquisition and that `try` can throw (typeorm: `this.queryRunner = createQueryRunner(); await
 * this.queryRunner.beforeMigration(); try { … } finally { …; await this.queryRunner.release(); }`).
 * Those statements get a `catch` that runs the `finally`'s release as written and rethrows; the
 * `try`, its `catch` and its `finally` stay as they are. This needs no local name, no `using` and no
 * disposable handle (a field, a borrowed-or-acquired runner, a `finally` with other statements or
 * comments), so it is the form the codemod falls back to when `using` or the try/finally form cannot
 * rewrite such a site.
 */
export function planReleaseBeforeTry(site: AcquisitionSite, input: BeforeTryInput): RewritePlan {
  return guarded(() => beforeTryPlan(site, input));
}

function beforeTryPlan(site: AcquisitionSite, input: BeforeTryInput): RewritePlan {
  const { sourceText } = input;
  const form = site.form;
  if (form.kind !== "tracked" || form.acquireAt === undefined) return manual("the acquisition binds no handle");
  const binding = form.binding;
  // `const x = …;` or `x = …;` / `this.x = …;`, a statement of a block.
  const statement =
    form.acquireAt.type === AST_NODE_TYPES.VariableDeclarator
      ? form.acquireAt.parent
      : form.acquireAt.type === AST_NODE_TYPES.AssignmentExpression
        ? form.acquireAt.parent
        : undefined;
  const block = statement?.parent;
  if (
    !statement ||
    (statement.type !== AST_NODE_TYPES.VariableDeclaration && statement.type !== AST_NODE_TYPES.ExpressionStatement) ||
    (block?.type !== AST_NODE_TYPES.BlockStatement && block?.type !== AST_NODE_TYPES.Program)
  ) {
    return manual("the acquisition is not a statement of a block");
  }
  const declIndex = block.body.indexOf(statement);
  const tryIndex = block.body.findIndex(
    (s, index) => index > declIndex && s.type === AST_NODE_TYPES.TryStatement && s.finalizer !== null && finallyRelease(s, binding, sourceText) !== undefined,
  );
  if (tryIndex < 0) return manual("no `try` after the acquisition releases it in its `finally`");
  const tryStatement = block.body[tryIndex] as TSESTree.TryStatement;
  const release = finallyRelease(tryStatement, binding, sourceText)!;
  const releasesBefore = `the \`try\` on line ${tryStatement.loc.start.line}, whose \`finally\` releases the lock`;
  // `finally { await runner.afterMigration(); await runner.release(); }`: what runs before the release can throw too.
  const ownerIsAsync = form.owner.type === AST_NODE_TYPES.Program || form.owner.async;
  const releaseAsWritten = awaitedRelease(release, binding, sourceText, input.awaitRelease === true && ownerIsAsync);
  const finallyEdits = releaseFirstInFinally(tryStatement.finalizer!, release, releaseAsWritten, sourceText);
  if (typeof finallyEdits === "string") return manual(`${releasesBefore}; ${finallyEdits}`);
  if (tryIndex === declIndex + 1) {
    if (finallyEdits.length === 0) return manual(`${releasesBefore}, starts right after the acquisition; the leak is elsewhere`);
    return { kind: "rewrite", shape: "releaseOnFailure", edits: finallyEdits };
  }
  const region = block.body.slice(declIndex + 1, tryIndex);
  const problem = failureRegionProblem(region, tryStatement, binding, sourceText);
  if (problem) return manual(`${releasesBefore}, starts late; ${problem}`);
  const rest = block.body.slice(tryIndex);
  let hoist: Hoist | undefined;
  const declared = declaredNames(region, "");
  declared.delete("");
  if (usesNames(rest, declared)) {
    const hoisted = hoistDeclarations(region, usedNamesDeclaredIn(region, rest), input);
    if (typeof hoisted === "string") return manual(`${releasesBefore}, starts late; ${hoisted}`);
    hoist = hoisted;
  }
  if (!ownerIsAsync && /\bawait\b/u.test(releaseAsWritten)) return manual(`${releasesBefore}: its release awaits, and this function is not async`);
  const names = new Set([...declaredNames(block.body.slice(0, tryIndex + 1), ""), ...[...binding.handleNames]]);
  const param = names.has("error") ? "cause" : "error";
  return {
    kind: "rewrite",
    shape: "releaseOnFailure",
    edits: [
      ...wrapRegion(
        { block, first: declIndex + 1, last: tryIndex - 1 },
        hoist?.edits ?? [],
        sourceText,
        { catchRelease: releaseAsWritten, param },
        hoist?.declarations,
      ),
      ...finallyEdits,
    ],
  };
}

/**
 * A `catch` or `finally` that releases the lock after work that can throw (openclaw's gateway lock:
 * `catch (error) { await ownerLease?.release(); stateLifecycle.release(); throw error; }`, where the
 * first statement throws by design when a heartbeat cannot be confirmed): the work before the
 * release moves into `try { … } finally { <the release as written> }`. The release then runs
 * whether that work throws or not; the work's error still propagates as before, and every other
 * path runs exactly as written. The codemod's last fallback, for sites no other shape rewrites;
 * whether it closes every leak is judged by the rule on the output (a rewrite it still reports
 * is counted as left for a human).
 */
export function planGuardedReleases(site: AcquisitionSite, input: { readonly sourceText: string }): RewritePlan {
  return guarded(() => guardedReleasesPlan(site, input.sourceText));
}

function guardedReleasesPlan(site: AcquisitionSite, sourceText: string): RewritePlan {
  const form = site.form;
  if (form.kind !== "tracked" || form.acquireAt === undefined) return manual("the acquisition binds no handle");
  const binding = form.binding;
  const blocks: TSESTree.BlockStatement[] = [];
  walk(
    form.block,
    (node) => {
      if (node.range[1] <= site.call.range[1]) return "skip";
      if (node.type === AST_NODE_TYPES.CatchClause) blocks.push(node.body);
      if (node.type === AST_NODE_TYPES.TryStatement && node.finalizer) blocks.push(node.finalizer);
      return undefined;
    },
    true,
  );
  const edits: TextEdit[] = [];
  let problem: string | undefined;
  const extension = extendedReleasingTry(form.acquireAt, form.block, binding, sourceText);
  if (typeof extension === "string") problem = extension;
  else if (extension) edits.push(...extension);
  for (const block of blocks) {
    const guard = guardedRelease(block, binding, sourceText);
    if (guard === undefined) continue;
    if (typeof guard === "string") {
      problem ??= guard;
      continue;
    }
    const span = [Math.min(...guard.map((e) => e.range[0])), Math.max(...guard.map((e) => e.range[1]))];
    // A `catch` nested in the work another one moves: one wrapping at a time (the outer one).
    if (edits.some((e) => e.range[0] < span[1]! && span[0]! < e.range[1])) continue;
    edits.push(...guard);
  }
  if (edits.length === 0) return manual(problem ?? "no `catch` or `finally` releases the lock after work that can throw");
  return { kind: "rewrite", shape: "releaseOnFailure", edits };
}

/**
 * `try { lock = await acquire(); } catch …; log.info(…); let lease; try { …; } catch (error) { lock.release();
 * throw error; }` (openclaw's gateway lock): the statements between the acquisition's statement and the
 * next `try` of its block whose `catch` releases and rethrows move to the start of that `try`'s block, as
 * `catchExtension` does for a hand-over. Bare declarations (`let lease;`) do nothing and stay. Undefined
 * when there is no such `try` or nothing to move.
 */
function extendedReleasingTry(acquireAt: Node, block: Node, binding: HandleBinding, sourceText: string): TextEdit[] | string | undefined {
  if (block.type !== AST_NODE_TYPES.BlockStatement && block.type !== AST_NODE_TYPES.Program) return undefined;
  const top = topStatementOf(acquireAt, block);
  if (!top) return undefined;
  const topIndex = block.body.indexOf(top as never);
  const tryIndex = block.body.findIndex((statement, index) => index > topIndex && statement.type === AST_NODE_TYPES.TryStatement);
  if (tryIndex < 0) return undefined;
  const tryStatement = block.body[tryIndex] as TSESTree.TryStatement;
  const handler = tryStatement.handler;
  const last = handler?.body.body[handler.body.body.length - 1];
  const rethrows =
    handler?.param?.type === AST_NODE_TYPES.Identifier &&
    last?.type === AST_NODE_TYPES.ThrowStatement &&
    last.argument.type === AST_NODE_TYPES.Identifier &&
    last.argument.name === handler.param.name;
  const releases = handler?.body.body.some((statement) =>
    descendants(statement).some((node) => node.type === AST_NODE_TYPES.CallExpression && isReleaseCall(binding, node, sourceText)),
  );
  if (!rethrows || !releases || tryStatement.finalizer) return undefined;
  const bare = (statement: Node) =>
    statement.type === AST_NODE_TYPES.VariableDeclaration && statement.kind === "let" && statement.declarations.every((d) => d.init === null);
  const moved = block.body.slice(topIndex + 1, tryIndex).filter((statement) => !bare(statement));
  if (moved.length === 0) return undefined;
  const inside = `the \`try\` on line ${tryStatement.loc.start.line} releases the lock in its \`catch\`, but starts late`;
  const problem = failureRegionProblem(moved, tryStatement, binding, sourceText);
  if (problem) return `${inside}; ${problem}`;
  const movedNames = declaredNames(moved, "");
  movedNames.delete("");
  if (usesNames([handler, ...block.body.slice(tryIndex + 1)], movedNames)) return `${inside}; code after it uses names declared before it`;
  if ([...movedNames].some((name) => declaredNames(tryStatement.block.body, "").has(name))) return `${inside}; its block declares a name declared before it`;
  const unit = indentUnit(block, sourceText);
  const edits: TextEdit[] = [];
  const lines: string[] = [];
  for (const statement of moved) {
    const from = lineStart(sourceText, statement.range[0]);
    const to = lineEndWithBreak(sourceText, statement.range[1]);
    if (sourceText.slice(from, statement.range[0]).trim() !== "" || sourceText.slice(statement.range[1], to).trim() !== "")
      return `${inside}; the statements before it do not end their lines`;
    edits.push({ range: [from, to], text: "" });
    lines.push(
      ...sourceText
        .slice(from, to)
        .replace(/\n$/, "")
        .split("\n")
        .map((line) => (line.trim() === "" ? line : unit + line)),
    );
  }
  const open = tryStatement.block.range[0] + 1;
  return [...edits, { range: [open, open], text: `\n${lines.join("\n")}` }];
}

/**
 * `catch (e) { A; B; release; throw e; }` → `catch (e) { try { A; B; } finally { release; } throw e; }`
 * when A or B can throw; undefined when the block has no such release, a reason when it cannot be guarded.
 * The release statement may be `if (x) release()`, or a `try` that starts with it (`try { lock.release(); } catch {}`).
 */
function guardedRelease(block: TSESTree.BlockStatement, binding: HandleBinding, sourceText: string): TextEdit[] | string | undefined {
  const tops = new Set<Node>();
  let releaseNode: Node | undefined;
  for (const statement of block.body) {
    walk(
      statement,
      (node) => {
        if (node.type !== AST_NODE_TYPES.CallExpression || !isReleaseCall(binding, node, sourceText)) return undefined;
        tops.add(statement);
        releaseNode = releaseStatementOf(node, undefined, true);
        return undefined;
      },
      true,
    );
  }
  if (tops.size !== 1 || !releaseNode) return undefined;
  const top = [...tops][0]!;
  const runsWhenTopRuns =
    top === releaseNode || (top.type === AST_NODE_TYPES.TryStatement && top.block.body[0] === releaseNode && top.handler !== null && top.finalizer === null);
  if (!runsWhenTopRuns) return undefined;
  const index = block.body.indexOf(top as never);
  const before = block.body.slice(0, index);
  if (!callsAwaitsOrThrows(before)) return undefined;
  const where = `the release on line ${top.loc.start.line}`;
  const problem = failureRegionProblem(before, top, binding, sourceText);
  if (problem) return `${where} follows work that can throw, but ${problem}`;
  const declared = declaredNames(before, "");
  declared.delete("");
  if (usesNames(block.body.slice(index), declared)) return `${where} follows work that can throw and declares names used after it`;
  if (hasComment(sourceText, [before[before.length - 1]!.range[1], top.range[0]], [0, 0]))
    return `${where} follows work that can throw; a comment between them would be lost`;
  const removal = removeStatement(sourceText, top);
  if (typeof removal === "string") return `${where} follows work that can throw; ${removal}`;
  const releaseAsWritten = dedent(sourceText.slice(top.range[0], top.range[1]), indentAt(sourceText, top.range[0]));
  return [...wrapRegion({ block, first: 0, last: index - 1 }, [], sourceText, releaseAsWritten), removal];
}

/** Do `statements` call, await, construct or throw anything (so the release after them may never run)? */
function callsAwaitsOrThrows(statements: readonly Node[]): boolean {
  return statements.some((statement) =>
    descendants(statement).some(
      (node) =>
        node.type === AST_NODE_TYPES.CallExpression ||
        node.type === AST_NODE_TYPES.AwaitExpression ||
        node.type === AST_NODE_TYPES.NewExpression ||
        node.type === AST_NODE_TYPES.ThrowStatement,
    ),
  );
}

/** The release statement's text, dedented; with `await` before the release call when `awaitIt` and it has none. */
function awaitedRelease(statement: Node, binding: HandleBinding, sourceText: string, awaitIt: boolean): string {
  const indent = indentAt(sourceText, statement.range[0]);
  const original = sourceText.slice(statement.range[0], statement.range[1]);
  if (!awaitIt) return dedent(original, indent);
  let call: TSESTree.CallExpression | undefined;
  walk(statement, (node) => {
    if (call || isFunctionNode(node)) return "skip";
    if (node.type === AST_NODE_TYPES.CallExpression && isReleaseCall(binding, node, sourceText)) call = node;
    return undefined;
  });
  if (!call) return dedent(original, indent);
  // `lock.release()` / `lock?.release()`: the await goes before the whole chain.
  let outer: Node = call;
  for (let up = parentOf(outer); up?.type === AST_NODE_TYPES.ChainExpression || up?.type === AST_NODE_TYPES.TSNonNullExpression; up = parentOf(up)) outer = up;
  if (parentOf(outer)?.type === AST_NODE_TYPES.AwaitExpression) return dedent(original, indent);
  const at = outer.range[0] - statement.range[0];
  return dedent(`${original.slice(0, at)}await ${original.slice(at)}`, indent);
}

/**
 * `finally { A; B; release; C }` → `finally { try { A; B; } finally { release; } C }` when A or B
 * calls, awaits or constructs something (it can throw, and then the release never ran); no edits
 * when the release comes first or only plain statements precede it.
 */
function releaseFirstInFinally(finalizer: TSESTree.BlockStatement, release: Node, releaseText: string, sourceText: string): TextEdit[] | string {
  const top = topStatementOf(release, finalizer)!;
  const index = finalizer.body.indexOf(top as never);
  const before = finalizer.body.slice(0, index);
  if (!callsAwaitsOrThrows(before)) return [];
  // A release nested deeper (`finally { try { await settled; } finally { lease.release(); } }`) is the code's own design.
  if (top !== release) return "what its `finally` runs before the `try` that releases can throw";
  // `using` before the release is disposed after it; in a `try` of its own it would be disposed first.
  const disposed = before.find(
    (statement) => statement.type === AST_NODE_TYPES.VariableDeclaration && (statement.kind === "using" || statement.kind === "await using"),
  );
  if (disposed)
    return `\`using\` on line ${disposed.loc.start.line} runs before the release in its \`finally\` and can throw; the codemod cannot guard it without changing the release order`;
  if (hasComment(sourceText, [before[before.length - 1]!.range[1], release.range[0]], [0, 0]))
    return "a comment between the statements of its `finally` and the release would be lost";
  const removal = removeStatement(sourceText, release);
  if (typeof removal === "string") return removal;
  return [...wrapRegion({ block: finalizer, first: 0, last: index - 1 }, [], sourceText, releaseText), removal];
}

/**
 * The release statement in `tryStatement`'s `finally` (`await lock.release();`, `if (!borrowed)
 * await runner.release();`, also inside a `try` nested in that `finally`; not in a callback), or undefined.
 */
function finallyRelease(tryStatement: TSESTree.TryStatement, binding: HandleBinding, sourceText: string): Node | undefined {
  const finalizer = tryStatement.finalizer;
  if (!finalizer) return undefined;
  let statement: Node | undefined;
  walk(
    finalizer,
    (node) => {
      if (statement) return "skip";
      if (node.type === AST_NODE_TYPES.CallExpression && isReleaseCall(binding, node, sourceText)) {
        const found = releaseStatementOf(node, undefined, true);
        // Only a release that runs whenever the `finally` runs: not in a branch, a loop or a nested `try` block.
        if (found && runsWith(found, finalizer)) statement = found;
      }
      return undefined;
    },
    true,
  );
  return statement;
}

/** Is `statement` a statement of `finalizer`, or of the `finally` of a `try` that is one (recursively)? */
function runsWith(statement: Node, finalizer: TSESTree.BlockStatement): boolean {
  const block = statement.parent;
  if (block === finalizer) return true;
  const nested = block?.parent;
  return (
    block?.type === AST_NODE_TYPES.BlockStatement && nested?.type === AST_NODE_TYPES.TryStatement && nested.finalizer === block && runsWith(nested, finalizer)
  );
}

/**
 * Is the lock released after `node` in its own function (not in a callback)? Then passing it to a
 * call (`migration.up(queryRunner)`, typeorm) lends it: the function still owns it and releases it later.
 */
export function releasedAfter(binding: HandleBinding, block: Node, node: Node, sourceText: string): boolean {
  let released = false;
  walk(
    block,
    (inner) => {
      if (released) return "skip";
      if (inner.type === AST_NODE_TYPES.CallExpression && inner.range[0] > node.range[1] && isReleaseCall(binding, inner, sourceText)) released = true;
      return undefined;
    },
    true,
  );
  return released;
}

/** A release that also does work (`writeAndUnlock(data)`, `commitAndRelease()`): its plain release, `unlock` / `release`. */
const COMPOUND_RELEASE = /^[a-z][\w$]*And(Unlock|Release)$/u;

/**
 * The call of `binding`'s compound release in `scope` (`x.writeAndUnlock(data)`), or a reason when
 * there are several; undefined when there is none. Such a call cannot be removed like a release
 * (it writes), nor moved into a disposal; the codemod releases on failure before it instead.
 */
export function compoundReleaseOf(binding: HandleBinding, block: Node, sourceText: string): TSESTree.CallExpression | string | undefined {
  const calls: TSESTree.CallExpression[] = [];
  walk(block, (node) => {
    if (node.type === AST_NODE_TYPES.CallExpression && isCompoundRelease(node) && isReleaseCall(binding, node, sourceText)) calls.push(node);
    return undefined;
  });
  if (calls.length > 1)
    return `the lock is released by \`${describe(calls[0]!.callee, sourceText, 40)}(…)\` on lines ${calls.map((c) => c.loc.start.line).join(", ")}; the codemod handles one such release`;
  return calls[0];
}

/**
 * The arguments of a compound release are evaluated before it releases: one that can throw
 * (`writeAndUnlock(JSON.stringify(state))`) is computed at the end of the `try` instead, into a
 * name declared before it (`let toWrite;`, typed `Parameters<typeof lock.writeAndUnlock>[0]` in
 * TypeScript), and the call gets that name.
 */
function movedArguments(
  call: TSESTree.CallExpression,
  bound: string,
  region: readonly Node[],
  owner: Node,
  sourceText: string,
  javascript: boolean,
): { declarations: string[]; inside: TextEdit[]; replacements: TextEdit[] } | string {
  const moved = call.arguments.filter((argument) => !isPure(argument));
  if (moved.length === 0) return { declarations: [], inside: [], replacements: [] };
  if (moved.some((argument) => argument.type === AST_NODE_TYPES.SpreadElement)) return "a spread argument of the release cannot be computed before it";
  const callee = unwrap(call.callee) as TSESTree.MemberExpression;
  const method = (callee.property as TSESTree.Identifier).name;
  const verb = method.slice(0, method.search(/And(?:Unlock|Release)$/u));
  const ownText = sourceText.slice(owner.range[0], owner.range[1]);
  const taken = (name: string) => new RegExp(`(?<![\\w$])${name}(?![\\w$])`, "u").test(ownText);
  const last = region[region.length - 1]!;
  const indent = indentAt(sourceText, region[0]!.range[0]);
  const unit = indentUnit(last.parent as TSESTree.BlockStatement, sourceText);
  const declarations: string[] = [];
  let assignments = "";
  const replacements: TextEdit[] = [];
  for (const argument of moved) {
    const index = call.arguments.indexOf(argument);
    let name = `to${verb[0]!.toUpperCase()}${verb.slice(1)}`;
    for (let n = 2; taken(name) || declarations.some((d) => d.startsWith(`let ${name}`)); n++) name = `to${verb[0]!.toUpperCase()}${verb.slice(1)}${n}`;
    declarations.push(javascript ? `let ${name};` : `let ${name}: Parameters<typeof ${bound}.${method}>[${index}];`);
    assignments += `\n${indent}${unit}${name} = ${sourceText.slice(argument.range[0], argument.range[1])};`;
    replacements.push({ range: argument.range, text: name });
  }
  // wrapRegion indents the region's own lines, not inserted text: it comes indented one level in.
  return { declarations, inside: [{ range: [last.range[1], last.range[1]], text: assignments }], replacements };
}

/** `writeAndUnlock` → `unlock`: the plain release a compound release's name ends with. */
function plainReleaseOf(call: Node): string | undefined {
  const callee = call.type === AST_NODE_TYPES.CallExpression ? unwrap(call.callee) : undefined;
  if (callee?.type !== AST_NODE_TYPES.MemberExpression || callee.property.type !== AST_NODE_TYPES.Identifier) return undefined;
  return COMPOUND_RELEASE.exec(callee.property.name)?.[1]?.toLowerCase();
}

function isCompoundRelease(call: TSESTree.CallExpression): boolean {
  const callee = unwrap(call.callee);
  return (
    callee.type === AST_NODE_TYPES.MemberExpression &&
    !callee.computed &&
    callee.property.type === AST_NODE_TYPES.Identifier &&
    COMPOUND_RELEASE.test(callee.property.name)
  );
}

/**
 * A lock handed over on success (returned, stored) and leaked when what runs before the hand-over
 * throws: `const c = await pool.connect(); await c.query(setup); return c;` becomes
 * `const c = await pool.connect(); try { await c.query(setup); return c; } catch (error) { c.release(); throw error; }`.
 * Neither `using` nor a `finally` fits (both would release what the success path hands over); a
 * `catch` that releases and rethrows keeps the success path as it was and closes the failure paths.
 * Only where the hand-over is a `return` or an expression statement of the acquisition's block, and
 * nothing in between returns, breaks or releases.
 */
export function planReleaseOnFailure(site: AcquisitionSite, input: FailurePlanInput): RewritePlan {
  return guarded(() => failurePlan(site, input));
}

function failurePlan(site: AcquisitionSite, input: FailurePlanInput): RewritePlan {
  const { sourceText, handOver } = input;
  const handedOver = input.releasedByHandOver
    ? `the lock is released on line ${handOver.loc.start.line} by \`${describe(handOver, sourceText, 40)}\`, which also does work`
    : `the lock is handed over on line ${handOver.loc.start.line} (\`${describe(handOver, sourceText, 40)}\`)`;
  const form = site.form;
  if (form.kind !== "tracked" || form.acquireAt === undefined) return manual(`${handedOver}; its acquisition binds no handle`);
  const binding = form.binding;
  const unbound = unboundHandleReason(binding);
  if (unbound) return manual(unbound);
  const bound = boundName(form.acquireAt);
  if (!bound) return manual(`${handedOver}; the acquisition is not a declaration of one name`);
  // `let lease; if (…) … else { lease = client.lease(); … } return { …, lease };`: the region starts at the statement that assigns it.
  const assigned = form.acquireAt.type === AST_NODE_TYPES.AssignmentExpression && !input.releasedByHandOver ? assignedAnchor(form.acquireAt, bound) : undefined;
  if (typeof assigned === "string") return manual(`${handedOver}; ${assigned}`);
  if (!assigned && form.acquireAt.type !== AST_NODE_TYPES.VariableDeclarator) return manual(`${handedOver}; the acquisition is not a declaration of one name`);
  const anchor = assigned ?? anchorOf(form.acquireAt, bound);
  if (typeof anchor === "string") return manual(anchor);
  const { declarationStatement, block } = anchor;
  const declIndex = assigned ? assigned.regionStart - 1 : block.body.indexOf(declarationStatement as never);
  const statement = topStatementOf(handOver, block);
  const endIndex = statement ? block.body.indexOf(statement as never) : -1;
  if (!statement || endIndex <= declIndex) return manual(`${handedOver}, not in the block that acquires it`);
  const releasedThere = input.releasedByHandOver === true;
  if (statement.type === AST_NODE_TYPES.TryStatement && !releasedThere) return catchExtension(binding, block, declIndex, statement, sourceText, handedOver);
  if (statement.type !== AST_NODE_TYPES.ReturnStatement && statement.type !== AST_NODE_TYPES.ExpressionStatement) {
    const release = releaseText(binding, bound, input.releaseKnownAsync === true && (form.owner.type === AST_NODE_TYPES.Program || form.owner.async));
    return manual(
      `${handedOver} inside \`${describe(statement, sourceText, 30)}\`, so some paths hand it over there and others do not; the codemod releases on failure only around a hand-over that is a statement of the acquiring block: add \`catch (error) { ${release ?? "<release>"} throw error; }\` by hand around what runs from the acquisition to each hand-over`,
    );
  }
  // A `finally` or a `using` disposal around the `return` runs after it, and if it throws the caller never gets the lock.
  if (statement.type === AST_NODE_TYPES.ReturnStatement) {
    let current: Node | undefined = statement.parent;
    while (current && current !== form.owner) {
      if (current.type === AST_NODE_TYPES.TryStatement && current.finalizer && within(statement, current.block.range[0], current.block.range[1])) {
        return manual(`${handedOver}; the \`finally\` on line ${current.finalizer.loc.start.line} runs after it and can cancel it`);
      }
      if (current.type === AST_NODE_TYPES.BlockStatement || current.type === AST_NODE_TYPES.Program) {
        const disposed = current.body.find(
          (s) => s.type === AST_NODE_TYPES.VariableDeclaration && (s.kind === "using" || s.kind === "await using") && s.range[1] <= statement.range[0],
        );
        if (disposed) return manual(`${handedOver}; \`using\` on line ${disposed.loc.start.line} is disposed after it and can cancel it`);
      }
      current = current.parent;
    }
  }
  // A hand-over that releases stays after the `try`: were it inside, the `catch` would release twice when it fails.
  const last = releasedThere ? endIndex - 1 : endIndex;
  if (last <= declIndex) return manual(`${handedOver}, right after the acquisition; nothing before it can fail`);
  const region = block.body.slice(declIndex + 1, last + 1);
  const problem = failureRegionProblem(region, statement, binding, sourceText);
  if (problem) return manual(`${handedOver}; ${problem}`);
  const rest = block.body.slice(last + 1);
  const declared = declaredNames(region, "");
  declared.delete("");
  // Names used after the `try` (by the releasing statement too) are declared before it, as for the incident shape.
  let hoist: Hoist | undefined;
  if (releasedThere && usesNames(rest, declared)) {
    const hoisted = hoistDeclarations(region, usedNamesDeclaredIn(region, rest), input);
    if (typeof hoisted === "string") return manual(`${handedOver}; ${hoisted}`);
    hoist = hoisted;
  } else if (statement.type !== AST_NODE_TYPES.ReturnStatement && usesNames(rest, declared))
    return manual(`${handedOver}; statements after it use names declared before it`);
  const ownerIsAsync = form.owner.type === AST_NODE_TYPES.Program || form.owner.async;
  if (input.releaseKnownAsync && !ownerIsAsync) return manual(`${handedOver}; awaiting its release on failure needs an async function`);
  const plainRelease = releasedThere ? plainReleaseOf(handOver) : undefined;
  const release = releaseText(binding, bound, input.releaseIsAsync && ownerIsAsync, plainRelease, assigned !== undefined);
  if (!release) return manual(`${handedOver}; the lock has no release the codemod can call by name`);
  const param = bound === "error" ? "cause" : "error";
  if (releasedThere) {
    const moved = movedArguments(handOver as TSESTree.CallExpression, bound, region, form.owner, sourceText, input.javascript === true);
    if (typeof moved === "string") return manual(`${handedOver}; ${moved}`);
    const wrapped = wrapRegion(
      { block, first: declIndex + 1, last },
      [...(hoist?.edits ?? []), ...moved.inside],
      sourceText,
      { catchRelease: release, param },
      [...(hoist?.declarations ?? []), ...moved.declarations],
    );
    return { kind: "rewrite", shape: "releaseOnFailure", edits: [...wrapped, ...moved.replacements] };
  }
  return {
    kind: "rewrite",
    shape: "releaseOnFailure",
    edits: wrapRegion({ block, first: declIndex + 1, last }, [], sourceText, { catchRelease: release, param }),
  };
}

/**
 * `const release = await acquire(); const tracker = …; if (!tracker) throw …; try { …; return { …, release }; }
 * catch (err) { release(); throw err; }` (MetaMask): the `try` whose `catch` releases and rethrows
 * already closes the failure paths of what it holds; the statements between the acquisition and it
 * move to the start of its block.
 */
function catchExtension(
  binding: HandleBinding,
  block: TSESTree.BlockStatement | TSESTree.Program,
  declIndex: number,
  tryStatement: TSESTree.TryStatement,
  sourceText: string,
  handedOver: string,
): RewritePlan {
  const inside = `${handedOver} inside the \`try\` on line ${tryStatement.loc.start.line}`;
  const noRelease = `${inside}, whose \`catch\` does not release it and rethrow`;
  const handler = tryStatement.handler;
  if (!handler) return manual(noRelease);
  const param = handler.param;
  const last = handler.body.body[handler.body.body.length - 1];
  const rethrows =
    param?.type === AST_NODE_TYPES.Identifier &&
    last?.type === AST_NODE_TYPES.ThrowStatement &&
    last.argument.type === AST_NODE_TYPES.Identifier &&
    last.argument.name === param.name;
  const releases = handler.body.body.some((statement) =>
    descendants(statement).some((node) => node.type === AST_NODE_TYPES.CallExpression && isReleaseCall(binding, node, sourceText)),
  );
  if (!rethrows || !releases) return manual(noRelease);
  if (tryStatement.finalizer) return manual(`${inside}, whose \`finally\` runs after the hand-over and can cancel it`);
  const tryIndex = block.body.indexOf(tryStatement);
  const moved = block.body.slice(declIndex + 1, tryIndex);
  if (moved.length === 0) return manual(`${inside}, right after the acquisition; the leak is elsewhere`);
  const problem = failureRegionProblem(moved, tryStatement, binding, sourceText);
  if (problem) return manual(`${inside}; ${problem}`);
  const movedNames = declaredNames(moved, "");
  movedNames.delete("");
  if (usesNames([handler, ...block.body.slice(tryIndex + 1)], movedNames))
    return manual(`${inside}; code after the \`try\` or its \`catch\` uses names declared before it`);
  const tryNames = declaredNames(tryStatement.block.body, "");
  if ([...movedNames].some((name) => tryNames.has(name))) return manual(`${inside}; its block declares a name the statements before it declare too`);
  const from = lineStart(sourceText, moved[0]!.range[0]);
  const to = lineEndWithBreak(sourceText, moved[moved.length - 1]!.range[1]);
  // Whole lines move (comments between them and the `try` stay with the `try`).
  if (sourceText.slice(from, moved[0]!.range[0]).trim() !== "" || sourceText.slice(moved[moved.length - 1]!.range[1], to).trim() !== "") {
    return manual(`${inside}; the statements before it do not end their lines`);
  }
  const unit = indentUnit(block, sourceText);
  const lines = sourceText
    .slice(from, to)
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => (line.trim() === "" ? line : unit + line));
  const open = tryStatement.block.range[0] + 1;
  return {
    kind: "rewrite",
    shape: "releaseOnFailure",
    edits: [
      { range: [from, to], text: "" },
      { range: [open, open], text: `\n${lines.join("\n")}` },
    ],
  };
}

/** Why the statements up to the hand-over cannot sit in a `try` that releases on failure, or undefined. */
function failureRegionProblem(region: readonly Node[], handOver: Node, binding: HandleBinding, sourceText: string): string | undefined {
  let problem: string | undefined;
  for (const statement of region) {
    walk(statement, (node) => {
      if (problem) return "skip";
      if (isFunctionNode(node)) return "skip";
      if (node.type === AST_NODE_TYPES.CallExpression && isReleaseCall(binding, node, sourceText))
        problem = `it is also released on line ${node.loc.start.line}`;
      else if (node.type === AST_NODE_TYPES.ReturnStatement && node !== handOver) problem = `\`return\` on line ${node.loc.start.line} leaves before it`;
      else if ((node.type === AST_NODE_TYPES.BreakStatement || node.type === AST_NODE_TYPES.ContinueStatement) && !insideLoopOf(node, statement))
        problem = `\`${node.type === AST_NODE_TYPES.BreakStatement ? "break" : "continue"}\` on line ${node.loc.start.line} leaves before it`;
      else if (node.type === AST_NODE_TYPES.VariableDeclaration && (node.kind === "using" || node.kind === "await using"))
        problem = `\`using\` on line ${node.loc.start.line} would be disposed after the release`;
      return undefined;
    });
  }
  return problem;
}

/** Is the `break`/`continue` inside a loop or `switch` that is itself inside `statement`? */
function insideLoopOf(node: Node, statement: Node): boolean {
  for (let current = node.parent; current && current !== statement.parent; current = current.parent) {
    if (isLoopStatement(current) || current.type === AST_NODE_TYPES.SwitchStatement) return true;
  }
  return false;
}

/** `lock.release()` / `release()`, awaited for an async release. */
function releaseText(binding: HandleBinding, bound: string, isAsync: boolean, method = binding.handleMethods[0], maybeUnset = false): string | undefined {
  // A lock assigned on some paths only (`maybeUnset`) is released only where it was acquired: `lease?.release()`.
  const dot = maybeUnset ? "?." : ".";
  const call =
    binding.handleNames.has(bound) && method !== undefined
      ? `${bound}${dot}${method}()`
      : binding.releaseFnNames.has(bound)
        ? `${bound}${maybeUnset ? "?.()" : "()"}`
        : undefined;
  return call === undefined ? undefined : `${isAsync ? "await " : ""}${call};`;
}

// --------------------------------------------------------- try/finally form

interface TryFinallyInput {
  readonly block: TSESTree.BlockStatement | TSESTree.Program;
  readonly declIndex: number;
  readonly endIndex: number;
  readonly bound: string;
  /** The release that runs on the success path: its text becomes the `finally`. */
  readonly successRelease: Node;
  /** The `using` plan's edits inside the region (releases removed, the releasing `try` unwrapped). */
  readonly edits: readonly TextEdit[];
  readonly awaitRelease: boolean;
  readonly sourceText: string;
  readonly input: PlanInput;
  /** The `finally`'s release when the success-path release is not a statement to copy (an early-exit release: its call alone). */
  readonly releaseText?: string;
}

/**
 * `const lock = await acquire(); try { <region> } finally { <release> }`: the `using` plan's region
 * (every release in it removed) inside a `try` whose `finally` holds the success-path release. What
 * `await using` would do, spelled out for runtimes without it: released at the same point on the
 * success path, and on every error and early-exit path of the region.
 */
function tryFinallyPlan(input: TryFinallyInput): RewritePlan {
  const { block, declIndex, bound, successRelease, sourceText } = input;
  let last = input.endIndex;
  if (last <= declIndex) return manual("nothing runs between the acquisition and its release");
  const laterUsing = block.body
    .slice(declIndex + 1, last + 1)
    .find((s) => s.type === AST_NODE_TYPES.VariableDeclaration && (s.kind === "using" || s.kind === "await using"));
  if (laterUsing) return manual(`\`using\` on line ${laterUsing.loc.start.line} would then be disposed before this lock, but this lock was released first`);
  // The `try` block scopes what the region declares: nothing outside may use those names.
  const declared = declaredNames(block.body.slice(declIndex + 1, last + 1), "");
  declared.delete("");
  const rest = block.body.slice(last + 1);
  let hoist: Hoist | undefined;
  if (usesNames(rest, declared)) {
    const effects = input.input.effects;
    // `return value` right after the release moves into the `try`: evaluated while holding, as `using` does;
    // so does anything cheap (no await, no call that may block or throw): the `try` runs to the end of the block.
    if (rest.length === 1 && isPureReturn(rest[0]!)) last++;
    else if (effects && !usesNames(rest, new Set([bound])) && rest.every((statement) => isCheapStatement(statement, effects))) last = block.body.length - 1;
    else {
      // Otherwise the names used after the region are declared before the `try` and assigned in it.
      if (usesNames(rest, new Set([bound]))) return manual(`statements after the locked region use \`${bound}\``);
      const hoisted = hoistDeclarations(
        block.body.slice(declIndex + 1, last + 1),
        usedNamesDeclaredIn(block.body.slice(declIndex + 1, last + 1), rest),
        input.input,
      );
      if (typeof hoisted === "string") return manual(hoisted);
      hoist = hoisted;
    }
  }
  if (usesNames(block.body.slice(0, declIndex), declared)) return manual("statements before the locked region use names declared inside it");

  const ran = releaseToRun(successRelease, block.body.slice(declIndex + 1, last + 1), bound, {
    sourceText,
    awaitRelease: input.awaitRelease,
    ...(input.input.effects ? { effects: input.input.effects } : {}),
    ...(input.releaseText !== undefined ? { releaseText: input.releaseText } : {}),
  });
  if (typeof ran !== "string") return manual(ran.reason);
  let release = ran;
  const comments = leadingComments(successRelease, sourceText);
  if (comments) release = `${comments}\n${release}`;
  const region: Region = { block, first: declIndex + 1, last };
  return {
    kind: "rewrite",
    shape: "tryFinally",
    edits: wrapRegion(region, [...input.edits, ...(hoist?.edits ?? [])], sourceText, release, hoist?.declarations),
  };
}

/**
 * The success-path release as a statement of its own, for the new `finally` or the handle adapter's
 * dispose: awaited where it must be (as `await using` would), guarded where the region tests the
 * handle (`using` skips a null one). `releaseText`: the release call of an early-exit release.
 */
function releaseToRun(
  successRelease: Node,
  region: readonly Node[],
  bound: string,
  options: { readonly sourceText: string; readonly awaitRelease: boolean; readonly effects?: FollowedLock; readonly releaseText?: string },
): string | { readonly reason: string } {
  const { sourceText } = options;
  // The release runs where the region's names are out of scope (the `finally` after its `try` block) or not yet
  // initialised (the adapter, declared before them): it may read only names declared before the acquisition.
  const inside = declaredAnywhere(region);
  const stale = namesRead(successRelease).find((name) => name !== bound && inside.has(name));
  if (stale !== undefined)
    return {
      reason: `the release on line ${successRelease.loc.start.line} reads \`${stale}\`, which the locked region declares; where the lock is released for every path, that name is not in scope: release it by hand`,
    };
  // A release over several lines (`if (!borrowed) {\n  await runner.release();\n}`) keeps its shape, re-indented by wrapRegion.
  const releaseIndent = indentAt(sourceText, successRelease.range[0]);
  let release = options.releaseText ?? dedent(sourceText.slice(successRelease.range[0], successRelease.range[1]), releaseIndent);
  if (options.releaseText !== undefined) {
    // Built from the call (awaited already): nothing more to await.
  } else if (
    options.awaitRelease &&
    successRelease.type === AST_NODE_TYPES.ExpressionStatement &&
    successRelease.expression.type !== AST_NODE_TYPES.AwaitExpression
  ) {
    release = `await ${release}`;
  } else if (options.awaitRelease && successRelease.type === AST_NODE_TYPES.IfStatement) {
    // `if (!borrowed) lock.release();`: await the call inside the guard.
    const call = unawaitedReleaseCall(successRelease, options.effects, sourceText);
    if (call) {
      const at = call.range[0] - successRelease.range[0];
      const original = sourceText.slice(successRelease.range[0], successRelease.range[1]);
      release = dedent(`${original.slice(0, at)}await ${original.slice(at)}`, releaseIndent);
    } else if (!/\bawait\b/.test(release)) {
      return { reason: `the release on line ${successRelease.loc.start.line} is not awaited and the codemod cannot tell which call to await` };
    }
  }
  // `using` skips a null handle; a region that tests the handle (`if (!lock) return;`) may reach the `finally` with one.
  if (
    (options.releaseText !== undefined || successRelease.type !== AST_NODE_TYPES.IfStatement) &&
    !release.includes(`${bound}?.`) &&
    testsName(region, bound)
  ) {
    release = `if (${bound}) ${release}`;
  }
  return release;
}

/** `await lock.unlock();`: the release call of an early-exit release statement, as a statement of its own. */
function releaseCallStatement(statement: Node, binding: HandleBinding, sourceText: string, awaitIt: boolean): string {
  let outer: Node = releaseCallIn(statement, binding, sourceText)!;
  for (let up = parentOf(outer); up?.type === AST_NODE_TYPES.ChainExpression || up?.type === AST_NODE_TYPES.TSNonNullExpression; up = parentOf(up)) outer = up;
  const awaited = parentOf(outer)?.type === AST_NODE_TYPES.AwaitExpression || awaitIt;
  return `${awaited ? "await " : ""}${sourceText.slice(outer.range[0], outer.range[1])};`;
}

/** The text of the release call in a release statement (`lock.release("early")`), or the statement's when none is found. */
function releaseCallText(statement: Node, binding: HandleBinding, sourceText: string): string {
  const at = releaseCallIn(statement, binding, sourceText) ?? statement;
  return sourceText.slice(at.range[0], at.range[1]);
}

/** The first call in `statement` (outside nested functions) that releases the lock of `binding`. */
function releaseCallIn(statement: Node, binding: HandleBinding, sourceText: string): TSESTree.CallExpression | undefined {
  let call: TSESTree.CallExpression | undefined;
  walk(statement, (node) => {
    if (call || isFunctionNode(node)) return "skip";
    if (node.type === AST_NODE_TYPES.CallExpression && isReleaseCall(binding, node, sourceText)) call = node;
    return undefined;
  });
  return call;
}

/** Every name `statements` declare, at any depth (variables, functions, classes, `catch` parameters). */
function declaredAnywhere(statements: readonly Node[]): Set<string> {
  const names = new Set<string>();
  const addPattern = (pattern: Node): void => {
    walk(pattern, (n) => {
      if (n.type === AST_NODE_TYPES.Identifier) names.add(n.name);
      return undefined;
    });
  };
  for (const statement of statements)
    walk(statement, (node) => {
      if (node.type === AST_NODE_TYPES.VariableDeclarator) addPattern(node.id);
      else if ((node.type === AST_NODE_TYPES.FunctionDeclaration || node.type === AST_NODE_TYPES.ClassDeclaration) && node.id) names.add(node.id.name);
      else if (node.type === AST_NODE_TYPES.CatchClause && node.param) addPattern(node.param);
      return undefined;
    });
  return names;
}

/** The names a statement reads (not property names after `.`, not keys of object literals). */
function namesRead(statement: Node): string[] {
  const names: string[] = [];
  walk(statement, (node) => {
    if (node.type !== AST_NODE_TYPES.Identifier) return undefined;
    const parent = node.parent;
    if (parent.type === AST_NODE_TYPES.MemberExpression && parent.property === node && !parent.computed) return undefined;
    if (parent.type === AST_NODE_TYPES.Property && parent.key === node && !parent.computed && !parent.shorthand) return undefined;
    names.push(node.name);
    return undefined;
  });
  return names;
}

/** Does the statement read `this` or `arguments` outside a nested non-arrow function? */
function readsThisOrArguments(statement: Node): boolean {
  let found = false;
  walk(statement, (node) => {
    if (found || node.type === AST_NODE_TYPES.FunctionExpression || node.type === AST_NODE_TYPES.FunctionDeclaration) return "skip";
    if (node.type === AST_NODE_TYPES.ThisExpression || (node.type === AST_NODE_TYPES.Identifier && node.name === "arguments")) found = true;
    return undefined;
  });
  return found;
}

/** The release call in a guarded release statement that is not awaited yet. */
function unawaitedReleaseCall(statement: Node, effects: FollowedLock | undefined, sourceText: string): TSESTree.CallExpression | undefined {
  if (!effects) return undefined;
  let found: TSESTree.CallExpression | undefined;
  walk(statement, (node) => {
    if (found || isFunctionNode(node)) return "skip";
    if (
      node.type === AST_NODE_TYPES.CallExpression &&
      isReleaseCall(effects.binding, node, sourceText) &&
      parentOf(node)?.type !== AST_NODE_TYPES.AwaitExpression
    )
      found = node;
    return undefined;
  });
  return found;
}

/** Is `name` used other than as `name.member` or `name(…)` (a test, a comparison, `name?.x`, an argument)? */
function testsName(statements: readonly Node[], name: string): boolean {
  let found = false;
  for (const statement of statements) {
    walk(statement, (node) => {
      if (found || node.type !== AST_NODE_TYPES.Identifier || node.name !== name) return undefined;
      const parent = parentOf(node);
      const plainMember = parent?.type === AST_NODE_TYPES.MemberExpression && parent.object === node && !parent.optional;
      const plainCall = parent?.type === AST_NODE_TYPES.CallExpression && parent.callee === node && !parent.optional;
      const propertyName = parent?.type === AST_NODE_TYPES.MemberExpression && parent.property === node && !parent.computed;
      if (!plainMember && !plainCall && !propertyName) found = true;
      return undefined;
    });
  }
  return found;
}

// ----------------------------------------------------------------- anchoring

interface Anchor {
  /** The statement of `block` that starts the region (the declaration, or the `try` for the `let` form). */
  readonly declarationStatement: Node;
  readonly block: TSESTree.BlockStatement | TSESTree.Program;
  /** The `let x;` declaration of the `let` form. */
  readonly letDeclaration?: TSESTree.VariableDeclaration;
}

function anchorOf(acquireAt: Node, name: string): Anchor | string {
  if (acquireAt.type === AST_NODE_TYPES.VariableDeclarator) {
    const declaration = acquireAt.parent;
    if (declaration.declarations.length !== 1) return "the declaration declares several variables";
    if (declaration.kind === "var") return "`var` declarations cannot become `using`";
    const block = declaration.parent;
    if (block.type !== AST_NODE_TYPES.BlockStatement && block.type !== AST_NODE_TYPES.Program) return "the declaration is not directly inside a block";
    if (isReassigned(name, block, acquireAt)) return `\`${name}\` is reassigned`;
    return { declarationStatement: declaration, block };
  }
  if (acquireAt.type === AST_NODE_TYPES.AssignmentExpression) {
    // let lock; try { lock = await acquire(); … } finally { await lock?.release(); }
    const statement = parentOf(acquireAt);
    const tryBlock = statement && parentOf(statement);
    const tryStatement = tryBlock && parentOf(tryBlock);
    if (
      statement?.type !== AST_NODE_TYPES.ExpressionStatement ||
      tryBlock?.type !== AST_NODE_TYPES.BlockStatement ||
      tryStatement?.type !== AST_NODE_TYPES.TryStatement
    ) {
      return "the lock is assigned outside the `try` that releases it";
    }
    const block = parentOf(tryStatement);
    if (block?.type !== AST_NODE_TYPES.BlockStatement && block?.type !== AST_NODE_TYPES.Program) return "the `try` is not directly inside a block";
    const letDeclaration = block.body.find(
      (s): s is TSESTree.VariableDeclaration =>
        s.type === AST_NODE_TYPES.VariableDeclaration &&
        s.declarations.length === 1 &&
        s.declarations[0].id.type === AST_NODE_TYPES.Identifier &&
        s.declarations[0].id.name === name,
    );
    if (!letDeclaration || letDeclaration.declarations[0].init) return `\`${name}\` is not declared by a bare \`let\` in the same block`;
    if (isReassigned(name, block, acquireAt)) return `\`${name}\` is assigned more than once`;
    if (usedOutside(name, block, [letDeclaration, tryStatement])) return `\`${name}\` is used outside the \`try\``;
    return { declarationStatement: tryStatement, block, letDeclaration };
  }
  return "the acquisition is not bound by a declaration";
}

/** The declarator whose initialiser contains `node` (`const session = isPool ? new Session(await pool.connect()) : this`). */
function declaratorAround(node: Node): TSESTree.VariableDeclarator | undefined {
  for (let current = node.parent; current && !isFunctionNode(current); current = current.parent) {
    if (current.type === AST_NODE_TYPES.VariableDeclarator)
      return current.init && within(node, current.init.range[0], current.init.range[1]) ? current : undefined;
    if (current.type === AST_NODE_TYPES.BlockStatement || current.type === AST_NODE_TYPES.Program) return undefined;
  }
  return undefined;
}

/**
 * `let lease; … if (…) … else { lease = client.lease(); … } … return { …, lease };` (openclaw's
 * Telegram context): the lock goes into a `let` declared without a value in an enclosing block,
 * on some paths only. The block of that `let`, and the index of its statement that assigns the
 * lock (where the release-on-failure region starts); or why not: another assignment, or a loop or
 * a function between the assignment and that statement (the `catch` would release only the last).
 */
function assignedAnchor(acquireAt: TSESTree.AssignmentExpression, name: string): (Anchor & { readonly regionStart: number }) | string {
  if (acquireAt.operator !== "=") return "the lock is combined with another value";
  for (let current = parentOf(acquireAt); current; current = parentOf(current)) {
    if (isFunctionNode(current)) break;
    const list = statementListOf(current);
    if (!list || (current.type !== AST_NODE_TYPES.BlockStatement && current.type !== AST_NODE_TYPES.Program)) continue;
    const declaration = list.find(
      (statement): statement is TSESTree.VariableDeclaration =>
        statement.type === AST_NODE_TYPES.VariableDeclaration &&
        statement.kind === "let" &&
        statement.declarations.some((d) => d.id.type === AST_NODE_TYPES.Identifier && d.id.name === name && d.init === null),
    );
    if (!declaration) continue;
    const top = topStatementOf(acquireAt, current)!;
    for (let up = parentOf(acquireAt); up && up !== top; up = parentOf(up)) {
      if (isLoopStatement(up) || isFunctionNode(up)) return "it is assigned in a loop or a nested function";
    }
    if (isReassigned(name, current, acquireAt)) return `\`${name}\` is assigned elsewhere too`;
    return { declarationStatement: declaration, block: current, regionStart: current.body.indexOf(top as never) };
  }
  return "the acquisition is not a declaration of one name";
}

function boundName(acquireAt: Node): string | undefined {
  if (acquireAt.type === AST_NODE_TYPES.VariableDeclarator && acquireAt.id.type === AST_NODE_TYPES.Identifier) return acquireAt.id.name;
  if (acquireAt.type === AST_NODE_TYPES.AssignmentExpression && acquireAt.left.type === AST_NODE_TYPES.Identifier) return acquireAt.left.name;
  return undefined;
}

function isAlias(name: string, block: Node): boolean {
  // `const unlock = () => lock.release()`: an alias declared in scope; its calls are removed like releases.
  let alias = false;
  walk(block, (node) => {
    if (
      node.type === AST_NODE_TYPES.VariableDeclarator &&
      node.id.type === AST_NODE_TYPES.Identifier &&
      node.id.name === name &&
      node.init &&
      isFunctionNode(node.init)
    )
      alias = true;
    return undefined;
  });
  return alias;
}

function isFirstStatementOfTry(acquireAt: Node, tryStatement: TSESTree.TryStatement): boolean {
  return tryStatement.block.body[0] === acquireAt.parent;
}

// ----------------------------------------------------------------- releases

/** Release statements of the binding, or a reason why a release cannot be removed cleanly. */
function releaseStatements(
  binding: HandleBinding,
  block: Node,
  sourceText: string,
  effects: FollowedLock | undefined,
  keepsTests = false,
  acquireAt?: Node,
): Node[] | string {
  const statements: Node[] = [];
  let problem: string | undefined;
  walk(block, (node) => {
    if (problem) return "skip";
    // `if (!db) { const runner = create(); …; await runner.release(); } const runner = create(); …` (typeorm):
    // a block that declares the name again holds another lock's releases.
    if (acquireAt && node.type === AST_NODE_TYPES.BlockStatement && redeclares(node, binding, acquireAt)) return "skip";
    if (node.type !== AST_NODE_TYPES.CallExpression || !isReleaseCall(binding, node, sourceText)) return undefined;
    if (insideNestedFunction(node, block)) {
      problem = `the release on line ${node.loc.start.line} runs in a callback`;
      return undefined;
    }
    const statement = releaseStatementOf(node, effects, keepsTests) ?? returnedRelease(node);
    if (isCompoundRelease(node))
      problem = `the release on line ${node.loc.start.line} (\`${describe(node.callee, sourceText, 40)}(…)\`) also does other work; it cannot move into a disposal`;
    else if (!statement) problem = `the release on line ${node.loc.start.line} is part of a larger expression`;
    else if (swallowsErrors(node)) problem = `the release on line ${node.loc.start.line} swallows its errors with \`.catch()\`; \`using\` would surface them`;
    else statements.push(statement);
    return undefined;
  });
  return problem ?? statements;
}

function redeclares(block: TSESTree.BlockStatement, binding: HandleBinding, acquireAt: Node): boolean {
  if (within(acquireAt, block.range[0], block.range[1])) return false;
  return block.body.some(
    (statement) =>
      statement.type === AST_NODE_TYPES.VariableDeclaration &&
      !within(acquireAt, statement.range[0], statement.range[1]) &&
      statement.declarations.some((declarator) =>
        patternNames(declarator.id).some((name) => binding.handleNames.has(name) || binding.releaseFnNames.has(name)),
      ),
  );
}

/** `await x.release();`, `x.release();`, `await x?.release().catch(…)`, or `if (x) await x.release();` */
function releaseStatementOf(call: TSESTree.CallExpression, effects: FollowedLock | undefined, keepsTests = false): Node | undefined {
  let current: Node = call;
  for (;;) {
    const parent = parentOf(current);
    if (!parent) return undefined;
    if (
      parent.type === AST_NODE_TYPES.AwaitExpression ||
      parent.type === AST_NODE_TYPES.ChainExpression ||
      parent.type === AST_NODE_TYPES.TSNonNullExpression ||
      (parent.type === AST_NODE_TYPES.MemberExpression && parent.object === current && isCatchMember(parent))
    ) {
      current = parent;
      continue;
    }
    if (parent.type === AST_NODE_TYPES.CallExpression && parent.callee === current) {
      current = parent;
      continue;
    }
    if (parent.type === AST_NODE_TYPES.ExpressionStatement) {
      const guard = guardingIf(parent, effects, keepsTests);
      return guard ?? parent;
    }
    return undefined;
  }
}

/**
 * `return await lock.unlock();` / `return lock ? await lock.unlock() : undefined;` (@salesforce/core):
 * a release whose result is the function's value. The `return` is the release statement; the
 * planner keeps the `return` and drops its value (see `returnsOnlyReleases`).
 */
function returnedRelease(call: TSESTree.CallExpression): TSESTree.ReturnStatement | undefined {
  let current: Node = call;
  let parent = parentOf(current);
  while (
    parent?.type === AST_NODE_TYPES.AwaitExpression ||
    parent?.type === AST_NODE_TYPES.ChainExpression ||
    parent?.type === AST_NODE_TYPES.TSNonNullExpression
  ) {
    current = parent;
    parent = parentOf(current);
  }
  if (parent?.type === AST_NODE_TYPES.ReturnStatement) return parent;
  if (
    parent?.type === AST_NODE_TYPES.ConditionalExpression &&
    parent.test !== current &&
    isNothing(parent.consequent === current ? parent.alternate : parent.consequent) &&
    parent.parent.type === AST_NODE_TYPES.ReturnStatement
  )
    return parent.parent;
  return undefined;
}

/** `undefined`, `void 0`. */
function isNothing(node: Node): boolean {
  const inner = unwrap(node);
  return (
    (inner.type === AST_NODE_TYPES.Identifier && inner.name === "undefined") ||
    (inner.type === AST_NODE_TYPES.UnaryExpression && inner.operator === "void" && inner.argument.type === AST_NODE_TYPES.Literal)
  );
}

/**
 * Does the function return nothing but the value of its release (`return;`, `return undefined;`, falling
 * off its end, or a returned release)? Then that value is no result of the function's own (a release
 * resolves to nothing), and a `return` of it can become `return;` once `using` or a `finally` releases.
 */
function returnsOnlyReleases(owner: FunctionNode | TSESTree.Program, returnReleases: ReadonlySet<Node>): TSESTree.ReturnStatement | undefined {
  let other: TSESTree.ReturnStatement | undefined;
  walk(
    owner.type === AST_NODE_TYPES.Program ? owner : owner.body,
    (node) => {
      if (other) return "skip";
      if (node.type === AST_NODE_TYPES.ReturnStatement && !returnReleases.has(node) && node.argument && !isNothing(node.argument)) other = node;
      return undefined;
    },
    true,
  );
  return other;
}

function swallowsErrors(call: Node): boolean {
  let current: Node = call;
  while (current.parent && (current.parent.type === AST_NODE_TYPES.ChainExpression || current.parent.type === AST_NODE_TYPES.TSNonNullExpression))
    current = current.parent!;
  return current.parent?.type === AST_NODE_TYPES.MemberExpression && isCatchMember(current.parent);
}

function isCatchMember(member: TSESTree.MemberExpression): boolean {
  return !member.computed && member.property.type === AST_NODE_TYPES.Identifier && member.property.name === "catch";
}

/** `if (lock) await lock.release();` / `if (lock) { await lock.release(); }` → the `if`. */
function guardingIf(statement: TSESTree.ExpressionStatement, effects: FollowedLock | undefined, keepsTests = false): Node | undefined {
  let node: Node = statement;
  if (statement.parent.type === AST_NODE_TYPES.BlockStatement && statement.parent.body.length === 1) node = statement.parent;
  const parent = parentOf(node);
  if (parent?.type === AST_NODE_TYPES.IfStatement && parent.consequent === node && !parent.alternate && effects) {
    const guard = guardOf(effects, parent.test);
    if (guard?.kind === "handle" && guard.whenTrue) return parent;
    // The try/finally form moves the whole `if` into the new `finally`, its test as written
    // (`if (this.client instanceof Pool) session.client.release()`): the test need not be understood.
    const block = parent.parent;
    if (keepsTests && block.type === AST_NODE_TYPES.BlockStatement && block.parent.type === AST_NODE_TYPES.TryStatement && block.parent.finalizer === block)
      return parent;
  }
  return undefined;
}

function insideNestedFunction(node: Node, block: Node): boolean {
  for (let current = node.parent; current && current !== block; current = current.parent) {
    if (isFunctionNode(current)) return true;
  }
  return false;
}

/**
 * A release followed by `return`/`throw` of names and literals (or a `break`/`continue` leaving
 * `block`): `using` releases there too. A `return work()` would run `work()` while still holding.
 */
function endsItsPath(release: Node, block: Node, effects: FollowedLock | undefined): "yes" | "no" | { next: Node } {
  const container = release.parent;
  if (!container || (container.type !== AST_NODE_TYPES.BlockStatement && container.type !== AST_NODE_TYPES.SwitchCase)) return "no";
  const body = container.type === AST_NODE_TYPES.BlockStatement ? container.body : container.consequent;
  const next = body[body.indexOf(release as never) + 1];
  if (!next) return "no";
  if (next.type === AST_NODE_TYPES.ReturnStatement || next.type === AST_NODE_TYPES.ThrowStatement) {
    // `return kept.length` is as cheap as `return kept` (the rule's effect model: no call, no await).
    return next.argument === null || isPure(next.argument) || (effects !== undefined && isCheapStatement(next, effects)) ? "yes" : { next };
  }
  if (next.type === AST_NODE_TYPES.BreakStatement || next.type === AST_NODE_TYPES.ContinueStatement) {
    // The jump must leave the block that holds the lock.
    const target = jumpTarget(next);
    return target !== undefined && within(block, target.range[0], target.range[1]) && target !== block ? "yes" : "no";
  }
  return "no";
}

function jumpTarget(jump: TSESTree.BreakStatement | TSESTree.ContinueStatement): Node | undefined {
  const label = jump.label?.name;
  for (let current: Node | undefined = jump.parent; current; current = current.parent) {
    if (isFunctionNode(current)) return undefined;
    if (label !== undefined) {
      if (current.type === AST_NODE_TYPES.LabeledStatement && current.label.name === label) return current.body;
      continue;
    }
    if (isLoopStatement(current) || (jump.type === AST_NODE_TYPES.BreakStatement && current.type === AST_NODE_TYPES.SwitchStatement)) {
      return current;
    }
  }
  return undefined;
}

// -------------------------------------------------------------------- edits

function rewriteDeclaration(anchor: Anchor, acquireAt: Node, disposal: Disposal, sourceText: string): TextEdit[] | string {
  const init = acquireAt.type === AST_NODE_TYPES.VariableDeclarator ? acquireAt.init! : (acquireAt as TSESTree.AssignmentExpression).right;
  const value = sourceText.slice(init.range[0], init.range[1]);
  const disposeKey = disposal.keyword === "await using" ? "Symbol.asyncDispose" : "Symbol.dispose";
  const newInit = disposal.adapter === "releaseFunction" ? `{ [${disposeKey}]: ${value} }` : value;
  if (anchor.letDeclaration) {
    // `let lock: T | undefined;` goes; `lock = await acquire();` becomes the `using` declaration.
    const removal = removeStatement(sourceText, anchor.letDeclaration);
    if (typeof removal === "string") return removal;
    const assignment = acquireAt as TSESTree.AssignmentExpression;
    const name = (assignment.left as TSESTree.Identifier).name;
    return [removal, { range: [assignment.range[0], assignment.range[1]], text: `${disposal.keyword} ${name} = ${newInit}` }];
  }
  const declaration = acquireAt.parent as TSESTree.VariableDeclaration;
  const declarator = acquireAt as TSESTree.VariableDeclarator;
  const edits: TextEdit[] = [{ range: [declaration.range[0], declaration.range[0] + declaration.kind.length], text: disposal.keyword }];
  if (disposal.adapter === "releaseFunction") {
    // A type annotation for the release function no longer fits the adapter object.
    if (declarator.id.typeAnnotation) edits.push({ range: [declarator.id.typeAnnotation.range[0], declarator.id.typeAnnotation.range[1]], text: "" });
    edits.push({ range: [init.range[0], init.range[1]], text: newInit });
  }
  return edits;
}

/**
 * The handle adapter, on the line after the declaration: `await using _lockScope = { async
 * [Symbol.asyncDispose]() { await lock.release(); } };`. The handle stays as the API returned it;
 * the name starts with `_` because nothing reads it (TypeScript's noUnusedLocals exempts such names).
 */
function handleAdapterEdit(
  declaration: Node,
  bound: string,
  release: string,
  keyword: Disposal["keyword"],
  sourceText: string,
  /** The owner function's text: a name it never mentions can neither clash with nor shadow anything it reads. */
  ownerText: string,
): TextEdit | string {
  if (release.includes("\n")) return "the release spans several lines; the adapter holds one statement";
  if (keyword === "using" && /\bawait\b/.test(release)) return "the release is awaited, but the lock is released synchronously; `using` cannot await it";
  const member = keyword === "await using" ? "async [Symbol.asyncDispose]()" : "[Symbol.dispose]()";
  let name = `_${bound}Scope`;
  for (let n = 2; new RegExp(`(?<![\\w$])${name.replace(/\$/g, "\\$")}(?![\\w$])`).test(ownerText); n++) name = `_${bound}Scope${n}`;
  const statement = `${keyword} ${name} = { ${member} { ${release} } };`;
  // After a line comment that ends the declaration's line, so the comment stays with the declaration.
  const end = declaration.range[1];
  const lineEnd = lineEndWithBreak(sourceText, end);
  const rest = sourceText.slice(end, lineEnd).replace(/\r?\n$/, "");
  const at = /^\s*(\/\/.*)?$/.test(rest) ? end + rest.length : end;
  return { range: [at, at], text: `\n${indentAt(sourceText, declaration.range[0])}${statement}`, movesWithRegion: true };
}

/** Removes the release from the `finally`, then drops an empty `finally` and unwraps a `try` that is left with nothing to do. */
function rewriteTry(tryStatement: TSESTree.TryStatement, release: Node, sourceText: string, carriesComments = false): TextEdit[] | string {
  const finalizer = tryStatement.finalizer!;
  // Comments between `finally {` and the release travel with it when the release moves (see leadingComments).
  const kept: readonly [number, number] = carriesComments && finalizer.body[0] === release ? [finalizer.range[0] + 1, release.range[1]] : release.range;
  if (finalizer.body.length > 1 || tryStatement.handler) {
    const removal = removeStatement(sourceText, release);
    if (typeof removal === "string") return removal;
    if (finalizer.body.length > 1) return [removal];
    // Only a catch remains: drop `finally { … }`.
    if (hasComment(sourceText, [tryStatement.handler!.range[1], tryStatement.range[1]], kept)) return "a comment in the `finally` would be lost";
    return [{ range: [tryStatement.handler!.range[1], tryStatement.range[1]], text: "" }];
  }
  // try { body } finally { release }  →  body
  const firstInBlock = tryStatement.block.body[0];
  const lastInBlock = tryStatement.block.body[tryStatement.block.body.length - 1];
  if (firstInBlock && lastInBlock) {
    if (hasComment(sourceText, [lastInBlock.range[1], tryStatement.range[1]], kept))
      return "a comment at the end of the `try` or in its `finally` would be lost";
    if (hasComment(sourceText, [tryStatement.range[0], firstInBlock.range[0]], [0, 0])) return "a comment at the start of the `try` would be lost";
  }
  const tryIndent = indentAt(sourceText, tryStatement.range[0]);
  const block = tryStatement.block;
  const bodyIndent = block.body.length > 0 ? indentAt(sourceText, block.body[0]!.range[0]) : tryIndent + "  ";
  const unit = bodyIndent.startsWith(tryIndent) && bodyIndent.length > tryIndent.length ? bodyIndent.slice(tryIndent.length) : "";
  const innerEnd = block.range[1] - 1;
  const isProtected = protectedOffsets(block);
  const edits: TextEdit[] = [];
  // Replace `try {` + leading line break + first indent … and `}` + `finally {…}` by nothing, dedenting the lines between.
  const firstStatement = block.body[0];
  const lastStatement = block.body[block.body.length - 1];
  if (!firstStatement || !lastStatement) return [{ range: [tryStatement.range[0], tryStatement.range[1]], text: "" }];
  edits.push({ range: [tryStatement.range[0], firstStatement.range[0]], text: "" });
  edits.push({ range: [lastStatement.range[1], tryStatement.range[1]], text: "" });
  // Dedent every line start between the first and the last statement.
  if (unit.length > 0) {
    let offset = sourceText.indexOf("\n", firstStatement.range[0]);
    while (offset !== -1 && offset < lastStatement.range[1]) {
      const start = offset + 1;
      if (sourceText.startsWith(unit, start) && start < innerEnd && !isProtected(start)) edits.push({ range: [start, start + unit.length], text: "" });
      offset = sourceText.indexOf("\n", start);
    }
  }
  return edits;
}

/** Removes a statement and its line when it stands alone on the line; refuses to drop a comment. */
function removeStatement(sourceText: string, statement: Node): TextEdit | string {
  const start = lineStart(sourceText, statement.range[0]);
  const end = lineEndWithBreak(sourceText, statement.range[1]);
  const before = sourceText.slice(start, statement.range[0]);
  const after = sourceText.slice(statement.range[1], end);
  if (/\/\/|\/\*/.test(sourceText.slice(statement.range[0], statement.range[1]) + after)) {
    return `a comment on line ${statement.loc.start.line} would be lost`;
  }
  if (before.trim() === "" && after.trim() === "") return { range: [start, end], text: "" };
  return { range: [statement.range[0], statement.range[1]], text: "" };
}

/**
 * Applies the region's edits and wraps it in `{ … }`, one indentation level deeper (template literal text untouched);
 * with `finallyRelease`, in `try { … } finally { <finallyRelease> }`.
 */
function wrapRegion(
  region: Region,
  edits: readonly TextEdit[],
  sourceText: string,
  finallyRelease?: string | { catchRelease: string; param: string },
  declarationsBefore: readonly string[] = [],
): TextEdit[] {
  const first = region.block.body[region.first]!;
  const last = region.block.body[region.last]!;
  const start = first.range[0];
  const end = last.range[1];
  const firstLine = lineStart(sourceText, start);
  // Edits before the region (the `let` of the `let` form) pass through; an edit that removes
  // the region's first line starts at its indentation: clip it to the statement.
  const outside = edits.filter((edit) => edit.range[1] <= firstLine);
  const clipped = edits
    .filter((edit) => !outside.includes(edit))
    .map((edit) => (edit.range[0] < start && edit.range[0] >= firstLine ? { range: [start, edit.range[1]] as const, text: edit.text } : edit));
  const regionEnd = Math.max(end, ...clipped.map((edit) => edit.range[1]));
  if (clipped.some((edit) => edit.range[0] < start || edit.range[1] > regionEnd)) throw new Error("region edits escape the region");
  const unit = indentUnit(region.block, sourceText);
  const isProtected = protectedOffsets(...region.block.body.slice(region.first, region.last + 1));
  const indentation: TextEdit[] = [];
  for (let offset = sourceText.indexOf("\n", start); offset !== -1 && offset + 1 < regionEnd; offset = sourceText.indexOf("\n", offset + 1)) {
    const at = offset + 1;
    const lineEnd = sourceText.indexOf("\n", at);
    const blank = sourceText.slice(at, lineEnd === -1 ? undefined : lineEnd).trim() === "";
    // A line that an edit removes (or cuts through) gets no indentation; a dedent at its start still does.
    const touched = clipped.some(
      (edit) => (edit.range[0] < at && at < edit.range[1]) || (edit.range[0] === at && sourceText.slice(edit.range[0], edit.range[1]).includes("\n")),
    );
    if (!blank && !touched && !isProtected(at)) indentation.push({ range: [at, at], text: unit });
  }
  // Lines inserted inside the region (the handle adapter after its declaration) move in with it.
  const inserted = clipped.map((edit) => (edit.movesWithRegion ? { ...edit, text: edit.text.replace(/\n/g, `\n${unit}`) } : edit));
  const local = [...indentation, ...inserted].map((edit) => ({ range: [edit.range[0] - start, edit.range[1] - start] as const, text: edit.text }));
  const text = applyEdits(sourceText.slice(start, regionEnd), local).replace(/\s+$/, "");
  const baseIndent = indentAt(sourceText, start);
  const trailing = regionEnd > end ? "\n" : "";
  const open = finallyRelease === undefined ? "{" : "try {";
  const close =
    finallyRelease === undefined
      ? "}"
      : typeof finallyRelease === "string"
        ? `} finally {\n${baseIndent}${unit}${finallyRelease.split("\n").join(`\n${baseIndent}${unit}`)}\n${baseIndent}}`
        : `} catch (${finallyRelease.param}) {\n${baseIndent}${unit}${finallyRelease.catchRelease.split("\n").join(`\n${baseIndent}${unit}`)}\n${baseIndent}${unit}throw ${finallyRelease.param};\n${baseIndent}}`;
  // Hoisted declarations (`let kept: string[];`) go on their own lines before the wrapped region.
  const before = declarationsBefore.map((line) => `${line}\n${baseIndent}`).join("");
  return [...outside, { range: [start, regionEnd], text: `${before}${open}\n${baseIndent}${unit}${text}\n${baseIndent}${close}${trailing}` }];
}

/** The file's indentation step, read from the block: its first statement's indent minus the block's own. */
function indentUnit(block: TSESTree.BlockStatement | TSESTree.Program, sourceText: string): string {
  const firstStatement = block.body[0];
  if (firstStatement && block.type === AST_NODE_TYPES.BlockStatement) {
    const inner = indentAt(sourceText, firstStatement.range[0]);
    const outer = indentAt(sourceText, block.range[0]);
    if (inner.startsWith(outer) && inner.length > outer.length) return inner.slice(outer.length);
  }
  const match = /\n( +|\t)[^\s*]/.exec(sourceText);
  if (!match) return "  ";
  return match[1]!.startsWith("\t") ? "\t" : match[1]!.length % 4 === 0 ? "    " : "  ";
}

/** Offsets inside multi-line template literals: their line starts are program text, never re-indented. */
function protectedOffsets(...roots: Node[]): (offset: number) => boolean {
  const ranges: [number, number][] = [];
  for (const root of roots) {
    walk(root, (node) => {
      if (node.type === AST_NODE_TYPES.TemplateLiteral && node.loc.start.line !== node.loc.end.line) ranges.push([node.range[0], node.range[1]]);
      return undefined;
    });
  }
  return (offset) => ranges.some(([from, to]) => offset > from && offset < to);
}

// ------------------------------------------------------------------ helpers

function isCalleeOrDeclaration(node: Node): boolean {
  const parent = node.parent;
  if (!parent) return false;
  if (parent.type === AST_NODE_TYPES.CallExpression && parent.callee === node) return true;
  // `lock.release` / `{ release: … }`: a property name, not a reference to the binding.
  if (parent.type === AST_NODE_TYPES.MemberExpression && parent.property === node && !parent.computed) return true;
  if (parent.type === AST_NODE_TYPES.ChainExpression) return isCalleeOrDeclaration(parent);
  if (parent.type === AST_NODE_TYPES.VariableDeclarator && parent.id === node) return true;
  if (parent.type === AST_NODE_TYPES.AssignmentExpression && parent.left === node) return true;
  // `release?.()` / `if (release)` / `typeof release === "function"` guard the call itself.
  if (parent.type === AST_NODE_TYPES.IfStatement && parent.test === node) return true;
  if (parent.type === AST_NODE_TYPES.UnaryExpression && parent.operator === "typeof") return true;
  if (parent.type === AST_NODE_TYPES.LogicalExpression && parent.left === node) return true;
  if (parent.type === AST_NODE_TYPES.ArrayPattern || parent.type === AST_NODE_TYPES.Property) return true;
  return false;
}

function isPureReturn(statement: Node): boolean {
  return statement.type === AST_NODE_TYPES.ReturnStatement && (statement.argument === null || isPure(statement.argument));
}

function isPure(node: Node): boolean {
  const inner = unwrap(node);
  switch (inner.type) {
    case AST_NODE_TYPES.Identifier:
    case AST_NODE_TYPES.Literal:
    case AST_NODE_TYPES.ThisExpression:
      return true;
    case AST_NODE_TYPES.TemplateLiteral:
      return inner.expressions.every(isPure);
    case AST_NODE_TYPES.ArrayExpression:
      return inner.elements.every((e) => e === null || (e.type !== AST_NODE_TYPES.SpreadElement && isPure(e)));
    case AST_NODE_TYPES.ObjectExpression:
      return inner.properties.every((p) => p.type === AST_NODE_TYPES.Property && !p.computed && isPure(p.value));
    case AST_NODE_TYPES.UnaryExpression:
      return inner.operator !== "delete" && isPure(inner.argument);
    case AST_NODE_TYPES.NewExpression:
      // `throw new Error("…")` with plain arguments: building an error is not work under the lock.
      return (
        inner.callee.type === AST_NODE_TYPES.Identifier &&
        inner.callee.name.endsWith("Error") &&
        inner.arguments.every((a) => a.type !== AST_NODE_TYPES.SpreadElement && isPure(a))
      );
    default:
      return false;
  }
}

function manual(reason: string): RewritePlan {
  return { kind: "manual", reason };
}

function untrackedReason(site: AcquisitionSite): string {
  switch (site.form.kind) {
    case "discarded":
      return "the acquisition's handle is discarded; the codemod cannot tell where the lock should be released";
    case "grouped":
      return "the lock is acquired inside `Promise.all` together with other promises; acquire the locks one at a time (each with `using`) or with `Promise.allSettled`";
    case "untracked":
      return site.form.reason;
    default:
      return "nothing to rewrite";
  }
}

function topStatementOf(node: Node, block: Node): Node | undefined {
  let current: Node | undefined = node;
  while (current && current.parent !== block) current = current.parent;
  return current;
}

function within(node: Node, start: number, end: number): boolean {
  return node.range[0] >= start && node.range[1] <= end;
}

function isReassigned(name: string, block: Node, except: Node): boolean {
  let reassigned = false;
  walk(block, (node) => {
    if (node === except) return undefined;
    if (node.type === AST_NODE_TYPES.AssignmentExpression && node.left.type === AST_NODE_TYPES.Identifier && node.left.name === name) reassigned = true;
    if (node.type === AST_NODE_TYPES.UpdateExpression && node.argument.type === AST_NODE_TYPES.Identifier && node.argument.name === name) reassigned = true;
    return undefined;
  });
  return reassigned;
}

function usedOutside(name: string, block: TSESTree.BlockStatement | TSESTree.Program, inside: readonly Node[]): boolean {
  return block.body.some((statement) => !inside.includes(statement) && usesNames([statement], new Set([name])));
}

function usesNames(statements: readonly Node[], names: ReadonlySet<string>): boolean {
  let found = false;
  for (const statement of statements) {
    walk(statement, (node) => {
      if (node.type === AST_NODE_TYPES.Identifier && names.has(node.name)) found = true;
      return undefined;
    });
  }
  return found;
}

/** The names a binding pattern declares (not its keys, defaults or computed keys). */
function patternNames(pattern: Node): string[] {
  switch (pattern.type) {
    case AST_NODE_TYPES.Identifier:
      return [pattern.name];
    case AST_NODE_TYPES.ObjectPattern:
      return pattern.properties.flatMap((property) => patternNames(property.type === AST_NODE_TYPES.Property ? property.value : property));
    case AST_NODE_TYPES.ArrayPattern:
      return pattern.elements.flatMap((element) => (element ? patternNames(element) : []));
    case AST_NODE_TYPES.AssignmentPattern:
      return patternNames(pattern.left);
    case AST_NODE_TYPES.RestElement:
      return patternNames(pattern.argument);
    default:
      return [];
  }
}

/**
 * The `if` directly in `block` (after the acquisition) whose branch ends with this release:
 * `if (…) { …; release } else { …; release }`, else-if chains included.
 */
function branchingIfOf(release: Node, block: Node, declIndex: number): TSESTree.IfStatement | undefined {
  const container = parentOf(release);
  if (container?.type !== AST_NODE_TYPES.BlockStatement || container.body[container.body.length - 1] !== release) return undefined;
  let branch: Node = container;
  let parent = parentOf(container);
  if (parent?.type !== AST_NODE_TYPES.IfStatement) return undefined;
  while (parent?.type === AST_NODE_TYPES.IfStatement) {
    if (parent.consequent !== branch && parent.alternate !== branch) return undefined;
    if (parent.parent === block) {
      const index = (block as TSESTree.BlockStatement).body.indexOf(parent);
      return index > declIndex ? parent : undefined;
    }
    branch = parent;
    parent = parentOf(parent);
  }
  return undefined;
}

/** Every branch of the chain ends with one of `releases` or leaves (return/throw); undefined when so. */
function branchesProblem(ifStatement: TSESTree.IfStatement, releases: ReadonlySet<Node>): string | undefined {
  const check = (branch: Node | null): string | undefined => {
    if (!branch)
      return `the \`if\` on line ${ifStatement.loc.start.line} releases the lock in some branches only (no \`else\`); the codemod cannot tell where the locked region ends`;
    if (branch.type === AST_NODE_TYPES.IfStatement) return check(branch.consequent) ?? check(branch.alternate);
    const last = branch.type === AST_NODE_TYPES.BlockStatement ? branch.body[branch.body.length - 1] : branch;
    if (last && (releases.has(last) || last.type === AST_NODE_TYPES.ReturnStatement || last.type === AST_NODE_TYPES.ThrowStatement)) return undefined;
    return `a branch of the \`if\` on line ${ifStatement.loc.start.line} neither releases the lock at its end nor leaves; the codemod cannot tell where the locked region ends`;
  };
  return check(ifStatement);
}

function declaredNames(statements: readonly Node[], bound: string): Set<string> {
  const declared = new Set<string>([bound]);
  for (const statement of statements) {
    if (statement.type === AST_NODE_TYPES.VariableDeclaration) {
      for (const d of statement.declarations) {
        walk(d.id, (n) => {
          if (n.type === AST_NODE_TYPES.Identifier) declared.add(n.name);
          return undefined;
        });
      }
    }
    if ((statement.type === AST_NODE_TYPES.FunctionDeclaration || statement.type === AST_NODE_TYPES.ClassDeclaration) && statement.id)
      declared.add(statement.id.name);
  }
  return declared;
}

/** Is there a comment in `outer` outside `except`? */
/** `// if the runner was created by us then release it` above the release, first in its `finally`: the lines, trimmed. */
function leadingComments(release: Node, sourceText: string): string | undefined {
  const finalizer = parentOf(release);
  if (
    finalizer?.type !== AST_NODE_TYPES.BlockStatement ||
    finalizer.parent.type !== AST_NODE_TYPES.TryStatement ||
    finalizer.parent.finalizer !== finalizer ||
    finalizer.body[0] !== release
  )
    return undefined;
  const text = sourceText.slice(finalizer.range[0] + 1, release.range[0]).trim();
  return text === ""
    ? undefined
    : text
        .split("\n")
        .map((line) => line.trim())
        .join("\n");
}

function hasComment(sourceText: string, outer: readonly [number, number], except: readonly [number, number]): boolean {
  const text =
    except[1] > except[0] && except[0] >= outer[0] && except[1] <= outer[1]
      ? sourceText.slice(outer[0], except[0]) + sourceText.slice(except[1], outer[1])
      : sourceText.slice(outer[0], outer[1]);
  return /\/\/|\/\*/.test(text);
}
