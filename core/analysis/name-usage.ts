import type { TSESTree } from "@typescript-eslint/utils";
import { T, unwrap, walk, type Node } from "../ast/nodes.js";

/**
 * What a block does with plain names — the one question the binding step asks of the code
 * around an acquisition: is `x` called (`x()`) or used as an object (`x.m`) inside this block,
 * and which `const name = () => …` declarators does the block hold (release alias candidates)?
 *
 * The answer is by NAME and by source range, never by scope resolution, so two sources give the
 * same answer and the rule and the codemod stay one brain:
 * - `walkNameUsage` walks the block (the codemod, and any caller without a scope manager);
 * - `referenceNameUsage` reads the references ESLint's scope manager already holds (the rule:
 *   the parser built it, so asking costs O(references of one name) instead of a block walk).
 * test/name-usage.test.ts checks that both answer identically on every block of the corpora.
 */
export interface NameUsage {
  /** How `name` is used inside `scope`: only called → "function", only as an object → "handle". */
  style(name: string, scope: Node): "handle" | "function" | "both" | undefined;
  /** Variable declarators inside `scope` (nested functions included) whose value is a function, in source order. */
  functionDeclarators(scope: Node): readonly FunctionDeclarator[];
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
    node.type === T.VariableDeclarator &&
    node.id.type === T.Identifier &&
    (node.init?.type === T.ArrowFunctionExpression || node.init?.type === T.FunctionExpression)
  );
}

// ------------------------------------------------------------------ by walking the block

interface BlockUsage {
  readonly called: ReadonlySet<string>;
  readonly memberObjects: ReadonlySet<string>;
  readonly functionDeclarators: readonly FunctionDeclarator[];
}

/**
 * Subtrees that hold types only: no code there ever runs. TypeScript rejects calls in them (a
 * parameter default inside a signature type is error TS2371), but the parser accepts them and
 * the scope manager makes no references for them, so the walk skips them to answer the same.
 * (A block inside such a type — code that cannot compile — is the one place the two may differ.)
 */
const TYPE_ONLY: ReadonlySet<string> = new Set([
  T.TSTypeAnnotation,
  T.TSTypeParameterInstantiation,
  T.TSTypeParameterDeclaration,
  T.TSTypeAliasDeclaration,
  T.TSInterfaceDeclaration,
]);

const blockUsageCache = new WeakMap<Node, BlockUsage>();

function blockUsage(scope: Node): BlockUsage {
  let usage = blockUsageCache.get(scope);
  if (usage) return usage;
  const called = new Set<string>();
  const memberObjects = new Set<string>();
  const functionDeclarators: FunctionDeclarator[] = [];
  walk(scope, (node) => {
    if (TYPE_ONLY.has(node.type)) return "skip";
    if (node.type === T.CallExpression) {
      const callee = unwrap(node.callee);
      if (callee.type === T.Identifier) called.add(callee.name);
    } else if (node.type === T.MemberExpression) {
      const object = unwrap(node.object);
      if (object.type === T.Identifier) memberObjects.add(object.name);
    } else if (isFunctionDeclarator(node)) {
      functionDeclarators.push(node);
    }
    return undefined;
  });
  usage = { called, memberObjects, functionDeclarators };
  blockUsageCache.set(scope, usage);
  return usage;
}

/** One pass over a block, shared by every acquisition bound in it. */
export const walkNameUsage: NameUsage = {
  style(name, scope) {
    const usage = blockUsage(scope);
    return styleOf(usage.called.has(name), usage.memberObjects.has(name));
  },
  functionDeclarators(scope) {
    return blockUsage(scope).functionDeclarators;
  },
};

// ------------------------------------------------------ from the scope manager's references

/** The part of an ESLint scope manager this reads (ESLint's and typescript-eslint's both fit). */
export interface ScopeManagerLike {
  readonly scopes: readonly {
    readonly references: readonly { readonly identifier: Node | { readonly type: string } }[];
    readonly variables: readonly { readonly defs: readonly { readonly node: Node | { readonly type: string } }[] }[];
  }[];
}

interface ReferenceIndex {
  /** Per name: start offsets of `name(…)` callees and of `name.m` objects (any order). */
  readonly called: Map<string, number[]>;
  readonly memberObjects: Map<string, number[]>;
  /** Every function-valued declarator of the file, by start offset. */
  readonly functionDeclarators: readonly FunctionDeclarator[];
}

/**
 * Name usage answered from the scope manager's references, indexed on first use (files
 * without an acquisition never pay for it). `getScopeManager` returns null when the parser
 * gave none: the block walk answers then.
 */
export function referenceNameUsage(getScopeManager: () => ScopeManagerLike | null | undefined): NameUsage {
  let index: ReferenceIndex | null | undefined;
  const indexed = (): ReferenceIndex | null => {
    if (index === undefined) {
      const manager = getScopeManager();
      index = manager ? buildReferenceIndex(manager) : null;
    }
    return index;
  };
  return {
    style(name, scope) {
      const found = indexed();
      if (!found) return walkNameUsage.style(name, scope);
      const [start, end] = scope.range;
      return styleOf(anyWithin(found.called.get(name), start, end), anyWithin(found.memberObjects.get(name), start, end));
    },
    functionDeclarators(scope) {
      const found = indexed();
      if (!found) return walkNameUsage.functionDeclarators(scope);
      const [start, end] = scope.range;
      const all = found.functionDeclarators;
      const inside: FunctionDeclarator[] = [];
      for (let i = firstAtOrAfter(all, start); i < all.length && all[i]!.range[0] < end; i++) {
        if (all[i]!.range[1] <= end) inside.push(all[i]!);
      }
      return inside;
    },
  };
}

function buildReferenceIndex(manager: ScopeManagerLike): ReferenceIndex {
  const called = new Map<string, number[]>();
  const memberObjects = new Map<string, number[]>();
  const functionDeclarators: FunctionDeclarator[] = [];
  for (const scope of manager.scopes) {
    for (const reference of scope.references) {
      const identifier = reference.identifier as Node;
      if (identifier.type !== T.Identifier) continue;
      // Up through the wrappers `unwrap` looks through: `(x as F)()`, `x!.m`, `x?.()`.
      let child: Node = identifier;
      let parent: Node | undefined = child.parent;
      while (parent && isWrapperOf(parent, child)) {
        child = parent;
        parent = parent.parent;
      }
      if (parent?.type === T.CallExpression && parent.callee === child) add(called, identifier.name, identifier.range[0]);
      else if (parent?.type === T.MemberExpression && parent.object === child) add(memberObjects, identifier.name, identifier.range[0]);
    }
    for (const variable of scope.variables) {
      for (const def of variable.defs) {
        const node = def.node as Node;
        if (isFunctionDeclarator(node)) functionDeclarators.push(node);
      }
    }
  }
  functionDeclarators.sort((a, b) => a.range[0] - b.range[0]);
  return { called, memberObjects, functionDeclarators };
}

function isWrapperOf(parent: Node, child: Node): boolean {
  switch (parent.type) {
    case T.TSAsExpression:
    case T.TSNonNullExpression:
    case T.TSTypeAssertion:
    case T.TSSatisfiesExpression:
    case T.ChainExpression:
      return parent.expression === child;
    default:
      return false;
  }
}

function add(map: Map<string, number[]>, name: string, offset: number): void {
  const offsets = map.get(name);
  if (offsets) offsets.push(offset);
  else map.set(name, [offset]);
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
