import type { TSESTree } from "@typescript-eslint/utils";
import { T, type FunctionNode, type Node } from "../ast/nodes.js";
import { carriesHandle } from "./binding.js";
import { expressionEvents, type EffectContext, type Event } from "./effects.js";
import type { Leak } from "./paths.js";
import { acquiringStatement, firstUsingDeclaration, mayExitProcess, reachedFromEntry } from "./statement-flow.js";

/**
 * What happens right after an acquisition in straight-line code, decided without running the
 * path interpreter. Above all the shape of the bug this project exists for:
 *
 *     const lock = await acquireSessionWriteLock({ sessionFile });
 *     const entries = await readTranscript(sessionFile);   // ← can throw while held: the leak
 *     …
 *     await lock.release();
 *
 * and its neighbours: the first throw point is the test of an `if`, or in the first statements
 * of a `for…of` / `for…in` / `while` body; the first statements of a `.then((lock) => { … })`
 * callback (held on entry); a `return` that leaves with the lock (a leak) or hands it to the
 * caller (`return { lock, file }`: safe, the only transfer).
 *
 * The outcome is the interpreter's, proved for these shapes (test/straight-line.test.ts and
 * test/shortcuts.test.ts check that both agree on the neighbouring shapes, every site of the
 * fixtures and the benchmark corpus, and thousands of random programs):
 * - the acquiring statement stands in the statement list of the block that owns the binding, the
 *   acquisition is its last event, and the interpreter reaches it (`reachedFromEntry`);
 * - the statements after it, up to the one that decides, produce no event at all (a loop's
 *   iterated value and a `while` test included), and the deciding statement produces only `await`
 *   and "may throw" events: no release, hand-over, guard, branch or exit. So every path reaches
 *   it holding the lock, and each of its throw points starts a held `throw` completion that
 *   leaves the owning block — a leak; the interpreter keeps the completion whose node starts
 *   first, so the escape is the throw point that starts first in that statement;
 * - every other leak starts later in the source (further on, or at the block's end; a loop body
 *   entered again starts with the same statements), except a `process.exit()` leak, which the
 *   interpreter reports first wherever it is: there is none when no `process` is written in the
 *   function (not only in the block: a `return lock` further on leaves the block still held and
 *   runs the `finally` blocks around it); and no block from the owning one up to the body has a
 *   `using` declaration (its disposal adds throw points that start earlier).
 * A `return` right there: its value produces no event; carrying the handle, it is the one
 * transfer and the lock is safe — when the owning block is the function body (not a loop, which
 * could also skip it); otherwise the `return` is the leak.
 *
 * A leak's `transfers` (where the lock is handed over later) are not computed: callers get a
 * leak only when they do not read them (`AnalysisContext.transfersUnread`).
 */
export interface StraightLineInput {
  readonly effects: EffectContext;
  /** The block that owns the binding. */
  readonly scope: Node;
  /** The function (or program) whose body the interpreter runs. */
  readonly owner: FunctionNode | TSESTree.Program;
}

export type StraightLineOutcome =
  /** The interpreter's first leak (its `transfers` not computed). */
  | { readonly kind: "leak"; readonly leak: Leak }
  /** Handed to the caller by this `return`, with nothing else on the way: safe, this one transfer. */
  | { readonly kind: "returned"; readonly statement: TSESTree.ReturnStatement };

/** The interpreter's outcome when a shape above holds; undefined otherwise (the interpreter decides). */
export function straightLineOutcome(input: StraightLineInput): StraightLineOutcome | undefined {
  const { effects, scope, owner } = input;
  if (effects.binding.successFlagNames.size > 0) return undefined;
  if (scope.type !== T.BlockStatement && scope.type !== T.Program) return undefined;
  const ownerBody = owner.type === T.Program ? owner : owner.body;
  const statements = scope.body as readonly Node[];
  let first: number;
  if (effects.acquireAt === undefined) {
    // `.then((lock) => { … })`: held from the callback's first statement.
    if (scope !== ownerBody) return undefined;
    first = 0;
  } else {
    const statement = acquiringStatement(effects.acquireAt);
    if (!statement || statement.parent !== scope) return undefined;
    first = statements.indexOf(statement) + 1;
  }
  // The whole body: a `return lock` leaves the owning block still held, through the `finally` blocks around it.
  if (mayExitProcess(effects.sourceText, ownerBody.range[0], ownerBody.range[1])) return undefined;
  if (firstUsingDeclaration(statements) || disposesOnTheWayOut(scope, ownerBody)) return undefined;
  if (first > 0 && !reachedFromEntry(statements[first - 1]!, ownerBody, effects)) return undefined;
  return straightOn(effects, statements, first, scope === ownerBody);
}

/** Follows statements `from` on while nothing happens; the outcome of the first that does something. */
function straightOn(effects: EffectContext, statements: readonly Node[], from: number, mayReturnWithLock: boolean): StraightLineOutcome | undefined {
  for (let i = from; i < statements.length; i++) {
    const statement = statements[i]!;
    switch (statement.type) {
      case T.ReturnStatement:
        return returnOutcome(effects, statement, mayReturnWithLock);
      case T.ForOfStatement:
      case T.ForInStatement:
      case T.WhileStatement: {
        if (statement.type === T.ForOfStatement && statement.await) return undefined;
        const head = statement.type === T.WhileStatement ? statement.test : statement.right;
        if (expressionEvents(effects, head).length > 0) return undefined;
        // The first round runs the body with the lock held; what it does first decides.
        const body = statement.body;
        if (body.type !== T.BlockStatement) return straightOn(effects, [body], 0, false);
        return firstUsingDeclaration(body.body) ? undefined : straightOn(effects, body.body, 0, false);
      }
      default: {
        const events = eventsOfStraightStatement(effects, statement);
        if (events === undefined) return undefined;
        const escape = firstThrowPoint(events);
        if (escape === null) return undefined;
        if (escape !== undefined) return { kind: "leak", leak: { reason: "throw", escape, order: escape.range[0] } };
        // Past an `if` test the paths split: the interpreter decides.
        if (statement.type === T.IfStatement) return undefined;
      }
    }
  }
  return undefined;
}

function returnOutcome(effects: EffectContext, statement: TSESTree.ReturnStatement, mayReturnWithLock: boolean): StraightLineOutcome | undefined {
  const value = statement.argument;
  if (value && expressionEvents(effects, value).length > 0) return undefined;
  if (value && carriesHandle(effects.binding, value)) return mayReturnWithLock ? { kind: "returned", statement } : undefined;
  return { kind: "leak", leak: { reason: "exit", escape: statement, order: statement.range[0] } };
}

/**
 * The throw point that starts first, when the events are only "may throw" and `await`;
 * undefined when there is none (nothing happened); null when another event happens.
 */
function firstThrowPoint(events: readonly Event[]): Node | undefined | null {
  let escape: Node | undefined;
  for (let e = 0; e < events.length; e++) {
    const event = events[e]!;
    if (event.k === "throw") {
      if (escape === undefined || event.node.range[0] < escape.range[0]) escape = event.node;
    } else if (event.k !== "await") {
      return null;
    }
  }
  return escape;
}

const NO_EVENTS: readonly Event[] = Object.freeze([]);

/** The events of a statement evaluated straight through (of an `if`, its test); undefined for control flow. */
function eventsOfStraightStatement(effects: EffectContext, statement: Node): readonly Event[] | undefined {
  switch (statement.type) {
    case T.ExpressionStatement:
      return expressionEvents(effects, statement.expression);
    case T.IfStatement:
      return expressionEvents(effects, statement.test);
    case T.EmptyStatement:
      return NO_EVENTS;
    case T.VariableDeclaration: {
      const declarators = statement.declarations;
      if (declarators.length === 1) return declarators[0]!.init ? expressionEvents(effects, declarators[0]!.init) : NO_EVENTS;
      const events: Event[] = [];
      for (const declarator of declarators) if (declarator.init) events.push(...expressionEvents(effects, declarator.init));
      return events;
    }
    default:
      return undefined;
  }
}

/** Whether a block between the owning block and the body declares with `using` (its disposal would meet a `return lock`). */
function disposesOnTheWayOut(scope: Node, ownerBody: Node): boolean {
  for (let current = scope; current !== ownerBody && current.parent; ) {
    current = current.parent;
    if ((current.type === T.BlockStatement || current.type === T.Program) && firstUsingDeclaration(current.body)) return true;
  }
  return false;
}
