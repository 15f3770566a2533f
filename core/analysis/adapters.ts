import type { TSESTree } from "@typescript-eslint/utils";
import { AST_NODE_TYPES, descendants, isFunctionNode, memberName, skipWrappersUp, unwrap, walk, type Node, statementListOf } from "../ast/nodes.js";
import { bindPattern, isDisposeSymbol, isHandleReference, isObjectAssign, isReleaseCall, isReleaserFunction, type HandleBinding } from "./binding.js";
import type { ReleaseSpec } from "../lock-api/types.js";

/**
 * Disposable adapters: a plain handle made disposable by hand (`Object.assign(h, { [Symbol.asyncDispose] })`, a wrapper
 * literal, a local `AsyncDisposableStack`), as pure predicates over the AST. The shapes: docs/design.md, "core/analysis/adapters.ts".
 */

/** The dispose member of an object literal (`[Symbol.asyncDispose]: fn`, `async [Symbol.asyncDispose]() {}`). */
export function disposeMemberOf(object: TSESTree.ObjectExpression): TSESTree.Property | undefined {
  for (const property of object.properties) {
    if (property.type === AST_NODE_TYPES.Property && property.computed && isDisposeSymbol(property.key)) return property;
  }
  return undefined;
}

/** The `using` / `await using` declaration that `node` (through TypeScript wrappers) initialises; undefined otherwise. */
export function usingDeclarationOf(node: Node): TSESTree.VariableDeclaration | undefined {
  const declarator = declaratorOf(node);
  const declaration = declarator?.parent;
  return declaration && (declaration.kind === "using" || declaration.kind === "await using") ? declaration : undefined;
}

/** The declarator whose initialiser is `node` (through TypeScript wrappers). */
export function declaratorOf(node: Node): TSESTree.VariableDeclarator | undefined {
  const stored = skipWrappersUp(node);
  const parent = stored.parent;
  return parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.init === stored ? parent : undefined;
}

/**
 * Does the dispose value release the lock of `binding`: a releaser (`() => lock.release()`,
 * `release`, `lock.release.bind(lock)`), a method releasing `this` when `this` is the handle
 * (`Object.assign(handle, { async [Symbol.asyncDispose]() { await this.release(); } })`), or a
 * function handing the handle to a call it cannot see (`() => cleanup(lock)`: maybe). Not for a
 * function that does neither (`async () => {}`, `() => other.release()`) nor for a name of something
 * else (`[Symbol.asyncDispose]: cleanup`): a `using` of that does not release this lock.
 */
export function disposeReleases(binding: HandleBinding, value: Node, sourceText: string, thisIsHandle: boolean): boolean {
  const fn = unwrap(value);
  if (isReleaserFunction(binding, fn, sourceText)) return true;
  if (fn.type !== AST_NODE_TYPES.ArrowFunctionExpression && fn.type !== AST_NODE_TYPES.FunctionExpression) return false;
  return descendants(fn.body).some(
    (node) =>
      node.type === AST_NODE_TYPES.CallExpression &&
      (node.arguments.some((argument) => isHandleReference(binding, argument)) ||
        (thisIsHandle && fn.type === AST_NODE_TYPES.FunctionExpression && releasesThis(binding, node))),
  );
}

/** `this.release()` / `this[Symbol.asyncDispose]()` in a method of an object assigned onto the handle. */
function releasesThis(binding: HandleBinding, call: TSESTree.CallExpression): boolean {
  const callee = unwrap(call.callee);
  if (callee.type !== AST_NODE_TYPES.MemberExpression || unwrap(callee.object).type !== AST_NODE_TYPES.ThisExpression) return false;
  const name = memberName(callee);
  return name === undefined ? isDisposeSymbol(callee.property) : binding.handleMethods.includes(name);
}

/**
 * An object literal or `Object.assign(handle, literal)` whose dispose releases the bound lock: what
 * a `using` declaration of it releases when its block exits. `Object.assign` onto the handle (or
 * onto the acquisition itself: `assignedToAcquisition`) lets a method release `this`.
 */
export function adapterReleases(binding: HandleBinding, node: Node, sourceText: string, assignedToAcquisition = false): boolean {
  const inner = unwrap(node);
  if (inner.type === AST_NODE_TYPES.ObjectExpression) {
    const member = disposeMemberOf(inner);
    return member !== undefined && disposeReleases(binding, member.value, sourceText, false);
  }
  if (!isObjectAssign(inner)) return false;
  const [target, ...sources] = inner.arguments;
  const thisIsHandle = assignedToAcquisition || (target !== undefined && isHandleReference(binding, target));
  return sources.some((source) => {
    const literal = unwrap(source);
    const member = literal.type === AST_NODE_TYPES.ObjectExpression ? disposeMemberOf(literal) : undefined;
    return member !== undefined && disposeReleases(binding, member.value, sourceText, thisIsHandle);
  });
}

/** `Object.assign(handle, …)` onto the bound handle: the result is the handle itself. */
export function isAssignOntoHandle(binding: HandleBinding, node: Node): boolean {
  const inner = unwrap(node);
  return isObjectAssign(inner) && isHandleReference(binding, inner.arguments[0]!);
}

// ------------------------------------------------------------------------------ disposable stacks

const STACK_CLASSES: ReadonlySet<string> = new Set(["AsyncDisposableStack", "DisposableStack"]);
/** Methods by which a stack takes a resource: `use(value)`, `adopt(value, onDispose)`, `defer(onDispose)`. */
const STACK_REGISTRATIONS: ReadonlySet<string> = new Set(["use", "adopt", "defer"]);

/** `new AsyncDisposableStack()` / `new DisposableStack()`. */
export function isDisposableStackConstruction(node: Node): boolean {
  const inner = unwrap(node);
  return inner.type === AST_NODE_TYPES.NewExpression && inner.callee.type === AST_NODE_TYPES.Identifier && STACK_CLASSES.has(inner.callee.name);
}

/** `stack.use(x)` / `stack.adopt(x, fn)` / `stack.defer(fn)` on a plain name: the stack name and the method. */
export function stackRegistration(call: TSESTree.CallExpression): { readonly stack: string; readonly method: string } | undefined {
  const callee = unwrap(call.callee);
  if (callee.type !== AST_NODE_TYPES.MemberExpression) return undefined;
  const method = memberName(callee);
  const object = unwrap(callee.object);
  if (method === undefined || !STACK_REGISTRATIONS.has(method) || object.type !== AST_NODE_TYPES.Identifier) return undefined;
  return { stack: object.name, method };
}

/**
 * How the stack `name` seen from `from` is declared, when it is a local `new (Async)DisposableStack()`
 * inside `owner`: with `using` (disposed when its block exits) or not (`const`/`let`: only a
 * `disposeAsync()` / `dispose()` call releases what it holds). Undefined for anything else (a field, a parameter, a
 * stack from elsewhere: taking a resource is a hand-over then).
 */
export function localStackOf(
  name: string,
  from: Node,
  owner: Node,
): { readonly declaration: TSESTree.VariableDeclaration; readonly using: boolean } | undefined {
  for (let current: Node | undefined = from.parent; current && current !== owner.parent; current = current.parent) {
    const body = statementListOf(current);
    if (!body) continue;
    for (const statement of body) {
      if (statement.type !== AST_NODE_TYPES.VariableDeclaration) continue;
      const declarator = statement.declarations.find((d) => d.id.type === AST_NODE_TYPES.Identifier && d.id.name === name);
      if (!declarator) continue;
      if (!declarator.init || !isDisposableStackConstruction(declarator.init)) return undefined;
      return { declaration: statement, using: statement.kind === "using" || statement.kind === "await using" };
    }
    if (isFunctionNode(current)) return undefined;
  }
  return undefined;
}

/**
 * Does `stack.adopt(value, onDispose)` visibly not release: `onDispose` is a function literal whose
 * parameter is neither released (`(h) => h.release()`, `(release) => release()`) nor handed to a
 * call. Anything it cannot see counts as releasing.
 */
export function adoptReleaserSkipsRelease(onDispose: Node | undefined, releases: readonly ReleaseSpec[], sourceText: string): boolean {
  const fn = onDispose && unwrap(onDispose);
  if (!fn || (fn.type !== AST_NODE_TYPES.ArrowFunctionExpression && fn.type !== AST_NODE_TYPES.FunctionExpression)) return false;
  const param = fn.params[0];
  if (param?.type !== AST_NODE_TYPES.Identifier) return false;
  const binding = bindPattern(param, releases, false);
  if (!binding) return false;
  return !descendants(fn.body).some(
    (node) =>
      node.type === AST_NODE_TYPES.CallExpression &&
      (isReleaseCall(binding, node, sourceText) || node.arguments.some((argument) => isHandleReference(binding, argument))),
  );
}

// ------------------------------------------------------------------------- aliases of the handle

/** Does `[start, end)` of the text mention an adapter at all? Most scopes do not: skip their walk. */
function mentionsAdapter(sourceText: string, start: number, end: number): boolean {
  for (const needle of ["Symbol.", "Object.assign", "DisposableStack"]) {
    const at = sourceText.indexOf(needle, start);
    if (at !== -1 && at < end) return true;
  }
  return false;
}

/**
 * Names through which the lock is released once it is in an adapter: `const lock =
 * Object.assign(handle, …)` (the same object, whatever binds it), and, not bound with `using`, `const scope = { lock,
 * [Symbol.asyncDispose]: () => lock.release() }` (released by `scope[Symbol.asyncDispose]()`), and
 * a local stack bound with `const` that was given the lock (`stack.defer(() => lock.release())`,
 * released by `stack.disposeAsync()`; returning the stack returns the lock).
 */
export function addAdapterAliases(binding: HandleBinding, block: Node, owner: Node, sourceText: string): void {
  if (!mentionsAdapter(sourceText, block.range[0], block.range[1])) return;
  walk(block, (node) => {
    if (node.type === AST_NODE_TYPES.VariableDeclarator && node.id.type === AST_NODE_TYPES.Identifier && node.init) {
      const init = unwrap(node.init);
      const using = node.parent.kind === "using" || node.parent.kind === "await using";
      if (isAssignOntoHandle(binding, init) || (!using && init.type === AST_NODE_TYPES.ObjectExpression && adapterReleases(binding, init, sourceText)))
        binding.handleNames.add(node.id.name);
      return undefined;
    }
    if (node.type !== AST_NODE_TYPES.CallExpression) return undefined;
    const registration = stackRegistration(node);
    if (!registration || !takesLock(binding, node, registration.method, sourceText)) return undefined;
    const stack = localStackOf(registration.stack, node, owner);
    if (!stack || stack.using) return undefined;
    const disposers = (binding.disposers ??= new Set());
    disposers.add(registration.stack);
    binding.carrierNames.add(registration.stack);
    return undefined;
  });
}

/** `stack.use(lock)`, `stack.adopt(lock, fn)`, `stack.defer(() => lock.release())` / `stack.defer(release)`. */
function takesLock(binding: HandleBinding, call: TSESTree.CallExpression, method: string, sourceText: string): boolean {
  const first = call.arguments[0];
  if (!first) return false;
  return method === "defer" ? isReleaserFunction(binding, first, sourceText) : isHandleReference(binding, first);
}
