import type { TSESTree } from "@typescript-eslint/utils";
import { AST_NODE_TYPES, isFunctionNode, unwrap, walk, type Node } from "../ast/nodes.js";

/**
 * What a block does with plain names (is `x` called or used as an object, which declarators hold functions), answered
 * by name and source range from either the block walk (codemod) or the scope manager's references (rule), identically
 * (test/name-usage.test.ts). Why two sources: docs/design.md, "core/analysis/name-usage.ts".
 */
export interface NameUsage {
  /** How `name` is used inside `block`: only called → "function", only as an object → "handle". */
  style(name: string, block: Node): "handle" | "function" | "both" | undefined;
  /** Variable declarators inside `block` (nested functions included) whose value is a function, in source order. */
  functionDeclarators(block: Node): readonly FunctionDeclarator[];
  /**
   * Could any of `names` be referred to inside `block` (from offset `from` on, when given)? Never
   * false when the code refers to one. The walk also says true for a property key or member name
   * spelled the same, and looks at the whole block (it does not tell references from names, nor
   * keep positions): a caller may only use a false to skip work, never to decide.
   */
  mayMentionAny(names: readonly string[], block: Node, from?: number): boolean;
}

export type FunctionDeclarator = TSESTree.VariableDeclarator & {
  readonly id: TSESTree.Identifier;
  readonly init: TSESTree.ArrowFunctionExpression | TSESTree.FunctionExpression;
};

function styleOf(called: boolean, member: boolean): "handle" | "function" | "both" | undefined {
  if (called && !member) return "function";
  if (member && !called) return "handle";
  return called ? "both" : undefined;
}

function isFunctionDeclarator(node: Node): node is FunctionDeclarator {
  return (
    node.type === AST_NODE_TYPES.VariableDeclarator &&
    node.id.type === AST_NODE_TYPES.Identifier &&
    (node.init?.type === AST_NODE_TYPES.ArrowFunctionExpression || node.init?.type === AST_NODE_TYPES.FunctionExpression)
  );
}

// ------------------------------------------------------------------ by walking the block

interface BlockUsage {
  readonly called: ReadonlySet<string>;
  readonly memberObjects: ReadonlySet<string>;
  /** Every identifier name in the block (references, keys, member names alike). */
  readonly identifiers: ReadonlySet<string>;
  readonly functionDeclarators: readonly FunctionDeclarator[];
}

/**
 * Subtrees that hold types only: no code there ever runs. TypeScript rejects calls in them (a
 * parameter default inside a signature type is error TS2371), but the parser accepts them and
 * the scope manager makes no references for them, so the walk skips them to answer the same.
 * (A block inside such a type — code that cannot compile — is the one place the two may differ.)
 */
const TYPE_ONLY: ReadonlySet<string> = new Set([
  AST_NODE_TYPES.TSTypeAnnotation,
  AST_NODE_TYPES.TSTypeParameterInstantiation,
  AST_NODE_TYPES.TSTypeParameterDeclaration,
  AST_NODE_TYPES.TSTypeAliasDeclaration,
  AST_NODE_TYPES.TSInterfaceDeclaration,
]);

const blockUsageCache = new WeakMap<Node, BlockUsage>();

function blockUsage(block: Node): BlockUsage {
  let usage = blockUsageCache.get(block);
  if (usage) return usage;
  const called = new Set<string>();
  const memberObjects = new Set<string>();
  const identifiers = new Set<string>();
  const functionDeclarators: FunctionDeclarator[] = [];
  walk(block, (node) => {
    if (TYPE_ONLY.has(node.type)) return "skip";
    if (node.type === AST_NODE_TYPES.Identifier) {
      identifiers.add(node.name);
    } else if (node.type === AST_NODE_TYPES.CallExpression) {
      const callee = unwrap(node.callee);
      if (callee.type === AST_NODE_TYPES.Identifier) called.add(callee.name);
    } else if (node.type === AST_NODE_TYPES.MemberExpression) {
      const object = unwrap(node.object);
      if (object.type === AST_NODE_TYPES.Identifier) memberObjects.add(object.name);
    } else if (isFunctionDeclarator(node)) {
      functionDeclarators.push(node);
    }
    return undefined;
  });
  usage = { called, memberObjects, identifiers, functionDeclarators };
  blockUsageCache.set(block, usage);
  return usage;
}

/** One pass over a block, shared by every acquisition bound in it. */
export const walkNameUsage: NameUsage = {
  style(name, block) {
    const usage = blockUsage(block);
    return styleOf(usage.called.has(name), usage.memberObjects.has(name));
  },
  functionDeclarators(block) {
    return blockUsage(block).functionDeclarators;
  },
  mayMentionAny(names, block) {
    const identifiers = blockUsage(block).identifiers;
    for (let i = 0; i < names.length; i++) if (identifiers.has(names[i]!)) return true;
    return false;
  },
};

// ------------------------------------------------------ from the scope manager's references

/** The part of an ESLint scope (and scope manager) this reads: ESLint's and typescript-eslint's both fit. */
export interface ScopeLike {
  readonly type: string;
  readonly block: Node | { readonly type: string };
  readonly references: readonly { readonly identifier: Node | { readonly type: string } }[];
  readonly childScopes: readonly ScopeLike[];
}

/** A node from either scope manager is of this type: ESLint's are typed as ESTree's, `type` a plain string (the same strings). */
function isNodeOfType<T extends AST_NODE_TYPES>(node: { readonly type: string }, type: T): node is Extract<Node, { type: T }> {
  return node.type === (type as string);
}

export interface ScopeManagerLike {
  readonly scopes: readonly ScopeLike[];
  /** The scope a node creates (a block, a function), or null. */
  acquire?(node: never): ScopeLike | null;
}

/** Start offsets of one name's references: all of them, as a callee (`name(…)`) and as an object (`name.m`). */
interface UsesOfName {
  readonly all: number[];
  readonly called: number[];
  readonly memberObjects: number[];
}

/**
 * Name usage answered from the scope manager, read on first use and only as far as asked
 * (files without an acquisition never pay; a question about `lock` reads the references
 * named `lock`, nothing else). `getScopeManager` returns null when the parser gave none: the
 * block walk answers then.
 */
export function referenceNameUsage(getScopeManager: () => ScopeManagerLike | null | undefined): NameUsage {
  let manager: ScopeManagerLike | null | undefined;
  const managerOf = (): ScopeManagerLike | null => (manager === undefined ? (manager = getScopeManager() ?? null) : manager);
  const usesByName = new Map<string, UsesOfName>();
  let declarators: readonly FunctionDeclarator[] | undefined;
  const usesOfName = (manager: ScopeManagerLike, name: string): UsesOfName => {
    let uses = usesByName.get(name);
    if (!uses) {
      uses = usesOf(manager, name);
      usesByName.set(name, uses);
    }
    return uses;
  };
  return {
    style(name, block) {
      const found = managerOf();
      if (!found) return walkNameUsage.style(name, block);
      const [start, end] = block.range;
      const covering = coveringScope(found, block);
      if (covering) {
        let called = false;
        let member = false;
        someReferenceIn(covering, start, end, (identifier) => {
          if (identifier.name !== name) return false;
          const use = useOf(identifier);
          if (use === "called") called = true;
          else if (use === "member") member = true;
          return called && member; // both seen: nothing more to learn
        });
        return styleOf(called, member);
      }
      const uses = usesOfName(found, name);
      return styleOf(anyWithin(uses.called, start, end), anyWithin(uses.memberObjects, start, end));
    },
    mayMentionAny(names, block, from = block.range[0]) {
      const found = managerOf();
      if (!found) return walkNameUsage.mayMentionAny(names, block);
      const start = Math.max(from, block.range[0]);
      const covering = coveringScope(found, block);
      if (covering) return someReferenceIn(covering, start, block.range[1], (identifier) => names.includes(identifier.name));
      for (let i = 0; i < names.length; i++) if (anyWithin(usesOfName(found, names[i]!).all, start, block.range[1])) return true;
      return false;
    },
    functionDeclarators(block) {
      const found = managerOf();
      if (!found) return walkNameUsage.functionDeclarators(block);
      declarators ??= functionDeclaratorsOf(found);
      const [start, end] = block.range;
      const inside: FunctionDeclarator[] = [];
      for (let i = firstAtOrAfter(declarators, start); i < declarators.length && declarators[i]!.range[0] < end; i++) {
        if (declarators[i]!.range[1] <= end) inside.push(declarators[i]!);
      }
      return inside;
    },
  };
}

/** Every reference named `name` (each reference sits in exactly one scope), sorted by how it is used. */
function usesOf(manager: ScopeManagerLike, name: string): UsesOfName {
  const all: number[] = [];
  const called: number[] = [];
  const memberObjects: number[] = [];
  for (const scope of manager.scopes) {
    const references = scope.references;
    for (let i = 0; i < references.length; i++) {
      const identifier = references[i]!.identifier;
      if (!isNodeOfType(identifier, AST_NODE_TYPES.Identifier) || identifier.name !== name) continue;
      all.push(identifier.range[0]);
      const use = useOf(identifier);
      if (use === "called") called.push(identifier.range[0]);
      else if (use === "member") memberObjects.push(identifier.range[0]);
    }
  }
  return { all, called, memberObjects };
}

/**
 * The scope whose subtree holds every reference written inside `block` (with others, outside
 * its range, when it is a function's scope), so a question about the block reads only the
 * references of that function instead of the whole file's. Undefined: ask file-wide.
 * - A `{ … }` block with its own scope: the subtree holds exactly the references inside it.
 *   (Not so for every scope: a switch scope leaves out its discriminant, evaluated outside.)
 * - A function's body: the function's scope, whose subtree also holds the parameters'.
 */
function coveringScope(manager: ScopeManagerLike, block: Node): ScopeLike | undefined {
  if (block.type !== AST_NODE_TYPES.BlockStatement || !manager.acquire) return undefined;
  const own = manager.acquire(block as never);
  if (own?.type === "block" && own.block === block) return own;
  const parent = block.parent;
  if (isFunctionNode(parent) && parent.body === block) {
    const fn = manager.acquire(parent as never);
    if (fn?.type === "function" && fn.block === parent) return fn;
  }
  return undefined;
}

/** Whether `test` holds for an identifier reference of `scope` or its descendants that starts in [start, end). */
function someReferenceIn(scope: ScopeLike, start: number, end: number, test: (identifier: TSESTree.Identifier) => boolean): boolean {
  const references = scope.references;
  for (let i = 0; i < references.length; i++) {
    const identifier = references[i]!.identifier;
    if (!isNodeOfType(identifier, AST_NODE_TYPES.Identifier) || identifier.range[0] < start || identifier.range[0] >= end) continue;
    if (test(identifier)) return true;
  }
  const children = scope.childScopes;
  for (let i = 0; i < children.length; i++) if (someReferenceIn(children[i]!, start, end, test)) return true;
  return false;
}

/** How a reference is used, looking up through the wrappers `unwrap` looks through: `(x as F)()`, `x!.m`, `x?.()`. */
function useOf(identifier: TSESTree.Identifier): "called" | "member" | undefined {
  let child: Node = identifier;
  let parent: Node | undefined = child.parent;
  while (parent && isWrapperOf(parent, child)) {
    child = parent;
    parent = parent.parent;
  }
  if (parent?.type === AST_NODE_TYPES.CallExpression && parent.callee === child) return "called";
  if (parent?.type === AST_NODE_TYPES.MemberExpression && parent.object === child) return "member";
  return undefined;
}

/**
 * The file's function-valued declarators, by start offset. Each such function has its own
 * function scope whose block is the function: reading the (few) scopes is cheaper than reading
 * the variables, which in typescript-eslint include every global of the TypeScript lib.
 */
function functionDeclaratorsOf(manager: ScopeManagerLike): FunctionDeclarator[] {
  const found: FunctionDeclarator[] = [];
  for (const scope of manager.scopes) {
    // "function" only: a named function expression also has a "function-expression-name" scope on the same block.
    if (scope.type !== "function") continue;
    const block = scope.block;
    if (!isNodeOfType(block, AST_NODE_TYPES.ArrowFunctionExpression) && !isNodeOfType(block, AST_NODE_TYPES.FunctionExpression)) continue;
    const declarator = block.parent;
    if (declarator.type === AST_NODE_TYPES.VariableDeclarator && declarator.init === block && isFunctionDeclarator(declarator)) found.push(declarator);
  }
  return found.sort((a, b) => a.range[0] - b.range[0]);
}

function isWrapperOf(parent: Node, child: Node): boolean {
  switch (parent.type) {
    case AST_NODE_TYPES.TSAsExpression:
    case AST_NODE_TYPES.TSNonNullExpression:
    case AST_NODE_TYPES.TSTypeAssertion:
    case AST_NODE_TYPES.TSSatisfiesExpression:
    case AST_NODE_TYPES.ChainExpression:
      return parent.expression === child;
    default:
      return false;
  }
}

function anyWithin(offsets: readonly number[] | undefined, start: number, end: number): boolean {
  if (!offsets) return false;
  for (let i = 0; i < offsets.length; i++) if (offsets[i]! >= start && offsets[i]! < end) return true;
  return false;
}

function firstAtOrAfter(declarators: readonly FunctionDeclarator[], offset: number): number {
  let low = 0;
  let high = declarators.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (declarators[middle]!.range[0] < offset) low = middle + 1;
    else high = middle;
  }
  return low;
}
