import { parseSource } from "../parse.js";

/**
 * `using` / `await using` declarations whose name is not read in their block. typescript-eslint's
 * and ESLint's no-unused-vars report each one unless `ignoreUsingDeclarations` is set: the
 * codemod says so once after writing (the name is what keeps the lock alive, it cannot go).
 * `exemptUnderscore`: TypeScript's noUnusedLocals exempts names that start with `_`.
 */
export function unreadUsingBindings(text: string, file: string, exemptUnderscore = false): number {
  if (!/\busing\b/.test(text)) return 0; // no `using` declaration without the word
  let program;
  try {
    program = parseSource(text, file);
  } catch {
    return 0;
  }
  let unread = 0;
  // The block a declaration belongs to: the nearest statement list on the way down (the parser sets no `parent`).
  const visit = (node: unknown, block: unknown): void => {
    if (!node || typeof node !== "object") return;
    if (Array.isArray(node)) {
      for (const child of node) visit(child, block);
      return;
    }
    const n = node as { type?: string; kind?: string; declarations?: { id: { type: string; name?: string } }[] };
    if (n.type === "VariableDeclaration" && (n.kind === "using" || n.kind === "await using")) {
      for (const declarator of n.declarations ?? []) {
        const name = declarator.id.type === "Identifier" ? declarator.id.name : undefined;
        if (name !== undefined && !(exemptUnderscore && name.startsWith("_")) && !readsName(block, name, declarator.id)) unread++;
      }
    }
    const inner = n.type === "BlockStatement" || n.type === "Program" || n.type === "SwitchCase" || n.type === "StaticBlock" ? n : block;
    for (const [key, value] of Object.entries(n)) if (key !== "parent" && key !== "loc" && key !== "range") visit(value, inner);
  };
  visit(program, program);
  return unread;
}

/** Is `name` referenced in `block` other than by `declaration` (by name: shadowing only makes it say "read")? */
function readsName(block: unknown, name: string, declaration: unknown): boolean {
  let found = false;
  const visit = (node: unknown): void => {
    if (found || !node || typeof node !== "object") return;
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    const n = node as { type?: string; name?: string };
    if (n !== declaration && n.type === "Identifier" && n.name === name) {
      found = true;
      return;
    }
    for (const [key, value] of Object.entries(n)) if (key !== "parent" && key !== "loc" && key !== "range") visit(value);
  };
  visit(block);
  return found;
}

/**
 * Does the rewrite from `before` to `after` write anything that needs the `AsyncDisposable` lib
 * (`using`, `Symbol.asyncDispose` / `Symbol.dispose` members)? The try/finally form writes none of
 * these words, so counting them is enough: `--update-tsconfig` edits the tsconfig only when it does.
 */
export function needsDisposableLib(before: string, after: string): boolean {
  const count = (text: string) => text.match(/\busing\b|\bSymbol\.(?:asyncDispose|dispose)\b/g)?.length ?? 0;
  return count(after) > count(before);
}
