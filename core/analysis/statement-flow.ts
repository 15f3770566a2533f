import type { TSESTree } from "@typescript-eslint/utils";
import { T, type Node } from "../ast/nodes.js";
import { guardOf, type EffectContext } from "./effects.js";

/**
 * Statement-level facts the interpreter's shortcuts (`release-in-finally.ts`,
 * `straight-line.ts`) rest on: which statement acquires, what follows it,
 * and whether the interpreter reaches it at all. Conservative: "don't know" is
 * `undefined` / `false`, and the interpreter then decides.
 */

/** The statement that acquires, when the acquisition is its last event; undefined otherwise. */
export function acquiringStatement(acquireAt: Node | undefined): Node | undefined {
  if (!acquireAt) return undefined;
  if (acquireAt.type === T.VariableDeclarator) {
    const declaration = acquireAt.parent;
    return declaration.declarations.length === 1 ? declaration : undefined;
  }
  // `await m.acquire();` or `lock = await acquire();`: the acquisition ends the statement.
  const parent = acquireAt.parent;
  return parent?.type === T.ExpressionStatement && parent.expression === acquireAt ? parent : undefined;
}

/** The statement after `statement` in its block, if it is in a block's statement list. */
export function nextStatement(statement: Node): Node | undefined {
  const block = statement.parent;
  if (!block || (block.type !== T.BlockStatement && block.type !== T.Program && block.type !== T.StaticBlock)) return undefined;
  const body = block.body as readonly Node[];
  const at = body.indexOf(statement);
  return at === -1 ? undefined : body[at + 1];
}

/** The first `using` / `await using` declaration of a block: leaving the block disposes it, and a disposal can throw. */
export function firstUsingDeclaration(statements: readonly Node[]): TSESTree.VariableDeclaration | undefined {
  for (let i = 0; i < statements.length; i++) {
    const statement = statements[i]!;
    if (statement.type === T.VariableDeclaration && (statement.kind === "using" || statement.kind === "await using")) return statement;
  }
  return undefined;
}

/** A loop test the interpreter takes as always true (so only `break` leaves the loop): none (`for (;;)`) or `true`. */
export function isAlwaysTrue(test: Node | null): boolean {
  return test === null || (test.type === T.Literal && test.value === true);
}

/**
 * Whether the interpreter, starting at the owner's body, reaches `statement` on some path.
 * Paths end only at `return`/`throw`/`break`/`continue`, at loops that never exit, at
 * `process.exit()` (the caller rules that out by `mayExitProcess`) and on the side of a guard
 * of the tracked lock that cannot hold (`if (lock)` before the acquisition). So: every statement
 * before it, at every level up to the body, is one that always lets paths through
 * (expressions, declarations, an `if` without `else`), and it is not behind a guard, a `catch`,
 * a `finally` or a `case`.
 */
export function reachedFromEntry(statement: Node, ownerBody: Node, effects: EffectContext): boolean {
  let current = statement;
  while (current !== ownerBody) {
    const parent = current.parent;
    if (!parent) return false;
    switch (parent.type) {
      case T.BlockStatement:
      case T.Program:
        for (const sibling of parent.body as readonly Node[]) {
          if (sibling === current) break;
          if (!letsPathsThrough(sibling, effects)) return false;
        }
        break;
      case T.IfStatement:
        if (current === parent.test || guardOf(effects, parent.test) !== undefined) return false;
        break;
      case T.ForStatement:
      case T.ForInStatement:
      case T.ForOfStatement:
      case T.WhileStatement:
      case T.DoWhileStatement:
        // The interpreter enters a loop body on the first round whatever the test says.
        if (current !== parent.body) return false;
        break;
      case T.TryStatement:
        if (current !== parent.block) return false;
        break;
      case T.LabeledStatement:
        break;
      default:
        // `case` clauses, class static blocks (never interpreted), export wrappers…
        return false;
    }
    current = parent;
  }
  return true;
}

/** Statements the interpreter always completes normally on some path (given no `process.exit()`). */
function letsPathsThrough(statement: Node, effects: EffectContext): boolean {
  switch (statement.type) {
    case T.IfStatement:
      // `if (!file) return;`: the paths where the test is false go on (unless it is a guard of the lock).
      return statement.alternate === null && guardOf(effects, statement.test) === undefined;
    case T.ExpressionStatement:
    case T.VariableDeclaration:
    case T.EmptyStatement:
    case T.FunctionDeclaration:
    case T.ClassDeclaration:
    case T.TSTypeAliasDeclaration:
    case T.TSInterfaceDeclaration:
      return true;
    default:
      return false;
  }
}

/**
 * Could code in `[start, end)` of the source end the process (`process.exit()`,
 * `globalThis.process.abort()`)? By text: no `process` there (and no `\u` escape that could
 * spell it) means no exit call there. Cheaper than asking the scope manager, and only ever
 * over-cautious. The file is scanned once for both texts; each question is a binary search.
 */
export function mayExitProcess(sourceText: string, start: number, end: number): boolean {
  const offsets = exitSpellingsIn(sourceText);
  let low = 0;
  let high = offsets.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (offsets[middle]! < start) low = middle + 1;
    else high = middle;
  }
  return low < offsets.length && offsets[low]! < end;
}

/** The last file asked about and where `process` or `\u` occur in it, in order (rules lint one file at a time). */
let scannedText: string | undefined;
let scannedOffsets: readonly number[] = [];

function exitSpellingsIn(sourceText: string): readonly number[] {
  if (sourceText === scannedText) return scannedOffsets;
  const offsets: number[] = [];
  for (const text of ["process", "\\u"]) {
    for (let at = sourceText.indexOf(text); at !== -1; at = sourceText.indexOf(text, at + 1)) offsets.push(at);
  }
  offsets.sort((a, b) => a - b);
  scannedText = sourceText;
  scannedOffsets = offsets;
  return offsets;
}
