import type { TSESTree } from "@typescript-eslint/types";
import { AST_NODE_TYPES, referencePath, skipWrappersUp, unwrap, type Node } from "./nodes.js";

/**
 * Where an acquisition's value is stored when it is one part of an initialiser, as real code
 * writes it (truth corpus: typeorm, drizzle):
 *
 *   const queryRunner = this.queryRunner ?? this.dataSource.createQueryRunner();   // fallback
 *   const session = isPool ? new NodePgSession(await this.client.connect(), …) : this;  // wrapper
 *
 * The climb goes through `??` / `||` (the acquisition on the right), `?:` branches and at most
 * one `new W(…)` argument, and stops at a declarator or a plain assignment. Pure syntax.
 */
export interface Initialiser {
  /** The declarator or `=` assignment that stores the value. */
  readonly target: TSESTree.VariableDeclarator | TSESTree.AssignmentExpression;
  /** The stored expression (the declarator's init, the assignment's right side). */
  readonly stored: Node;
  /** Reference path → does the acquisition happen when that value is truthy. */
  readonly conditions: Map<string, boolean>;
  /** The wrapper the handle was given to, when there is one. */
  readonly wrapper: TSESTree.NewExpression | undefined;
}

/**
 * The node that carries a call's value once TypeScript wrappers and `.finally(f)` links are
 * skipped (`acquire(…).finally(cleanup)` settles to what the acquisition settles to).
 */
export function settledValue(call: Node): Node {
  let value = skipWrappersUp(call);
  for (;;) {
    const member = value.parent;
    if (
      member?.type !== AST_NODE_TYPES.MemberExpression ||
      member.object !== value ||
      member.computed ||
      member.property.type !== AST_NODE_TYPES.Identifier ||
      member.property.name !== "finally"
    )
      return value;
    const link = member.parent;
    if (link.type !== AST_NODE_TYPES.CallExpression || link.callee !== member) return value;
    value = skipWrappersUp(link);
  }
}

/**
 * A test the code can repeat to ask whether the acquisition ran: a reference (`isPool`,
 * `this.queryRunner`), a comparison of references and literals (`this.client instanceof Pool`) or a
 * predicate called on them (`isPool(this.client)`), keyed by its structure. Undefined for anything
 * else.
 */
export function conditionKey(test: Node): string | undefined {
  const inner = unwrap(test);
  const path = referencePath(inner);
  if (path !== undefined) return path;
  const side = (node: Node): string | undefined => {
    const value = unwrap(node);
    if (value.type === AST_NODE_TYPES.Literal) return JSON.stringify(value.value);
    return referencePath(value);
  };
  // `isPool(this.client)`: a predicate over references, asked twice of the same values (drizzle).
  if (inner.type === AST_NODE_TYPES.CallExpression && !inner.optional) {
    const callee = referencePath(unwrap(inner.callee));
    const args = inner.arguments.map((argument) => (argument.type === AST_NODE_TYPES.SpreadElement ? undefined : side(argument)));
    return callee === undefined || args.some((argument) => argument === undefined) ? undefined : `${callee}(${args.join(", ")})`;
  }
  if (inner.type !== AST_NODE_TYPES.BinaryExpression || inner.left.type === AST_NODE_TYPES.PrivateIdentifier) return undefined;
  const left = side(inner.left);
  const right = side(inner.right);
  return left === undefined || right === undefined ? undefined : `${left} ${inner.operator} ${right}`;
}

/** The initialiser `valueNode` (an acquisition call, or its `await`) is a branch or wrapped argument of; undefined when it is stored directly or not at all. */
export function enclosingInitialiser(valueNode: Node): Initialiser | undefined {
  const conditions = new Map<string, boolean>();
  let wrapper: TSESTree.NewExpression | undefined;
  let current = valueNode;
  let climbed = false;
  for (;;) {
    const parent = current.parent;
    if (!parent) return undefined;
    if (parent.type === AST_NODE_TYPES.VariableDeclarator && parent.init === current) break;
    if (parent.type === AST_NODE_TYPES.AssignmentExpression && parent.right === current && parent.operator === "=") break;
    if (parent.type === AST_NODE_TYPES.LogicalExpression && parent.right === current && (parent.operator === "??" || parent.operator === "||")) {
      // `borrowed ?? acquire()`: acquired only when the borrowed value is missing.
      const path = referencePath(parent.left);
      if (path !== undefined) conditions.set(path, false);
    } else if (parent.type === AST_NODE_TYPES.ConditionalExpression && parent.test !== current) {
      const test = unwrap(parent.test);
      const negated = test.type === AST_NODE_TYPES.UnaryExpression && test.operator === "!";
      const path = conditionKey(negated ? test.argument : test);
      if (path !== undefined) conditions.set(path, (parent.consequent === current) !== negated);
    } else if (parent.type === AST_NODE_TYPES.NewExpression && wrapper === undefined && parent.arguments.includes(current as TSESTree.CallExpressionArgument)) {
      wrapper = parent;
    } else {
      return undefined;
    }
    climbed = true;
    current = skipWrappersUp(parent);
  }
  if (!climbed) return undefined;
  const target = current.parent as TSESTree.VariableDeclarator | TSESTree.AssignmentExpression;
  return { target, stored: current, conditions, wrapper };
}
