import type { TSESTree } from "@typescript-eslint/utils";
import { AST_NODE_TYPES, calleeName, isFunctionNode, referencePath, someChild, unwrap, type FunctionNode, type Node } from "../ast/nodes.js";
import {
  announcesThrow,
  isAccessorName,
  isIterationMethod,
  isQuietCallee,
  isQuietConstructor,
  isQuietMethod,
  isThrowingCallee,
} from "../lock-api/quiet-calls.js";
import { localDeclaration, resolveCallee, resolveClass, resolveFunctionReference, resolveSuperclass, type ClassNode, type ModuleSource } from "./callees.js";

/**
 * Can evaluating a call throw synchronously (its arguments aside)? The one predicate behind every "this call can
 * throw" of the analysis: quiet and throwing data first, then shapes, visible functions, accessors; else it can.
 * The rules in order: docs/design.md, "core/analysis/sync-throws.ts". Summaries are cached per function node.
 */
export function callMayThrow(call: TSESTree.CallExpression, modules: ModuleSource | undefined): boolean {
  const callee = unwrap(call.callee);
  const path = referencePath(callee);
  if (isQuietCallee(path)) return false;
  const aliased = path === undefined ? undefined : aliasedPaths(path, call);
  if (aliased?.every(isQuietCallee)) return false; // `const p = win ? path.win32 : path; p.resolve(x)`
  const name = calleeName(call);
  if (isThrowingCallee(path) || announcesThrow(name)) return true;
  const receiver = callee.type === AST_NODE_TYPES.MemberExpression ? callee.object : undefined;
  const callbacks = call.arguments.filter(isInlineFunction);
  if (receiver) {
    // `/^(\d+)s$/u.exec(text)`: a regular expression literal's methods do not throw.
    if (receiver.type === AST_NODE_TYPES.Literal && "regex" in receiver && callbacks.length === 0) return false;
    if ((name === "then" || name === "catch" || name === "finally") && callbacks.length > 0) return false;
    if (isQuietMethod(name) && callbacks.length === 0) return false;
    if (isIterationMethod(name) && call.arguments.length > 0) return callbackMayThrow(call.arguments[0]!, modules);
  }
  // A release can throw (a lock already lost, a failed unlink), optional or not: `lock?.release()`.
  if (isOptionalCall(call) && !RELEASE_LIKE.test(name ?? "")) return false;
  const target = resolveCallee(call, modules);
  if (target === undefined) return !(receiver && call.arguments.length === 0 && isAccessorName(name));
  return functionMayThrow(target, modules, false);
}

/**
 * The callee paths a local constant stands for: `pathModule.resolve` for
 * `const pathModule = isWindows ? path.win32 : path` is `path.win32.resolve` or `path.resolve`.
 */
function aliasedPaths(path: string, from: Node): string[] | undefined {
  const dot = path.indexOf(".");
  if (dot <= 0) return undefined;
  const root = path.slice(0, dot);
  const init = constantInit(root, from);
  if (!init) return undefined;
  const options = init.type === AST_NODE_TYPES.ConditionalExpression ? [init.consequent, init.alternate] : [init];
  const paths: string[] = [];
  for (const option of options) {
    const target = referencePath(option);
    if (target === undefined || target === root) return undefined;
    paths.push(target + path.slice(dot));
  }
  return paths;
}

/** The initialiser of the nearest `const name = …` declared in a block around `from`. */
function constantInit(name: string, from: Node): Node | undefined {
  const local = localDeclaration(name, from);
  return local?.kind === "const" && local.declarator.init ? unwrap(local.declarator.init) : undefined;
}

/** The callback of an iteration method: inline (`(id) => seen.add(id)`), a quiet builtin (`Boolean`), or a function the analysis sees. */
function callbackMayThrow(callback: Node, modules: ModuleSource | undefined): boolean {
  if (isInlineFunction(callback)) return functionMayThrow(callback, modules, true);
  if (isQuietCallee(referencePath(callback))) return false;
  const target = resolveFunctionReference(callback, modules);
  return target === undefined || functionMayThrow(target, modules, true);
}

/** `new X(…)`: quiet builtin constructors never throw; a class the analysis sees throws if its construction can. */
export function constructionMayThrow(node: TSESTree.NewExpression, modules: ModuleSource | undefined): boolean {
  if (isQuietConstructor(referencePath(node.callee))) return false;
  const cls = resolveClass(node, modules);
  return cls === undefined || classMayThrow(cls, modules);
}

/** Constructing `cls` runs its superclass's construction, its instance field initialisers and its constructor. */
function classMayThrow(cls: ClassNode, modules: ModuleSource | undefined): boolean {
  const cached = summaries.get(cls);
  if (cached !== undefined) return cached;
  if (visiting.has(cls)) return false;
  visiting.add(cls);
  let verdict = false;
  try {
    if (cls.superClass) {
      const superclass = resolveSuperclass(cls, modules);
      verdict = superclass ? classMayThrow(superclass, modules) : !isQuietConstructor(referencePath(cls.superClass));
    }
    for (const member of cls.body.body) {
      if (verdict) break;
      if (member.type === AST_NODE_TYPES.PropertyDefinition && !member.static) verdict = mayThrowIn(member.value, modules);
      else if (member.type === AST_NODE_TYPES.MethodDefinition && member.kind === "constructor") verdict = mayThrowIn(member.value.body, modules);
    }
  } finally {
    visiting.delete(cls);
  }
  summaries.set(cls, verdict);
  return verdict;
}

const summaries = new WeakMap<Node, boolean>();
const visiting = new Set<Node>();

/** Can calling `fn` throw synchronously? `runsBody`: the body runs now even if `fn` is async-less (an inline callback). */
function functionMayThrow(fn: FunctionNode, modules: ModuleSource | undefined, runsBody: boolean): boolean {
  if (!runsBody && (fn.async || fn.generator)) return false;
  if (runsBody && fn.async) return false; // an async callback returns a promise; its rejections are not thrown here
  const cached = summaries.get(fn);
  if (cached !== undefined) return cached;
  if (visiting.has(fn)) return false; // recursion: the rest of the body decides
  visiting.add(fn);
  let verdict: boolean;
  try {
    verdict = mayThrowIn(fn.body, modules);
  } finally {
    visiting.delete(fn);
  }
  summaries.set(fn, verdict);
  return verdict;
}

/**
 * Can `await value` throw? Not for values that are no promise (literals, object and array
 * literals, functions), `p.catch(handler)`, `p.then(ok, err)`, or a call of an `async` function the
 * analysis sees whose body cannot throw (`core/analysis/callees.ts`); otherwise it can.
 */
export function awaitMayReject(value: Node, modules: ModuleSource | undefined): boolean {
  const inner = unwrap(value);
  switch (inner.type) {
    case AST_NODE_TYPES.Literal:
    case AST_NODE_TYPES.ObjectExpression:
    case AST_NODE_TYPES.ArrayExpression:
    case AST_NODE_TYPES.ArrowFunctionExpression:
    case AST_NODE_TYPES.FunctionExpression:
      return false;
    case AST_NODE_TYPES.TemplateLiteral:
      return false;
    case AST_NODE_TYPES.Identifier:
      return inner.name !== "undefined";
    case AST_NODE_TYPES.ConditionalExpression:
      return awaitMayReject(inner.consequent, modules) || awaitMayReject(inner.alternate, modules);
    case AST_NODE_TYPES.CallExpression: {
      const name = calleeName(inner);
      if (inner.callee.type === AST_NODE_TYPES.MemberExpression && name === "catch" && inner.arguments.length > 0) return false;
      if (name === "then" && inner.arguments.length >= 2) return false; // the rejection handler takes the rejection
      if (callMayThrow(inner, modules)) return true;
      const target = resolveCallee(inner, modules);
      return target === undefined || !target.async || asyncBodyMayThrow(target, modules);
    }
    default:
      return true;
  }
}

const rejections = new WeakMap<Node, boolean>();

/** Does the promise an `async` function returns ever reject: a throw or an awaited rejection in its body? */
function asyncBodyMayThrow(fn: FunctionNode, modules: ModuleSource | undefined): boolean {
  const cached = rejections.get(fn);
  if (cached !== undefined) return cached;
  if (visiting.has(fn)) return false;
  visiting.add(fn);
  let verdict: boolean;
  try {
    verdict = fn.generator || mayThrowIn(fn.body, modules);
  } finally {
    visiting.delete(fn);
  }
  rejections.set(fn, verdict);
  return verdict;
}

/** Does evaluating `node` (a statement or an expression of a function body) throw on some path? */
function mayThrowIn(node: Node | null | undefined, modules: ModuleSource | undefined): boolean {
  if (!node) return false;
  if (isFunctionNode(node)) return false; // defining a function runs none of it (bodies are passed in directly)
  switch (node.type) {
    case AST_NODE_TYPES.ThrowStatement:
    case AST_NODE_TYPES.TaggedTemplateExpression:
    case AST_NODE_TYPES.YieldExpression:
      return true;
    case AST_NODE_TYPES.AwaitExpression:
      // Only in async bodies (asyncBodyMayThrow): an awaited rejection is a throw there.
      if (awaitMayReject(node.argument, modules)) return true;
      break;
    case AST_NODE_TYPES.ForOfStatement:
      if (node.await) return true;
      break;
    case AST_NODE_TYPES.ClassDeclaration:
    case AST_NODE_TYPES.ClassExpression:
      return false;
    case AST_NODE_TYPES.TryStatement:
      // A `catch` takes whatever the block throws; what the handler and the `finally` throw escapes.
      if (node.handler) return mayThrowIn(node.handler.body, modules) || mayThrowIn(node.finalizer, modules);
      return mayThrowIn(node.block, modules) || mayThrowIn(node.finalizer, modules);
    case AST_NODE_TYPES.CallExpression:
      // `super(…)`: the superclass's construction, decided by classMayThrow.
      if (node.callee.type !== AST_NODE_TYPES.Super && callMayThrow(node, modules)) return true;
      break;
    case AST_NODE_TYPES.NewExpression:
      if (constructionMayThrow(node, modules)) return true;
      break;
    default:
      break;
  }
  return someChild(node, (child) => mayThrowIn(child, modules));
}

function isInlineFunction(argument: Node): argument is TSESTree.ArrowFunctionExpression | TSESTree.FunctionExpression {
  return argument.type === AST_NODE_TYPES.ArrowFunctionExpression || argument.type === AST_NODE_TYPES.FunctionExpression;
}

const RELEASE_LIKE = /^(?:release|unlock|dispose|close|end|free)/i;

/** `hook?.()`, `options.onStart?.()`, `a?.b()`: the call may not happen at all. */
function isOptionalCall(call: TSESTree.CallExpression): boolean {
  if (call.optional) return true;
  const callee = call.callee;
  return callee.type === AST_NODE_TYPES.MemberExpression && callee.optional;
}
