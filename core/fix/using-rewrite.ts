import type { TSESTree } from "@typescript-eslint/utils";
import { T, unwrap, walk, type Node } from "../ast/nodes.js";
import { isReleaseCall, type HandleBinding } from "../analysis/binding.js";
import type { AcquisitionSite } from "../analysis/sites.js";
import type { Disposability } from "../types/type-facts.js";
import { dedent, indentAt, lineEndWithBreak, lineStart, type TextEdit } from "./text-edit.js";

/**
 * Plans the rewrite of one acquisition to `await using` / `using`, as text
 * edits on the original source (so untouched code stays byte-for-byte).
 * The rule offers the plan as a suggestion; the codemod applies it.
 *
 * Shapes handled:
 *  - "tryFinally": `const lock = await acquire(); try { body } finally { await lock.release(); }`
 *  - "straightLine": `const lock = await acquire(); …; await lock.release();` as the block's last statement
 * When statements follow the locked region, it is wrapped in a block so the
 * lock is released at the same point as before.
 */
export type RewritePlan =
  | { readonly kind: "rewrite"; readonly shape: "tryFinally" | "straightLine"; readonly edits: TextEdit[] }
  | { readonly kind: "manual"; readonly reason: string };

export interface PlanOptions {
  readonly sourceText: string;
  /** How the handle is disposable (from types, or made so by the provider codemod). */
  readonly disposable: Disposability;
}

export function planUsingRewrite(site: AcquisitionSite, options: PlanOptions & { mode?: string }): RewritePlan {
  const { sourceText } = options;
  const form = site.form;
  if (form.kind !== "tracked" || !form.declarator) return manual("the lock is not bound by a declaration");
  const declarator = form.declarator;
  const binding = form.binding;
  if (declarator.id.type !== T.Identifier || !binding.handleNames.has(declarator.id.name)) {
    return manual("the acquisition binds a release function, not a disposable handle");
  }
  const name = declarator.id.name;
  const declaration = declarator.parent as TSESTree.VariableDeclaration;
  if (declaration.declarations.length !== 1) return manual("the declaration declares several variables");
  if (declaration.kind === "var") return manual("`var` declarations cannot become `using`");
  const block = declaration.parent;
  if (block.type !== T.BlockStatement && block.type !== T.Program) return manual("the declaration is not directly inside a block");
  if (isReassigned(name, form.scope)) return manual(`\`${name}\` is reassigned`);

  const wantsAsync = options.disposable.async;
  const keyword = wantsAsync ? "await using" : "using";
  if (!options.disposable.async && !options.disposable.sync) return manual("the handle is not disposable");
  const owner = form.owner;
  if (wantsAsync && owner.type !== T.Program && !owner.async) return manual("`await using` needs an async function");

  const releases = releaseStatements(binding, form.scope, sourceText);
  if (releases.calls !== 1 || releases.statements.length !== 1) return manual("the lock is released in more than one place");
  const release = releases.statements[0]!;

  const index = block.body.indexOf(declaration as TSESTree.ProgramStatement & TSESTree.Statement);
  const next = block.body[index + 1];
  const keywordEdit: TextEdit = { range: [declaration.range[0], declaration.range[0] + declaration.kind.length], text: keyword };

  // Shape "tryFinally"
  if (next && next.type === T.TryStatement && !next.handler && next.finalizer && release.parent === next.finalizer) {
    if (next.finalizer.body.length !== 1) return manual("the `finally` does more than release the lock");
    if (hasComment(sourceText, next.finalizer.range, release.range)) return manual("a comment in the `finally` would be lost");
    if (hasComment(sourceText, [next.range[0], next.block.range[0]], [0, 0])) return manual("a comment before the `try` block would be lost");
    const rest = block.body.slice(index + 2);
    const inner = innerText(sourceText, next.block);
    const tryIndent = indentAt(sourceText, next.range[0]);
    const bodyIndent = next.block.body.length > 0 ? indentAt(sourceText, next.block.body[0]!.range[0]) : tryIndent + "  ";
    const unit = bodyIndent.startsWith(tryIndent) ? bodyIndent.slice(tryIndent.length) : "  ";
    if (rest.length === 0 || block.type === T.Program) {
      if (rest.length > 0 && referencesAfter(name, rest)) return manual(`\`${name}\` is used after the \`try\``);
      if (block.type === T.Program && rest.length > 0) return manual("statements follow the locked region at module level");
      return {
        kind: "rewrite",
        shape: "tryFinally",
        edits: [keywordEdit, { range: [next.range[0], next.range[1]], text: dedent(inner, unit).trimStart() }],
      };
    }
    if (referencesAfter(name, rest)) return manual(`\`${name}\` is used after the \`try\``);
    // Wrap: `{ await using lock = …; body }` keeps the release point before `rest`.
    const declText = keyword + sourceText.slice(declaration.range[0] + declaration.kind.length, declaration.range[1]);
    const between = sourceText.slice(declaration.range[1], next.range[0]);
    if (between.trim().length > 0) return manual("a comment between the acquisition and the `try` would move");
    const text = `{\n${tryIndent}${unit}${declText}\n${tryIndent}${unit}${inner.trimStart()}\n${tryIndent}}`;
    return { kind: "rewrite", shape: "tryFinally", edits: [{ range: [declaration.range[0], next.range[1]], text }] };
  }

  // Shape "straightLine": the release is a later statement of the same block.
  if (release.parent === block) {
    const releaseIndex = block.body.indexOf(release as TSESTree.ProgramStatement & TSESTree.Statement);
    const rest = block.body.slice(releaseIndex + 1);
    const removeRelease: TextEdit = removalOf(sourceText, release);
    if (rest.length === 0) return { kind: "rewrite", shape: "straightLine", edits: [keywordEdit, removeRelease] };
    if (block.type === T.Program) return manual("statements follow the release at module level");
    const locked = block.body.slice(index + 1, releaseIndex);
    if (referencesAfter(name, rest) || declaresNamesUsedIn(locked, rest)) {
      return manual("statements after the release use names declared while the lock is held");
    }
    const indentText = indentAt(sourceText, declaration.range[0]);
    const regionStart = declaration.range[0];
    const regionEnd = locked.length > 0 ? locked[locked.length - 1]!.range[1] : declaration.range[1];
    const region = keyword + sourceText.slice(declaration.range[0] + declaration.kind.length, regionEnd);
    const wrapped = `{\n${indentText}  ${region.split("\n").join("\n  ")}\n${indentText}}`;
    return {
      kind: "rewrite",
      shape: "straightLine",
      edits: [{ range: [regionStart, regionEnd], text: wrapped }, removeRelease],
    };
  }
  return manual("the release is not in a shape that `using` expresses");
}

function manual(reason: string): RewritePlan {
  return { kind: "manual", reason };
}

/** Release statements (expression statements whose value is a release call) and the total number of release calls. */
function releaseStatements(binding: HandleBinding, scope: Node, sourceText: string): { calls: number; statements: Node[] } {
  let calls = 0;
  const statements: Node[] = [];
  walk(scope, (node) => {
    if (node.type === T.CallExpression && isReleaseCall(binding, node, sourceText)) calls++;
    if (node.type === T.ExpressionStatement) {
      const value = unwrap(node.expression);
      const call = value.type === T.AwaitExpression ? unwrap(value.argument) : value;
      if (call.type === T.CallExpression && isReleaseCall(binding, call, sourceText)) statements.push(node);
    }
    return undefined;
  });
  return { calls, statements };
}

function isReassigned(name: string, scope: Node): boolean {
  let reassigned = false;
  walk(scope, (node) => {
    if (node.type === T.AssignmentExpression && node.left.type === T.Identifier && node.left.name === name) reassigned = true;
    if (node.type === T.UpdateExpression && node.argument.type === T.Identifier && node.argument.name === name) reassigned = true;
    return undefined;
  });
  return reassigned;
}

function referencesAfter(name: string, statements: readonly Node[]): boolean {
  let found = false;
  for (const statement of statements) {
    walk(statement, (node) => {
      if (node.type === T.Identifier && node.name === name) found = true;
      return undefined;
    });
  }
  return found;
}

function declaresNamesUsedIn(locked: readonly Node[], rest: readonly Node[]): boolean {
  const declared = new Set<string>();
  for (const statement of locked) {
    if (statement.type === T.VariableDeclaration) {
      for (const d of statement.declarations) walk(d.id, (n) => (n.type === T.Identifier ? void declared.add(n.name) : undefined));
    }
    if ((statement.type === T.FunctionDeclaration || statement.type === T.ClassDeclaration) && statement.id) declared.add(statement.id.name);
  }
  return [...declared].some((name) => referencesAfter(name, rest));
}

function innerText(sourceText: string, block: TSESTree.BlockStatement): string {
  return sourceText.slice(block.range[0] + 1, block.range[1] - 1).replace(/^[ \t]*\n/, "").replace(/\s+$/, "");
}

/** Removes a whole statement line (with its line break) when it stands alone on its line. */
function removalOf(sourceText: string, statement: Node): TextEdit {
  const start = lineStart(sourceText, statement.range[0]);
  const end = lineEndWithBreak(sourceText, statement.range[1]);
  const before = sourceText.slice(start, statement.range[0]);
  const after = sourceText.slice(statement.range[1], end);
  if (before.trim() === "" && after.trim() === "") return { range: [start, end], text: "" };
  return { range: [statement.range[0], statement.range[1]], text: "" };
}

/** Is there a comment in `outer` outside `except`? (Cheap textual check: `//` or `/*` outside strings is rare enough.) */
function hasComment(sourceText: string, outer: readonly [number, number], except: readonly [number, number]): boolean {
  const text = sourceText.slice(outer[0], except[0]) + sourceText.slice(except[1], outer[1]);
  return /\/\/|\/\*/.test(text);
}
