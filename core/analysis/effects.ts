import type { TSESTree } from "@typescript-eslint/utils";
import { AST_NODE_TYPES, calleeName, enclosingFunction, memberName, referencePath, skipWrappersUp, unwrap, walk, type Node } from "../ast/nodes.js";
import { adapterReleases, isAssignOntoHandle, stackRegistration, usingDeclarationOf } from "./adapters.js";
import type { ImportMap } from "../lock-api/imports.js";
import { isOwnershipSink, type LockModel } from "../lock-api/model.js";
import { announcesThrow } from "../lock-api/quiet-calls.js";
import { conditionKey } from "../ast/initialiser.js";
import { resolveCallee, type ModuleSource } from "./callees.js";
import { awaitMayReject, callMayThrow, constructionMayThrow } from "./sync-throws.js";
import {
  carriesHandle,
  isGuardName,
  isHandleObject,
  isHandleReference,
  isReleaseCall,
  isReleaserFunction,
  returnCarriesHandle,
  textOf,
  type HandleBinding,
} from "./binding.js";

/**
 * Turns an expression into the ordered list of lock-relevant events it
 * produces when evaluated: where it may throw, where it acquires, releases,
 * hands the lock over, or exits the process. Conditional evaluation
 * (`a && b`, `a ? b : c`, `x?.()`) becomes a `branch` event.
 *
 * "May throw" is deliberately simple and documented: every call (except the
 * quiet builtins of `lock-api/quiet-calls.ts`), `new`, `await` of something
 * that can reject, tagged template, `import()` and `yield`. Property reads are
 * assumed not to throw.
 */

export type Guard =
  /** Truthy iff the handle exists (`lock`, `lock != null`, `typeof release === "function"`). */
  | { readonly kind: "handle"; readonly whenTrue: boolean }
  /** Truthy iff the try-acquisition succeeded (`m.tryAcquire()`, `ok`). */
  | { readonly kind: "success"; readonly whenTrue: boolean };

export type Event =
  | { readonly kind: "throw"; readonly node: Node }
  | { readonly kind: "acquire"; readonly node: Node }
  | { readonly kind: "release"; readonly node: Node; readonly awaited: boolean }
  | { readonly kind: "transfer"; readonly node: Node }
  | { readonly kind: "exit"; readonly node: Node }
  /** An `await` is about to suspend (no effect on the lock; observers use it). */
  | { readonly kind: "await"; readonly node: TSESTree.AwaitExpression }
  | { readonly kind: "branch"; readonly node: Node; readonly guard: Guard | undefined; readonly whenTrue: Event[]; readonly whenFalse: Event[] };

/** The lock being followed through a function: its binding, where it was acquired, and what the rule knows around it. */
export interface FollowedLock {
  readonly binding: HandleBinding;
  readonly acquireAt: Node | undefined;
  readonly siteCall: TSESTree.CallExpression;
  readonly model: LockModel;
  readonly imports: ImportMap;
  readonly sourceText: string;
  /** Release method names of every API in the model: calls to them inside `Promise.all([...])` do not throw synchronously. */
  readonly releaseNames: ReadonlySet<string>;
  /** Reads relative imports, so calls into them can be seen into (sync-throws.ts); absent: they are not. */
  readonly modules?: ModuleSource;
  /** Is `name` declared inside the analysed function? (Assigning the handle to any other name hands it over.) Computed on first use. */
  readonly isLocalName: (name: string) => boolean;
}

/** One scratch list for the top-level visit (not re-entrant: `visit` never calls back here). */
const scratch: Event[] = [];
const NONE: Event[] = Object.freeze([]) as unknown as Event[];

export function expressionEvents(ctx: FollowedLock, node: Node): Event[] {
  scratch.length = 0;
  visit(ctx, node, scratch, plain);
  // An exact-size copy: most expressions produce one to three events.
  return scratch.length === 0 ? NONE : scratch.slice();
}

interface Flags {
  readonly awaited: boolean;
  readonly inPromiseAll: boolean;
}

const plain: Flags = { awaited: false, inPromiseAll: false };
const awaitedValue: Flags = { awaited: true, inPromiseAll: false };
const promiseAll: Flags = { awaited: false, inPromiseAll: true };
const awaitedPromiseAll: Flags = { awaited: true, inPromiseAll: true };

function visit(ctx: FollowedLock, node: Node | null | undefined, out: Event[], flags: Flags): void {
  if (!node) return;
  switch (node.type) {
    case AST_NODE_TYPES.Identifier:
      // `await using _ = lock`: the author says the handle is disposable, as with `await using lock = await acquire()`.
      if (ctx.binding.handleNames.has(node.name) && usingDeclarationOf(node) !== undefined) out.push({ kind: "release", node, awaited: true });
      break;
    case AST_NODE_TYPES.Literal:
    case AST_NODE_TYPES.ThisExpression:
    case AST_NODE_TYPES.Super:
    case AST_NODE_TYPES.MetaProperty:
    case AST_NODE_TYPES.FunctionExpression:
    case AST_NODE_TYPES.ArrowFunctionExpression:
    case AST_NODE_TYPES.ClassExpression:
    case AST_NODE_TYPES.PrivateIdentifier:
      break;
    case AST_NODE_TYPES.TemplateLiteral:
    case AST_NODE_TYPES.SequenceExpression:
      for (const expression of node.expressions) visit(ctx, expression, out, plain);
      break;
    case AST_NODE_TYPES.TaggedTemplateExpression:
      visit(ctx, node.tag, out, plain);
      for (const expression of node.quasi.expressions) visit(ctx, expression, out, plain);
      out.push({ kind: "throw", node });
      break;
    case AST_NODE_TYPES.ArrayExpression:
      for (const element of node.elements) visit(ctx, element, out, flags.inPromiseAll ? flags : plain);
      break;
    case AST_NODE_TYPES.ObjectExpression:
      for (const property of node.properties) {
        if (property.type === AST_NODE_TYPES.Property) {
          if (property.computed) visit(ctx, property.key, out, plain);
          visit(ctx, property.value, out, plain);
        } else {
          visit(ctx, property.argument, out, plain);
        }
      }
      // `await using scope = { lock, [Symbol.asyncDispose]: () => lock.release() }`
      if (usingAdapterReleases(ctx, node)) out.push({ kind: "release", node, awaited: true });
      break;
    case AST_NODE_TYPES.SpreadElement:
    case AST_NODE_TYPES.UnaryExpression:
    case AST_NODE_TYPES.UpdateExpression:
      visit(ctx, node.argument, out, plain);
      break;
    case AST_NODE_TYPES.BinaryExpression:
      visit(ctx, node.left, out, plain);
      visit(ctx, node.right, out, plain);
      break;
    case AST_NODE_TYPES.LogicalExpression: {
      visit(ctx, node.left, out, plain);
      const right: Event[] = [];
      visit(ctx, node.right, right, flags);
      if (right.length === 0) break;
      const guard = acquiresWithin(ctx, node) ? undefined : guardOf(ctx, node.left);
      // `a && b` evaluates b when a is truthy; `a || b` / `a ?? b` when it is not.
      if (node.operator === "&&") out.push({ kind: "branch", node: node.left, guard, whenTrue: right, whenFalse: [] });
      else out.push({ kind: "branch", node: node.left, guard, whenTrue: [], whenFalse: right });
      break;
    }
    case AST_NODE_TYPES.ConditionalExpression: {
      visit(ctx, node.test, out, plain);
      const whenTrue: Event[] = [];
      const whenFalse: Event[] = [];
      visit(ctx, node.consequent, whenTrue, flags);
      visit(ctx, node.alternate, whenFalse, flags);
      if (whenTrue.length + whenFalse.length > 0) {
        out.push({ kind: "branch", node: node.test, guard: acquiresWithin(ctx, node) ? undefined : guardOf(ctx, node.test), whenTrue, whenFalse });
      }
      break;
    }
    case AST_NODE_TYPES.AssignmentExpression:
      visitAssignment(ctx, node, out);
      break;
    case AST_NODE_TYPES.AwaitExpression:
      visit(ctx, node.argument, out, awaitedValue);
      out.push({ kind: "await", node });
      if (awaitMayReject(node.argument, ctx.modules)) out.push({ kind: "throw", node });
      break;
    case AST_NODE_TYPES.YieldExpression:
      visit(ctx, node.argument, out, plain);
      if (node.argument && carriesHandle(ctx.binding, node.argument)) out.push({ kind: "transfer", node });
      out.push({ kind: "throw", node });
      break;
    case AST_NODE_TYPES.MemberExpression:
      visit(ctx, node.object, out, plain);
      if (node.computed) visit(ctx, node.property, out, plain);
      break;
    case AST_NODE_TYPES.ChainExpression:
      // `lock?.release()`, `release?.()`: the optional part only skips when the handle is missing.
      visit(ctx, node.expression, out, flags);
      break;
    case AST_NODE_TYPES.CallExpression:
      visitCall(ctx, node, out, flags);
      break;
    case AST_NODE_TYPES.NewExpression:
      visit(ctx, node.callee, out, plain);
      for (const argument of node.arguments) visit(ctx, argument, out, plain);
      if (node === ctx.binding.wrapper?.node) break; // part of the acquisition (binding.ts)
      // A release given to the object it builds (`new Db(conn.db, conn.release)`) is a hand-over whoever releases.
      if (node.arguments.some((argument) => isReleaserFunction(ctx.binding, argument, ctx.sourceText))) out.push({ kind: "transfer", node });
      else if (someCarriesHandle(ctx.binding, node.arguments) && !ctx.binding.lendsOnly) out.push({ kind: "transfer", node });
      else if (constructionMayThrow(node, ctx.modules)) out.push({ kind: "throw", node });
      break;
    case AST_NODE_TYPES.ImportExpression:
      visit(ctx, node.source, out, plain);
      out.push({ kind: "throw", node });
      break;
    case AST_NODE_TYPES.TSAsExpression:
    case AST_NODE_TYPES.TSNonNullExpression:
    case AST_NODE_TYPES.TSTypeAssertion:
    case AST_NODE_TYPES.TSSatisfiesExpression:
    case AST_NODE_TYPES.TSInstantiationExpression:
      visit(ctx, node.expression, out, flags);
      break;
    default:
      break;
  }
  if (ctx.acquireAt === node) out.push({ kind: "acquire", node });
}

function visitAssignment(ctx: FollowedLock, node: TSESTree.AssignmentExpression, out: Event[]): void {
  visit(ctx, node.right, out, plain);
  const left = unwrap(node.left);
  if (left.type === AST_NODE_TYPES.MemberExpression) {
    visit(ctx, left.object, out, plain);
    if (left.computed) visit(ctx, left.property, out, plain);
    if (carriesHandle(ctx.binding, node.right) && !ctx.binding.lendsOnly) out.push({ kind: "transfer", node });
    return;
  }
  if (left.type === AST_NODE_TYPES.Identifier && carriesHandle(ctx.binding, node.right) && !ctx.isLocalName(left.name)) {
    out.push({ kind: "transfer", node });
  }
}

function visitCall(ctx: FollowedLock, call: TSESTree.CallExpression, out: Event[], flags: Flags): void {
  const callee = unwrap(call.callee);
  const receiver = callee.type === AST_NODE_TYPES.MemberExpression ? callee.object : undefined;

  if (isReleaseCall(ctx.binding, call, ctx.sourceText)) {
    for (const argument of call.arguments) visit(ctx, argument, out, plain);
    out.push({ kind: "release", node: call, awaited: flags.awaited });
    return;
  }

  if (isProcessExit(call)) {
    for (const argument of call.arguments) visit(ctx, argument, out, plain);
    out.push({ kind: "exit", node: call });
    return;
  }

  // `[await using|const] lock = Object.assign(handle, { [Symbol.asyncDispose]… })`: the handle stays
  // here under another name (binding.ts aliases it), released when a `using` disposes it.
  if (isAssignOntoHandle(ctx.binding, call) && staysLocal(call)) {
    for (const argument of call.arguments) visit(ctx, argument, out, plain);
    if (usingAdapterReleases(ctx, call)) out.push({ kind: "release", node: call, awaited: true });
    return;
  }
  // `stack.defer(() => lock.release())` on a local stack bound with `const`: the lock goes with the
  // stack, released when it is disposed (`binding.disposers`), not handed over.
  const registration = stackRegistration(call);
  if (registration && ctx.binding.disposers?.has(registration.stack)) {
    for (const argument of call.arguments) visit(ctx, argument, out, plain);
    return;
  }

  const name = calleeName(call);
  // Promise chains: `p.finally(release)`, `p.then(() => lock.release())`, `p.catch(handler)`.
  if (receiver && (name === "finally" || name === "then" || name === "catch")) {
    const chained: Event[] = [];
    // `await x.release().catch(…)`: the release is awaited through the chain.
    visit(ctx, receiver, chained, flags.awaited ? awaitedValue : plain);
    const [first, second] = call.arguments;
    if (name === "finally" && first && isReleaserFunction(ctx.binding, first, ctx.sourceText)) {
      // The release is attached to the promise: errors of the chain no longer skip it.
      out.push(...chained.filter((event) => event.kind !== "throw"));
      out.push({ kind: "release", node: call, awaited: true });
      return;
    }
    out.push(...chained);
    if (name === "then" && first && isReleaserFunction(ctx.binding, first, ctx.sourceText)) {
      if (!(second && isReleaserFunction(ctx.binding, second, ctx.sourceText)) && !rejectionReleasedLater(ctx, call)) {
        out.push({ kind: "throw", node: call }); // a rejection skips the fulfilment handler
      }
      out.push({ kind: "release", node: call, awaited: true });
      return;
    }
    for (const argument of call.arguments) visit(ctx, argument, out, plain);
    if (call.arguments.some((argument) => isReleaserFunction(ctx.binding, argument, ctx.sourceText) || carriesHandle(ctx.binding, argument))) {
      out.push({ kind: "transfer", node: call });
    }
    return;
  }

  if (receiver) visit(ctx, receiver, out, plain);
  else if (callee.type !== AST_NODE_TYPES.Identifier) visit(ctx, callee, out, plain);

  const inPromiseAll = receiver !== undefined && (name === "all" || name === "allSettled") && referencePath(receiver) === "Promise";
  const argumentFlags = !inPromiseAll ? plain : flags.awaited ? awaitedPromiseAll : promiseAll;
  for (const argument of call.arguments) visit(ctx, argument, out, argumentFlags);

  if (call === ctx.siteCall) {
    out.push({ kind: "throw", node: call });
    return;
  }
  if (handsOver(ctx, call)) {
    out.push({ kind: "transfer", node: call });
    return;
  }
  if (inPromiseAll) return; // Promise.all itself does not throw; its await does
  if (flags.inPromiseAll && name !== undefined && ctx.releaseNames.has(name)) return; // async releases run side by side
  // The handle's own synchronous API (`queryRunner.disableSqlMemory()`, `lock.isExpired()`) reads or
  // sets its state; what the resource does that can fail is I/O, and that is awaited.
  if (receiver && !flags.awaited && isHandleObject(ctx.binding, receiver)) return;
  if (!flags.awaited && reportsCaughtError(call) && !throwsOnPurpose(call, ctx.modules)) return;
  if (callMayThrow(call, ctx.modules)) out.push({ kind: "throw", node: call }); // sync-throws.ts: the one "can this call throw" predicate
}

/**
 * An adapter bound with `using` / `await using` whose dispose releases the lock (adapters.ts): its
 * block's exit releases it on every path, as a `finally` would. Treated as released where declared.
 */
function usingAdapterReleases(ctx: FollowedLock, node: Node): boolean {
  return usingDeclarationOf(node) !== undefined && adapterReleases(ctx.binding, node, ctx.sourceText);
}

/** Is the value of `call` kept in a declared name or dropped (not returned, stored or passed on)? */
function staysLocal(call: TSESTree.CallExpression): boolean {
  const stored = skipWrappersUp(call);
  return (
    stored.parent?.type === AST_NODE_TYPES.ExpressionStatement || (stored.parent?.type === AST_NODE_TYPES.VariableDeclarator && stored.parent.init === stored)
  );
}

/** A visible callee with a `throw` of its own (`handleWriteError(err) { throw new Error(…) }`): a rethrow, not a report. */
function throwsOnPurpose(call: TSESTree.CallExpression, modules: ModuleSource | undefined): boolean {
  if (announcesThrow(calleeName(call))) return true;
  const target = resolveCallee(call, modules);
  if (!target) return false;
  let found = false;
  walk(
    target.body,
    (node) => {
      if (found) return "skip";
      if (node.type === AST_NODE_TYPES.ThrowStatement) found = true;
      return undefined;
    },
    true,
  );
  return found;
}

/**
 * `catch (error) { errors.push(error); distrust(new Error("refused", { cause: error })); }`: a call in
 * a `catch` clause that reports the error being handled. Like a logger, an error reporter that
 * throws is not the lock's problem: that leak needs a second failure inside the handling of the
 * first, a weak witness next to the escapes the rule reports (documented in the rule's docs).
 */
function reportsCaughtError(call: TSESTree.CallExpression): boolean {
  let clause: Node | undefined = call.parent;
  while (clause && clause.type !== AST_NODE_TYPES.CatchClause) {
    if (
      clause.type === AST_NODE_TYPES.ArrowFunctionExpression ||
      clause.type === AST_NODE_TYPES.FunctionExpression ||
      clause.type === AST_NODE_TYPES.FunctionDeclaration
    )
      return false;
    clause = clause.parent;
  }
  const param = clause?.type === AST_NODE_TYPES.CatchClause ? clause.param : null;
  if (param?.type !== AST_NODE_TYPES.Identifier) return false;
  const name = param.name;
  return call.arguments.some((argument) => {
    let mentions = false;
    walk(
      argument,
      (node) => {
        if (mentions) return "skip";
        if (node.type === AST_NODE_TYPES.Identifier && node.name === name) mentions = true;
        return undefined;
      },
      true,
    );
    return mentions;
  });
}

/**
 * `p.then(releasing).catch(releasing)` / `.finally(releasing)` / `.then(x, releasing)` further down
 * the chain: a rejection that skips this `then` reaches a later handler that releases.
 */
function rejectionReleasedLater(ctx: FollowedLock, call: TSESTree.CallExpression): boolean {
  let link: Node = call;
  for (;;) {
    const member: Node = link.parent;
    if (member.type !== AST_NODE_TYPES.MemberExpression || member.object !== link) return false;
    const next: Node = member.parent;
    if (next.type !== AST_NODE_TYPES.CallExpression || next.callee !== member) return false;
    const name = memberName(member);
    const [first, second] = next.arguments;
    if ((name === "catch" || name === "finally") && first && isReleaserFunction(ctx.binding, first, ctx.sourceText)) return true;
    if (name === "then" && second && isReleaserFunction(ctx.binding, second, ctx.sourceText)) return true;
    if (name !== "then") return false;
    link = next;
  }
}

/** Is the acquisition one branch of `node` (`borrowed ?? acquire()`)? Its own test decides that branch, it guards nothing. */
function acquiresWithin(ctx: FollowedLock, node: Node): boolean {
  const at = ctx.acquireAt;
  return at !== undefined && at.range[0] >= node.range[0] && at.range[1] <= node.range[1];
}

/** Does the call take ownership of the lock: a releaser callback, or the handle given to an ownership sink? */
function handsOver(ctx: FollowedLock, call: TSESTree.CallExpression): boolean {
  const args = call.arguments;
  // `this.#connections.set(raw, connection)`: the handle cached with the wrapper the function returns; the return hands it over.
  if (cachesHandedOutPair(ctx.binding, args)) return false;
  for (let i = 0; i < args.length; i++) {
    const argument = args[i]!;
    if (isReleaserFunction(ctx.binding, argument, ctx.sourceText)) return true;
    const carries = isHandleReference(ctx.binding, argument) || (argument.type !== AST_NODE_TYPES.SpreadElement && carriesHandle(ctx.binding, argument));
    if (!carries && (ctx.binding.lendsOnly || !isHandlePart(ctx.binding, argument))) continue;
    // A function that never releases the handle itself gives it to whoever it passes it to
    // (`return runWorkspaceLockScope(lease, task)`); one that does only lends it (binding.ts),
    // except to an ownership sink (`stack.use(lock)`).
    if (isOwnershipSink(ctx.model, call, ctx.imports)) return true;
    // The function that releases a lock owns it: `runTask({ ...options, resources })` where `runTask` releases `params.resources`.
    if (releasesArgument(ctx, call, i, argument)) return true;
    // A function the analysis sees that only reads its parameter (`this.checkVersion(connection)`) borrows it.
    if (!ctx.binding.lendsOnly && !(isHandleReference(ctx.binding, argument) && onlyReadsParameter(call, i, ctx.modules))) return true;
  }
  return false;
}

function cachesHandedOutPair(binding: HandleBinding, args: readonly TSESTree.CallExpressionArgument[]): boolean {
  const wrapper = binding.handedOutAs;
  if (wrapper === undefined) return false;
  const isWrapper = (argument: Node) => {
    const inner = unwrap(argument);
    return inner.type === AST_NODE_TYPES.Identifier && inner.name === wrapper;
  };
  return args.some(isWrapper) && args.some((argument) => isHandleReference(binding, argument));
}

/**
 * Does the called function (when visible) release the handle it is given, directly (`finish(lock)`
 * calling `lock.release()`) or in a field of an options object (`runTask({ …, resources })` calling
 * `params.resources.release()` or `const { resources } = params; … resources.release()`), on any
 * path, closures included? Then the call takes the lock over (the hand-over rule, binding.ts).
 */
function releasesArgument(ctx: FollowedLock, call: TSESTree.CallExpression, index: number, argument: Node): boolean {
  const methods = ctx.binding.handleMethods;
  if (methods.length === 0) return false;
  const inner = unwrap(argument);
  const direct = isHandleReference(ctx.binding, inner);
  const key = direct ? undefined : handleKey(ctx.binding, inner);
  if (!direct && key === undefined) return false;
  const target = resolveCallee(call, ctx.modules);
  const param = target?.params[index];
  if (!target || !param) return false;
  const names = new Set<string>(); // callee names holding the handle
  const paths = new Set<string>(); // callee reference paths holding it (`params.resources`)
  if (param.type === AST_NODE_TYPES.Identifier) (direct ? names : paths).add(key === undefined ? param.name : `${param.name}.${key}`);
  else if (param.type === AST_NODE_TYPES.ObjectPattern && key !== undefined) {
    const name = patternName(param, key);
    if (name !== undefined) names.add(name);
  }
  if (paths.size > 0) {
    // `const resources = params.resources`, `const { resources } = params`
    walk(target.body, (node) => {
      if (node.type !== AST_NODE_TYPES.VariableDeclarator || !node.init) return undefined;
      const init = referencePath(unwrap(node.init));
      if (node.id.type === AST_NODE_TYPES.Identifier && init !== undefined && paths.has(init)) names.add(node.id.name);
      if (node.id.type === AST_NODE_TYPES.ObjectPattern && init !== undefined && key !== undefined && paths.has(`${init}.${key}`)) {
        const name = patternName(node.id, key);
        if (name !== undefined) names.add(name);
      }
      return undefined;
    });
  }
  let releases = false;
  walk(target.body, (node) => {
    if (releases) return "skip";
    if (node.type !== AST_NODE_TYPES.CallExpression) return undefined;
    const callee = unwrap(node.callee);
    if (callee.type !== AST_NODE_TYPES.MemberExpression || !methods.includes(memberName(callee) ?? "")) return undefined;
    const object = unwrap(callee.object);
    const path = referencePath(object);
    releases = (object.type === AST_NODE_TYPES.Identifier && names.has(object.name)) || (path !== undefined && paths.has(path));
    return undefined;
  });
  return releases;
}

/** The key of the property holding the handle in an object literal (`{ ...rest, resources }` → `resources`). */
function handleKey(binding: HandleBinding, node: Node): string | undefined {
  if (node.type !== AST_NODE_TYPES.ObjectExpression) return undefined;
  for (const property of node.properties) {
    if (property.type !== AST_NODE_TYPES.Property || property.computed || property.key.type !== AST_NODE_TYPES.Identifier) continue;
    if (isHandleReference(binding, property.value)) return property.key.name;
  }
  return undefined;
}

/** The local name a destructuring pattern binds `key` to (`{ resources: owned }` → `owned`). */
function patternName(pattern: TSESTree.ObjectPattern, key: string): string | undefined {
  for (const property of pattern.properties) {
    if (property.type !== AST_NODE_TYPES.Property || property.computed || property.key.type !== AST_NODE_TYPES.Identifier || property.key.name !== key)
      continue;
    const value = property.value.type === AST_NODE_TYPES.AssignmentPattern ? property.value.left : property.value;
    return value.type === AST_NODE_TYPES.Identifier ? value.name : undefined;
  }
  return undefined;
}

/** Does the called function (when visible) use its `index`-th parameter only to read fields or call its methods? */
function onlyReadsParameter(call: TSESTree.CallExpression, index: number, modules: ModuleSource | undefined): boolean {
  const target = resolveCallee(call, modules);
  const param = target?.params[index];
  if (!target || param?.type !== AST_NODE_TYPES.Identifier) return false;
  const name = param.name;
  let escapes = false;
  walk(target.body, (node) => {
    if (escapes) return "skip";
    if (node.type !== AST_NODE_TYPES.Identifier || node.name !== name) return undefined;
    const parent = node.parent;
    // `connection.version`, `connection.query()`: read or used, not kept.
    if (parent.type === AST_NODE_TYPES.MemberExpression && parent.object === node) return undefined;
    if (parent.type === AST_NODE_TYPES.MemberExpression && parent.property === node && !parent.computed) return undefined;
    if (parent.type === AST_NODE_TYPES.Property && parent.key === node && !parent.computed && !parent.shorthand) return undefined;
    escapes = true;
    return "skip";
  });
  return !escapes;
}

function someCarriesHandle(binding: HandleBinding, args: readonly Node[]): boolean {
  for (let i = 0; i < args.length; i++) if (carriesHandle(binding, args[i]!) || (!binding.lendsOnly && isHandlePart(binding, args[i]!))) return true;
  return false;
}

/**
 * `lease.entry`, `connection.connection`: a field of the handle. From a function that never releases
 * the handle itself, passing one on is how the lock is handed over (kysely passes the raw connection
 * to the transaction it returns; openclaw gives a lock entry to the function that deletes it).
 */
function isHandlePart(binding: HandleBinding, node: Node): boolean {
  const inner = unwrap(node);
  if (inner.type !== AST_NODE_TYPES.MemberExpression) return false;
  const object = unwrap(inner.object);
  return object.type === AST_NODE_TYPES.Identifier && binding.handleNames.has(object.name);
}

export function isProcessExit(call: TSESTree.CallExpression): boolean {
  const callee = unwrap(call.callee);
  if (callee.type !== AST_NODE_TYPES.MemberExpression) return false;
  const name = memberName(callee);
  if (name !== "exit" && name !== "abort" && name !== "reallyExit") return false;
  const object = referencePath(callee.object);
  return object === "process" || object === "globalThis.process";
}

/** Fields by which a result says whether it holds anything (`{ ok: false }`, `{ acquired: true, release }`). */
const SUCCESS_FIELDS: ReadonlySet<string> = new Set(["ok", "acquired", "granted", "success", "locked"]);

/** Classifies an `if`/`&&`/`?:` test as a guard of the tracked lock. */
export function guardOf(ctx: FollowedLock, test: Node): Guard | undefined {
  const variant = variantGuard(ctx, test);
  if (variant) return variant;
  // Only tests after the acquisition: the `if` around it is what decides whether it runs.
  const implied = test.range[0] > ctx.siteCall.range[1] ? impliedByAcquisition(ctx, test) : undefined;
  if (implied !== undefined) return { kind: "handle", whenTrue: implied };
  const inner = unwrap(test);
  if (inner.type === AST_NODE_TYPES.UnaryExpression && inner.operator === "!") {
    const guard = guardOf(ctx, inner.argument);
    return guard && { kind: guard.kind, whenTrue: !guard.whenTrue };
  }
  // `if (!reservation.ok) return`: an acquisition that reports failure in its result holds nothing then.
  if (inner.type === AST_NODE_TYPES.MemberExpression && SUCCESS_FIELDS.has(memberName(inner) ?? "")) {
    const object = unwrap(inner.object);
    if (object.type === AST_NODE_TYPES.Identifier && ctx.binding.handleNames.has(object.name)) return { kind: "handle", whenTrue: true };
  }
  const conditions = ctx.binding.conditions;
  if (
    conditions !== undefined &&
    conditions.size > 0 &&
    (inner.type === AST_NODE_TYPES.Identifier ||
      inner.type === AST_NODE_TYPES.MemberExpression ||
      inner.type === AST_NODE_TYPES.BinaryExpression ||
      inner.type === AST_NODE_TYPES.CallExpression)
  ) {
    const exists = conditions.get(conditionKey(inner) ?? "");
    if (exists !== undefined) return { kind: "handle", whenTrue: exists };
  }
  if (inner.type === AST_NODE_TYPES.MemberExpression && inner.object.type === AST_NODE_TYPES.ThisExpression && isHandleObject(ctx.binding, inner))
    return { kind: "handle", whenTrue: true };
  if (inner.type === AST_NODE_TYPES.Identifier) {
    if (isGuardName(ctx.binding, inner.name)) return { kind: "handle", whenTrue: true };
    if (ctx.binding.successFlagNames.has(inner.name)) return { kind: "success", whenTrue: true };
    return undefined;
  }
  if (inner === ctx.siteCall || (inner.type === AST_NODE_TYPES.AwaitExpression && unwrap(inner.argument) === ctx.siteCall)) {
    return { kind: "success", whenTrue: true };
  }
  if (inner.type === AST_NODE_TYPES.BinaryExpression) {
    const equal = inner.operator === "===" || inner.operator === "==";
    const notEqual = inner.operator === "!==" || inner.operator === "!=";
    if (!equal && !notEqual) return undefined;
    const [named, other] = isGuardOperand(ctx, inner.left) ? [inner.left, inner.right] : [inner.right, inner.left];
    if (!isGuardOperand(ctx, named)) return undefined;
    const nullish = (other.type === AST_NODE_TYPES.Literal && other.value === null) || (other.type === AST_NODE_TYPES.Identifier && other.name === "undefined");
    if (nullish) return { kind: "handle", whenTrue: notEqual };
    // `queryRunner !== this.queryRunner` (typeorm): the handle is ours only when it is not the one
    // borrowed from a field; equal to it, the field's owner releases it, as with no handle at all.
    if (
      unwrap(other).type === AST_NODE_TYPES.MemberExpression &&
      referencePath(other) !== undefined &&
      isGuardOperand(ctx, named) &&
      unwrap(named).type === AST_NODE_TYPES.Identifier
    ) {
      return { kind: "handle", whenTrue: notEqual };
    }
    // typeof release === "function"
    if (named.type === AST_NODE_TYPES.UnaryExpression && other.type === AST_NODE_TYPES.Literal && other.value === "function") {
      return { kind: "handle", whenTrue: equal };
    }
    if (ctx.binding.successFlagNames.size > 0 && other.type === AST_NODE_TYPES.Literal && typeof other.value === "boolean") {
      return { kind: "success", whenTrue: equal === other.value };
    }
  }
  return undefined;
}

/**
 * `if (claim.status === "duplicate" || claim.status === "inflight") return …` / `if ("resources" in
 * acquired) { … acquired.releaseWork() } else …`: a test of which variant of a result union the
 * handle is. The code says which variants hold the lock: when a release (or hand-over) of the handle
 * can follow one branch and none can follow the other, the other branch's variant holds nothing.
 * Only for `if` statements; undecided (both or neither branch can release) is no guard.
 */
function variantGuard(ctx: FollowedLock, test: Node): Guard | undefined {
  const statement = test.parent;
  if (statement?.type !== AST_NODE_TYPES.IfStatement || statement.test !== test || !isVariantTest(ctx, test)) return undefined;
  const heldWhenTrue = releaseCanFollow(ctx, statement.consequent, statement);
  const heldWhenFalse = releaseCanFollow(ctx, statement.alternate, statement);
  return heldWhenTrue === heldWhenFalse ? undefined : { kind: "success", whenTrue: heldWhenTrue };
}

type Literal = string | number | boolean;

/**
 * `if (role === "gateway") lease = acquireOwnerLease()` … `if (role === "maintenance") return …`:
 * a lock acquired only when `role === "gateway"` does not exist where `role === "maintenance"`. The
 * value the acquisition's enclosing `if` tests fixes what later tests of the same never-reassigned
 * name say whenever the lock exists. Returns the test's value when the lock exists, or undefined.
 */
function impliedByAcquisition(ctx: FollowedLock, test: Node): boolean | undefined {
  const inner = unwrap(test);
  if (inner.type === AST_NODE_TYPES.UnaryExpression && inner.operator === "!") {
    const value = impliedByAcquisition(ctx, inner.argument);
    return value === undefined ? undefined : !value;
  }
  if (inner.type === AST_NODE_TYPES.Identifier) return flagImplied(ctx, inner.name) ? true : undefined;
  const comparison = literalComparison(inner);
  if (!comparison) return undefined;
  const known = acquisitionFacts(ctx).values.get(comparison.path);
  if (known === undefined) return undefined;
  return (known === comparison.value) === comparison.equal;
}

/**
 * `const shouldRelease = runner === undefined || …; if (runner === undefined || shouldRelease) runner =
 * create(); … finally { if (shouldRelease) await runner.release() }` (typeorm): a `const` flag
 * computed, before the acquisition, from the very tests that guard it is true whenever the lock
 * exists — every part of the guarding `||` is the flag itself or a part of the flag's own `||`.
 */
function flagImplied(ctx: FollowedLock, name: string): boolean {
  const facts = acquisitionFacts(ctx);
  if (facts.conditions.length === 0) return false;
  let implied = facts.flags.get(name);
  if (implied === undefined) facts.flags.set(name, (implied = computeFlagImplied(ctx, facts.conditions, name)));
  return implied;
}

function computeFlagImplied(ctx: FollowedLock, conditions: readonly Node[], name: string): boolean {
  const owner = enclosingFunction(ctx.siteCall);
  let init: Node | undefined;
  if (owner) {
    walk(owner.body, (node) => {
      if (init) return "skip";
      if (node.type === AST_NODE_TYPES.VariableDeclaration && node.kind === "const") {
        for (const declarator of node.declarations)
          if (declarator.id.type === AST_NODE_TYPES.Identifier && declarator.id.name === name && declarator.init) init = declarator.init;
      }
      return undefined;
    });
  }
  if (!init) return false;
  const flagParts = new Set(disjuncts(init).map((part) => textOf(part, ctx.sourceText)));
  return conditions.some((condition) => {
    if (condition.range[0] < init!.range[1]) return false;
    const parts = disjuncts(condition).filter((part) => !(part.type === AST_NODE_TYPES.Identifier && part.name === name));
    return parts.length > 0 && parts.every((part) => flagParts.has(textOf(part, ctx.sourceText)));
  });
}

function disjuncts(node: Node): Node[] {
  const inner = unwrap(node);
  return inner.type === AST_NODE_TYPES.LogicalExpression && inner.operator === "||" ? [...disjuncts(inner.left), ...disjuncts(inner.right)] : [inner];
}

/** `x === "a"`, `opts.mode !== 2`, either way round: the compared reference and literal. */
function literalComparison(test: Node): { path: string; value: Literal; equal: boolean } | undefined {
  const inner = unwrap(test);
  if (inner.type !== AST_NODE_TYPES.BinaryExpression || !["===", "!==", "==", "!="].includes(inner.operator)) return undefined;
  const equal = inner.operator === "===" || inner.operator === "==";
  const [reference, literal] = inner.right.type === AST_NODE_TYPES.Literal ? [inner.left, inner.right] : [inner.right, inner.left];
  if (literal.type !== AST_NODE_TYPES.Literal || !isFactValue(literal.value)) return undefined;
  const path = referencePath(unwrap(reference));
  return path === undefined ? undefined : { path, value: literal.value, equal };
}

function isFactValue(value: unknown): value is Literal {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

interface AcquisitionFacts {
  /** Names fixed to a literal (`role` is `"gateway"`), never reassigned in the function. */
  readonly values: Map<string, Literal>;
  /** The `if` tests that are true whenever the acquisition runs. */
  readonly conditions: Node[];
  /** `flagImplied` answers, by flag name. */
  readonly flags: Map<string, boolean>;
}

const factsCache = new WeakMap<Node, AcquisitionFacts>();

/** What the `if`s around the acquisition fix. */
function acquisitionFacts(ctx: FollowedLock): AcquisitionFacts {
  const cached = factsCache.get(ctx.siteCall);
  if (cached) return cached;
  const facts = new Map<string, Literal>();
  const conditions: Node[] = [];
  const owner = enclosingFunction(ctx.siteCall);
  let child: Node = ctx.siteCall;
  let current: Node | undefined = child.parent;
  while (current && current !== owner) {
    if (current.type === AST_NODE_TYPES.IfStatement && child !== current.test) {
      collectFacts(current.test, child === current.consequent, facts);
      if (child === current.consequent) conditions.push(current.test);
    }
    child = current;
    current = current.parent;
  }
  if (facts.size > 0 && owner) {
    walk(owner.body, (node) => {
      const target = node.type === AST_NODE_TYPES.AssignmentExpression ? node.left : node.type === AST_NODE_TYPES.UpdateExpression ? node.argument : undefined;
      const path = target && referencePath(unwrap(target));
      if (path !== undefined) for (const key of facts.keys()) if (key === path || key.startsWith(`${path}.`) || path.startsWith(`${key}.`)) facts.delete(key);
      return undefined;
    });
  }
  const result = { values: facts, conditions, flags: new Map<string, boolean>() };
  factsCache.set(ctx.siteCall, result);
  return result;
}

/** The equalities a test being `holds` establishes: `a === "x" && b === 1` when true, `a !== "x"` when false. */
function collectFacts(test: Node, holds: boolean, facts: Map<string, Literal>): void {
  const inner = unwrap(test);
  if (inner.type === AST_NODE_TYPES.LogicalExpression && inner.operator === (holds ? "&&" : "||")) {
    collectFacts(inner.left, holds, facts);
    collectFacts(inner.right, holds, facts);
    return;
  }
  const comparison = literalComparison(inner);
  if (comparison?.equal === holds) facts.set(comparison.path, comparison.value);
}

/** `h.kind === "…"`, `h.status !== "…"`, `"field" in h`, and `!`, `&&`, `||` of them. */
function isVariantTest(ctx: FollowedLock, test: Node): boolean {
  const inner = unwrap(test);
  if (inner.type === AST_NODE_TYPES.UnaryExpression && inner.operator === "!") return isVariantTest(ctx, inner.argument);
  if (inner.type === AST_NODE_TYPES.LogicalExpression && inner.operator !== "??") return isVariantTest(ctx, inner.left) && isVariantTest(ctx, inner.right);
  if (inner.type !== AST_NODE_TYPES.BinaryExpression) return false;
  const isHandleName = (node: Node): boolean => {
    const value = unwrap(node);
    return value.type === AST_NODE_TYPES.Identifier && ctx.binding.handleNames.has(value.name);
  };
  if (inner.operator === "in") return inner.left.type === AST_NODE_TYPES.Literal && typeof inner.left.value === "string" && isHandleName(inner.right);
  if (inner.operator !== "===" && inner.operator !== "!==" && inner.operator !== "==" && inner.operator !== "!=") return false;
  const isField = (node: Node): boolean => {
    const value = unwrap(node);
    return value.type === AST_NODE_TYPES.MemberExpression && !value.computed && isHandleName(value.object);
  };
  const isTag = (node: Node): boolean => node.type === AST_NODE_TYPES.Literal && typeof node.value === "string";
  return (isField(inner.left) && isTag(inner.right)) || (isTag(inner.left) && isField(inner.right));
}

/** Can a release or hand-over of the handle follow entering `branch` of `statement` (in it, or after the `if` when the branch can complete)? */
function releaseCanFollow(ctx: FollowedLock, branch: Node | null, statement: TSESTree.IfStatement): boolean {
  if (branch && containsRelease(ctx, branch, 0)) return true;
  if (branch && alwaysLeaves(branch)) return false;
  const owner = enclosingFunction(statement);
  return owner !== undefined && containsRelease(ctx, owner.body, statement.range[1]);
}

/** A release of the handle, a releaser given away, or the handle returned, at or after offset `from` inside `root`. */
function containsRelease(ctx: FollowedLock, root: Node, from: number): boolean {
  let found = false;
  walk(root, (node) => {
    if (found || node.range[1] <= from) return "skip";
    if (node.range[0] < from) return undefined;
    if (node.type === AST_NODE_TYPES.CallExpression)
      found = isReleaseCall(ctx.binding, node, ctx.sourceText) || node.arguments.some((argument) => isReleaserFunction(ctx.binding, argument, ctx.sourceText));
    else if (node.type === AST_NODE_TYPES.ReturnStatement) found = node.argument !== null && returnCarriesHandle(ctx.binding, node.argument);
    return undefined;
  });
  return found;
}

/** Does the statement always leave (`return`, `throw`, or a block ending in one)? */
function alwaysLeaves(statement: Node): boolean {
  if (statement.type === AST_NODE_TYPES.ReturnStatement || statement.type === AST_NODE_TYPES.ThrowStatement) return true;
  if (statement.type !== AST_NODE_TYPES.BlockStatement || statement.body.length === 0) return false;
  return alwaysLeaves(statement.body[statement.body.length - 1]!);
}

function isGuardOperand(ctx: FollowedLock, node: Node): boolean {
  const inner = unwrap(node);
  if (inner.type === AST_NODE_TYPES.UnaryExpression && inner.operator === "typeof") return isGuardOperand(ctx, inner.argument);
  return inner.type === AST_NODE_TYPES.Identifier && (isGuardName(ctx.binding, inner.name) || ctx.binding.successFlagNames.has(inner.name));
}
