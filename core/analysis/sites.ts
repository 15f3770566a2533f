import type { TSESTree } from "@typescript-eslint/utils";
import {
  AST_NODE_TYPES,
  calleeName,
  descendants,
  enclosingFunction,
  isFunctionNode,
  referencePath,
  skipWrappersUp,
  unwrap,
  walk,
  type FunctionNode,
  type Node,
  statementListOf,
} from "../ast/nodes.js";
import type { ImportMap } from "../lock-api/imports.js";
import { classifyCall, type CompiledAcquire, type LockModel } from "../lock-api/model.js";
import { builtFromHandle, inferAcquisition } from "../lock-api/inferred.js";
import { addReleaseAliases, bindPattern, isObjectAssign, isReleaseCall, refineByUsage, textOf, type HandleBinding, emptyBinding } from "./binding.js";
import { enclosingInitialiser, settledValue, type Initialiser } from "../ast/initialiser.js";
import { walkNameUsage, type NameUsage } from "./name-usage.js";
import {
  addAdapterAliases,
  adapterReleases,
  adoptReleaserSkipsRelease,
  declaratorOf,
  disposeMemberOf,
  disposeReleases,
  localStackOf,
  stackRegistration,
  usingDeclarationOf,
} from "./adapters.js";

/**
 * Finds lock acquisitions in a program and describes how each one is held:
 * bound to a name, bound with `using`, discarded, handed to the caller, or
 * received by a `.then()` callback. Pure: AST and model in, descriptors out.
 */

export type SiteForm =
  /** `using` / `await using`: released by the language. */
  | { readonly kind: "using"; readonly declaration: TSESTree.VariableDeclaration; readonly block: Node }
  /** The handle is dropped (`await acquireX();`) although releasing needs it. */
  | { readonly kind: "discarded" }
  /**
   * Ownership leaves right away (returned, passed as an argument, stored in a literal). `adapter`:
   * the acquisition is given to a helper whose result is bound to a name (`await using lock =
   * disposable(await acquire(), (h) => h.release())`); when types show that result disposable, it is
   * the handle made disposable, judged as `using` (bound with it) or `tracked` (verdict.ts).
   */
  | { readonly kind: "transferred"; readonly adapter?: HelperAdapter }
  | TrackedForm
  /**
   * One of several promises awaited together by `Promise.all` / `Promise.any`
   * (`Promise.all([a.acquire(), b.acquire()])`, `Promise.all(xs.map(acquire…))`): when another one
   * rejects, the locks already granted are lost with the array.
   */
  | { readonly kind: "grouped"; readonly group: TSESTree.CallExpression }
  /** A form the analysis does not follow (reported by nobody; listed for the codemod). */
  | { readonly kind: "untracked"; readonly reason: string };

/** `using` / `await using`: released by the language when `block` exits. */
export type UsingForm = Extract<SiteForm, { kind: "using" }>;

/** A helper call that may make the handle disposable (`disposable(await acquire(), …)`); types decide. */
export interface HelperAdapter {
  readonly call: TSESTree.CallExpression;
  /** Set when the helper's result is bound with `using` / `await using`. */
  readonly using?: UsingForm;
  /** The helper's result followed as the handle, for when it is disposable but not bound with `using`. */
  readonly tracked: TrackedForm;
}

/** Tracked: the analysis follows `binding` through `body` from its start. */
export interface TrackedForm {
  readonly kind: "tracked";
  readonly binding: HandleBinding;
  /** Node whose completion makes the lock held (declarator, assignment, await, call); undefined: held on entry. */
  readonly acquireAt: Node | undefined;
  /** Block (or statement) that owns the binding: leaving it while held leaks. */
  readonly block: Node;
  /** Function (or program) whose body is interpreted. */
  readonly owner: FunctionNode | TSESTree.Program;
  /** The declarator when bound by `const x = await acquire()` (used by fix planners). */
  readonly declarator?: TSESTree.VariableDeclarator;
}

export interface AcquisitionSite {
  readonly call: TSESTree.CallExpression;
  readonly acquire: CompiledAcquire;
  /** Whether the acquisition result is awaited. */
  readonly awaited: boolean;
  /** Source-like label of the acquiring callee for messages (`acquireSessionWriteLock`, `mutex.acquire`). */
  readonly label: string;
  readonly form: SiteForm;
}

/** Lists every acquisition in `program`, in source order. */
export function findAcquisitions(program: TSESTree.Program, model: LockModel, imports: ImportMap, sourceText: string): AcquisitionSite[] {
  const sites: AcquisitionSite[] = [];
  walk(program, (node) => {
    if (node.type !== AST_NODE_TYPES.CallExpression) return undefined;
    const site = siteForCall(node, model, imports, sourceText);
    if (site) sites.push(site);
    return undefined;
  });
  return sites;
}

/** The acquisition descriptor for a single call, or undefined when it is not one. */
export function siteForCall(
  call: TSESTree.CallExpression,
  model: LockModel,
  imports: ImportMap,
  sourceText: string,
  usage: NameUsage = walkNameUsage,
): AcquisitionSite | undefined {
  const cls = classifyCall(model, call, imports);
  if (cls?.kind === "callbackScoped") return undefined;
  let acquire = cls?.acquire ?? (model.inference && inferAcquisition(model.inference, call, sourceText));
  if (!acquire || receivesCriticalSection(call)) return undefined;
  const outer = settledValue(call);
  const awaited = outer.parent?.type === AST_NODE_TYPES.AwaitExpression;
  const valueNode = awaited ? skipWrappersUp(outer.parent!) : outer;
  let form = formOf(call, valueNode, acquire, sourceText, usage);
  // A configured API whose release form does not fit how this code holds the result (knex's
  // `acquireConnection` configured with `receiverMethod`, its result bound and returned by a
  // wrapper): how the code gives it back decides, as with no configuration at all.
  if (cls?.acquire && form.kind === "untracked" && model.inference) {
    const inferred = inferAcquisition(model.inference, call, sourceText);
    if (inferred) {
      acquire = inferred;
      form = formOf(call, valueNode, inferred, sourceText, usage);
    }
  }
  return { call, acquire, awaited, label: calleeLabel(call, sourceText), form };
}

/**
 * `lock.acquire(key, async () => …)` (async-lock), `redlock.using(…, fn)`: an acquire-like call
 * that is handed the critical section as a function holds the lock only while it runs, whatever
 * its receiver is called. Never an acquisition to follow.
 */
function receivesCriticalSection(call: TSESTree.CallExpression): boolean {
  for (const argument of call.arguments) {
    if (argument.type === AST_NODE_TYPES.ArrowFunctionExpression || argument.type === AST_NODE_TYPES.FunctionExpression) return true;
  }
  return false;
}

function calleeLabel(call: TSESTree.CallExpression, sourceText: string): string {
  const path = referencePath(call.callee);
  return path ?? sourceText.slice(call.callee.range[0], call.callee.range[1]);
}

function formOf(call: TSESTree.CallExpression, valueNode: Node, acquire: CompiledAcquire, sourceText: string, usage: NameUsage): SiteForm {
  const parent = valueNode.parent;
  if (!parent) return { kind: "untracked", reason: "no parent" };
  const releases = acquire.spec.release;
  const successFlag = acquire.spec.returnsSuccessFlag === true;

  // acquire().then((lock) => …)
  if (
    parent.type === AST_NODE_TYPES.MemberExpression &&
    parent.object === valueNode &&
    !parent.computed &&
    parent.property.type === AST_NODE_TYPES.Identifier &&
    parent.property.name === "then"
  ) {
    const thenCall = parent.parent;
    const callback = thenCall.type === AST_NODE_TYPES.CallExpression && thenCall.callee === parent ? thenCall.arguments[0] : undefined;
    if (callback && isFunctionNode(callback)) {
      const param = callback.params[0];
      const binding = param ? bindPattern(param, releases, successFlag) : undefined;
      if (!binding) return { kind: "discarded" };
      refineByUsage(binding, callback.body, usage);
      addReleaseAliases(binding, callback.body, sourceText, usage);
      binding.lendsOnly = releasesItself(binding, callback.body, sourceText);
      return { kind: "tracked", binding, acquireAt: undefined, block: callback.body, owner: callback };
    }
    return { kind: "untracked", reason: "`.then()` without an inline callback" };
  }

  const adapted = adaptedForm(call, valueNode, acquire, sourceText, usage);
  if (adapted) return adapted;

  const partOf = enclosingInitialiser(valueNode);
  if (partOf) return partialForm(call, valueNode, partOf, acquire, sourceText, usage);

  // `this.queryRunner = createQueryRunner()` released by `this.queryRunner.release()` in the same
  // function: the field holds the handle for the function's own use (typeorm's schema builder).
  if (
    parent.type === AST_NODE_TYPES.AssignmentExpression &&
    parent.right === valueNode &&
    parent.operator === "=" &&
    unwrap(parent.left).type === AST_NODE_TYPES.MemberExpression
  ) {
    const path = referencePath(parent.left);
    const owner = ownerOf(call);
    const handleMethods = releases.flatMap((spec) => (spec.kind === "handleMethod" ? spec.methods : []));
    if (path === undefined || !path.startsWith("this.") || handleMethods.length === 0 || owner.type === AST_NODE_TYPES.Program) return { kind: "transferred" };
    const binding: HandleBinding = { ...emptyBinding(), handleMethods };
    binding.handleNames.add(path);
    if (!releasesItself(binding, owner.body, sourceText)) return { kind: "transferred" };
    return { kind: "tracked", binding: { ...binding, lendsOnly: true }, acquireAt: parent, block: owner.body, owner };
  }

  if (parent.type === AST_NODE_TYPES.VariableDeclarator && parent.init === valueNode) {
    const declaration = parent.parent;
    if (declaration.kind === "using" || declaration.kind === "await using") return { kind: "using", declaration, block: blockOfDeclaration(declaration) };
    const binding = bindPattern(parent.id, releases, successFlag);
    if (!binding) return { kind: "untracked", reason: "the binding does not keep the release function or handle" };
    const block = blockOfDeclaration(declaration);
    completeBinding(binding, block, call, releases, sourceText, usage);
    return { kind: "tracked", binding, acquireAt: parent, block, owner: ownerOf(call), declarator: parent };
  }

  if (parent.type === AST_NODE_TYPES.AssignmentExpression && parent.right === valueNode && parent.operator === "=") {
    // `x = await acquire()` or `[, release] = await sem.acquire()` into local `let`s.
    const assigned = parent.left.type === AST_NODE_TYPES.Identifier ? [parent.left.name] : patternNames(parent.left);
    if (assigned.length === 0) return { kind: "transferred" };
    const declarations = assigned.map((name) => findDeclaration(name, parent));
    const declaration = declarations[0];
    if (declarations.some((d) => d !== declaration)) return { kind: "untracked", reason: "the destructured names are declared in different places" };
    const owner = ownerOf(call);
    // `queryRunner = this.getQueryRunner(queryRunner)`: a parameter is as local as a `let`.
    const parameter = !declaration && parent.left.type === AST_NODE_TYPES.Identifier && isParameterOf(owner, parent.left.name);
    if (!parameter && (!declaration || !contains(owner, declaration))) return { kind: "transferred" };
    const binding = bindPattern(parent.left, releases, successFlag);
    if (!binding) return { kind: "untracked", reason: "the binding does not keep the release function or handle" };
    const block = declaration ? blockOfDeclaration(declaration) : (owner as FunctionNode).body;
    completeBinding(binding, block, call, releases, sourceText, usage);
    return { kind: "tracked", binding, acquireAt: parent, block, owner };
  }

  const receiverRelease = releases.find((spec) => spec.kind === "receiverMethod");
  const moduleRelease = releases.find((spec) => spec.kind === "moduleFunction");
  const isStatement = parent.type === AST_NODE_TYPES.ExpressionStatement;
  const isSuccessTest = successFlag && isInIfTest(valueNode);
  if (isStatement || isSuccessTest) {
    const owner = ownerOf(call);
    const block = owner.type === AST_NODE_TYPES.Program ? owner : owner.body;
    if (receiverRelease) {
      const callee = unwrap(call.callee);
      const path = callee.type === AST_NODE_TYPES.MemberExpression ? referencePath(callee.object) : undefined;
      if (path === undefined) return { kind: "untracked", reason: "the lock's receiver is not a simple reference" };
      const binding: HandleBinding = { ...emptyBinding(), receiver: { path, methods: receiverRelease.methods } };
      return { kind: "tracked", binding, acquireAt: valueNode, block, owner };
    }
    if (moduleRelease && call.arguments[0]) {
      const binding: HandleBinding = {
        ...emptyBinding(),
        moduleRelease: { functions: moduleRelease.functions, firstArgument: textOf(call.arguments[0], sourceText) },
      };
      return { kind: "tracked", binding, acquireAt: valueNode, block, owner };
    }
    if (isStatement) return { kind: "discarded" };
  }

  const group = groupOf(valueNode);
  if (group) return { kind: "grouped", group };

  if (
    parent.type === AST_NODE_TYPES.ReturnStatement ||
    parent.type === AST_NODE_TYPES.ArrowFunctionExpression ||
    parent.type === AST_NODE_TYPES.CallExpression ||
    parent.type === AST_NODE_TYPES.NewExpression ||
    parent.type === AST_NODE_TYPES.Property ||
    parent.type === AST_NODE_TYPES.ArrayExpression ||
    parent.type === AST_NODE_TYPES.YieldExpression ||
    parent.type === AST_NODE_TYPES.PropertyDefinition
  ) {
    return { kind: "transferred" };
  }
  return { kind: "untracked", reason: `acquisition used inside ${parent.type}` };
}

/**
 * The acquisition made disposable where it is acquired (adapters.ts): `Object.assign(await
 * acquire(), { [Symbol.asyncDispose]… })`, `{ [Symbol.asyncDispose]: await acquire() }` (the
 * codemod's form), `{ lock: await acquire(), async [Symbol.asyncDispose]() { … } }`,
 * `stack.adopt(await acquire(), fn)` / `stack.use(await acquire())` on a local stack, and
 * `helper(await acquire(), …)` bound to a name (types decide, verdict.ts). Bound with `using` and
 * releasing when disposed: a `using` form. Otherwise the adapter is followed as the handle, so
 * that nothing disposing it is a leak. Undefined when the acquisition is in none of these.
 */
function adaptedForm(call: TSESTree.CallExpression, valueNode: Node, acquire: CompiledAcquire, sourceText: string, usage: NameUsage): SiteForm | undefined {
  const parent = valueNode.parent;
  if (parent?.type === AST_NODE_TYPES.CallExpression && parent.arguments[0] === valueNode) {
    if (isObjectAssign(parent)) return assignedAdapterForm(call, parent, acquire, sourceText, usage);
    const registration = stackRegistration(parent);
    const stacked = registration && stackForm(call, parent, registration, acquire, sourceText, usage);
    if (stacked) return stacked;
  }
  if (parent?.type === AST_NODE_TYPES.Property && parent.value === valueNode && parent.parent.type === AST_NODE_TYPES.ObjectExpression) {
    return literalAdapterForm(call, parent, parent.parent, acquire, sourceText, usage);
  }
  if (parent?.type === AST_NODE_TYPES.CallExpression && parent.arguments.includes(valueNode as TSESTree.CallExpressionArgument))
    return helperForm(call, parent, acquire, sourceText, usage);
  return undefined;
}

/** `[await using|const] lock = Object.assign(await acquire(), { [Symbol.asyncDispose]: () => lock.release() })`: the result is the handle. */
function assignedAdapterForm(
  call: TSESTree.CallExpression,
  adapter: TSESTree.CallExpression,
  acquire: CompiledAcquire,
  sourceText: string,
  usage: NameUsage,
): SiteForm | undefined {
  const declarator = declaratorOf(adapter);
  if (declarator?.id.type !== AST_NODE_TYPES.Identifier) return undefined;
  const binding = bindPattern(declarator.id, acquire.spec.release, false);
  if (!binding) return undefined;
  const block = blockOfDeclaration(declarator.parent);
  completeBinding(binding, block, call, acquire.spec.release, sourceText, usage);
  const using = usingDeclarationOf(adapter);
  if (using && adapterReleases(binding, adapter, sourceText, true)) return { kind: "using", declaration: using, block };
  return { kind: "tracked", binding, acquireAt: adapter, block, owner: ownerOf(call) };
}

/**
 * `[await using|const] release = { [Symbol.asyncDispose]: await lockfile.lock(file) }` (the
 * codemod's form: the dispose is the release function the acquisition returns) and `{ lock: await
 * acquire(), async [Symbol.asyncDispose]() { await this.lock.release(); } }` (the handle in a field).
 */
function literalAdapterForm(
  call: TSESTree.CallExpression,
  property: TSESTree.Property,
  adapter: TSESTree.ObjectExpression,
  acquire: CompiledAcquire,
  sourceText: string,
  usage: NameUsage,
): SiteForm | undefined {
  const member = disposeMemberOf(adapter);
  const declarator = member && declaratorOf(adapter);
  if (!member || declarator?.id.type !== AST_NODE_TYPES.Identifier) return undefined;
  const name = declarator.id.name;
  const releases = acquire.spec.release;
  const handleMethods = releases.flatMap((spec) => (spec.kind === "handleMethod" ? spec.methods : []));
  let disposes: boolean;
  const binding: HandleBinding = { ...emptyBinding(), handleMethods: member === property ? [] : handleMethods };
  if (member === property) {
    disposes = releases.some((spec) => spec.kind === "returnedFunction");
  } else {
    if (property.computed || property.key.type !== AST_NODE_TYPES.Identifier || handleMethods.length === 0) return undefined;
    const field = `${name}.${property.key.name}`;
    const inMethod: HandleBinding = { ...emptyBinding(), handleMethods };
    inMethod.handleNames.add(field).add(`this.${property.key.name}`);
    disposes = disposeReleases(inMethod, member.value, sourceText, false);
    binding.handleNames.add(field);
  }
  binding.handleNames.add(name); // `release[Symbol.asyncDispose]()`, `block[Symbol.asyncDispose]()`
  const block = blockOfDeclaration(declarator.parent);
  const using = usingDeclarationOf(adapter);
  if (using && disposes) return { kind: "using", declaration: using, block };
  completeBinding(binding, block, call, releases, sourceText, usage);
  return { kind: "tracked", binding, acquireAt: adapter, block, owner: ownerOf(call) };
}

/**
 * `stack.adopt(await acquire(), (h) => h.release())` / `stack.use(await acquire())` /
 * `stack.defer(await mutex.acquire())` (a release function) on a local
 * `new (Async)DisposableStack()`: bound with `using`, the stack releases the lock when its block
 * exits (a hand-over, as before); bound with `const`, the lock lives as long as the stack and only
 * `stack.disposeAsync()` releases it. An `adopt` callback that visibly does not release holds it
 * forever. Any other stack (a field, a parameter) takes the lock over: undefined.
 */
function stackForm(
  call: TSESTree.CallExpression,
  registration: TSESTree.CallExpression,
  { stack: stackName, method }: { readonly stack: string; readonly method: string },
  acquire: CompiledAcquire,
  sourceText: string,
  usage: NameUsage,
): SiteForm | undefined {
  const owner = ownerOf(call);
  const stack = localStackOf(stackName, registration, owner);
  if (!stack) return undefined;
  const releases = acquire.spec.release;
  const skipsRelease = method === "adopt" && adoptReleaserSkipsRelease(registration.arguments[1], releases, sourceText);
  if (stack.using && !skipsRelease) return { kind: "transferred" };
  const declarator = declaratorOf(registration);
  const handleMethods = releases.flatMap((spec) => (spec.kind === "handleMethod" ? spec.methods : []));
  const binding = (declarator?.id.type === AST_NODE_TYPES.Identifier ? bindPattern(declarator.id, releases, false) : undefined) ?? {
    ...emptyBinding(),
    handleMethods,
  };
  if (!skipsRelease) {
    binding.disposers = new Set([stackName]);
    binding.carrierNames.add(stackName);
  }
  // The lock lives as long as the stack that holds it.
  const block = blockOfDeclaration(stack.declaration);
  completeBinding(binding, block, call, releases, sourceText, usage);
  return { kind: "tracked", binding, acquireAt: registration, block, owner };
}

/** `[await using|const] lock = disposable(await acquire(), …)`: a hand-over, unless types show the result disposable (verdict.ts). */
function helperForm(
  call: TSESTree.CallExpression,
  helper: TSESTree.CallExpression,
  acquire: CompiledAcquire,
  sourceText: string,
  usage: NameUsage,
): SiteForm | undefined {
  const declarator = declaratorOf(helper);
  if (declarator?.id.type !== AST_NODE_TYPES.Identifier) return undefined;
  const releases = acquire.spec.release;
  const binding: HandleBinding = { ...emptyBinding(), handleMethods: releases.flatMap((spec) => (spec.kind === "handleMethod" ? spec.methods : [])) };
  binding.handleNames.add(declarator.id.name);
  const block = blockOfDeclaration(declarator.parent);
  completeBinding(binding, block, call, releases, sourceText, usage);
  const using = usingDeclarationOf(helper);
  return {
    kind: "transferred",
    adapter: {
      call: helper,
      using: using && { kind: "using", declaration: using, block },
      tracked: { kind: "tracked", binding, acquireAt: helper, block, owner: ownerOf(call) },
    },
  };
}

/**
 * An acquisition that is one branch or a wrapped argument of what a name is initialised with
 * (`borrowed ?? acquire()`, `isPool ? new Session(await pool.connect()) : this`): followed through
 * that name, held only on the paths where the branch ran (the `conditions` guard the release).
 */
function partialForm(
  call: TSESTree.CallExpression,
  valueNode: Node,
  partOf: Initialiser,
  acquire: CompiledAcquire,
  sourceText: string,
  usage: NameUsage,
): SiteForm {
  const { target, wrapper, conditions } = partOf;
  const pattern = target.type === AST_NODE_TYPES.VariableDeclarator ? target.id : target.left;
  if (pattern.type !== AST_NODE_TYPES.Identifier) return { kind: "untracked", reason: "a branch of an initialiser bound to a pattern" };
  const owner = ownerOf(call);
  let block: Node;
  if (target.type === AST_NODE_TYPES.VariableDeclarator) {
    if (target.parent.kind === "using" || target.parent.kind === "await using")
      return { kind: "using", declaration: target.parent, block: blockOfDeclaration(target.parent) };
    block = blockOfDeclaration(target.parent);
  } else {
    const declaration = findDeclaration(pattern.name, target);
    if (!declaration || !contains(owner, declaration)) return { kind: "transferred" };
    block = blockOfDeclaration(declaration);
  }
  const releases = acquire.spec.release;
  let binding: HandleBinding | undefined;
  if (wrapper) {
    const handleMethods = releases.flatMap((spec) => (spec.kind === "handleMethod" ? spec.methods : []));
    if (handleMethods.length === 0) return { kind: "untracked", reason: "a wrapped handle released by a function" };
    binding = { ...emptyBinding(), handleMethods, wrapper: { name: pattern.name, node: wrapper } };
  } else {
    binding = bindPattern(pattern, releases, acquire.spec.returnsSuccessFlag === true);
    if (!binding) return { kind: "untracked", reason: "the binding does not keep the release function or handle" };
    completeBinding(binding, block, call, releases, sourceText, usage);
  }
  const complete: HandleBinding = { ...binding, conditions, lendsOnly: binding.lendsOnly ?? releasesItself(binding, block, sourceText) };
  return { kind: "tracked", binding: complete, acquireAt: valueNode, block, owner };
}

/** Does code of `block` itself (not a closure it creates) release the bound lock? Then handing the handle on only lends it. */
function releasesItself(binding: HandleBinding, block: Node, sourceText: string): boolean {
  let found = false;
  walk(block, (node) => {
    // A closure's release is a hand-over; a catch clause's release covers failure only.
    if (found || isFunctionNode(node) || node.type === AST_NODE_TYPES.CatchClause) return "skip";
    if (node.type === AST_NODE_TYPES.CallExpression && isReleaseCall(binding, node, sourceText)) found = true;
    return undefined;
  });
  return found;
}

// Not `race`: a lock raced against a timeout is handed over on purpose (the caller owns what wins).
const GROUPING = new Set(["all", "any"]);

/**
 * The `Promise.all([...])` call an acquisition is an element of (directly, or as the body of the
 * `.map()` callback that builds its argument); undefined otherwise. `Promise.allSettled` is the
 * fix, not the problem: every outcome comes back, so granted locks can be released.
 */
function groupOf(valueNode: Node): TSESTree.CallExpression | undefined {
  let element: Node = valueNode;
  const parent = valueNode.parent;
  // `xs.map((x) => acquire(x))` / `xs.map(async (x) => …await acquire(x))`: the callback's result.
  if (parent?.type === AST_NODE_TYPES.ArrowFunctionExpression && parent.body === valueNode) {
    const map = parent.parent;
    if (map.type !== AST_NODE_TYPES.CallExpression || map.arguments[0] !== parent || calleeName(map) !== "map") return undefined;
    element = map;
  } else if (parent?.type === AST_NODE_TYPES.ArrayExpression) {
    element = parent;
  } else {
    return undefined;
  }
  const call = element.parent;
  if (call.type !== AST_NODE_TYPES.CallExpression || call.arguments[0] !== element) return undefined;
  const callee = unwrap(call.callee);
  if (callee.type !== AST_NODE_TYPES.MemberExpression || referencePath(callee.object) !== "Promise" || !GROUPING.has(calleeName(call) ?? "")) return undefined;
  if (element.type === AST_NODE_TYPES.ArrayExpression && element.elements.length < 2) return undefined;
  return call;
}

/** Usage-based refinement, receiver release for try-acquisition flags, and local release aliases. */
function completeBinding(
  binding: HandleBinding,
  block: Node,
  call: TSESTree.CallExpression,
  releases: CompiledAcquire["spec"]["release"],
  sourceText: string,
  usage: NameUsage,
): void {
  refineByUsage(binding, block, usage);
  const receiverRelease = releases.find((spec) => spec.kind === "receiverMethod");
  const callee = unwrap(call.callee);
  if (receiverRelease?.kind === "receiverMethod" && binding.successFlagNames.size > 0 && callee.type === AST_NODE_TYPES.MemberExpression) {
    const path = referencePath(callee.object);
    if (path !== undefined) binding.receiver = { path, methods: receiverRelease.methods };
  }
  addReleaseAliases(binding, block, sourceText, usage);
  const owner = ownerOf(call);
  addAdapterAliases(binding, block, owner, sourceText);
  binding.lendsOnly = releasesItself(binding, block, sourceText);
  // A function that hands out an object built from the handle (`return connection`, built by `new
  // MysqlConnection(raw)`): returning it hands the handle over, and what the handle is given to on
  // the way only borrows it, as in a function that releases it itself (inferred.ts).
  if (owner.type !== AST_NODE_TYPES.Program && binding.handleNames.size === 1) {
    const [handle] = binding.handleNames as unknown as [string];
    const built = builtFromHandle(owner, handle);
    if (built !== undefined) {
      binding.carrierNames.add(built);
      binding.handedOutAs = built;
      binding.lendsOnly = true;
    }
  }
}

/** Identifiers bound by an assignment pattern (`[, release]`, `{ release }`); empty for member targets. */
function patternNames(pattern: Node): string[] {
  if (pattern.type !== AST_NODE_TYPES.ArrayPattern && pattern.type !== AST_NODE_TYPES.ObjectPattern) return [];
  const names: string[] = [];
  for (const node of descendants(pattern)) {
    if (node.type === AST_NODE_TYPES.MemberExpression) return [];
    if (node.type === AST_NODE_TYPES.Identifier && (node.parent.type !== AST_NODE_TYPES.Property || node.parent.value === node)) names.push(node.name);
  }
  return names;
}

function isInIfTest(node: Node): boolean {
  let current = node;
  while (current.parent?.type === AST_NODE_TYPES.UnaryExpression && current.parent.operator === "!") current = current.parent;
  return current.parent?.type === AST_NODE_TYPES.IfStatement && current.parent.test === current;
}

function ownerOf(node: Node): FunctionNode | TSESTree.Program {
  const fn = enclosingFunction(node);
  if (fn) return fn;
  let current: Node = node;
  while (current.parent) current = current.parent;
  return current;
}

/** The block-like node that owns a declaration's bindings (a `var` lives in the whole function). */
export function blockOfDeclaration(declaration: Node): Node {
  if (declaration.type === AST_NODE_TYPES.VariableDeclaration && declaration.kind === "var") {
    const owner = ownerOf(declaration);
    return owner.type === AST_NODE_TYPES.Program ? owner : owner.body;
  }
  const parent = declaration.parent!;
  if (parent.type === AST_NODE_TYPES.SwitchCase) return parent.parent;
  if (parent.type === AST_NODE_TYPES.ExportNamedDeclaration) return parent.parent;
  return parent; // BlockStatement, Program, StaticBlock, For* head
}

function isParameterOf(owner: Node, name: string): boolean {
  return isFunctionNode(owner) && owner.params.some((param) => param.type === AST_NODE_TYPES.Identifier && param.name === name);
}

function contains(outer: Node, inner: Node): boolean {
  return inner.range[0] >= outer.range[0] && inner.range[1] <= outer.range[1];
}

/**
 * The `let`/`var` declaration of `name` visible from `from`, searching enclosing blocks up to the function
 * (on the AST, not with the block manager: the codemod has none, and both must decide alike).
 */
function findDeclaration(name: string, from: Node): TSESTree.VariableDeclaration | undefined {
  for (let current: Node | undefined = from.parent; current; current = current.parent) {
    const body = statementListOf(current);
    if (body) {
      for (const statement of body) {
        const declaration = statement.type === AST_NODE_TYPES.ExportNamedDeclaration ? statement.declaration : statement;
        if (declaration?.type !== AST_NODE_TYPES.VariableDeclaration) continue;
        if (declaration.declarations.some((d) => d.id.type === AST_NODE_TYPES.Identifier && d.id.name === name)) return declaration;
      }
    }
    if (isFunctionNode(current)) {
      if (current.params.some((param) => param.type === AST_NODE_TYPES.Identifier && param.name === name)) return undefined;
    }
  }
  return undefined;
}
