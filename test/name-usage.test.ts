import fs from "node:fs";
import path from "node:path";
import { parseForESLint } from "@typescript-eslint/parser";
import { simpleTraverse } from "@typescript-eslint/typescript-estree";
import { describe, expect, it } from "vitest";
import { AST_NODE_TYPES, walk, type Node } from "../core/ast/nodes.js";
import { referenceNameUsage, walkNameUsage, type NameUsage, type ScopeManagerLike } from "../core/analysis/name-usage.js";
import { generateFile, mulberry32 } from "../bench/generate.mjs";
import { listFiles } from "./helpers/markers.js";
import { exampleProject, repoRoot } from "./helpers/run.js";

/**
 * One brain: the rule reads name usage from ESLint's scope manager, the codemod walks the
 * block. Both must give the same answer for every block and every name, or the rule and the
 * codemod would bind the same acquisition differently.
 */

function parse(text: string, file: string): { ast: Node; scopeManager: ScopeManagerLike } {
  const { ast, scopeManager } = parseForESLint(text, { range: true, loc: true, sourceType: "module", filePath: file, jsx: file.endsWith("x") });
  simpleTraverse(ast, { enter() {} }, true); // parents, as ESLint sets them before rules run
  return { ast: ast as Node, scopeManager: scopeManager as unknown as ScopeManagerLike };
}

const TYPE_ONLY = new Set<string>([
  AST_NODE_TYPES.TSTypeAnnotation,
  AST_NODE_TYPES.TSTypeParameterInstantiation,
  AST_NODE_TYPES.TSTypeParameterDeclaration,
  AST_NODE_TYPES.TSTypeAliasDeclaration,
  AST_NODE_TYPES.TSInterfaceDeclaration,
]);

/**
 * Every block-like node (the scopes bindings live in) and every identifier name used in the file.
 * Blocks inside types (a function written as a parameter default in a signature type, TS2371)
 * are left out: nothing there runs, and the scope manager does not look inside.
 */
function blocksAndNames(ast: Node): { blocks: Node[]; names: string[] } {
  const blocks: Node[] = [];
  const names = new Set<string>();
  walk(ast, (node) => {
    if (TYPE_ONLY.has(node.type)) return "skip";
    if (
      node.type === AST_NODE_TYPES.Program ||
      node.type === AST_NODE_TYPES.BlockStatement ||
      node.type === AST_NODE_TYPES.StaticBlock ||
      node.type === AST_NODE_TYPES.SwitchStatement
    )
      blocks.push(node);
    if ((node.type === AST_NODE_TYPES.ArrowFunctionExpression || node.type === AST_NODE_TYPES.FunctionExpression) && node.body) blocks.push(node.body);
    if (node.type === AST_NODE_TYPES.Identifier) names.add(node.name);
    return undefined;
  });
  return { blocks, names: [...names] };
}

/** Names referred to (per the scope manager) by code inside `block`, outside types: what `mayMention` must never miss. */
function referredNames(scopeManager: ScopeManagerLike, block: Node): Set<string> {
  const referred = new Set<string>();
  const inTypes = new Set<Node>();
  walk(block, (node) => {
    if (!TYPE_ONLY.has(node.type)) return undefined;
    walk(node, (inner) => void inTypes.add(inner));
    return "skip";
  });
  for (const scope of scopeManager.scopes) {
    for (const reference of scope.references) {
      const identifier = reference.identifier as Node;
      if (identifier.type !== AST_NODE_TYPES.Identifier || inTypes.has(identifier)) continue;
      if (identifier.range[0] >= block.range[0] && identifier.range[1] <= block.range[1]) referred.add(identifier.name);
    }
  }
  return referred;
}

function disagreements(text: string, file: string): string[] {
  const { ast, scopeManager } = parse(text, file);
  const fromReferences: NameUsage = referenceNameUsage(() => scopeManager);
  const { blocks, names } = blocksAndNames(ast);
  const found: string[] = [];
  for (const block of blocks) {
    const where = `${path.basename(file)}:${block.loc.start.line} ${block.type}`;
    const referred = referredNames(scopeManager, block);
    for (const name of names) {
      const walked = walkNameUsage.style(name, block);
      const referenced = fromReferences.style(name, block);
      if (walked !== referenced) found.push(`${where}: style of ${name}: walk ${walked}, references ${referenced}`);
      // mayMention may say true too often (the walk counts keys spelled alike), never too rarely.
      if (referred.has(name) && !walkNameUsage.mayMentionAny([name], block)) found.push(`${where}: walk misses a mention of ${name}`);
      if (referred.has(name) && !fromReferences.mayMentionAny([name], block)) found.push(`${where}: references miss a mention of ${name}`);
    }
    const walkedDeclarators = walkNameUsage.functionDeclarators(block).map((d) => d.range[0]);
    const referencedDeclarators = fromReferences.functionDeclarators(block).map((d) => d.range[0]);
    if (walkedDeclarators.join() !== referencedDeclarators.join()) {
      found.push(`${where}: declarators walk [${walkedDeclarators.join()}], references [${referencedDeclarators.join()}]`);
    }
  }
  return found;
}

const TRICKY = `
import { acquireSessionWriteLock } from "./locks";
declare const mutex: { acquire(): Promise<() => void> };
enum Level { Low = pick(1) }
function pick(n: number): number { return n; }
function withDefaults(a = pick(1), b = () => lockA.x): unknown { return [a, b, pick]; } // parameters: in the function's scope, outside its body
class Holder {
  field = (release as () => void)();
  @decorate() method(): void {}
  static { lockA!.release(); }
}
export async function tricky(sessionFile: string): Promise<void> {
  const release = await mutex.acquire();
  const unlock = () => release();
  const nested = function () { const inner = () => unlock(); return inner; };
  const named = function self(): unknown { return self; }; // two scopes on one block: counted once
  const shapes = { method: () => release(), arrow: async () => 1 }, later = function* gen() {};
  (release as () => void)();
  release?.();
  lockB?.release();
  (lockC satisfies object).toString();
  <never>lockD!.x;
  {
    const release = 3; // shadows: the walk and the references both go by name
    release.toFixed();
  }
  for (const x of [1]) { const step = async () => x; await step(); }
  label: { break label; }
  const lock = await acquireSessionWriteLock({ sessionFile });
  try { arguments.length; } finally { await lock.release(); }
}
// Parameter defaults inside signature types (TS2371, but parsed): no references, so the walk skips types too.
type Signature = (a = release()) => void;
interface WithDefaults { m(a = lockA()): void; new (a = lockB.x): WithDefaults; (a = () => { const hidden = () => 1; }): void }
declare const typed: (a = lockC()) => void;
pick<(a = lockD()) => void>(1 as never);
declare function decorate(): (...args: unknown[]) => void;
declare const release: unknown, lockA: any, lockB: any, lockC: any, lockD: any;
`;

describe("name usage: scope-manager references and the block walk agree", () => {
  it("and mayMention never misses a name the code refers to, with either source", () => {
    const { ast, scopeManager } = parse(
      "function f() { lock.release(); }\nfunction g() { const o = { lock: 1 }; return o.lock; }\nfunction h(a = lock) { return a; }\n",
      "m.ts",
    );
    const [, first, second, third] = blocksAndNames(ast).blocks;
    const references = referenceNameUsage(() => scopeManager);
    expect([references.mayMentionAny(["lock"], first!), references.mayMentionAny(["x", "lock"], second!)]).toEqual([true, false]);
    // A parameter default is in the function's scope but not in its body.
    expect(references.mayMentionAny(["lock"], third!)).toBe(false);
    // The walk does not tell a key from a reference: true for both (only ever more work, never a wrong answer).
    expect([walkNameUsage.mayMentionAny(["lock"], first!), walkNameUsage.mayMentionAny(["x", "lock"], second!)]).toEqual([true, true]);
  });

  it("on constructs that wrap, shadow or nest names", () => {
    expect(disagreements(TRICKY, "tricky.ts")).toEqual([]);
  });

  it("and the comparison itself can fail: a block with a call to a name is told apart from one without", () => {
    const { ast, scopeManager } = parse("function f() { g(); }\nfunction h() { g.x; }\n", "f.ts");
    const [, first, second] = blocksAndNames(ast).blocks;
    const usage = referenceNameUsage(() => scopeManager);
    expect([usage.style("g", first!), usage.style("g", second!), usage.style("g", ast)]).toEqual(["function", "handle", "both"]);
  });

  const files = [
    ...listFiles(path.join(exampleProject, "src")),
    ...listFiles(path.join(repoRoot, "fixtures/codemod")),
    ...listFiles(path.join(repoRoot, "fixtures/rule-tester")),
  ].filter((file) => /\.(ts|tsx|js|mjs)$/.test(file));

  it.each(files.map((file) => [path.relative(repoRoot, file), file]))("on %s", (_name, file) => {
    expect(disagreements(fs.readFileSync(file, "utf8"), file)).toEqual([]);
  });

  it("on 200 generated lock-heavy files (the benchmark generator)", () => {
    const random = mulberry32(7);
    const found: string[] = [];
    for (let i = 0; i < 200; i++) found.push(...disagreements(generateFile(random, i, 8), `generated-${i}.ts`));
    expect(found).toEqual([]);
  });
});
