import type { TSESTree } from "@typescript-eslint/utils";
import { T, walk, type FunctionNode, type Node } from "../ast/nodes.js";
import { isReleaseCall, type HandleBinding } from "./binding.js";
import type { EffectContext } from "./effects.js";
import type { NameUsage } from "./name-usage.js";
import { acquiringStatement, isAlwaysTrue, mayExitProcess, nextStatement, reachedFromEntry } from "./statement-flow.js";

/**
 * The commonest safe shapes, recognised without running the path interpreter:
 *
 *     const lock = await acquire(…);      // or `await mutex.acquire();`, `lock = await acquire(…);`
 *     try { … } finally { await lock.release(); … }
 *
 *     try { …; lock = await acquire(…); … } finally { await lock?.release(); … }
 *
 * The verdict is the interpreter's, proved for this shape (test/release-in-finally.test.ts and
 * test/shortcuts.test.ts check that both agree on the neighbouring shapes, every site of the
 * fixtures and the benchmark corpus, and thousands of random programs):
 * - the acquisition is the last event of its statement (one declarator, or the whole expression
 *   statement), and the `try` is the very next statement — or the statement is in the `try`
 *   block — so every path that holds the lock goes on in the `try`;
 * - the block that owns the binding holds the whole `try` statement (a binding declared in the
 *   `try` block ends, and leaks, before the `finally` runs — whatever the `finally` releases);
 * - the rest of the `try` block (after the acquisition) and the `catch` clause never refer to the
 *   handle, the release function, the lock's receiver, `process` or `globalThis`: nothing there
 *   can release, hand over, guard on or exit with the lock — every path leaving them still holds
 *   it and enters the `finally` (what runs before the acquisition runs without the lock);
 * - the `finally` starts with a release call whose arguments cannot throw: every path leaves it
 *   released, and after that the lock can no longer leak, be handed over or be released again
 *   (all of these need a held path).
 * So the lock is released on every path: "released". When that release is not awaited and that
 * matters (an async release in an async function), the interpreter reports it — provided some
 * path gets there: the acquiring statement is reached and completes (`reachedFromEntry`, no
 * `process` written up to its end) and no loop in the `try` block or the `catch` runs forever
 * (`while (true)`, `for (;;)`). Then the verdict is "release not awaited" at that call;
 * otherwise the interpreter decides.
 *
 * Anything else returns undefined and the interpreter decides. The name check is by name, and
 * a "may mention" that is true for a key spelled like the handle only sends more sites there.
 */
export interface ReleaseInFinallyInput {
  readonly binding: HandleBinding;
  /** Node whose completion makes the lock held. */
  readonly acquireAt: Node | undefined;
  /** The block that owns the binding: leaving it while held is a leak, so it must hold the whole `try`. */
  readonly scope: Node;
  /** The function (or program) whose body the interpreter runs. */
  readonly owner: FunctionNode | TSESTree.Program;
  readonly sourceText: string;
  readonly usage: NameUsage;
  /** Whether a release that is not awaited would be reported (async release in an async function). */
  readonly unawaitedMatters: boolean;
  /** The path analysis' view of the site (guards), asked only for a release that is not awaited. */
  readonly effects: () => EffectContext;
}

export type FinallyOutcome =
  | { readonly kind: "released" }
  | { readonly kind: "releaseNotAwaited"; readonly release: TSESTree.CallExpression };

const RELEASED: FinallyOutcome = Object.freeze({ kind: "released" });

/** Names whose mention inside the `try` could change the lock's state or end the process. */
const ALWAYS_WATCHED = ["process", "globalThis"];

/** The interpreter's verdict when the shape above proves it; undefined otherwise. */
export function releaseInFinally(input: ReleaseInFinallyInput): FinallyOutcome | undefined {
  const { binding } = input;
  if (binding.moduleRelease !== undefined || binding.successFlagNames.size > 0) return undefined;
  const statement = acquiringStatement(input.acquireAt);
  if (!statement) return undefined;
  const guarded = guardingTry(statement);
  if (!guarded) return undefined;
  const { tryStatement, block, from } = guarded;
  // `try { const lock = await acquire(); … } finally { lock?.release() }` releases another `lock`:
  // the binding's own block ends before the `finally` runs (the interpreter reports that leak).
  if (!(input.scope.range[0] <= tryStatement.range[0] && tryStatement.range[1] <= input.scope.range[1])) return undefined;

  const release = leadingRelease(tryStatement.finalizer, binding, input.sourceText);
  if (!release) return undefined;

  const watched = watchedNames(binding);
  if (!watched) return undefined;
  if (input.usage.mayMentionAny(watched, block, from)) return undefined;
  if (tryStatement.handler && input.usage.mayMentionAny(watched, tryStatement.handler.body)) return undefined;
  if (release.awaited || !input.unawaitedMatters) return RELEASED;
  return reachesFinally(input, statement, tryStatement) ? { kind: "releaseNotAwaited", release: release.call } : undefined;
}

/** Some path reaches the `finally` (so the interpreter sees its release): see the comment above. */
function reachesFinally(input: ReleaseInFinallyInput, statement: Node, tryStatement: TSESTree.TryStatement): boolean {
  const ownerBody = input.owner.type === T.Program ? input.owner : input.owner.body;
  // Up to the end of the acquiring statement: its own arguments may end the process (`acquire({ onStale: process.exit(1) })`).
  if (mayExitProcess(input.sourceText, ownerBody.range[0], statement.range[1])) return false;
  if (!reachedFromEntry(statement, ownerBody, input.effects())) return false;
  return !hasEndlessLoop(tryStatement.block) && !(tryStatement.handler && hasEndlessLoop(tryStatement.handler.body));
}

/** A `while (true)`, `do … while (true)` or `for (;;)` (the interpreter's loops that only `break` leaves). */
function hasEndlessLoop(block: Node): boolean {
  let found = false;
  walk(
    block,
    (node) => {
      if (found) return "skip";
      if ((node.type === T.WhileStatement || node.type === T.DoWhileStatement || node.type === T.ForStatement) && isAlwaysTrue(node.test)) found = true;
      return undefined;
    },
    true,
  );
  return found;
}

/**
 * The `try` every path leaves the acquiring statement into, the block whose rest runs while
 * held, and where that rest starts: the `try` right after the statement (`acquire(); try { … }`),
 * or the `try` whose block the statement is in (`try { x = acquire(); … }`: what runs before it
 * in the block runs without the lock).
 */
function guardingTry(statement: Node): { tryStatement: TSESTree.TryStatement & { finalizer: TSESTree.BlockStatement }; block: TSESTree.BlockStatement; from: number } | undefined {
  const next = nextStatement(statement);
  if (next?.type === T.TryStatement && next.finalizer) return { tryStatement: next as never, block: next.block, from: next.block.range[0] };
  const block = statement.parent;
  const parent = block?.parent;
  if (block?.type === T.BlockStatement && parent?.type === T.TryStatement && parent.block === block && parent.finalizer) {
    return { tryStatement: parent as never, block, from: statement.range[1] };
  }
  return undefined;
}

/** `lock.release();` or `await lock.release();` as the first statement, with arguments that cannot throw. */
function leadingRelease(
  finalizer: TSESTree.BlockStatement,
  binding: HandleBinding,
  sourceText: string,
): { readonly call: TSESTree.CallExpression; readonly awaited: boolean } | undefined {
  const first = finalizer.body[0];
  if (first?.type !== T.ExpressionStatement) return undefined;
  const expression = first.expression;
  const awaited = expression.type === T.AwaitExpression;
  const operand = awaited ? expression.argument : expression;
  // `lock?.release()`: the chain only skips the call when there is no handle (no lock held).
  const call = operand.type === T.ChainExpression ? operand.expression : operand;
  if (call.type !== T.CallExpression) return undefined;
  for (const argument of call.arguments) {
    if (argument.type !== T.Identifier && argument.type !== T.Literal) return undefined;
  }
  return isReleaseCall(binding, call, sourceText) ? { call, awaited } : undefined;
}

/** The handle, release-function and receiver names plus `process`; undefined when the receiver is not rooted in a name (`this.lock`). */
function watchedNames(binding: HandleBinding): string[] | undefined {
  const names = [...ALWAYS_WATCHED];
  for (const name of binding.handleNames) names.push(name);
  for (const name of binding.releaseFnNames) names.push(name);
  if (binding.receiver) {
    const root = binding.receiver.path.split(".")[0]!;
    if (root === "this") return undefined;
    names.push(root);
  }
  return names;
}
