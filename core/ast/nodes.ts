import { AST_NODE_TYPES, type TSESTree } from "@typescript-eslint/types";
import { visitorKeys } from "@typescript-eslint/visitor-keys";

/** Small, pure AST helpers shared by the analysis, the rules and the codemods. */

export type Node = TSESTree.Node;
export type Expression = TSESTree.Expression;
export { AST_NODE_TYPES };

export type FunctionNode = TSESTree.FunctionDeclaration | TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression;

export function isFunctionNode(node: Node): node is FunctionNode {
  return (
    node.type === AST_NODE_TYPES.FunctionDeclaration || node.type === AST_NODE_TYPES.FunctionExpression || node.type === AST_NODE_TYPES.ArrowFunctionExpression
  );
}

/** Strips TypeScript-only wrappers (`x as T`, `x!`, `<T>x`, `x satisfies T`) and `ChainExpression`. */
export function unwrap(node: Node): Node {
  let current = node;
  for (;;) {
    switch (current.type) {
      case AST_NODE_TYPES.TSAsExpression:
      case AST_NODE_TYPES.TSNonNullExpression:
      case AST_NODE_TYPES.TSTypeAssertion:
      case AST_NODE_TYPES.TSSatisfiesExpression:
      case AST_NODE_TYPES.ChainExpression:
        current = current.expression;
        break;
      default:
        return current;
    }
  }
}

/**
 * A node's parent, or undefined for the Program. typescript-eslint types `parent` as always set on
 * most nodes; every tree this project walks has parents set (ESLint, `simpleTraverse` in the
 * codemod), but a walk up must still stop at the top.
 */
export function parentOf(node: Node): Node | undefined {
  return node.parent;
}

/** `for`, `for…in`, `for…of`, `while`, `do…while`. */
export function isLoopStatement(node: Node): boolean {
  return (
    node.type === AST_NODE_TYPES.ForStatement ||
    node.type === AST_NODE_TYPES.ForInStatement ||
    node.type === AST_NODE_TYPES.ForOfStatement ||
    node.type === AST_NODE_TYPES.WhileStatement ||
    node.type === AST_NODE_TYPES.DoWhileStatement
  );
}

/** The statements `node` holds as a list (a block, the Program, a static block, a `case`), or undefined. */
export function statementListOf(node: Node): readonly TSESTree.ProgramStatement[] | undefined {
  if (node.type === AST_NODE_TYPES.BlockStatement || node.type === AST_NODE_TYPES.StaticBlock || node.type === AST_NODE_TYPES.Program) return node.body;
  return node.type === AST_NODE_TYPES.SwitchCase ? node.consequent : undefined;
}

/** Walks up through TS wrappers / chain expressions / parentheses-free wrappers. */
export function skipWrappersUp(node: Node): Node {
  let current = node;
  while (
    current.parent &&
    (current.parent.type === AST_NODE_TYPES.TSAsExpression ||
      current.parent.type === AST_NODE_TYPES.TSNonNullExpression ||
      current.parent.type === AST_NODE_TYPES.TSTypeAssertion ||
      current.parent.type === AST_NODE_TYPES.TSSatisfiesExpression ||
      current.parent.type === AST_NODE_TYPES.ChainExpression)
  ) {
    current = current.parent;
  }
  return current;
}

/** The property name of a non-computed member access (or a computed string literal), else undefined. */
export function memberName(node: TSESTree.MemberExpression): string | undefined {
  if (!node.computed && node.property.type === AST_NODE_TYPES.Identifier) return node.property.name;
  if (node.property.type === AST_NODE_TYPES.PrivateIdentifier) return `#${node.property.name}`;
  if (node.computed && node.property.type === AST_NODE_TYPES.Literal && typeof node.property.value === "string") {
    return node.property.value;
  }
  return undefined;
}

/**
 * A stable text for simple reference chains built from the AST only:
 * `mutex`, `this.writeMutex`, `deps.locks.session`. Undefined for anything else.
 */
export function referencePath(node: Node): string | undefined {
  const inner = unwrap(node);
  switch (inner.type) {
    case AST_NODE_TYPES.Identifier:
      return inner.name;
    case AST_NODE_TYPES.ThisExpression:
      return "this";
    case AST_NODE_TYPES.MemberExpression: {
      const object = referencePath(inner.object);
      const name = memberName(inner);
      return object !== undefined && name !== undefined ? `${object}.${name}` : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * The function a call calls, through the wrappers real code puts around it: `(0, mod.lock)(…)`
 * (compiled CommonJS imports) and `(override ?? acquireSessionWriteLock)(…)` (the default is the
 * real API; an override is a test double of it).
 */
export function calleeTarget(call: TSESTree.CallExpression | TSESTree.NewExpression): Node {
  let callee = unwrap(call.callee);
  for (;;) {
    if (callee.type === AST_NODE_TYPES.SequenceExpression) callee = unwrap(callee.expressions[callee.expressions.length - 1]!);
    else if (callee.type === AST_NODE_TYPES.LogicalExpression && callee.operator !== "&&") callee = unwrap(callee.right);
    else return callee;
  }
}

/** The called name: `f` for `f()`, `m` for `x.m()` (through `calleeTarget`'s wrappers). */
export function calleeName(call: TSESTree.CallExpression | TSESTree.NewExpression): string | undefined {
  const callee = calleeTarget(call);
  if (callee.type === AST_NODE_TYPES.Identifier) return callee.name;
  if (callee.type === AST_NODE_TYPES.MemberExpression) return memberName(callee);
  return undefined;
}

/** `x` for `x.m()`, else undefined. */
export function calleeReceiver(call: TSESTree.CallExpression | TSESTree.NewExpression): Node | undefined {
  const callee = calleeTarget(call);
  return callee.type === AST_NODE_TYPES.MemberExpression ? callee.object : undefined;
}

/** Visits every node below `root` in source order (not entering nested functions when `skipFunctions`). */
export function walk(root: Node, visit: (node: Node) => "skip" | undefined, skipFunctions = false): void {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (visit(node) === "skip") continue;
    if (skipFunctions && node !== root && isFunctionNode(node)) continue;
    if (!pushCommonChildren(node, stack)) pushChildrenByKeys(node, stack);
  }
}

/** Pushes the children of `node` in reverse visitor-key order (so they pop in source order). */
function pushChildrenByKeys(node: Node, stack: Node[]): void {
  const keys = visitorKeys[node.type] ?? Object.keys(node).filter((k) => k !== "parent" && k !== "loc" && k !== "range");
  for (let k = keys.length - 1; k >= 0; k--) pushValue((node as unknown as Record<string, unknown>)[keys[k]!], stack);
}

function pushValue(value: unknown, stack: Node[]): void {
  if (Array.isArray(value)) {
    for (let i = value.length - 1; i >= 0; i--) {
      const item: unknown = value[i];
      if (isNode(item)) stack.push(item);
    }
  } else if (isNode(value)) {
    stack.push(value);
  }
}

function push(value: Node | null | undefined, stack: Node[]): void {
  if (value) stack.push(value);
}

function pushAll(values: readonly (Node | null)[] | undefined, stack: Node[]): void {
  if (!values) return;
  for (let i = values.length - 1; i >= 0; i--) if (values[i]) stack.push(values[i]!);
}

/**
 * The same children as the visitor keys, read with plain property accesses for the node types
 * that make up most function bodies: a keyed read on every node shape is megamorphic and was
 * most of the walk's cost (≈ 250 ns a node). Returns false for the other types.
 */
function pushCommonChildren(node: Node, stack: Node[]): boolean {
  switch (node.type) {
    case AST_NODE_TYPES.Identifier:
      push(node.typeAnnotation, stack);
      pushAll(node.decorators, stack);
      return true;
    case AST_NODE_TYPES.Literal:
    case AST_NODE_TYPES.TemplateElement:
    case AST_NODE_TYPES.ThisExpression:
    case AST_NODE_TYPES.Super:
    case AST_NODE_TYPES.EmptyStatement:
      return true;
    case AST_NODE_TYPES.ExpressionStatement:
      stack.push(node.expression);
      return true;
    case AST_NODE_TYPES.BlockStatement:
    case AST_NODE_TYPES.Program:
      pushAll(node.body, stack);
      return true;
    case AST_NODE_TYPES.VariableDeclaration:
      pushAll(node.declarations, stack);
      return true;
    case AST_NODE_TYPES.VariableDeclarator:
      push(node.init, stack);
      stack.push(node.id);
      return true;
    case AST_NODE_TYPES.CallExpression:
    case AST_NODE_TYPES.NewExpression:
      pushAll(node.arguments, stack);
      push(node.typeArguments, stack);
      stack.push(node.callee);
      return true;
    case AST_NODE_TYPES.MemberExpression:
      stack.push(node.property);
      stack.push(node.object);
      return true;
    case AST_NODE_TYPES.AwaitExpression:
    case AST_NODE_TYPES.UnaryExpression:
    case AST_NODE_TYPES.UpdateExpression:
    case AST_NODE_TYPES.SpreadElement:
      stack.push(node.argument);
      return true;
    case AST_NODE_TYPES.ReturnStatement:
    case AST_NODE_TYPES.ThrowStatement:
      push(node.argument, stack);
      return true;
    case AST_NODE_TYPES.IfStatement:
    case AST_NODE_TYPES.ConditionalExpression:
      push(node.alternate, stack);
      stack.push(node.consequent);
      stack.push(node.test);
      return true;
    case AST_NODE_TYPES.ObjectExpression:
      pushAll(node.properties, stack);
      return true;
    case AST_NODE_TYPES.ArrayExpression:
      pushAll(node.elements, stack);
      return true;
    case AST_NODE_TYPES.Property:
      stack.push(node.value);
      stack.push(node.key);
      return true;
    case AST_NODE_TYPES.BinaryExpression:
    case AST_NODE_TYPES.LogicalExpression:
    case AST_NODE_TYPES.AssignmentExpression:
      stack.push(node.right);
      stack.push(node.left);
      return true;
    case AST_NODE_TYPES.TemplateLiteral:
      pushAll(node.expressions, stack);
      pushAll(node.quasis, stack);
      return true;
    case AST_NODE_TYPES.ArrowFunctionExpression:
    case AST_NODE_TYPES.FunctionExpression:
    case AST_NODE_TYPES.FunctionDeclaration:
      stack.push(node.body);
      push(node.returnType, stack);
      pushAll(node.params, stack);
      push(node.typeParameters, stack);
      if (node.type !== AST_NODE_TYPES.ArrowFunctionExpression) push(node.id, stack);
      return true;
    case AST_NODE_TYPES.ForOfStatement:
    case AST_NODE_TYPES.ForInStatement:
      stack.push(node.body);
      stack.push(node.right);
      stack.push(node.left);
      return true;
    case AST_NODE_TYPES.ForStatement:
      stack.push(node.body);
      push(node.update, stack);
      push(node.test, stack);
      push(node.init, stack);
      return true;
    case AST_NODE_TYPES.WhileStatement:
      stack.push(node.body);
      stack.push(node.test);
      return true;
    case AST_NODE_TYPES.TryStatement:
      push(node.finalizer, stack);
      push(node.handler, stack);
      stack.push(node.block);
      return true;
    case AST_NODE_TYPES.CatchClause:
      stack.push(node.body);
      push(node.param, stack);
      return true;
    case AST_NODE_TYPES.ChainExpression:
    case AST_NODE_TYPES.TSNonNullExpression:
      stack.push(node.expression);
      return true;
    case AST_NODE_TYPES.TSAsExpression:
    case AST_NODE_TYPES.TSSatisfiesExpression:
      stack.push(node.typeAnnotation);
      stack.push(node.expression);
      return true;
    default:
      return false;
  }
}

const descendantsCache = [new WeakMap<Node, readonly Node[]>(), new WeakMap<Node, readonly Node[]>()];

/**
 * Every node below `root` (itself included) in source order, computed once per root and cached:
 * the analysis asks several questions of the same function body for each acquisition in it.
 */
export function descendants(root: Node, skipFunctions = false): readonly Node[] {
  const cache = descendantsCache[skipFunctions ? 1 : 0]!;
  let nodes = cache.get(root);
  if (!nodes) {
    const list: Node[] = [];
    walk(root, (node) => void list.push(node), skipFunctions);
    nodes = list;
    cache.set(root, nodes);
  }
  return nodes;
}

export function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";
}

/** Does `test` hold for some direct child of `node` (in visitor-key order)? Stops at the first that does. */
export function someChild(node: Node, test: (child: Node) => boolean): boolean {
  const keys = visitorKeys[node.type] ?? [];
  for (const key of keys) {
    const value = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item) && test(item)) return true;
    } else if (isNode(value) && test(value)) {
      return true;
    }
  }
  return false;
}

/** The program `node` is in. */
export function programOf(node: Node): TSESTree.Program {
  let current = node;
  while (current.type !== AST_NODE_TYPES.Program) current = current.parent;
  return current;
}

/** The nearest enclosing function of `node` (undefined at module level). */
export function enclosingFunction(node: Node): FunctionNode | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (isFunctionNode(current)) return current;
  }
  return undefined;
}

/** Short source-like description of a node for messages (`await compact(file)`), built from source text. */
export function describe(node: Node, sourceText: string, max = 60): string {
  const [start, end] = node.range;
  // Only a prefix can show: collapse a bounded slice first (a reported statement may be a whole loop).
  const window = Math.min(end, start + max * 4);
  let raw = collapseWhitespace(sourceText.slice(start, window));
  if (raw.length <= max && window < end) raw = collapseWhitespace(sourceText.slice(start, end));
  return raw.length > max ? `${raw.slice(0, max - 1)}…` : raw;
}

/** `text` with each run of whitespace made one space, trimmed; returned as is when there is nothing to do (the common case). */
function collapseWhitespace(text: string): string {
  const last = text.length - 1;
  for (let i = 0; i <= last; i++) {
    const code = text.charCodeAt(i);
    // Printable ASCII, or a single space inside the text: nothing to collapse there.
    if (code > 32 && code < 127) continue;
    if (code === 32 && i > 0 && i < last && text.charCodeAt(i + 1) !== 32) continue;
    return text.replace(/\s+/g, " ").trim();
  }
  return text;
}
